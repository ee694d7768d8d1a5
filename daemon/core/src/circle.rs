//! Daily engagement with a circle: the people a person cares about, whose posts deserve a like,
//! a repost or a comment every day.
//!
//! A circle (`[[circles]]`) names an account, its members (platform ids or handles), and a daily
//! dose per action. Once a day, at the circle's local time, the daemon reads each member's recent
//! posts and [`plan`] proposes the best of them — young enough to matter, not the person's
//! replies, spread across members — as `like`, `repost` and `reply` tasks up to the dose. A
//! comment draft addresses the person by name and quotes what it answers, for the person to
//! finish: it is never meant to go out as written. The proposal keys (`like/<post>`, …) keep a
//! post from being proposed twice for the same action, on any day, by any circle.

use std::collections::{BTreeSet, HashSet};

use serde::{Deserialize, Serialize};

use crate::UnixSeconds;
use crate::config::Invalid;
use crate::history::normalize_handle;
use crate::notification::Post;
use crate::proposal::{Proposal, ProposalKey};
use crate::span::Span;
use crate::task::{Action, ActionKind, Origin, TaskContext};

/// One `[[circles]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CircleConfig {
    /// Its name, unique among circles.
    pub name: String,
    /// The configured account that engages.
    pub account: String,
    /// The people in it: platform account ids or handles.
    #[serde(default)]
    pub members: Vec<String>,
    /// A platform list whose members are in it too (its id).
    #[serde(default)]
    pub list: Option<String>,
    /// Mutuals who engaged with the account within this are in it too.
    #[serde(default)]
    pub mutuals_engaged_within: Option<Span>,
    /// Likes a day.
    #[serde(default = "default_likes")]
    pub likes: u32,
    /// Reposts a day.
    #[serde(default = "default_reposts")]
    pub reposts: u32,
    /// Comment drafts a day.
    #[serde(default = "default_replies")]
    pub replies: u32,
    /// The local time (`HH:MM`) the day's proposals are made.
    #[serde(default = "default_at")]
    pub at: String,
    /// The IANA zone of `at`; unset: the policy's.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Posts older than this are left alone.
    #[serde(default = "default_max_post_age")]
    pub max_post_age: Span,
}

fn default_likes() -> u32 {
    5
}

fn default_reposts() -> u32 {
    2
}

fn default_replies() -> u32 {
    2
}

fn default_at() -> String {
    "09:00".into()
}

fn default_max_post_age() -> Span {
    Span::from_secs(3 * 86_400)
}

/// `HH:MM` as minutes after midnight.
pub fn parse_time_of_day(text: &str) -> Result<u32, String> {
    let bad = || format!("`{text}` is not a time of day; write it as HH:MM, e.g. \"09:00\"");
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

impl CircleConfig {
    /// What cannot work, with keys relative to the table.
    pub fn problems(&self) -> Vec<Invalid> {
        let mut out = Vec::new();
        if self.name.trim().is_empty() {
            out.push(Invalid::new("name", "a circle needs a name"));
        }
        let dynamic =
            self.list.as_ref().is_some_and(|l| !l.trim().is_empty()) || self.mutuals_engaged_within.is_some();
        if !dynamic && self.members.iter().all(|m| m.trim().is_empty()) {
            out.push(Invalid::new(
                "members",
                "a circle needs members: handles or platform ids, a `list`, or `mutuals_engaged_within`",
            ));
        }
        if self.likes + self.reposts + self.replies == 0 {
            out.push(Invalid::new(
                "likes",
                "likes, reposts and replies are all 0: the circle would propose nothing",
            ));
        }
        if let Err(why) = parse_time_of_day(&self.at) {
            out.push(Invalid::new("at", why));
        }
        out
    }

    /// Whether `author` (a post's author id and handle) is a member, as configured.
    pub fn has_member(&self, id: &str, handle: &str) -> bool {
        let (id, handle) = (normalize_handle(id), normalize_handle(handle));
        self.members.iter().map(|m| normalize_handle(m)).any(|m| m == id || m == handle)
    }

    /// The members as configured, less those a person `removed`, plus those they `added` (all
    /// compared normalized), in that order.
    pub fn effective_members(&self, added: &BTreeSet<String>, removed: &BTreeSet<String>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for member in self.members.iter().chain(added) {
            let normalized = normalize_handle(member);
            if !normalized.is_empty()
                && !removed.contains(&normalized)
                && !out.iter().any(|m| normalize_handle(m) == normalized)
            {
                out.push(member.trim().to_owned());
            }
        }
        out
    }
}

/// What a circle's day knows beside the posts.
#[derive(Debug, Clone)]
pub struct CircleInput<'a> {
    /// The circle.
    pub circle: &'a CircleConfig,
    /// Platform ids of the members found today (its list's, the mutuals who engaged), beside
    /// those the config names.
    pub found_members: &'a HashSet<String>,
    /// The day's time.
    pub now: UnixSeconds,
}

