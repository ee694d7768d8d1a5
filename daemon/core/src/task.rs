//! Tasks and their state machine: what a person is asked to approve, and what became of it.
//!
//! A task moves `proposed → approved → executing → done`, or `proposed → rejected | expired`;
//! `executing` ends in `failed` (permanent), goes back to `approved` with a `not_before` (transient,
//! rate-limited), or becomes `needs-check` when the daemon died mid-send and cannot know whether the
//! platform got it. A person's approval or rejection can be undone for [`UNDO_WINDOW`] seconds
//! (`approved | rejected → proposed`), before anything is sent. The store writes (and flushes) each transition before the side effect it allows,
//! so the transitions here are the whole crash-safety argument: see [`TaskState::can_become`].

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::UnixSeconds;
use crate::notification::{Post, Profile};

/// A task's id: unique in one data dir, never reused, and the root of the idempotency key sent to
/// platforms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TaskId(pub u64);

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for TaskId {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim_start_matches('#').parse().map(TaskId)
    }
}

/// The kinds of action, as the contract names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionKind {
    /// Answer a post.
    Reply,
    /// Publish a post.
    Publish,
    /// Follow someone new.
    Follow,
    /// Follow back a follower.
    FollowBack,
    /// Stop following.
    Unfollow,
    /// Like a post.
    Like,
    /// Repost a post.
    Repost,
    /// Accept a follow request.
    AcceptFollowRequest,
    /// Send a direct message.
    Message,
}

impl ActionKind {
    /// Every kind, in a stable order.
    pub const ALL: [ActionKind; 9] = [
        ActionKind::Reply,
        ActionKind::Publish,
        ActionKind::Follow,
        ActionKind::FollowBack,
        ActionKind::Unfollow,
        ActionKind::Like,
        ActionKind::Repost,
        ActionKind::AcceptFollowRequest,
        ActionKind::Message,
    ];

    /// The kebab-case name used in config and on the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Reply => "reply",
            ActionKind::Publish => "publish",
            ActionKind::Follow => "follow",
            ActionKind::FollowBack => "follow-back",
            ActionKind::Unfollow => "unfollow",
            ActionKind::Like => "like",
            ActionKind::Repost => "repost",
            ActionKind::AcceptFollowRequest => "accept-follow-request",
            ActionKind::Message => "message",
        }
    }

    /// Parses a kebab-case name.
    pub fn parse(name: &str) -> Option<ActionKind> {
        ActionKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a post promotes something. The content ratio keeps sales posts rare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PostKind {
    /// Useful, entertaining or personal: the posts that build a relationship.
    #[default]
    Value,
    /// Promotion.
    Sales,
}

/// An image a post attaches: where it is on disk, its type and its description.
///
/// The task keeps the path, not the bytes, so the store stays small; the host reads the file
/// when the post is sent, and a file gone by then fails that post, named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaFile {
    /// The image file, absolute.
    pub path: PathBuf,
    /// Its MIME type (`image/png`, …), from its extension.
    pub mime_type: String,
    /// What the image shows, for people who cannot see it.
    pub alt: String,
}

/// The image types rapport attaches, by file extension.
const IMAGE_TYPES: [(&str, &str); 5] = [
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
];

impl MediaFile {
    /// The image at `path` with its `alt` text; refused (saying what to do) if the extension
    /// names no image type rapport knows or the alt text is empty.
    pub fn image(path: PathBuf, alt: &str) -> Result<MediaFile, String> {
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
        let Some((_, mime_type)) = IMAGE_TYPES.iter().find(|(ext, _)| *ext == extension) else {
            let known: Vec<&str> = IMAGE_TYPES.iter().map(|(ext, _)| *ext).collect();
            return Err(format!(
                "image `{}` is not one of the types rapport attaches ({}); convert it to one",
                path.display(),
                known.join(", ")
            ));
        };
        if alt.trim().is_empty() {
            return Err(format!(
                "image `{}` has no alt text; describe it in `media_alt` for people who cannot see it",
                path.display()
            ));
        }
        Ok(MediaFile { path, mime_type: (*mime_type).to_owned(), alt: alt.trim().to_owned() })
    }
}

