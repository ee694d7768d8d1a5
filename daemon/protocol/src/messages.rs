//! The messages: what the CLI may ask and what the daemon answers, as plain serde data.
//!
//! Payloads reuse the core's types (tasks, states, action kinds); the report structs below cover
//! what the core has no type for, and are filled by the daemon from its live state.

use std::path::PathBuf;

use rapport_core::UnixSeconds;
use rapport_core::reads::ReadCost;
use rapport_core::task::{ActionKind, PostKind, Task, TaskState};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::{PROTOCOL_VERSION, Request};

/// What the client sends: its protocol version and one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestEnvelope {
    /// The client's [`PROTOCOL_VERSION`].
    pub version: u32,
    /// The request.
    pub request: Request,
}

impl RequestEnvelope {
    /// Wraps a request with this build's protocol version.
    pub fn new(request: Request) -> RequestEnvelope {
        RequestEnvelope { version: PROTOCOL_VERSION, request }
    }
}

/// What the daemon sends back: its protocol version and one response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseEnvelope {
    /// The daemon's [`PROTOCOL_VERSION`].
    pub version: u32,
    /// The response.
    pub response: Response,
}

impl ResponseEnvelope {
    /// Wraps a response with this build's protocol version.
    pub fn new(response: Response) -> ResponseEnvelope {
        ResponseEnvelope { version: PROTOCOL_VERSION, response }
    }
}

/// The daemon's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "response", content = "body", rename_all = "kebab-case")]
pub enum Response {
    /// The daemon's state.
    Status(StatusReport),
    /// A page of tasks.
    Tasks(Vec<Task>),
    /// One task (boxed: it is far larger than the other replies).
    Task(Box<Task>),
    /// The outcome for each id of a bulk change, in request order.
    Updated(Vec<ItemResult>),
    /// The post ratio per account.
    Ratio(Vec<AccountRatio>),
    /// Upcoming schedule slots.
    Slots(Vec<Slot>),
    /// Upcoming schedule slots and the slots missed while rapportd was down.
    Schedule(ScheduleReport),
    /// Content library entries.
    Posts(Vec<ContentEntry>),
    /// A post preview.
    Preview(PostPreview),
    /// The follow campaigns.
    Campaigns(Vec<crate::CampaignReport>),
    /// One follow campaign with its proposed tasks (boxed, as a task is).
    Campaign(Box<crate::CampaignDetail>),
    /// A follow campaign after a change (paused, resumed).
    CampaignChanged(Box<crate::CampaignReport>),
    /// The circles.
    Circles(Vec<crate::CircleReport>),
    /// One circle.
    Circle(Box<crate::CircleReport>),
    /// An account's keep-list.
    KeepList(crate::KeepList),
    /// A keep-list after a change.
    KeepChanged(crate::KeepChange),
    /// People in the book.
    People(Vec<crate::PersonSummary>),
    /// A person in full, once per account whose book holds them.
    Person(Vec<crate::PersonDetail>),
    /// A person after a change (note, tag).
    PersonChanged(Box<crate::PersonSummary>),
    /// The history lines of tasks.
    HistoryLines(Vec<crate::TaskHistoryLine>),
    /// What a forget removed, per account.
    Forgotten(Vec<crate::Forgotten>),
    /// The engagement reports, one per account.
    Reports(Vec<rapport_core::report::Report>),
    /// The request failed as a whole.
    Error(ErrorReply),
}

/// Why a request failed as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
    /// Client and daemon speak different protocol versions.
    VersionMismatch,
    /// The frame's declared length exceeds [`crate::MAX_FRAME`].
    FrameTooLarge,
    /// The frame is not a valid request (bad JSON, unknown request, missing field).
    Malformed,
    /// The request is well-formed but cannot be done as asked (bad argument).
    BadRequest,
    /// The thing named does not exist.
    NotFound,
    /// The task's state does not allow the change.
    InvalidState,
    /// The daemon failed (store, plugin host); its log has details.
    Internal,
}

/// A request's failure as a whole: a code for scripts and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
#[error("{message}")]
pub struct ErrorReply {
    /// What kind of failure.
    pub code: ErrorCode,
    /// What went wrong and what to do, in plain words.
    pub message: String,
}

