//! Each misbehaving fixture fails its own call, with an error naming plugin and account, while the
//! `healthy` plugin in the same host keeps serving.

use std::time::Duration;

use crate::common::{binding, fixture, host, test_limits};
use rapport_core::notification::NotificationKind;
use rapport_core::platform::PluginError;
use rapport_core::reads::{DiscoverySource, ReadKind};
use rapport_core::task::{Action, MediaFile, PostKind};
use rapport_host::{AccountBinding, CallError, CallFailure, HostConfig, HostError, Plugin, PluginHost};

async fn healthy_serves(healthy: &Plugin, account: &AccountBinding, expected_call: u64) {
    let page = healthy.fetch_notifications(account, None).await.expect("healthy plugin serves");
    assert_eq!(page.items.len(), 1);
    let item = &page.items[0];
    assert_eq!(item.id, format!("{}-{expected_call}", account.context.name));
    assert_eq!(item.kind, NotificationKind::Follow);
    assert_eq!(item.account.handle, "ann@example.social");
}

fn assert_names(err: &CallError, plugin: &str, account: &str) {
    let text = err.to_string();
    assert_eq!((err.plugin.as_str(), err.account.as_str()), (plugin, account));
    assert!(text.contains(&format!("`{plugin}`")) && text.contains(&format!("`{account}`")), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_broken_plugin_fails_alone_while_healthy_keeps_serving() {
    let cache = tempfile::tempdir().unwrap();
    let host = host(cache.path());
    let healthy = host.load(fixture("healthy")).await.unwrap();
    let good = binding("shop", "https://example.social", &[], false, &[], &[]);
    let victim = binding("victim", "https://example.social", &["https://granted.example"], false, &[], &[]);
    healthy_serves(&healthy, &good, 1).await;

    let spin = host.load(fixture("spin")).await.unwrap();
    // The spinning call and healthy calls run at the same time: the spinner yields every tick.
    let (spun, ()) =
        tokio::join!(spin.fetch_notifications(&victim, None), healthy_serves(&healthy, &good, 2));
    let err = spun.unwrap_err();
    assert_names(&err, "spin", "victim");
    assert!(matches!(err.failure, CallFailure::CpuBudget { ticks: 50 }), "{err}");

    let alloc = host.load(fixture("alloc")).await.unwrap();
    let err = alloc.fetch_notifications(&victim, None).await.unwrap_err();
    assert_names(&err, "alloc", "victim");
    assert!(matches!(err.failure, CallFailure::OutOfMemory { bytes } if bytes == 16 << 20), "{err}");
    healthy_serves(&healthy, &good, 3).await;

    let trap = host.load(fixture("trap")).await.unwrap();
    let err = trap.fetch_notifications(&victim, None).await.unwrap_err();
    assert_names(&err, "trap", "victim");
    assert!(matches!(&err.failure, CallFailure::Trap(why) if why.contains("panics on purpose")), "{err}");
    // The same plugin answers its next call from a fresh store, and fails the same way, not worse.
    let again = trap.fetch_notifications(&victim, None).await.unwrap_err();
    assert!(matches!(again.failure, CallFailure::Trap(_)), "{again}");
    healthy_serves(&healthy, &good, 4).await;

    let ungranted = host.load(fixture("ungranted")).await.unwrap();
    let err = ungranted.fetch_notifications(&victim, None).await.unwrap_err();
    assert_names(&err, "ungranted", "victim");
    match err.plugin_error() {
        Some(PluginError::Denied(why)) => {
            assert!(why.contains("https://ungranted.example") && why.contains("victim"), "{why}")
        }
        other => panic!("expected a denied plugin error, got {other:?}"),
    }
    healthy_serves(&healthy, &good, 5).await;
}

#[tokio::test]
async fn wall_clock_timeout_abandons_the_call() {
    let cache = tempfile::tempdir().unwrap();
    let mut config = HostConfig::new(cache.path());
    config.limits = rapport_host::CallLimits {
        cpu_ticks: u64::MAX,
        wall_timeout: Duration::from_millis(300),
        ..test_limits()
    };
    let host = PluginHost::new(config).unwrap();
    let spin = host.load(fixture("spin")).await.unwrap();
    let account = binding("slow", "https://example.social", &[], false, &[], &[]);
    let err = spin.fetch_notifications(&account, None).await.unwrap_err();
    assert_names(&err, "spin", "slow");
    assert!(matches!(err.failure, CallFailure::Timeout(_)), "{err}");
}

#[tokio::test]
async fn future_contract_version_is_refused_at_load() {
    let cache = tempfile::tempdir().unwrap();
    let path = fixture("future-version");
    let err = host(cache.path()).load(&path).await.unwrap_err();
    assert!(
        matches!(&err, HostError::ContractVersion { found, supported: "0.1.0, 0.2.0", .. } if found == "9.0.0"),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("fixture_future_version.wasm")
            && text.contains("9.0.0")
            && text.contains("0.1.0, 0.2.0"),
        "{text}"
    );
}

/// Regression: the I/O error was both in the message and its `source`, so a report that walks
/// the sources (anyhow's `{:#}`, a wrapping error) said it again and again.
#[tokio::test]
async fn a_missing_plugin_file_is_named_with_its_cause_once() {
    let cache = tempfile::tempdir().unwrap();
    let path = cache.path().join("nowhere/plugin.wasm");
    let err = host(cache.path()).load(&path).await.unwrap_err();
    assert!(matches!(&err, HostError::Read { .. }), "{err}");
    let mut chain = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        chain.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    assert_eq!(chain.matches("plugin.wasm").count(), 1, "{chain}");
    assert_eq!(chain.matches("No such file").count(), 1, "{chain}");
}

#[tokio::test]
async fn a_plugin_importing_the_filesystem_is_refused_at_load() {
    let cache = tempfile::tempdir().unwrap();
    let path = fixture("filesystem");
    let err = host(cache.path()).load(&path).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(&err, HostError::Invalid { .. }), "{err}");
    assert!(text.contains("fixture_filesystem.wasm") && text.contains("wasi:filesystem"), "{text}");
}

#[tokio::test]
async fn description_and_state_come_through() {
    let cache = tempfile::tempdir().unwrap();
    let host = host(cache.path());
    let healthy = host.load(fixture("healthy")).await.unwrap();
    let d = healthy.description();
    assert_eq!((d.name.as_str(), d.contract.as_str(), d.platform.as_str()), ("healthy", "0.1.0", "fixture"));
    // Two accounts keep separate kv state: each counts its own calls.
    let a = binding("a", "https://example.social", &[], false, &[], &[]);
    let b = binding("b", "https://example.social", &[], false, &[], &[]);
    healthy_serves(&healthy, &a, 1).await;
    healthy_serves(&healthy, &a, 2).await;
    healthy_serves(&healthy, &b, 1).await;
    // Exports the fixture does not implement return its own error, not a crash.
    let err = healthy.relationship(&a, "42").await.unwrap_err();
    assert!(matches!(err.plugin_error(), Some(PluginError::Denied(_))), "{err}");
}

#[tokio::test]
async fn a_plugin_built_for_contract_0_1_loads_and_runs_beside_a_0_2_one() {
    let cache = tempfile::tempdir().unwrap();
    let host = host(cache.path());
    // The fixtures are built against the frozen 0.1.0 WIT; the Mastodon plugin against the SDK's 0.2.0.
    let old = host.load(fixture("healthy")).await.unwrap();
    let mastodon = fixture("healthy")
        .ancestors()
        .nth(2)
        .map(|wasm32| wasm32.join("plugin/rapport_plugin_mastodon.wasm"))
        .filter(|p| p.exists())
        .expect("the Mastodon plugin is built (cargo xtask plugins)");
    let current = host.load(&mastodon).await.unwrap();
    assert_eq!((old.contract(), current.contract()), ("0.1.0", "0.2.0"));
    let a = binding("a", "https://example.social", &[], false, &[], &[]);
    healthy_serves(&old, &a, 1).await;
    // What 0.2.0 added is simply absent from a 0.1.0 plugin: no call is made, nothing fails.
    assert_eq!(old.check_access(&a).await.unwrap(), None);
    assert_eq!(old.description().reads, vec![ReadKind::Notifications]);
    let denied = |result: Result<(), CallError>, what: &str| match result {
        Err(err) => assert!(
            matches!(err.plugin_error(), Some(PluginError::Denied(why)) if why.contains("0.1.0")),
            "{what}: {err}"
        ),
        Ok(()) => panic!("{what} was served by a 0.1.0 plugin"),
    };
    let source = DiscoverySource::Hashtag("pottery".into());
    denied(old.discover(&a, &source, None).await.map(drop), "discover");
    denied(old.recent_posts(&a, "7", None).await.map(drop), "recent-posts");
    denied(old.own_posts(&a, None).await.map(drop), "own-posts");
    denied(old.relationships(&a, &["7".into()]).await.map(drop), "relationships");
    denied(old.lookup_self(&a).await.map(drop), "lookup-self");
    let message = Action::Message { account_id: "7".into(), text: "Thanks!".into() };
    denied(old.execute(&a, "k1", &message).await.map(drop), "message");
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("mug.png");
    std::fs::write(&png, b"PNG").unwrap();
    let post = Action::Publish {
        text: "New mugs".into(),
        post_kind: PostKind::Value,
        media_alt: "a blue mug".into(),
        media: vec![MediaFile::image(png, "a blue mug").unwrap()],
    };
    denied(old.execute(&a, "k2", &post).await.map(drop), "a post with an image");
}
