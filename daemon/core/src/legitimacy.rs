//! Scores how likely a new follower is a real person worth following back.
//!
//! Follow-back tasks show the person a score from 0 (surely spam) to 100 (surely a person) and,
//! more importantly, the reasons: each signal of the follower's profile that moved the score is a
//! plain sentence with its effect, so a person can overrule the number at a glance. Signals the
//! platform did not report (`None`) neither help nor hurt: a missing count is not evidence.
//! Every threshold and weight comes from [`LegitimacyConfig`], the `[triage.legitimacy]` section.

use serde::{Deserialize, Serialize};

use crate::UnixSeconds;
use crate::config::Invalid;
use crate::notification::Profile;
use crate::task::Legitimacy;

const SECONDS_PER_DAY: i64 = 86_400;

/// Thresholds and weights of the follower score (`[triage.legitimacy]`); every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LegitimacyConfig {
    /// Score before any signal; signals add to or subtract from it, the result is clamped to 0..=100.
    pub base: u8,
    /// An account younger than this many days loses `young_account_penalty`.
    pub young_account_days: u32,
    /// Points lost by a young account.
    pub young_account_penalty: u8,
    /// An account at least this many days old gains `established_account_bonus`.
    pub established_account_days: u32,
    /// Points gained by an established account.
    pub established_account_bonus: u8,
    /// Points lost without a custom profile picture.
    pub no_avatar_penalty: u8,
    /// Points gained with a custom profile picture.
    pub avatar_bonus: u8,
    /// A bio shorter than this many characters (after trimming) counts as missing.
    pub min_bio_chars: u32,
    /// Points lost with a missing or too short bio.
    pub short_bio_penalty: u8,
    /// Points gained with a bio.
    pub bio_bonus: u8,
    /// Fewer posts than this loses `few_posts_penalty`.
    pub few_posts: u64,
    /// Points lost with too few posts.
    pub few_posts_penalty: u8,
    /// At least this many posts gains `active_posts_bonus`.
    pub active_posts: u64,
    /// Points gained by an active poster.
    pub active_posts_bonus: u8,
    /// The follower/following ratio is judged only for accounts following at least this many.
    pub ratio_min_following: u64,
    /// Followers ÷ following under this (a mass follower nobody follows back) loses `low_ratio_penalty`.
    pub low_ratio: f64,
    /// Points lost by a mass follower.
    pub low_ratio_penalty: u8,
    /// Followers ÷ following at least this gains `healthy_ratio_bonus`.
    pub healthy_ratio: f64,
    /// Points gained with a healthy ratio.
    pub healthy_ratio_bonus: u8,
    /// Points lost by an account that declares itself automated.
    pub bot_penalty: u8,
}

impl Default for LegitimacyConfig {
    fn default() -> Self {
        LegitimacyConfig {
            base: 50,
            young_account_days: 30,
            young_account_penalty: 25,
            established_account_days: 365,
            established_account_bonus: 10,
            no_avatar_penalty: 15,
            avatar_bonus: 5,
            min_bio_chars: 10,
            short_bio_penalty: 10,
            bio_bonus: 10,
            few_posts: 5,
            few_posts_penalty: 15,
            active_posts: 50,
            active_posts_bonus: 10,
            ratio_min_following: 100,
            low_ratio: 0.1,
            low_ratio_penalty: 20,
            healthy_ratio: 0.5,
            healthy_ratio_bonus: 10,
            bot_penalty: 30,
        }
    }
}

