//! The Mastodon sandbox itself, driven over real HTTP with reqwest: its answers must match what
//! the Mastodon plugin expects, or every end-to-end test built on it proves nothing.
//!
//! Notifications, follows, faults, tokens and scopes are tested here; the discovery, posts,
//! follow-graph and media endpoints in the modules beside it.

mod discovery;
mod graph;
mod media;
mod posts;

use std::time::Duration;

use rapport_tests::sandbox::{Fault, FaultRule, MastodonSandbox, Seed};
use serde_json::Value;

const TOKEN: &str = "sandbox-token";

async fn demo() -> MastodonSandbox {
    match MastodonSandbox::start(Seed::demo()).await {
        Ok(sandbox) => sandbox,
        Err(err) => panic!("{err}"),
    }
}

async fn get(sandbox: &MastodonSandbox, path_and_query: &str) -> reqwest::Response {
    let url = format!("{}{path_and_query}", sandbox.base_url());
    match reqwest::Client::new().get(url).bearer_auth(TOKEN).send().await {
        Ok(response) => response,
        Err(err) => panic!("GET {path_and_query}: {err}"),
    }
}

async fn post(sandbox: &MastodonSandbox, path: &str, key: &str, form: &[(&str, &str)]) -> reqwest::Response {
    let body = form.iter().map(|(k, v)| format!("{k}={}", v.replace(' ', "+"))).collect::<Vec<_>>().join("&");
    let request = reqwest::Client::new()
        .post(format!("{}{path}", sandbox.base_url()))
        .bearer_auth(TOKEN)
        .header("Idempotency-Key", key)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body);
    match request.send().await {
        Ok(response) => response,
        Err(err) => panic!("POST {path}: {err}"),
    }
}

async fn json(response: reqwest::Response) -> Value {
    match response.bytes().await.map(|b| serde_json::from_slice::<Value>(&b)) {
        Ok(Ok(value)) => value,
        other => panic!("not JSON: {other:?}"),
    }
}

/// GET `path_and_query` with the seed's token: the status, the `Link` header and the JSON body.
async fn fetch(sandbox: &MastodonSandbox, path_and_query: &str) -> (u16, String, Value) {
    let response = get(sandbox, path_and_query).await;
    let status = response.status().as_u16();
    let link = response.headers().get("link").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (status, link, json(response).await)
}

/// The path and query of the `Link` header's `rel` page (`next` or `prev`), relative to the sandbox.
fn link_to(sandbox: &MastodonSandbox, link: &str, rel: &str) -> Option<String> {
    let entry = link.split(", ").find(|l| l.ends_with(&format!("rel=\"{rel}\"")))?;
    let url = entry.trim_start_matches('<').split('>').next()?;
    url.strip_prefix(&sandbox.base_url()).map(str::to_owned)
}

/// A sandbox started from `seed`, or the test fails saying why.
async fn start(seed: Seed) -> MastodonSandbox {
    match MastodonSandbox::start(seed).await {
        Ok(sandbox) => sandbox,
        Err(err) => panic!("{err}"),
    }
}

/// The text of each status in `page` (its plain words, without Mastodon's `<p>`).
fn texts(page: &Value) -> Vec<String> {
    let strip = |html: &str| html.replace("<p>", "").replace("</p>", "").replace("&#39;", "'");
    page.as_array().into_iter().flatten().filter_map(|s| s["content"].as_str().map(strip)).collect()
}

fn ids(page: &Value) -> Vec<String> {
    page.as_array().into_iter().flatten().filter_map(|n| n["id"].as_str().map(str::to_owned)).collect()
}

#[tokio::test]
async fn requires_the_bearer_token() {
    let sandbox = demo().await;
    let url = format!("{}/api/v1/notifications", sandbox.base_url());
    let response = reqwest::Client::new().get(&url).bearer_auth("wrong").send().await.ok();
    assert_eq!(response.map(|r| r.status().as_u16()), Some(401));
    assert_eq!(get(&sandbox, "/api/v1/notifications").await.status().as_u16(), 200);
    assert_eq!(sandbox.count("GET", "/api/v1/notifications"), 2, "refused requests are recorded too");
}

