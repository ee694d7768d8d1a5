//! The engagement report: what an account's recorded history says about how its relationships
//! are going, per post, per day or week, and over the window.
//!
//! Definitions (the measure is engagement rate, not audience size):
//! - A post's **interactions** are its likes, reposts, replies and quotes in its latest reading.
//!   Views (impressions) are reported beside them, never in them, and only where the platform
//!   gives them.
//! - A post's **engagement rate** is its interactions ÷ the followers at posting time: the latest
//!   snapshot at or before the post, else the earliest after it (the account's first snapshot
//!   came later), else unknown.
//! - A period's (and the window's) engagement rate is the sum of its posts' interactions ÷ the
//!   sum of their followers at posting: each post weighs by the audience it had. A period without
//!   posts has no rate (not 0 %).
//! - **Follower growth** over a period: `net` is the last snapshot in it (or before it) minus the
//!   last snapshot before it; `gained` and `lost` add up the day-to-day rises and falls of the
//!   snapshots inside it (two follows and one unfollow on one day show as one gained: snapshots
//!   are daily). `new_followers` counts the follow notifications in it, which the platform told
//!   one by one.
//! - **Follow-back rate** of rapport's follows: of the people the account followed in the
//!   window (follows and follow-backs aside), the share who followed the account afterwards; per
//!   campaign too.
//! - **Response time**: from a notification to the reply sent to it; median and 90th percentile
//!   by nearest rank.
//! - **Mix**: the posts in the window that rapport published as value or as sales, and those
//!   posted elsewhere (whose kind rapport does not know).
//! - **Actions against budget**: each local day's actions per kind, with the day's budget where
//!   one is configured.
//! - **Top engagers**: the people with the most interactions towards the account in the window,
//!   follows aside.
//!
//! Rates travel as exact fractions ([`Ratio`]), so the JSON, the terminal and the HTML page show
//! one and the same figure.

use std::collections::{BTreeMap, HashMap};

use chrono::Datelike;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::UnixSeconds;
use crate::history::{
    ActionDay, Direction, FollowerSnapshot, Interaction, InteractionKind, PostHistory, ResponseTime,
};
use crate::localtime;
use crate::reads::PostMetrics;
use crate::task::{ActionKind, PostKind};

/// The length of a report's periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Period {
    /// Local calendar days.
    Day,
    /// Local weeks, Monday to Sunday.
    #[default]
    Week,
}

/// Everything a report is computed from.
#[derive(Debug, Clone, Copy)]
pub struct ReportInput<'a> {
    /// The configured account.
    pub account: &'a str,
    /// Its platform (`mastodon`, `x`, …).
    pub platform: &'a str,
    /// The window's start (inclusive).
    pub since: UnixSeconds,
    /// The window's end (exclusive): now.
    pub until: UnixSeconds,
    /// The periods to break the window into.
    pub by: Period,
    /// The zone whose days and weeks the periods are.
    pub zone: Tz,
    /// Follower snapshots, oldest first; may start before the window.
    pub snapshots: &'a [FollowerSnapshot],
    /// The account's own posts with their readings.
    pub posts: &'a [PostHistory],
    /// Interactions both ways, oldest first.
    pub interactions: &'a [Interaction],
    /// Replies sent to notifications.
    pub responses: &'a [ResponseTime],
    /// Actions per local day and kind, with the day's budget.
    pub actions: &'a [ActionDay],
}

/// An exact fraction: `part` of `whole`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ratio {
    /// The numerator.
    pub part: u64,
    /// The denominator, never 0.
    pub whole: u64,
}

impl Ratio {
    /// `part ÷ whole`, or `None` when there is no whole to divide by.
    pub fn of(part: u64, whole: u64) -> Option<Ratio> {
        (whole > 0).then_some(Ratio { part, whole })
    }

    /// The fraction as a percentage.
    pub fn percent(self) -> f64 {
        self.part as f64 * 100.0 / self.whole as f64
    }
}