impl LegitimacyConfig {
    /// Checks that the thresholds are consistent; each problem names its key relative to this section.
    pub fn problems(&self) -> Vec<Invalid> {
        let mut out = Vec::new();
        if self.base > 100 {
            out.push(Invalid::new("base", format!("is {}; a score runs from 0 to 100", self.base)));
        }
        if self.young_account_days > self.established_account_days {
            out.push(Invalid::new(
                "young_account_days",
                format!(
                    "is {} days, more than established_account_days ({}); make it smaller",
                    self.young_account_days, self.established_account_days
                ),
            ));
        }
        if self.few_posts > self.active_posts {
            out.push(Invalid::new(
                "few_posts",
                format!(
                    "is {}, more than active_posts ({}); make it smaller",
                    self.few_posts, self.active_posts
                ),
            ));
        }
        for (key, ratio) in [("low_ratio", self.low_ratio), ("healthy_ratio", self.healthy_ratio)] {
            if !ratio.is_finite() || ratio < 0.0 {
                out.push(Invalid::new(key, format!("is {ratio}; use a ratio of 0 or more, like 0.5")));
            }
        }
        if self.low_ratio > self.healthy_ratio {
            out.push(Invalid::new(
                "low_ratio",
                format!(
                    "is {}, more than healthy_ratio ({}); make it smaller",
                    self.low_ratio, self.healthy_ratio
                ),
            ));
        }
        out
    }
}

/// Scores a follower's profile at time `now`, with a sentence for every signal that moved the score.
pub fn score(profile: &Profile, config: &LegitimacyConfig, now: UnixSeconds) -> Legitimacy {
    tally(profile, config, now, true).finish()
}

/// The score alone, without the sentences: what a planner ranking many thousands of candidates
/// needs before it explains the few it proposes.
pub fn score_only(profile: &Profile, config: &LegitimacyConfig, now: UnixSeconds) -> u8 {
    tally(profile, config, now, false).finish().score
}

fn tally(profile: &Profile, config: &LegitimacyConfig, now: UnixSeconds, explain: bool) -> Tally {
    let mut tally = Tally { score: i32::from(config.base), reasons: Vec::new(), explain };

    if let Some(created) = profile.created {
        // A creation time in the future (clock skew) counts as a brand-new account.
        let days = now.saturating_sub(created).max(0) / SECONDS_PER_DAY;
        if days < i64::from(config.young_account_days) {
            tally.lose(config.young_account_penalty, || {
                format!("account is {} old (under {})", days_text(days), config.young_account_days)
            });
        } else if days >= i64::from(config.established_account_days) {
            tally.gain(config.established_account_bonus, || {
                format!("account is {} old (at least {})", days_text(days), config.established_account_days)
            });
        }
    }

    if profile.has_avatar {
        tally.gain(config.avatar_bonus, || "has a profile picture".into());
    } else {
        tally.lose(config.no_avatar_penalty, || "no profile picture".into());
    }

    let bio_chars = profile.bio.trim().chars().count();
    if bio_chars == 0 {
        tally.lose(config.short_bio_penalty, || "empty bio".into());
    } else if bio_chars < config.min_bio_chars as usize {
        tally.lose(config.short_bio_penalty, || {
            format!("bio is only {bio_chars} characters (under {})", config.min_bio_chars)
        });
    } else {
        tally.gain(config.bio_bonus, || "has a bio".into());
    }

    if let Some(posts) = profile.posts {
        if posts == 0 {
            tally.lose(config.few_posts_penalty, || "has never posted".into());
        } else if posts < config.few_posts {
            tally.lose(config.few_posts_penalty, || {
                format!("has {} (under {})", plural(posts, "post"), config.few_posts)
            });
        } else if posts >= config.active_posts {
            tally.gain(config.active_posts_bonus, || {
                format!("has {} (at least {})", plural(posts, "post"), config.active_posts)
            });
        }
    }

    if let (Some(followers), Some(following)) = (profile.followers, profile.following)
        && following >= config.ratio_min_following
    {
        // Precision loss converting huge counts is irrelevant to a ratio threshold.
        let ratio = followers as f64 / following as f64;
        if ratio < config.low_ratio {
            tally.lose(config.low_ratio_penalty, || {
                format!(
                    "follows {following} accounts but has {} (ratio {ratio:.2}, under {})",
                    plural(followers, "follower"),
                    config.low_ratio
                )
            });
        } else if ratio >= config.healthy_ratio {
            tally.gain(config.healthy_ratio_bonus, || {
                format!(
                    "follows {following} accounts and has {} (ratio {ratio:.2}, at least {})",
                    plural(followers, "follower"),
                    config.healthy_ratio
                )
            });
        }
    }

    if profile.bot {
        tally.lose(config.bot_penalty, || "declares itself a bot".into());
    }

    tally
}

