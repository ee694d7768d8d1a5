//! `rapport status`: each account's plugin health, last poll, queue, headroom and holds.

use rapport_core::UnixSeconds;
use rapport_core::task::TaskState;
use rapport_protocol::{
    AccountStatus, ErrorReply, MAX_PAGE, PluginHealth, RateHeadroom, ReadSpendStatus, RequestHeadroom,
    StateCount, StatusReport,
};
use rapport_store::TaskFilter;

use super::internal;
use crate::state::{AccountHealth, State};

/// Failed polls in a row after which a plugin is reported down rather than degraded.
const DOWN_AFTER: u32 = 3;

/// Held tasks listed per account.
const HELD_SHOWN: usize = 5;

/// The daemon's status.
pub fn report(state: &State, now: UnixSeconds) -> Result<StatusReport, ErrorReply> {
    let counts = state.store.counts().map_err(internal)?;
    let health = state.health();
    let mut accounts = Vec::new();
    for account in state.accounts().iter() {
        let name = account.name();
        let description = account.description();
        let polled = health.get(name);
        let last_poll = match polled.and_then(|h| h.last_poll) {
            Some(at) => Some(at),
            None => state.store.last_poll(name).map_err(internal)?,
        };
        let mut headroom = Vec::new();
        for ceiling in &description.ceilings {
            let since = now - i64::from(ceiling.window_seconds);
            let used = state.store.actions_since(name, ceiling.action, since).map_err(internal)?.len();
            headroom.push(RateHeadroom {
                action: ceiling.action,
                used: u32::try_from(used).unwrap_or(u32::MAX),
                limit: ceiling.limit,
                window_seconds: ceiling.window_seconds,
                source: format!("{} ceiling", description.platform),
            });
        }
        let requests = state.host.rate_limit(name).and_then(|live| {
            Some(RequestHeadroom {
                limit: live.limit?,
                remaining: live.remaining?,
                resets_at: live.reset_at,
                observed_at: live.observed_at,
            })
        });
        accounts.push(AccountStatus {
            name: name.to_owned(),
            platform: description.platform.clone(),
            plugin: format!("{} {}", description.name, description.version),
            plugin_health: plugin_health(polled),
            last_poll,
            queue: queue_of(&counts, name),
            headroom,
            held: held(state, name, now)?,
            attention: polled.map(attention).unwrap_or_default(),
            requests,
            read_costs: description.read_costs.clone(),
            one_at_a_time: description.one_at_a_time.clone(),
            read_spend: read_spend(state, account, now)?,
        });
    }
    // An account whose plugin did not load is down with the reason; its tasks wait in the queue.
    for unloaded in state.unloaded().iter() {
        let name = unloaded.config.name.as_str();
        accounts.push(AccountStatus {
            name: name.to_owned(),
            platform: unloaded.config.platform.clone(),
            plugin: unloaded.config.plugin.display().to_string(),
            plugin_health: PluginHealth::Down(unloaded.reason.clone()),
            last_poll: state.store.last_poll(name).map_err(internal)?,
            queue: queue_of(&counts, name),
            headroom: Vec::new(),
            held: Vec::new(),
            attention: vec![format!("its plugin did not load: {}", unloaded.reason)],
            requests: None,
            read_costs: Vec::new(),
            one_at_a_time: Vec::new(),
            read_spend: None,
        });
    }
    Ok(StatusReport {
        daemon_version: env!("CARGO_PKG_VERSION").into(),
        started_at: state.started_at,
        now,
        accounts,
    })
}

/// A plugin's health from its polls and credential checks.
fn plugin_health(polled: Option<&AccountHealth>) -> PluginHealth {
    match polled {
        Some(h) if h.credential_refused.is_some() => PluginHealth::Down(format!(
            "credential refused: {}",
            h.credential_refused.clone().unwrap_or_default()
        )),
        Some(h) if h.failures >= DOWN_AFTER => PluginHealth::Down(h.last_error.clone().unwrap_or_default()),
        Some(h) if h.failures > 0 => PluginHealth::Degraded(h.last_error.clone().unwrap_or_default()),
        _ => PluginHealth::Ok,
    }
}

/// Why the account's approved tasks wait, the first few.
fn held(state: &State, account: &str, now: UnixSeconds) -> Result<Vec<String>, ErrorReply> {
    let approved = TaskFilter {
        state: Some(TaskState::Approved),
        account: Some(account.to_owned()),
        after: None,
        limit: MAX_PAGE as usize,
    };
    Ok(state
        .store
        .page(&approved)
        .map_err(internal)?
        .into_iter()
        .filter(|t| t.not_before.is_some_and(|nb| nb > now))
        .filter_map(|t| t.note.map(|note| format!("task {}: {note}", t.id)))
        .take(HELD_SHOWN)
        .collect())
}

/// What a person must fix about the account's credential, from its health.
fn attention(health: &AccountHealth) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(why) = &health.credential_refused {
        out.push(format!(
            "the platform refused the credential ({why}); fix the token and reload rapportd (SIGHUP)"
        ));
    }
    for missing in health.access.iter().flat_map(|a| &a.missing) {
        out.push(format!(
            "the token lacks the permission {missing}; those tasks are held until it is added and rapportd reloaded"
        ));
    }
    out
}

/// `account`'s non-empty queue counts.
fn queue_of(counts: &[(String, TaskState, u64)], account: &str) -> Vec<StateCount> {
    counts
        .iter()
        .filter(|(a, _, count)| a == account && *count > 0)
        .map(|(_, state, count)| StateCount { state: *state, count: *count })
        .collect()
}

/// What `account` spent on billed reads this month, where its platform bills any.
fn read_spend(
    state: &State,
    account: &crate::accounts::Account,
    now: UnixSeconds,
) -> Result<Option<ReadSpendStatus>, ErrorReply> {
    if account.description().read_costs.is_empty() {
        return Ok(None);
    }
    let month = crate::proposers::spend::month_of(now);
    let micro_usd = state.store.read_spend(account.name(), &month).map_err(internal)?;
    Ok(Some(ReadSpendStatus { micro_usd, cap_usd: account.config.max_read_spend_usd }))
}
