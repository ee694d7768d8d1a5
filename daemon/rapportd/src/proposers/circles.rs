//! A circle's pass, once a local day at its time: each member's recent posts, handed to the
//! core's planner, whose likes, reposts and comment drafts are proposed.

use rapport_core::circle::{self, CircleConfig, CircleInput, parse_time_of_day};
use rapport_core::localtime;
use rapport_core::reads::ReadKind;

use super::spend::Meter;
use crate::state::State;

/// Runs circle `circle` if its time today has come and it has not run today; returns how many
/// tasks it proposed.
pub async fn pass(daemon: &State, circle: &CircleConfig) -> anyhow::Result<usize> {
    let store = &daemon.store;
    let now = daemon.now();
    let zone = match &circle.timezone {
        Some(name) => Some(localtime::parse_zone(name, "timezone")?),
        None => None,
    };
    let today = super::local_day(daemon, now, zone);
    let mut state = store.circle_state(&circle.name)?;
    if state.last_day.as_deref() == Some(today.as_str()) {
        return Ok(0);
    }
    let minutes = localtime::minute_of_day(now, zone.unwrap_or_else(|| daemon.policy().gate.zone()));
    if minutes < parse_time_of_day(&circle.at).map_err(anyhow::Error::msg)? {
        return Ok(0);
    }
    let account = super::account(daemon, &circle.account)?;
    let meter = Meter::new(daemon, &account);
    let mut posts = Vec::new();
    let mut unread = Vec::new();
    for member in circle.members.iter().map(|m| m.trim()).filter(|m| !m.is_empty()) {
        meter.allow(ReadKind::RecentPosts)?;
        match account.plugin.recent_posts(&account.binding, member, None).await {
            Ok(page) => {
                meter.charge(ReadKind::RecentPosts, page.items.len())?;
                posts.extend(page.items);
            }
            // One member gone or renamed does not cost the others their day.
            Err(err) => unread.push(format!("{member}: {err}")),
        }
    }
    if !unread.is_empty() {
        tracing::warn!(circle = %circle.name, unread = %unread.join("; "), "circle members not read");
    }
    let plan = circle::plan(&posts, &CircleInput { circle, now });
    state.last_day = Some(today);
    store.set_circle_state(&circle.name, &state)?;
    Ok(store.propose_batch(account.name(), &plan, now)?.len())
}
