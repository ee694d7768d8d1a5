//! Rate budgets: how often each account may do each kind of action, and when it may act next.
//!
//! A budget is any mix of rolling windows (per hour, day, week, or any length) plus a minimum gap,
//! per account and action kind. A weekly goal ("follow 100 a week") becomes a weekly window and a
//! daily share of it, and the actions are paced across the day with jitter so a budget is never
//! spent in one burst. The platform's own hard ceilings apply on top: config may lower them, never
//! raise them, and the live rate-limit headers pause an account before the platform refuses.
//!
//! Windows are rolling: an action at `t` is allowed iff fewer than `limit` actions lie in
//! `(t - length, t]`. By induction this keeps every window of that length, anywhere in time, at or
//! under its limit, which a calendar "today" counter would not (40 at 23:59 and 40 at 00:01).
//! The ledger is a sorted slice of past action times, so every check is a binary search.

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::UnixSeconds;
use crate::config::{Invalid, KeyedError};
use crate::localtime;
use crate::platform::{RateCeiling, RateLimitSnapshot};
use crate::span::Span;
use crate::task::ActionKind;

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
const WEEK: i64 = 604_800;

/// The `[policy]` section: budgets, the live-limit reserve and the zone hold reasons are shown in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// IANA zone for the times in hold reasons ("next at 09:12 CET"); UTC when absent.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Requests to leave unused in the platform's live window, so polling keeps working when
    /// actions pause: an account holds once the platform reports this many or fewer remaining.
    #[serde(default = "default_reserve")]
    pub reserve: u64,
    /// The budgets, each for one action kind and one account (or every account).
    #[serde(default)]
    pub budgets: Vec<BudgetConfig>,
}

impl Default for PolicyConfig {
    fn default() -> PolicyConfig {
        PolicyConfig { timezone: None, reserve: default_reserve(), budgets: Vec::new() }
    }
}

fn default_reserve() -> u64 {
    2
}

/// One `[[policy.budgets]]` entry: limits for one action kind of one account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetConfig {
    /// The configured account it limits; absent for every account.
    #[serde(default)]
    pub account: Option<String>,
    /// The action kind it limits (`follow`, `reply`, `publish`, …).
    pub action: ActionKind,
    /// At most this many in any hour.
    #[serde(default)]
    pub per_hour: Option<u32>,
    /// At most this many in any 24 hours.
    #[serde(default)]
    pub per_day: Option<u32>,
    /// At most this many in any 7 days.
    #[serde(default)]
    pub per_week: Option<u32>,
    /// Further windows of any length.
    #[serde(default)]
    pub windows: Vec<WindowConfig>,
    /// A weekly target, spread into a daily share of ceil(goal / 7) and capped at the goal per week.
    #[serde(default)]
    pub weekly_goal: Option<u32>,
    /// The least time between two actions.
    #[serde(default)]
    pub min_gap: Option<Span>,
    /// How far each spacing may stray from the even pace, as a fraction of it (0 to 0.5).
    #[serde(default = "default_jitter")]
    pub jitter: f64,
}

fn default_jitter() -> f64 {
    0.2
}

/// A window of any length, `{ length = "15m", limit = 5 }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowConfig {
    /// The window's length.
    pub length: Span,
    /// At most this many actions in any window of that length.
    pub limit: u32,
}

/// A budget setting that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BudgetError {
    /// A limit of zero would hold the action forever.
    #[error(
        "{key} is 0; a limit must be at least 1 (to stop this action, remove it from the account's actions)"
    )]
    ZeroLimit {
        /// The config key.
        key: String,
    },
    /// A window of zero length limits nothing.
    #[error("{key} is 0s; a window must be at least one second long")]
    ZeroWindow {
        /// The config key.
        key: String,
    },
    /// Jitter outside 0..=0.5 could bunch actions up or stall them.
    #[error("{key} is {value}; jitter is a fraction of the spacing between 0 and 0.5")]
    Jitter {
        /// The config key.
        key: String,
        /// The value given.
        value: String,
    },
    /// A configured limit is above what the platform permits.
    #[error(
        "{key} is {configured}, above the ceiling of {ceiling} {action} per {window} that the platform of account `{account}` allows; lower it to {ceiling} or less"
    )]
    AboveCeiling {
        /// The config key.
        key: String,
        /// The account whose platform sets the ceiling.
        account: String,
        /// The configured limit.
        configured: u32,
        /// The platform's limit for the same window.
        ceiling: u32,
        /// The action kind.
        action: ActionKind,
        /// The window, in words.
        window: String,
    },
    /// The zone for hold reasons is unknown.
    #[error(transparent)]
    Zone(#[from] localtime::ZoneError),
}