/// One post's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostFigures {
    /// The platform's id.
    pub id: String,
    /// Its link.
    pub url: String,
    /// When it was posted.
    pub posted_at: UnixSeconds,
    /// Its text.
    pub text: String,
    /// Value or sales, when rapport posted it.
    pub kind: Option<PostKind>,
    /// The latest reading's metrics (zero when never read).
    pub metrics: PostMetrics,
    /// Likes + reposts + replies + quotes.
    pub interactions: u64,
    /// Followers when it was posted, if a snapshot tells.
    pub followers_at_posting: Option<u64>,
    /// Interactions ÷ followers at posting.
    pub engagement_rate: Option<Ratio>,
    /// Its curve: each reading's time and interactions.
    pub curve: Vec<(UnixSeconds, u64)>,
}

/// One action kind's count in a period against its budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionFigures {
    /// The action kind.
    pub kind: ActionKind,
    /// Actions done.
    pub done: u32,
    /// The sum of the days' budgets, where every day has one.
    pub budget: Option<u32>,
}

/// Follower counts over a stretch of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Growth {
    /// Followers at the end (the last snapshot up to it), if any snapshot tells.
    pub followers: Option<u64>,
    /// Day-to-day rises of the snapshots.
    pub gained: u64,
    /// Day-to-day falls of the snapshots.
    pub lost: u64,
    /// Followers at the end minus followers before the start (0 without two snapshots).
    pub net: i64,
    /// Follow notifications received.
    pub new_followers: u64,
}

/// One day's or week's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodFigures {
    /// The period's start.
    pub start: UnixSeconds,
    /// Its label: `2026-11-30` (a day, or the Monday of a week).
    pub label: String,
    /// Posts made in it.
    pub posts: u32,
    /// Their interactions.
    pub interactions: u64,
    /// Their views, where the platform gives them.
    pub views: Option<u64>,
    /// Their engagement rate; `None` without posts.
    pub engagement_rate: Option<Ratio>,
    /// Follower growth in it.
    pub growth: Growth,
    /// Actions done in it against their budgets.
    pub actions: Vec<ActionFigures>,
}

/// The follow-back rate of one campaign's follows (or all of rapport's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowBack {
    /// The campaign; `None` for all of the account's follows.
    pub campaign: Option<String>,
    /// People followed in the window.
    pub followed: u64,
    /// Of them, those who followed the account afterwards.
    pub followed_back: u64,
}

/// Reply response times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ResponseFigures {
    /// Replies sent in the window.
    pub replies: u64,
    /// The median time from notification to reply, seconds.
    pub median_secs: Option<i64>,
    /// The 90th percentile, seconds.
    pub p90_secs: Option<i64>,
}

/// What was posted, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Mix {
    /// Value posts rapport published.
    pub value: u32,
    /// Sales posts rapport published.
    pub sales: u32,
    /// Posts made elsewhere.
    pub elsewhere: u32,
}

/// One of the people who engaged most.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Engager {
    /// Their platform id.
    pub person: String,
    /// Their handle, if known.
    pub handle: String,
    /// Their interactions towards the account in the window.
    pub interactions: u64,
}

/// The whole report of one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The configured account.
    pub account: String,
    /// Its platform.
    pub platform: String,
    /// The window's start.
    pub since: UnixSeconds,
    /// The window's end.
    pub until: UnixSeconds,
    /// The periods' length.
    pub by: Period,
    /// The zone of the periods.
    pub zone: String,
    /// Posts in the window.
    pub posts_count: u32,
    /// Their interactions.
    pub interactions: u64,
    /// Their views, where the platform gives them.
    pub views: Option<u64>,
    /// The window's engagement rate.
    pub engagement_rate: Option<Ratio>,
    /// Follower growth over the window.
    pub growth: Growth,
    /// Per period, oldest first, including periods without posts.
    pub periods: Vec<PeriodFigures>,
    /// The best posts by engagement rate, at most [`TOP_POSTS`] (every post counts in the
    /// figures above; a year of them would not fit in a reply).
    pub posts: Vec<PostFigures>,
    /// Follow-back of all rapport's follows, then per campaign.
    pub follow_back: Vec<FollowBack>,
    /// Reply response times.
    pub responses: ResponseFigures,
    /// Value, sales, elsewhere.
    pub mix: Mix,
    /// Actions over the window against budget.
    pub actions: Vec<ActionFigures>,
    /// The people who engaged most, at most [`TOP_ENGAGERS`].
    pub top_engagers: Vec<Engager>,
}

/// How many top engagers a report lists.
pub const TOP_ENGAGERS: usize = 10;

