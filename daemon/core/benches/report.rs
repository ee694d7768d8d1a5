//! The report's pure computation over a year of history, the shape `rapport report --since 365d`
//! hands it: 1,825 own posts each read hourly for two days then daily to thirty, a follower
//! snapshot a day, and 100,000 interactions (likes and replies from 90,000 people, 5,000 of our
//! follows of whom half followed back). By week and by day. Part of the ≤ 100 ms the CLI has
//! for the whole report (issue 14); figures go to BENCHMARKS.md.
//!
//! Run: `cargo bench -p rapport-core --bench report`.

use criterion::{Criterion, criterion_group, criterion_main};
use rapport_core::history::{
    Direction, FollowerSnapshot, Interaction, InteractionKind, InteractionSource, MetricReading, PostHistory,
};
use rapport_core::reads::PostMetrics;
use rapport_core::report::{self, Period, ReportInput};
use rapport_core::task::{PostKind, TaskId};

const NOW: i64 = 1_796_626_800;
const DAY: i64 = 86_400;
const START: i64 = NOW - 365 * DAY;

struct History {
    snapshots: Vec<FollowerSnapshot>,
    posts: Vec<PostHistory>,
    interactions: Vec<Interaction>,
}

fn history() -> History {
    let snapshots = (0..365)
        .map(|d| FollowerSnapshot { at: START + d * DAY, followers: 1_000 + d as u64 * 3, following: 400 })
        .collect();
    let posts = (0..365 * 5)
        .map(|n| {
            let posted_at = START + n * DAY / 5;
            let hourly = (1..=48).map(|h| posted_at + h * 3_600);
            let daily = (3..=30).map(|d| posted_at + d * DAY);
            let readings = hourly
                .chain(daily)
                .filter(|at| *at < NOW)
                .enumerate()
                .map(|(k, at)| {
                    let k = k as u64 + 1;
                    MetricReading {
                        at,
                        metrics: PostMetrics {
                            likes: k * 2,
                            reposts: k / 3,
                            replies: k / 5,
                            quotes: None,
                            views: None,
                        },
                    }
                })
                .collect();
            PostHistory {
                id: format!("p{n}"),
                posted_at,
                url: format!("https://example.social/@shop/p{n}"),
                text: format!("Studio note {n}: glazes, kilns and the week's mugs"),
                kind: Some(if n % 11 == 0 { PostKind::Sales } else { PostKind::Value }),
                readings,
            }
        })
        .collect();
    let mut interactions: Vec<Interaction> = (0..100_000)
        .map(|i| {
            let at = START + (i as i64 * 365 * DAY) / 100_000;
            let (person, direction, kind) = match i % 20 {
                0 => (format!("f{}", i / 20), Direction::Ours, InteractionKind::Followed),
                1 => (format!("f{}", i / 40), Direction::Theirs, InteractionKind::Followed),
                2 | 3 => (format!("a{}", i % 90_000), Direction::Theirs, InteractionKind::Replied),
                _ => (format!("a{}", i % 90_000), Direction::Theirs, InteractionKind::Liked),
            };
            Interaction {
                at,
                handle: format!("{person}@example.social"),
                person,
                direction,
                kind,
                source: InteractionSource::Task(TaskId(i as u64)),
                campaign: (direction == Direction::Ours).then(|| format!("campaign{}", i % 3)),
            }
        })
        .collect();
    interactions.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.person.cmp(&b.person)));
    History { snapshots, posts, interactions }
}

fn bench(c: &mut Criterion) {
    let history = history();
    let zone: chrono_tz::Tz = "Europe/Berlin".parse().expect("zone");
    let input = |by| ReportInput {
        account: "shop",
        platform: "mastodon",
        since: START,
        until: NOW,
        by,
        zone,
        snapshots: &history.snapshots,
        posts: &history.posts,
        interactions: &history.interactions,
        responses: &[],
        actions: &[],
    };
    let mut group = c.benchmark_group("report over a year");
    group.sample_size(20);
    group.bench_function("by week", |b| b.iter(|| report::compute(&input(Period::Week))));
    group.bench_function("by day", |b| b.iter(|| report::compute(&input(Period::Day))));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
