//! The reciprocity purge: proposing, in time and in moderation, to unfollow those who never
//! followed back.
//!
//! Per account (`[[purge]]`): a follow older than the grace period (default 14 days) whose person
//! does not follow back becomes an `unfollow` proposal with its reasons — followed since when, by
//! which campaign, last interaction. Never proposed: anyone on the keep-list, anyone who engaged
//! with the account within the window (default 60 days), mutuals, and follows rapport did not make
//! unless the config opts them in. At most the daily budget a day, least interaction first; and,
//! where the platform punishes churn, never more unfollows in a day than half the day's follows
//! (a guard that holds back the rest with its reason rather than proposing them).

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::UnixSeconds;
use crate::config::Invalid;
use crate::notification::Profile;
use crate::proposal::{Proposal, ProposalKey};
use crate::span::Span;
use crate::task::{Action, Legitimacy, Origin, TaskContext};

/// One `[[purge]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurgeConfig {
    /// The configured account whose follows are checked.
    pub account: String,
    /// A follow younger than this is never proposed for an unfollow.
    #[serde(default = "default_grace")]
    pub grace: Span,
    /// Anyone who liked, replied, reposted, quoted or mentioned within this is kept.
    #[serde(default = "default_engaged_within")]
    pub engaged_within: Span,
    /// At most this many unfollows proposed a day.
    #[serde(default = "default_daily_limit")]
    pub daily_limit: u32,
    /// Also propose follows made outside rapport (their follow time unknown).
    #[serde(default)]
    pub include_outside_follows: bool,
    /// How long a proposal waits for review before it expires.
    #[serde(default = "default_expire_after")]
    pub expire_after: Span,
}

fn default_grace() -> Span {
    Span::from_secs(14 * 86_400)
}

fn default_engaged_within() -> Span {
    Span::from_secs(60 * 86_400)
}

fn default_daily_limit() -> u32 {
    20
}

fn default_expire_after() -> Span {
    Span::from_secs(2 * 86_400)
}

impl PurgeConfig {
    /// What cannot work, with keys relative to the table.
    pub fn problems(&self) -> Vec<Invalid> {
        let mut out = Vec::new();
        if self.grace.as_secs() < 86_400 {
            out.push(Invalid::new(
                "grace",
                format!("{} is under a day: people need time to follow back; 14d is usual", self.grace),
            ));
        }
        if self.daily_limit == 0 {
            out.push(Invalid::new("daily_limit", "0 proposes nothing; remove the [[purge]] entry instead"));
        }
        out
    }
}

/// One account the acting account follows, as the purge sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Follow {
    /// Their profile.
    pub profile: Profile,
    /// When rapport sent the follow; `None` for a follow made outside rapport.
    pub followed_at: Option<UnixSeconds>,
    /// The campaign that proposed it, if any.
    pub campaign: Option<String>,
    /// Whether they follow back.
    pub followed_by: bool,
}

/// What a purge pass knows beside the follows.
#[derive(Debug, Clone)]
pub struct PurgeInput<'a> {
    /// The purge's settings.
    pub config: &'a PurgeConfig,
    /// Ids and handles never unfollowed (normalized: no `@`, lowercase).
    pub keep: &'a BTreeSet<String>,
    /// Who engaged with the account, by platform id, with the time of their latest engagement.
    pub engaged: &'a HashMap<String, UnixSeconds>,
    /// Unfollows already proposed today (local day).
    pub proposed_today: u32,
    /// Follows sent today, for the churn guard; `None` where the platform does not punish churn.
    pub churn_follows_today: Option<u32>,
    /// The pass's time.
    pub now: UnixSeconds,
}

/// What a purge pass proposes and what it held back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PurgePlan {
    /// The unfollows to propose, least interaction first.
    pub proposals: Vec<Proposal>,
    /// Why due unfollows were not proposed today (the daily budget, the churn guard), if any.
    pub held: Option<String>,
}