/// How many posts, the best first, a report lists with their curves.
pub const TOP_POSTS: usize = 20;

/// Computes the report.
pub fn compute(input: &ReportInput<'_>) -> Report {
    let mut posts: Vec<PostFigures> = input
        .posts
        .iter()
        .filter(|p| p.posted_at >= input.since && p.posted_at < input.until)
        .map(|p| post_figures(p, input.snapshots))
        .collect();
    // Each period takes its posts as one slice of them in time order.
    posts.sort_by_key(|p| p.posted_at);
    let follows_in = FollowTimes::of(input.interactions);
    let views_known = posts.iter().any(|p| p.metrics.views.is_some());
    let bounds = period_bounds(input.since, input.until, input.by, input.zone);
    let mut periods = Vec::with_capacity(bounds.len());
    // A snapshot taken this very second belongs to the last period, and to the window.
    let snapshot_end = |end: UnixSeconds| if end == input.until { end + 1 } else { end };
    for &(start, end) in &bounds {
        let in_period = &posts
            [posts.partition_point(|p| p.posted_at < start)..posts.partition_point(|p| p.posted_at < end)];
        periods.push(PeriodFigures {
            start,
            label: localtime::date_label(start, input.zone),
            posts: in_period.len() as u32,
            interactions: in_period.iter().map(|p| p.interactions).sum(),
            views: views_known.then(|| in_period.iter().filter_map(|p| p.metrics.views).sum()),
            engagement_rate: pooled_rate(in_period),
            growth: growth(input.snapshots, &follows_in, start, snapshot_end(end)),
            actions: action_figures(input.actions, input.since, start, end),
        });
    }
    let mut mix = Mix::default();
    for p in &posts {
        match p.kind {
            Some(PostKind::Value) => mix.value += 1,
            Some(PostKind::Sales) => mix.sales += 1,
            None => mix.elsewhere += 1,
        }
    }
    let mut ranked: Vec<&PostFigures> = posts.iter().collect();
    ranked
        .sort_by(|a, b| rate_order(b.engagement_rate, a.engagement_rate).then(b.posted_at.cmp(&a.posted_at)));
    let ranked: Vec<PostFigures> =
        ranked.into_iter().take(TOP_POSTS).map(|p| p.with_curve(input.posts)).collect();
    Report {
        account: input.account.to_owned(),
        platform: input.platform.to_owned(),
        since: input.since,
        until: input.until,
        by: input.by,
        zone: input.zone.name().to_owned(),
        posts_count: posts.len() as u32,
        interactions: posts.iter().map(|p| p.interactions).sum(),
        views: views_known.then(|| posts.iter().filter_map(|p| p.metrics.views).sum()),
        engagement_rate: pooled_rate(&posts),
        growth: growth(input.snapshots, &follows_in, input.since, snapshot_end(input.until)),
        periods,
        posts: ranked,
        follow_back: follow_back(input.interactions),
        responses: responses(input.responses, input.since, input.until),
        mix,
        actions: action_figures(input.actions, input.since, input.since, input.until),
        top_engagers: top_engagers(input.interactions),
    }
}

/// The times people followed the account, oldest first: the follow counts of every period come
/// from one sorted list rather than a pass over every interaction per period.
struct FollowTimes(Vec<UnixSeconds>);

impl FollowTimes {
    fn of(interactions: &[Interaction]) -> FollowTimes {
        let mut times: Vec<UnixSeconds> = interactions
            .iter()
            .filter(|i| i.direction == Direction::Theirs && i.kind == InteractionKind::Followed)
            .map(|i| i.at)
            .collect();
        times.sort_unstable();
        FollowTimes(times)
    }

    /// Follows in `[start, end)`.
    fn between(&self, start: UnixSeconds, end: UnixSeconds) -> u64 {
        (self.0.partition_point(|t| *t < end) - self.0.partition_point(|t| *t < start)) as u64
    }
}

/// Higher rates first; a known rate before an unknown one.
fn rate_order(a: Option<Ratio>, b: Option<Ratio>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(a), Some(b)) => {
            (u128::from(a.part) * u128::from(b.whole)).cmp(&(u128::from(b.part) * u128::from(a.whole)))
        }
        (a, b) => a.is_some().cmp(&b.is_some()),
    }
}