impl KeyedError for BudgetError {
    fn key(&self) -> String {
        match self {
            BudgetError::ZeroLimit { key }
            | BudgetError::ZeroWindow { key }
            | BudgetError::Jitter { key, .. }
            | BudgetError::AboveCeiling { key, .. } => key.clone(),
            BudgetError::Zone(zone) => zone.key(),
        }
    }
}

/// Where a window's limit comes from, for the hold reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// Set directly in config.
    Configured,
    /// Derived from a weekly goal of this many.
    Goal(u32),
    /// The platform's hard ceiling.
    Ceiling,
}

/// A rolling window with its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    length: i64,
    limit: u32,
    source: Source,
}

/// One compiled budget.
#[derive(Debug, Clone, PartialEq)]
struct Budget {
    account: Option<String>,
    action: ActionKind,
    windows: Vec<(Window, String)>,
    min_gap: i64,
    /// The even pace: the average interval of the tightest window of a day or less.
    spacing: i64,
    jitter: f64,
}

impl Budget {
    fn applies_to(&self, account: &str, action: ActionKind) -> bool {
        self.action == action && self.account.as_deref().is_none_or(|a| a == account)
    }
}

/// The compiled `[policy]` budgets, ready to answer "may this account act now?".
#[derive(Debug, Clone, PartialEq)]
pub struct Budgets {
    budgets: Vec<Budget>,
    reserve: u64,
    zone: Tz,
}

