//! The history recorder: once a local day it snapshots each account's follower and following
//! counts (`lookup-self`), and it re-reads the metrics of the account's own posts on their
//! decaying cadence (`own-posts`: hourly for two days, daily to thirty), so the report can say
//! what a post did and what the audience was when it went out.
//!
//! It only reads, and only what the plugin declares; a billed read (X) passes the account's
//! monthly spend meter like the planners' reads do. A failure stays with its account.

use std::sync::Arc;
use std::time::Duration;

use rapport_core::UnixSeconds;
use rapport_core::history::FollowerSnapshot;
use rapport_core::reads::ReadKind;

use crate::accounts::Account;
use crate::proposers::spend::Meter;
use crate::service::{Lifecycle, Running, Service};
use crate::state::State;

/// How often the recorder looks: often enough for the hourly readings of a young post.
pub const PASS_INTERVAL: Duration = Duration::from_secs(10 * 60);

/// Own-post pages read per pass at most: the posts young enough to be read again are on the
/// first pages (newest first), so this bounds a pass without missing them.
const MAX_PAGES: usize = 5;

/// Posts older than this are not read again, so paging stops at the first page that holds
/// only such posts.
const READ_UNTIL_AGE: UnixSeconds = 30 * 86_400;

/// The recorder as a service of the daemon.
pub struct Recorder;

impl Service for Recorder {
    fn name(&self) -> &'static str {
        "recorder"
    }

    fn run(self: Box<Self>, state: Arc<State>, lifecycle: Lifecycle) -> Running {
        Box::pin(run(state, lifecycle))
    }
}

async fn run(daemon: Arc<State>, mut lifecycle: Lifecycle) {
    loop {
        for problem in pass(&daemon).await {
            tracing::warn!(%problem, "history recorder");
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

/// One pass over every running account; the problems, one line each naming the account.
pub async fn pass(daemon: &State) -> Vec<String> {
    let mut problems = Vec::new();
    for account in daemon.accounts().iter() {
        if let Err(err) = snapshot(daemon, account).await {
            problems.push(format!("{}: follower snapshot: {err:#}", account.name()));
        }
        if let Err(err) = readings(daemon, account).await {
            problems.push(format!("{}: own-post metrics: {err:#}", account.name()));
        }
    }
    problems
}

/// Takes the day's snapshot of the follower counts, if the account has none for today.
async fn snapshot(daemon: &State, account: &Account) -> anyhow::Result<()> {
    if !account.description().reads(ReadKind::LookupSelf) {
        return Ok(());
    }
    let now = daemon.now();
    let zone = daemon.policy().gate.zone();
    let today = rapport_core::localtime::day_start(now, zone);
    if daemon.store.last_snapshot(account.name())?.is_some_and(|s| s.at >= today) {
        return Ok(());
    }
    let meter = Meter::new(daemon, account);
    meter.allow(ReadKind::LookupSelf)?;
    let me = account.plugin.lookup_self(&account.binding).await?;
    meter.charge(ReadKind::LookupSelf, 1)?;
    let (Some(followers), Some(following)) = (me.followers, me.following) else {
        anyhow::bail!("the platform gave no follower or following count for the account itself");
    };
    daemon.store.record_snapshot(account.name(), &FollowerSnapshot { at: now, followers, following })?;
    Ok(())
}

/// Reads the own posts' metrics when any post is due a reading, recording those due.
async fn readings(daemon: &State, account: &Account) -> anyhow::Result<()> {
    if !account.description().reads(ReadKind::OwnPosts) {
        return Ok(());
    }
    let now = daemon.now();
    if !daemon.store.readings_due(account.name(), now)? {
        return Ok(());
    }
    let meter = Meter::new(daemon, account);
    let mut cursor = None;
    for _ in 0..MAX_PAGES {
        meter.allow(ReadKind::OwnPosts)?;
        let page = account.plugin.own_posts(&account.binding, cursor).await?;
        meter.charge(ReadKind::OwnPosts, page.items.len())?;
        let mut young = false;
        for own in &page.items {
            if now - own.post.created <= READ_UNTIL_AGE {
                young = true;
                daemon.store.record_reading(account.name(), &own.post, own.metrics, now)?;
            }
        }
        match page.next_cursor {
            Some(next) if young => cursor = Some(next),
            _ => break,
        }
    }
    daemon.store.flush()?;
    Ok(())
}