/// The day's proposals from `posts` (the members' recent posts, any order). The caller proposes
/// them through the store, which drops any key seen before (a post liked yesterday).
pub fn plan(posts: &[Post], input: &CircleInput<'_>) -> Vec<Proposal> {
    let circle = input.circle;
    let oldest = input.now - circle.max_post_age.as_offset();
    let mut fresh: Vec<&Post> = posts
        .iter()
        .filter(|p| {
            !p.id.is_empty() && p.in_reply_to.is_none() && p.created >= oldest && p.created <= input.now
        })
        .filter(|p| {
            input.found_members.contains(&p.author.id) || circle.has_member(&p.author.id, &p.author.handle)
        })
        .collect();
    // Newest first, then one post per member in turn, so one prolific member does not take the
    // whole dose.
    fresh.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.id.cmp(&b.id)));
    let mut unique = HashSet::new();
    fresh.retain(|p| unique.insert(p.id.as_str()));
    let order = round_robin(&fresh);
    let mut out = Vec::new();
    for (kind, dose) in [
        (ActionKind::Like, circle.likes),
        (ActionKind::Repost, circle.reposts),
        (ActionKind::Reply, circle.replies),
    ] {
        out.extend(order.iter().take(dose as usize).map(|post| proposal(kind, post, input)));
    }
    out
}

/// The posts reordered: each member's newest, then each member's second, and so on.
fn round_robin<'a>(posts: &[&'a Post]) -> Vec<&'a Post> {
    let mut authors: Vec<&str> = Vec::new();
    let mut queues: Vec<Vec<&'a Post>> = Vec::new();
    for post in posts {
        match authors.iter().position(|a| *a == post.author.id) {
            Some(i) => queues[i].push(post),
            None => {
                authors.push(&post.author.id);
                queues.push(vec![post]);
            }
        }
    }
    let mut out = Vec::with_capacity(posts.len());
    let mut round = 0;
    while out.len() < posts.len() {
        out.extend(queues.iter().filter_map(|q| q.get(round).copied()));
        round += 1;
    }
    out
}

/// A comment draft that names the person and quotes what it answers, for the person to finish.
pub fn comment_draft(post: &Post) -> String {
    let quote: String = post.text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(80).collect();
    let ellipsis = if post.text.chars().count() > 80 { "…" } else { "" };
    format!("{}, \"{quote}{ellipsis}\" — ", post.author.addressable_name())
}

