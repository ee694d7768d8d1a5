//! People's posts and the own account's through the sandbox: an account's statuses with their
//! filters and pages, who may see what, counts that follow what the API did, and direct messages.

use rapport_tests::sandbox::{Seed, SeedPost};
use serde_json::Value;

use super::{assert_let_in, assert_refused, demo, fetch, ids, json, link_to, post, scoped, start, texts};

/// The own account's status whose text starts with `start`, as `GET …/1/statuses` renders it.
async fn own_status(sandbox: &rapport_tests::sandbox::MastodonSandbox, start: &str) -> Value {
    let (_, _, mine) = fetch(sandbox, "/api/v1/accounts/1/statuses?limit=40").await;
    let found = mine
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["content"].as_str().is_some_and(|c| c.starts_with(&format!("<p>{start}"))));
    found.cloned().unwrap_or(Value::Null)
}

fn counts(status: &Value) -> (Option<u64>, Option<u64>, Option<u64>) {
    (status["favourites_count"].as_u64(), status["reblogs_count"].as_u64(), status["replies_count"].as_u64())
}

#[tokio::test]
async fn a_persons_statuses_newest_first_with_filters() {
    let sandbox = demo().await;
    let tomasz = sandbox.account_id("tomasz@fosstodon.example").unwrap_or_default();
    let (status, _, all) = fetch(&sandbox, &format!("/api/v1/accounts/{tomasz}/statuses")).await;
    assert_eq!(status, 200);
    let all_texts = texts(&all);
    assert_eq!(all_texts.len(), 2, "{all_texts:?}");
    assert!(all_texts[0].starts_with("Finished the walnut side table"), "{all_texts:?}");
    assert!(all_texts[1].starts_with("@kiln Thanks for the follow-up"), "{all_texts:?}");

    let thread = sandbox.reply("tomasz@fosstodon.example", &ids(&all)[0], "Oiled it twice.");
    let log = own_status(&sandbox, "Firing log").await;
    let other = sandbox.reply("tomasz@fosstodon.example", log["id"].as_str().unwrap_or_default(), "Lovely!");
    assert!(thread.is_some() && other.is_some());
    let (_, _, no_replies) =
        fetch(&sandbox, &format!("/api/v1/accounts/{tomasz}/statuses?exclude_replies=true")).await;
    assert_eq!(texts(&no_replies)[0], "Oiled it twice.", "a reply to oneself is a thread and stays");
    assert_eq!(ids(&no_replies).len(), 3);
    let (_, _, tagged) =
        fetch(&sandbox, &format!("/api/v1/accounts/{tomasz}/statuses?tagged=WoodWorking")).await;
    assert_eq!(ids(&tagged).len(), 1);
    let (_, _, media) = fetch(&sandbox, &format!("/api/v1/accounts/{tomasz}/statuses?only_media=1")).await;
    assert_eq!(ids(&media).len(), 0);
    let (_, _, pinned) = fetch(&sandbox, &format!("/api/v1/accounts/{tomasz}/statuses?pinned=true")).await;
    assert_eq!(ids(&pinned).len(), 0, "nothing is pinned");

    let (status, _, body) = fetch(&sandbox, "/api/v1/accounts/999/statuses").await;
    assert_eq!((status, body["error"].as_str()), (404, Some("Record not found")));
}

#[tokio::test]
async fn a_persons_statuses_page_by_twenty_up_to_forty() {
    let seed = (0..45).fold(Seed::new("sandbox-token"), |seed, i| {
        seed.post("ana@ceramics.example", &format!("Post {i}"), i)
    });
    let sandbox = start(seed).await;
    let ana = sandbox.account_id("ana@ceramics.example").unwrap_or_default();
    let path = format!("/api/v1/accounts/{ana}/statuses");
    assert_eq!(ids(&fetch(&sandbox, &path).await.2).len(), 20);
    let (_, link, capped) = fetch(&sandbox, &format!("{path}?limit=41")).await;
    assert_eq!(texts(&capped).len(), 40);
    let next = link_to(&sandbox, &link, "next").unwrap_or_default();
    assert!(next.starts_with(&format!("{path}?limit=40&max_id=")), "{link}");
    let (_, _, rest) = fetch(&sandbox, &next).await;
    assert_eq!(texts(&rest), ["Post 40", "Post 41", "Post 42", "Post 43", "Post 44"]);
    let max_id = ids(&capped)[9].clone();
    let (_, _, older) = fetch(&sandbox, &format!("{path}?limit=2&max_id={max_id}")).await;
    assert_eq!(texts(&older), ["Post 10", "Post 11"]);
    let (_, _, newer) = fetch(&sandbox, &format!("{path}?limit=2&min_id={max_id}")).await;
    assert_eq!(texts(&newer), ["Post 7", "Post 8"]);
}

