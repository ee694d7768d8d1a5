//! Peak memory of a process that has loaded the four platform plugins, for the RSS benchmark.
//!
//! Loads the plugins on one host (as the daemon does at start), makes one `describe`-backed load
//! per plugin, and prints `VmHWM` (peak resident set) and `VmRSS` from `/proc/self/status`.
//! Run: `cargo run --release -p rapport-harness --bin rss_probe` after `cargo xtask plugins`.

use std::time::Instant;

use anyhow::{Context, Result};
use rapport_harness::locate;
use rapport_host::{HostConfig, PluginHost};

fn main() -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let mut paths = Vec::new();
    for name in ["mastodon", "x", "facebook"] {
        paths.push(locate::platform_plugin(name)?);
    }
    // The fourth: Bluesky once it exists, else the healthy fixture plugin.
    paths.push(locate::platform_plugin("bluesky").or_else(|_| locate::fixture_plugin("healthy"))?);
    let cache =
        locate::target_dir().context("cannot find the cargo target directory")?.join("rapport-harness-cache");
    let before = status_kib("VmRSS")?;
    let started = Instant::now();
    let plugins = runtime.block_on(async {
        let host = PluginHost::new(HostConfig::new(&cache))?;
        let mut loaded = Vec::new();
        for path in &paths {
            loaded.push(host.load(path).await?);
        }
        anyhow::Ok((host, loaded))
    })?;
    let elapsed = started.elapsed();
    let names: Vec<&str> = plugins.1.iter().map(|p| p.name()).collect();
    println!("loaded {names:?} in {elapsed:?} (cache {})", cache.display());
    println!("VmRSS before loading: {before} KiB");
    println!("VmRSS with plugins loaded: {} KiB", status_kib("VmRSS")?);
    println!(
        "VmHWM (peak RSS): {} KiB = {:.1} MiB",
        status_kib("VmHWM")?,
        status_kib("VmHWM")? as f64 / 1024.0
    );
    Ok(())
}

/// A `kB` field of `/proc/self/status`.
fn status_kib(field: &str) -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status").context("reading /proc/self/status")?;
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix(field).and_then(|rest| rest.strip_prefix(':')))
        .with_context(|| format!("/proc/self/status has no {field}"))?;
    let kib = line.trim().trim_end_matches("kB").trim();
    kib.parse().with_context(|| format!("{field} is not a number: {kib:?}"))
}
