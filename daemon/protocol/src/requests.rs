//! The requests, each its own type that names its reply type ([`Call::Reply`]).
//!
//! One table (the `requests!` invocation below) says, for every request, the method of [`Serve`]
//! that answers it and the type of its reply. From it come the wire enum [`Request`], the
//! [`Call`] impls the client sends through, and the [`Serve`] trait the daemon implements: a
//! daemon that answers a request with another reply type does not compile, and a client reads
//! back exactly the type its request names.
//!
//! On the wire nothing changed: a request is `{"request": "<kebab-name>", ...fields}`, as before
//! the types were split.

use rapport_core::task::{PostKind, Task, TaskId, TaskState};
use serde::{Deserialize, Serialize};

use crate::{
    AccountRatio, CampaignDetail, CampaignReport, CircleReport, ContentEntry, ErrorReply, Forgotten,
    ItemResult, KeepChange, KeepList, NewContentEntry, PersonDetail, PersonSummary, Reply, Response,
    ScheduleAnswer, StatusReport, TaskHistoryLine,
};

/// A request whose reply type is fixed.
pub trait Call: Into<Request> {
    /// What the daemon answers it with.
    type Reply: Reply;

    /// Has `server` answer it, through the [`Serve`] method for this request.
    fn serve<S: Serve + ?Sized>(self, server: &S) -> Result<Self::Reply, ErrorReply>;
}

/// Declares the wire enum, the [`Call`] impls and the [`Serve`] trait from one table.
macro_rules! requests {
    ($( $(#[$doc:meta])* $name:ident => $method:ident -> $reply:ty; )*) => {
        /// A request to the daemon, as it travels.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "request", rename_all = "kebab-case")]
        pub enum Request {
            $( $(#[$doc])* $name($name), )*
        }

        $(
            impl From<$name> for Request {
                fn from(request: $name) -> Request {
                    Request::$name(request)
                }
            }

            impl Call for $name {
                type Reply = $reply;

                fn serve<S: Serve + ?Sized>(self, server: &S) -> Result<$reply, ErrorReply> {
                    server.$method(self)
                }
            }
        )*

        /// What answers requests (the daemon): one method per request, returning its reply type.
        pub trait Serve {
            $(
                $(#[$doc])*
                fn $method(&self, request: $name) -> Result<$reply, ErrorReply>;
            )*
        }

        impl Request {
            /// Has `server` answer the request; a failure as a whole is [`Response::Error`].
            pub fn serve<S: Serve + ?Sized>(self, server: &S) -> Response {
                let reply = match self {
                    $( Request::$name(request) => request.serve(server).map(Reply::into_response), )*
                };
                reply.unwrap_or_else(Response::Error)
            }
        }
    };
}

requests! {
    /// Accounts, plugin health, queue counts, rate headroom.
    Status => status -> StatusReport;
    /// A page of tasks.
    Queue => queue -> Vec<Task>;
    /// One task.
    Show => show -> Task;
    /// Approve tasks, optionally replacing the text; one result per id.
    Approve => approve -> Vec<ItemResult>;
    /// Reject tasks; one result per id.
    Reject => reject -> Vec<ItemResult>;
    /// Undo a decision of the last seconds: the task is proposed again.
    Undo => undo -> Vec<ItemResult>;
    /// Send a needs-check task again.
    Resend => resend -> Vec<ItemResult>;
    /// Send failed tasks again; one result per id.
    Retry => retry -> Vec<ItemResult>;
    /// Mark a needs-check task done.
    MarkDone => mark_done -> Vec<ItemResult>;
    /// The non-sales/sales post ratio.
    Ratio => ratio -> Vec<AccountRatio>;
    /// The next scheduled post slots (and the missed ones, with `report`).
    Schedule => schedule -> ScheduleAnswer;
    /// Add an entry to the content library; the reply is the library with it.
    PostAdd => post_add -> Vec<ContentEntry>;
    /// The content library.
    PostList => post_list -> Vec<ContentEntry>;
    /// Remove a content library entry; one result, for its id.
    PostRemove => post_remove -> Vec<ItemResult>;
    /// How a post would go out.
    PostPreview => post_preview -> crate::PostPreview;
    /// Approve every proposed task of a follow campaign; one result per task.
    ApproveCampaign => approve_campaign -> Vec<ItemResult>;
    /// The follow campaigns.
    CampaignList => campaign_list -> Vec<CampaignReport>;
    /// One follow campaign with its proposed tasks.
    CampaignShow => campaign_show -> CampaignDetail;
    /// Pause or resume a follow campaign; the reply is the campaign after the change.
    SetCampaignPaused => set_campaign_paused -> CampaignReport;
    /// The circles.
    CircleList => circle_list -> Vec<CircleReport>;
    /// One circle.
    CircleShow => circle_show -> CircleReport;
    /// Add someone to a circle, or take them out; the reply is the circle after the change.
    SetCircleMember => set_circle_member -> CircleReport;
    /// An account's keep-list.
    KeepShow => keep_show -> KeepList;
    /// Add someone to an account's keep-list.
    KeepAdd => keep_add -> KeepChange;
    /// Remove someone from an account's keep-list.
    KeepRemove => keep_remove -> KeepChange;
    /// People in the relationship book.
    People => people -> Vec<PersonSummary>;
    /// One person in full, from every account's book that holds them.
    Person => person -> Vec<PersonDetail>;
    /// Set or clear the note about a person.
    PersonNote => person_note -> PersonSummary;
    /// Add or remove a tag on a person.
    PersonTag => person_tag -> PersonSummary;
    /// Delete everything the book holds about a person.
    Forget => forget -> Vec<Forgotten>;
    /// The one line of history of the person each task is about.
    TaskHistory => task_history -> Vec<TaskHistoryLine>;
    /// The engagement report of each account asked for.
    Report => report -> Vec<rapport_core::report::Report>;
}

/// Accounts, plugin health, queue counts, rate headroom. (Braced, not a unit struct: a request
/// with fields a newer client added must still parse.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {}

/// A page of tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    /// Only tasks in this state.
    pub state: Option<TaskState>,
    /// Only tasks of this account.
    pub account: Option<String>,
    /// Only ids greater than this (the last id of the previous page).
    pub after: Option<TaskId>,
    /// At most this many (the daemon caps it at [`crate::MAX_PAGE`]).
    pub limit: u32,
}

/// One task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Show {
    /// The task.
    pub id: TaskId,
}

/// Approve tasks, optionally replacing the text (meaningful for one id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approve {
    /// The tasks.
    pub ids: Vec<TaskId>,
    /// Replacement reply or post text.
    pub text: Option<String>,
    /// Hold the approved tasks for the undo window before they may be sent (the review screen's
    /// approvals), so [`Undo`] can still take them back.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub undoable: bool,
}

/// Undo the approval or rejection of one task, made in the last seconds: it is proposed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Undo {
    /// The task.
    pub id: TaskId,
}

/// Reject tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reject {
    /// The tasks.
    pub ids: Vec<TaskId>,
    /// Why, if the person said.
    pub reason: Option<String>,
}

