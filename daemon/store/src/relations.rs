//! What the proactive planners read from and keep in the store: the keep-list (people never to
//! unfollow), a campaign's state (paused, its discovery cursors), a circle's last day, the follows
//! rapport made and who engaged with the account lately.
//!
//! The keep-list and the planners' states live in the daemon's own tree, typed by [`DaemonKey`];
//! follows and engagement are read from the tasks and notifications already kept, so they need no
//! second copy that could drift.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rapport_core::UnixSeconds;
use rapport_core::history::normalize_handle;
use rapport_core::notification::NotificationKind;
use rapport_core::task::{Action, Origin, TaskState};
use serde::{Deserialize, Serialize};

use crate::daemon_state::DaemonKey;
use crate::tasks::StoredNotification;
use crate::{Store, StoreError, TaskFilter, decode, encode, keys};

/// What the campaign planner keeps of one campaign.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignState {
    /// A person paused it: it proposes nothing until resumed.
    pub paused: bool,
    /// Where each discovery source's next page starts, by the source's label.
    pub cursors: BTreeMap<String, String>,
    /// When its last pass ran.
    pub last_pass: Option<UnixSeconds>,
    /// The local day (`YYYY-MM-DD`) `proposed_on_day` counts.
    #[serde(default)]
    pub day: Option<String>,
    /// Follows it proposed on `day`: the day's share holds even across restarts.
    #[serde(default)]
    pub proposed_on_day: u32,
}

/// What the purge keeps of one account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeState {
    /// The local day (`YYYY-MM-DD`) of its last pass: it runs once a day.
    pub last_day: Option<String>,
}

/// What an account spent this month on reads its platform bills per item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadSpend {
    /// The calendar month (`YYYY-MM`, UTC) it counts.
    pub month: String,
    /// Millionths of a US dollar spent in it.
    pub micro_usd: u64,
}

/// What the circle planner keeps of one circle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircleState {
    /// The local date (`YYYY-MM-DD`) of the last day it proposed for.
    pub last_day: Option<String>,
    /// Members a person added with `rapport circle add` (normalized: no `@`, lowercase).
    #[serde(default)]
    pub added: BTreeSet<String>,
    /// Configured members a person took out with `rapport circle remove`.
    #[serde(default)]
    pub removed: BTreeSet<String>,
}

/// A follow that rapport sent for an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowMade {
    /// The platform id of the person followed.
    pub account_id: String,
    /// Their handle when the task was proposed, if known.
    pub handle: Option<String>,
    /// When the follow went out.
    pub at: UnixSeconds,
    /// The campaign that proposed it, if one did (a follow-back has none).
    pub campaign: Option<String>,
}

impl Store {
    /// The planner's state of campaign `name` (default for one never run).
    pub fn campaign_state(&self, name: &str) -> Result<CampaignState, StoreError> {
        self.daemon_record(DaemonKey::Campaign(name), "campaign state")
    }

    /// The purge's state of `account`.
    pub fn purge_state(&self, account: &str) -> Result<PurgeState, StoreError> {
        self.daemon_record(DaemonKey::Purge(account), "purge state")
    }

    /// Replaces the purge's state of `account`, flushed.
    pub fn set_purge_state(&self, account: &str, state: &PurgeState) -> Result<(), StoreError> {
        self.set_daemon_record(DaemonKey::Purge(account), "purge state", state)
    }

    /// Changes the state of campaign `name` atomically (a pause from the CLI and a planner's pass
    /// may meet: neither overwrites the other's fields) and returns it as changed, flushed.
    /// `change` may run more than once and must only set fields.
    pub fn update_campaign_state(
        &self,
        name: &str,
        change: impl Fn(&mut CampaignState),
    ) -> Result<CampaignState, StoreError> {
        self.update_daemon_record(DaemonKey::Campaign(name), "campaign state", change)
    }

    /// Changes the state of circle `name` atomically, as [`Store::update_campaign_state`] does.
    pub fn update_circle_state(
        &self,
        name: &str,
        change: impl Fn(&mut CircleState),
    ) -> Result<CircleState, StoreError> {
        self.update_daemon_record(DaemonKey::Circle(name), "circle state", change)
    }

    fn update_daemon_record<T: Default + Serialize + serde::de::DeserializeOwned>(
        &self,
        key: DaemonKey<'_>,
        what: &str,
        change: impl Fn(&mut T),
    ) -> Result<T, StoreError> {
        let key = key.bytes()?;
        let mut failure = None;
        let updated = self.trees.daemon.update_and_fetch(&key, |old| {
            let mut record = match old.map(|bytes| decode::<T>(what, bytes)) {
                None => T::default(),
                Some(Ok(record)) => record,
                // An unreadable record is left as it is, and the error reported.
                Some(Err(err)) => {
                    failure = Some(err);
                    return old.map(<[u8]>::to_vec);
                }
            };
            change(&mut record);
            match encode(what, &record) {
                Ok(bytes) => Some(bytes),
                Err(err) => {
                    failure = Some(err);
                    old.map(<[u8]>::to_vec)
                }
            }
        })?;
        if let Some(err) = failure {
            return Err(err);
        }
        self.flush()?;
        match updated {
            Some(bytes) => decode(what, &bytes),
            None => Ok(T::default()),
        }
    }