#[tokio::test]
async fn notifications_paginate_like_mastodon() {
    let sandbox = demo().await;
    let all = json(get(&sandbox, "/api/v1/notifications?limit=80").await).await;
    let all_ids = ids(&all);
    assert_eq!(all_ids.len(), 56, "8 from people and 48 favourites and reblogs of the shop's posts");
    let fans = |n: &&serde_json::Value| n["type"] == "favourite" || n["type"] == "reblog";
    let people: Vec<_> = all.as_array().into_iter().flatten().filter(|n| !fans(n)).collect();
    assert_eq!(people.len(), 8, "4 follows, 3 mentions, 1 follow request");
    assert_eq!(people[0]["type"], "follow_request");
    assert!(fans(&&all[0]), "the fans came in the last weeks: {:#}", all[0]);
    let mention = all.as_array().into_iter().flatten().find(|n| n["type"] == "mention");
    let content = mention.and_then(|m| m["status"]["content"].as_str()).unwrap_or_default();
    assert!(content.starts_with("<p>@kiln "), "{content}");

    let first = get(&sandbox, "/api/v1/notifications?limit=3").await;
    let link = first.headers().get("link").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let page = ids(&json(first).await);
    assert_eq!(page, all_ids[..3]);
    assert!(link.contains(&format!("max_id={}>; rel=\"next\"", all_ids[2])), "{link}");
    assert!(link.contains(&format!("min_id={}>; rel=\"prev\"", all_ids[0])), "{link}");

    let older = ids(&json(
        get(&sandbox, &format!("/api/v1/notifications?limit=3&max_id={}", all_ids[2])).await,
    )
    .await);
    assert_eq!(older, all_ids[3..6]);
    // min_id: the page right above the id, not the newest one (since_id).
    let above = ids(&json(
        get(&sandbox, &format!("/api/v1/notifications?limit=2&min_id={}", all_ids[5])).await,
    )
    .await);
    assert_eq!(above, all_ids[3..5]);
    let since =
        ids(&json(get(&sandbox, &format!("/api/v1/notifications?limit=2&since_id={}", all_ids[5])).await)
            .await);
    assert_eq!(since, all_ids[..2]);
    let mentions = json(get(&sandbox, "/api/v1/notifications?types[]=mention").await).await;
    assert_eq!(ids(&mentions).len(), 3);

    let pushed = sandbox.push_mention("new@elsewhere.example", "Are you open on Sundays?");
    let newer =
        ids(&json(get(&sandbox, &format!("/api/v1/notifications?min_id={}", all_ids[0])).await).await);
    assert_eq!(newer, vec![pushed]);
}

#[tokio::test]
async fn statuses_honour_the_idempotency_key() {
    let sandbox = demo().await;
    let all = json(get(&sandbox, "/api/v1/notifications?types[]=mention").await).await;
    let question = all[0]["status"]["id"].as_str().unwrap_or_default().to_owned();
    let form = [
        ("status", "@jo Yes, about a week."),
        ("in_reply_to_id", question.as_str()),
        ("visibility", "unlisted"),
    ];
    let first = json(post(&sandbox, "/api/v1/statuses", "task-7", &form).await).await;
    let again = json(post(&sandbox, "/api/v1/statuses", "task-7", &form).await).await;
    assert_eq!(first["id"], again["id"], "same key, same status");
    assert_eq!(first["in_reply_to_id"].as_str(), Some(question.as_str()));
    assert_eq!(first["visibility"], "unlisted");
    let other = json(post(&sandbox, "/api/v1/statuses", "task-8", &[("status", "New glaze!")]).await).await;
    assert_ne!(first["id"], other["id"]);
    assert_eq!(sandbox.count("POST", "/api/v1/statuses"), 3);
    let recorded = sandbox.requests();
    let last = recorded.last().map(|r| (r.header("idempotency-key").map(str::to_owned), r.form()));
    assert_eq!(last, Some((Some("task-8".to_owned()), vec![("status".to_owned(), "New glaze!".to_owned())])));
    let blank = post(&sandbox, "/api/v1/statuses", "task-9", &[("status", " ")]).await;
    assert_eq!(blank.status().as_u16(), 422);
}