/// Why an action must wait, before it is put into words.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Blocker<'a> {
    /// A window is full.
    Window { account: &'a str, action: ActionKind, window: Window, used: usize, until: UnixSeconds },
    /// Too soon after the previous action.
    Spacing { account: &'a str, action: ActionKind, gap: i64, min_gap: bool, until: UnixSeconds },
    /// The platform's live window is (nearly) spent.
    Live { account: &'a str, remaining: u64, reserve: u64, until: UnixSeconds },
}

impl Blocker<'_> {
    /// The earliest time the action may go out, as far as this blocker knows.
    pub(crate) fn until(&self) -> UnixSeconds {
        match *self {
            Blocker::Window { until, .. } | Blocker::Spacing { until, .. } | Blocker::Live { until, .. } => {
                until
            }
        }
    }

    /// The blocker in words, with times in the zone.
    pub(crate) fn reason(&self, now: UnixSeconds, zone: Tz) -> String {
        let next = localtime::label(self.until(), now, zone);
        match *self {
            Blocker::Window { account, action, window, used, .. } => {
                let span = window_name(window.length);
                let limit = window.limit;
                match window.source {
                    Source::Configured => {
                        format!(
                            "{action} budget of {account} used {used}/{limit} in the last {span}; next at {next}"
                        )
                    }
                    Source::Goal(goal) => format!(
                        "{action} goal of {account} ({goal} a week, {} a day) used {used}/{limit} in the last {span}; next at {next}",
                        daily_share(goal)
                    ),
                    Source::Ceiling => format!(
                        "the platform's ceiling for {action} on {account} is used {used}/{limit} in the last {span}; next at {next}"
                    ),
                }
            }
            Blocker::Spacing { account, action, gap, min_gap: true, .. } => format!(
                "{action} on {account} needs {} between actions; next at {next}",
                Span::from_secs(gap.unsigned_abs())
            ),
            Blocker::Spacing { account, action, gap, min_gap: false, .. } => format!(
                "{action} on {account} is paced about {} apart so the budget spreads over the day; next at {next}",
                Span::from_secs(gap.unsigned_abs())
            ),
            Blocker::Live { account, remaining, reserve, .. } => format!(
                "the platform allows {account} {remaining} more requests (keeping {reserve} in reserve) until its limit resets at {next}"
            ),
        }
    }
}

/// "hour", "day", "week", or the span ("15m").
fn window_name(length: i64) -> String {
    match length {
        HOUR => "hour".into(),
        DAY => "day".into(),
        WEEK => "week".into(),
        other => Span::from_secs(other.unsigned_abs()).to_string(),
    }
}

fn daily_share(goal: u32) -> u32 {
    goal.div_ceil(7)
}

impl Budgets {
    /// How far back the ledger must reach for a decision: the longest configured window, and at
    /// least a week (the longest window a platform ceiling or a weekly goal uses).
    pub fn lookback(&self) -> i64 {
        self.budgets.iter().flat_map(|b| b.windows.iter().map(|(w, _)| w.length)).fold(WEEK, i64::max)
    }
}

impl PolicyConfig {
    /// The most `action`s a day `account`'s budgets allow: the tightest of their `per_day` and
    /// their weekly goal's daily share; `None` when no budget limits it by the day.
    pub fn daily_limit(&self, account: &str, action: ActionKind) -> Option<u32> {
        self.budgets
            .iter()
            .filter(|b| b.action == action && b.account.as_deref().is_none_or(|a| a == account))
            .flat_map(|b| b.per_day.into_iter().chain(b.weekly_goal.map(daily_share)))
            .min()
    }

    /// Every problem [`PolicyConfig::compile`] would stop at, for the config check; keys are
    /// from the root (`policy.budgets[1].jitter`).
    pub fn problems(&self) -> Vec<Invalid> {
        let zone =
            self.timezone.as_ref().and_then(|name| localtime::parse_zone(name, "policy.timezone").err());
        let budgets = self.budgets.iter().enumerate().filter_map(|(i, b)| b.compile(i).err());
        zone.map(BudgetError::Zone).into_iter().chain(budgets).map(|e| e.invalid()).collect()
    }

    /// Compiles and checks the budgets; errors name the config key at fault.
    pub fn compile(&self) -> Result<Budgets, BudgetError> {
        let zone = match &self.timezone {
            Some(name) => localtime::parse_zone(name, "policy.timezone")?,
            None => Tz::UTC,
        };
        let budgets =
            self.budgets.iter().enumerate().map(|(i, b)| b.compile(i)).collect::<Result<Vec<_>, _>>()?;
        Ok(Budgets { budgets, reserve: self.reserve, zone })
    }

    /// Checks the budgets that apply to `account` against its platform's ceilings: a configured
    /// limit above the ceiling for the same window length is an error naming the key.
    pub fn check_ceilings(&self, account: &str, ceilings: &[RateCeiling]) -> Result<(), BudgetError> {
        for (i, budget) in self.budgets.iter().enumerate() {
            if budget.account.as_deref().is_some_and(|a| a != account) {
                continue;
            }
            for (window, key) in budget.compile(i)?.windows {
                let ceiling = ceilings.iter().find(|c| {
                    c.action == budget.action
                        && i64::from(c.window_seconds) == window.length
                        && window.limit > c.limit
                });
                if let Some(c) = ceiling {
                    return Err(BudgetError::AboveCeiling {
                        key,
                        account: account.to_owned(),
                        configured: window.limit,
                        ceiling: c.limit,
                        action: budget.action,
                        window: window_name(window.length),
                    });
                }
            }
        }
        Ok(())
    }
}

impl BudgetConfig {
    fn compile(&self, index: usize) -> Result<Budget, BudgetError> {
        let key = |suffix: &str| format!("policy.budgets[{index}].{suffix}");
        let mut windows = Vec::new();
        let mut push = |length: i64, limit: u32, source: Source, key_suffix: String| {
            if limit == 0 {
                return Err(BudgetError::ZeroLimit { key: key(&key_suffix) });
            }
            if length <= 0 {
                return Err(BudgetError::ZeroWindow { key: key(&key_suffix) });
            }
            windows.push((Window { length, limit, source }, key(&key_suffix)));
            Ok(())
        };
        for (length, limit, name) in [
            (HOUR, self.per_hour, "per_hour"),
            (DAY, self.per_day, "per_day"),
            (WEEK, self.per_week, "per_week"),
        ] {
            if let Some(limit) = limit {
                push(length, limit, Source::Configured, name.into())?;
            }
        }
        for (j, w) in self.windows.iter().enumerate() {
            if w.length.as_secs() == 0 {
                return Err(BudgetError::ZeroWindow { key: key(&format!("windows[{j}].length")) });
            }
            push(w.length.as_offset(), w.limit, Source::Configured, format!("windows[{j}].limit"))?;
        }
        if let Some(goal) = self.weekly_goal {
            push(WEEK, goal, Source::Goal(goal), "weekly_goal".into())?;
            push(DAY, daily_share(goal), Source::Goal(goal), "weekly_goal".into())?;
        }
        if !(0.0..=0.5).contains(&self.jitter) {
            return Err(BudgetError::Jitter { key: key("jitter"), value: self.jitter.to_string() });
        }
        let interval = |w: &Window| w.length / i64::from(w.limit);
        let within_day = windows.iter().map(|(w, _)| w).filter(|w| w.length <= DAY).map(interval).max();
        let spacing = within_day.or_else(|| windows.iter().map(|(w, _)| interval(w)).max()).unwrap_or(0);
        Ok(Budget {
            account: self.account.clone(),
            action: self.action,
            windows,
            min_gap: self.min_gap.map_or(0, Span::as_offset),
            spacing,
            jitter: self.jitter,
        })
    }
}

/// What the budgets need to know about one prospective action.
#[derive(Debug, Clone, Copy)]
pub struct BudgetQuery<'a> {
    /// The configured account acting.
    pub account: &'a str,
    /// The action kind.
    pub action: ActionKind,
    /// The time of the decision.
    pub now: UnixSeconds,
    /// Past actions of this kind by this account, sorted ascending.
    pub ledger: &'a [UnixSeconds],
    /// The platform's hard ceilings.
    pub ceilings: &'a [RateCeiling],
    /// The platform's latest rate-limit headers for this account.
    pub snapshot: Option<&'a RateLimitSnapshot>,
    /// Randomness for the pacing jitter; the same seed and ledger give the same answer.
    pub jitter_seed: u64,
}