    /// What `account` spent on billed reads in `month` (`YYYY-MM`).
    pub fn read_spend(&self, account: &str, month: &str) -> Result<u64, StoreError> {
        let spend: ReadSpend = self.daemon_record(DaemonKey::Spend(account), "read spend")?;
        Ok(if spend.month == month { spend.micro_usd } else { 0 })
    }

    /// Adds `micro_usd` to what `account` spent in `month`; returns the month's total. Atomic and
    /// flushed: money spent must not be forgotten by a crash, nor lost between two passes.
    pub fn add_read_spend(&self, account: &str, month: &str, micro_usd: u64) -> Result<u64, StoreError> {
        let spend =
            self.update_daemon_record(DaemonKey::Spend(account), "read spend", |r: &mut ReadSpend| {
                if r.month != month {
                    *r = ReadSpend { month: month.to_owned(), micro_usd: 0 };
                }
                r.micro_usd = r.micro_usd.saturating_add(micro_usd);
            })?;
        Ok(spend.micro_usd)
    }

    /// The planner's state of circle `name`.
    pub fn circle_state(&self, name: &str) -> Result<CircleState, StoreError> {
        self.daemon_record(DaemonKey::Circle(name), "circle state")
    }

    /// The people `account` never unfollows (platform ids or handles, as the person wrote them).
    pub fn keep_list(&self, account: &str) -> Result<BTreeSet<String>, StoreError> {
        self.daemon_record(DaemonKey::Keep(account), "keep-list")
    }

    /// Adds `who` to `account`'s keep-list; `false` if it was there already.
    pub fn keep_add(&self, account: &str, who: &str) -> Result<bool, StoreError> {
        let mut list = self.keep_list(account)?;
        let added = list.insert(normalize_handle(who));
        self.set_daemon_record(DaemonKey::Keep(account), "keep-list", &list)?;
        Ok(added)
    }

    /// Removes `who` from `account`'s keep-list; `false` if it was not there.
    pub fn keep_remove(&self, account: &str, who: &str) -> Result<bool, StoreError> {
        let mut list = self.keep_list(account)?;
        let removed = list.remove(&normalize_handle(who));
        self.set_daemon_record(DaemonKey::Keep(account), "keep-list", &list)?;
        Ok(removed)
    }

    /// The follows rapport sent for `account` (done follow and follow-back tasks), oldest first.
    pub fn follows_made(&self, account: &str) -> Result<Vec<FollowMade>, StoreError> {
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let filter = TaskFilter {
                state: Some(TaskState::Done),
                account: Some(account.to_owned()),
                after,
                limit: 1_000,
            };
            let page = self.page(&filter)?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            for task in page {
                let (Action::Follow { account_id } | Action::FollowBack { account_id }) = task.action else {
                    continue;
                };
                let campaign = match task.origin {
                    Origin::Campaign { campaign, .. } => Some(campaign),
                    _ => None,
                };
                let handle = task.context.profile.map(|p| p.handle);
                out.push(FollowMade { account_id, handle, at: task.updated_at, campaign });
            }
        }
        out.sort_by_key(|f| f.at);
        Ok(out)
    }

    /// Everyone who engaged with `account` (liked, reposted, replied, mentioned, quoted) since
    /// `since`, with the time of their latest engagement. A follow is not engagement.
    pub fn engaged_since(
        &self,
        account: &str,
        since: UnixSeconds,
    ) -> Result<HashMap<String, UnixSeconds>, StoreError> {
        let prefix = keys::name("account", account)?;
        let mut out: HashMap<String, UnixSeconds> = HashMap::new();
        for item in self.trees.notifications.scan_prefix(&prefix) {
            let (_, bytes) = item?;
            let record: StoredNotification = decode("notification", &bytes)?;
            let engaged = matches!(
                record.kind,
                NotificationKind::Like
                    | NotificationKind::Repost
                    | NotificationKind::Reply
                    | NotificationKind::Mention
                    | NotificationKind::Quote
            );
            if engaged && record.at >= since {
                let latest = out.entry(record.from).or_insert(record.at);
                *latest = (*latest).max(record.at);
            }
        }
        Ok(out)
    }

    /// Everyone whose follow of `account` the store has recorded (its follow notifications).
    pub fn followers_seen(&self, account: &str) -> Result<std::collections::HashSet<String>, StoreError> {
        let prefix = keys::name("account", account)?;
        let mut out = std::collections::HashSet::new();
        for item in self.trees.notifications.scan_prefix(&prefix) {
            let (_, bytes) = item?;
            let record: StoredNotification = decode("notification", &bytes)?;
            if record.kind == NotificationKind::Follow {
                out.insert(record.from);
            }
        }
        Ok(out)
    }

    fn daemon_record<T: Default + serde::de::DeserializeOwned>(
        &self,
        key: DaemonKey<'_>,
        what: &str,
    ) -> Result<T, StoreError> {
        match self.trees.daemon.get(key.bytes()?)? {
            Some(bytes) => decode(what, &bytes),
            None => Ok(T::default()),
        }
    }

    fn set_daemon_record<T: Serialize>(
        &self,
        key: DaemonKey<'_>,
        what: &str,
        value: &T,
    ) -> Result<(), StoreError> {
        self.trees.daemon.insert(key.bytes()?, encode(what, value)?)?;
        self.flush()
    }
}