/// A post's figures from its readings and the snapshots.
fn post_figures(post: &PostHistory, snapshots: &[FollowerSnapshot]) -> PostFigures {
    let metrics = post.latest().map(|r| r.metrics).unwrap_or_default();
    let interactions = metrics.interactions();
    let followers = followers_at(snapshots, post.posted_at);
    PostFigures {
        id: post.id.clone(),
        url: post.url.clone(),
        posted_at: post.posted_at,
        text: post.text.clone(),
        kind: post.kind,
        metrics,
        interactions,
        followers_at_posting: followers,
        engagement_rate: followers.and_then(|f| Ratio::of(interactions, f)),
        // Only the ranked posts are drawn: their curves are filled in by `with_curve`.
        curve: Vec::new(),
    }
}

impl PostFigures {
    /// These figures with the post's curve: its interactions at each reading.
    fn with_curve(&self, histories: &[PostHistory]) -> PostFigures {
        let readings =
            histories.iter().find(|h| h.id == self.id).map(|h| h.readings.as_slice()).unwrap_or(&[]);
        PostFigures {
            curve: readings.iter().map(|r| (r.at, r.metrics.interactions())).collect(),
            ..self.clone()
        }
    }
}

/// Followers at `at`: the latest snapshot at or before it, else the earliest after it.
fn followers_at(snapshots: &[FollowerSnapshot], at: UnixSeconds) -> Option<u64> {
    let before = snapshots.partition_point(|s| s.at <= at);
    match before {
        0 => snapshots.first().map(|s| s.followers),
        n => Some(snapshots[n - 1].followers),
    }
}

/// The pooled rate of `posts`: their interactions ÷ their followers at posting, over the posts
/// whose followers are known.
fn pooled_rate(posts: &[PostFigures]) -> Option<Ratio> {
    let known = posts.iter().filter_map(|p| p.followers_at_posting.map(|f| (p.interactions, f)));
    let (part, whole) = known.fold((0, 0), |(i, f), (pi, pf)| (i + pi, f + pf));
    Ratio::of(part, whole)
}

/// The periods from `since` to `until`: local days, or local weeks from Monday; the first and
/// the last cut to the window.
fn period_bounds(
    since: UnixSeconds,
    until: UnixSeconds,
    by: Period,
    zone: Tz,
) -> Vec<(UnixSeconds, UnixSeconds)> {
    let mut out = Vec::new();
    let mut start = since;
    while start < until {
        let mut end = localtime::next_day_start(start, zone);
        if by == Period::Week {
            while localtime::to_local(end, zone).weekday() != chrono::Weekday::Mon {
                end = localtime::next_day_start(end, zone);
            }
        }
        let end = end.min(until);
        out.push((start, end));
        start = end;
    }
    out
}

/// Follower growth in `[start, end)`.
fn growth(
    snapshots: &[FollowerSnapshot],
    follows: &FollowTimes,
    start: UnixSeconds,
    end: UnixSeconds,
) -> Growth {
    let first_inside = snapshots.partition_point(|s| s.at < start);
    let inside = &snapshots[first_inside..snapshots.partition_point(|s| s.at < end)];
    let before = first_inside.checked_sub(1).map(|i| &snapshots[i]);
    let at_end = inside.last().or(before);
    let series = || before.into_iter().chain(inside).map(|s| s.followers);
    let (mut gained, mut lost) = (0, 0);
    for (earlier, later) in series().zip(series().skip(1)) {
        if later >= earlier {
            gained += later - earlier;
        } else {
            lost += earlier - later;
        }
    }
    let net = match (series().next(), at_end) {
        (Some(first), Some(last)) => last.followers as i64 - first as i64,
        _ => 0,
    };
    Growth {
        followers: at_end.map(|s| s.followers),
        gained,
        lost,
        net,
        new_followers: follows.between(start, end),
    }
}

