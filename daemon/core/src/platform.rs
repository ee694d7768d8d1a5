//! What the core knows of a platform plugin: its description, its answers and its errors.
//!
//! These mirror the WIT contract's records as plain Rust types; `rapport-host` converts the
//! generated bindings into them so that nothing above the host depends on wasmtime.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::UnixSeconds;
use crate::notification::{Notification, Profile};
use crate::reads::{ReadCost, ReadKind};
use crate::task::ActionKind;

/// A hard limit the platform publishes; configuration may lower it, never raise it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateCeiling {
    /// The action limited.
    pub action: ActionKind,
    /// Actions allowed per window.
    pub limit: u32,
    /// Window length in seconds.
    pub window_seconds: u32,
}

/// What a plugin is and what its platform permits (its `describe` export).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Description {
    /// Plugin name.
    pub name: String,
    /// Plugin version.
    pub version: String,
    /// Contract version the plugin was built for.
    pub contract: String,
    /// Platform name.
    pub platform: String,
    /// Actions the platform permits an automated client.
    pub capabilities: Vec<ActionKind>,
    /// Hard rate ceilings.
    pub ceilings: Vec<RateCeiling>,
    /// API host patterns the plugin needs.
    pub hosts: Vec<String>,
    /// The platform's automation rules, in plain words.
    pub rules: Vec<String>,
    /// The read calls the plugin serves (a 0.1 plugin: notifications only).
    #[serde(default)]
    pub reads: Vec<ReadKind>,
    /// The actions a person must approve one at a time, never in bulk.
    #[serde(default)]
    pub one_at_a_time: Vec<ActionKind>,
    /// What the platform bills for reads, per item.
    #[serde(default)]
    pub read_costs: Vec<ReadCost>,
}

impl Description {
    /// Whether the platform permits this action.
    pub fn permits(&self, kind: ActionKind) -> bool {
        self.capabilities.contains(&kind)
    }

    /// Whether the plugin serves this read.
    pub fn reads(&self, read: ReadKind) -> bool {
        self.reads.contains(&read)
    }

    /// Whether a person must approve this action one at a time.
    pub fn one_at_a_time(&self, kind: ActionKind) -> bool {
        self.one_at_a_time.contains(&kind)
    }
}

/// One page of notifications and the cursor for the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationPage {
    /// The notifications.
    pub items: Vec<Notification>,
    /// Cursor for the next call; `None` when caught up.
    pub next_cursor: Option<String>,
}

/// One page of accounts and the cursor for the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountPage {
    /// The accounts.
    pub items: Vec<Profile>,
    /// Cursor for the next page; `None` at the end.
    pub next_cursor: Option<String>,
}

/// How the acting account stands to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Relationship {
    /// The account follows them.
    pub following: bool,
    /// They follow the account.
    pub followed_by: bool,
    /// A follow request is pending.
    pub requested: bool,
}

/// What the platform answered to an executed action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ActionOutcome {
    /// Id of what was created.
    pub id: Option<String>,
    /// Link to it.
    pub url: Option<String>,
}

/// A permission the account's credential lacks, and what cannot work without it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingPermission {
    /// The permission as the platform names it, e.g. `read:statuses`.
    pub permission: String,
    /// The actions that fail without it.
    pub actions: Vec<ActionKind>,
    /// The read calls that fail without it, by contract name (`fetch-notifications`).
    pub reads: Vec<String>,
}

impl std::fmt::Display for MissingPermission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let needs: Vec<&str> =
            self.actions.iter().map(|a| a.as_str()).chain(self.reads.iter().map(String::as_str)).collect();
        write!(f, "`{}` (needed for {})", self.permission, needs.join(", "))
    }
}

/// What the account's credential may do, as far as the platform tells (`check-access`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Access {
    /// Who the credential acts for, when the platform says.
    pub acting_as: String,
    /// The permissions the platform says the credential holds; empty when it does not say.
    pub granted: Vec<String>,
    /// The permissions the plugin needs that the credential lacks.
    pub missing: Vec<MissingPermission>,
}

impl Access {
    /// Whether a missing permission stops `action`.
    pub fn blocks(&self, action: ActionKind) -> Option<&MissingPermission> {
        self.missing.iter().find(|m| m.actions.contains(&action))
    }
}

/// Why a plugin call failed, as the plugin classified it. Retry policy switches on the variant.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
#[serde(tag = "error", content = "detail", rename_all = "kebab-case")]
pub enum PluginError {
    /// Credentials refused; a person must fix them.
    #[error("the platform refused the credentials: {0}")]
    Auth(String),
    /// Slow down; retry after this many seconds.
    #[error("rate limited by the platform; retry after {0} s")]
    RateLimited(u32),
    /// A passing fault; retried with backoff.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// Refused for good.
    #[error("refused by the platform: {0}")]
    Permanent(String),
    /// Not permitted by the plugin or platform.
    #[error("not permitted: {0}")]
    Denied(String),
}

/// The latest rate-limit headers the host saw for one account, for the policy gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimitSnapshot {
    /// Requests the window allows.
    pub limit: Option<u64>,
    /// Requests left in the window.
    pub remaining: Option<u64>,
    /// When the window resets.
    pub reset_at: Option<UnixSeconds>,
    /// When the headers were seen.
    pub observed_at: UnixSeconds,
}
