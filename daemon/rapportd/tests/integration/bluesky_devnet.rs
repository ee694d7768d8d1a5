//! End to end on Bluesky's own reference network (PLC, PDS, AppView on loopback): the real
//! `rapportd` with the built Bluesky plugin turns a real follow and a real question into tasks; the
//! person approves them with the real `rapport` CLI; the reply and the follow-back then appear on
//! the network, once each.
//!
//! Skipped (with a note) unless `RAPPORT_BSKY_DEVNET` names the devnet's PDS; `cargo xtask test`
//! starts the network and sets it.

use std::time::Duration;

use crate::common::{id, kind, plugin_path};
use rapport_tests::bsky_devnet::{Devnet, eventually};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn a_follow_and_a_question_on_bluesky_become_tasks_and_the_approved_answers_appear_on_the_network() {
    let Some(devnet) = Devnet::from_env("bluesky_devnet") else { return };
    let me = devnet.create_account("shop").await;
    let fan = devnet.create_account("fan").await;
    devnet.set_display_name(&fan, "Ana Ribeiro").await;
    devnet.follow(&fan, &me).await;
    let question = format!("@{} do you ship your mugs to Porto? 🙂", me.handle);
    let mention = devnet.mention(&fan, &me, &question).await;
    // The AppView indexes a moment after the PDS writes; the daemon polls what it has indexed.
    let (network, shop, ana) = (&devnet, &me, &fan);
    eventually("both notifications indexed", || async move {
        let page = network.get(shop, "app.bsky.notification.listNotifications", &[]).await;
        let reasons: Vec<&str> =
            page["notifications"].as_array()?.iter().filter_map(|n| n["reason"].as_str()).collect();
        (reasons.contains(&"follow") && reasons.contains(&"mention")).then_some(())
    })
    .await;

    let mut rig = crate::common::Rig::new(
        |rig| {
            format!(
                r#"[[accounts]]
name = "bsky"
platform = "bluesky"
plugin = "{plugin}"
api_base = "{pds}"
user = "{handle}"
poll_interval = "10s"
allow_private_addresses = true
[accounts.secrets]
app_password = {{ file = "{password}" }}"#,
                plugin = plugin_path("bluesky").display(),
                pds = devnet.pds(),
                handle = me.handle,
                password = rig.secret_file("app-password", &me.password).display(),
            )
        },
        // A devnet account is minutes old, with no avatar and no posts: it scores as a likely
        // throwaway, so triage would only record it. Here every follower is proposed.
        "[triage]\nmin_follow_back_score = 0",
    )
    .with_patience(Duration::from_secs(60));
    rig.start();

    let proposed = rig.wait_tasks("proposed", 2);
    assert_eq!(proposed.len(), 2, "{proposed:#?}");
    let follow_back = proposed.iter().find(|t| kind(t) == "follow-back").expect("a follow-back task");
    let reply = proposed.iter().find(|t| kind(t) == "reply").expect("a reply task");
    assert_eq!(follow_back["action"]["account_id"], json!(fan.did), "{follow_back:#}");
    assert_eq!(reply["action"]["to_post_id"], json!(mention), "{reply:#}");
    let draft = reply["action"]["text"].as_str().unwrap_or_default();
    assert!(draft.starts_with("Hi Ana Ribeiro"), "the draft addresses the person by name: {draft}");

    // The person finishes the draft and approves both.
    let answer = format!("Hi Ana Ribeiro, yes: Porto in 3–5 days, tracked. Grüße! @{}", fan.handle);
    let approved = rig.cli(&["approve", &id(reply).to_string(), "--text", &answer]);
    assert!(approved.status.success(), "{}", String::from_utf8_lossy(&approved.stderr));
    let approved = rig.cli(&["approve", &id(follow_back).to_string()]);
    assert!(approved.status.success(), "{}", String::from_utf8_lossy(&approved.stderr));
    rig.wait_tasks("done", 2);

    let question_uri = mention.as_str();
    let replies = eventually("the reply under the question", || async move {
        let replies = network.replies(ana, question_uri).await;
        (!replies.is_empty()).then_some(replies)
    })
    .await;
    assert_eq!(replies.len(), 1, "the reply went out once: {replies:#?}");
    let record: &Value = &replies[0]["post"]["record"];
    assert_eq!(record["text"], json!(answer));
    assert_eq!(replies[0]["post"]["author"]["did"], json!(me.did));
    assert_eq!(record["reply"]["parent"]["uri"], json!(mention));
    let at = answer.find('@').expect("the answer mentions the fan");
    assert_eq!(record["facets"][0]["index"]["byteStart"], json!(at), "facets count UTF-8 bytes");
    eventually("the follow-back", || async move { network.follows(shop, ana).await.then_some(()) }).await;

    // The next poll sees the network caught up: no new task, nothing sent again.
    let tasks = rig.tasks(None).len();
    tokio::time::sleep(Duration::from_secs(12)).await;
    assert_eq!(rig.tasks(None).len(), tasks, "a repoll made no new task");
    assert_eq!(devnet.replies(&fan, &mention).await.len(), 1);
}
