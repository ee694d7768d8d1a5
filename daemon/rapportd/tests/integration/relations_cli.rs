//! The relationship commands through the real `rapport` and `rapportd` binaries: the keep-list
//! round trip (`keep add`, `list`, `remove`, with `--json`), a campaign paused and resumed as
//! `campaign list` shows it, an unknown campaign named in the error with the configured ones,
//! the circles as configured and their members added and taken out, and `approve --campaign`.
//!
//! The one-at-a-time refusal is not here: the sandbox serves Mastodon, whose rules have none; the
//! approve handler's decision is unit-tested in `api::tasks`.
//!
//! Needs the plugins built (`cargo xtask plugins`, which `cargo xtask test` runs first).

use rapport_tests::sandbox::{Seed, SeedAccount};
use serde_json::Value;

type Rig = crate::common::MastodonRig;

const TOKEN: &str = "relations-cli-token";

/// One campaign and one circle for the account `shop`.
const PLANNERS: &str = r##"
[[campaigns]]
name = "potters"
account = "shop"
sources = ["#pottery"]
weekly_goal = 20

[[circles]]
name = "makers"
account = "shop"
members = ["ann@garden.social", "110"]
likes = 3
at = "08:30"
timezone = "Europe/London"
"##;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn rig() -> Rig {
    let seed = Seed::new(TOKEN).own(SeedAccount::new("shop", "The Shop"));
    let mut rig = Rig::new(TOKEN, seed, PLANNERS).await;
    rig.start();
    rig
}

/// `rapport --json <args>`, which must succeed, as JSON.
fn json(rig: &Rig, args: &[&str]) -> Value {
    let out = rig.cli(&[&["--json"], args].concat());
    assert!(out.status.success(), "rapport {args:?}: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("rapport {args:?} --json: {e}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_keep_list_round_trips_through_the_cli() {
    let rig = rig().await;
    // One account is configured, so --account may be left out.
    let added = json(&rig, &["keep", "add", "@Ann@garden.social"]);
    assert_eq!(added["changed"], true, "{added:#}");
    assert_eq!(added["list"], serde_json::json!({"account": "shop", "people": ["ann@garden.social"]}));
    let again = json(&rig, &["keep", "add", "ann@garden.social", "--account", "shop"]);
    assert_eq!(again["changed"], false, "{again:#}");
    json(&rig, &["keep", "add", "110"]);
    let listed = json(&rig, &["keep", "list"]);
    assert_eq!(listed, serde_json::json!({"account": "shop", "people": ["110", "ann@garden.social"]}));
    let human = rig.cli(&["keep", "list"]);
    assert_eq!(text(&human.stdout), "The keep-list of shop (2 people):\n  110\n  ann@garden.social\n");

    let removed = json(&rig, &["keep", "remove", "ann@garden.social"]);
    assert_eq!(removed["list"]["people"], serde_json::json!(["110"]));
    let missing = rig.cli(&["keep", "remove", "ann@garden.social"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        text(&missing.stderr).contains("`ann@garden.social` is not on the keep-list of shop"),
        "{}",
        text(&missing.stderr)
    );
    let elsewhere = rig.cli(&["keep", "list", "--account", "studio"]);
    assert_eq!(elsewhere.status.code(), Some(1));
    assert!(
        text(&elsewhere.stderr).contains("no account `studio` in the configuration; configured: shop"),
        "{}",
        text(&elsewhere.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paused_campaign_lists_as_paused_and_an_unknown_one_is_named() {
    let rig = rig().await;
    let campaigns = json(&rig, &["campaign", "list"]);
    assert_eq!(campaigns.as_array().map(Vec::len), Some(1), "{campaigns:#}");
    let potters = &campaigns[0];
    assert_eq!(
        (&potters["name"], &potters["account"], &potters["weekly_goal"], &potters["daily_share"]),
        (&Value::from("potters"), &Value::from("shop"), &Value::from(20), &Value::from(3))
    );
    assert_eq!(potters["paused"], false);

    let paused = rig.cli(&["campaign", "pause", "potters"]);
    assert!(paused.status.success(), "{}", text(&paused.stderr));
    assert!(text(&paused.stdout).starts_with("Campaign potters is paused"), "{}", text(&paused.stdout));
    assert_eq!(json(&rig, &["campaign", "list"])[0]["paused"], true);
    let table = text(&rig.cli(&["campaign", "list"]).stdout);
    assert!(table.lines().nth(1).is_some_and(|row| row.contains(" paused ")), "{table}");
    let shown = json(&rig, &["campaign", "show", "potters"]);
    assert_eq!(shown["campaign"]["paused"], true, "{shown:#}");
    json(&rig, &["campaign", "resume", "potters"]);
    assert_eq!(json(&rig, &["campaign", "list"])[0]["paused"], false);

    for args in
        [["campaign", "pause", "nosuch"], ["campaign", "show", "nosuch"], ["approve", "--campaign", "nosuch"]]
    {
        let unknown = rig.cli(&args);
        assert_eq!(unknown.status.code(), Some(1), "{args:?}");
        assert!(
            text(&unknown.stderr).contains("no campaign `nosuch` in the configuration; configured: potters"),
            "{args:?}: {}",
            text(&unknown.stderr)
        );
    }
    // Whatever the planner proposed by now, approving the campaign's tasks refuses none on Mastodon.
    let approved = rig.cli(&["approve", "--campaign", "potters"]);
    assert!(approved.status.success(), "{}", text(&approved.stderr));
    assert!(text(&approved.stdout).ends_with(" approved, 0 failed.\n"), "{}", text(&approved.stdout));
}

#[tokio::test(flavor = "multi_thread")]
async fn circles_show_as_configured() {
    let rig = rig().await;
    let circles = json(&rig, &["circle", "list"]);
    let makers = &circles[0];
    assert_eq!(makers["members"], serde_json::json!(["ann@garden.social", "110"]), "{circles:#}");
    assert_eq!((&makers["likes"], &makers["at"]), (&Value::from(3), &Value::from("08:30")));
    let shown = rig.cli(&["circle", "show", "makers"]);
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    let shown = text(&shown.stdout);
    assert!(shown.starts_with("Circle makers  (shop)\n  members: ann@garden.social, 110\n"), "{shown}");
    assert!(
        shown.contains("each day at 08:30 Europe/London: up to 3 likes, 2 reposts, 2 comment drafts"),
        "{shown}"
    );
    let unknown = rig.cli(&["circle", "show", "family"]);
    assert!(
        text(&unknown.stderr).contains("no circle `family` in the configuration; configured: makers"),
        "{}",
        text(&unknown.stderr)
    );

    // Members added and taken out from the CLI, kept by the daemon beside the configured ones.
    let added = rig.cli(&["--json", "circle", "add", "makers", "@Bo@Clay.example"]);
    assert!(added.status.success(), "{}", text(&added.stderr));
    let removed = rig.cli(&["--json", "circle", "remove", "makers", "110"]);
    assert!(removed.status.success(), "{}", text(&removed.stderr));
    let circles = json(&rig, &["circle", "list"]);
    assert_eq!(
        circles[0]["members"],
        serde_json::json!(["ann@garden.social", "bo@clay.example"]),
        "{circles:#}"
    );
    let not_in = rig.cli(&["circle", "remove", "makers", "zed@clay.example"]);
    assert!(!not_in.status.success());
    assert!(
        text(&not_in.stderr).contains(
            "`zed@clay.example` is not in circle makers; its members: ann@garden.social, bo@clay.example"
        ),
        "{}",
        text(&not_in.stderr)
    );
}
