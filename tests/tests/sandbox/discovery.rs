//! Finding people through the sandbox: the hashtag timeline, search, suggestions, familiar
//! followers and lists, over the demo seed and seeds made to page.

use rapport_tests::sandbox::{Seed, SeedAccount, SuggestionSource};
use serde_json::Value;

use super::{
    assert_let_in, assert_refused, demo, fetch, get, ids, json, link_to, post, scoped, start, texts,
};

fn accts(accounts: &Value) -> Vec<String> {
    accounts.as_array().into_iter().flatten().filter_map(|a| a["acct"].as_str().map(str::to_owned)).collect()
}

fn authors(statuses: &Value) -> Vec<String> {
    statuses
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["account"]["acct"].as_str().map(str::to_owned))
        .collect()
}

/// One account posting `n` statuses tagged #glaze, an hour apart, the newest first in time.
fn prolific(n: u32) -> Seed {
    (0..n).fold(Seed::new("sandbox-token"), |seed, i| {
        seed.post("hana@studio.example", &format!("Tile {i} #glaze"), i)
    })
}

#[tokio::test]
async fn the_tag_timeline_has_public_tagged_posts_newest_first() {
    let sandbox = demo().await;
    let (status, link, pottery) = fetch(&sandbox, "/api/v1/timelines/tag/pottery").await;
    assert_eq!(status, 200);
    // Mira's #pottery post is unlisted, so it is not there.
    assert_eq!(
        authors(&pottery),
        ["ana@ceramics.example", "clay_collective@ceramics.example", "kiln", "ben_throws"],
        "{link}"
    );
    let tags = pottery[0]["tags"].as_array().map(|t| t.iter().map(|t| t["name"].clone()).collect::<Vec<_>>());
    assert_eq!(tags, Some(vec![Value::from("pottery"), Value::from("glaze")]));
    let (_, _, shouted) = fetch(&sandbox, "/api/v1/timelines/tag/POTTERY").await;
    assert_eq!(ids(&shouted), ids(&pottery), "tags match in any case");
    let (_, _, ceramics) = fetch(&sandbox, "/api/v1/timelines/tag/ceramics").await;
    assert_eq!(
        authors(&ceramics),
        ["kiln", "mira@potters.example", "hana@studio.example"],
        "#Ceramics counts"
    );
    let (_, _, local) = fetch(&sandbox, "/api/v1/timelines/tag/pottery?local=true").await;
    assert_eq!(authors(&local), ["kiln", "ben_throws"]);
    let (status, link, none) = fetch(&sandbox, "/api/v1/timelines/tag/nosuchtag").await;
    assert_eq!((status, none, link), (200, Value::Array(Vec::new()), String::new()));

    // Only a public status shows up; unlisted, private and direct ones never do.
    for (visibility, key) in [("unlisted", "u"), ("private", "p"), ("direct", "d"), ("public", "pub")] {
        let form = [("status", "Kiln opening tonight #pottery"), ("visibility", visibility)];
        assert_eq!(post(&sandbox, "/api/v1/statuses", key, &form).await.status().as_u16(), 200);
    }
    let (_, _, after) = fetch(&sandbox, "/api/v1/timelines/tag/pottery").await;
    assert_eq!(ids(&after).len(), 5);
    assert_eq!(after[0]["visibility"], "public");
    assert_eq!(after[0]["account"]["acct"], "kiln");
}

#[tokio::test]
async fn the_tag_timeline_pages_by_twenty_up_to_forty() {
    let sandbox = start(prolific(45)).await;
    let (_, _, first) = fetch(&sandbox, "/api/v1/timelines/tag/glaze").await;
    assert_eq!(texts(&first).first().map(String::as_str), Some("Tile 0 #glaze"));
    assert_eq!(ids(&first).len(), 20, "20 by default");
    let (_, link, capped) = fetch(&sandbox, "/api/v1/timelines/tag/glaze?limit=100").await;
    assert_eq!(ids(&capped).len(), 40, "at most 40");
    let next = link_to(&sandbox, &link, "next").unwrap_or_default();
    assert!(next.starts_with("/api/v1/timelines/tag/glaze?limit=40&max_id="), "{link}");
    let (_, link, rest) = fetch(&sandbox, &next).await;
    assert_eq!(texts(&rest).len(), 5);
    assert_eq!(texts(&rest).last().map(String::as_str), Some("Tile 44 #glaze"));
    assert!(link_to(&sandbox, &link, "next").is_none(), "the last page is not full: {link}");
    let prev = link_to(&sandbox, &link, "prev").unwrap_or_default();
    let (_, _, above) = fetch(&sandbox, &prev.replace("limit=40", "limit=3")).await;
    assert_eq!(texts(&above), ["Tile 37 #glaze", "Tile 38 #glaze", "Tile 39 #glaze"], "min_id: right above");
}