#[tokio::test]
async fn follows_relationships_and_follower_pages() {
    let sandbox = demo().await;
    let spammer = sandbox.account_id("growth_guru_8812@spam.example").unwrap_or_default();
    let ana = sandbox.account_id("ana@ceramics.example").unwrap_or_default();
    let rels =
        json(get(&sandbox, &format!("/api/v1/accounts/relationships?id[]={ana}&id[]={spammer}")).await).await;
    assert_eq!((rels[0]["following"].as_bool(), rels[0]["followed_by"].as_bool()), (Some(true), Some(true)));
    assert_eq!((rels[1]["following"].as_bool(), rels[1]["followed_by"].as_bool()), (Some(false), Some(true)));

    let followed = json(post(&sandbox, &format!("/api/v1/accounts/{spammer}/follow"), "k1", &[]).await).await;
    assert_eq!(followed["following"], true);
    let unfollowed =
        json(post(&sandbox, &format!("/api/v1/accounts/{spammer}/unfollow"), "k2", &[]).await).await;
    assert_eq!(unfollowed["following"], false);

    let me = json(get(&sandbox, "/api/v1/accounts/verify_credentials").await).await;
    assert_eq!((me["id"].as_str(), me["acct"].as_str()), (Some("1"), Some("kiln")));
    let first = get(&sandbox, "/api/v1/accounts/1/followers?limit=3").await;
    let link = first.headers().get("link").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!(ids(&json(first).await).len(), 3);
    let max_id = link.split("max_id=").nth(1).and_then(|rest| rest.split('>').next()).unwrap_or_default();
    let rest =
        json(get(&sandbox, &format!("/api/v1/accounts/1/followers?limit=3&max_id={max_id}")).await).await;
    assert_eq!(ids(&rest), vec!["2".to_owned()], "ana followed first, so she is on the last page");

    let jo = sandbox.account_id("jo@mastodon.example").unwrap_or_default();
    let accepted =
        json(post(&sandbox, &format!("/api/v1/follow_requests/{jo}/authorize"), "k3", &[]).await).await;
    assert_eq!(accepted["followed_by"], true);
    let account = json(get(&sandbox, &format!("/api/v1/accounts/{spammer}")).await).await;
    assert!(account["avatar"].as_str().is_some_and(|a| a.ends_with("/avatars/original/missing.png")));
    assert_eq!(get(&sandbox, "/api/v1/accounts/999").await.status().as_u16(), 404);
}

#[tokio::test]
async fn faults_switch_on_and_off() {
    let sandbox = demo().await;
    sandbox.inject(FaultRule::new(Fault::RateLimited { reset_in_secs: 90 }).times(1));
    let limited = get(&sandbox, "/api/v1/notifications").await;
    assert_eq!(limited.status().as_u16(), 429);
    assert_eq!(limited.headers().get("x-ratelimit-remaining").and_then(|v| v.to_str().ok()), Some("0"));
    assert!(limited.headers().contains_key("x-ratelimit-reset"));
    assert_eq!(get(&sandbox, "/api/v1/notifications").await.status().as_u16(), 200, "times(1) is spent");

    sandbox.inject(FaultRule::new(Fault::Status { code: 503 }).on("GET", "/api/v1/accounts"));
    assert_eq!(get(&sandbox, "/api/v1/accounts/2").await.status().as_u16(), 503);
    assert_eq!(get(&sandbox, "/api/v1/notifications").await.status().as_u16(), 200, "other paths unaffected");
    sandbox.clear_faults();

    sandbox.inject(FaultRule::new(Fault::MalformedJson).times(1));
    let body = get(&sandbox, "/api/v1/notifications").await.bytes().await.unwrap_or_default();
    assert!(serde_json::from_slice::<Value>(&body).is_err());

    // Redirects are reported, not followed, by a client that asks so.
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().ok();
    sandbox
        .inject(FaultRule::new(Fault::Redirect { location: "http://elsewhere.example/x".into() }).times(1));
    let url = format!("{}/api/v1/notifications", sandbox.base_url());
    let response = match client.map(|c| c.get(url).bearer_auth(TOKEN).send()) {
        Some(send) => send.await.ok(),
        None => None,
    };
    let location = response.as_ref().and_then(|r| r.headers().get("location")).and_then(|v| v.to_str().ok());
    assert_eq!(location, Some("http://elsewhere.example/x"));
}

