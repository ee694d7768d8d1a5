//! Scheduled posts: each schedule slot takes the next eligible library entry for each of its
//! accounts and queues it, approved when the person wrote the library, through the same gate.
//!
//! A slot missed while the daemon was down is recorded (the most recent [`MISSED_KEPT`] per
//! schedule, for `rapport schedule`) and logged; only the latest one is posted late, and only if
//! its schedule's `late_policy` allows it (the core's `Schedule::catch_up` decides), never as a
//! burst of catch-up posts. Each slot is proposed once per account: its proposal key
//! ([`ProposalKey::slot`]) is recorded with the task, in the same store transaction, or alone when
//! the slot posts nothing. The scheduler's own record (last run, missed slots) lives in the
//! store's daemon state, not in the plugins' key-value space.

use std::sync::Arc;
use std::time::Duration;

use rapport_core::UnixSeconds;
use rapport_core::library::{EntryChoice, EntryRequest};
use rapport_core::proposal::{Proposal, ProposalKey};
use rapport_core::schedule::Schedule;
use rapport_core::task::{Action, Origin, TaskContext, Transition};
use rapport_store::{ScheduleState, StoreError};
use tokio::sync::watch;

use crate::policy::Policy;
use crate::service::{Lifecycle, Running, Service};
use crate::state::State;

/// Longest sleep between passes, so a reload's new schedules are picked up soon.
const MAX_SLEEP: Duration = Duration::from_secs(60);

/// Missed slots kept per schedule: the most recent ones.
pub const MISSED_KEPT: usize = 20;

/// Slots looked at, at most, to find the latest ones of a very long outage.
const MISSED_SCAN: usize = 100_000;

/// The slots of one schedule missed while rapportd was down, as `rapport schedule` shows them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Missed {
    /// The most recent missed slots, oldest first, at most [`MISSED_KEPT`].
    pub slots: Vec<UnixSeconds>,
    /// Whether earlier missed slots are no longer listed.
    pub earlier: bool,
}

/// Scheduled posting as a service of the daemon.
pub struct Scheduler;

impl Service for Scheduler {
    fn name(&self) -> &'static str {
        "scheduler"
    }

    fn run(self: Box<Self>, state: Arc<State>, lifecycle: Lifecycle) -> Running {
        Box::pin(run(state, lifecycle.shutdown))
    }
}

/// Runs scheduled posting until `shutdown` turns true.
async fn run(daemon: Arc<State>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let next = match pass(&daemon) {
            Ok(next) => next,
            Err(err) => {
                tracing::error!(%err, "scheduler pass failed; retrying shortly");
                None
            }
        };
        let sleep = next
            .map(|at| Duration::from_secs(u64::try_from(at - daemon.now()).unwrap_or(0)))
            .unwrap_or(MAX_SLEEP)
            .min(MAX_SLEEP);
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

/// Queues what is due now; returns the next slot time.
pub fn pass(daemon: &State) -> Result<Option<UnixSeconds>, StoreError> {
    let now = daemon.now();
    let policy = daemon.policy();
    let mut next: Option<UnixSeconds> = None;
    for schedule in &policy.schedules {
        let name = &schedule.config().name;
        let mut state = daemon.store.schedule_state(name)?;
        let last_run = state.last_run.unwrap_or(now);
        let catch_up = schedule.catch_up(last_run, now);
        for missed in &catch_up.missed {
            tracing::warn!(schedule = %name, slot = missed, "slot missed while rapportd was down; not posted");
        }
        if !catch_up.missed.is_empty() {
            let latest = if catch_up.more_missed {
                latest_missed(schedule, last_run, now, catch_up.due)
            } else {
                catch_up.missed.clone()
            };
            state.earlier_missed |= keep_latest(&mut state.missed, latest) || catch_up.more_missed;
        }
        if let Some(slot) = catch_up.due {
            queue_slot(daemon, &policy, schedule, slot, now)?;
        }
        state.last_run = Some(now);
        daemon.store.set_schedule_state(name, &state)?;
        if let Some(&upcoming) = schedule.next_slots(now, 1).first() {
            next = Some(next.map_or(upcoming, |n: UnixSeconds| n.min(upcoming)));
        }
    }
    Ok(next)
}

/// What a slot would post to `account` now: the library's choice for it.
pub fn choose<'p>(
    daemon: &State,
    policy: &'p Policy,
    schedule: &'p Schedule,
    account: &str,
    now: UnixSeconds,
) -> Result<EntryChoice<'p>, StoreError> {
    let published = policy.published(&daemon.store, account)?;
    let account_posts = policy.recent_posts(&daemon.store, account, now)?;
    let ratio_posts = policy.ratio_posts(&daemon.store, account, now)?;
    Ok(policy.library.next_entry(&EntryRequest {
        schedule,
        account,
        now,
        published: &published,
        account_posts: &account_posts,
        ratio_posts: &ratio_posts,
        ratio: policy.gate.ratio(),
    }))
}

