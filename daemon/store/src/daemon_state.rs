//! The daemon's own state: a typed tree of its own, so that nothing the daemon keeps for itself
//! shares a namespace with the plugins' key-value data (where a plugin could name it).
//!
//! Each record has a [`DaemonKey`] and a serde type: the scheduler's record per schedule, and the
//! planners' records (`relations`).

use rapport_core::UnixSeconds;
use serde::{Deserialize, Serialize};

use crate::{Store, StoreError, decode, encode, keys};

/// What the daemon keeps, by key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DaemonKey<'a> {
    /// The scheduler's [`ScheduleState`] of the schedule with this name.
    Schedule(&'a str),
    /// The campaign planner's state of the campaign with this name.
    Campaign(&'a str),
    /// The circle planner's state of the circle with this name.
    Circle(&'a str),
    /// The keep-list of the account with this name.
    Keep(&'a str),
    /// The purge's state of the account with this name.
    Purge(&'a str),
    /// The billed-read spend of the account with this name.
    Spend(&'a str),
}

impl DaemonKey<'_> {
    /// `kind\0name\0`.
    pub(crate) fn bytes(self) -> Result<Vec<u8>, StoreError> {
        match self {
            DaemonKey::Schedule(name) => Ok(keys::join(b"schedule\0", &[&keys::name("schedule", name)?])),
            DaemonKey::Campaign(name) => Ok(keys::join(b"campaign\0", &[&keys::name("campaign", name)?])),
            DaemonKey::Circle(name) => Ok(keys::join(b"circle\0", &[&keys::name("circle", name)?])),
            DaemonKey::Keep(account) => Ok(keys::join(b"keep\0", &[&keys::name("account", account)?])),
            DaemonKey::Purge(account) => Ok(keys::join(b"purge\0", &[&keys::name("account", account)?])),
            DaemonKey::Spend(account) => Ok(keys::join(b"spend\0", &[&keys::name("account", account)?])),
        }
    }
}

/// What the scheduler remembers of one schedule across restarts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleState {
    /// When it last looked at the schedule's slots; slots after it are new to it.
    pub last_run: Option<UnixSeconds>,
    /// The most recent slots missed while the daemon was down, oldest first.
    pub missed: Vec<UnixSeconds>,
    /// Whether earlier missed slots are no longer listed.
    pub earlier_missed: bool,
}

impl Store {
    /// The scheduler's state of `schedule` (default for one never run).
    pub fn schedule_state(&self, schedule: &str) -> Result<ScheduleState, StoreError> {
        let key = DaemonKey::Schedule(schedule).bytes()?;
        match self.trees.daemon.get(key)? {
            Some(bytes) => decode("schedule state", &bytes),
            None => Ok(ScheduleState::default()),
        }
    }

    /// Replaces the scheduler's state of `schedule`. Not flushed: a lost update only makes the
    /// scheduler look at a slot again, and the slot's proposal key keeps it from posting twice.
    pub fn set_schedule_state(&self, schedule: &str, state: &ScheduleState) -> Result<(), StoreError> {
        let key = DaemonKey::Schedule(schedule).bytes()?;
        self.trees.daemon.insert(key, encode("schedule state", state)?)?;
        Ok(())
    }
}