/// Send a needs-check task again (the person checked the platform did not get it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resend {
    /// The task.
    pub id: TaskId,
}

/// Send failed tasks again, their cause fixed (a token, a setting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retry {
    /// The tasks.
    pub ids: Vec<TaskId>,
}

/// Mark a needs-check task done (the platform did get it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkDone {
    /// The task.
    pub id: TaskId,
}

/// The non-sales/sales post ratio.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ratio {
    /// One account, or all.
    pub account: Option<String>,
}

/// The next scheduled post slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// How many slots.
    pub count: u32,
    /// Answer with [`ScheduleAnswer::Report`]: the slots and the slots missed while rapportd was
    /// down. Clients from before it was added leave it out and get [`ScheduleAnswer::Slots`].
    #[serde(default)]
    pub report: bool,
}

/// Add an entry to the content library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostAdd {
    /// The entry.
    pub entry: NewContentEntry,
}

/// The content library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostList {}

/// Remove a content library entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostRemove {
    /// The entry's id.
    pub id: String,
}

/// How a post would go out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostPreview {
    /// A library entry or free text.
    pub target: PreviewTarget,
}

/// Approve every proposed task of a follow campaign (each refused that the account's platform
/// says a person approves one at a time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApproveCampaign {
    /// The campaign's name in config.
    pub name: String,
}

/// The follow campaigns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignList {}

/// One follow campaign with its proposed tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignShow {
    /// The campaign's name in config.
    pub name: String,
}

/// Pause or resume a follow campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetCampaignPaused {
    /// The campaign's name in config.
    pub name: String,
    /// `true` to pause, `false` to resume.
    pub paused: bool,
}

/// The circles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircleList {}

/// One circle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircleShow {
    /// The circle's name in config.
    pub name: String,
}

