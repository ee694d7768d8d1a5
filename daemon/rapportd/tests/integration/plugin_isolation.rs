//! One bad plugin fails alone: a real `rapportd` with two accounts, one of whose plugin is built
//! for a future contract version. The daemon starts, the healthy account polls and sends as
//! usual, `rapport status` names the broken account and why, and the broken account's tasks wait
//! in the store, neither failed nor sent, until a reload loads its plugin.
//!
//! A second test runs a healthy account beside plugins that spin, eat memory and trap on every
//! poll, and measures how late the healthy account's polls come.
//!
//! Needs the plugins and fixtures built (`cargo xtask plugins`) and the `rapport` binary
//! (`cargo build -p rapport-cli`); each test says so if they are missing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rapport_tests::sandbox::{MastodonSandbox, Seed, SeedAccount};
use serde_json::Value;

use crate::common::{id, kind, plugin_path};

/// The fixture plugin built for a contract version no host knows (9.0.0), refused at load.
fn future_version_fixture() -> PathBuf {
    fixture("future_version")
}

/// A misbehaving fixture plugin (`plugins/fixtures/<name>`), as `cargo xtask plugins` built it.
fn fixture(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let path = target.join(format!("wasm32-wasip2/release/fixture_{name}.wasm"));
    assert!(path.exists(), "{} is missing: build the fixtures with `cargo xtask plugins`", path.display());
    path
}

/// A sandbox for the account `own`, followed by `follower`.
async fn sandbox(own: &str, follower: &str) -> MastodonSandbox {
    let seed = Seed::new(format!("{own}-token"))
        .own(SeedAccount::new(own, own))
        .account(
            SeedAccount::new(follower, "A follower")
                .note("Potter and glaze nerd. Teaching wheel classes in Porto.")
                .counts(1_480, 620, 3_900),
        )
        .follower(follower);
    MastodonSandbox::start(seed).await.expect("sandbox starts")
}

/// Sends SIGHUP and waits until `studio`'s plugin health reads `health`.
fn reload(rig: &crate::common::Rig, health: &str) {
    rig.reload();
    rig.wait(&format!("studio's plugin {health} after the reload"), || {
        (rig.account_status("studio")["plugin_health"]["health"] == health).then_some(())
    });
}

