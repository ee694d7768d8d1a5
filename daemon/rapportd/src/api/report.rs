//! The engagement report's request: gathers each account's recorded history for the window
//! (follower snapshots, own posts with their readings, the interaction ledger, reply response
//! times, actions against their daily budgets) and hands it to the core's pure report.

use rapport_core::UnixSeconds;
use rapport_core::history::{ActionDay, ResponseTime};
use rapport_core::localtime;
use rapport_core::report::{Report, ReportInput};
use rapport_core::task::{Action, ActionKind, Origin, TaskState};
use rapport_protocol::requests;
use rapport_protocol::{ErrorCode, ErrorReply};
use rapport_store::TaskFilter;

use super::internal;
use crate::state::State;

/// The longest window a report covers: a year and a day (a year of history is what the store
/// is sized and benchmarked for).
const MAX_SINCE: i64 = 366 * 86_400;

/// Done tasks read per page when collecting reply response times.
const PAGE: usize = 500;

/// One report per account asked for (the one named, or every configured one).
pub fn reports(
    state: &State,
    request: requests::Report,
    now: UnixSeconds,
) -> Result<Vec<Report>, ErrorReply> {
    if request.since <= 0 || request.since > MAX_SINCE {
        return Err(ErrorReply::new(
            ErrorCode::BadRequest,
            format!("--since must be between 1h and 366d, not {}s", request.since),
        ));
    }
    let settings = state.settings();
    let accounts: Vec<_> = settings
        .config
        .accounts
        .iter()
        .filter(|a| request.account.as_ref().is_none_or(|named| *named == a.name))
        .collect();
    if let (Some(named), true) = (&request.account, accounts.is_empty()) {
        let names: Vec<&str> = settings.config.accounts.iter().map(|a| a.name.as_str()).collect();
        return Err(ErrorReply::new(
            ErrorCode::NotFound,
            format!("no account `{named}` in the configuration; configured: {}", names.join(", ")),
        ));
    }
    let zone = state.policy().gate.zone();
    let since = now - request.since;
    let mut out = Vec::with_capacity(accounts.len());
    for account in accounts {
        let name = account.name.as_str();
        let store = &state.store;
        let snapshots = store.snapshots(name).map_err(internal)?;
        // Posts from before the window are not in it; their readings inside it are not either.
        let posts = store.post_histories(name, since).map_err(internal)?;
        let interactions = store.interactions_between(name, since, now).map_err(internal)?;
        let responses = response_times(state, name, since)?;
        let actions = action_days(state, name, since, now, zone)?;
        let input = ReportInput {
            account: name,
            platform: &account.platform,
            since,
            until: now,
            by: request.by,
            zone,
            snapshots: &snapshots,
            posts: &posts,
            interactions: &interactions,
            responses: &responses,
            actions: &actions,
        };
        out.push(rapport_core::report::compute(&input));
    }
    Ok(out)
}

/// Replies sent since `since` to a notification: when it came and when the reply went out.
fn response_times(state: &State, account: &str, since: UnixSeconds) -> Result<Vec<ResponseTime>, ErrorReply> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let filter = TaskFilter {
            state: Some(TaskState::Done),
            account: Some(account.to_owned()),
            after,
            limit: PAGE,
        };
        let tasks = state.store.page(&filter).map_err(internal)?;
        let Some(last) = tasks.last() else { break };
        after = Some(last.id);
        for task in &tasks {
            let (Action::Reply { .. }, Origin::Notification { id }) = (&task.action, &task.origin) else {
                continue;
            };
            if task.updated_at < since {
                continue;
            }
            if let Some(notification) = state.store.notification(account, id).map_err(internal)? {
                out.push(ResponseTime { notified_at: notification.at, replied_at: task.updated_at });
            }
        }
    }
    out.sort_by_key(|r| r.replied_at);
    Ok(out)
}

/// Each local day's actions per kind, for the kinds done in the window or limited by a daily
/// budget, with that budget.
fn action_days(
    state: &State,
    account: &str,
    since: UnixSeconds,
    until: UnixSeconds,
    zone: chrono_tz::Tz,
) -> Result<Vec<ActionDay>, ErrorReply> {
    let settings = state.settings();
    let mut out = Vec::new();
    for kind in ActionKind::ALL {
        let done = state.store.actions_since(account, kind, since).map_err(internal)?;
        let budget = settings.config.policy.daily_limit(account, kind);
        if done.is_empty() && budget.is_none() {
            continue;
        }
        let mut day = localtime::day_start(since, zone);
        let mut times = done.iter().copied().peekable();
        while day < until {
            let next = localtime::next_day_start(day, zone);
            let mut count = 0u32;
            while times.next_if(|at| *at < next).is_some() {
                count += 1;
            }
            out.push(ActionDay { day, kind, done: count, budget });
            day = next;
        }
    }
    Ok(out)
}