impl ErrorReply {
    /// An error reply.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ErrorReply {
        ErrorReply { code, message: message.into() }
    }
}

/// The outcome of a bulk change for one id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemResult {
    /// The task or entry id, as given.
    pub id: String,
    /// `None` when it succeeded; otherwise why it failed, naming the id.
    pub error: Option<String>,
}

impl ItemResult {
    /// A success.
    pub fn ok(id: impl ToString) -> ItemResult {
        ItemResult { id: id.to_string(), error: None }
    }

    /// A failure with its reason.
    pub fn failed(id: impl ToString, error: impl Into<String>) -> ItemResult {
        ItemResult { id: id.to_string(), error: Some(error.into()) }
    }
}

/// Everything `rapport status` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReport {
    /// The daemon's version.
    pub daemon_version: String,
    /// When the daemon started.
    pub started_at: UnixSeconds,
    /// The daemon's clock when it answered; the CLI shows times relative to it.
    pub now: UnixSeconds,
    /// One entry per configured account.
    pub accounts: Vec<AccountStatus>,
}

/// One account's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountStatus {
    /// The account's name in config.
    pub name: String,
    /// The platform (`mastodon`, …).
    pub platform: String,
    /// The plugin's name and version.
    pub plugin: String,
    /// Whether the plugin works.
    pub plugin_health: PluginHealth,
    /// When the account was last polled.
    pub last_poll: Option<UnixSeconds>,
    /// Tasks per state (states with none omitted).
    pub queue: Vec<StateCount>,
    /// Room left under each rate limit.
    pub headroom: Vec<RateHeadroom>,
    /// Why approved tasks are waiting, in plain words.
    pub held: Vec<String>,
    /// What a person must fix for the account, in plain words (a refused credential, a
    /// permission the token lacks and what needs it). Daemons before it was added leave it out.
    #[serde(default)]
    pub attention: Vec<String>,
    /// The platform's API request budget as its last answer reported it: one budget for all
    /// calls, not one action's. `None` when the platform reports none (or from older daemons).
    #[serde(default)]
    pub requests: Option<RequestHeadroom>,
    /// What the platform bills per item read (X's pay-per-use API), so a person sees what a
    /// discovery or a purge check costs; empty where reads are free.
    #[serde(default)]
    pub read_costs: Vec<ReadCost>,
    /// Actions the platform's rules say a person approves one at a time, never in bulk.
    #[serde(default)]
    pub one_at_a_time: Vec<ActionKind>,
    /// What the planners spent on billed reads this calendar month (UTC), in millionths of a
    /// US dollar, and the account's cap in dollars, if any.
    #[serde(default)]
    pub read_spend: Option<ReadSpendStatus>,
}

/// An account's billed-read spend this month against its cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadSpendStatus {
    /// Spent this month, in millionths of a US dollar.
    pub micro_usd: u64,
    /// The monthly cap in US dollars (`max_read_spend_usd`), if set.
    pub cap_usd: Option<u32>,
}

/// The API request budget a platform reports in its rate-limit headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestHeadroom {
    /// Requests the window allows.
    pub limit: u64,
    /// Requests left in it.
    pub remaining: u64,
    /// When the window resets, if the platform says.
    pub resets_at: Option<UnixSeconds>,
    /// When the platform reported it.
    pub observed_at: UnixSeconds,
}

/// A plugin's health as the daemon last saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "health", content = "reason", rename_all = "kebab-case")]
pub enum PluginHealth {
    /// Loaded and answering.
    Ok,
    /// Answering with errors (rate limited, transient failures); it recovers by itself.
    Degraded(String),
    /// Not working (failed to load, credentials refused); a person must act.
    Down(String),
}

/// How many tasks are in one state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateCount {
    /// The state.
    pub state: TaskState,
    /// How many tasks.
    pub count: u64,
}

/// Room under one rate limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateHeadroom {
    /// The action limited.
    pub action: ActionKind,
    /// Actions used in the current window.
    pub used: u32,
    /// Actions allowed per window.
    pub limit: u32,
    /// Window length in seconds.
    pub window_seconds: u32,
    /// Where the limit comes from (`platform`, `config`, …).
    pub source: String,
}