/// The tasks of `account`.
fn tasks_of(rig: &crate::common::Rig, account: &str) -> Vec<Value> {
    rig.tasks(None).into_iter().filter(|t| t["account"] == account).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plugin_that_fails_to_load_sets_its_account_aside_and_the_others_run() {
    let shop = sandbox("shop", "ana@ceramics.example").await;
    let studio = sandbox("studio", "tomasz@fosstodon.example").await;
    // The studio's plugin file is swapped between the broken fixture and the real plugin.
    let plugins = tempfile::tempdir().unwrap();
    let studio_plugin = plugins.path().join("studio.wasm");
    std::fs::copy(future_version_fixture(), &studio_plugin).unwrap();
    let mut rig = crate::common::Rig::new(
        |rig| {
            crate::common::mastodon_account(rig, "shop", &shop.base_url(), "shop-token")
                + "\n"
                + &crate::common::account_with_plugin(
                    rig,
                    "studio",
                    &studio_plugin,
                    &studio.base_url(),
                    "studio-token",
                )
        },
        "",
    );

    // The daemon starts despite the broken plugin, and the healthy account works as usual.
    rig.start();
    let proposed = rig.wait_tasks("proposed", 1);
    let follow = proposed.iter().find(|t| kind(t) == "follow-back").expect("a follow-back task");
    assert_eq!(follow["account"], "shop");
    let approve = rig.cli(&["approve", &id(follow).to_string()]);
    assert!(approve.status.success(), "{}", String::from_utf8_lossy(&approve.stderr));
    rig.wait_tasks("done", 1);
    let ana = shop.account_id("ana@ceramics.example").unwrap();
    assert_eq!(shop.count("POST", &format!("/api/v1/accounts/{ana}/follow")), 1);

    // The broken account is named, with the reason, in the status and the log; it made no request.
    let broken = rig.account_status("studio");
    assert_eq!(broken["plugin_health"]["health"], "down", "{broken:#}");
    let reason = broken["plugin_health"]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("rapport:platform@9.0.0"), "the reason names the contract: {reason}");
    assert_eq!(rig.account_status("shop")["plugin_health"]["health"], "ok");
    let log = rig.log();
    let skipped = log.lines().find(|l| l.contains("account skipped")).unwrap_or_else(|| panic!("{log}"));
    assert!(
        skipped.contains("studio") && skipped.contains(&studio_plugin.display().to_string()),
        "{skipped}"
    );
    assert!(studio.requests().is_empty(), "{:?}", studio.requests());

    // A reload that can load the plugin brings the account in.
    std::fs::copy(plugin_path("mastodon"), &studio_plugin).unwrap();
    reload(&rig, "ok");
    let task = rig.wait("the studio's follow-back", || tasks_of(&rig, "studio").pop());
    assert_eq!(task["state"], "proposed");

    // A reload that cannot sets it aside again, and the rest of the configuration is kept. Its
    // task waits: approved, not failed, not sent.
    std::fs::copy(future_version_fixture(), &studio_plugin).unwrap();
    reload(&rig, "down");
    assert_eq!(rig.account_status("shop")["plugin_health"]["health"], "ok");
    let approve = rig.cli(&["approve", &id(&task).to_string()]);
    assert!(approve.status.success(), "{}", String::from_utf8_lossy(&approve.stderr));
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(rig.task(id(&task))["state"], "approved");
    let tomasz = studio.account_id("tomasz@fosstodon.example").unwrap();
    let follow_path = format!("/api/v1/accounts/{tomasz}/follow");
    assert_eq!(studio.count("POST", &follow_path), 0);

    // Once the plugin loads again, the waiting task goes out, once.
    std::fs::copy(plugin_path("mastodon"), &studio_plugin).unwrap();
    reload(&rig, "ok");
    rig.wait("the studio's task sent", || (rig.task(id(&task))["state"] == "done").then_some(()));
    assert_eq!(studio.count("POST", &follow_path), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn plugins_that_spin_eat_memory_and_trap_leave_the_healthy_account_polling_on_time() {
    let shop = sandbox("shop", "ana@ceramics.example").await;
    let bad = sandbox("bad", "tomasz@fosstodon.example").await;
    let mut rig = crate::common::Rig::new(
        |rig| {
            let mut accounts = crate::common::mastodon_account(rig, "shop", &shop.base_url(), "shop-token");
            for name in ["spin", "alloc", "trap"] {
                accounts.push('\n');
                accounts.push_str(&crate::common::account_with_plugin(
                    rig,
                    name,
                    &fixture(name),
                    &bad.base_url(),
                    "bad-token",
                ));
            }
            accounts
        },
        "",
    );
    rig.start();
    let pid = rig.pid().unwrap();
    // Four poll intervals of 10 s, each bad plugin failing its call every time.
    std::thread::sleep(Duration::from_secs(42));
    let polls: Vec<i64> = shop
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == "/api/v1/notifications")
        .map(|r| r.received_at)
        .collect();
    assert!(polls.len() >= 4, "the healthy account polled every 10 s: {polls:?}");
    let late: Vec<i64> = polls.windows(2).map(|w| w[1] - w[0] - 10).collect();
    eprintln!("healthy polls at {polls:?}: seconds late {late:?}");
    // Arrival times are whole seconds, so a poll on time reads as 9 to 11 s after the last; the
    // rest of the margin is for a loaded CI machine. Each bad call burns up to its 2 s of CPU, so
    // polls queued behind them would come later than this.
    assert!(late.iter().all(|&s| s <= 3), "a healthy poll came late while the others misbehaved: {late:?}");
    let rss = crate::common::rss_kib(pid);
    eprintln!("daemon RSS with the misbehaving plugins: {rss} KiB");
    assert!(rss < 400 * 1024, "memory stays bounded: {rss} KiB");
    let log = rig.log();
    for name in ["spin", "alloc", "trap"] {
        assert!(log.contains(&format!("account={name}")), "the {name} account's failures are logged");
    }
    assert_eq!(
        rig.tasks(None).into_iter().filter(|t| t["account"] == "shop").count(),
        1,
        "shop's follower became its task"
    );
}
