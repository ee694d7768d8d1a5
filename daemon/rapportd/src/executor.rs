//! The executor: sends approved tasks through their plugin, exactly as approved, at most once.
//!
//! Each task is written `executing` (with its ledger entry, flushed) before the plugin is called,
//! and its outcome is written as soon as the call returns. A crash in between leaves it
//! `executing`, which the next start turns into `needs-check` (`State::start`): the platform may or
//! may not have it, so a person decides. The policy gate runs before every send, in this one
//! loop, so concurrent sends can never overshoot a budget; sends to different accounts overlap,
//! sends for one account go one at a time.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use rapport_core::UnixSeconds;
use rapport_core::gate::GateDecision;
use rapport_core::platform::PluginError;
use rapport_core::task::{Action, Task, TaskState, Transition};
use rapport_host::{CallError, CallFailure};
use rapport_store::{LedgerEntry, PostEntry, StoreError};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::service::{Lifecycle, Running, Service};
use crate::state::State;

/// Approved tasks looked at per pass.
const BATCH: usize = 64;

/// Transient failures tolerated before a task fails for good.
pub const MAX_ATTEMPTS: u32 = 8;

/// Longest the executor sleeps without looking for due tasks (expiry, holds that end).
const IDLE_PASS: Duration = Duration::from_secs(30);

/// How soon a sales post held by the content ratio is looked at again.
const RATIO_RECHECK: i64 = 900;

/// How long a task held for the account's credential waits before it is looked at again, unless
/// a reload (which re-checks the credential) releases it sooner.
const CREDENTIAL_RECHECK: i64 = 3600;

/// How long in-flight sends may finish after SIGTERM; the rest are parked as needs-check.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The executor as a service of the daemon.
pub struct Executor;

impl Service for Executor {
    fn name(&self) -> &'static str {
        "executor"
    }

    fn run(self: Box<Self>, state: Arc<State>, lifecycle: Lifecycle) -> Running {
        Box::pin(run(state, lifecycle.shutdown))
    }
}

/// Runs until `shutdown` turns true, then lets in-flight sends finish within [`SHUTDOWN_GRACE`].
async fn run(daemon: Arc<State>, mut shutdown: watch::Receiver<bool>) {
    let mut in_flight: JoinSet<String> = JoinSet::new();
    let mut busy: HashSet<String> = HashSet::new();
    loop {
        let next = match pass(&daemon, &mut in_flight, &mut busy) {
            Ok(next) => next,
            Err(err) => {
                tracing::error!(%err, "executor pass failed; retrying shortly");
                Some(daemon.now() + 5)
            }
        };
        let sleep = next
            .map(|at| Duration::from_secs(u64::try_from(at - daemon.now()).unwrap_or(0)))
            .unwrap_or(IDLE_PASS)
            .min(IDLE_PASS);
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = daemon.executor_wake.notified() => {}
            Some(done) = in_flight.join_next(), if !in_flight.is_empty() => {
                if let Ok(account) = done { busy.remove(&account); }
            }
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            break;
        }
    }
    let drain = async { while in_flight.join_next().await.is_some() {} };
    if tokio::time::timeout(SHUTDOWN_GRACE, drain).await.is_err() {
        tracing::warn!("sends still in flight at shutdown are parked; they will show as needs-check");
    }
}

/// Expires stale proposals, then starts every due task the gate allows; returns when the earliest
/// held or retrying task becomes due, if any (those beyond the idle pass may be left out).
pub fn pass(
    daemon: &Arc<State>,
    in_flight: &mut JoinSet<String>,
    busy: &mut HashSet<String>,
) -> Result<Option<UnixSeconds>, StoreError> {
    let now = daemon.now();
    for task in daemon.store.expire(now)? {
        tracing::info!(task = %task.id, account = %task.account, "expired unreviewed");
    }
    let mut next: Option<UnixSeconds> = None;
    for task in daemon.store.due(now, BATCH)? {
        if busy.contains(&task.account) {
            continue;
        }
        let Some(account) = daemon.account(&task.account) else {
            let unloaded = daemon.unloaded();
            let reason = match unloaded.iter().find(|u| u.config.name == task.account) {
                Some(down) => format!(
                    "account `{}` is down ({}); fix its plugin and reload (SIGHUP) to send this",
                    task.account, down.reason
                ),
                None => format!(
                    "account `{}` is not in the configuration any more; add it back to send this",
                    task.account
                ),
            };
            let held = daemon.store.hold(task.id, now + 3600, &reason)?;
            next = earliest(next, held.not_before);
            continue;
        };
        // A refused or insufficient credential would fail the send; the task waits for the fix
        // (a reload re-checks the credential and releases it) instead of failing.
        if let Some(reason) = daemon.credential_block(account.name(), task.action.kind()) {
            if task.note.as_deref() != Some(reason.as_str()) {
                tracing::info!(task = %task.id, account = %task.account, %reason, "held for the credential");
            }
            let held = daemon.store.hold(task.id, now + CREDENTIAL_RECHECK, &reason)?;
            next = earliest(next, held.not_before);
            continue;
        }
        match daemon.gate(&account, &task, now)? {
            GateDecision::Hold { not_before, reason } => {
                // A hold only more value posts can lift is asked again after a while (and sooner
                // if a post goes out, which wakes the executor).
                let not_before = not_before.unwrap_or(now + RATIO_RECHECK);
                if task.not_before != Some(not_before) || task.note.as_deref() != Some(reason.as_str()) {
                    tracing::info!(task = %task.id, account = %task.account, %reason, "held by policy");
                    daemon.store.hold(task.id, not_before, &reason)?;
                }
                next = earliest(next, Some(not_before));
                continue;
            }
            GateDecision::Allow => {}
        }
        let ledger = LedgerEntry {
            action: task.action.kind(),
            post: match &task.action {
                Action::Publish { post_kind, .. } => {
                    Some(PostEntry { kind: *post_kind, brand: daemon.policy().brand(account.name()) })
                }
                _ => None,
            },
        };
        let task = daemon.store.start_execution(task.id, now, Some(ledger))?;
        busy.insert(task.account.clone());
        let daemon = Arc::clone(daemon);
        in_flight.spawn(async move {
            let account_name = task.account.clone();
            send(&daemon, account, task).await;
            daemon.executor_wake.notify_one();
            account_name
        });
    }
    // Tasks waiting out a retry (a 429's few seconds) or an earlier hold are not due, so the loop
    // above did not see them: wake when the first comes due, not at the next idle pass.
    let horizon = now.saturating_add(i64::try_from(IDLE_PASS.as_secs()).unwrap_or(i64::MAX));
    for task in daemon.store.due(horizon, BATCH)? {
        next = earliest(next, task.not_before.filter(|&at| at > now));
    }
    Ok(next)
}