/// Whether the purge keeps `follow`, and why (`None`: it is a candidate for an unfollow).
fn kept(follow: &Follow, input: &PurgeInput<'_>) -> Option<&'static str> {
    let id = follow.profile.id.to_lowercase();
    let handle = follow.profile.handle.trim_start_matches('@').to_lowercase();
    if input.keep.contains(&id) || input.keep.contains(&handle) {
        return Some("on the keep-list");
    }
    if follow.followed_by {
        return Some("follows back");
    }
    let since = input.now - input.config.engaged_within.as_offset();
    if input.engaged.get(&follow.profile.id).is_some_and(|at| *at >= since) {
        return Some("engaged lately");
    }
    match follow.followed_at {
        None if !input.config.include_outside_follows => Some("followed outside rapport"),
        Some(at) if input.now - at < input.config.grace.as_offset() => Some("within the grace period"),
        _ => None,
    }
}

/// The unfollows to propose from `follows`.
pub fn plan(follows: &[Follow], input: &PurgeInput<'_>) -> PurgePlan {
    let due: Vec<&Follow> =
        follows.iter().filter(|f| !f.profile.id.is_empty() && kept(f, input).is_none()).collect();
    // Least interaction first: never engaged before those who did long ago; then the oldest follow.
    // Each rank is looked up once; equal ranks go in id order, so a plan is the same whatever
    // order the platform listed the follows in.
    let mut ranked: Vec<((Option<UnixSeconds>, UnixSeconds), &Follow)> = due
        .into_iter()
        .map(|f| ((input.engaged.get(&f.profile.id).copied(), f.followed_at.unwrap_or(i64::MIN)), f))
        .collect();
    ranked.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.profile.id.cmp(&b.1.profile.id)));
    let due: Vec<&Follow> = ranked.into_iter().map(|(_, f)| f).collect();
    let budget_left = input.config.daily_limit.saturating_sub(input.proposed_today);
    let churn_left =
        input.churn_follows_today.map(|follows| (follows / 2).saturating_sub(input.proposed_today));
    let left = churn_left.map_or(budget_left, |c| c.min(budget_left)) as usize;
    let held = (due.len() > left).then(|| {
        let waiting = due.len() - left;
        match churn_left {
            Some(c) if c < budget_left => format!(
                "{waiting} more due, held by the churn guard: unfollows stay under half of today's {} follows",
                input.churn_follows_today.unwrap_or(0)
            ),
            _ => format!(
                "{waiting} more due, held by purge.daily_limit ({} a day)",
                input.config.daily_limit
            ),
        }
    });
    let proposals = due.into_iter().take(left).map(|f| proposal(f, input)).collect();
    PurgePlan { proposals, held }
}