/// The running score and the sentences explaining it.
struct Tally {
    score: i32,
    reasons: Vec<String>,
    /// Whether to write the sentences (they cost more than the score).
    explain: bool,
}

impl Tally {
    fn gain(&mut self, points: u8, why: impl FnOnce() -> String) {
        if points > 0 {
            self.score += i32::from(points);
            if self.explain {
                self.reasons.push(format!("{}: +{points}", why()));
            }
        }
    }

    fn lose(&mut self, points: u8, why: impl FnOnce() -> String) {
        if points > 0 {
            self.score -= i32::from(points);
            if self.explain {
                self.reasons.push(format!("{}: -{points}", why()));
            }
        }
    }

    fn finish(self) -> Legitimacy {
        let score = u8::try_from(self.score.clamp(0, 100)).unwrap_or(0);
        Legitimacy { score, reasons: self.reasons }
    }
}

fn days_text(days: i64) -> String {
    if days == 1 { "1 day".into() } else { format!("{days} days") }
}

fn plural(n: u64, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: UnixSeconds = 1_800_000_000;

    /// A profile whose counts and age the platform did not report, without avatar or bio.
    fn unknown() -> Profile {
        Profile { id: "1".into(), handle: "ann".into(), ..Profile::default() }
    }

    fn reasons_of(profile: &Profile) -> Legitimacy {
        score(profile, &LegitimacyConfig::default(), NOW)
    }

    #[test]
    fn unknown_counts_move_nothing() {
        let l = reasons_of(&unknown());
        // Only the two always-known signals (avatar flag, bio text) speak.
        assert_eq!(l.reasons, vec!["no profile picture: -15", "empty bio: -10"]);
        assert_eq!(l.score, 25);
    }

    #[test]
    fn young_account_loses_points_with_its_age() {
        let p = Profile { created: Some(NOW - 3 * SECONDS_PER_DAY - 5), ..unknown() };
        let l = reasons_of(&p);
        assert!(l.reasons.contains(&"account is 3 days old (under 30): -25".to_string()), "{:?}", l.reasons);
        assert_eq!(l.score, 0);
    }

    #[test]
    fn established_account_gains_and_middle_age_is_neutral() {
        let old = Profile { created: Some(NOW - 400 * SECONDS_PER_DAY), ..unknown() };
        assert!(reasons_of(&old).reasons.contains(&"account is 400 days old (at least 365): +10".into()));
        let middle = Profile { created: Some(NOW - 100 * SECONDS_PER_DAY), ..unknown() };
        assert_eq!(reasons_of(&middle), reasons_of(&unknown()));
    }

    #[test]
    fn creation_in_the_future_counts_as_new() {
        let p = Profile { created: Some(NOW + 1000), ..unknown() };
        assert!(reasons_of(&p).reasons.contains(&"account is 0 days old (under 30): -25".into()));
    }

    /// Found by the triage fuzzing: a creation time a plugin read as `i64::MIN` overflowed the age.
    #[test]
    fn a_creation_time_at_the_extremes_is_a_very_old_or_a_brand_new_account() {
        let ancient = Profile { created: Some(i64::MIN), ..unknown() };
        assert!(
            reasons_of(&ancient)
                .reasons
                .iter()
                .any(|r| r.starts_with("account is") && r.contains("old (at least"))
        );
        let future = Profile { created: Some(i64::MAX), ..unknown() };
        assert!(reasons_of(&future).reasons.contains(&"account is 0 days old (under 30): -25".into()));
    }

    #[test]
    fn avatar_signal() {
        let p = Profile { has_avatar: true, ..unknown() };
        let l = reasons_of(&p);
        assert_eq!(l.reasons[0], "has a profile picture: +5");
        assert_eq!(l.score, 45);
    }

    #[test]
    fn bio_signal_counts_characters_not_bytes() {
        let short = Profile { bio: "  hi  ".into(), ..unknown() };
        assert!(reasons_of(&short).reasons.contains(&"bio is only 2 characters (under 10): -10".into()));
        // Ten characters, thirty bytes: long enough.
        let cjk = Profile { bio: "東京のパン屋さんです。".into(), ..unknown() };
        assert!(reasons_of(&cjk).reasons.contains(&"has a bio: +10".into()));
    }

    #[test]
    fn posts_signal() {
        let none = Profile { posts: Some(0), ..unknown() };
        assert!(reasons_of(&none).reasons.contains(&"has never posted: -15".into()));
        let few = Profile { posts: Some(1), ..unknown() };
        assert!(reasons_of(&few).reasons.contains(&"has 1 post (under 5): -15".into()));
        let active = Profile { posts: Some(120), ..unknown() };
        assert!(reasons_of(&active).reasons.contains(&"has 120 posts (at least 50): +10".into()));
        let some = Profile { posts: Some(20), ..unknown() };
        assert_eq!(reasons_of(&some), reasons_of(&unknown()));
    }

    #[test]
    fn ratio_signal_needs_both_counts_and_enough_following() {
        let mass = Profile { followers: Some(12), following: Some(4000), ..unknown() };
        assert!(
            reasons_of(&mass)
                .reasons
                .contains(&"follows 4000 accounts but has 12 followers (ratio 0.00, under 0.1): -20".into()),
            "{:?}",
            reasons_of(&mass).reasons
        );
        let healthy = Profile { followers: Some(300), following: Some(200), ..unknown() };
        assert!(
            reasons_of(&healthy).reasons.contains(
                &"follows 200 accounts and has 300 followers (ratio 1.50, at least 0.5): +10".into()
            )
        );
        // Following few: the ratio says nothing.
        let small = Profile { followers: Some(0), following: Some(20), ..unknown() };
        assert_eq!(reasons_of(&small), reasons_of(&unknown()));
        // One count unknown: nothing.
        let half = Profile { followers: None, following: Some(4000), ..unknown() };
        assert_eq!(reasons_of(&half), reasons_of(&unknown()));
    }

    #[test]
    fn bot_flag_signal() {
        let p = Profile { bot: true, ..unknown() };
        assert!(reasons_of(&p).reasons.contains(&"declares itself a bot: -30".into()));
    }

    #[test]
    fn a_real_person_scores_high_and_spam_scores_zero() {
        let person = Profile {
            display_name: "Ann Lee".into(),
            bio: "Baker in Lyon, sourdough nerd.".into(),
            followers: Some(310),
            following: Some(280),
            posts: Some(1500),
            created: Some(NOW - 900 * SECONDS_PER_DAY),
            has_avatar: true,
            ..unknown()
        };
        assert_eq!(reasons_of(&person).score, 95);
        let spam = Profile {
            followers: Some(3),
            following: Some(7000),
            posts: Some(0),
            created: Some(NOW - SECONDS_PER_DAY),
            bot: true,
            ..unknown()
        };
        let l = reasons_of(&spam);
        assert_eq!(l.score, 0);
        assert!(l.reasons.contains(&"account is 1 day old (under 30): -25".into()));
    }

    #[test]
    fn zero_weights_are_silent() {
        let config =
            LegitimacyConfig { no_avatar_penalty: 0, short_bio_penalty: 0, ..LegitimacyConfig::default() };
        let l = score(&unknown(), &config, NOW);
        assert_eq!(l, Legitimacy { score: 50, reasons: vec![] });
    }

    #[test]
    fn inconsistent_thresholds_are_named() {
        let config =
            LegitimacyConfig { young_account_days: 400, low_ratio: f64::NAN, ..LegitimacyConfig::default() };
        let keys: Vec<String> = config.problems().into_iter().map(|p| p.key).collect();
        assert_eq!(keys, vec!["young_account_days", "low_ratio"]);
        assert!(LegitimacyConfig::default().problems().is_empty());
    }
}
