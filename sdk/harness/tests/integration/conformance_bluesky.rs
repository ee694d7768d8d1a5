//! The Bluesky plugin's real component against the contract conformance suite, with XRPC
//! exchanges in the shapes of the AT Protocol lexicons, plus Bluesky's own rules: one login
//! (`createSession`) whose session is kept in kv, `refreshSession` (not a new login) on
//! `ExpiredToken`, `updateSeen` after a page, unfollow as a `deleteRecord` of the follow record,
//! and the write budget declared as ceilings.

use rapport_core::platform::{ActionOutcome, PluginError, RateCeiling};
use rapport_core::task::{Action, ActionKind};
use rapport_harness::conformance::{self, ErrorCase, ErrorProbe, PlatformScript, Step, Walk};
use rapport_harness::{
    DEFAULT_NOW, Exchange, ExpectedRequest, Harness, HarnessBuilder, HarnessError, Method, TransportResponse,
    locate,
};
use serde_json::{Value, json};

const PDS: &str = "https://pds.example";
const USER: &str = "me.test";
const ME: &str = "did:plc:me";
const APP_PASSWORD: &str = "abcd-efgh-ijkl-mnop";
/// Where the plugin keeps its session: `session:{api_base}:{user}`.
const SESSION_KEY: &str = "session:https://pds.example:me.test";

/// The account's own post the notifications are about.
const ROOT: &str = "at://did:plc:me/app.bsky.feed.post/3kqroot";
/// Ann's reply to it, which the reply, like and repost actions answer.
const ANN_POST: &str = "at://did:plc:ann/app.bsky.feed.post/3kqannreply";
/// The acting account's follow record for Cat.
const FOLLOW_RECORD: &str = "at://did:plc:me/app.bsky.graph.follow/3kqfollowcat";

const T1: &str = "2024-05-01T11:10:00.100Z";
const T2: &str = "2024-05-01T11:20:00.200Z";
const T3: &str = "2024-05-01T11:30:00.300Z";

fn wasm() -> std::path::PathBuf {
    locate::platform_plugin("bluesky").unwrap_or_else(|e| panic!("{e}"))
}

/// An account before its first call: a user and an app password, no session.
fn new_account() -> HarnessBuilder {
    Harness::builder(wasm()).account("bsky").api_base(PDS).user(USER).secret("app_password", APP_PASSWORD)
}

/// `createSession` / `refreshSession` output.
fn session(access: &str, refresh: &str) -> Value {
    json!({
        "did": ME, "handle": USER, "email": "me@example.com", "emailConfirmed": true,
        "accessJwt": access, "refreshJwt": refresh, "active": true,
        "didDoc": {"id": ME, "service": [
            {"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": PDS}
        ]}
    })
}

/// An account with the session of an earlier login in kv, as on every call after the first.
fn signed_in() -> HarnessBuilder {
    new_account().kv_json(
        SESSION_KEY,
        &json!({"did": ME, "handle": USER, "accessJwt": "access-1", "refreshJwt": "refresh-1"}),
    )
}

fn xrpc(nsid: &str) -> String {
    format!("{PDS}/xrpc/{nsid}")
}

/// A query with the session's access token.
fn query(nsid_and_params: &str, access: &str) -> ExpectedRequest {
    Exchange::get(xrpc(nsid_and_params)).with_header("authorization", format!("Bearer {access}"))
}

/// A procedure with the session's access token whose JSON body satisfies `check`.
fn procedure(
    nsid: &str,
    what: &str,
    check: impl Fn(&Value) -> bool + Send + Sync + 'static,
) -> ExpectedRequest {
    Exchange::post(xrpc(nsid))
        .with_header("authorization", "Bearer access-1")
        .with_header("content-type", "application/json")
        .with_body_matching(what.to_owned(), move |body| {
            serde_json::from_slice(body).is_ok_and(|v: Value| check(&v))
        })
}

fn list_notifications(query_params: &str) -> ExpectedRequest {
    query(
        &format!(
            "app.bsky.notification.listNotifications?limit=50&reasons=mention&reasons=reply&reasons=follow{query_params}"
        ),
        "access-1",
    )
}