/// Actions per kind in `[start, end)`: the count, and the sum of budgets when every day had one.
/// The window's first day starts before the window: it counts from the window's start.
fn action_figures(
    days: &[ActionDay],
    since: UnixSeconds,
    start: UnixSeconds,
    end: UnixSeconds,
) -> Vec<ActionFigures> {
    let mut by_kind: BTreeMap<&str, ActionFigures> = BTreeMap::new();
    for day in days.iter().filter(|d| (start..end).contains(&d.day.max(since))) {
        let entry = by_kind.entry(day.kind.as_str()).or_insert(ActionFigures {
            kind: day.kind,
            done: 0,
            budget: Some(0),
        });
        entry.done += day.done;
        entry.budget = match (entry.budget, day.budget) {
            (Some(sum), Some(b)) => Some(sum + b),
            _ => None,
        };
    }
    by_kind.into_values().collect()
}

/// Follow-back of the account's follows in the window, overall and per campaign.
fn follow_back(interactions: &[Interaction]) -> Vec<FollowBack> {
    // A follow back after ours: they followed at or after we did (at once counts), so each
    // person's latest follow of the account is all that is needed.
    let mut last_followed: HashMap<&str, UnixSeconds> = HashMap::new();
    for i in interactions
        .iter()
        .filter(|i| i.direction == Direction::Theirs && i.kind == InteractionKind::Followed)
    {
        let latest = last_followed.entry(i.person.as_str()).or_insert(i.at);
        *latest = (*latest).max(i.at);
    }
    let mut overall = FollowBack { campaign: None, followed: 0, followed_back: 0 };
    let mut per_campaign: BTreeMap<&str, FollowBack> = BTreeMap::new();
    for i in
        interactions.iter().filter(|i| i.direction == Direction::Ours && i.kind == InteractionKind::Followed)
    {
        let back = last_followed.get(i.person.as_str()).is_some_and(|at| *at >= i.at);
        overall.followed += 1;
        overall.followed_back += u64::from(back);
        if let Some(campaign) = &i.campaign {
            let entry = per_campaign.entry(campaign).or_insert_with(|| FollowBack {
                campaign: Some(campaign.clone()),
                followed: 0,
                followed_back: 0,
            });
            entry.followed += 1;
            entry.followed_back += u64::from(back);
        }
    }
    std::iter::once(overall).chain(per_campaign.into_values()).collect()
}

/// Response times of the replies sent in the window.
fn responses(all: &[ResponseTime], since: UnixSeconds, until: UnixSeconds) -> ResponseFigures {
    let mut secs: Vec<i64> = all
        .iter()
        .filter(|r| r.replied_at >= since && r.replied_at < until)
        .map(|r| (r.replied_at - r.notified_at).max(0))
        .collect();
    secs.sort_unstable();
    ResponseFigures {
        replies: secs.len() as u64,
        median_secs: nearest_rank(&secs, 50),
        p90_secs: nearest_rank(&secs, 90),
    }
}

/// The `pct`th percentile of sorted `values` by nearest rank.
fn nearest_rank(values: &[i64], pct: usize) -> Option<i64> {
    let rank = (pct * values.len()).div_ceil(100).max(1);
    values.get(rank - 1).copied()
}

/// The people with the most interactions towards the account, follows aside.
fn top_engagers(interactions: &[Interaction]) -> Vec<Engager> {
    let mut counts: HashMap<&str, (u64, &str)> = HashMap::new();
    for i in interactions
        .iter()
        .filter(|i| i.direction == Direction::Theirs && i.kind != InteractionKind::Followed)
    {
        let entry = counts.entry(i.person.as_str()).or_insert((0, ""));
        entry.0 += 1;
        if !i.handle.is_empty() {
            entry.1 = &i.handle;
        }
    }
    let mut ranked: Vec<(&str, u64, &str)> =
        counts.into_iter().map(|(person, (n, handle))| (person, n, handle)).collect();
    let order = |a: &(&str, u64, &str), b: &(&str, u64, &str)| {
        b.1.cmp(&a.1).then_with(|| a.2.cmp(b.2)).then_with(|| a.0.cmp(b.0))
    };
    // Only the first few are shown: pick them before sorting, not the 100,000 behind them.
    if ranked.len() > TOP_ENGAGERS {
        ranked.select_nth_unstable_by(TOP_ENGAGERS, order);
        ranked.truncate(TOP_ENGAGERS);
    }
    ranked.sort_unstable_by(order);
    ranked
        .into_iter()
        .map(|(person, interactions, handle)| Engager {
            person: person.to_owned(),
            handle: handle.to_owned(),
            interactions,
        })
        .collect()
}

#[cfg(test)]
mod tests;