/// Add a member to a circle or remove one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetCircleMember {
    /// The circle's name in config.
    pub name: String,
    /// The person: a handle or a platform id.
    pub member: String,
    /// `true` to add, `false` to remove.
    pub add: bool,
}

/// An account's keep-list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeepShow {
    /// The account; may be left out when exactly one is configured.
    pub account: Option<String>,
}

/// Add someone to an account's keep-list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeepAdd {
    /// The account; may be left out when exactly one is configured.
    pub account: Option<String>,
    /// Their handle or platform id.
    pub who: String,
}

/// Remove someone from an account's keep-list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeepRemove {
    /// The account; may be left out when exactly one is configured.
    pub account: Option<String>,
    /// Their handle or platform id.
    pub who: String,
}

/// People in the relationship book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct People {
    /// Only this account's book; every account's when left out.
    pub account: Option<String>,
    /// Only the members of this circle.
    pub circle: Option<String>,
    /// Only people interacted with before but not in this many seconds.
    pub losing_touch: Option<i64>,
    /// At most this many, the most interacted with first.
    pub top: Option<u32>,
}

/// One person, by handle or platform id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Only this account's book.
    pub account: Option<String>,
    /// Their handle or platform id.
    pub who: String,
}

/// Set (or, with an empty text, clear) the note about a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonNote {
    /// The account whose book holds them; needed only when several do.
    pub account: Option<String>,
    /// Their handle or platform id.
    pub who: String,
    /// The note.
    pub text: String,
}

/// Add or remove a tag on a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonTag {
    /// The account whose book holds them; needed only when several do.
    pub account: Option<String>,
    /// Their handle or platform id.
    pub who: String,
    /// The tag.
    pub tag: String,
    /// `true` to remove it instead.
    #[serde(default)]
    pub remove: bool,
}

/// Delete everything the book holds about a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forget {
    /// Only this account's book; every account's that holds them when left out.
    pub account: Option<String>,
    /// Their handle or platform id.
    pub who: String,
}

/// The engagement report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Only this account; every account when left out.
    pub account: Option<String>,
    /// How far back, in seconds from now.
    pub since: i64,
    /// Days or weeks.
    pub by: rapport_core::report::Period,
}

/// The history lines of tasks' people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskHistory {
    /// The tasks.
    pub ids: Vec<TaskId>,
}

/// What a post preview is of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "of", rename_all = "kebab-case")]
pub enum PreviewTarget {
    /// A content library entry.
    Entry {
        /// Its id.
        id: String,
    },
    /// Text not in the library.
    Text {
        /// The text.
        text: String,
        /// Value or sales.
        kind: PostKind,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_keep_their_wire_shape() {
        let json = |r: Request| serde_json::to_value(r).unwrap();
        assert_eq!(json(Status {}.into()), serde_json::json!({"request": "status"}));
        assert_eq!(json(PostList {}.into()), serde_json::json!({"request": "post-list"}));
        assert_eq!(
            json(MarkDone { id: TaskId(4) }.into()),
            serde_json::json!({"request": "mark-done", "id": 4})
        );
        let parse = |s: &str| serde_json::from_str::<Request>(s).unwrap();
        assert_eq!(parse(r#"{"request":"status"}"#), Request::Status(Status {}));
        assert_eq!(json(CampaignList {}.into()), serde_json::json!({"request": "campaign-list"}));
        assert_eq!(
            json(SetCampaignPaused { name: "potters".into(), paused: true }.into()),
            serde_json::json!({"request": "set-campaign-paused", "name": "potters", "paused": true})
        );
        assert_eq!(
            parse(r#"{"request":"keep-add","account":null,"who":"ann"}"#),
            Request::KeepAdd(KeepAdd { account: None, who: "ann".into() })
        );
        assert_eq!(parse(r#"{"request":"post-list","later":1}"#), Request::PostList(PostList {}));
        assert_eq!(
            parse(r#"{"request":"post-remove","id":"tip"}"#),
            Request::PostRemove(PostRemove { id: "tip".into() })
        );
    }

    #[test]
    fn schedule_requests_stay_readable_across_releases() {
        // A client from before `report` asks without it, and gets the plain slot list.
        let old: Request = serde_json::from_str(r#"{"request":"schedule","count":7}"#).unwrap();
        assert_eq!(old, Schedule { count: 7, report: false }.into());
        // A daemon ignores request fields it does not know, so a newer client's request still parses.
        let newer: Request =
            serde_json::from_str(r#"{"request":"schedule","count":7,"report":true,"later":1}"#).unwrap();
        assert_eq!(newer, Schedule { count: 7, report: true }.into());
    }
}
