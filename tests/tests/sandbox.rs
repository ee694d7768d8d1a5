//! The Mastodon sandbox itself, driven over real HTTP with reqwest: its answers must match what
//! the Mastodon plugin expects, or every end-to-end test built on it proves nothing.

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
    let all = json(get(&sandbox, "/api/v1/notifications").await).await;
    let all_ids = ids(&all);
    assert_eq!(all_ids.len(), 8, "4 follows, 3 mentions, 1 follow request");
    assert_eq!(all[0]["type"], "follow_request");
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
