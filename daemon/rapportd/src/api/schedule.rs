//! `rapport schedule`: the coming slots as the core's simulation sees them, and the missed ones.

use rapport_core::UnixSeconds;
use rapport_core::library::{AccountHistory, PlanRequest, SlotVerdict as PlanVerdict};
use rapport_core::task::ActionKind;
use rapport_protocol::requests::Schedule;
use rapport_protocol::{ErrorReply, MAX_PAGE, MissedSlot, ScheduleAnswer, ScheduleReport, Slot, SlotVerdict};

use super::internal;
use crate::scheduler;
use crate::state::State;

/// The report, or the slots alone for a client from before the report.
pub fn answer(state: &State, request: Schedule, now: UnixSeconds) -> Result<ScheduleAnswer, ErrorReply> {
    if request.report {
        report(state, request.count, now).map(ScheduleAnswer::Report)
    } else {
        slots(state, request.count, now).map(|slots| ScheduleAnswer::Slots(for_older_clients(slots)))
    }
}

/// The coming slots and the missed ones, for `rapport schedule`.
fn report(state: &State, count: u32, now: UnixSeconds) -> Result<ScheduleReport, ErrorReply> {
    let policy = state.policy();
    let mut missed = Vec::new();
    let mut missed_earlier = false;
    for schedule in &policy.schedules {
        let config = schedule.config();
        let record = scheduler::missed(state, &config.name).map_err(internal)?;
        missed_earlier |= record.earlier;
        missed.extend(record.slots.into_iter().map(|at| MissedSlot {
            schedule: config.name.clone(),
            accounts: config.accounts.clone(),
            at,
            timezone: config.timezone.clone(),
        }));
    }
    // The most recent across the schedules, as many as one schedule keeps.
    missed.sort_by_key(|m| m.at);
    let excess = missed.len().saturating_sub(scheduler::MISSED_KEPT);
    missed.drain(..excess);
    missed_earlier |= excess > 0;
    Ok(ScheduleReport { now, slots: slots(state, count, now)?, missed, missed_earlier })
}

/// The next `count` slots as they would go: the core's simulation over each account's history.
fn slots(state: &State, count: u32, now: UnixSeconds) -> Result<Vec<Slot>, ErrorReply> {
    let policy = state.policy();
    let accounts = state.accounts();
    let mut history: Vec<AccountHistory> = Vec::new();
    for name in policy.schedules.iter().flat_map(|s| &s.config().accounts) {
        if history.iter().any(|h| h.account == *name) {
            continue;
        }
        let store = &state.store;
        history.push(AccountHistory {
            account: name.clone(),
            published: policy.published(store, name).map_err(internal)?,
            posts: policy.recent_posts(store, name, now).map_err(internal)?,
            ratio_posts: policy.ratio_posts(store, name, now).map_err(internal)?,
            ledger: store
                .actions_since(name, ActionKind::Publish, now - policy.gate.lookback())
                .map_err(internal)?,
            ceilings: accounts
                .iter()
                .find(|a| a.name() == name)
                .map(|a| a.description().ceilings.clone())
                .unwrap_or_default(),
            snapshot: state.host.rate_limit(name),
        });
    }
    let plan = policy.library.plan(&PlanRequest {
        schedules: &policy.schedules,
        gate: &policy.gate,
        history: &history,
        jitter_seed: policy.jitter_seed,
        now,
        count: count.clamp(1, MAX_PAGE) as usize,
    });
    Ok(plan
        .into_iter()
        .map(|p| {
            let (verdict, until, note) = match p.verdict {
                PlanVerdict::Post => (SlotVerdict::Post, None, None),
                PlanVerdict::Held { until, reason } => (SlotVerdict::Held, until, Some(reason)),
                PlanVerdict::Skipped { until, reason } => (SlotVerdict::Skipped, until, Some(reason)),
                PlanVerdict::Nothing { reason } => (SlotVerdict::Nothing, None, Some(reason)),
            };
            Slot {
                schedule: p.schedule.config().name.clone(),
                account: p.account.to_owned(),
                at: p.at,
                entry: p.entry.map(|e| e.id.clone()),
                kind: p.entry.map(|e| e.kind),
                note,
                timezone: p.schedule.config().timezone.clone(),
                verdict: Some(verdict),
                until,
            }
        })
        .collect())
}

/// Slots as a client from before [`SlotVerdict`] reads them: it shows the entry, else the note,
/// so an entry the slot holds back is left out for the note to show why nothing goes.
fn for_older_clients(mut slots: Vec<Slot>) -> Vec<Slot> {
    for slot in &mut slots {
        if matches!(slot.verdict, Some(SlotVerdict::Skipped | SlotVerdict::Nothing)) {
            (slot.entry, slot.kind) = (None, None);
        }
    }
    slots
}
