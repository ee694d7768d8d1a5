//! The plugin-call benchmark: one `fetch-notifications` call of this plugin's component, parsing a
//! 40-notification page in wasm through the harness, against the very same parse run natively
//! from this crate (the reason it is an `rlib` too); and the same for the 0.2 reads that carry
//! the most: `own-posts` and `discover` by hashtag over a 40-status page (Mastodon's largest).
//! Figures and the targets go to BENCHMARKS.md.
//!
//! Run: `cargo xtask plugins && cargo bench -p rapport-plugin-mastodon --bench plugin_call`. Needs
//! the built component (see `rapport_harness::locate`); a missing one fails with the command that
//! builds it.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use rapport_core::reads::DiscoverySource;
use rapport_harness::{Exchange, Harness, locate};
use rapport_plugin_mastodon::api::Status;

const PAGE: &[u8] = include_bytes!("../../../tests/fixtures/mastodon-notifications-40.json");
/// 40 statuses by 21 authors, with their counts (the statuses of the notification page).
const STATUSES: &[u8] = include_bytes!("../../../tests/fixtures/mastodon-statuses-40.json");
/// The authors in [`STATUSES`].
const AUTHORS: usize = 21;
const BASE: &str = "https://mastodon.example";

fn notifications_exchange() -> Exchange {
    Exchange::get(format!("{BASE}/api/v1/notifications")).respond(200, PAGE)
}

async fn one_call(harness: &Harness) {
    harness.expect(notifications_exchange());
    match harness.fetch_notifications(None).await {
        Ok(page) if page.items.len() == 40 => {}
        other => panic!("the plugin did not read the 40-notification page: {other:?}"),
    }
}

/// The same call on an empty page: the per-call cost (fresh instance, egress policy, conversion)
/// without the parse, to tell the host's overhead from wasm's parsing speed.
async fn empty_call(harness: &Harness) {
    harness.expect(Exchange::get(format!("{BASE}/api/v1/notifications")).respond(200, "[]"));
    if let Err(e) = harness.fetch_notifications(None).await {
        panic!("the plugin did not read an empty page: {e}");
    }
}

/// The acting account, answered once: the plugin keeps it in its kv.
fn credentials() -> Exchange {
    Exchange::get(format!("{BASE}/api/v1/accounts/verify_credentials"))
        .respond(200, r#"{"id":"1","acct":"me"}"#)
}

async fn own_posts_call(harness: &Harness) {
    harness.expect(Exchange::get(format!("{BASE}/api/v1/accounts/1/statuses")).respond(200, STATUSES));
    match harness.own_posts(None).await {
        Ok(page) if page.items.len() == 40 => {}
        other => panic!("the plugin did not read the 40 own posts: {other:?}"),
    }
}

async fn discover_call(harness: &Harness) {
    harness.expect(Exchange::get(format!("{BASE}/api/v1/timelines/tag/pottery")).respond(200, STATUSES));
    harness.expect(Exchange::get(format!("{BASE}/api/v1/accounts/familiar_followers")).respond(200, "[]"));
    match harness.discover(&DiscoverySource::Hashtag("pottery".into()), None).await {
        Ok(page) if page.items.len() == AUTHORS => {}
        other => panic!("the plugin did not find the {AUTHORS} authors: {other:?}"),
    }
}

fn statuses() -> Vec<Status> {
    serde_json::from_slice(std::hint::black_box(STATUSES))
        .unwrap_or_else(|e| panic!("the status fixture does not parse: {e}"))
}

fn native_own_posts() {
    assert_eq!(rapport_plugin_mastodon::own_posts_of(statuses()).len(), 40);
}

fn native_discover() {
    assert_eq!(rapport_plugin_mastodon::authors((statuses(), None), "posted #pottery").items.len(), AUTHORS);
}

fn native_parse() {
    match rapport_plugin_mastodon::parse_notifications(std::hint::black_box(PAGE)) {
        Ok(items) if items.len() == 40 => {}
        other => panic!("the native parse did not read 40 notifications: {other:?}"),
    }
}

/// The median of `runs` timings of `f`, for the ratio line (criterion reports each side alone).
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn plugin_call(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("cannot start a tokio runtime: {e}"));
    let component = locate::platform_plugin("mastodon").unwrap_or_else(|e| panic!("{e}"));
    let harness = rt
        .block_on(Harness::builder(component).api_base(BASE).secret("token", "t0k").build())
        .unwrap_or_else(|e| panic!("{e}"));
    rt.block_on(async {
        harness.expect(credentials());
        own_posts_call(&harness).await;
    });
    let mut group = c.benchmark_group("plugin_call");
    group.bench_function("wasm_fetch_notifications_40", |b| b.iter(|| rt.block_on(one_call(&harness))));
    group.bench_function("wasm_fetch_notifications_empty", |b| b.iter(|| rt.block_on(empty_call(&harness))));
    group.bench_function("native_parse_notifications_40", |b| b.iter(native_parse));
    group.bench_function("wasm_own_posts_40", |b| b.iter(|| rt.block_on(own_posts_call(&harness))));
    group.bench_function("native_own_posts_40", |b| b.iter(native_own_posts));
    group.bench_function("wasm_discover_hashtag_40", |b| b.iter(|| rt.block_on(discover_call(&harness))));
    group.bench_function("native_discover_hashtag_40", |b| b.iter(native_discover));
    group.finish();

    let wasm = median(301, || rt.block_on(one_call(&harness)));
    let empty = median(301, || rt.block_on(empty_call(&harness)));
    let native = median(301, native_parse);
    println!(
        "plugin_call summary (median of 301): wasm call {wasm:?} (empty page {empty:?}), native parse {native:?}, \
         ratio {:.2} (parse alone, wasm minus empty call: {:.2})",
        wasm.as_secs_f64() / native.as_secs_f64(),
        wasm.saturating_sub(empty).as_secs_f64() / native.as_secs_f64()
    );
    for (name, wasm, native) in [
        ("own-posts", median(301, || rt.block_on(own_posts_call(&harness))), median(301, native_own_posts)),
        ("discover #tag", median(301, || rt.block_on(discover_call(&harness))), median(301, native_discover)),
    ] {
        println!(
            "plugin_call summary (median of 301): {name} of 40 statuses: wasm call {wasm:?}, native parse {native:?}, \
             ratio {:.2} (parse alone, wasm minus empty call: {:.2})",
            wasm.as_secs_f64() / native.as_secs_f64(),
            wasm.saturating_sub(empty).as_secs_f64() / native.as_secs_f64()
        );
    }
}

criterion_group!(benches, plugin_call);
criterion_main!(benches);
