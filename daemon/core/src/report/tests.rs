//! The report's figures computed exactly on a fixture history of three weeks.

use proptest::prelude::*;

use super::*;
use crate::history::{InteractionSource, MetricReading};

/// Monday 2026-11-02 00:00 UTC.
const MON: i64 = 1_793_577_600;
const DAY: i64 = 86_400;
const H: i64 = 3_600;

fn snapshot(at: i64, followers: u64) -> FollowerSnapshot {
    FollowerSnapshot { at, followers, following: 50 }
}

fn metrics(likes: u64, reposts: u64, replies: u64, quotes: Option<u64>, views: Option<u64>) -> PostMetrics {
    PostMetrics { likes, reposts, replies, quotes, views }
}

fn post(id: &str, at: i64, kind: Option<PostKind>, readings: &[(i64, PostMetrics)]) -> PostHistory {
    PostHistory {
        id: id.into(),
        posted_at: at,
        url: format!("https://example.social/@shop/{id}"),
        text: format!("post {id}"),
        kind,
        readings: readings.iter().map(|&(at, metrics)| MetricReading { at, metrics }).collect(),
    }
}

fn interaction(
    at: i64,
    person: &str,
    direction: Direction,
    kind: InteractionKind,
    campaign: Option<&str>,
) -> Interaction {
    Interaction {
        at,
        person: person.into(),
        handle: format!("{person}@example.social"),
        direction,
        kind,
        source: InteractionSource::Notification(format!("{person}-{at}")),
        campaign: campaign.map(str::to_owned),
    }
}

struct Fixture {
    snapshots: Vec<FollowerSnapshot>,
    posts: Vec<PostHistory>,
    interactions: Vec<Interaction>,
    responses: Vec<ResponseTime>,
    actions: Vec<ActionDay>,
}

fn fixture() -> Fixture {
    use Direction::{Ours, Theirs};
    use InteractionKind::{Followed, Liked, Replied};
    let snapshots = vec![
        snapshot(MON - DAY, 100),
        snapshot(MON + 3 * DAY, 110),
        snapshot(MON + 10 * DAY, 105),
        snapshot(MON + 12 * DAY, 120),
    ];
    let posts = vec![
        post(
            "p1",
            MON + DAY,
            Some(PostKind::Value),
            &[(MON + DAY + H, metrics(2, 0, 0, None, None)), (MON + 2 * DAY, metrics(5, 1, 2, None, None))],
        ),
        // Posted with 110 followers; 105 and then 120 later in its life.
        post(
            "p2",
            MON + 4 * DAY,
            Some(PostKind::Sales),
            &[(MON + 13 * DAY, metrics(10, 1, 0, Some(1), None))],
        ),
        post("p3", MON + 15 * DAY, None, &[(MON + 16 * DAY, metrics(3, 0, 0, None, None))]),
        // Before the window: not in it.
        post("p0", MON - 2 * DAY, Some(PostKind::Value), &[(MON - DAY, metrics(50, 0, 0, None, None))]),
    ];
    let mut interactions = vec![
        interaction(MON + DAY, "a", Ours, Followed, Some("potters")),
        interaction(MON + DAY, "c", Theirs, Followed, None),
        interaction(MON + 2 * DAY, "a", Theirs, Followed, None),
        interaction(MON + 2 * DAY, "b", Ours, Followed, Some("potters")),
        interaction(MON + 3 * DAY, "c", Ours, Followed, None),
        interaction(MON + 5 * DAY, "d", Theirs, Liked, None),
        interaction(MON + 6 * DAY, "d", Theirs, Liked, None),
        interaction(MON + 16 * DAY, "d", Theirs, Liked, None),
        interaction(MON + 16 * DAY, "e", Theirs, Replied, None),
        interaction(MON + 17 * DAY, "e", Theirs, Liked, None),
    ];
    interactions.sort_by_key(|i| i.at);
    let responses = [600, 1_200, 3_600, 7_200]
        .iter()
        .map(|&wait| ResponseTime { notified_at: MON + 5 * DAY, replied_at: MON + 5 * DAY + wait })
        .collect();
    let mut actions: Vec<ActionDay> = (0..21)
        .map(|d| ActionDay {
            day: MON + d * DAY,
            kind: ActionKind::Follow,
            done: u32::from((1..=3).contains(&d)),
            budget: Some(2),
        })
        .collect();
    actions.push(ActionDay { day: MON + 5 * DAY, kind: ActionKind::Reply, done: 4, budget: None });
    Fixture { snapshots, posts, interactions, responses, actions }
}