fn queue_slot(
    daemon: &State,
    policy: &Policy,
    schedule: &Schedule,
    slot: UnixSeconds,
    now: UnixSeconds,
) -> Result<(), StoreError> {
    let name = &schedule.config().name;
    let key = ProposalKey::slot(name, slot);
    for account in &schedule.config().accounts {
        if daemon.store.seen(account, &key)? {
            continue;
        }
        match choose(daemon, policy, schedule, account, now)? {
            EntryChoice::Post(entry) => {
                let proposal = Proposal {
                    key: key.clone(),
                    action: Action::Publish {
                        text: entry.text.clone(),
                        post_kind: entry.kind,
                        media_alt: entry.media_alt.clone().unwrap_or_default(),
                        // The library checked the image when it loaded.
                        media: entry.media().unwrap_or_default(),
                    },
                    origin: Origin::Schedule { schedule: name.clone(), slot, entry: entry.id.clone() },
                    context: TaskContext::default(),
                    expires_at: None,
                };
                let Some(task) = daemon.store.propose(account, proposal, now)? else { continue };
                if policy.approve_scheduled {
                    daemon.store.transition(
                        task.id,
                        Transition::Approve { text: None, hold_until: None },
                        now,
                    )?;
                    daemon.executor_wake.notify_one();
                }
                tracing::info!(schedule = %name, %account, entry = %entry.id, task = %task.id, "scheduled post queued");
            }
            EntryChoice::Hold { reason, .. } | EntryChoice::Nothing { reason } => {
                tracing::info!(schedule = %name, %account, %reason, "slot posts nothing");
                daemon.store.mark_seen(account, &key)?;
            }
        }
    }
    Ok(())
}

/// The slots of `schedule` missed while rapportd was down, as recorded.
pub fn missed(daemon: &State, schedule: &str) -> Result<Missed, StoreError> {
    let ScheduleState { missed, earlier_missed, .. } = daemon.store.schedule_state(schedule)?;
    Ok(Missed { slots: missed, earlier: earlier_missed })
}

/// Adds `new` to `kept` (sorted, without repeats) and keeps the most recent [`MISSED_KEPT`];
/// returns whether older ones were dropped.
fn keep_latest(kept: &mut Vec<UnixSeconds>, new: impl IntoIterator<Item = UnixSeconds>) -> bool {
    kept.extend(new);
    kept.sort_unstable();
    kept.dedup();
    let excess = kept.len().saturating_sub(MISSED_KEPT);
    kept.drain(..excess);
    excess > 0
}

/// The most recent [`MISSED_KEPT`] slots in `(last_run, now]` other than `due`, for an outage
/// longer than `Schedule::catch_up` lists (it lists the oldest). Looks back from `now` over
/// growing spans, so it reads about as many slots as it keeps, not the whole outage.
fn latest_missed(
    schedule: &Schedule,
    last_run: UnixSeconds,
    now: UnixSeconds,
    due: Option<UnixSeconds>,
) -> Vec<UnixSeconds> {
    const HOUR: i64 = 3_600;
    const DAY: i64 = 86_400;
    let mut latest = Vec::new();
    for back in [HOUR, DAY, 7 * DAY, 31 * DAY, 366 * DAY, i64::MAX] {
        let from = now.saturating_sub(back).max(last_run);
        latest.clear();
        let mut after = from;
        let mut scanned = 0;
        'scan: while scanned < MISSED_SCAN {
            let chunk = schedule.next_slots(after, 64);
            if chunk.is_empty() {
                break;
            }
            scanned += chunk.len();
            for slot in chunk {
                if slot > now {
                    break 'scan;
                }
                after = slot;
                if Some(slot) != due {
                    latest.push(slot);
                }
            }
            // Only the last ones are kept, so memory stays small however many are read.
            if latest.len() > 4 * MISSED_KEPT {
                latest.drain(..latest.len() - MISSED_KEPT);
            }
        }
        if latest.len() >= MISSED_KEPT || from == last_run {
            break;
        }
    }
    let excess = latest.len().saturating_sub(MISSED_KEPT);
    latest.drain(..excess);
    latest
}

#[cfg(test)]
mod tests {
    use rapport_core::schedule::{LatePolicy, MAX_REPORTED_MISSED, ScheduleConfig};

    use super::*;

    fn hourly() -> Schedule {
        ScheduleConfig {
            name: "hourly".into(),
            cron: "0 0 * * * *".into(),
            timezone: "UTC".into(),
            accounts: vec!["shop".into()],
            kinds: Vec::new(),
            late_policy: LatePolicy::Skip,
        }
        .compile(0)
        .unwrap()
    }

    #[test]
    fn only_the_most_recent_missed_slots_are_kept() {
        let mut kept = vec![10, 20];
        assert!(!keep_latest(&mut kept, [20, 30]));
        assert_eq!(kept, [10, 20, 30]);
        assert!(keep_latest(&mut kept, (1..=MISSED_KEPT as i64).map(|i| 100 + i)));
        assert_eq!(kept.len(), MISSED_KEPT);
        assert_eq!(kept[0], 101);
    }

    #[test]
    fn a_long_outage_keeps_its_latest_slots_not_its_first() {
        let s = hourly();
        let (last_run, now) = (0, 30 * 86_400 + 1_800);
        let catch_up = s.catch_up(last_run, now);
        assert!(catch_up.more_missed && catch_up.missed.len() == MAX_REPORTED_MISSED);
        let latest = latest_missed(&s, last_run, now, catch_up.due);
        let want: Vec<i64> = (0..MISSED_KEPT as i64).rev().map(|i| 30 * 86_400 - i * 3_600).collect();
        assert_eq!(latest, want);
        // A due slot is posted, not missed.
        let latest = latest_missed(&s, last_run, 30 * 86_400, Some(30 * 86_400));
        assert_eq!(latest.last(), Some(&(30 * 86_400 - 3_600)));
        // A short span gives what there is.
        assert_eq!(latest_missed(&s, 0, 3 * 3_600 + 5, None), [3_600, 7_200, 10_800]);
    }
}
