//! The reciprocity purge's pass, once a local day per account: who the account follows (the
//! platform's list), whether they follow back (bulk relationships), when and why rapport followed
//! them (the store's done follows), who engaged lately (the store's notifications), the
//! keep-list — handed to the core's planner, whose unfollows are proposed.

use std::collections::HashMap;

use rapport_core::purge::{self, Follow, PurgeConfig, PurgeInput};
use rapport_core::reads::ReadKind;
use rapport_core::task::ActionKind;
use rapport_host::MAX_RELATIONSHIP_IDS;

use super::spend::Meter;
use crate::state::State;

/// Pages of the following list read at most in one pass: 80 a page on Mastodon, so 8,000
/// follows, past which an account is not one a person tends by hand.
const MAX_FOLLOWING_PAGES: usize = 100;

/// Platforms whose moderation counts follow churn (Bluesky flags unfollows over half of a day's
/// follows; X's developer terms forbid follow churn outright), where the churn guard applies.
const CHURN_PUNISHED: [&str; 2] = ["bluesky", "x"];

/// Runs the purge of `config.account` if it has not run today; returns how many unfollows it
/// proposed.
pub async fn pass(daemon: &State, config: &PurgeConfig) -> anyhow::Result<usize> {
    let store = &daemon.store;
    let now = daemon.now();
    let today = super::local_day(daemon, now, None);
    let mut state = store.purge_state(&config.account)?;
    if state.last_day.as_deref() == Some(today.as_str()) {
        return Ok(0);
    }
    let account = super::account(daemon, &config.account)?;
    let description = account.description();
    if !description.permits(ActionKind::Unfollow) || !description.reads(ReadKind::Relationships) {
        anyhow::bail!("the {} plugin cannot unfollow or read relationships in bulk", description.platform);
    }
    let mut following = Vec::new();
    let mut cursor = None;
    for _ in 0..MAX_FOLLOWING_PAGES {
        let page = account.plugin.list_following(&account.binding, cursor).await?;
        following.extend(page.items);
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    let ids: Vec<String> = following.iter().map(|p| p.id.clone()).filter(|id| !id.is_empty()).collect();
    let mut followed_by = HashMap::new();
    let meter = Meter::new(daemon, &account);
    for chunk in ids.chunks(MAX_RELATIONSHIP_IDS) {
        meter.allow(ReadKind::Relationships)?;
        let answered = account.plugin.relationships(&account.binding, chunk).await?;
        meter.charge(ReadKind::Relationships, answered.len())?;
        for r in answered {
            followed_by.insert(r.id, r.relationship.followed_by);
        }
    }
    // The latest follow rapport made of each person (a refollow restarts the grace period).
    let made: HashMap<String, (i64, Option<String>)> =
        store.follows_made(account.name())?.into_iter().map(|f| (f.account_id, (f.at, f.campaign))).collect();
    let follows: Vec<Follow> = following
        .into_iter()
        .map(|profile| {
            let (followed_at, campaign) = match made.get(&profile.id) {
                Some((at, campaign)) => (Some(*at), campaign.clone()),
                None => (None, None),
            };
            // Unknown to the bulk read: treated as following back, so never unfollowed on a guess.
            let followed_by = followed_by.get(&profile.id).copied().unwrap_or(true);
            Follow { profile, followed_at, campaign, followed_by }
        })
        .collect();
    let engaged = store.engaged_since(account.name(), now - config.engaged_within.as_offset())?;
    let keep = store.keep_list(account.name())?;
    let day_start = rapport_core::localtime::day_start(now, daemon.policy().gate.zone());
    let churn_follows_today = CHURN_PUNISHED
        .contains(&description.platform.as_str())
        .then(|| store.actions_since(account.name(), ActionKind::Follow, day_start))
        .transpose()?
        .map(|sent| u32::try_from(sent.len()).unwrap_or(u32::MAX));
    let input =
        PurgeInput { config, keep: &keep, engaged: &engaged, proposed_today: 0, churn_follows_today, now };
    let plan = purge::plan(&follows, &input);
    if let Some(held) = &plan.held {
        tracing::info!(account = %config.account, %held, "purge held back unfollows");
    }
    state.last_day = Some(super::local_day(daemon, now, None));
    store.set_purge_state(&config.account, &state)?;
    Ok(store.propose_batch(account.name(), &plan.proposals, now)?.len())
}
