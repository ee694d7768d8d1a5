//! Configuration problems as a person meets them: every section's problem names file, line and
//! key, a missing plugin says so once with what to do, and `--check-config` refuses exactly what a
//! start would set aside, because both build the accounts (plugins, egress grants) the same way.
//!
//! Needs the plugins built (`cargo xtask plugins`, which `cargo xtask test` runs first).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use rapport_host::clock::SystemClock;
use rapportd::settings::Settings;
use rapportd::state::State;

use crate::common::plugin_path;

/// A config file in `dir`: one Mastodon account with `plugin` and the extra account keys
/// `account`, then `rest`. The account's `plugin` key is on line 6.
fn write_config(dir: &Path, plugin: &Path, account: &str, rest: &str) -> PathBuf {
    let file = dir.join("rapport.toml");
    let text = format!(
        "data_dir = \"{data}\"\n\n[[accounts]]\nname = \"shop\"\nplatform = \"mastodon\"\nplugin = \"{plugin}\"\n\
         api_base = \"https://example.social\"\nuser = \"shop\"\n{account}\n{rest}",
        data = dir.join("data").display(),
        plugin = plugin.display(),
    );
    std::fs::write(&file, text).unwrap();
    file
}

fn check_config(file: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rapportd"))
        .arg("--check-config")
        .arg("--config")
        .arg(file)
        .output()
        .unwrap()
}

/// Regression: a host as the config validator accepts it (no scheme) took the account down at
/// start, because the egress grant demanded `scheme://host`, while `--check-config` passed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allowed_host_the_check_accepts_is_one_a_start_loads() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_config(
        dir.path(),
        &plugin_path("mastodon"),
        "allowed_hosts = [\"media.example.social\", \"*.cdn.example.social\"]",
        "",
    );

    let out = check_config(&file);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let state = State::start(Settings::load(&file).unwrap(), Arc::new(SystemClock)).await.unwrap();
    let reasons: Vec<String> = state.unloaded().iter().map(|u| u.reason.clone()).collect();
    assert_eq!(reasons, Vec::<String>::new(), "no account is set aside");
    assert_eq!(state.accounts().len(), 1);
    let grant = &state.accounts()[0].binding.egress;
    let reaches = |url: &str| grant.allowed_hosts.iter().any(|p| p.matches(&url.parse().unwrap()));
    assert!(reaches("https://media.example.social/a.png") && reaches("https://img.cdn.example.social/b"));
    assert!(reaches("https://example.social/api/v1/notifications"), "api_base's origin stays granted");
    assert!(!reaches("https://elsewhere.example/"));
}

/// Regression: a missing plugin file was reported with its cause three times. Now it is said once,
/// at the `plugin` key's line, with what to do; and the check refuses what the start sets aside.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_plugin_is_named_once_at_its_line_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("plugins/rapport_plugin_mastodon.wasm");
    let file = write_config(dir.path(), &missing, "", "");

    let out = check_config(&file);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "the check refuses what a start sets aside: {err}");
    let said =
        format!("{}:6: `accounts[0].plugin`: there is no plugin file {}", file.display(), missing.display());
    assert!(err.contains(&said), "{err}");
    assert!(err.contains("cargo xtask plugins") && err.contains("fix the path"), "says what to do: {err}");
    assert_eq!(err.matches("rapport_plugin_mastodon.wasm").count(), 1, "once: {err}");
    assert_eq!(err.matches("No such file").count(), 0, "the cause is said in words, once: {err}");

    let state = State::start(Settings::load(&file).unwrap(), Arc::new(SystemClock)).await.unwrap();
    let unloaded = state.unloaded();
    assert_eq!(unloaded.len(), 1);
    assert!(unloaded[0].reason.starts_with(&said), "{}", unloaded[0].reason);
    assert_eq!(
        unloaded[0].reason.matches("rapport_plugin_mastodon.wasm").count(),
        1,
        "{}",
        unloaded[0].reason
    );
}

/// The sections that used to fail with the file name only (found when the policy was compiled)
/// now name file, line and key like the rest.
#[test]
fn every_section_s_problem_names_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let plugin = plugin_path("mastodon");
    // (the section after the account's 9 lines, the line of the key in the file, the key)
    let cases = [
        ("[[policy.budgets]]\naction = \"follow\"\nper_day = 0\n", 12, "policy.budgets[0].per_day"),
        ("[ratio]\nvalue_per_sales = 0\n", 11, "ratio.value_per_sales"),
        (
            "[[schedules]]\nname = \"m\"\ncron = \"every morning\"\naccounts = [\"shop\"]\n",
            12,
            "schedules[0].cron",
        ),
        ("[[library]]\nid = \"a\"\ntext = \"\"\n", 12, "library[0].text"),
        ("[posting]\nfolder = \"no-such-folder\"\n", 11, "posting.folder"),
    ];
    for (section, line, key) in cases {
        let file = write_config(dir.path(), &plugin, "", section);
        let out = check_config(&file);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{section}: {err}");
        assert!(err.contains(&format!("{}:{line}: `{key}`: ", file.display())), "{section}: {err}");
    }
}

/// A budget above the platform's ceiling is found only once the plugin says what its platform
/// allows, and is located like any other problem.
#[test]
fn a_budget_above_the_platform_s_ceiling_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_config(
        dir.path(),
        &plugin_path("mastodon"),
        "",
        "[[policy.budgets]]\naction = \"follow\"\nper_day = 1000\n",
    );
    let out = check_config(&file);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let said =
        format!("{}:12: `policy.budgets[0].per_day`: is 1000, above the ceiling of 400", file.display());
    assert!(err.contains(&said) && err.contains("account `shop`"), "{err}");
}

/// A secret that cannot be read is located at its key.
#[test]
fn an_unset_secret_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_config(
        dir.path(),
        &plugin_path("mastodon"),
        "[accounts.secrets]\ntoken = { env = \"RAPPORT_TEST_SURELY_UNSET_TOKEN\" }",
        "",
    );
    let out = check_config(&file);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("{}:10: `accounts[0].secrets.token`: ", file.display())), "{err}");
    assert!(err.contains("RAPPORT_TEST_SURELY_UNSET_TOKEN is not set"), "{err}");
}