#[tokio::test]
async fn the_tag_timeline_needs_read_statuses() {
    let sandbox = scoped(Seed::demo()).await;
    let path = "/api/v1/timelines/tag/pottery";
    assert_refused(&sandbox, "GET", path, &["write", "follow", "read:accounts", "read:search"]).await;
    assert_let_in(&sandbox, "GET", path, &["read:statuses", "read"]).await;
}

#[tokio::test]
async fn search_finds_accounts_statuses_and_hashtags() {
    let sandbox = demo().await;
    let (status, _, found) = fetch(&sandbox, "/api/v2/search?q=mira").await;
    assert_eq!(status, 200);
    assert_eq!(accts(&found["accounts"]), ["mira@potters.example"]);
    assert_eq!(authors(&found["statuses"]), Vec::<String>::new(), "no status says mira");
    let (_, _, by_name) = fetch(&sandbox, "/api/v2/search?q=clay+collective&type=accounts").await;
    assert_eq!(accts(&by_name["accounts"]), ["clay_collective@ceramics.example"]);
    assert_eq!(
        (by_name["statuses"].as_array().map(Vec::len), by_name["hashtags"].as_array().map(Vec::len)),
        (Some(0), Some(0))
    );
    let (_, _, by_bio) = fetch(&sandbox, "/api/v2/search?q=GLAZE&type=accounts").await;
    assert_eq!(
        accts(&by_bio["accounts"]),
        ["kiln", "ana@ceramics.example", "hana@studio.example"],
        "Kiln & Glaze by name"
    );
    let (_, _, exact) = fetch(&sandbox, "/api/v2/search?q=%40ben_throws&type=accounts&resolve=true").await;
    assert_eq!(accts(&exact["accounts"]), ["ben_throws"]);
    let (_, _, followed) = fetch(&sandbox, "/api/v2/search?q=a&type=accounts&following=true").await;
    assert_eq!(accts(&followed["accounts"]), ["ana@ceramics.example", "hana@studio.example"]);

    let (_, _, statuses) = fetch(&sandbox, "/api/v2/search?q=celadon+tiles&type=statuses").await;
    assert_eq!(authors(&statuses["statuses"]), ["ana@ceramics.example"]);
    let (_, _, unlisted) = fetch(&sandbox, "/api/v2/search?q=kiln+share&type=statuses").await;
    assert_eq!(authors(&unlisted["statuses"]), Vec::<String>::new(), "only public statuses are indexed");
    let (_, _, pottery) = fetch(&sandbox, "/api/v2/search?q=%23pottery&type=statuses&limit=2&offset=1").await;
    assert_eq!(authors(&pottery["statuses"]), ["clay_collective@ceramics.example", "kiln"]);

    let (_, _, tags) = fetch(&sandbox, "/api/v2/search?q=%23pot&type=hashtags").await;
    let tag = &tags["hashtags"][0];
    assert_eq!(tag["name"], "pottery");
    assert!(tag["url"].as_str().is_some_and(|u| u.ends_with("/tags/pottery")));
    assert_eq!(tag["history"].as_array().map(Vec::len), Some(7));
    assert_eq!(tag["history"][0]["uses"].as_str().map(|u| u.parse::<u32>().is_ok()), Some(true));
}

#[tokio::test]
async fn search_without_full_text_finds_statuses_only_by_url() {
    let sandbox = start(Seed::demo().full_text_search(false)).await;
    let (_, _, none) = fetch(&sandbox, "/api/v2/search?q=celadon&type=statuses").await;
    assert_eq!(none["statuses"], Value::Array(Vec::new()));
    let (_, _, tagged) = fetch(&sandbox, "/api/v1/timelines/tag/glaze").await;
    let url = tagged[0]["url"].as_str().unwrap_or_default().to_owned();
    let (_, _, by_url) = fetch(&sandbox, &format!("/api/v2/search?q={url}&type=statuses")).await;
    assert_eq!(ids(&by_url["statuses"]), ids(&tagged));
    let (_, _, accounts) = fetch(&sandbox, "/api/v2/search?q=ribeiro").await;
    assert_eq!(accts(&accounts["accounts"]), ["ana@ceramics.example"], "accounts are searched regardless");
}

