//! Follow campaigns: finding people of interest and proposing to follow them in daily doses.
//!
//! A campaign (`[[campaigns]]`) names an account, the discovery sources to look in, a weekly goal
//! and what makes someone relevant. Each pass, the daemon reads a page from each source and hands
//! the candidates to [`plan`], which scores them — the follower legitimacy score, plus relevance:
//! the source that surfaced them, their bio and the post that matched against the campaign's
//! keywords, how recently they posted, and "followed by N you follow" — and proposes at most what
//! is left of the day's share (the weekly goal split over seven days) as `follow` tasks, each with
//! its reasons. Nobody is proposed twice: the proposal key is `follow/<id>`, which the store
//! refuses once seen, and the caller removes people already followed, kept out or excluded.
//! Following a hundred people at once is how accounts get banned; a daily share that holds even
//! when the queue is not reviewed is the point.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::UnixSeconds;
use crate::config::Invalid;
use crate::legitimacy::{self, LegitimacyConfig};
use crate::proposal::{Proposal, ProposalKey};
use crate::reads::{Candidate, DiscoverySource};
use crate::span::Span;
use crate::task::{Action, Legitimacy, Origin, TaskContext};

/// One `[[campaigns]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignConfig {
    /// Its name, unique among campaigns.
    pub name: String,
    /// The configured account that follows.
    pub account: String,
    /// Where to look: `"#tag"`, `"search:words"`, `"suggestions"`, `"followers-of:ID"`,
    /// `"list:ID"`.
    pub sources: Vec<String>,
    /// How many follows a week at most; the day's share is a seventh of it, rounded up.
    pub weekly_goal: u32,
    /// Candidates scoring under this (0..=100) are not proposed.
    #[serde(default = "default_min_score")]
    pub min_score: u8,
    /// Words that make someone relevant when their bio or post holds them (case-insensitive).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Handles never proposed, and words that rule out anyone whose bio holds them.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// How long a proposal waits for review before it expires.
    #[serde(default = "default_expire_after")]
    pub expire_after: Span,
}

fn default_min_score() -> u8 {
    50
}

fn default_expire_after() -> Span {
    Span::from_secs(2 * 86_400)
}

/// Reads a source as written in a campaign: `#tag`, `search:…`, `suggestions`,
/// `followers-of:ID`, `list:ID`.
pub fn parse_source(text: &str) -> Result<DiscoverySource, String> {
    let text = text.trim();
    let value = |prefix: &str| text.strip_prefix(prefix).map(str::trim).filter(|v| !v.is_empty());
    if let Some(tag) = value("#") {
        return Ok(DiscoverySource::Hashtag(tag.to_owned()));
    }
    if text == "suggestions" {
        return Ok(DiscoverySource::Suggestions);
    }
    if let Some(query) = value("search:") {
        return Ok(DiscoverySource::Search(query.to_owned()));
    }
    if let Some(id) = value("followers-of:") {
        return Ok(DiscoverySource::FollowersOf(id.to_owned()));
    }
    if let Some(id) = value("list:") {
        return Ok(DiscoverySource::List(id.to_owned()));
    }
    Err(format!(
        "`{text}` is not a source; write \"#tag\", \"search:words\", \"suggestions\", \"followers-of:ACCOUNT-ID\" or \"list:LIST-ID\""
    ))
}

impl CampaignConfig {
    /// Its sources, read.
    pub fn discovery_sources(&self) -> Vec<DiscoverySource> {
        self.sources.iter().filter_map(|s| parse_source(s).ok()).collect()
    }

    /// How many follows one day may propose: a seventh of the weekly goal, rounded up.
    pub fn daily_share(&self) -> u32 {
        self.weekly_goal.div_ceil(7)
    }

    /// What cannot work, with keys relative to the campaign's table.
    pub fn problems(&self) -> Vec<Invalid> {
        let mut out = Vec::new();
        if self.name.trim().is_empty() {
            out.push(Invalid::new("name", "a campaign needs a name"));
        }
        if self.sources.is_empty() {
            out.push(Invalid::new("sources", "a campaign needs at least one source, e.g. [\"#pottery\"]"));
        }
        for (i, source) in self.sources.iter().enumerate() {
            if let Err(why) = parse_source(source) {
                out.push(Invalid::new(format!("sources[{i}]"), why));
            }
        }
        if self.weekly_goal == 0 {
            out.push(Invalid::new(
                "weekly_goal",
                "0 follows a week proposes nothing; pause the campaign instead",
            ));
        }
        if self.min_score > 100 {
            out.push(Invalid::new("min_score", format!("{} is over 100, the highest score", self.min_score)));
        }
        out
    }
}