#[tokio::test]
async fn a_held_request_waits_for_release_and_is_recorded_on_arrival() {
    let sandbox = demo().await;
    sandbox.inject(FaultRule::new(Fault::Hold).on("POST", "/api/v1/statuses").times(1));
    let url = format!("{}/api/v1/statuses", sandbox.base_url());
    let send = tokio::spawn(
        reqwest::Client::new()
            .post(url)
            .bearer_auth(TOKEN)
            .header("Idempotency-Key", "t1")
            .form(&[("status", "hi")])
            .send(),
    );
    assert!(sandbox.wait_held(1, Duration::from_secs(5)).await, "the POST reached the sandbox");
    assert_eq!(sandbox.count("POST", "/api/v1/statuses"), 1);
    assert!(!send.is_finished());
    sandbox.release();
    let status = match send.await {
        Ok(Ok(response)) => response.status().as_u16(),
        other => panic!("held request failed: {other:?}"),
    };
    assert_eq!(status, 200);
    assert_eq!(sandbox.held(), 0);
}

#[tokio::test]
async fn admin_endpoints_drive_a_sandbox_in_another_process() {
    let sandbox = demo().await;
    let client = reqwest::Client::new();
    let admin = |path: &str| format!("{}/_sandbox/{path}", sandbox.base_url());
    let rule = serde_json::json!({ "fault": { "kind": "status", "code": 502 }, "times": 1 });
    let added =
        client.post(admin("faults")).body(rule.to_string()).send().await.ok().map(|r| r.status().as_u16());
    assert_eq!(added, Some(200));
    assert_eq!(get(&sandbox, "/api/v1/notifications").await.status().as_u16(), 502);
    let mention = serde_json::json!({ "acct": "ana@ceramics.example", "text": "Restocking soon?" });
    let pushed = client.post(admin("mention")).body(mention.to_string()).send().await.ok();
    assert_eq!(pushed.map(|r| r.status().as_u16()), Some(200));
    let latest = json(get(&sandbox, "/api/v1/notifications?limit=1").await).await;
    assert_eq!(latest[0]["type"], "mention");
    let recorded = match client.get(admin("requests")).send().await {
        Ok(response) => json(response).await,
        Err(err) => panic!("{err}"),
    };
    assert_eq!(recorded.as_array().map(Vec::len), Some(2), "admin calls are not recorded");
}

/// Every scope the scope tests hand out; each test token is named after the one scope it holds.
const TEST_SCOPES: &[&str] = &[
    "read",
    "write",
    "follow",
    "push",
    "profile",
    "read:notifications",
    "read:accounts",
    "read:follows",
    "read:statuses",
    "read:search",
    "read:lists",
    "write:statuses",
    "write:favourites",
    "write:follows",
    "write:media",
    "write:conversations",
];

/// The demo sandbox, also accepting one token per [`TEST_SCOPES`] entry, the token being the scope.
async fn scoped(seed: Seed) -> MastodonSandbox {
    let seed = TEST_SCOPES.iter().fold(seed, |seed, scope| seed.with_token(*scope, scope));
    match MastodonSandbox::start(seed).await {
        Ok(sandbox) => sandbox,
        Err(err) => panic!("{err}"),
    }
}

/// `method path` with `token`; POSTs carry a status text so that creating one succeeds.
async fn call(sandbox: &MastodonSandbox, token: &str, method: &str, path: &str) -> (u16, Value) {
    let url = format!("{}{path}", sandbox.base_url());
    let client = reqwest::Client::new();
    let request = match method {
        "POST" => client.post(url).form(&[("status", "Scoped hello")]),
        _ => client.get(url),
    };
    match request.bearer_auth(token).send().await {
        Ok(response) => (response.status().as_u16(), json(response).await),
        Err(err) => panic!("{method} {path}: {err}"),
    }
}

/// Each of `tokens` is refused with Mastodon's 403 and body.
async fn assert_refused(sandbox: &MastodonSandbox, method: &str, path: &str, tokens: &[&str]) {
    for token in tokens {
        let (status, body) = call(sandbox, token, method, path).await;
        assert_eq!(status, 403, "{method} {path} with only `{token}`: {body}");
        assert_eq!(body, serde_json::json!({ "error": "This action is outside the authorized scopes" }));
    }
}

/// Each of `tokens` gets through to a 200.
async fn assert_let_in(sandbox: &MastodonSandbox, method: &str, path: &str, tokens: &[&str]) {
    for token in tokens {
        let (status, body) = call(sandbox, token, method, path).await;
        assert_eq!(status, 200, "{method} {path} with `{token}`: {body}");
    }
}