#[tokio::test]
async fn search_refuses_a_missing_query_and_caps_its_limit() {
    let accounts = (0..45).fold(Seed::new("sandbox-token"), |seed, i| {
        seed.account(SeedAccount::new(format!("potter{i}@many.example"), format!("Potter {i}")))
    });
    let sandbox = start(accounts).await;
    let (status, _, body) = fetch(&sandbox, "/api/v2/search").await;
    assert_eq!((status, body["error"].as_str()), (400, Some("param is missing or the value is empty: q")));
    assert_eq!(fetch(&sandbox, "/api/v2/search?q=+").await.0, 400, "blank is missing");
    let (_, _, default) = fetch(&sandbox, "/api/v2/search?q=potter&type=accounts").await;
    assert_eq!(ids(&default["accounts"]).len(), 20);
    let (_, _, capped) = fetch(&sandbox, "/api/v2/search?q=potter&type=accounts&limit=80").await;
    assert_eq!(ids(&capped["accounts"]).len(), 40);
    let (_, _, tail) = fetch(&sandbox, "/api/v2/search?q=potter&type=accounts&limit=40&offset=40").await;
    assert_eq!(ids(&tail["accounts"]).len(), 5);
    let (_, _, unknown) = fetch(&sandbox, "/api/v2/search?q=potter&type=people").await;
    assert_eq!(ids(&unknown["accounts"]).len(), 0, "an unknown type finds nothing");
}

#[tokio::test]
async fn search_needs_read_search() {
    let sandbox = scoped(Seed::demo()).await;
    let path = "/api/v2/search?q=pottery";
    assert_refused(&sandbox, "GET", path, &["write", "follow", "read:statuses", "read:accounts"]).await;
    assert_let_in(&sandbox, "GET", path, &["read:search", "read"]).await;
}

#[tokio::test]
async fn suggestions_leave_out_whom_the_account_follows() {
    let sandbox = demo().await;
    let (status, link, all) = fetch(&sandbox, "/api/v2/suggestions").await;
    assert_eq!((status, link.as_str()), (200, ""), "suggestions are not paginated");
    let accounts: Vec<Value> = all.as_array().into_iter().flatten().map(|s| s["account"].clone()).collect();
    assert_eq!(
        accts(&Value::Array(accounts)),
        ["mira@potters.example", "clay_collective@ceramics.example", "ben_throws"]
    );
    assert_eq!(all[0]["source"], "past_interactions");
    assert_eq!(all[0]["sources"], serde_json::json!(["friends_of_friends"]));
    assert_eq!(
        (all[1]["source"].as_str(), all[1]["sources"][0].as_str()),
        (Some("global"), Some("most_followed"))
    );
    let (_, _, one) = fetch(&sandbox, "/api/v2/suggestions?limit=1").await;
    assert_eq!(one.as_array().map(Vec::len), Some(1));
    let mira = sandbox.account_id("mira@potters.example").unwrap_or_default();
    assert_eq!(
        post(&sandbox, &format!("/api/v1/accounts/{mira}/follow"), "f", &[]).await.status().as_u16(),
        200
    );
    let (_, _, after) = fetch(&sandbox, "/api/v2/suggestions").await;
    assert_eq!(after.as_array().map(Vec::len), Some(2), "followed, so no longer suggested");

    let seed = Seed::new("sandbox-token")
        .suggestion("staff@pick.example", &[SuggestionSource::Featured, SuggestionSource::MostInteractions])
        .suggestion("blocked@pick.example", &[])
        .blocking("blocked@pick.example");
    let picked = start(seed).await;
    let (_, _, staff) = fetch(&picked, "/api/v2/suggestions").await;
    assert_eq!(staff.as_array().map(Vec::len), Some(1), "a blocked account is not suggested");
    assert_eq!(
        (staff[0]["source"].as_str(), &staff[0]["sources"]),
        (Some("staff"), &serde_json::json!(["featured", "most_interactions"]))
    );
}