/// `app.bsky.actor.defs#profileViewBasic`.
fn basic(name: &str) -> Value {
    json!({"did": format!("did:plc:{name}"), "handle": format!("{name}.test"), "displayName": name.to_uppercase(),
           "avatar": format!("https://cdn.example/{name}.jpg"), "labels": [], "viewer": {"muted": false}})
}

/// `app.bsky.actor.defs#profileViewDetailed`, with the acting account's viewer state.
fn detailed(name: &str, viewer: Value) -> Value {
    let mut p = basic(name);
    p["description"] = json!(format!("{name} bakes bread"));
    p["followersCount"] = json!(120);
    p["followsCount"] = json!(80);
    p["postsCount"] = json!(42);
    p["createdAt"] = json!("2023-12-01T00:00:00.000Z");
    p["indexedAt"] = json!("2023-12-01T00:00:00.000Z");
    p["viewer"] = viewer;
    p
}

fn profiles(names: &[&str]) -> String {
    let list: Vec<Value> = names.iter().map(|n| detailed(n, json!({"muted": false}))).collect();
    json!({"profiles": list}).to_string()
}

/// `app.bsky.feed.defs#postView` of `uri` by `author`.
fn post_view(uri: &str, author: &str, record: Value, viewer: Value) -> Value {
    json!({"uri": uri, "cid": format!("bafy{}", uri.len()), "author": basic(author), "record": record,
           "replyCount": 0, "repostCount": 0, "likeCount": 1, "indexedAt": T1, "viewer": viewer, "labels": []})
}

fn root_record() -> Value {
    json!({"$type": "app.bsky.feed.post", "text": "Fresh sourdough today",
           "createdAt": "2024-05-01T10:00:00.000Z"})
}

fn ann_reply_record() -> Value {
    json!({"$type": "app.bsky.feed.post", "text": "Looks great!", "createdAt": "2024-05-01T11:29:00.000Z",
           "reply": {"root": {"uri": ROOT, "cid": "bafyroot"}, "parent": {"uri": ROOT, "cid": "bafyroot"}}})
}

/// `app.bsky.notification.listNotifications#notification`.
fn notification(uri: &str, author: &str, reason: &str, at: &str) -> Value {
    let (subject, record) = match reason {
        "reply" => (Some(ROOT), ann_reply_record()),
        "like" => (
            Some(ROOT),
            json!({"$type": "app.bsky.feed.like", "subject": {"uri": ROOT, "cid": "bafyroot"}, "createdAt": at}),
        ),
        _ => (None, json!({"$type": "app.bsky.graph.follow", "subject": ME, "createdAt": at})),
    };
    let mut n = json!({"uri": uri, "cid": "bafyn", "author": basic(author), "reason": reason, "record": record,
                       "isRead": false, "indexedAt": at, "labels": []});
    if let Some(subject) = subject {
        n["reasonSubject"] = json!(subject);
    }
    n
}

const REPLY_N: &str = ANN_POST;
const LIKE_N: &str = "at://did:plc:bob/app.bsky.feed.like/3kqlike";
const FOLLOW_N: &str = "at://did:plc:cat/app.bsky.graph.follow/3kqfollow";

fn reply_n() -> Value {
    notification(REPLY_N, "ann", "reply", T3)
}
fn like_n() -> Value {
    notification(LIKE_N, "bob", "like", T2)
}
fn follow_n() -> Value {
    notification(FOLLOW_N, "cat", "follow", T1)
}

fn notifications(items: &[Value], cursor: Option<&str>) -> String {
    let mut page = json!({"notifications": items, "priorities": false, "seenAt": "2024-05-01T09:00:00.000Z"});
    if let Some(cursor) = cursor {
        page["cursor"] = json!(cursor);
    }
    page.to_string()
}