fn proposal(kind: ActionKind, post: &Post, input: &CircleInput<'_>) -> Proposal {
    let id = post.id.clone();
    let action = match kind {
        ActionKind::Like => Action::Like { post_id: id },
        ActionKind::Repost => Action::Repost { post_id: id },
        _ => Action::Reply { to_post_id: id, text: comment_draft(post), visibility: post.visibility.clone() },
    };
    Proposal {
        key: ProposalKey::engage(kind, &post.id),
        action,
        origin: Origin::Circle { circle: input.circle.name.clone() },
        context: TaskContext {
            profile: Some(post.author.clone()),
            post: Some(post.clone()),
            legitimacy: None,
            by_hand: None,
        },
        // A day's engagement is stale the next day: the next day proposes afresh.
        expires_at: Some(input.now + 86_400),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::notification::Profile;

    const NOW: UnixSeconds = 1_796_626_800;

    fn circle() -> CircleConfig {
        CircleConfig {
            name: "makers".into(),
            account: "shop".into(),
            members: vec!["1".into(), "@bo@clay.example".into(), "3".into()],
            list: None,
            mutuals_engaged_within: None,
            likes: 3,
            reposts: 1,
            replies: 1,
            at: "09:00".into(),
            timezone: None,
            max_post_age: Span::from_secs(3 * 86_400),
        }
    }

    fn post(id: &str, author: &str, handle: &str, hours_ago: i64) -> Post {
        Post {
            id: id.into(),
            text: "Our first   wood firing came out beautifully, ash glaze everywhere".into(),
            url: String::new(),
            author: Profile {
                id: author.into(),
                handle: handle.into(),
                display_name: format!("Maker {author}"),
                bio: String::new(),
                followers: None,
                following: None,
                posts: None,
                created: None,
                has_avatar: true,
                bot: false,
                url: String::new(),
            },
            in_reply_to: None,
            created: NOW - hours_ago * 3_600,
            visibility: "public".into(),
        }
    }

    #[test]
    fn the_dose_is_spread_over_members_newest_first_and_drafts_name_the_person() {
        let mut reply = post("r", "1", "ann@clay.example", 1);
        reply.in_reply_to = Some("x".into());
        let posts = vec![
            post("a1", "1", "ann@clay.example", 2),
            post("a2", "1", "ann@clay.example", 3),
            post("a3", "1", "ann@clay.example", 4),
            post("b1", "2", "bo@clay.example", 5),
            post("old", "3", "cy@clay.example", 100),
            post("stranger", "9", "zed@clay.example", 1),
            reply,
        ];
        let plan = plan(&posts, &CircleInput { circle: &circle(), found_members: &HashSet::new(), now: NOW });
        let keys: Vec<&str> = plan.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, vec!["like/a1", "like/b1", "like/a2", "repost/a1", "reply/a1"]);
        match &plan[4].action {
            Action::Reply { text, to_post_id, .. } => {
                assert_eq!(to_post_id, "a1");
                assert_eq!(
                    text,
                    "Maker 1, \"Our first wood firing came out beautifully, ash glaze everywhere\" — "
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(plan[0].origin, Origin::Circle { circle: "makers".into() });
        // A member found today (from the list or the mutuals) counts like a configured one.
        let found: HashSet<String> = ["9".to_owned()].into();
        let widened =
            super::plan(&posts, &CircleInput { circle: &circle(), found_members: &found, now: NOW });
        assert!(widened.iter().any(|p| p.key.as_str() == "like/stranger"), "{widened:?}");
    }

    #[test]
    fn times_of_day_and_empty_circles_are_refused_with_what_to_write() {
        assert_eq!(parse_time_of_day("07:30"), Ok(450));
        assert!(parse_time_of_day("7pm").unwrap_err().contains("HH:MM"));
        let mut c = circle();
        c.members = vec![" ".into()];
        c.at = "25:00".into();
        let keys: Vec<String> = c.problems().into_iter().map(|p| p.key).collect();
        assert_eq!(keys, vec!["members", "at"]);
        c.list = Some("42".into());
        let keys: Vec<String> = c.problems().into_iter().map(|p| p.key).collect();
        assert_eq!(keys, vec!["at"], "a list's members make a circle");
    }

    proptest! {
        #[test]
        fn never_over_the_dose_and_never_one_post_twice_for_an_action(
            posts in proptest::collection::vec((0u32..30, 0u32..4, 0i64..120), 0..60),
            likes in 0u32..8, reposts in 0u32..4, replies in 0u32..4,
        ) {
            let mut c = circle();
            c.members = vec!["0".into(), "1".into(), "2".into(), "3".into()];
            (c.likes, c.reposts, c.replies) = (likes, reposts, replies);
            let posts: Vec<Post> = posts.iter().map(|(id, a, h)| post(&id.to_string(), &a.to_string(), "", *h)).collect();
            let plan = plan(&posts, &CircleInput { circle: &c, found_members: &HashSet::new(), now: NOW });
            let count = |kind: ActionKind| plan.iter().filter(|p| p.action.kind() == kind).count() as u32;
            prop_assert!(count(ActionKind::Like) <= likes && count(ActionKind::Repost) <= reposts && count(ActionKind::Reply) <= replies);
            let mut keys = HashSet::new();
            for p in &plan {
                prop_assert!(keys.insert(p.key.clone()), "twice: {}", p.key);
            }
        }
    }
}