/// What a task will do on the platform once approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Action {
    /// Answer a post.
    Reply {
        /// The post answered.
        to_post_id: String,
        /// The reply's text; the person may edit it before approving.
        text: String,
        /// The visibility to keep.
        visibility: String,
    },
    /// Publish a post.
    Publish {
        /// The post's text.
        text: String,
        /// Value or sales, for the content ratio.
        post_kind: PostKind,
        /// Alt text for media, empty if none.
        media_alt: String,
        /// Images to attach, read from disk when the post is sent; a plugin built for contract
        /// 0.1 cannot attach any, so such a post is refused there.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        media: Vec<MediaFile>,
    },
    /// Follow someone new.
    Follow {
        /// Platform account id.
        account_id: String,
    },
    /// Follow back a follower.
    FollowBack {
        /// Platform account id.
        account_id: String,
    },
    /// Stop following.
    Unfollow {
        /// Platform account id.
        account_id: String,
    },
    /// Like a post.
    Like {
        /// Platform post id.
        post_id: String,
    },
    /// Repost a post.
    Repost {
        /// Platform post id.
        post_id: String,
    },
    /// Accept a follow request.
    AcceptFollowRequest {
        /// Platform account id.
        account_id: String,
    },
    /// Send a direct message.
    Message {
        /// Platform account id of the person written to.
        account_id: String,
        /// The message; the person may edit it before approving.
        text: String,
    },
}

impl Action {
    /// The action's kind.
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Reply { .. } => ActionKind::Reply,
            Action::Publish { .. } => ActionKind::Publish,
            Action::Follow { .. } => ActionKind::Follow,
            Action::FollowBack { .. } => ActionKind::FollowBack,
            Action::Unfollow { .. } => ActionKind::Unfollow,
            Action::Like { .. } => ActionKind::Like,
            Action::Repost { .. } => ActionKind::Repost,
            Action::AcceptFollowRequest { .. } => ActionKind::AcceptFollowRequest,
            Action::Message { .. } => ActionKind::Message,
        }
    }

    /// The editable text of a reply or post, if the action has one.
    pub fn text(&self) -> Option<&str> {
        match self {
            Action::Reply { text, .. } | Action::Publish { text, .. } | Action::Message { text, .. } => {
                Some(text)
            }
            _ => None,
        }
    }

    /// Replaces the text of a reply or post; `false` if the action has no text.
    pub fn set_text(&mut self, new: String) -> bool {
        match self {
            Action::Reply { text, .. } | Action::Publish { text, .. } | Action::Message { text, .. } => {
                *text = new;
                true
            }
            _ => false,
        }
    }
}

/// Where a task came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "kebab-case")]
pub enum Origin {
    /// Triage of a notification.
    Notification {
        /// The platform's notification id.
        id: String,
    },
    /// A scheduled post slot.
    Schedule {
        /// The schedule's name in config.
        schedule: String,
        /// The slot's time.
        slot: UnixSeconds,
        /// The content library entry posted.
        entry: String,
    },
    /// Added by a person through the CLI.
    Manual,
    /// A follow campaign's planner, from a discovery source.
    Campaign {
        /// The campaign's name in config.
        campaign: String,
        /// The source that surfaced the person (`#sourdough`, `suggestions`, …).
        source: String,
    },
    /// The reciprocity purge: a follow that never followed back.
    Purge,
    /// Daily engagement with a circle of people.
    Circle {
        /// The circle's name in config.
        circle: String,
    },
}

impl Origin {
    /// The content library entry the task posts, for a scheduled post: what the scheduler must
    /// not pick again while it waits, and what is marked posted when it goes out.
    pub fn library_entry(&self) -> Option<&str> {
        match self {
            Origin::Schedule { entry, .. } => Some(entry),
            _ => None,
        }
    }

