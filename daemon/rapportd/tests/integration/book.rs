//! The relationship book from a real run: the sandbox's followers and questions become
//! interactions in the ledger as they happened on the server, a reply and a follow-back sent
//! through the real executor add ours, `person` shows the timeline and the standing, notes and
//! tags stick, the task view carries the history line, and `forget` removes the person from
//! every listing while the queue keeps working.
//!
//! Needs the plugins built (`cargo xtask plugins`, which `cargo xtask test` runs first).

use rapport_tests::sandbox::{Seed, SeedAccount};
use serde_json::Value;

use crate::common::{id, kind};

type Rig = crate::common::MastodonRig;

const TOKEN: &str = "book-token";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `rapport --json <args>`, which must succeed, as JSON.
fn json(rig: &Rig, args: &[&str]) -> Value {
    let out = rig.cli(&[&["--json"], args].concat());
    assert!(out.status.success(), "rapport {args:?}: {}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("rapport {args:?} --json: {e}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_ledger_of_a_real_run_matches_what_happened_on_the_server() {
    let seed = Seed::new(TOKEN)
        .own(SeedAccount::new("shop", "The Shop").counts(120, 40, 10))
        .account(SeedAccount::new("ana@ceramics.example", "Ana Ribeiro").counts(1_480, 620, 3_900))
        .follower("ana@ceramics.example")
        .mention("ana@ceramics.example", "Do you ship your mugs to Germany?")
        .mention("jo@mastodon.example", "Which cone do you fire to?");
    let mut rig = Rig::new(TOKEN, seed, "").await;
    rig.start();

    // Ana followed and asked; Jo asked: three notifications, two people.
    let proposed = rig.wait_tasks("proposed", 3);
    let ana_id = rig.sandbox.account_id("ana@ceramics.example").unwrap().to_string();
    let before = json(&rig, &["person", "ana@ceramics.example"]);
    let timeline: Vec<(&str, &str)> = before[0]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["direction"].as_str().unwrap(), i["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(timeline, [("theirs", "followed"), ("theirs", "mentioned")], "{before:#}");
    assert_eq!(before[0]["person"]["id"], ana_id.as_str());
    assert_eq!(before[0]["person"]["display_name"], "Ana Ribeiro");

    // The task view says where we stand before anyone decides.
    let ana_reply = proposed
        .iter()
        .find(|t| kind(t) == "reply" && t["context"]["post"]["author"]["id"] == ana_id.as_str())
        .expect("a reply to Ana");
    let show = text(&rig.cli(&["show", &id(ana_reply).to_string()]).stdout);
    assert!(show.contains("history: 3rd interaction; mentioned you once in"), "{show}");
    assert!(show.contains("follows you since"), "{show}");

    // Approve the follow-back and the reply to Ana: two interactions of ours, once each.
    let follow = proposed.iter().find(|t| kind(t) == "follow-back").expect("a follow-back");
    let approve = rig.cli(&["approve", &id(follow).to_string(), &id(ana_reply).to_string()]);
    assert!(approve.status.success(), "{}", text(&approve.stderr));
    rig.wait_tasks("done", 2);
    assert_eq!(rig.sandbox.count("POST", &format!("/api/v1/accounts/{ana_id}/follow")), 1);
    assert_eq!(rig.sandbox.count("POST", "/api/v1/statuses"), 1);
    let after = json(&rig, &["person", "@Ana@ceramics.example"]);
    let ours: Vec<&str> = after[0]["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["direction"] == "ours")
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(ours.len(), 2, "{after:#}");
    assert!(ours.contains(&"followed-back") && ours.contains(&"replied"), "{after:#}");
    assert_eq!(after[0]["person"]["interactions"], 4);
    assert!(after[0]["person"]["standing"]["we_follow_since"].is_i64(), "{after:#}");
    let human = text(&rig.cli(&["person", "ana@ceramics.example"]).stdout);
    assert!(human.contains("you follow each other since"), "{human}");

    // Notes and tags stick; the book lists the most engaged first.
    json(&rig, &["note", "ana@ceramics.example", "Runs wheel classes in Porto"]);
    let tagged = json(&rig, &["tag", "ana@ceramics.example", "Teacher"]);
    assert_eq!(tagged["tags"], serde_json::json!(["teacher"]));
    let people = json(&rig, &["people"]);
    assert_eq!(people[0]["handle"], "ana@ceramics.example", "{people:#}");
    assert_eq!(people[0]["note"], "Runs wheel classes in Porto");
    assert_eq!(people.as_array().unwrap().len(), 2, "Ana and Jo: {people:#}");
    let bad = rig.cli(&["tag", "ana@ceramics.example", "two words"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("must be one word"), "{}", text(&bad.stderr));
    // Nobody has gone quiet yet.
    assert_eq!(json(&rig, &["people", "--losing-touch", "30d"]), serde_json::json!([]));

    // Forget: gone from every listing; asking again names who the book does hold.
    let forgotten = json(&rig, &["forget", "ana@ceramics.example"]);
    assert_eq!(forgotten[0]["interactions"], 4, "{forgotten:#}");
    let people = json(&rig, &["people"]);
    assert!(people.as_array().unwrap().iter().all(|p| p["id"] != ana_id.as_str()), "{people:#}");
    let missing = rig.cli(&["person", "ana@ceramics.example"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("`rapport people` lists who is"), "{}", text(&missing.stderr));
    // The queue and what was sent are untouched: the audit trail stays.
    assert_eq!(rig.tasks(Some("done")).len(), 2);
}