fn earliest(a: Option<UnixSeconds>, b: Option<UnixSeconds>) -> Option<UnixSeconds> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Calls the plugin and records the outcome.
async fn send(daemon: &State, account: crate::accounts::Account, task: Task) {
    let result = account.plugin.execute(&account.binding, &task.idempotency_key(), &task.action).await;
    let now = daemon.now();
    if let Err(err) = &result {
        daemon.record_refusal(account.name(), err);
    }
    let transition = outcome(&task, result, now);
    let id = task.id;
    match daemon.store.transition(id, transition.clone(), now) {
        Ok(task) => {
            tracing::info!(task = %id, account = %task.account, state = %task.state, note = ?task.note, "sent");
            // A refused credential holds the task the way the policy does, so the reload that
            // follows the fix releases it at once instead of after the retry delay.
            if let (TaskState::Approved, Some(reason)) =
                (task.state, daemon.credential_block(account.name(), task.action.kind()))
                && let Err(err) = daemon.store.hold(id, now + CREDENTIAL_RECHECK, &reason)
            {
                tracing::error!(task = %id, %err, "could not hold the task for the credential");
            }
            if let (TaskState::Done, Some(entry)) = (task.state, task.origin.library_entry())
                && let Err(err) = daemon.store.entry_posted(entry, &task.account, now)
            {
                tracing::error!(task = %id, %err, "could not record the library entry as posted");
            }
        }
        Err(err) => tracing::error!(task = %id, %err, ?transition, "could not record the outcome of a send"),
    }
}

/// What a plugin's answer means for the task.
pub fn outcome(
    task: &Task,
    result: Result<rapport_core::platform::ActionOutcome, CallError>,
    now: UnixSeconds,
) -> Transition {
    let err = match result {
        Ok(done) => return Transition::Succeed { result: done.url.or(done.id) },
        Err(err) => err,
    };
    match &err.failure {
        CallFailure::Plugin(PluginError::RateLimited(seconds)) => Transition::Retry {
            not_before: now + i64::from(*seconds).max(1),
            reason: format!("the platform asked to slow down; retrying in {seconds} s"),
        },
        CallFailure::Plugin(PluginError::Transient(why)) if task.attempts < MAX_ATTEMPTS => {
            // `attempts` counts this one: 30 s after the first, doubling up to about an hour.
            let delay = 30i64 << task.attempts.saturating_sub(1).min(7);
            Transition::Retry {
                not_before: now + delay,
                reason: format!(
                    "temporary failure ({why}); attempt {} of {MAX_ATTEMPTS}, retrying in {delay} s",
                    task.attempts
                ),
            }
        }
        CallFailure::Plugin(PluginError::Auth(why)) => Transition::Retry {
            // Approved work is kept: once the person fixes the credentials (and reloads), it goes out.
            not_before: now + 3600,
            reason: format!(
                "the platform refused the credentials ({why}); fix the account's token and reload rapportd"
            ),
        },
        CallFailure::Plugin(PluginError::Transient(why)) => {
            Transition::Fail { reason: format!("gave up after {MAX_ATTEMPTS} attempts: {why}") }
        }
        CallFailure::Plugin(PluginError::Permanent(why) | PluginError::Denied(why)) => {
            Transition::Fail { reason: why.clone() }
        }
        // The sandbox stopped the plugin mid-call: the request may or may not have reached the
        // platform, so a person checks instead of the daemon guessing.
        CallFailure::Trap(_)
        | CallFailure::CpuBudget { .. }
        | CallFailure::OutOfMemory { .. }
        | CallFailure::Timeout(_)
        | CallFailure::Malformed(_) => Transition::Unsure { reason: err.to_string() },
    }
}
