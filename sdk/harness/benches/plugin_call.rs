//! Benchmarks of the plugin host, through the harness: (a) one `fetch-notifications` call parsing
//! a 40-notification Mastodon page in wasm against the same parse natively, (b) start-up loading
//! four plugins with a warm compile cache (and once with a cold one), (c) is `rss_probe`.
//!
//! Run: `cargo xtask plugins && cargo bench -p rapport-harness`. Needs the plugin components (see
//! `rapport_harness::locate`); a missing one fails with the command that builds it.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use rapport_harness::{Exchange, Harness, locate};
use rapport_host::{HostConfig, PluginHost};

const PAGE: &[u8] = include_bytes!("../../../tests/fixtures/mastodon-notifications-40.json");
const BASE: &str = "https://mastodon.example";

fn runtime() -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => panic!("cannot start a tokio runtime: {e}"),
    }
}

fn plugin(name: &str) -> PathBuf {
    locate::platform_plugin(name).unwrap_or_else(|e| panic!("{e}"))
}

/// The four plugins of the start-up benchmark: Bluesky once it exists, else the healthy fixture.
fn four_plugins() -> Vec<PathBuf> {
    let fourth = locate::platform_plugin("bluesky")
        .or_else(|_| locate::fixture_plugin("healthy"))
        .unwrap_or_else(|e| panic!("{e}"));
    vec![plugin("mastodon"), plugin("x"), plugin("facebook"), fourth]
}

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
    let rt = runtime();
    let harness = rt
        .block_on(Harness::builder(plugin("mastodon")).api_base(BASE).secret("token", "t0k").build())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut group = c.benchmark_group("plugin_call");
    group.bench_function("wasm_fetch_notifications_40", |b| b.iter(|| rt.block_on(one_call(&harness))));
    group.bench_function("wasm_fetch_notifications_empty", |b| b.iter(|| rt.block_on(empty_call(&harness))));
    group.bench_function("native_parse_notifications_40", |b| b.iter(native_parse));
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
}

async fn start_up(cache: &std::path::Path, paths: &[PathBuf]) -> (PluginHost, usize) {
    let host = PluginHost::new(HostConfig::new(cache)).unwrap_or_else(|e| panic!("{e}"));
    let mut compiled = 0;
    for path in paths {
        let loaded = host.load(path).await.unwrap_or_else(|e| panic!("{e}"));
        compiled += usize::from(loaded.load_report().compiled);
    }
    (host, compiled)
}

fn startup(c: &mut Criterion) {
    let rt = runtime();
    let paths = four_plugins();
    let cache = tempfile::tempdir().unwrap_or_else(|e| panic!("cannot make a cache dir: {e}"));
    // Cold: a new, empty cache compiles all four. Compiling takes seconds, so it is timed once
    // here rather than sampled by criterion (whose minimum of 10 samples would take minutes).
    let cold = Instant::now();
    let (_, compiled) = rt.block_on(start_up(cache.path(), &paths));
    println!("startup cold cache: {:?} for 4 plugins ({compiled} compiled)", cold.elapsed());

    let mut group = c.benchmark_group("startup");
    group.sample_size(20);
    group.bench_function("load_4_plugins_warm_cache", |b| {
        b.iter(|| {
            let (host, compiled) = rt.block_on(start_up(cache.path(), &paths));
            assert_eq!(compiled, 0, "a warm cache compiled a plugin");
            drop(host);
        })
    });
    group.finish();
}

criterion_group!(benches, plugin_call, startup);
criterion_main!(benches);