fn report(f: &Fixture, by: Period) -> Report {
    compute(&ReportInput {
        account: "shop",
        platform: "mastodon",
        since: MON,
        until: MON + 21 * DAY,
        by,
        zone: chrono_tz::UTC,
        snapshots: &f.snapshots,
        posts: &f.posts,
        interactions: &f.interactions,
        responses: &f.responses,
        actions: &f.actions,
    })
}

#[test]
fn rates_use_the_followers_at_posting_and_a_week_without_posts_has_none() {
    let r = report(&fixture(), Period::Week);
    let labels: Vec<&str> = r.periods.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(labels, ["2026-11-02", "2026-11-09", "2026-11-16"]);
    let rates: Vec<Option<Ratio>> = r.periods.iter().map(|p| p.engagement_rate).collect();
    assert_eq!(rates, [Ratio::of(8 + 12, 100 + 110), None, Ratio::of(3, 120)]);
    assert_eq!(r.periods[1].posts, 0);
    assert_eq!(r.engagement_rate, Ratio::of(23, 330));
    assert_eq!((r.posts_count, r.interactions), (3, 23));
    let p2 = r.posts.iter().find(|p| p.id == "p2").unwrap();
    assert_eq!(
        (p2.followers_at_posting, p2.interactions),
        (Some(110), 12),
        "quotes count, and 110 was the audience"
    );
    // Best rate first: p3 3/120 = 2.5 %, p1 8/100 = 8 %, p2 12/110 = 10.9 %.
    let order: Vec<&str> = r.posts.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(order, ["p2", "p1", "p3"]);
    let p1 = r.posts.iter().find(|p| p.id == "p1").unwrap();
    assert_eq!(p1.curve, [(MON + DAY + H, 2), (MON + 2 * DAY, 8)]);
}

#[test]
fn a_platform_without_views_reports_none_and_one_with_views_sums_them() {
    let f = fixture();
    assert_eq!(report(&f, Period::Week).views, None);
    assert!(report(&f, Period::Week).periods.iter().all(|p| p.views.is_none()));
    let mut with_views = fixture();
    with_views.posts[0].readings[1].metrics.views = Some(400);
    with_views.posts[2].readings[0].metrics.views = Some(90);
    let r = report(&with_views, Period::Week);
    assert_eq!(r.views, Some(490));
    let views: Vec<Option<u64>> = r.periods.iter().map(|p| p.views).collect();
    assert_eq!(views, [Some(400), Some(0), Some(90)]);
    assert_eq!(r.interactions, 23, "views are never interactions");
}

#[test]
fn growth_follows_the_snapshots_and_new_followers_the_notifications() {
    let r = report(&fixture(), Period::Week);
    let g: Vec<(Option<u64>, u64, u64, i64, u64)> = r
        .periods
        .iter()
        .map(|p| (p.growth.followers, p.growth.gained, p.growth.lost, p.growth.net, p.growth.new_followers))
        .collect();
    assert_eq!(g, [(Some(110), 10, 0, 10, 2), (Some(120), 15, 5, 10, 0), (Some(120), 0, 0, 0, 0)]);
    assert_eq!(r.growth, Growth { followers: Some(120), gained: 25, lost: 5, net: 20, new_followers: 2 });
}

#[test]
fn follow_back_counts_who_followed_after_our_follow_per_campaign_too() {
    let r = report(&fixture(), Period::Week);
    assert_eq!(
        r.follow_back,
        [
            FollowBack { campaign: None, followed: 3, followed_back: 1 },
            FollowBack { campaign: Some("potters".into()), followed: 2, followed_back: 1 },
        ],
        "c followed before we did: not a follow back"
    );
}

