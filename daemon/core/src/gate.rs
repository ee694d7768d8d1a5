//! The policy gate: the one decision the executor asks for before it sends anything.
//!
//! It combines the live platform limits, the platform's hard ceilings, the configured budgets with
//! their pacing, and — for sales posts — the content ratio, and answers either "go" or "hold until
//! then, because …". A held task is never dropped: it keeps its place with a `not_before` and a
//! reason a person can read in `rapport queue`.
//!
//! The gate is pure and cheap: with the ledger as a sorted slice, each window costs one binary
//! search, so a year of history (tens of thousands of entries) decides in well under the 5 µs
//! budget (see `benches/gate.rs`). Nothing is allocated unless the answer is a hold.

use thiserror::Error;

use crate::UnixSeconds;
use crate::config::KeyedError;
use crate::content_ratio::{PostRecord, RatioConfig, RatioError};
use crate::platform::{RateCeiling, RateLimitSnapshot};
use crate::rate_limit::{BudgetError, BudgetQuery, Budgets, PolicyConfig};
use crate::task::{ActionKind, PostKind};

/// Everything the gate needs to know about one task about to be executed.
#[derive(Debug, Clone, Copy)]
pub struct GateInput<'a> {
    /// The configured account the task acts for.
    pub account: &'a str,
    /// What it does.
    pub action: ActionKind,
    /// Value or sales, for a publish; ignored for other actions.
    pub post_kind: Option<PostKind>,
    /// The time of the decision.
    pub now: UnixSeconds,
    /// When this account did this kind of action before, sorted ascending.
    pub ledger: &'a [UnixSeconds],
    /// The posts counted for the ratio (the account's, or its brand's), sorted by time.
    pub posts: &'a [PostRecord],
    /// The platform's hard ceilings from the plugin's `describe`.
    pub ceilings: &'a [RateCeiling],
    /// The latest rate-limit headers the host saw for this account.
    pub snapshot: Option<&'a RateLimitSnapshot>,
    /// Randomness for the pacing jitter (a per-daemon random value is enough).
    pub jitter_seed: u64,
}

/// The gate's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateDecision {
    /// Send it now.
    Allow,
    /// Keep it queued.
    Hold {
        /// Ask again at this time; `None` when only more value posts can release it (a sales post
        /// held by the ratio), so the executor asks again after the account or its brand publishes.
        not_before: Option<UnixSeconds>,
        /// Why, for the person.
        reason: String,
    },
}

/// Policy settings the gate cannot work with.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GateError {
    /// A budget setting is wrong.
    #[error(transparent)]
    Budget(#[from] BudgetError),
    /// A ratio setting is wrong.
    #[error(transparent)]
    Ratio(#[from] RatioError),
}

impl KeyedError for GateError {
    fn key(&self) -> String {
        match self {
            GateError::Budget(e) => e.key(),
            GateError::Ratio(e) => e.key(),
        }
    }
}

/// The compiled policy: budgets, ceilings handling and the content ratio.
#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    budgets: Budgets,
    ratio: RatioConfig,
}

impl Gate {
    /// Compiles the `[policy]` and `[ratio]` sections; errors name the key at fault.
    pub fn new(policy: &PolicyConfig, ratio: &RatioConfig) -> Result<Gate, GateError> {
        ratio.validate()?;
        Ok(Gate { budgets: policy.compile()?, ratio: ratio.clone() })
    }

    /// How far back the action ledger must reach for [`Gate::decide`].
    pub fn lookback(&self) -> i64 {
        self.budgets.lookback()
    }

    /// The zone of the times in hold reasons (`policy.timezone`, UTC when absent).
    pub fn zone(&self) -> chrono_tz::Tz {
        self.budgets.zone()
    }

    /// The content ratio the gate enforces, for `rapport ratio` and the scheduler.
    pub fn ratio(&self) -> &RatioConfig {
        &self.ratio
    }