/// The id of a status the demo seed has (a mention of the own account).
async fn a_status(sandbox: &MastodonSandbox) -> String {
    let mentions = json(get(sandbox, "/api/v1/notifications?types[]=mention&limit=1").await).await;
    mentions[0]["status"]["id"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn notifications_need_read_notifications() {
    let sandbox = scoped(Seed::demo()).await;
    let path = "/api/v1/notifications";
    assert_refused(&sandbox, "GET", path, &["write", "follow", "push", "read:statuses", "read:accounts"])
        .await;
    assert_let_in(&sandbox, "GET", path, &["read:notifications", "read"]).await;
    assert_eq!(sandbox.count("GET", path), 7, "refused requests are recorded too");
}

#[tokio::test]
async fn a_status_needs_read_statuses() {
    let sandbox = scoped(Seed::demo()).await;
    let path = format!("/api/v1/statuses/{}", a_status(&sandbox).await);
    assert_refused(&sandbox, "GET", &path, &["write", "write:statuses", "read:notifications"]).await;
    assert_let_in(&sandbox, "GET", &path, &["read:statuses", "read"]).await;
    // The scope is checked before the record is looked up, as in Mastodon's before_action.
    assert_refused(&sandbox, "GET", "/api/v1/statuses/1", &["write"]).await;
}

#[tokio::test]
async fn posting_needs_write_statuses() {
    let sandbox = scoped(Seed::demo()).await;
    let path = "/api/v1/statuses";
    assert_refused(&sandbox, "POST", path, &["read", "follow", "write:favourites", "write:media"]).await;
    assert_let_in(&sandbox, "POST", path, &["write:statuses", "write"]).await;
}

#[tokio::test]
async fn favouriting_needs_write_favourites() {
    let sandbox = scoped(Seed::demo()).await;
    let path = format!("/api/v1/statuses/{}/favourite", a_status(&sandbox).await);
    assert_refused(&sandbox, "POST", &path, &["read", "follow", "write:statuses"]).await;
    assert_let_in(&sandbox, "POST", &path, &["write:favourites", "write"]).await;
}

#[tokio::test]
async fn reblogging_needs_write_statuses() {
    let sandbox = scoped(Seed::demo()).await;
    let path = format!("/api/v1/statuses/{}/reblog", a_status(&sandbox).await);
    assert_refused(&sandbox, "POST", &path, &["read", "follow", "write:favourites"]).await;
    assert_let_in(&sandbox, "POST", &path, &["write:statuses", "write"]).await;
}

#[tokio::test]
async fn following_and_unfollowing_need_write_follows() {
    let sandbox = scoped(Seed::demo()).await;
    let tomasz = sandbox.account_id("tomasz@fosstodon.example").unwrap_or_default();
    for action in ["follow", "unfollow"] {
        let path = format!("/api/v1/accounts/{tomasz}/{action}");
        assert_refused(&sandbox, "POST", &path, &["read", "read:follows", "write:statuses"]).await;
        // The legacy `follow` scope is listed beside them in Mastodon's controller.
        assert_let_in(&sandbox, "POST", &path, &["write:follows", "write", "follow"]).await;
    }
}

#[tokio::test]
async fn authorizing_a_follow_request_needs_write_follows() {
    let requesters = ["r1@pending.example", "r2@pending.example", "r3@pending.example"];
    let seed = requesters.iter().fold(Seed::demo(), |seed, acct| seed.follow_request(acct));
    let sandbox = scoped(seed).await;
    let first = sandbox.account_id(requesters[0]).unwrap_or_default();
    let path = format!("/api/v1/follow_requests/{first}/authorize");
    assert_refused(&sandbox, "POST", &path, &["read", "read:follows", "write:statuses"]).await;
    for (acct, token) in requesters.iter().zip(["write:follows", "write", "follow"]) {
        let id = sandbox.account_id(acct).unwrap_or_default();
        assert_let_in(&sandbox, "POST", &format!("/api/v1/follow_requests/{id}/authorize"), &[token]).await;
    }
}

#[tokio::test]
async fn own_credentials_need_read_accounts_or_profile() {
    let sandbox = scoped(Seed::demo()).await;
    let path = "/api/v1/accounts/verify_credentials";
    assert_refused(&sandbox, "GET", path, &["write", "follow", "read:notifications", "read:follows"]).await;
    assert_let_in(&sandbox, "GET", path, &["read:accounts", "read", "profile"]).await;
}

#[tokio::test]
async fn an_account_needs_read_accounts() {
    let sandbox = scoped(Seed::demo()).await;
    let path = "/api/v1/accounts/2";
    assert_refused(&sandbox, "GET", path, &["write", "follow", "profile", "read:follows"]).await;
    assert_let_in(&sandbox, "GET", path, &["read:accounts", "read"]).await;
}

#[tokio::test]
async fn relationships_need_read_follows() {
    let sandbox = scoped(Seed::demo()).await;
    let path = "/api/v1/accounts/relationships?id[]=2";
    // Mastodon's controller lists only `read` and `read:follows`: the legacy `follow` is refused.
    assert_refused(&sandbox, "GET", path, &["write", "follow", "read:accounts", "write:follows"]).await;
    assert_let_in(&sandbox, "GET", path, &["read:follows", "read"]).await;
}

#[tokio::test]
async fn follower_and_following_pages_need_read_accounts() {
    let sandbox = scoped(Seed::demo()).await;
    for list in ["followers", "following"] {
        let path = format!("/api/v1/accounts/1/{list}");
        assert_refused(&sandbox, "GET", &path, &["write", "follow", "read:follows"]).await;
        assert_let_in(&sandbox, "GET", &path, &["read:accounts", "read"]).await;
    }
}

#[tokio::test]
async fn app_credentials_report_the_tokens_scopes() {
    let seed = Seed::demo().with_token("narrow", "read:notifications write:statuses read:notifications");
    let sandbox = scoped(seed).await;
    let path = "/api/v1/apps/verify_credentials";
    let (status, app) = call(&sandbox, TOKEN, "GET", path).await;
    assert_eq!(status, 200);
    assert_eq!((app["name"].as_str(), &app["website"]), (Some("rapport"), &Value::Null));
    assert_eq!(app["scopes"], serde_json::json!(["read", "write", "follow", "push"]), "the default grant");
    let (status, narrow) = call(&sandbox, "narrow", "GET", path).await;
    assert_eq!(status, 200);
    assert_eq!(narrow["scopes"], serde_json::json!(["read:notifications", "write:statuses"]));
    // No particular scope is needed, only a valid token.
    assert_eq!(call(&sandbox, "push", "GET", path).await.1["scopes"], serde_json::json!(["push"]));
    let (status, body) = call(&sandbox, "wrong", "GET", path).await;
    assert_eq!((status, body), (401, serde_json::json!({ "error": "The access token is invalid" })));
}

#[tokio::test]
async fn the_seed_token_can_be_narrowed_and_tokens_granted_at_runtime() {
    let seed = Seed::demo().scopes("read:notifications");
    let sandbox = match MastodonSandbox::start(seed).await {
        Ok(sandbox) => sandbox,
        Err(err) => panic!("{err}"),
    };
    assert_eq!(call(&sandbox, TOKEN, "GET", "/api/v1/notifications").await.0, 200);
    assert_refused(&sandbox, "POST", "/api/v1/statuses", &[TOKEN]).await;
    assert!(sandbox.grant(TOKEN, "read write").is_ok());
    assert_eq!(call(&sandbox, TOKEN, "POST", "/api/v1/statuses").await.0, 200, "re-granted");

    let admin = format!("{}/_sandbox/tokens", sandbox.base_url());
    let grant = serde_json::json!({ "token": "late", "scopes": "write:favourites" });
    let added = reqwest::Client::new().post(&admin).body(grant.to_string()).send().await.ok();
    assert_eq!(added.map(|r| r.status().as_u16()), Some(200));
    assert_refused(&sandbox, "GET", "/api/v1/notifications", &["late"]).await;
    let typo = serde_json::json!({ "token": "late", "scopes": "read:notification" });
    let refused = reqwest::Client::new().post(&admin).body(typo.to_string()).send().await.ok();
    assert_eq!(refused.map(|r| r.status().as_u16()), Some(400), "an unknown scope is refused");
    assert!(sandbox.grant("late", "write:status").is_err());
}

#[tokio::test]
async fn a_seed_with_an_unknown_scope_does_not_start() {
    let seed = Seed::demo().with_token("typo", "read:notifcations");
    match MastodonSandbox::start(seed).await {
        Ok(_) => panic!("started with an unknown scope"),
        Err(err) => assert!(err.to_string().contains("`read:notifcations`"), "{err}"),
    }
}