    /// The schedule that queued the task, whose time zone its post's daily cap counts in.
    pub fn schedule(&self) -> Option<&str> {
        match self {
            Origin::Schedule { schedule, .. } => Some(schedule),
            _ => None,
        }
    }
}

/// How likely a follower is a real person worth following back, with the reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Legitimacy {
    /// 0 (surely spam) to 100 (surely a person).
    pub score: u8,
    /// Each signal that moved the score, in plain words ("account is 3 days old: -25").
    pub reasons: Vec<String>,
}

/// What the person needs to judge a task: who, which post, how legitimate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TaskContext {
    /// The other person's profile.
    pub profile: Option<Profile>,
    /// The post the task answers or acts on.
    pub post: Option<Post>,
    /// The follower's legitimacy, for follow-backs.
    pub legitimacy: Option<Legitimacy>,
    /// Why this task is for the person to do in the platform's own app (its rules or API allow
    /// no automated send); then it is marked done, never approved and sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by_hand: Option<String>,
}

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskState {
    /// Waiting for a person.
    Proposed,
    /// Approved; waiting for its turn (and its `not_before`).
    Approved,
    /// Being sent right now; if the daemon dies here, the task becomes `needs-check`.
    Executing,
    /// Sent and acknowledged by the platform.
    Done,
    /// The platform refused for good.
    Failed,
    /// A person said no.
    Rejected,
    /// Nobody reviewed it in time.
    Expired,
    /// The daemon died mid-send: a person decides whether to resend or mark done.
    NeedsCheck,
}