#[tokio::test]
async fn followers_only_and_direct_statuses_reach_only_whom_they_should() {
    let seed = Seed::demo()
        .with_post(
            SeedPost::new("hana@studio.example", "For my followers: kiln gods be kind.", 1)
                .visibility("private"),
        )
        .with_post(
            SeedPost::new("mira@potters.example", "Followers only, and kiln does not follow me.", 1)
                .visibility("private"),
        )
        .with_post(
            SeedPost::new("mira@potters.example", "@kiln would you like a workshop spot?", 2)
                .visibility("direct"),
        )
        .with_post(
            SeedPost::new("mira@potters.example", "@ana@ceramics.example just between us", 2)
                .visibility("direct"),
        );
    let sandbox = start(seed).await;
    let hana = sandbox.account_id("hana@studio.example").unwrap_or_default();
    let mira = sandbox.account_id("mira@potters.example").unwrap_or_default();
    let (_, _, hanas) = fetch(&sandbox, &format!("/api/v1/accounts/{hana}/statuses")).await;
    assert_eq!(hanas[0]["visibility"], "private", "kiln follows Hana");
    let (_, _, miras) = fetch(&sandbox, &format!("/api/v1/accounts/{mira}/statuses")).await;
    let seen = texts(&miras);
    assert!(seen.iter().any(|t| t.starts_with("@kiln would you like")), "{seen:?}");
    assert!(
        !seen.iter().any(|t| t.contains("just between us") || t.starts_with("Followers only")),
        "{seen:?}"
    );
    let public = sandbox.post("mira@potters.example", "public one");
    assert_eq!(fetch(&sandbox, &format!("/api/v1/statuses/{public}")).await.0, 200);
    let (_, _, lists) = fetch(&sandbox, "/api/v1/timelines/list/1").await;
    assert_eq!(
        texts(&lists)[0],
        "For my followers: kiln gods be kind.",
        "the list shows a member's private post"
    );
}

#[tokio::test]
async fn own_posts_count_seeded_engagement_and_what_the_api_did() {
    let sandbox = demo().await;
    let (status, _, mine) = fetch(&sandbox, "/api/v1/accounts/1/statuses").await;
    assert_eq!(status, 200);
    assert_eq!(ids(&mine).len(), 19, "three recent posts and sixteen over six weeks");
    assert!(texts(&mine)[0].starts_with("Studio tip"), "newest first");
    let log = own_status(&sandbox, "Firing log").await;
    assert_eq!(counts(&log), (Some(14), Some(3), Some(2)));
    assert_eq!((log["favourited"].as_bool(), log["reblogged"].as_bool()), (Some(false), Some(false)));
    let id = log["id"].as_str().unwrap_or_default().to_owned();

    let faved = json(post(&sandbox, &format!("/api/v1/statuses/{id}/favourite"), "f1", &[]).await).await;
    assert_eq!((faved["favourites_count"].as_u64(), faved["favourited"].as_bool()), (Some(15), Some(true)));
    let again = json(post(&sandbox, &format!("/api/v1/statuses/{id}/favourite"), "f2", &[]).await).await;
    assert_eq!(again["favourites_count"], 15, "a favourite counts once");
    let reblog = json(post(&sandbox, &format!("/api/v1/statuses/{id}/reblog"), "r1", &[]).await).await;
    assert_eq!(
        (reblog["reblog"]["reblogs_count"].as_u64(), reblog["reblog"]["reblogged"].as_bool()),
        (Some(4), Some(true))
    );
    let twice = json(post(&sandbox, &format!("/api/v1/statuses/{id}/reblog"), "r2", &[]).await).await;
    assert_eq!(
        (twice["id"].clone(), twice["reblog"]["reblogs_count"].as_u64()),
        (reblog["id"].clone(), Some(4))
    );
    let reply = post(
        &sandbox,
        "/api/v1/statuses",
        "p1",
        &[("status", "Cone 6 it was."), ("in_reply_to_id", id.as_str())],
    )
    .await;
    assert_eq!(reply.status().as_u16(), 200);
    assert!(sandbox.reply("jo@mastodon.example", &id, "Which clay body?").is_some());
    let admin = serde_json::json!({ "acct": "maker_lou", "text": "Gorgeous.", "in_reply_to_id": id });
    let url = format!("{}/_sandbox/post", sandbox.base_url());
    let added = reqwest::Client::new()
        .post(&url)
        .body(admin.to_string())
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16());
    assert_eq!(added, Some(200));
    let unknown = serde_json::json!({ "acct": "maker_lou", "text": "?", "in_reply_to_id": "1" });
    let refused = reqwest::Client::new()
        .post(&url)
        .body(unknown.to_string())
        .send()
        .await
        .ok()
        .map(|r| r.status().as_u16());
    assert_eq!(refused, Some(404));
    assert_eq!(sandbox.reply("jo@mastodon.example", "1", "lost"), None);

    let log = own_status(&sandbox, "Firing log").await;
    assert_eq!(counts(&log), (Some(15), Some(4), Some(5)));
    assert_eq!(fetch(&sandbox, &format!("/api/v1/statuses/{id}")).await.2["replies_count"], 5);
    let (_, _, with_reblog) = fetch(&sandbox, "/api/v1/accounts/1/statuses?limit=40").await;
    assert_eq!(ids(&with_reblog).len(), 21, "19 posts, the reply and the reblog");
    let path = "/api/v1/accounts/1/statuses?limit=40&exclude_reblogs=true&exclude_replies=true";
    assert_eq!(
        ids(&fetch(&sandbox, path).await.2).len(),
        20,
        "the reply answers the shop itself, so it stays"
    );
}

