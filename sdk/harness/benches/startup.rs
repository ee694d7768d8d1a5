//! The start-up benchmark of the plugin host, through the harness: loading the four platform
//! plugins with a warm compile cache (and once with a cold one). The resident-memory figure is
//! `rss_probe`'s; the plugin-call benchmark lives with the Mastodon plugin
//! (`plugins/mastodon/benches/plugin_call.rs`), whose native parse it compares against.
//!
//! Run: `cargo xtask plugins && cargo bench -p rapport-harness --bench startup`. Needs the plugin
//! components (see `rapport_harness::locate`); a missing one fails with the command that builds it.

use std::path::PathBuf;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use rapport_harness::locate;
use rapport_host::{HostConfig, PluginHost};

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

criterion_group!(benches, startup);
criterion_main!(benches);