/// What a campaign's pass knows beside the candidates.
#[derive(Debug, Clone)]
pub struct PlanInput<'a> {
    /// The campaign.
    pub campaign: &'a CampaignConfig,
    /// The follower score's weights.
    pub legitimacy: &'a LegitimacyConfig,
    /// Follows this campaign already proposed today (local day), whatever became of them.
    pub proposed_today: u32,
    /// The pass's time.
    pub now: UnixSeconds,
    /// Why the follows must be done by hand, where the platform's API may not make them (X's
    /// developer terms forbid automated follows); `None` where rapport sends them.
    pub by_hand: Option<&'a str>,
}

/// A candidate with its score and the reasons behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scored {
    /// The candidate as discovered.
    pub candidate: Candidate,
    /// The source's label (`#pottery`).
    pub source: String,
    /// Legitimacy plus relevance, 0..=100.
    pub score: u8,
    /// Each signal, in plain words, strongest first.
    pub reasons: Vec<String>,
}

/// Scores `candidate`, surfaced by `source`, for `input`'s campaign, with its reasons; `None`
/// when it is excluded.
pub fn score(candidate: &Candidate, source: &DiscoverySource, input: &PlanInput<'_>) -> Option<Scored> {
    let (score, reasons) = assess(candidate, input, true)?;
    Some(Scored { candidate: candidate.clone(), source: source.label(), score, reasons })
}

/// The score of `candidate` and, if `explain`, the sentences behind it; `None` when excluded.
/// One function for both, so that ranking thousands without sentences and explaining the few
/// proposed can never disagree.
fn assess(candidate: &Candidate, input: &PlanInput<'_>, explain: bool) -> Option<(u8, Vec<String>)> {
    let campaign = input.campaign;
    let profile = &candidate.account;
    let bio = profile.bio.to_lowercase();
    let handle = profile.handle.trim_start_matches('@');
    for excluded in &campaign.exclude {
        let excluded = excluded.trim().trim_start_matches('@');
        if excluded.is_empty() {
            continue;
        }
        let excluded = excluded.to_lowercase();
        if handle.eq_ignore_ascii_case(&excluded)
            || bio.split(|c: char| !c.is_alphanumeric()).any(|w| w == excluded)
        {
            return None;
        }
    }
    let (base, legit_reasons) = if explain {
        let Legitimacy { score, reasons } = legitimacy::score(profile, input.legitimacy, input.now);
        (score, reasons)
    } else {
        (legitimacy::score_only(profile, input.legitimacy, input.now), Vec::new())
    };
    let mut points = i32::from(base);
    let mut reasons = Vec::new();
    if let Some(post) = &candidate.post {
        let hours = (input.now - post.created).max(0) / 3_600;
        if explain {
            let excerpt: String = post.text.chars().take(60).collect();
            let ellipsis = if post.text.chars().count() > 60 { "…" } else { "" };
            reasons.push(format!("{} {} ago: \"{excerpt}{ellipsis}\"", candidate.why, age(hours)));
        }
        // Someone who posted today is there to answer; a month-old post says little.
        points += match hours {
            0..24 => 10,
            24..168 => 5,
            _ => 0,
        };
    } else if explain {
        reasons.push(candidate.why.clone());
    }
    let post = candidate.post.as_ref().map(|p| p.text.to_lowercase()).unwrap_or_default();
    let mut matched: Vec<&str> = Vec::new();
    for keyword in &campaign.keywords {
        let keyword = keyword.trim();
        let lower = keyword.to_lowercase();
        if !keyword.is_empty() && (bio.contains(&lower) || post.contains(&lower)) {
            matched.push(keyword);
        }
    }
    if !matched.is_empty() {
        points += 8 * i32::try_from(matched.len().min(3)).unwrap_or(3);
        if explain {
            reasons.push(format!("mentions {}", matched.join(", ")));
        }
    }
    if let Some(n) = candidate.known_followers.filter(|n| *n > 0) {
        points += 5 * i32::try_from(n.min(4)).unwrap_or(4);
        if explain {
            reasons.push(format!("followed by {n} you follow"));
        }
    }
    let score = u8::try_from(points.clamp(0, 100)).unwrap_or(100);
    if explain {
        reasons.push(format!("score {score} (legitimacy {base}: {})", legit_reasons.join("; ")));
    }
    Some((score, reasons))
}

