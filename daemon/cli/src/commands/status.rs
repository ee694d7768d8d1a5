//! `rapport status`: accounts, plugin health, last poll, queue counts, rate headroom and holds.

use std::fmt::Write as _;

use rapport_protocol::requests::Status;
use rapport_protocol::{AccountStatus, PluginHealth, StatusReport};

use super::Context;
use crate::Exit;
use crate::view::{relative, table};

/// Arguments of `rapport status` (none).
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Prints the daemon's status.
pub fn run(Args {}: Args, cx: &Context) -> anyhow::Result<Exit> {
    let report = cx.client.call(Status {})?;
    cx.print(&report, view)?;
    Ok(Exit::Ok)
}

/// One account's plugin health in a word or a sentence.
fn health(h: &PluginHealth) -> String {
    match h {
        PluginHealth::Ok => "ok".into(),
        PluginHealth::Degraded(reason) => format!("degraded: {reason}"),
        PluginHealth::Down(reason) => format!("DOWN: {reason}"),
    }
}

/// The queue counts of an account as `proposed 3, approved 1`.
fn queue_counts(account: &AccountStatus) -> String {
    if account.queue.is_empty() {
        return "empty".into();
    }
    account.queue.iter().map(|c| format!("{} {}", c.state, c.count)).collect::<Vec<_>>().join(", ")
}

/// The daemon's status: an accounts table, then what needs attention, headroom and holds per
/// account.
fn view(report: &StatusReport) -> String {
    let now = report.now;
    let mut out =
        format!("rapportd {} · up since {}\n\n", report.daemon_version, relative(now, report.started_at));
    if report.accounts.is_empty() {
        out.push_str("No accounts configured.\n");
        return out;
    }
    let rows: Vec<Vec<String>> = report
        .accounts
        .iter()
        .map(|a| {
            vec![
                a.name.clone(),
                a.platform.clone(),
                a.plugin.clone(),
                health(&a.plugin_health),
                a.last_poll.map_or_else(|| "never".into(), |at| relative(now, at)),
                queue_counts(a),
            ]
        })
        .collect();
    out.push_str(&table(&["ACCOUNT", "PLATFORM", "PLUGIN", "HEALTH", "LAST POLL", "QUEUE"], &rows));
    for account in &report.accounts {
        if account.headroom.is_empty()
            && account.held.is_empty()
            && account.attention.is_empty()
            && account.requests.is_none()
        {
            continue;
        }
        let _ = writeln!(out, "\n{}:", account.name);
        for problem in &account.attention {
            let _ = writeln!(out, "  needs attention: {problem}");
        }
        for h in &account.headroom {
            let left = h.limit.saturating_sub(h.used);
            let _ = writeln!(
                out,
                "  {:<22} {left} of {} left per {} ({})",
                h.action.as_str(),
                h.limit,
                window(h.window_seconds),
                h.source
            );
        }
        if let Some(requests) = &account.requests {
            let resets = requests
                .resets_at
                .map(|at| format!(", resets {}", relative(now, at.max(now))))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:<22} {} of {} left{resets} (all calls, as {} last reported {})",
                "API requests",
                requests.remaining,
                requests.limit,
                account.platform,
                relative(now, requests.observed_at)
            );
        }
        for reason in &account.held {
            let _ = writeln!(out, "  held: {reason}");
        }
    }
    out
}

/// A window length in words: "hour", "24h", "7d".
fn window(seconds: u32) -> String {
    match seconds {
        60 => "minute".into(),
        3_600 => "hour".into(),
        86_400 => "day".into(),
        604_800 => "week".into(),
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3_600 == 0 => format!("{}h", s / 3_600),
        s => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use rapport_core::task::{ActionKind, TaskState};
    use rapport_protocol::{RateHeadroom, RequestHeadroom, StateCount};

    use super::*;

    const NOW: i64 = 1_700_000_000;

    #[test]
    fn the_request_budget_is_shown_as_one_budget_for_all_calls() {
        let account = AccountStatus {
            name: "shop".into(),
            platform: "mastodon".into(),
            plugin: "mastodon 0.2.0".into(),
            plugin_health: PluginHealth::Ok,
            last_poll: Some(NOW - 120),
            queue: vec![StateCount { state: TaskState::Proposed, count: 3 }],
            headroom: vec![RateHeadroom {
                action: ActionKind::Follow,
                used: 10,
                limit: 400,
                window_seconds: 86_400,
                source: "mastodon ceiling".into(),
            }],
            held: Vec::new(),
            attention: Vec::new(),
            requests: Some(RequestHeadroom {
                limit: 300,
                remaining: 288,
                resets_at: Some(NOW + 600),
                observed_at: NOW - 60,
            }),
        };
        let report = StatusReport {
            daemon_version: "0.1.0".into(),
            started_at: NOW - 7_200,
            now: NOW,
            accounts: vec![account],
        };
        let expected = "\
rapportd 0.1.0 · up since 2h ago

ACCOUNT  PLATFORM  PLUGIN          HEALTH  LAST POLL  QUEUE
shop     mastodon  mastodon 0.2.0  ok      2m ago     proposed 3

shop:
  follow                 390 of 400 left per day (mastodon ceiling)
  API requests           288 of 300 left, resets in 10m (all calls, as mastodon last reported 1m ago)
";
        assert_eq!(view(&report), expected);
    }
}
