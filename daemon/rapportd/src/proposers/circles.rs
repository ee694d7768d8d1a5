//! A circle's pass, once a local day at its time: its members — those the config names, its
//! platform list's, and the mutuals who engaged lately — and their recent posts, handed to the
//! core's planner, whose likes, reposts and comment drafts are proposed.

use std::collections::HashSet;

use rapport_core::circle::{self, CircleConfig, CircleInput, parse_time_of_day};
use rapport_core::localtime;
use rapport_core::reads::{DiscoverySource, ReadKind};
use rapport_host::MAX_RELATIONSHIP_IDS;

use super::spend::Meter;
use crate::state::State;

/// Mutuals read a day at most: each costs one read of their posts.
const MAX_MUTUALS: usize = 20;

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
    let state = store.circle_state(&circle.name)?;
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
    let mut found = HashSet::new();
    // A list's timeline holds its members' recent posts already.
    if let Some(list) = circle.list.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        let source = DiscoverySource::List(list.to_owned());
        meter.allow(ReadKind::DiscoverList)?;
        let page = account.plugin.discover(&account.binding, &source, None).await?;
        meter.charge(ReadKind::DiscoverList, page.items.len())?;
        for candidate in page.items {
            found.insert(candidate.account.id.clone());
            posts.extend(candidate.post);
        }
    }
    let mut members = circle.effective_members(&state.added, &state.removed);
    if let Some(within) = circle.mutuals_engaged_within {
        let mutuals = engaged_mutuals(daemon, &account, &meter, now - within.as_offset()).await?;
        found.extend(mutuals.iter().cloned());
        members.extend(mutuals);
    }
    let mut unread = Vec::new();
    for member in &members {
        meter.allow(ReadKind::RecentPosts)?;
        match account.plugin.recent_posts(&account.binding, member, None).await {
            Ok(page) => {
                meter.charge(ReadKind::RecentPosts, page.items.len())?;
                // The member's own posts: whoever wrote them is in the circle, however the
                // member was named (an added handle, a configured id).
                found.extend(page.items.iter().map(|p| p.author.id.clone()));
                posts.extend(page.items);
            }
            // One member gone or renamed does not cost the others their day.
            Err(err) => unread.push(format!("{member}: {err}")),
        }
    }
    if !unread.is_empty() {
        tracing::warn!(circle = %circle.name, unread = %unread.join("; "), "circle members not read");
    }
    let plan = circle::plan(&posts, &CircleInput { circle, found_members: &found, now });
    // Only the day is written: members a person adds or removes meanwhile stay as they are.
    store.update_circle_state(&circle.name, |record| record.last_day = Some(today.clone()))?;
    Ok(store.propose_batch(account.name(), &plan, now)?.len())
}

/// The people who engaged with the account since `since` and follow each other with it, most
/// recent first, at most [`MAX_MUTUALS`].
async fn engaged_mutuals(
    daemon: &State,
    account: &crate::accounts::Account,
    meter: &Meter<'_>,
    since: rapport_core::UnixSeconds,
) -> anyhow::Result<Vec<String>> {
    let mut engaged: Vec<(String, rapport_core::UnixSeconds)> =
        daemon.store.engaged_since(account.name(), since)?.into_iter().collect();
    engaged.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    engaged.truncate(MAX_RELATIONSHIP_IDS);
    if engaged.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = engaged.into_iter().map(|(id, _)| id).collect();
    meter.allow(ReadKind::Relationships)?;
    let answered = account.plugin.relationships(&account.binding, &ids).await?;
    meter.charge(ReadKind::Relationships, answered.len())?;
    let mutual: HashSet<String> = answered
        .into_iter()
        .filter(|r| r.relationship.following && r.relationship.followed_by)
        .map(|r| r.id)
        .collect();
    Ok(ids.into_iter().filter(|id| mutual.contains(id)).take(MAX_MUTUALS).collect())
}
