//! The planners at scale: a campaign's day planned over 100,000 candidates seen, and a purge
//! over 100,000 follows (a large account's whole following, with a keep-list and a year of
//! engagement). Target: ≤ 200 ms each (issue 13); figures go to BENCHMARKS.md.
//!
//! Run: `cargo bench -p rapport-core --bench planners`.

use std::collections::{BTreeSet, HashMap};

use criterion::{Criterion, criterion_group, criterion_main};
use rapport_core::campaign::{self, CampaignConfig, PlanInput};
use rapport_core::legitimacy::LegitimacyConfig;
use rapport_core::notification::{Post, Profile};
use rapport_core::purge::{self, Follow, PurgeConfig, PurgeInput};
use rapport_core::reads::{Candidate, DiscoverySource};
use rapport_core::span::Span;

const NOW: i64 = 1_796_626_800;
const N: usize = 100_000;

fn profile(i: usize) -> Profile {
    Profile {
        id: format!("1{i:08}"),
        handle: format!("maker{i}@kilns{}.example", i % 50),
        display_name: format!("Maker {i}"),
        bio: if i.is_multiple_of(3) {
            "Stoneware, glaze tests and wood firing".into()
        } else {
            "Coffee and cats".into()
        },
        followers: Some((i % 2_000) as u64),
        following: Some((i % 1_500) as u64 + 10),
        posts: Some((i % 5_000) as u64),
        created: Some(NOW - (i % 2_000) as i64 * 86_400),
        has_avatar: !i.is_multiple_of(7),
        bot: i.is_multiple_of(97),
        url: String::new(),
    }
}

fn candidates() -> Vec<(DiscoverySource, Candidate)> {
    (0..N)
        .map(|i| {
            let account = profile(i);
            let post = Post {
                id: format!("p{i}"),
                text: "Opened the kiln this morning: a new celadon glaze, still pinging as it cools".into(),
                url: String::new(),
                author: account.clone(),
                in_reply_to: None,
                created: NOW - (i % 200) as i64 * 3_600,
                visibility: "public".into(),
            };
            let why = "posted #pottery".to_owned();
            let c = Candidate { account, post: Some(post), known_followers: Some((i % 5) as u32), why };
            (DiscoverySource::Hashtag("pottery".into()), c)
        })
        .collect()
}

fn follows() -> Vec<Follow> {
    (0..N)
        .map(|i| Follow {
            profile: profile(i),
            followed_at: (!i.is_multiple_of(10)).then_some(NOW - (i % 120) as i64 * 86_400),
            campaign: (i.is_multiple_of(2)).then(|| "potters".to_owned()),
            followed_by: i.is_multiple_of(3),
        })
        .collect()
}

fn planners(c: &mut Criterion) {
    let campaign = CampaignConfig {
        name: "potters".into(),
        account: "shop".into(),
        sources: vec!["#pottery".into()],
        weekly_goal: 100,
        min_score: 55,
        keywords: vec!["glaze".into(), "stoneware".into(), "kiln".into()],
        exclude: vec!["crypto".into(), "spam@x.example".into()],
        expire_after: Span::from_secs(2 * 86_400),
    };
    let legitimacy = LegitimacyConfig::default();
    let found = candidates();
    let input = PlanInput {
        campaign: &campaign,
        legitimacy: &legitimacy,
        proposed_today: 0,
        now: NOW,
        by_hand: None,
    };
    c.bench_function("campaign_day_over_100k_candidates", |b| {
        b.iter(|| {
            let plan = campaign::plan(std::hint::black_box(&found), &input);
            assert_eq!(plan.len(), 15);
        })
    });

    let config = PurgeConfig {
        account: "shop".into(),
        grace: Span::from_secs(14 * 86_400),
        engaged_within: Span::from_secs(60 * 86_400),
        daily_limit: 50,
        include_outside_follows: false,
        expire_after: Span::from_secs(2 * 86_400),
    };
    let all = follows();
    let keep: BTreeSet<String> = (0..N).step_by(40).map(|i| format!("1{i:08}")).collect();
    let engaged: HashMap<String, i64> =
        (0..N).step_by(11).map(|i| (format!("1{i:08}"), NOW - (i % 365) as i64 * 86_400)).collect();
    let input = PurgeInput {
        config: &config,
        keep: &keep,
        engaged: &engaged,
        proposed_today: 0,
        churn_follows_today: None,
        now: NOW,
    };
    c.bench_function("purge_over_100k_follows", |b| {
        b.iter(|| {
            let plan = purge::plan(std::hint::black_box(&all), &input);
            assert_eq!(plan.proposals.len(), 50);
        })
    });
}

criterion_group!(benches, planners);
criterion_main!(benches);