/// The non-sales/sales post ratio of one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRatio {
    /// The account.
    pub account: String,
    /// The brand, if the ratio is kept per brand.
    pub brand: Option<String>,
    /// Value posts counted.
    pub value_posts: u32,
    /// Sales posts counted.
    pub sales_posts: u32,
    /// Value posts required per sales post.
    pub required: u32,
    /// Value posts still needed before the next sales post may go out (0: allowed now).
    pub value_needed: u32,
}

/// One upcoming scheduled post slot, as the daemon's simulation of the coming slots sees it.
///
/// The fields after `note` were added later; a daemon from before sends none of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// The schedule's name in config.
    pub schedule: String,
    /// The account it posts for.
    pub account: String,
    /// When.
    pub at: UnixSeconds,
    /// The content library entry it takes, or would take were it not held back.
    pub entry: Option<String>,
    /// The entry's kind.
    pub kind: Option<PostKind>,
    /// Why it is held or why nothing would be posted, if so.
    pub note: Option<String>,
    /// The schedule's IANA zone, to show `at` in; empty from older daemons (show UTC).
    #[serde(default)]
    pub timezone: String,
    /// What the policy gate would say at the slot's time; `None` from older daemons.
    #[serde(default)]
    pub verdict: Option<SlotVerdict>,
    /// Until when a held post waits, or when a cap that skips the slot lifts; `None` when only
    /// more value posts can help.
    #[serde(default)]
    pub until: Option<UnixSeconds>,
}

/// What the policy gate would say of a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SlotVerdict {
    /// The entry is queued and goes out at the slot's time.
    Post,
    /// The entry is queued, but the gate holds it until [`Slot::until`] (see the note).
    Held,
    /// The daily cap or the ratio holds the entry back (see the note): the slot posts nothing and
    /// the entry stays in the library for a later slot.
    Skipped,
    /// No library entry fits the slot (see the note).
    Nothing,
}

/// Everything `rapport schedule` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleReport {
    /// The daemon's clock when it answered.
    pub now: UnixSeconds,
    /// The coming slots, in time order.
    pub slots: Vec<Slot>,
    /// The most recent slots missed while rapportd was down, oldest first.
    pub missed: Vec<MissedSlot>,
    /// Whether earlier missed slots are no longer listed.
    pub missed_earlier: bool,
}

/// A slot that passed while rapportd was down, so nothing was posted for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissedSlot {
    /// The schedule's name in config.
    pub schedule: String,
    /// The accounts it would have posted for.
    pub accounts: Vec<String>,
    /// When the slot was.
    pub at: UnixSeconds,
    /// The schedule's IANA zone, to show `at` in.
    pub timezone: String,
}

/// A content library entry to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewContentEntry {
    /// The post's text.
    pub text: String,
    /// Value or sales.
    pub kind: PostKind,
    /// Accounts it may be posted by; empty means all.
    pub accounts: Vec<String>,
    /// Alt text for media, empty if none.
    pub media_alt: String,
    /// An image to attach (an absolute path the daemon can read), described by `media_alt`.
    #[serde(default)]
    pub image: Option<PathBuf>,
}

/// A content library entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentEntry {
    /// Its id.
    pub id: String,
    /// The post's text.
    pub text: String,
    /// Value or sales.
    pub kind: PostKind,
    /// Accounts it may be posted by; empty means all.
    pub accounts: Vec<String>,
    /// The image it attaches, if any.
    #[serde(default)]
    pub image: Option<PathBuf>,
    /// When it was last posted, if ever.
    pub last_posted: Option<UnixSeconds>,
}

/// How a post would go out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostPreview {
    /// The text as it would be sent.
    pub text: String,
    /// Its length in characters.
    pub length: u32,
    /// Problems the daemon sees (too long for a platform, the ratio would block it, …).
    pub warnings: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_from_older_daemons_stay_readable() {
        // A slot from an older daemon has no zone, verdict or hold time.
        let slot: Slot = serde_json::from_str(
            r#"{"schedule":"tips","account":"shop","at":60,"entry":"tip","kind":"value","note":null}"#,
        )
        .unwrap();
        assert_eq!((slot.timezone.as_str(), slot.verdict, slot.until), ("", None, None));
        let json = serde_json::to_value(Slot { verdict: Some(SlotVerdict::Skipped), ..slot }).unwrap();
        assert_eq!(json["verdict"], "skipped");
    }
}