impl Budgets {
    /// The zone hold reasons are shown in.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// The tightest reason this action must wait, or `None` if the budgets allow it now.
    pub(crate) fn blocker<'a>(&self, q: &BudgetQuery<'a>) -> Option<Blocker<'a>> {
        let mut worst: Option<Blocker<'a>> = None;
        let mut consider = |b: Blocker<'a>| {
            if b.until() > q.now && worst.is_none_or(|w| b.until() > w.until()) {
                worst = Some(b);
            }
        };
        if let Some(s) = q.snapshot
            && let (Some(remaining), Some(reset_at)) = (s.remaining, s.reset_at)
            && remaining <= self.reserve
        {
            consider(Blocker::Live { account: q.account, remaining, reserve: self.reserve, until: reset_at });
        }
        let ceilings =
            q.ceilings.iter().filter(|c| c.action == q.action && c.limit > 0 && c.window_seconds > 0);
        for c in ceilings {
            let window =
                Window { length: i64::from(c.window_seconds), limit: c.limit, source: Source::Ceiling };
            if let Some(b) = window_blocker(q, window) {
                consider(b);
            }
        }
        for budget in self.budgets.iter().filter(|b| b.applies_to(q.account, q.action)) {
            for (window, _) in &budget.windows {
                if let Some(b) = window_blocker(q, *window) {
                    consider(b);
                }
            }
            if let Some(&last) = q.ledger.last() {
                let paced =
                    budget.spacing + jitter(budget.spacing, budget.jitter, q.jitter_seed ^ last as u64);
                let gap = paced.max(budget.min_gap);
                consider(Blocker::Spacing {
                    account: q.account,
                    action: q.action,
                    gap,
                    min_gap: budget.min_gap >= paced,
                    until: last.saturating_add(gap),
                });
            }
        }
        worst
    }
}

/// The blocker of one window, if the window is full at `q.now`.
fn window_blocker<'a>(q: &BudgetQuery<'a>, window: Window) -> Option<Blocker<'a>> {
    let limit = usize::try_from(window.limit).unwrap_or(usize::MAX);
    let start = q.now.saturating_sub(window.length);
    // Entries after `start` are in the window; later ones (clock skew) count too, conservatively.
    let used = q.ledger.len() - q.ledger.partition_point(|&t| t <= start);
    if used < limit {
        return None;
    }
    // The window frees a place once the `limit`-th newest entry has left it.
    let until = q.ledger[q.ledger.len() - limit].saturating_add(window.length);
    Some(Blocker::Window { account: q.account, action: q.action, window, used, until })
}

/// A deterministic offset in `[-fraction * spacing, +fraction * spacing]` from a seed.
fn jitter(spacing: i64, fraction: f64, seed: u64) -> i64 {
    let bound = (spacing as f64 * fraction) as i64;
    if bound == 0 {
        return 0;
    }
    let span = (2 * bound + 1) as u64;
    (splitmix64(seed) % span) as i64 - bound
}

