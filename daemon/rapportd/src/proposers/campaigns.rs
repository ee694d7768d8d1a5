//! A follow campaign's pass: one page from each of its sources, people already followed or
//! proposed left out, the rest scored by the core's planner, at most what is left of the day's
//! share proposed.

use rapport_core::campaign::{self, CampaignConfig, PlanInput};
use rapport_core::proposal::ProposalKey;
use rapport_core::reads::{Candidate, DiscoverySource, ReadKind};
use rapport_host::MAX_RELATIONSHIP_IDS;

use super::spend::Meter;
use crate::state::State;

/// Runs one pass of `campaign`; returns how many follows it proposed.
pub async fn pass(daemon: &State, campaign: &CampaignConfig) -> anyhow::Result<usize> {
    let store = &daemon.store;
    let mut state = store.campaign_state(&campaign.name)?;
    if state.paused {
        return Ok(0);
    }
    let now = daemon.now();
    let today = super::local_day(daemon, now, None);
    if state.day.as_deref() != Some(today.as_str()) {
        state.day = Some(today);
        state.proposed_on_day = 0;
    }
    if state.proposed_on_day >= campaign.daily_share() {
        return Ok(0);
    }
    let account = super::account(daemon, &campaign.account)?;
    let meter = Meter::new(daemon, &account);
    let mut found: Vec<(DiscoverySource, Candidate)> = Vec::new();
    for source in campaign.discovery_sources() {
        let label = source.label();
        let cursor = state.cursors.get(&label).cloned();
        let read = ReadKind::of_source(&source);
        meter.allow(read)?;
        let page = account.plugin.discover(&account.binding, &source, cursor).await?;
        meter.charge(read, page.items.len())?;
        // At the end of a source, the next pass starts from its top again: new posts come first
        // there, and people seen before are refused by their proposal key.
        match page.next_cursor {
            Some(next) => state.cursors.insert(label, next),
            None => state.cursors.remove(&label),
        };
        for candidate in page.items {
            let id = &candidate.account.id;
            if !id.is_empty() && !store.seen(account.name(), &ProposalKey::follow(id))? {
                found.push((source.clone(), candidate));
            }
        }
    }
    if account.description().reads(ReadKind::Relationships) && !found.is_empty() {
        let ids: Vec<String> = found.iter().map(|(_, c)| c.account.id.clone()).collect();
        let mut following = std::collections::HashSet::new();
        for chunk in ids.chunks(MAX_RELATIONSHIP_IDS) {
            meter.allow(ReadKind::Relationships)?;
            let answered = account.plugin.relationships(&account.binding, chunk).await?;
            meter.charge(ReadKind::Relationships, answered.len())?;
            for r in answered {
                if r.relationship.following || r.relationship.requested {
                    following.insert(r.id);
                }
            }
        }
        found.retain(|(_, c)| !following.contains(&c.account.id));
    }
    let settings = daemon.settings();
    let input = PlanInput {
        campaign,
        legitimacy: &settings.config.triage.legitimacy,
        proposed_today: state.proposed_on_day,
        now,
        by_hand: crate::policy::by_hand_follows(account.description()),
    };
    let proposals = campaign::plan(&found, &input);
    // The day's count is written before the tasks, as a reservation: a crash between the two
    // proposes fewer that day, never more than its share. Written atomically beside a pause
    // that may have come in during the reads, which then stops the proposals.
    let reserved = u32::try_from(proposals.len()).unwrap_or(u32::MAX);
    let written = store.update_campaign_state(&campaign.name, |record| {
        record.cursors.clone_from(&state.cursors);
        record.day.clone_from(&state.day);
        record.proposed_on_day = state.proposed_on_day + if record.paused { 0 } else { reserved };
        record.last_pass = Some(now);
    })?;
    if written.paused {
        return Ok(0);
    }
    let made = store.propose_batch(account.name(), &proposals, now)?;
    Ok(made.len())
}