fn update_seen(at: &'static str) -> Exchange {
    procedure("app.bsky.notification.updateSeen", &format!("seenAt is {at}"), move |v| v["seenAt"] == at)
        .respond(200, "")
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// `createRecord` in `collection` under a TID, answered with the record's new place.
fn create_record(
    collection: &'static str,
    what: &str,
    record: impl Fn(&Value) -> bool + Send + Sync + 'static,
) -> Exchange {
    procedure("com.atproto.repo.createRecord", what, move |v| {
        v["repo"] == ME
            && v["collection"] == collection
            && v["rkey"].as_str().is_some_and(|k| k.len() == 13)
            && v["record"]["$type"] == collection
            && v["record"]["createdAt"].is_string()
            && record(&v["record"])
    })
    .respond(
        200,
        json!({"uri": format!("at://{ME}/{collection}/3kqnewrecord2"), "cid": "bafynew",
               "commit": {"cid": "bafycommit", "rev": "3kqrev"}, "validationStatus": "valid"})
        .to_string(),
    )
}

fn get_posts(uri: &str, record: Value, viewer: Value) -> Exchange {
    query(&format!("app.bsky.feed.getPosts?uris={uri}"), "access-1")
        .respond(200, json!({"posts": [post_view(uri, "ann", record, viewer)]}).to_string())
}

fn get_profile(actor: &str, viewer: Value) -> Exchange {
    query(&format!("app.bsky.actor.getProfile?actor={actor}"), "access-1")
        .respond(200, detailed(actor.trim_start_matches("did:plc:"), viewer).to_string())
}

struct Bluesky;

impl PlatformScript for Bluesky {
    fn notification_walk(&self) -> Walk {
        Walk {
            start: None,
            steps: vec![
                // The newest page, then (a first read backfills) the older one.
                Step {
                    exchanges: vec![
                        list_notifications("").without_query("cursor").respond(
                            200,
                            notifications(&[reply_n(), like_n()], Some("1714562400200::bafyn")),
                        ),
                        query("app.bsky.actor.getProfiles?actors=did:plc:ann&actors=did:plc:bob", "access-1")
                            .respond(200, profiles(&["ann", "bob"])),
                        query(&format!("app.bsky.feed.getPosts?uris={ROOT}"), "access-1").respond(
                            200,
                            json!({"posts": [post_view(ROOT, "me", root_record(), json!({}))]}).to_string(),
                        ),
                        update_seen(T3),
                    ],
                    ids: ids(&[REPLY_N, LIKE_N]),
                },
                Step {
                    exchanges: vec![
                        list_notifications("&cursor=1714562400200::bafyn")
                            .respond(200, notifications(&[follow_n()], None)),
                        query("app.bsky.actor.getProfiles?actors=did:plc:cat", "access-1")
                            .respond(200, profiles(&["cat"])),
                        update_seen(T3),
                    ],
                    ids: ids(&[FOLLOW_N]),
                },
                // Caught up: the newest page holds only what was delivered; nothing is marked seen.
                Step {
                    exchanges: vec![list_notifications("").without_query("cursor").respond(
                        200,
                        notifications(&[reply_n(), like_n(), follow_n()], Some("1714562400100::bafyn")),
                    )],
                    ids: Vec::new(),
                },
            ],
        }
    }

    fn follower_walk(&self) -> Option<Walk> {
        let followers = |names: &[&str], cursor: Option<&str>| {
            let list: Vec<Value> = names.iter().map(|n| basic(n)).collect();
            let mut page = json!({"subject": basic("me"), "followers": list});
            if let Some(cursor) = cursor {
                page["cursor"] = json!(cursor);
            }
            page.to_string()
        };
        let get = |params: &str| {
            query(&format!("app.bsky.graph.getFollowers?actor={ME}&limit=100{params}"), "access-1")
        };
        Some(Walk {
            start: None,
            steps: vec![
                Step {
                    exchanges: vec![
                        get("")
                            .without_query("cursor")
                            .respond(200, followers(&["ann", "bob"], Some("3kqf1"))),
                    ],
                    ids: ids(&["did:plc:ann", "did:plc:bob"]),
                },
                Step {
                    exchanges: vec![get("&cursor=3kqf1").respond(200, followers(&["cat"], None))],
                    ids: ids(&["did:plc:cat"]),
                },
            ],
        })
    }

    fn error_probe(&self) -> ErrorProbe {
        ErrorProbe { cursor: None, before: Vec::new(), request: list_notifications("") }
    }

    /// XRPC error bodies, and the PDS's `ratelimit-*` headers with a Unix-time reset.
    fn error_response(&self, case: ErrorCase) -> TransportResponse {
        let xrpc =
            |status: u16, headers: Vec<(String, String)>, error: &str, message: &str| TransportResponse {
                status,
                headers,
                body: json!({"error": error, "message": message}).to_string().into_bytes(),
            };
        match case {
            ErrorCase::Unauthorized => {
                xrpc(401, Vec::new(), "AuthenticationRequired", "Authentication Required")
            }
            ErrorCase::Forbidden => xrpc(403, Vec::new(), "Forbidden", "Forbidden"),
            ErrorCase::NotFound => xrpc(404, Vec::new(), "NotFound", "Not Found"),
            ErrorCase::RateLimited(wait) => {
                let headers = [
                    ("ratelimit-limit", "3000".to_owned()),
                    ("ratelimit-remaining", "0".to_owned()),
                    ("ratelimit-reset", (DEFAULT_NOW + i64::from(wait)).to_string()),
                    ("ratelimit-policy", "3000;w=300".to_owned()),
                ];
                let headers = headers.into_iter().map(|(n, v)| (n.to_owned(), v)).collect();
                xrpc(429, headers, "RateLimitExceeded", "Rate Limit Exceeded")
            }
            ErrorCase::ServerError(500) => {
                xrpc(500, Vec::new(), "InternalServerError", "Internal Server Error")
            }
            _ => case.generic_response(),
        }
    }

    fn after_error(&self, case: ErrorCase) -> Vec<Exchange> {
        match case {
            // A refused token is renewed once and the request sent again; refused again, it is `auth`.
            ErrorCase::Unauthorized => vec![
                Exchange::post(xrpc("com.atproto.server.refreshSession"))
                    .with_header("authorization", "Bearer refresh-1")
                    .respond(200, session("access-2", "refresh-2").to_string()),
                query("app.bsky.notification.listNotifications?limit=50", "access-2").respond(
                    401,
                    r#"{"error":"AuthenticationRequired","message":"Authentication Required"}"#,
                ),
            ],
            _ => Vec::new(),
        }
    }

    fn action(&self, kind: ActionKind) -> Option<(Action, Vec<Exchange>)> {
        let ann_post = || get_posts(ANN_POST, ann_reply_record(), json!({}));
        Some(match kind {
            ActionKind::Reply => (
                Action::Reply {
                    to_post_id: ANN_POST.into(),
                    text: "Thanks!".into(),
                    visibility: String::new(),
                },
                vec![
                    ann_post(),
                    // The thread's root stays the root; the parent is the post answered.
                    create_record("app.bsky.feed.post", "a reply to Ann under the thread's root", |r| {
                        r["text"] == "Thanks!"
                            && r["reply"]["root"]["uri"] == ROOT
                            && r["reply"]["root"]["cid"] == "bafyroot"
                            && r["reply"]["parent"]["uri"] == ANN_POST
                    }),
                ],
            ),
            ActionKind::Publish => (
                conformance::sample_action(ActionKind::Publish),
                vec![create_record("app.bsky.feed.post", "a top-level post", |r| {
                    r["text"] == "Hello from the conformance suite" && r.get("reply").is_none()
                })],
            ),
            ActionKind::Follow | ActionKind::FollowBack => {
                let account_id = "did:plc:cat".to_owned();
                let action = if kind == ActionKind::Follow {
                    Action::Follow { account_id }
                } else {
                    Action::FollowBack { account_id }
                };
                (
                    action,
                    vec![
                        get_profile(
                            "did:plc:cat",
                            json!({"muted": false, "followedBy": "at://did:plc:cat/app.bsky.graph.follow/3kqcat"}),
                        ),
                        create_record("app.bsky.graph.follow", "a follow of Cat", |r| {
                            r["subject"] == "did:plc:cat"
                        }),
                    ],
                )
            }
            ActionKind::Unfollow => (
                Action::Unfollow { account_id: "did:plc:cat".into() },
                vec![get_profile("did:plc:cat", json!({"following": FOLLOW_RECORD})), delete_follow()],
            ),
            ActionKind::Like => (
                Action::Like { post_id: ANN_POST.into() },
                vec![
                    ann_post(),
                    create_record("app.bsky.feed.like", "a like of Ann's post", |r| {
                        r["subject"]["uri"] == ANN_POST && r["subject"]["cid"].is_string()
                    }),
                ],
            ),
            ActionKind::Repost => (
                Action::Repost { post_id: ANN_POST.into() },
                vec![
                    ann_post(),
                    create_record("app.bsky.feed.repost", "a repost of Ann's post", |r| {
                        r["subject"]["uri"] == ANN_POST
                    }),
                ],
            ),
            ActionKind::AcceptFollowRequest | ActionKind::Message => return None,
        })
    }
}

fn delete_follow() -> Exchange {
    procedure("com.atproto.repo.deleteRecord", "a delete of the follow record", |v| {
        v["repo"] == ME && v["collection"] == "app.bsky.graph.follow" && v["rkey"] == "3kqfollowcat"
    })
    .respond(200, r#"{"commit":{"cid":"bafycommit","rev":"3kqrev2"}}"#)
}

fn count(harness: &Harness, nsid: &str) -> usize {
    harness.requests().iter().filter(|r| r.url.contains(&format!("/xrpc/{nsid}"))).count()
}

#[tokio::test]
async fn bluesky_passes_the_conformance_suite() {
    let report = conformance::run(&signed_in(), &Bluesky).await;
    assert!(report.passed(), "{report}");
}

#[tokio::test]
async fn the_session_is_created_once_and_then_reused_from_kv() {
    let harness = new_account().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect_all([
        Exchange::post(xrpc("com.atproto.server.createSession"))
            .without_query("identifier")
            .with_body_matching("the identifier and the substituted app password", |body| {
                serde_json::from_slice(body)
                    .is_ok_and(|v: Value| v["identifier"] == USER && v["password"] == APP_PASSWORD)
            })
            .respond(200, session("access-1", "refresh-1").to_string()),
        list_notifications("").respond(200, notifications(&[], None)),
    ]);
    let page = harness.fetch_notifications(None).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(page.items.is_empty() && page.next_cursor.is_none());
    harness.assert_done();
    let stored: Value = harness.kv_get_json(SESSION_KEY).unwrap_or_default();
    assert_eq!(
        (&stored["did"], &stored["accessJwt"], &stored["refreshJwt"]),
        (&json!(ME), &json!("access-1"), &json!("refresh-1"))
    );
    assert!(
        harness.kv().snapshot().values().all(|v| !String::from_utf8_lossy(v).contains(APP_PASSWORD)),
        "the plugin never holds the app password"
    );

    // Later calls, and a restarted daemon with the same kv, reuse the session.
    harness.expect(get_profile(
        "did:plc:cat",
        json!({"followedBy": "at://did:plc:cat/app.bsky.graph.follow/3kqcat"}),
    ));
    let relationship = harness.relationship("did:plc:cat").await.unwrap_or_else(|e| panic!("{e}"));
    assert!(relationship.followed_by && !relationship.following);
    harness.assert_done();
    let restarted = new_account().build().await.unwrap_or_else(|e| panic!("{e}"));
    restarted.kv().restore(harness.kv().snapshot());
    restarted.expect(list_notifications("").respond(200, notifications(&[], None)));
    restarted.fetch_notifications(None).await.unwrap_or_else(|e| panic!("{e}"));
    restarted.assert_done();
    assert_eq!(count(&harness, "com.atproto.server.createSession"), 1);
    assert_eq!(count(&restarted, "com.atproto.server.createSession"), 0);
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_not_a_new_login() {
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect_all([
        list_notifications("").respond(400, r#"{"error":"ExpiredToken","message":"Token has expired"}"#),
        Exchange::post(xrpc("com.atproto.server.refreshSession"))
            .with_header("authorization", "Bearer refresh-1")
            .respond(200, session("access-2", "refresh-2").to_string()),
        query("app.bsky.notification.listNotifications?limit=50", "access-2")
            .respond(200, notifications(&[], None)),
    ]);
    let page = harness.fetch_notifications(None).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(page.items.is_empty());
    harness.assert_done();
    assert_eq!(count(&harness, "com.atproto.server.createSession"), 0, "no new login");
    let stored: Value = harness.kv_get_json(SESSION_KEY).unwrap_or_default();
    assert_eq!((&stored["accessJwt"], &stored["refreshJwt"]), (&json!("access-2"), &json!("refresh-2")));

    // The next call goes out with the refreshed token straight away.
    harness.expect(
        query("app.bsky.actor.getProfile?actor=did:plc:cat", "access-2")
            .respond(200, detailed("cat", json!({})).to_string()),
    );
    let account = harness.lookup_account("did:plc:cat").await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((account.id.as_str(), account.followers), ("did:plc:cat", Some(120)));
    harness.assert_done();
}

#[tokio::test]
async fn a_refused_refresh_token_logs_in_again_once() {
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect_all([
        list_notifications("").respond(400, r#"{"error":"ExpiredToken","message":"Token has expired"}"#),
        Exchange::post(xrpc("com.atproto.server.refreshSession"))
            .with_header("authorization", "Bearer refresh-1")
            .respond(400, r#"{"error":"ExpiredToken","message":"Token has expired"}"#),
        Exchange::post(xrpc("com.atproto.server.createSession"))
            .with_body_contains(APP_PASSWORD)
            .respond(200, session("access-3", "refresh-3").to_string()),
        query("app.bsky.notification.listNotifications?limit=50", "access-3")
            .respond(200, notifications(&[], None)),
    ]);
    harness.fetch_notifications(None).await.unwrap_or_else(|e| panic!("{e}"));
    harness.assert_done();
    let stored: Value = harness.kv_get_json(SESSION_KEY).unwrap_or_default();
    assert_eq!(stored["accessJwt"], "access-3");

    // A login refused in turn is `auth`, and the plugin does not try again in the same call.
    let refused = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    refused.expect_all([
        list_notifications("").respond(400, r#"{"error":"ExpiredToken","message":"Token has expired"}"#),
        Exchange::post(xrpc("com.atproto.server.refreshSession"))
            .respond(400, r#"{"error":"ExpiredToken","message":"Token has expired"}"#),
        Exchange::post(xrpc("com.atproto.server.createSession"))
            .respond(401, r#"{"error":"AuthenticationRequired","message":"Invalid identifier or password"}"#),
    ]);
    let err = refused.fetch_notifications(None).await;
    assert!(matches!(&err, Err(HarnessError::Plugin(PluginError::Auth(_)))), "{err:?}");
    refused.assert_done();
    assert_eq!(count(&refused, "com.atproto.server.createSession"), 1);
}

#[tokio::test]
async fn update_seen_marks_the_newest_notification_after_a_page() {
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect_all([
        list_notifications("").respond(200, notifications(&[follow_n()], None)),
        query("app.bsky.actor.getProfiles?actors=did:plc:cat", "access-1").respond(200, profiles(&["cat"])),
        update_seen(T1),
    ]);
    let page = harness.fetch_notifications(None).await.unwrap_or_else(|e| panic!("{e}"));
    harness.assert_done();
    assert_eq!(page.items.len(), 1);
    let sent = harness.requests();
    let last = sent.last().unwrap_or_else(|| panic!("no request"));
    assert!(
        last.method == Method::Post && last.url.ends_with("/xrpc/app.bsky.notification.updateSeen"),
        "{last}"
    );
    let account = &page.items[0].account;
    assert_eq!(
        (account.handle.as_str(), account.followers, account.bio.as_str()),
        ("cat.test", Some(120), "cat bakes bread")
    );

    // Only the unread badge depends on it: a failed updateSeen does not fail the page.
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect_all([
        list_notifications("").respond(200, notifications(&[follow_n()], None)),
        query("app.bsky.actor.getProfiles?actors=did:plc:cat", "access-1").respond(200, profiles(&["cat"])),
        Exchange::post(xrpc("app.bsky.notification.updateSeen"))
            .respond(500, r#"{"error":"InternalServerError","message":"Internal Server Error"}"#),
    ]);
    let page = harness.fetch_notifications(None).await.unwrap_or_else(|e| panic!("{e}"));
    harness.assert_done();
    assert_eq!(page.items.len(), 1);
}

#[tokio::test]
async fn unfollow_deletes_the_follow_record_named_by_the_viewer_state() {
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect_all([get_profile("did:plc:cat", json!({"following": FOLLOW_RECORD})), delete_follow()]);
    let outcome = harness
        .execute("unfollow-1", &Action::Unfollow { account_id: "did:plc:cat".into() })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    harness.assert_done();
    assert_eq!(outcome, ActionOutcome { id: Some(FOLLOW_RECORD.into()), url: None });
    assert_eq!(count(&harness, "com.atproto.repo.createRecord"), 0);

    // Not following: nothing to delete.
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect(get_profile("did:plc:cat", json!({"muted": false})));
    let outcome = harness
        .execute("unfollow-2", &Action::Unfollow { account_id: "did:plc:cat".into() })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    harness.assert_done();
    assert_eq!(outcome.id, None);
    assert_eq!(count(&harness, "com.atproto.repo.deleteRecord"), 0);
}

#[tokio::test]
async fn a_resent_post_is_answered_from_memory_or_found_by_its_record_key() {
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    let publish = conformance::sample_action(ActionKind::Publish);
    harness.expect(create_record("app.bsky.feed.post", "the post", |_| true));
    let first = harness.execute("publish-1", &publish).await.unwrap_or_else(|e| panic!("{e}"));
    harness.assert_done();
    let rkey: String = harness.kv_get_json("rkey:publish-1").unwrap_or_default();
    assert_eq!(rkey.len(), 13, "the record key is kept under the idempotency key: {rkey:?}");

    // A resend after a success answers from memory, without a request.
    let again = harness.execute("publish-1", &publish).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((again, harness.requests().len()), (first.clone(), 1));

    // A crash between the write and the note of its outcome: the resend finds the record.
    let resent = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    resent.kv_set("rkey:publish-1", format!("\"{rkey}\""));
    resent.expect(
        query(&format!("com.atproto.repo.getRecord?repo={ME}&collection=app.bsky.feed.post&rkey={rkey}"), "access-1")
            .respond(
                200,
                json!({"uri": format!("at://{ME}/app.bsky.feed.post/3kqnewrecord2"), "cid": "bafynew", "value": {}})
                    .to_string(),
            ),
    );
    let again = resent.execute("publish-1", &publish).await.unwrap_or_else(|e| panic!("{e}"));
    resent.assert_done();
    assert_eq!(again, first);
    assert_eq!(count(&resent, "com.atproto.repo.createRecord"), 0);
}

#[tokio::test]
async fn describe_declares_the_write_budget_as_ceilings() {
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    let d = harness.describe();
    assert_eq!(d.platform, "bluesky");
    assert!(!d.permits(ActionKind::AcceptFollowRequest), "Bluesky has no follow requests");
    assert_eq!(d.capabilities.len(), 7);
    for &action in &d.capabilities {
        let mut ceilings: Vec<RateCeiling> =
            d.ceilings.iter().filter(|c| c.action == action).cloned().collect();
        ceilings.sort_by_key(|c| c.window_seconds);
        let (hour, day) = if action == ActionKind::Unfollow { (714, 5_000) } else { (238, 1_666) };
        assert_eq!(
            ceilings,
            vec![
                RateCeiling { action, limit: hour, window_seconds: 3_600 },
                RateCeiling { action, limit: day, window_seconds: 86_400 },
            ],
            "{action:?}: an even share of 5,000 points an hour and 35,000 a day, 3 a create, 1 a delete"
        );
    }
    // Whatever the mix, actions at their ceilings stay within the shared budget.
    let points = |window: u32| -> u32 {
        d.ceilings
            .iter()
            .filter(|c| c.window_seconds == window)
            .map(|c| c.limit * if c.action == ActionKind::Unfollow { 1 } else { 3 })
            .sum()
    };
    assert!(points(3_600) <= 5_000 && points(86_400) <= 35_000, "{} / {}", points(3_600), points(86_400));
    assert_eq!(d.hosts, vec!["https://*:*".to_owned(), "http://*:*".to_owned()]);
    assert!(d.rules.iter().any(|r| r.contains("5,000 points an hour")));
    assert!(d.rules.iter().any(|r| r.contains("createSession")));

    // The undeclared action is refused before any request.
    let refused =
        harness.execute("accept-1", &Action::AcceptFollowRequest { account_id: "did:plc:cat".into() }).await;
    assert!(matches!(refused, Err(HarnessError::Plugin(PluginError::Denied(_)))), "{refused:?}");
    assert!(harness.requests().is_empty());
}