#[tokio::test]
async fn direct_messages_are_recorded_and_kept_private() {
    let sandbox = demo().await;
    let form = [("status", "@jo@mastodon.example Your mugs ship Monday #pottery"), ("visibility", "direct")];
    let sent = json(post(&sandbox, "/api/v1/statuses", "dm-1", &form).await).await;
    assert_eq!(sent["visibility"], "direct");
    let jo = sandbox.account_id("jo@mastodon.example").unwrap_or_default();
    assert_eq!(sent["mentions"][0]["id"].as_str(), Some(jo.as_str()));
    assert_eq!(sent["mentions"][0]["acct"], "jo@mastodon.example");
    let also = [("status", "@maker_lou cone 6, oxidation"), ("visibility", "direct")];
    assert_eq!(post(&sandbox, "/api/v1/statuses", "dm-2", &also).await.status().as_u16(), 200);

    let to_jo = sandbox.direct_messages_to("jo@mastodon.example");
    assert_eq!(to_jo.len(), 1);
    assert_eq!(
        (to_jo[0].id.as_str(), to_jo[0].text.as_str()),
        (sent["id"].as_str().unwrap_or_default(), form[0].1)
    );
    assert_eq!(sandbox.direct_messages_to("@maker_lou").len(), 1);
    assert!(sandbox.direct_messages_to("ana@ceramics.example").is_empty());
    assert!(sandbox.direct_messages_to("nobody@nowhere.example").is_empty());
    let url = format!("{}/_sandbox/direct?acct=jo%40mastodon.example", sandbox.base_url());
    let listed = match reqwest::Client::new().get(url).send().await {
        Ok(response) => json(response).await,
        Err(err) => panic!("{err}"),
    };
    assert_eq!(listed, serde_json::json!([{ "id": sent["id"], "text": form[0].1 }]));

    let (_, _, tag) = fetch(&sandbox, "/api/v1/timelines/tag/pottery").await;
    assert!(
        !ids(&tag).contains(&sent["id"].as_str().unwrap_or_default().to_owned()),
        "never in a tag timeline"
    );
    let (_, _, found) = fetch(&sandbox, "/api/v2/search?q=ship+monday&type=statuses").await;
    assert_eq!(ids(&found["statuses"]).len(), 1, "the author finds their own direct message");
    let (_, _, mine) = fetch(&sandbox, "/api/v1/accounts/1/statuses").await;
    assert_eq!(mine[0]["visibility"], "direct", "an author sees their direct messages on their profile");

    let bad = post(&sandbox, "/api/v1/statuses", "dm-3", &[("status", "hi"), ("visibility", "secret")]).await;
    assert_eq!(bad.status().as_u16(), 422);
    assert_eq!(json(bad).await["error"], "Validation failed: Visibility is not included in the list");
    let orphan =
        post(&sandbox, "/api/v1/statuses", "dm-4", &[("status", "hi"), ("in_reply_to_id", "42")]).await;
    assert_eq!(orphan.status().as_u16(), 404);
}

#[tokio::test]
async fn a_persons_statuses_need_read_statuses() {
    let sandbox = scoped(Seed::demo()).await;
    let path = "/api/v1/accounts/2/statuses";
    assert_refused(&sandbox, "GET", path, &["read:accounts", "read:follows", "write", "follow"]).await;
    assert_let_in(&sandbox, "GET", path, &["read:statuses", "read"]).await;
}
