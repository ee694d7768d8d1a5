//! Scheduled posts: each schedule slot takes the next eligible library entry for each of its
//! accounts and queues it, approved when the person wrote the library, through the same gate.
//!
//! A slot missed while the daemon was down is reported; only the latest one is posted late, and
//! only if its schedule's `late_policy` allows it (the core's `Schedule::catch_up` decides), never
//! as a burst of catch-up posts. Each slot is queued once: the task's creation marks the slot
//! done in the same store transaction.

use std::sync::Arc;
use std::time::Duration;

use rapport_core::UnixSeconds;
use rapport_core::library::{EntryChoice, EntryRequest};
use rapport_core::schedule::Schedule;
use rapport_core::task::{Action, Origin, TaskContext, Transition};
use rapport_store::{NewTask, StoreError};
use tokio::sync::watch;

use crate::daemon::Daemon;
use crate::policy::Policy;

/// Longest sleep between passes, so a reload's new schedules are picked up soon.
const MAX_SLEEP: Duration = Duration::from_secs(60);

/// The kv namespace where the scheduler keeps each schedule's last run.
const STATE: &str = "rapportd.scheduler";

/// Runs scheduled posting until `shutdown` turns true.
pub async fn run(daemon: Arc<Daemon>, mut shutdown: watch::Receiver<bool>) {
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
pub fn pass(daemon: &Daemon) -> Result<Option<UnixSeconds>, StoreError> {
    let now = daemon.now();
    let policy = daemon.policy();
    let mut next: Option<UnixSeconds> = None;
    for schedule in &policy.schedules {
        let name = &schedule.config().name;
        let last_run = last_run(daemon, name)?.unwrap_or(now);
        let catch_up = schedule.catch_up(last_run, now);
        for missed in &catch_up.missed {
            tracing::warn!(schedule = %name, slot = missed, "slot missed while rapportd was down; not posted");
        }
        if let Some(slot) = catch_up.due
            && !daemon.store.is_slot_done(name, slot)?
        {
            queue_slot(daemon, &policy, schedule, slot, now)?;
        }
        set_last_run(daemon, name, now)?;
        if let Some(&upcoming) = schedule.next_slots(now, 1).first() {
            next = Some(next.map_or(upcoming, |n: UnixSeconds| n.min(upcoming)));
        }
    }
    Ok(next)
}

/// What a slot would post to `account` now: the library's choice for it.
pub fn choose<'p>(
    daemon: &Daemon,
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
    daemon: &Daemon,
    policy: &Policy,
    schedule: &Schedule,
    slot: UnixSeconds,
    now: UnixSeconds,
) -> Result<(), StoreError> {
    let name = &schedule.config().name;
    for account in &schedule.config().accounts {
        match choose(daemon, policy, schedule, account, now)? {
            EntryChoice::Post(entry) => {
                let task = daemon.store.create_task(
                    NewTask {
                        action: Action::Publish {
                            text: entry.text.clone(),
                            post_kind: entry.kind,
                            media_alt: entry.media_alt.clone().unwrap_or_default(),
                        },
                        origin: Origin::Schedule { schedule: name.clone(), slot, entry: entry.id.clone() },
                        context: TaskContext::default(),
                        expires_at: None,
                    },
                    account,
                    now,
                )?;
                if policy.approve_scheduled {
                    daemon.store.transition(task.id, Transition::Approve { text: None }, now)?;
                    daemon.executor_wake.notify_one();
                }
                tracing::info!(schedule = %name, %account, entry = %entry.id, task = %task.id, "scheduled post queued");
            }
            EntryChoice::Hold { reason, .. } | EntryChoice::Nothing { reason } => {
                tracing::info!(schedule = %name, %account, %reason, "slot posts nothing");
                daemon.store.slot_done(name, slot)?;
            }
        }
    }
    Ok(())
}

fn last_run(daemon: &Daemon, schedule: &str) -> Result<Option<UnixSeconds>, StoreError> {
    Ok(daemon
        .store
        .kv_get(STATE, schedule, "last-run")?
        .and_then(|bytes| <[u8; 8]>::try_from(bytes.as_slice()).ok())
        .map(i64::from_be_bytes))
}

fn set_last_run(daemon: &Daemon, schedule: &str, at: UnixSeconds) -> Result<(), StoreError> {
    daemon.store.kv_set(STATE, schedule, "last-run", &at.to_be_bytes())
}