#[tokio::test]
async fn suggestions_need_read() {
    let sandbox = scoped(Seed::demo()).await;
    // Mastodon's controller lists the top-level `read` alone.
    assert_refused(
        &sandbox,
        "GET",
        "/api/v2/suggestions",
        &["read:accounts", "read:follows", "write", "follow"],
    )
    .await;
    assert_let_in(&sandbox, "GET", "/api/v2/suggestions", &["read"]).await;
}

#[tokio::test]
async fn familiar_followers_are_followed_accounts_that_follow_them() {
    let sandbox = demo().await;
    let mira = sandbox.account_id("mira@potters.example").unwrap_or_default();
    let clay = sandbox.account_id("clay_collective@ceramics.example").unwrap_or_default();
    let ben = sandbox.account_id("ben_throws").unwrap_or_default();
    let path = format!("/api/v1/accounts/familiar_followers?id[]={mira}&id[]=999&id[]={clay}&id[]={ben}");
    let (status, _, familiar) = fetch(&sandbox, &path).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&familiar), [mira.clone(), clay, ben], "unknown ids are left out");
    assert_eq!(accts(&familiar[0]["accounts"]), ["ana@ceramics.example", "hana@studio.example"]);
    assert_eq!(accts(&familiar[1]["accounts"]), ["ana@ceramics.example"]);
    assert_eq!(
        accts(&familiar[2]["accounts"]),
        Vec::<String>::new(),
        "Lou follows the Collective, but kiln does not follow Lou"
    );

    let scoped = scoped(Seed::demo()).await;
    let path = format!("/api/v1/accounts/familiar_followers?id[]={mira}");
    assert_refused(&scoped, "GET", &path, &["read:accounts", "follow", "write"]).await;
    assert_let_in(&scoped, "GET", &path, &["read:follows", "read"]).await;
}

#[tokio::test]
async fn lists_hold_members_and_their_timeline() {
    let sandbox = demo().await;
    let (status, _, lists) = fetch(&sandbox, "/api/v1/lists").await;
    assert_eq!(status, 200);
    assert_eq!(
        lists,
        serde_json::json!([{ "id": "1", "title": "Potters", "replies_policy": "list", "exclusive": false }])
    );
    assert_eq!(fetch(&sandbox, "/api/v1/lists/1").await.2["title"], "Potters");
    let (_, _, members) = fetch(&sandbox, "/api/v1/lists/1/accounts").await;
    assert_eq!(accts(&members), ["hana@studio.example", "ana@ceramics.example"], "newest member first");
    let (_, link, first) = fetch(&sandbox, "/api/v1/lists/1/accounts?limit=1").await;
    let next = link_to(&sandbox, &link, "next").unwrap_or_default();
    assert_eq!(accts(&first), ["hana@studio.example"]);
    assert_eq!(accts(&fetch(&sandbox, &next).await.2), ["ana@ceramics.example"]);
    assert_eq!(accts(&fetch(&sandbox, "/api/v1/lists/1/accounts?limit=0").await.2).len(), 2, "limit=0: all");

    let (_, _, timeline) = fetch(&sandbox, "/api/v1/timelines/list/1").await;
    assert_eq!(authors(&timeline), ["ana@ceramics.example", "hana@studio.example"]);
    sandbox.post("hana@studio.example", "Test tiles, round two.");
    sandbox.post("mira@potters.example", "Not on the list.");
    let (_, _, newer) = fetch(&sandbox, "/api/v1/timelines/list/1").await;
    assert_eq!(texts(&newer).first().map(String::as_str), Some("Test tiles, round two."));
    assert_eq!(authors(&newer).len(), 3);

    for path in [
        "/api/v1/lists/2",
        "/api/v1/lists/0/accounts",
        "/api/v1/timelines/list/7",
        "/api/v1/timelines/list/x",
    ] {
        let (status, _, body) = fetch(&sandbox, path).await;
        assert_eq!((status, body["error"].as_str()), (404, Some("Record not found")), "{path}");
    }
    assert_eq!(json(get(&sandbox, "/api/v1/lists").await).await.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn lists_need_read_lists() {
    let sandbox = scoped(Seed::demo()).await;
    for path in ["/api/v1/lists", "/api/v1/lists/1", "/api/v1/lists/1/accounts", "/api/v1/timelines/list/1"] {
        assert_refused(&sandbox, "GET", path, &["read:statuses", "read:accounts", "write"]).await;
        assert_let_in(&sandbox, "GET", path, &["read:lists", "read"]).await;
    }
}
