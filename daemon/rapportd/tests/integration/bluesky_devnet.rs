//! End to end on Bluesky's own reference network (PLC, PDS, AppView on loopback): the real
//! `rapportd` with the built Bluesky plugin turns a real follow and a real question into tasks; the
//! person approves them with the real `rapport` CLI; the reply and the follow-back then appear on
//! the network, once each. And the proactive half: a campaign over a search proposes the people
//! whose posts match, a circle proposes engaging with its member's post, and what the person
//! approves appears on the network.
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

    // The book holds what happened on the network, both ways, once each (the repoll added none).
    let steps = timeline(&rig, &fan.handle);
    let steps: Vec<(&str, &str)> = steps.iter().map(|(d, k)| (d.as_str(), k.as_str())).collect();
    assert_eq!(steps.len(), 4, "{steps:?}");
    // Theirs came within a second of each other and ours went out in the same executor pass, so
    // each pair is in time order only to the second: either order within a pair.
    assert!(
        steps[..2].contains(&("theirs", "followed")) && steps[..2].contains(&("theirs", "mentioned")),
        "{steps:?}"
    );
    assert!(
        steps[2..].contains(&("ours", "replied")) && steps[2..].contains(&("ours", "followed-back")),
        "{steps:?}"
    );
}

/// A person's timeline in the book, as (direction, kind) in time order.
fn timeline(rig: &crate::common::Rig, handle: &str) -> Vec<(String, String)> {
    let out = rig.cli(&["--json", "person", handle]);
    assert!(out.status.success(), "rapport person {handle}: {}", String::from_utf8_lossy(&out.stderr));
    let detail: Value = serde_json::from_slice(&out.stdout).expect("person JSON");
    let steps = detail[0]["timeline"].as_array().cloned().unwrap_or_default();
    steps
        .iter()
        .map(|i| {
            (
                i["direction"].as_str().unwrap_or_default().to_owned(),
                i["kind"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The account's config block for `me` on the devnet.
fn bluesky_account(
    rig: &crate::common::Rig,
    devnet: &Devnet,
    me: &rapport_tests::bsky_devnet::Member,
) -> String {
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
}

fn origin(task: &Value) -> &str {
    task["origin"]["from"].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_campaign_from_a_search_and_a_circles_day_reach_the_network_once_approved() {
    let Some(devnet) = Devnet::from_env("bluesky_devnet") else { return };
    let me = devnet.create_account("studio").await;
    let potter = devnet.create_account("potter").await;
    let glazer = devnet.create_account("glazer").await;
    let friend = devnet.create_account("friend").await;
    devnet.set_display_name(&friend, "Hana Kim").await;
    devnet.write_post(&potter, "Unloading the anagama wood kiln after five days of firing").await;
    devnet.write_post(&glazer, "Ash glaze from our anagama wood kiln came out green").await;
    let news = devnet.write_post(&friend, "Open studio this Saturday, come say hi").await;
    let (network, studio) = (&devnet, &me);
    eventually("the search finds both posts", || async move {
        let found = network.get(studio, "app.bsky.feed.searchPosts", &[("q", "anagama")]).await;
        (found["posts"].as_array()?.len() >= 2).then_some(())
    })
    .await;
    let news_uri = news["uri"].as_str().unwrap_or_default().to_owned();
    let uri = news_uri.as_str();
    eventually("the friend's post indexed", || async move { network.post_view(studio, uri).await }).await;

    let mut rig = crate::common::Rig::new(
        |rig| bluesky_account(rig, &devnet, &me),
        &format!(
            r#"[[campaigns]]
name = "wood-firing"
account = "bsky"
sources = ["search:anagama"]
weekly_goal = 14
min_score = 0

[[circles]]
name = "friends"
account = "bsky"
members = ["{friend}"]
likes = 1
reposts = 0
replies = 1
at = "00:00"
"#,
            friend = friend.handle
        ),
    )
    .with_patience(Duration::from_secs(60));
    rig.start();

    // The campaign's day (2 of 14 a week) and the circle's like and comment draft.
    let proposed = rig.wait("the planners' proposals", || {
        let tasks = rig.tasks(Some("proposed"));
        let planned = tasks.iter().filter(|t| matches!(origin(t), "campaign" | "circle")).count();
        (planned >= 4).then_some(tasks)
    });
    let follows: Vec<&Value> = proposed.iter().filter(|t| origin(t) == "campaign").collect();
    let mut dids: Vec<&str> = follows.iter().filter_map(|t| t["action"]["account_id"].as_str()).collect();
    dids.sort_unstable();
    let mut expected = vec![potter.did.as_str(), glazer.did.as_str()];
    expected.sort_unstable();
    assert_eq!(dids, expected, "{proposed:#?}");
    let reasons = follows[0]["context"]["legitimacy"]["reasons"][0].as_str().unwrap_or_default();
    assert!(reasons.contains("anagama"), "the reason quotes the post: {reasons}");
    let like = proposed
        .iter()
        .find(|t| origin(t) == "circle" && kind(t) == "like")
        .expect("the circle proposes a like");
    assert_eq!(like["action"]["post_id"], json!(news_uri));
    let draft =
        proposed.iter().find(|t| origin(t) == "circle" && kind(t) == "reply").expect("a comment draft");
    assert!(
        draft["action"]["text"].as_str().unwrap_or_default().starts_with("Hana Kim, \"Open studio"),
        "{draft:#}"
    );

    // The person approves the follows and the like; they appear on the network.
    for task in follows.iter().copied().chain([like]) {
        let out = rig.cli(&["approve", &id(task).to_string()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    rig.wait_tasks("done", 3);
    let (potter, glazer) = (&potter, &glazer);
    eventually("both follows", || async move {
        (network.follows(studio, potter).await && network.follows(studio, glazer).await).then_some(())
    })
    .await;
    let liked = eventually("the like", || async move {
        let view = network.post_view(studio, uri).await?;
        (view["likeCount"].as_u64()? == 1).then_some(view)
    })
    .await;
    assert_eq!(liked["likeCount"], json!(1), "liked once");

    // The book: our follow of each potter, made by the campaign, and our like of the friend's post.
    for person in [&potter.handle, &glazer.handle] {
        let out = rig.cli(&["--json", "person", person]);
        let detail: Value = serde_json::from_slice(&out.stdout).expect("person JSON");
        let ours = &detail[0]["timeline"][0];
        assert_eq!(
            (ours["direction"].as_str(), ours["kind"].as_str()),
            (Some("ours"), Some("followed")),
            "{detail:#}"
        );
        assert_eq!(ours["campaign"], json!("wood-firing"), "{detail:#}");
    }
    assert!(timeline(&rig, &friend.handle).contains(&("ours".to_owned(), "liked".to_owned())));
}
