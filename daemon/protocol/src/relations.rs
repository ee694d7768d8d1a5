//! The replies of the relationship requests: follow campaigns, circles and the keep-list.
//!
//! They report what the configuration says and what the store knows, nothing read from a
//! platform: a count a person sees here is one the daemon kept, never an estimate.

use rapport_core::UnixSeconds;
use rapport_core::task::TaskId;
use serde::{Deserialize, Serialize};

use crate::StateCount;

/// One follow campaign: its configuration, whether it is paused, and its tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignReport {
    /// Its name in config.
    pub name: String,
    /// The account that follows.
    pub account: String,
    /// Where it looks for people (`#pottery`, `suggestions`, …), as configured.
    pub sources: Vec<String>,
    /// Follows a week at most.
    pub weekly_goal: u32,
    /// Follows a day at most: a seventh of the weekly goal, rounded up.
    pub daily_share: u32,
    /// Whether a person paused it (it proposes nothing until resumed).
    pub paused: bool,
    /// When its planner last ran a pass, if ever.
    pub last_pass: Option<UnixSeconds>,
    /// Its tasks per state (states with none omitted).
    pub tasks: Vec<StateCount>,
    /// Follows it made that went out.
    #[serde(default)]
    pub followed: u32,
    /// Of those, how many people followed the account (as its notifications recorded).
    #[serde(default)]
    pub followed_back: u32,
}

/// One campaign in full: the report and the tasks waiting for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignDetail {
    /// The campaign.
    pub campaign: CampaignReport,
    /// Its proposed tasks, oldest first.
    pub proposed: Vec<ProposedFollow>,
}

/// A proposed task of a campaign, as much as a person needs to pick one to look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposedFollow {
    /// The task.
    pub id: TaskId,
    /// The person's handle, or their platform id when no profile is known.
    pub who: String,
    /// The source that surfaced them.
    pub source: String,
    /// The campaign's score of them (legitimacy plus relevance), if it gave one.
    pub score: Option<u8>,
    /// The strongest reason behind the score, if any.
    pub reason: Option<String>,
}

/// One circle: its configuration and its tasks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircleReport {
    /// Its name in config.
    pub name: String,
    /// The account that engages.
    pub account: String,
    /// Its members (platform ids or handles), as configured.
    pub members: Vec<String>,
    /// Likes a day.
    pub likes: u32,
    /// Reposts a day.
    pub reposts: u32,
    /// Comment drafts a day.
    pub replies: u32,
    /// The local time (`HH:MM`) the day's proposals are made.
    pub at: String,
    /// The IANA zone `at` is in: the circle's, else the policy's, else `UTC`.
    pub timezone: String,
    /// The local date (`YYYY-MM-DD`) it last proposed for, if ever.
    pub last_day: Option<String>,
    /// Its tasks per state (states with none omitted).
    pub tasks: Vec<StateCount>,
}

/// An account's keep-list: the people its purge never unfollows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeepList {
    /// The account.
    pub account: String,
    /// Handles (without `@`, lower-case) and platform ids, sorted.
    pub people: Vec<String>,
}

/// The outcome of adding to or removing from a keep-list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeepChange {
    /// The handle or id, as given.
    pub who: String,
    /// Whether the list changed (`false`: they were on it already).
    pub changed: bool,
    /// The list after the change.
    pub list: KeepList,
}
