//! The replies of the relationship book: people, one person's timeline, and the one line of
//! history each task view shows.
//!
//! Like the relationship replies, they report what the store recorded (notifications received,
//! tasks done), never what a platform might say now.

use std::collections::BTreeSet;

use rapport_core::UnixSeconds;
use rapport_core::book::Standing;
use rapport_core::history::Interaction;
use rapport_core::task::TaskId;
use serde::{Deserialize, Serialize};

/// One person in an account's book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonSummary {
    /// The account whose book it is.
    pub account: String,
    /// The person's platform account id.
    pub id: String,
    /// Their handle, normalized; empty when only the id is known.
    pub handle: String,
    /// The name they chose, when seen.
    pub display_name: String,
    /// Their profile link, when seen.
    pub url: String,
    /// Interactions both ways.
    pub interactions: u32,
    /// The first interaction's time.
    pub first_seen: UnixSeconds,
    /// The latest interaction's time.
    pub last_seen: UnixSeconds,
    /// Who follows whom.
    pub standing: Standing,
    /// The person's tags.
    pub tags: BTreeSet<String>,
    /// The note about them (empty if none).
    pub note: String,
    /// How many of the accounts the account follows follow them, where a platform said.
    pub known_followers: Option<u32>,
}

impl PersonSummary {
    /// The name to list them by: `@handle`, else the platform id.
    pub fn label(&self) -> String {
        if self.handle.is_empty() { format!("id {}", self.id) } else { format!("@{}", self.handle) }
    }
}

/// One person in full: the summary, the one-line history and the whole timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDetail {
    /// The summary.
    pub person: PersonSummary,
    /// The one line of history a task view shows.
    pub history: String,
    /// Every interaction both ways, oldest first.
    pub timeline: Vec<Interaction>,
}

/// The one line of history of the person a task is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskHistoryLine {
    /// The task.
    pub id: TaskId,
    /// The line ("3rd interaction; replied to you twice in March; …").
    pub line: String,
}

/// What `forget` removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forgotten {
    /// The account whose book it was.
    pub account: String,
    /// The person's platform id.
    pub id: String,
    /// Their handle, as the book knew it.
    pub handle: String,
    /// How many interactions were deleted.
    pub interactions: usize,
}