/// SplitMix64: spreads nearby seeds (consecutive timestamps) over the whole range.
fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(toml_text: &str) -> PolicyConfig {
        toml::from_str(toml_text).unwrap()
    }

    fn query<'a>(ledger: &'a [UnixSeconds], now: UnixSeconds) -> BudgetQuery<'a> {
        BudgetQuery {
            account: "shop",
            action: ActionKind::Follow,
            now,
            ledger,
            ceilings: &[],
            snapshot: None,
            jitter_seed: 7,
        }
    }

    #[test]
    fn reads_the_documented_toml() {
        let p = policy(
            r#"
            timezone = "Europe/Berlin"
            [[budgets]]
            account = "shop"
            action = "follow"
            per_day = 40
            per_week = 100
            min_gap = "3m"
            windows = [{ length = "15m", limit = 5 }]
            "#,
        );
        let b = &p.budgets[0];
        assert_eq!((b.per_day, b.per_week, b.min_gap), (Some(40), Some(100), Some(Span::from_secs(180))));
        assert_eq!(b.windows[0].limit, 5);
        assert!(toml::from_str::<PolicyConfig>("[[budgets]]\naction = \"follow\"\nper_dya = 4").is_err());
    }

    #[test]
    fn a_full_window_holds_until_its_oldest_counted_entry_leaves() {
        let p = policy("[[budgets]]\naction = \"follow\"\nper_hour = 3\njitter = 0.0");
        let budgets = p.compile().unwrap();
        let ledger = [100, 200, 300];
        let b = budgets.blocker(&query(&ledger, 2_000)).unwrap();
        assert_eq!(b.until(), 100 + 3_600);
        assert!(
            b.reason(2_000, Tz::UTC).starts_with("follow budget of shop used 3/3 in the last hour; next at")
        );
        assert_eq!(budgets.blocker(&query(&ledger, 3_700)), None);
    }

    #[test]
    fn budgets_for_other_accounts_or_actions_do_not_apply() {
        let p = policy("[[budgets]]\naccount = \"blog\"\naction = \"follow\"\nper_hour = 1");
        let budgets = p.compile().unwrap();
        assert_eq!(budgets.blocker(&query(&[100], 200)), None);
        let mut q = query(&[100], 200);
        q.account = "blog";
        assert!(budgets.blocker(&q).is_some());
        q.action = ActionKind::Like;
        assert_eq!(budgets.blocker(&q), None);
    }

    #[test]
    fn a_weekly_goal_becomes_a_paced_daily_share() {
        let p = policy("[[budgets]]\naction = \"follow\"\nweekly_goal = 100\njitter = 0.0");
        let budgets = p.compile().unwrap();
        // ceil(100 / 7) = 15 a day, so one every 86400 / 15 = 5760 s.
        let b = budgets.blocker(&query(&[1_000], 1_001)).unwrap();
        assert_eq!(b.until(), 1_000 + 5_760);
        assert!(b.reason(1_001, Tz::UTC).contains("paced about 1h36m apart"));
        // Fifteen in the last day (sent a little faster than the pace): the daily share is used up.
        let ledger: Vec<_> = (0..15).map(|i| i * 5_000).collect();
        let b = budgets.blocker(&query(&ledger, 80_000)).unwrap();
        assert_eq!(b.until(), 86_400);
        assert!(
            b.reason(0, Tz::UTC).contains("goal of shop (100 a week, 15 a day) used 15/15 in the last day")
        );
    }

    #[test]
    fn the_weekly_goal_caps_the_week() {
        let p = policy("[[budgets]]\naction = \"follow\"\nweekly_goal = 10\njitter = 0.0");
        let budgets = p.compile().unwrap();
        // Ten in six days: the week is spent although today's share (2) is not.
        let ledger: Vec<_> = (0..10).map(|i| i * 50_000).collect();
        let now = 6 * DAY + 100;
        let b = budgets.blocker(&query(&ledger, now)).unwrap();
        assert_eq!(b.until(), WEEK);
    }

    #[test]
    fn the_min_gap_wins_over_a_faster_pace_and_jitter_stays_in_bounds() {
        let p = policy("[[budgets]]\naction = \"follow\"\nper_hour = 60\nmin_gap = \"3m\"");
        let budgets = p.compile().unwrap();
        let b = budgets.blocker(&query(&[1_000], 1_001)).unwrap();
        assert_eq!(b.until(), 1_180);
        assert!(b.reason(1_001, Tz::UTC).contains("needs 3m between actions"));
        let p = policy("[[budgets]]\naction = \"follow\"\nper_day = 24\njitter = 0.25");
        let budgets = p.compile().unwrap();
        let mut seen = std::collections::HashSet::new();
        for seed in 0..200 {
            let mut q = query(&[0], 1);
            q.jitter_seed = seed;
            let until = budgets.blocker(&q).unwrap().until();
            assert!((2_700..=4_500).contains(&until), "{until} strays beyond 25% of an hour");
            seen.insert(until);
        }
        assert!(seen.len() > 50, "jitter should vary with the seed");
    }

    #[test]
    fn platform_ceilings_apply_without_any_budget() {
        let budgets = PolicyConfig::default().compile().unwrap();
        let ceilings = [RateCeiling { action: ActionKind::Follow, limit: 2, window_seconds: 300 }];
        let mut q = query(&[10, 20], 100);
        q.ceilings = &ceilings;
        let b = budgets.blocker(&q).unwrap();
        assert_eq!(b.until(), 310);
        assert!(
            b.reason(100, Tz::UTC)
                .contains("platform's ceiling for follow on shop is used 2/2 in the last 5m")
        );
    }

    #[test]
    fn the_live_snapshot_holds_until_reset_when_the_reserve_is_reached() {
        let budgets = PolicyConfig::default().compile().unwrap();
        let snap = |remaining| RateLimitSnapshot {
            limit: Some(300),
            remaining: Some(remaining),
            reset_at: Some(1_000),
            observed_at: 10,
        };
        let s = snap(2);
        let mut q = query(&[], 100);
        q.snapshot = Some(&s);
        let b = budgets.blocker(&q).unwrap();
        assert_eq!(b.until(), 1_000);
        assert!(b.reason(100, Tz::UTC).contains("allows shop 2 more requests (keeping 2 in reserve)"));
        let s = snap(3);
        q.snapshot = Some(&s);
        assert_eq!(budgets.blocker(&q), None);
        // A reset in the past means the window has already renewed.
        let s = snap(0);
        q.snapshot = Some(&s);
        q.now = 1_000;
        assert_eq!(budgets.blocker(&q), None);
    }

    #[test]
    fn config_may_lower_a_ceiling_but_not_raise_it() {
        let p = policy(
            "[[budgets]]\naction = \"like\"\nper_hour = 10\n[[budgets]]\naccount = \"shop\"\naction = \"follow\"\nper_day = 40\nper_hour = 500",
        );
        let ceilings = [
            RateCeiling { action: ActionKind::Follow, limit: 400, window_seconds: 86_400 },
            RateCeiling { action: ActionKind::Follow, limit: 300, window_seconds: 3_600 },
        ];
        let err = p.check_ceilings("shop", &ceilings).unwrap_err();
        assert_eq!(
            err.to_string(),
            "policy.budgets[1].per_hour is 500, above the ceiling of 300 follow per hour that the platform of account `shop` allows; lower it to 300 or less"
        );
        assert_eq!(p.check_ceilings("blog", &ceilings), Ok(()));
        let goal = policy("[[budgets]]\naction = \"follow\"\nweekly_goal = 1000");
        let daily = [RateCeiling { action: ActionKind::Follow, limit: 100, window_seconds: 86_400 }];
        let err = goal.check_ceilings("shop", &daily).unwrap_err();
        assert!(err.to_string().starts_with("policy.budgets[0].weekly_goal is 143, above"));
    }

    #[test]
    fn unworkable_settings_name_their_key() {
        let cases = [
            ("[[budgets]]\naction = \"follow\"\nper_day = 0", "policy.budgets[0].per_day is 0"),
            (
                "[[budgets]]\naction = \"follow\"\nwindows = [{ length = 0, limit = 3 }]",
                "policy.budgets[0].windows[0].length is 0s",
            ),
            ("[[budgets]]\naction = \"follow\"\njitter = 0.9", "policy.budgets[0].jitter is 0.9"),
            ("timezone = \"Nowhere/Land\"", "policy.timezone: `Nowhere/Land`"),
        ];
        for (text, start) in cases {
            let err = policy(text).compile().unwrap_err().to_string();
            assert!(err.starts_with(start), "{err}");
        }
    }
}