fn age(hours: i64) -> String {
    match hours {
        0 => "under an hour".into(),
        1..48 => format!("{hours} h"),
        _ => format!("{} days", hours / 24),
    }
}

/// The follows to propose from `candidates` (each with the source that surfaced it): those over
/// the campaign's minimum score, best first, one per person, no more than what is left of the
/// day's share. The caller has already removed anyone followed, kept out, or proposed before.
pub fn plan(candidates: &[(DiscoverySource, Candidate)], input: &PlanInput<'_>) -> Vec<Proposal> {
    let left = input.campaign.daily_share().saturating_sub(input.proposed_today) as usize;
    if left == 0 {
        return Vec::new();
    }
    // Rank everyone by score alone; only those proposed are explained.
    let mut ranked: Vec<(u8, &DiscoverySource, &Candidate)> = candidates
        .iter()
        .filter(|(_, c)| !c.account.id.is_empty())
        .filter_map(|(source, c)| assess(c, input, false).map(|(score, _)| (score, source, c)))
        .filter(|(score, _, _)| *score >= input.campaign.min_score)
        .collect();
    // Best first; ties by id so that a plan is the same however the pages came in.
    ranked.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.2.account.id.cmp(&b.2.account.id)));
    let mut people = HashSet::new();
    ranked
        .into_iter()
        .filter(|(_, _, c)| people.insert(c.account.id.as_str()))
        .take(left)
        .filter_map(|(_, source, c)| score(c, source, input))
        .map(|s| proposal(s, input))
        .collect()
}