impl TaskState {
    /// Every state, in lifecycle order.
    pub const ALL: [TaskState; 8] = [
        TaskState::Proposed,
        TaskState::Approved,
        TaskState::Executing,
        TaskState::Done,
        TaskState::Failed,
        TaskState::Rejected,
        TaskState::Expired,
        TaskState::NeedsCheck,
    ];

    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Proposed => "proposed",
            TaskState::Approved => "approved",
            TaskState::Executing => "executing",
            TaskState::Done => "done",
            TaskState::Failed => "failed",
            TaskState::Rejected => "rejected",
            TaskState::Expired => "expired",
            TaskState::NeedsCheck => "needs-check",
        }
    }

    /// Parses a kebab-case name.
    pub fn parse(name: &str) -> Option<TaskState> {
        TaskState::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// A one-byte code for store keys; stable across versions.
    pub fn code(self) -> u8 {
        match self {
            TaskState::Proposed => 1,
            TaskState::Approved => 2,
            TaskState::Executing => 3,
            TaskState::Done => 4,
            TaskState::Failed => 5,
            TaskState::Rejected => 6,
            TaskState::Expired => 7,
            TaskState::NeedsCheck => 8,
        }
    }

    /// The state with this store code.
    pub fn from_code(code: u8) -> Option<TaskState> {
        TaskState::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether the task is finished: nothing changes it again but a person's retry of a failed
    /// one, or their undo of a rejection in its first seconds.
    pub fn is_final(self) -> bool {
        matches!(self, TaskState::Done | TaskState::Failed | TaskState::Rejected | TaskState::Expired)
    }

    /// The transitions the lifecycle allows.
    pub fn can_become(self, next: TaskState) -> bool {
        use TaskState::*;
        matches!(
            (self, next),
            (Proposed, Approved | Rejected | Expired | Done)
                | (Approved, Executing | Rejected | Proposed)
                | (Rejected, Proposed)
                | (Executing, Done | Failed | Approved | NeedsCheck)
                | (NeedsCheck, Approved | Done | Rejected)
                | (Failed, Approved)
        )
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How long a person's decision can be undone, in seconds. An approval made undoable is held
/// this long before the executor may send it, so an undo never races a send.
pub const UNDO_WINDOW: UnixSeconds = 10;

/// A change a person or the executor asks of a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transition {
    /// A person approved, optionally with new text.
    Approve {
        /// Replacement text for a reply or post.
        text: Option<String>,
        /// Not sent before this time, so the person can still undo the decision ([`UNDO_WINDOW`]).
        hold_until: Option<UnixSeconds>,
    },
    /// A person undid their approval or rejection of moments ago: the task is proposed again.
    /// Only within [`UNDO_WINDOW`] of the decision, and only before anything was sent.
    Reopen,
    /// A person rejected.
    Reject {
        /// Why, if they said.
        reason: Option<String>,
    },
    /// Nobody reviewed it in time.
    Expire,
    /// The executor is about to send it.
    Start,
    /// The platform acknowledged it.
    Succeed {
        /// What the platform created, if anything (id or URL).
        result: Option<String>,
    },
    /// The platform refused for good.
    Fail {
        /// The platform's reason, shown to the person.
        reason: String,
    },
    /// Try again later.
    Retry {
        /// Not before this time.
        not_before: UnixSeconds,
        /// Why, shown to the person.
        reason: String,
    },
    /// The daemon restarted and found it executing.
    Interrupted,
    /// The send ended without a clear answer (the sandbox stopped the plugin, the call timed out):
    /// the platform may or may not have it.
    Unsure {
        /// What happened, shown to the person.
        reason: String,
    },
    /// A person chose to mark a needs-check task as done (the platform got it).
    MarkDone,
    /// A person sends a failed task again, its cause fixed (a token, a setting). It keeps its
    /// idempotency key, so a platform that did get the first send answers with it.
    RetryFailed,
}

/// A transition the lifecycle does not allow.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("task {id} is {from}; it cannot be {attempted}")]
pub struct TransitionError {
    /// The task.
    pub id: TaskId,
    /// Its state.
    pub from: TaskState,
    /// What was attempted, in words.
    pub attempted: &'static str,
}

/// One unit of work for a person to approve and the daemon to perform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// Unique id.
    pub id: TaskId,
    /// The configured account it acts for.
    pub account: String,
    /// What it does.
    pub action: Action,
    /// Where it stands.
    pub state: TaskState,
    /// Where it came from.
    pub origin: Origin,
    /// What the person needs to judge it.
    pub context: TaskContext,
    /// When it was made.
    pub created_at: UnixSeconds,
    /// When it last changed.
    pub updated_at: UnixSeconds,
    /// When an unreviewed task expires.
    pub expires_at: Option<UnixSeconds>,
    /// Not to be executed before this time (gate hold or retry backoff).
    pub not_before: Option<UnixSeconds>,
    /// The wait in `not_before` is the policy's, not the platform's: a policy change (a reload,
    /// a restart with another configuration) decides it again instead of honouring it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub held_by_policy: bool,
    /// Why it waits or why it ended, in plain words.
    pub note: Option<String>,
    /// How many times the executor started it.
    pub attempts: u32,
    /// What the platform created (id or URL), once done.
    pub result: Option<String>,
}

impl Task {
    /// A freshly proposed task.
    pub fn propose(
        id: TaskId,
        account: impl Into<String>,
        action: Action,
        origin: Origin,
        context: TaskContext,
        now: UnixSeconds,
        expires_at: Option<UnixSeconds>,
    ) -> Task {
        Task {
            id,
            account: account.into(),
            action,
            state: TaskState::Proposed,
            origin,
            context,
            created_at: now,
            updated_at: now,
            expires_at,
            not_before: None,
            held_by_policy: false,
            note: None,
            attempts: 0,
            result: None,
        }
    }

    /// The key that makes a resend harmless where the platform honours it. Retries and a person's
    /// resend of a needs-check task keep it: the platform may already have the first send. The
    /// creation time is part of it because ids start again at 1 in a new store, and a platform that
    /// still remembers an old key would answer a new post with the old one.
    pub fn idempotency_key(&self) -> String {
        format!("rapport-{}-{}-{}", self.account, self.id, self.created_at)
    }

    /// Applies a transition, or explains why it is not allowed; the task is unchanged on error.
    pub fn apply(&mut self, transition: Transition, now: UnixSeconds) -> Result<(), TransitionError> {
        let (next, attempted) = match &transition {
            Transition::Approve { .. } if self.state == TaskState::NeedsCheck => {
                (TaskState::Approved, "resent")
            }
            Transition::Approve { .. } => (TaskState::Approved, "approved"),
            Transition::Reject { .. } => (TaskState::Rejected, "rejected"),
            Transition::Expire => (TaskState::Expired, "expired"),
            Transition::Start => (TaskState::Executing, "started"),
            Transition::Succeed { .. } => (TaskState::Done, "marked done by the executor"),
            Transition::Fail { .. } => (TaskState::Failed, "failed"),
            Transition::Retry { .. } => (TaskState::Approved, "retried"),
            Transition::Interrupted | Transition::Unsure { .. } => (TaskState::NeedsCheck, "interrupted"),
            Transition::MarkDone => (TaskState::Done, "marked done"),
            Transition::RetryFailed => (TaskState::Approved, "retried (only a failed task can be)"),
            Transition::Reopen => {
                (TaskState::Proposed, "reopened (only a decision of the last seconds can be undone)")
            }
        };
        let allowed = self.state.can_become(next)
            && match &transition {
                // Only a send in flight can be interrupted or succeed; only a person marks needs-check done.
                Transition::Succeed { .. } | Transition::Fail { .. } | Transition::Retry { .. } => {
                    self.state == TaskState::Executing
                }
                Transition::Interrupted | Transition::Unsure { .. } => self.state == TaskState::Executing,
                // A person marks done a needs-check task the platform got, or a by-hand task
                // they did in the platform's app.
                Transition::MarkDone => {
                    self.state == TaskState::NeedsCheck
                        || (self.state == TaskState::Proposed && self.context.by_hand.is_some())
                }
                // A by-hand task is never sent: approving it would only queue what the platform's
                // rules or API do not allow.
                Transition::Approve { .. } if self.context.by_hand.is_some() => false,
                // Only a person's retry reopens a failed task; approving one is not enough.
                Transition::RetryFailed => self.state == TaskState::Failed,
                // An approval is undone only before its first send; either decision only while
                // the window is open, which for an approval ends before its hold does.
                Transition::Reopen => {
                    self.attempts == 0
                        && self.updated_at <= now
                        && now < self.updated_at.saturating_add(UNDO_WINDOW)
                }
                _ if self.state == TaskState::Failed => false,
                Transition::Approve { text: Some(_), .. } => self.action.text().is_some(),
                _ => true,
            };
        if !allowed {
            return Err(TransitionError { id: self.id, from: self.state, attempted });
        }
        // Whatever moves the task, a policy hold is over: it was a decision about the old state.
        self.held_by_policy = false;
        match transition {
            Transition::Approve { text, hold_until } => {
                if let Some(text) = text {
                    self.action.set_text(text);
                }
                self.note = hold_until.map(|_| "approved; sent once the undo window closes".into());
                self.not_before = hold_until;
            }
            Transition::Reopen => {
                self.note = None;
                self.not_before = None;
            }
            Transition::Reject { reason } => self.note = reason,
            Transition::Expire => self.note = Some("nobody reviewed it in time".into()),
            Transition::Start => {
                self.attempts += 1;
                self.note = None;
            }
            Transition::Succeed { result } => {
                self.result = result;
                self.not_before = None;
                self.note = None;
            }
            Transition::Fail { reason } => self.note = Some(reason),
            Transition::Retry { not_before, reason } => {
                self.not_before = Some(not_before);
                self.note = Some(reason);
            }
            Transition::Interrupted => {
                self.note = Some(
                    "the daemon stopped while sending this; check the platform, then resend or mark done"
                        .into(),
                );
            }
            Transition::Unsure { reason } => {
                self.note =
                    Some(format!("{reason}; the platform may have it: check, then resend or mark done"));
            }
            Transition::MarkDone => self.note = Some("marked done by a person".into()),
            Transition::RetryFailed => {
                // A fresh start: the transient-failure allowance counts from here.
                self.attempts = 0;
                self.not_before = None;
                self.note = None;
            }
        }
        self.state = next;
        self.updated_at = now;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_stored_before_media_existed_reads_back_without_images_and_one_with_them_round_trips() {
        let old = r#"{"kind":"publish","text":"Tip","post_kind":"value","media_alt":""}"#;
        let read: Action = serde_json::from_str(old).unwrap();
        assert!(matches!(&read, Action::Publish { media, .. } if media.is_empty()));
        assert_eq!(serde_json::to_string(&read).unwrap(), old, "no images: stored exactly as before");
        let image = MediaFile::image(PathBuf::from("/pics/mug.PNG"), "a blue mug").unwrap();
        assert_eq!(image.mime_type, "image/png");
        let with = Action::Publish {
            text: "New mugs".into(),
            post_kind: PostKind::Sales,
            media_alt: "a blue mug".into(),
            media: vec![image],
        };
        let back: Action = serde_json::from_str(&serde_json::to_string(&with).unwrap()).unwrap();
        assert_eq!(back, with);
        assert!(MediaFile::image(PathBuf::from("/pics/mug"), "a mug").unwrap_err().contains("png, jpg"));
    }

    #[test]
    fn only_a_retry_reopens_a_failed_task_and_it_keeps_its_idempotency_key() {
        let mut task = reply_task();
        task.apply(Transition::Approve { text: None, hold_until: None }, 101).unwrap();
        task.apply(Transition::Start, 102).unwrap();
        task.apply(Transition::Fail { reason: "token lacks read:statuses".into() }, 103).unwrap();
        let key = task.idempotency_key();
        assert!(task.clone().apply(Transition::Approve { text: None, hold_until: None }, 104).is_err());
        assert!(
            task.clone()
                .apply(Transition::Approve { text: Some("x".into()), hold_until: None }, 104)
                .is_err()
        );
        task.apply(Transition::RetryFailed, 104).unwrap();
        assert_eq!((task.state, task.attempts, task.note.as_deref()), (TaskState::Approved, 0, None));
        assert_eq!(task.idempotency_key(), key);
        let mut proposed = reply_task();
        assert!(proposed.apply(Transition::RetryFailed, 104).is_err(), "only a failed task is retried");
    }

    #[test]
    fn a_by_hand_task_is_never_approved_for_sending_and_a_person_marks_it_done() {
        let mut task = reply_task();
        task.context.by_hand = Some("X's developer terms forbid automated follows".into());
        assert!(
            task.clone().apply(Transition::Approve { text: None, hold_until: None }, 101).is_err(),
            "never queued to send"
        );
        task.apply(Transition::MarkDone, 102).unwrap();
        assert_eq!(task.state, TaskState::Done);
        // A task rapport sends cannot be marked done before it was sent.
        assert!(reply_task().apply(Transition::MarkDone, 102).is_err());
    }

    fn reply_task() -> Task {
        Task::propose(
            TaskId(7),
            "shop",
            Action::Reply { to_post_id: "p1".into(), text: "Hi Ann".into(), visibility: "public".into() },
            Origin::Notification { id: "n1".into() },
            TaskContext::default(),
            100,
            Some(1000),
        )
    }

    #[test]
    fn happy_path_reaches_done() {
        let mut t = reply_task();
        t.apply(Transition::Approve { text: Some("Hello Ann!".into()), hold_until: None }, 101).unwrap();
        assert_eq!(t.action.text(), Some("Hello Ann!"));
        t.apply(Transition::Start, 102).unwrap();
        assert_eq!(t.attempts, 1);
        t.apply(Transition::Succeed { result: Some("https://x/1".into()) }, 103).unwrap();
        assert_eq!(t.state, TaskState::Done);
        assert_eq!(t.result.as_deref(), Some("https://x/1"));
    }

    #[test]
    fn a_decision_is_undone_only_inside_its_window_and_never_after_a_send() {
        let mut t = reply_task();
        t.apply(Transition::Approve { text: Some("Hi Ann!".into()), hold_until: Some(110) }, 100).unwrap();
        assert_eq!((t.not_before, t.note.is_some()), (Some(110), true), "held for the window");
        assert!(t.clone().apply(Transition::Reopen, 110).is_err(), "the window closes as the hold ends");
        t.apply(Transition::Reopen, 109).unwrap();
        assert_eq!((t.state, t.not_before, t.action.text()), (TaskState::Proposed, None, Some("Hi Ann!")));
        t.apply(Transition::Reject { reason: Some("off topic".into()) }, 120).unwrap();
        t.apply(Transition::Reopen, 125).unwrap();
        assert_eq!((t.state, t.note.as_deref()), (TaskState::Proposed, None));
        // Once the executor started a send, nothing is undone, even a send retried within seconds.
        let mut sent = reply_task();
        sent.apply(Transition::Approve { text: None, hold_until: None }, 100).unwrap();
        sent.apply(Transition::Start, 101).unwrap();
        sent.apply(Transition::Retry { not_before: 103, reason: "429".into() }, 102).unwrap();
        assert!(sent.apply(Transition::Reopen, 102).is_err());
        assert!(reply_task().apply(Transition::Reopen, 101).is_err(), "a proposed task has nothing to undo");
    }

    #[test]
    fn retry_goes_back_to_approved_with_not_before() {
        let mut t = reply_task();
        t.apply(Transition::Approve { text: None, hold_until: None }, 1).unwrap();
        t.apply(Transition::Start, 2).unwrap();
        t.apply(Transition::Retry { not_before: 60, reason: "rate limited".into() }, 3).unwrap();
        assert_eq!((t.state, t.not_before), (TaskState::Approved, Some(60)));
    }

    #[test]
    fn interrupted_send_needs_a_person() {
        let mut t = reply_task();
        t.apply(Transition::Approve { text: None, hold_until: None }, 1).unwrap();
        t.apply(Transition::Start, 2).unwrap();
        t.apply(Transition::Interrupted, 3).unwrap();
        assert_eq!(t.state, TaskState::NeedsCheck);
        let key = t.idempotency_key();
        t.apply(Transition::Approve { text: None, hold_until: None }, 4).unwrap();
        assert_eq!(t.state, TaskState::Approved);
        assert_eq!(t.idempotency_key(), key, "a resend keeps its idempotency key");
    }

    #[test]
    fn a_task_of_a_new_store_reusing_an_id_gets_its_own_idempotency_key() {
        let old = reply_task();
        let new = Task { created_at: old.created_at + 1, ..old.clone() };
        assert_ne!(old.idempotency_key(), new.idempotency_key());
    }

    #[test]
    fn forbidden_transitions_are_refused_and_leave_the_task_unchanged() {
        let mut t = reply_task();
        let before = t.clone();
        let err = t.apply(Transition::Succeed { result: None }, 5).unwrap_err();
        assert_eq!(err.to_string(), "task 7 is proposed; it cannot be marked done by the executor");
        assert_eq!(t, before);
        assert!(t.apply(Transition::MarkDone, 5).is_err());
        assert!(t.apply(Transition::Interrupted, 5).is_err());
        t.apply(Transition::Reject { reason: Some("spam".into()) }, 6).unwrap();
        assert!(t.apply(Transition::Approve { text: None, hold_until: None }, 7).is_err());
    }

    #[test]
    fn editing_text_of_an_action_without_text_is_refused() {
        let mut t = reply_task();
        t.action = Action::Follow { account_id: "a".into() };
        assert!(t.apply(Transition::Approve { text: Some("x".into()), hold_until: None }, 1).is_err());
    }

    #[test]
    fn codes_and_names_round_trip() {
        for s in TaskState::ALL {
            assert_eq!(TaskState::from_code(s.code()), Some(s));
            assert_eq!(TaskState::parse(s.as_str()), Some(s));
        }
        for k in ActionKind::ALL {
            assert_eq!(ActionKind::parse(k.as_str()), Some(k));
        }
    }
}
