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
            && account.read_costs.is_empty()
            && account.one_at_a_time.is_empty()
            && account.read_spend.is_none()
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
        if !account.one_at_a_time.is_empty() {
            let kinds: Vec<&str> = account.one_at_a_time.iter().map(|k| k.as_str()).collect();
            let _ = writeln!(
                out,
                "  {:<22} {} ({}'s rules)",
                "one at a time",
                kinds.join(", "),
                account.platform
            );
        }
        if !account.read_costs.is_empty() {
            let costs: Vec<String> = account
                .read_costs
                .iter()
                .map(|c| format!("{} {}", c.read.as_str(), usd(c.micro_usd_per_item)))
                .collect();
            let _ = writeln!(out, "  {:<22} {} per item", "billed reads", costs.join(", "));
        }
        if let Some(spend) = &account.read_spend {
            let cap = spend
                .cap_usd
                .map_or_else(|| "no cap".to_owned(), |cap| format!("of ${cap} (max_read_spend_usd)"));
            let _ = writeln!(
                out,
                "  {:<22} ${:.2} this month, {cap}",
                "read spend",
                spend.micro_usd as f64 / 1e6
            );
        }
        for reason in &account.held {
            let _ = writeln!(out, "  held: {reason}");
        }
    }
    out
}

/// Micro-dollars as people write prices: "$0.015", "$0.001", "$0.0005".
fn usd(micro: u32) -> String {
    let text = format!("{:.6}", f64::from(micro) / 1e6);
    let trimmed = text.trim_end_matches('0');
    let decimals = trimmed.split('.').nth(1).map_or(0, str::len).max(3);
    format!("${:.*}", decimals, f64::from(micro) / 1e6)
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
    use rapport_core::reads::{ReadCost, ReadKind};
    use rapport_core::task::{ActionKind, TaskState};
    use rapport_protocol::{RateHeadroom, ReadSpendStatus, RequestHeadroom, StateCount};

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
            read_costs: Vec::new(),
            one_at_a_time: Vec::new(),
            read_spend: None,
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

    #[test]
    fn what_reads_cost_and_what_is_approved_one_at_a_time_are_shown() {
        let account = AccountStatus {
            name: "brand-x".into(),
            platform: "x".into(),
            plugin: "x 0.2.0".into(),
            plugin_health: PluginHealth::Ok,
            last_poll: None,
            queue: Vec::new(),
            headroom: Vec::new(),
            held: Vec::new(),
            attention: Vec::new(),
            requests: None,
            read_costs: vec![
                ReadCost { read: ReadKind::DiscoverHashtag, micro_usd_per_item: 15_000 },
                ReadCost { read: ReadKind::OwnPosts, micro_usd_per_item: 1_000 },
                ReadCost { read: ReadKind::Relationships, micro_usd_per_item: 500 },
            ],
            one_at_a_time: vec![ActionKind::Follow, ActionKind::Like],
            read_spend: Some(ReadSpendStatus { micro_usd: 4_250_000, cap_usd: Some(25) }),
        };
        let report = StatusReport {
            daemon_version: "0.1.0".into(),
            started_at: NOW,
            now: NOW,
            accounts: vec![account],
        };
        let text = view(&report);
        assert!(text.contains("  one at a time          follow, like (x's rules)\n"), "{text}");
        assert!(
            text.contains("  read spend             $4.25 this month, of $25 (max_read_spend_usd)\n"),
            "{text}"
        );
        assert!(
            text.contains("  billed reads           discover-hashtag $0.015, own-posts $0.001, relationships $0.0005 per item\n"),
            "{text}"
        );
    }
}
