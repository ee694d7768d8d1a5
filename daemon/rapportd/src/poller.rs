//! One poller per account: fetch notifications, triage them, queue what needs a person.
//!
//! A poll reads pages until the plugin has caught up (an empty page, or a cursor that no longer
//! moves), at most [`MAX_PAGES_PER_POLL`] at once so a long backlog is caught up over several polls
//! instead of in one burst of requests. Each page is deduplicated, triaged and queued in the same
//! store transaction that advances the cursor, so a crash between two pages refetches at most one
//! page, and a refetched page creates nothing twice.

use std::sync::Arc;
use std::time::Duration;

use rapport_core::platform::PluginError;
use rapport_core::triage::{Triage, triage};
use rapport_host::CallError;
use rapport_store::StoreError;
use thiserror::Error;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::accounts::Account;
use crate::service::{Lifecycle, Running, Service};
use crate::state::State;

/// Pages read in one poll at most.
pub const MAX_PAGES_PER_POLL: usize = 10;

/// Longest wait after repeated transient failures.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// Why a poll stopped early.
#[derive(Debug, Error)]
pub enum PollError {
    /// The plugin call failed.
    #[error(transparent)]
    Call(#[from] CallError),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

/// What one poll did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollReport {
    /// Pages read.
    pub pages: usize,
    /// Notifications seen for the first time.
    pub new: usize,
    /// Tasks queued for review.
    pub tasks: usize,
    /// Notifications that would have made a task the platform forbids.
    pub refused: usize,
}

/// One poller per account in force, as a service of the daemon: a reload replaces them with one
/// per account of the new configuration.
pub struct Pollers;

impl Service for Pollers {
    fn name(&self) -> &'static str {
        "pollers"
    }

    fn run(self: Box<Self>, state: Arc<State>, mut lifecycle: Lifecycle) -> Running {
        Box::pin(async move {
            loop {
                let mut pollers = JoinSet::new();
                for account in state.accounts().iter() {
                    pollers.spawn(run(Arc::clone(&state), account.clone(), lifecycle.shutdown.clone()));
                }
                tokio::select! {
                    _ = lifecycle.reloaded.changed() => pollers.abort_all(),
                    _ = lifecycle.shutdown.changed() => {
                        pollers.abort_all();
                        return;
                    }
                }
            }
        })
    }
}

/// Polls `account` until `shutdown` turns true.
async fn run(daemon: Arc<State>, account: Account, mut shutdown: watch::Receiver<bool>) {
    let interval = Duration::from_secs(account.config.poll_interval.as_secs());
    let mut failures: u32 = 0;
    // The credential is checked before the first poll, so a missing permission is named now, not
    // by the first task it fails; a reload respawns the pollers, which checks it again.
    daemon.record_access(account.name(), account.plugin.check_access(&account.binding).await);
    loop {
        let delay = match poll_once(&daemon, &account).await {
            Ok(report) => {
                failures = 0;
                daemon.record_poll(account.name(), Ok(()));
                if report.tasks > 0 {
                    tracing::info!(account = account.name(), tasks = report.tasks, "new tasks to review");
                }
                jittered(interval)
            }
            Err(err) => {
                failures = failures.saturating_add(1);
                daemon.record_poll(account.name(), Err(err.to_string()));
                if let PollError::Call(call) = &err {
                    daemon.record_refusal(account.name(), call);
                }
                let delay = retry_delay(&err, interval, failures);
                tracing::warn!(account = account.name(), %err, retry_in = ?delay, "poll failed");
                delay
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = shutdown.changed() => return,
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

/// Reads, triages and queues what is new for `account`.
pub async fn poll_once(daemon: &State, account: &Account) -> Result<PollReport, PollError> {
    let name = account.name();
    let mut cursor = daemon.store.cursor(name)?;
    let mut report = PollReport::default();
    for _ in 0..MAX_PAGES_PER_POLL {
        let page = account.plugin.fetch_notifications(&account.binding, cursor.clone()).await?;
        let now = daemon.now();
        let settings = daemon.settings();
        let description = account.description();
        let mut refused = 0;
        let ingest =
            daemon.store.ingest_page(
                name,
                &page.items,
                page.next_cursor.as_deref(),
                now,
                |n| match triage(n, &settings.config.triage, description, now) {
                    Triage::Propose(p) => Some(*p),
                    Triage::Record { .. } => None,
                    Triage::Refuse { action, reason } => {
                        refused += 1;
                        tracing::info!(account = name, notification = %n.id, %action, %reason, "not queued");
                        None
                    }
                },
            )?;
        report.pages += 1;
        report.new += ingest.new;
        report.tasks += ingest.tasks.len();
        report.refused += refused;
        let caught_up = page.items.is_empty() || page.next_cursor.is_none() || page.next_cursor == cursor;
        cursor = page.next_cursor;
        if caught_up {
            break;
        }
    }
    daemon.store.set_last_poll(name, daemon.now())?;
    // One fsync per poll, for all its pages: the store has no background flusher.
    daemon.store.flush()?;
    // The pages' interactions go into the book now, off the ingest's lock (see the store's book).
    daemon.store.drain_book()?;
    Ok(report)
}

/// How long to wait after a failed poll: what the platform asked, exponential backoff for passing
/// faults, and a long pause for refused credentials (a person must fix them; hammering the login
/// endpoint gets accounts locked).
fn retry_delay(err: &PollError, interval: Duration, failures: u32) -> Duration {
    match err {
        PollError::Call(call) => match call.plugin_error() {
            Some(PluginError::RateLimited(seconds)) => Duration::from_secs(u64::from(*seconds)).max(interval),
            Some(PluginError::Auth(_)) => MAX_BACKOFF,
            _ => backoff(interval, failures),
        },
        PollError::Store(_) => backoff(interval, failures),
    }
}

/// `interval × 2^(failures-1)`, capped, with jitter.
fn backoff(interval: Duration, failures: u32) -> Duration {
    let factor = 1u32 << failures.saturating_sub(1).min(10);
    jittered(interval.saturating_mul(factor).min(MAX_BACKOFF))
}

/// ±10 % so that accounts on one instance do not poll in lockstep.
fn jittered(base: Duration) -> Duration {
    let tenth = base.as_millis() as u64 / 10;
    let offset = fastrand::u64(0..=tenth.saturating_mul(2));
    (base + Duration::from_millis(offset)).saturating_sub(Duration::from_millis(tenth))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let interval = Duration::from_secs(60);
        let first = backoff(interval, 1);
        assert!(first >= Duration::from_secs(54) && first <= Duration::from_secs(66), "{first:?}");
        let third = backoff(interval, 3);
        assert!(third >= Duration::from_secs(216) && third <= Duration::from_secs(264), "{third:?}");
        assert!(backoff(interval, 30) <= MAX_BACKOFF + MAX_BACKOFF / 10);
    }

    #[test]
    fn jitter_stays_within_ten_percent() {
        for _ in 0..1000 {
            let d = jittered(Duration::from_secs(100));
            assert!(d >= Duration::from_secs(90) && d <= Duration::from_secs(110), "{d:?}");
        }
    }
}
