//! The proactive half as one service: follow campaigns, the reciprocity purge and circles,
//! each a pass that reads the platforms through the 0.2 calls, hands what it read to its pure
//! planner in the core, and proposes through the store — the same queue, gate and executor as
//! every other task, and the same "never propose a key twice".
//!
//! A pass runs every [`PASS_INTERVAL`] and after each reload. Each planner keeps its day's count
//! in the store, so a restart does not reset a daily share, and each failure stays with its
//! campaign, account or circle: one platform refusing a read does not stop the others.

mod campaigns;
mod circles;
mod purge;
pub mod spend;

use std::sync::Arc;
use std::time::Duration;

use rapport_core::UnixSeconds;

use crate::service::{Lifecycle, Running, Service};
use crate::state::State;

/// How often the planners look again: often enough that a day's share is proposed in the
/// morning, rarely enough that the reads stay far under every platform's budget.
pub const PASS_INTERVAL: Duration = Duration::from_secs(15 * 60);

/// The planners as a service of the daemon.
pub struct Proposers;

impl Service for Proposers {
    fn name(&self) -> &'static str {
        "proposers"
    }

    fn run(self: Box<Self>, state: Arc<State>, lifecycle: Lifecycle) -> Running {
        Box::pin(run(state, lifecycle))
    }
}

async fn run(daemon: Arc<State>, mut lifecycle: Lifecycle) {
    loop {
        let report = pass(&daemon).await;
        if report.proposed > 0 {
            tracing::info!(proposed = report.proposed, "planners proposed tasks");
        }
        tokio::select! {
            _ = tokio::time::sleep(PASS_INTERVAL) => {}
            _ = lifecycle.reloaded.changed() => {}
            _ = lifecycle.shutdown.changed() => {}
        }
        if *lifecycle.shutdown.borrow() {
            return;
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Tasks proposed.
    pub proposed: usize,
    /// What went wrong, one line each (also logged), naming the campaign, account or circle.
    pub problems: Vec<String>,
}

impl PassReport {
    fn note(&mut self, result: anyhow::Result<usize>, what: &str) {
        match result {
            Ok(n) => self.proposed += n,
            Err(err) => {
                tracing::warn!(%what, err = %format!("{err:#}"), "planner pass failed");
                self.problems.push(format!("{what}: {err:#}"));
            }
        }
    }
}

/// One pass of every planner: each campaign, each purge, each circle whose time has come.
pub async fn pass(daemon: &State) -> PassReport {
    let settings = daemon.settings();
    let config = &settings.config;
    let mut report = PassReport::default();
    for campaign in &config.campaigns {
        let result = campaigns::pass(daemon, campaign).await;
        report.note(result, &format!("campaign {}", campaign.name));
    }
    for purge in &config.purge {
        let result = purge::pass(daemon, purge).await;
        report.note(result, &format!("purge of {}", purge.account));
    }
    for circle in &config.circles {
        let result = circles::pass(daemon, circle).await;
        report.note(result, &format!("circle {}", circle.name));
    }
    report
}

/// The local date of `at` in the policy's zone, as the planners count their days.
fn local_day(daemon: &State, at: UnixSeconds, zone: Option<chrono_tz::Tz>) -> String {
    let zone = zone.unwrap_or_else(|| daemon.policy().gate.zone());
    rapport_core::localtime::date_label(at, zone)
}

/// The loaded account named `name`, or an error saying it is not running.
fn account(daemon: &State, name: &str) -> anyhow::Result<crate::accounts::Account> {
    daemon
        .account(name)
        .ok_or_else(|| anyhow::anyhow!("account `{name}` is not running (see `rapport status`)"))
}
