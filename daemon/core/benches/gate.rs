//! Benchmark of the policy gate: one decision against a year of ledger history.
//!
//! The executor asks the gate before every send, with the account's whole ledger for the action
//! kind; the target is ≤ 5 µs per decision with a year at ~100 actions a day (36,500 entries).
//! Run with `cargo bench -p rapport-core --bench gate`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rapport_core::UnixSeconds;
use rapport_core::content_ratio::{PostRecord, RatioConfig};
use rapport_core::gate::{Gate, GateInput};
use rapport_core::platform::{RateCeiling, RateLimitSnapshot};
use rapport_core::rate_limit::PolicyConfig;
use rapport_core::task::{ActionKind, PostKind};

const DAY: i64 = 86_400;

fn policy() -> PolicyConfig {
    toml::from_str(
        r#"
        timezone = "Europe/Berlin"
        [[budgets]]
        action = "follow"
        per_hour = 20
        per_day = 120
        per_week = 700
        min_gap = "1m"
        windows = [{ length = "15m", limit = 8 }]
        [[budgets]]
        account = "shop"
        action = "follow"
        weekly_goal = 700
        "#,
    )
    .expect("the benchmark's policy is valid TOML")
}

fn bench_gate(c: &mut Criterion) {
    let gate = Gate::new(&policy(), &RatioConfig::default()).expect("the benchmark's policy compiles");
    // A year of follows, ~100 a day, evenly spread.
    let start: UnixSeconds = 1_700_000_000;
    let ledger: Vec<UnixSeconds> = (0..36_500).map(|i| start + i * (DAY / 100)).collect();
    let posts: Vec<PostRecord> = (0..1_095)
        .map(|i| PostRecord {
            at: start + i * (DAY / 3),
            kind: if i % 11 == 10 { PostKind::Sales } else { PostKind::Value },
        })
        .collect();
    let ceilings = [
        RateCeiling { action: ActionKind::Follow, limit: 400, window_seconds: 86_400 },
        RateCeiling { action: ActionKind::Publish, limit: 300, window_seconds: 10_800 },
    ];
    let now = ledger[ledger.len() - 1] + 3_000;
    let snapshot = RateLimitSnapshot {
        limit: Some(300),
        remaining: Some(250),
        reset_at: Some(now + 200),
        observed_at: now,
    };
    let follow = GateInput {
        account: "shop",
        action: ActionKind::Follow,
        post_kind: None,
        now,
        ledger: &ledger,
        posts: &posts,
        ceilings: &ceilings,
        snapshot: Some(&snapshot),
        jitter_seed: 0x5eed,
    };
    c.bench_function("gate decision, follow, a year of ledger (36,500 entries)", |b| {
        b.iter(|| gate.decide(black_box(&follow)))
    });
    let held = GateInput { now: ledger[ledger.len() - 1] + 10, ..follow };
    c.bench_function("gate decision that holds (reason formatted), a year of ledger", |b| {
        b.iter(|| gate.decide(black_box(&held)))
    });
    let sales = GateInput { action: ActionKind::Publish, post_kind: Some(PostKind::Sales), ..follow };
    c.bench_function("gate decision, sales post with ratio, a year of ledger and posts", |b| {
        b.iter(|| gate.decide(black_box(&sales)))
    });
}

criterion_group!(benches, bench_gate);
criterion_main!(benches);