    /// Whether the task may be sent now, and if not, until when and why.
    pub fn decide(&self, input: &GateInput<'_>) -> GateDecision {
        if input.action == ActionKind::Publish && input.post_kind == Some(PostKind::Sales) {
            let status = self.ratio.status(input.posts, input.now);
            if let Some(reason) = self.ratio.hold_reason(&status) {
                return GateDecision::Hold { not_before: None, reason };
            }
        }
        let query = BudgetQuery {
            account: input.account,
            action: input.action,
            now: input.now,
            ledger: input.ledger,
            ceilings: input.ceilings,
            snapshot: input.snapshot,
            jitter_seed: input.jitter_seed,
        };
        match self.budgets.blocker(&query) {
            None => GateDecision::Allow,
            Some(blocker) => GateDecision::Hold {
                not_before: Some(blocker.until()),
                reason: blocker.reason(input.now, self.budgets.zone()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::content_ratio::RatioWindow;

    fn gate(policy: &str) -> Gate {
        Gate::new(&toml::from_str(policy).unwrap(), &RatioConfig::default()).unwrap()
    }

    fn input<'a>(ledger: &'a [UnixSeconds], now: UnixSeconds) -> GateInput<'a> {
        GateInput {
            account: "shop",
            action: ActionKind::Follow,
            post_kind: None,
            now,
            ledger,
            posts: &[],
            ceilings: &[],
            snapshot: None,
            jitter_seed: 42,
        }
    }

    #[test]
    fn a_full_day_is_held_with_a_reason_in_the_configured_zone() {
        let g = gate(
            "timezone = \"Europe/Berlin\"\n[[budgets]]\naccount = \"shop\"\naction = \"follow\"\nper_day = 40\njitter = 0.0",
        );
        // 40 follows, one every 10 minutes from 2025-01-14 08:12 UTC.
        let first = 1_736_842_320;
        let ledger: Vec<_> = (0..40).map(|i| first + i * 600).collect();
        let now = first + 40 * 600;
        assert_eq!(
            g.decide(&input(&ledger, now)),
            GateDecision::Hold {
                not_before: Some(first + 86_400),
                reason: "follow budget of shop used 40/40 in the last day; next at Wed 15 Jan 09:12 CET"
                    .into(),
            }
        );
        assert_eq!(g.decide(&input(&ledger, first + 86_400)), GateDecision::Allow);
    }

    #[test]
    fn a_sales_post_is_held_by_the_ratio_without_a_time() {
        let g = gate("");
        let posts: Vec<_> = (0..6).map(|i| PostRecord { at: i, kind: PostKind::Value }).collect();
        let mut i = input(&[], 100);
        i.action = ActionKind::Publish;
        i.posts = &posts;
        assert_eq!(g.decide(&i), GateDecision::Allow, "value posts are not held by the ratio");
        i.post_kind = Some(PostKind::Sales);
        assert_eq!(
            g.decide(&i),
            GateDecision::Hold {
                not_before: None,
                reason: "sales post needs 4 more value posts first (6 of 10 since the last sales post)"
                    .into(),
            }
        );
    }

    #[test]
    fn the_live_snapshot_pauses_every_action_of_the_account() {
        let g = gate("");
        let snap =
            RateLimitSnapshot { limit: Some(300), remaining: Some(0), reset_at: Some(500), observed_at: 90 };
        let mut i = input(&[], 100);
        i.snapshot = Some(&snap);
        i.action = ActionKind::Like;
        assert!(matches!(g.decide(&i), GateDecision::Hold { not_before: Some(500), .. }));
    }

    #[test]
    fn bad_settings_are_refused_at_compile_time() {
        let ratio = RatioConfig { window: RatioWindow::Posts(3), ..RatioConfig::default() };
        assert!(matches!(Gate::new(&PolicyConfig::default(), &ratio), Err(GateError::Ratio(_))));
    }

    #[test]
    fn five_hundred_follows_go_out_within_budget_over_simulated_days() {
        let g = gate(
            "[[budgets]]\naction = \"follow\"\nper_hour = 8\nweekly_goal = 100\nmin_gap = \"3m\"\n\
             [[budgets]]\naccount = \"shop\"\naction = \"follow\"\nper_day = 12",
        );
        let mut ledger: Vec<UnixSeconds> = Vec::new();
        let mut now = 0;
        // The executor's loop: ask, send if allowed, otherwise sleep (in simulated time) until told.
        while ledger.len() < 500 {
            match g.decide(&input(&ledger, now)) {
                GateDecision::Allow => ledger.push(now),
                GateDecision::Hold { not_before, .. } => now = not_before.unwrap(),
            }
        }
        let days = (ledger[499] - ledger[0]) as f64 / 86_400.0;
        assert!(days > 499.0 / 12.0 - 1.0, "500 follows at ≤ 12 a day need ~41 days, took {days:.1}");
        assert_windows_hold(&ledger, &[(3_600, 8), (86_400, 12), (604_800, 100)]);
        assert!(ledger.windows(2).all(|w| w[1] - w[0] >= 180));
    }

    /// Every window of each length, anywhere in time, holds at most its limit.
    fn assert_windows_hold(ledger: &[UnixSeconds], windows: &[(i64, usize)]) {
        for &(length, limit) in windows {
            for (i, &t) in ledger.iter().enumerate() {
                // The fullest windows end at an entry, so checking those covers every window.
                let inside = ledger[..=i].iter().filter(|&&u| u > t - length).count();
                assert!(inside <= limit, "{inside} actions in the {length} s before {t}, limit {limit}");
            }
        }
    }

    proptest! {
        #[test]
        fn never_more_than_the_limit_in_any_window(
            per_hour in 1u32..20,
            per_day in 1u32..100,
            custom in (60i64..5_000, 1u32..10),
            ceiling in (1u32..50, 60u32..7_200),
            min_gap in 0u64..900,
            jitter in 0.0f64..0.5,
            steps in prop::collection::vec(0i64..2_000, 1..400),
            seed in any::<u64>(),
        ) {
            let policy = format!(
                "[[budgets]]\naction = \"follow\"\nper_hour = {per_hour}\nper_day = {per_day}\nmin_gap = {min_gap}\n\
                 jitter = {jitter}\nwindows = [{{ length = {}, limit = {} }}]",
                custom.0, custom.1
            );
            let g = gate(&policy);
            let ceilings = [RateCeiling { action: ActionKind::Follow, limit: ceiling.0, window_seconds: ceiling.1 }];
            let mut ledger: Vec<UnixSeconds> = Vec::new();
            let mut now = 0;
            for step in steps {
                now += step;
                let mut i = input(&ledger, now);
                i.ceilings = &ceilings;
                i.jitter_seed = seed;
                if g.decide(&i) == GateDecision::Allow {
                    ledger.push(now);
                }
            }
            assert_windows_hold(&ledger, &[
                (3_600, per_hour as usize),
                (86_400, per_day as usize),
                (custom.0, custom.1 as usize),
                (i64::from(ceiling.1), ceiling.0 as usize),
            ]);
            prop_assert!(ledger.windows(2).all(|w| w[1] - w[0] >= min_gap as i64));
        }

        #[test]
        fn a_hold_ends_exactly_at_its_not_before(
            per_hour in 1u32..10,
            weekly_goal in 1u32..200,
            jitter in 0.0f64..0.5,
            steps in prop::collection::vec(0i64..3_000, 1..200),
        ) {
            let g = gate(&format!(
                "[[budgets]]\naction = \"follow\"\nper_hour = {per_hour}\nweekly_goal = {weekly_goal}\njitter = {jitter}"
            ));
            let mut ledger: Vec<UnixSeconds> = Vec::new();
            let mut now = 0;
            for step in steps {
                now += step;
                match g.decide(&input(&ledger, now)) {
                    GateDecision::Allow => ledger.push(now),
                    GateDecision::Hold { not_before, .. } => {
                        let at = not_before.unwrap();
                        prop_assert!(at > now);
                        prop_assert_eq!(g.decide(&input(&ledger, at - 1)) == GateDecision::Allow, false);
                        prop_assert_eq!(g.decide(&input(&ledger, at)), GateDecision::Allow);
                    }
                }
            }
        }
    }
}