#[test]
fn response_times_mix_actions_and_engagers() {
    let r = report(&fixture(), Period::Week);
    assert_eq!(r.responses, ResponseFigures { replies: 4, median_secs: Some(1_200), p90_secs: Some(7_200) });
    assert_eq!(r.mix, Mix { value: 1, sales: 1, elsewhere: 1 });
    assert_eq!(
        r.actions,
        [
            ActionFigures { kind: ActionKind::Follow, done: 3, budget: Some(42) },
            ActionFigures { kind: ActionKind::Reply, done: 4, budget: None },
        ]
    );
    assert_eq!(
        r.periods[0].actions[0],
        ActionFigures { kind: ActionKind::Follow, done: 3, budget: Some(14) }
    );
    let top: Vec<(&str, u64)> = r.top_engagers.iter().map(|e| (e.handle.as_str(), e.interactions)).collect();
    assert_eq!(top, [("d@example.social", 3), ("e@example.social", 2)]);
}

#[test]
fn days_cut_the_window_at_local_midnights() {
    let f = fixture();
    let r = compute(&ReportInput {
        account: "shop",
        platform: "mastodon",
        since: MON + 12 * H,
        until: MON + 2 * DAY + H,
        by: Period::Day,
        zone: chrono_tz::UTC,
        snapshots: &f.snapshots,
        posts: &f.posts,
        interactions: &f.interactions,
        responses: &f.responses,
        actions: &f.actions,
    });
    let bounds: Vec<(i64, &str)> = r.periods.iter().map(|p| (p.start, p.label.as_str())).collect();
    assert_eq!(
        bounds,
        [(MON + 12 * H, "2026-11-02"), (MON + DAY, "2026-11-03"), (MON + 2 * DAY, "2026-11-04")]
    );
    assert_eq!(r.periods[0].actions, [ActionFigures { kind: ActionKind::Follow, done: 0, budget: Some(2) }]);
}

proptest! {
    #[test]
    fn periods_add_up_to_the_window(
        posts in proptest::collection::vec((0i64..21 * DAY, 0u64..50, proptest::option::of(1u64..500)), 0..30),
        snapshots in proptest::collection::vec((-(DAY)..21 * DAY, 0u64..1_000), 0..10),
        by_day in any::<bool>(),
    ) {
        let mut snapshots: Vec<FollowerSnapshot> = snapshots.into_iter().map(|(at, n)| snapshot(MON + at, n)).collect();
        snapshots.sort_by_key(|s| s.at);
        let posts: Vec<PostHistory> = posts
            .iter()
            .enumerate()
            .map(|(i, &(at, likes, views))| post(&format!("p{i}"), MON + at, None, &[(MON + at + H, metrics(likes, 0, 0, None, views))]))
            .collect();
        let input = ReportInput {
            account: "shop",
            platform: "x",
            since: MON,
            until: MON + 21 * DAY,
            by: if by_day { Period::Day } else { Period::Week },
            zone: chrono_tz::Europe::London,
            snapshots: &snapshots,
            posts: &posts,
            interactions: &[],
            responses: &[],
            actions: &[],
        };
        let r = compute(&input);
        prop_assert_eq!(r.periods.iter().map(|p| p.interactions).sum::<u64>(), r.interactions);
        prop_assert_eq!(r.periods.iter().map(|p| p.posts).sum::<u32>(), r.posts_count);
        prop_assert_eq!(r.periods.iter().map(|p| p.growth.net).sum::<i64>(), r.growth.net);
        for rate in r.periods.iter().filter_map(|p| p.engagement_rate).chain(r.engagement_rate) {
            prop_assert!(rate.whole > 0 && rate.percent().is_finite() && rate.percent() >= 0.0);
        }
        let audience_known = !snapshots.is_empty() && snapshots.iter().all(|s| s.followers > 0);
        for p in &r.periods {
            if p.posts == 0 {
                prop_assert!(p.engagement_rate.is_none(), "a period without posts has no rate");
            } else if audience_known {
                prop_assert!(p.engagement_rate.is_some());
            }
        }
    }
}