fn proposal(follow: &Follow, input: &PurgeInput<'_>) -> Proposal {
    let mut reasons = Vec::new();
    reasons.push(match follow.followed_at {
        Some(at) => format!("followed {} days ago, never followed back", (input.now - at) / 86_400),
        None => "followed outside rapport, does not follow back".to_owned(),
    });
    if let Some(campaign) = &follow.campaign {
        reasons.push(format!("followed by campaign {campaign}"));
    }
    reasons.push(match input.engaged.get(&follow.profile.id) {
        Some(at) => format!("last interaction {} days ago", (input.now - at) / 86_400),
        None => "last interaction: none".to_owned(),
    });
    let id = follow.profile.id.clone();
    Proposal {
        key: ProposalKey::unfollow(&id, follow.followed_at.unwrap_or(0)),
        action: Action::Unfollow { account_id: id },
        origin: Origin::Purge,
        context: TaskContext {
            profile: Some(follow.profile.clone()),
            post: None,
            // The purge's reasons travel where the follower score's do; 0: nothing speaks for them.
            legitimacy: Some(Legitimacy { score: 0, reasons }),
            by_hand: None,
        },
        expires_at: Some(input.now + input.config.expire_after.as_offset()),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const NOW: UnixSeconds = 1_796_626_800;
    const DAY: i64 = 86_400;

    fn config() -> PurgeConfig {
        PurgeConfig {
            account: "shop".into(),
            grace: default_grace(),
            engaged_within: default_engaged_within(),
            daily_limit: 20,
            include_outside_follows: false,
            expire_after: default_expire_after(),
        }
    }

    fn follow(id: &str, days_ago: Option<i64>, followed_by: bool) -> Follow {
        Follow {
            profile: Profile {
                id: id.into(),
                handle: format!("user{id}@x.example"),
                display_name: String::new(),
                bio: String::new(),
                followers: None,
                following: None,
                posts: None,
                created: None,
                has_avatar: true,
                bot: false,
                url: String::new(),
            },
            followed_at: days_ago.map(|d| NOW - d * DAY),
            campaign: Some("potters".into()),
            followed_by,
        }
    }

    fn ids(plan: &PurgePlan) -> Vec<String> {
        plan.proposals
            .iter()
            .map(|p| p.context.profile.as_ref().map(|p| p.id.clone()).unwrap_or_default())
            .collect()
    }

    #[test]
    fn only_old_one_way_follows_rapport_made_are_proposed_least_interaction_first() {
        let keep: BTreeSet<String> = ["userk@x.example".to_owned()].into();
        let engaged: HashMap<String, UnixSeconds> =
            [("liked".to_owned(), NOW - 7 * DAY), ("old".to_owned(), NOW - 90 * DAY)].into();
        let follows = vec![
            follow("new", Some(3), false),
            follow("k", Some(30), false),
            follow("mutual", Some(30), true),
            follow("liked", Some(30), false),
            follow("outside", None, false),
            follow("old", Some(40), false),
            follow("never", Some(20), false),
        ];
        let input = PurgeInput {
            config: &config(),
            keep: &keep,
            engaged: &engaged,
            proposed_today: 0,
            churn_follows_today: None,
            now: NOW,
        };
        let plan = plan(&follows, &input);
        assert_eq!(ids(&plan), vec!["never", "old"]);
        assert_eq!(plan.held, None);
        let reasons = &plan.proposals[0].context.legitimacy.as_ref().unwrap().reasons;
        assert_eq!(
            reasons,
            &vec![
                "followed 20 days ago, never followed back".to_owned(),
                "followed by campaign potters".to_owned(),
                "last interaction: none".to_owned()
            ]
        );
        assert_eq!(plan.proposals[0].key, ProposalKey::unfollow("never", NOW - 20 * DAY));
        let mut opted = config();
        opted.include_outside_follows = true;
        let input = PurgeInput { config: &opted, ..input };
        assert_eq!(super::plan(&follows, &input).proposals.len(), 3);
    }

    #[test]
    fn the_churn_guard_keeps_unfollows_under_half_the_days_follows_and_says_so() {
        let follows: Vec<Follow> = (0..10).map(|i| follow(&i.to_string(), Some(30), false)).collect();
        let (keep, engaged) = (BTreeSet::new(), HashMap::new());
        let input = PurgeInput {
            config: &config(),
            keep: &keep,
            engaged: &engaged,
            proposed_today: 1,
            churn_follows_today: Some(8),
            now: NOW,
        };
        let plan = plan(&follows, &input);
        assert_eq!(plan.proposals.len(), 3, "half of 8 follows, one already proposed");
        assert_eq!(
            plan.held.as_deref(),
            Some("7 more due, held by the churn guard: unfollows stay under half of today's 8 follows")
        );
    }

    proptest! {
        #[test]
        fn never_a_kept_person_never_over_budget_never_one_twice(
            n in 0usize..80,
            kept_every in 1usize..6,
            limit in 1u32..30,
            today in 0u32..30,
        ) {
            let follows: Vec<Follow> = (0..n).map(|i| follow(&i.to_string(), Some(15 + i as i64), i.is_multiple_of(7))).collect();
            let keep: BTreeSet<String> = (0..n).step_by(kept_every).map(|i| i.to_string()).collect();
            let engaged = HashMap::new();
            let mut c = config();
            c.daily_limit = limit;
            let input = PurgeInput { config: &c, keep: &keep, engaged: &engaged, proposed_today: today, churn_follows_today: None, now: NOW };
            let plan = plan(&follows, &input);
            prop_assert!(plan.proposals.len() as u32 <= limit.saturating_sub(today));
            let mut seen = BTreeSet::new();
            for id in ids(&plan) {
                prop_assert!(!keep.contains(&id), "kept {id} proposed");
                prop_assert!(seen.insert(id));
            }
        }
    }
}