fn proposal(scored: Scored, input: &PlanInput<'_>) -> Proposal {
    let Scored { candidate, source, score, reasons } = scored;
    let id = candidate.account.id.clone();
    Proposal {
        key: ProposalKey::follow(&id),
        action: Action::Follow { account_id: id },
        origin: Origin::Campaign { campaign: input.campaign.name.clone(), source },
        context: TaskContext {
            profile: Some(candidate.account),
            post: candidate.post,
            legitimacy: Some(Legitimacy { score, reasons }),
            by_hand: input.by_hand.map(str::to_owned),
        },
        expires_at: Some(input.now + input.campaign.expire_after.as_offset()),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::notification::{Post, Profile};

    const NOW: UnixSeconds = 1_796_626_800;

    fn campaign() -> CampaignConfig {
        CampaignConfig {
            name: "potters".into(),
            account: "shop".into(),
            sources: vec!["#pottery".into()],
            weekly_goal: 35,
            min_score: 50,
            keywords: vec!["glaze".into(), "wheel".into()],
            exclude: vec!["@spammy@x.example".into(), "crypto".into()],
            expire_after: Span::from_secs(86_400),
        }
    }

    fn person(id: &str, bio: &str) -> Profile {
        Profile {
            id: id.into(),
            handle: format!("user{id}@potters.example"),
            display_name: format!("User {id}"),
            bio: bio.into(),
            followers: Some(300),
            following: Some(250),
            posts: Some(900),
            created: Some(NOW - 800 * 86_400),
            has_avatar: true,
            bot: false,
            url: format!("https://potters.example/@user{id}"),
        }
    }

    fn candidate(id: &str, bio: &str, hours_ago: i64, known: Option<u32>) -> (DiscoverySource, Candidate) {
        let account = person(id, bio);
        let post = Post {
            id: format!("p{id}"),
            text: "Trying a new celadon glaze on the wheel today".into(),
            url: String::new(),
            author: account.clone(),
            in_reply_to: None,
            created: NOW - hours_ago * 3_600,
            visibility: "public".into(),
        };
        let c =
            Candidate { account, post: Some(post), known_followers: known, why: "posted #pottery".into() };
        (DiscoverySource::Hashtag("pottery".into()), c)
    }

    fn input(campaign: &CampaignConfig, proposed_today: u32) -> PlanInput<'_> {
        static LEGITIMACY: std::sync::LazyLock<LegitimacyConfig> =
            std::sync::LazyLock::new(LegitimacyConfig::default);
        PlanInput { campaign, legitimacy: &LEGITIMACY, proposed_today, now: NOW, by_hand: None }
    }

    #[test]
    fn sources_read_as_written_and_a_wrong_one_says_what_to_write() {
        assert_eq!(parse_source(" #sourdough "), Ok(DiscoverySource::Hashtag("sourdough".into())));
        assert_eq!(
            parse_source("search:wheel throwing"),
            Ok(DiscoverySource::Search("wheel throwing".into()))
        );
        assert_eq!(parse_source("followers-of:109"), Ok(DiscoverySource::FollowersOf("109".into())));
        assert_eq!(parse_source("list:42"), Ok(DiscoverySource::List("42".into())));
        assert_eq!(parse_source("suggestions"), Ok(DiscoverySource::Suggestions));
        assert!(parse_source("hashtag pottery").unwrap_err().contains("\"#tag\""));
        assert!(parse_source("#").is_err());
        let mut c = campaign();
        c.sources.push("tag:x".into());
        c.weekly_goal = 0;
        let keys: Vec<String> = c.problems().into_iter().map(|p| p.key).collect();
        assert_eq!(keys, vec!["sources[1]", "weekly_goal"]);
    }

    #[test]
    fn a_day_proposes_its_share_best_first_with_reasons() {
        let c = campaign();
        let candidates: Vec<_> = (0..12)
            .map(|i| {
                candidate(
                    &format!("{i}"),
                    if i % 2 == 0 { "I glaze pots" } else { "hello" },
                    i,
                    Some(i as u32 % 3),
                )
            })
            .collect();
        let plan = plan(&candidates, &input(&c, 0));
        assert_eq!(plan.len(), 5, "35 a week is 5 a day");
        let scores: Vec<u8> = plan.iter().map(|p| p.context.legitimacy.as_ref().unwrap().score).collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
        let first = &plan[0];
        assert_eq!(
            first.key,
            ProposalKey::follow(match &first.action {
                Action::Follow { account_id } => account_id,
                other => panic!("{other:?}"),
            })
        );
        let reasons = &first.context.legitimacy.as_ref().unwrap().reasons;
        assert!(
            reasons[0].starts_with("posted #pottery ") && reasons[0].contains("\"Trying a new celadon"),
            "{reasons:?}"
        );
        assert!(reasons.iter().any(|r| r == "mentions glaze, wheel"), "{reasons:?}");
        assert!(reasons.last().unwrap().starts_with("score "), "{reasons:?}");
        assert_eq!(first.origin, Origin::Campaign { campaign: "potters".into(), source: "#pottery".into() });
        assert_eq!(first.expires_at, Some(NOW + 86_400));
        // Three already proposed today leave two.
        assert_eq!(super::plan(&candidates, &input(&c, 3)).len(), 2);
        assert!(super::plan(&candidates, &input(&c, 9)).is_empty());
    }

    #[test]
    fn on_a_platform_that_forbids_automated_follows_the_proposals_are_by_hand() {
        let c = campaign();
        let why = "X's developer terms forbid automated follows";
        let input = PlanInput { by_hand: Some(why), ..input(&c, 0) };
        let plan = plan(&[candidate("1", "glaze", 1, None)], &input);
        assert_eq!(plan[0].context.by_hand.as_deref(), Some(why));
    }

    #[test]
    fn excluded_handles_and_words_and_low_scores_are_never_proposed() {
        let mut c = campaign();
        let mut spammy = candidate("1", "pots", 1, None);
        spammy.1.account.handle = "spammy@x.example".into();
        let crypto = candidate("2", "Crypto and pots!", 1, None);
        let mut bot = candidate("3", "pots", 1, None);
        bot.1.account.bot = true;
        bot.1.account.created = Some(NOW - 86_400);
        c.min_score = 60;
        let plan = plan(&[spammy, crypto, bot, candidate("4", "pots", 1, None)], &input(&c, 0));
        let ids: Vec<&str> = plan.iter().map(|p| p.context.profile.as_ref().unwrap().id.as_str()).collect();
        assert_eq!(ids, vec!["4"]);
    }

    proptest! {
        #[test]
        fn never_over_the_days_share_and_never_one_person_twice(
            goal in 1u32..400,
            today in 0u32..80,
            ids in proptest::collection::vec(0u32..40, 0..120),
        ) {
            let mut c = campaign();
            c.weekly_goal = goal;
            c.min_score = 0;
            let candidates: Vec<_> = ids.iter().map(|i| candidate(&i.to_string(), "glaze", i64::from(*i), None)).collect();
            let plan = plan(&candidates, &input(&c, today));
            prop_assert!(plan.len() as u32 <= c.daily_share().saturating_sub(today));
            let mut seen = HashSet::new();
            for p in &plan {
                prop_assert!(seen.insert(p.key.clone()), "proposed twice: {}", p.key);
            }
        }
    }
}
