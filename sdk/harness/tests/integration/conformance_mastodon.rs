//! The Mastodon plugin's real component against the contract conformance suite, with exchanges in
//! the shapes of the Mastodon client API documentation, plus Mastodon-specific harness scenarios.

use rapport_core::reads::DiscoverySource;
use rapport_core::task::{Action, ActionKind, MediaFile, PostKind};
use rapport_harness::conformance::{self, ErrorProbe, PlatformScript, ReadCall, ReadScript, Step, Walk};
use rapport_harness::{Exchange, Harness, HarnessBuilder, locate};

const BASE: &str = "https://mastodon.example";

fn builder() -> HarnessBuilder {
    let wasm = locate::platform_plugin("mastodon").unwrap_or_else(|e| panic!("{e}"));
    Harness::builder(wasm).account("social").api_base(BASE).secret("token", "t0k")
}

fn account(id: &str) -> String {
    format!(
        r#"{{"id":"{id}","acct":"user{id}@other.example","display_name":"User {id}","note":"<p>Gardener &amp; baker</p>","url":"https://other.example/@user{id}","avatar":"https://other.example/avatars/{id}.png","followers_count":12,"following_count":30,"statuses_count":140,"created_at":"2023-02-01T00:00:00.000Z","bot":false}}"#
    )
}

fn status(id: &str, visibility: &str) -> String {
    format!(
        r#"{{"id":"{id}","content":"<p>@me hello there</p>","url":"https://other.example/@user7/{id}","uri":"https://other.example/users/user7/statuses/{id}","account":{},"in_reply_to_id":null,"created_at":"2024-05-01T11:00:00.000Z","visibility":"{visibility}"}}"#,
        account("7")
    )
}

/// A public status `id` written by account `by`, with some engagement.
fn status_by(id: &str, by: &str) -> String {
    format!(
        r#"{{"id":"{id}","content":"<p>Fresh from the kiln</p>","url":"https://other.example/@user{by}/{id}","uri":"https://other.example/users/user{by}/statuses/{id}","account":{},"in_reply_to_id":null,"created_at":"2024-05-01T11:00:00.000Z","visibility":"public","favourites_count":4,"reblogs_count":1,"replies_count":2}}"#,
        account(by)
    )
}

fn notification(id: &str, kind: &str) -> String {
    let status = if kind == "mention" {
        format!(r#","status":{}"#, status(&format!("9{id}"), "public"))
    } else {
        String::new()
    };
    format!(
        r#"{{"id":"{id}","type":"{kind}","created_at":"2024-05-01T11:{}:00.000Z","account":{}{status}}}"#,
        &id[1..],
        account(id)
    )
}

fn notifications(ids: &[(&str, &str)]) -> String {
    let items: Vec<String> = ids.iter().map(|(id, kind)| notification(id, kind)).collect();
    format!("[{}]", items.join(","))
}

fn notifications_url() -> String {
    format!("{BASE}/api/v1/notifications?limit=80")
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

struct Mastodon;

impl PlatformScript for Mastodon {
    fn notification_walk(&self) -> Walk {
        let get = |query: &str| Exchange::get(format!("{}{query}", notifications_url()));
        Walk {
            start: None,
            steps: vec![
                Step {
                    exchanges: vec![
                        get("")
                            .without_query("min_id")
                            .without_query("max_id")
                            .respond(200, notifications(&[("120", "mention"), ("119", "follow")])),
                    ],
                    ids: ids(&["120", "119"]),
                },
                Step {
                    exchanges: vec![
                        get("&min_id=120")
                            .respond(200, notifications(&[("122", "favourite"), ("121", "reblog")])),
                    ],
                    ids: ids(&["122", "121"]),
                },
                Step { exchanges: vec![get("&min_id=122").respond(200, "[]")], ids: Vec::new() },
            ],
        }
    }

    fn follower_walk(&self) -> Option<Walk> {
        let followers = format!("{BASE}/api/v1/accounts/1/followers?limit=80");
        let next = format!(r#"<{BASE}/api/v1/accounts/1/followers?max_id=50>; rel="next""#);
        Some(Walk {
            start: None,
            steps: vec![
                Step {
                    exchanges: vec![
                        Exchange::get(format!("{BASE}/api/v1/accounts/verify_credentials"))
                            .respond(200, r#"{"id":"1","acct":"me"}"#),
                        Exchange::get(&followers).without_query("max_id").respond_with_headers(
                            200,
                            &[("link", next.as_str())],
                            format!("[{},{}]", account("7"), account("8")),
                        ),
                    ],
                    ids: ids(&["7", "8"]),
                },
                Step {
                    exchanges: vec![
                        Exchange::get(format!("{followers}&max_id=50"))
                            .respond(200, format!("[{}]", account("5"))),
                    ],
                    ids: ids(&["5"]),
                },
            ],
        })
    }

    fn error_probe(&self) -> ErrorProbe {
        ErrorProbe { cursor: None, before: Vec::new(), request: Exchange::get(notifications_url()) }
    }

    fn action(&self, kind: ActionKind) -> Option<(Action, Vec<Exchange>)> {
        let post = |path: &str| {
            Exchange::post(format!("{BASE}/api/v1/{path}")).with_header("authorization", "Bearer t0k")
        };
        let relationship = r#"{"id":"7","following":true,"followed_by":false,"requested":false}"#;
        let id = "7".to_owned();
        Some(match kind {
            ActionKind::Reply => (
                Action::Reply {
                    to_post_id: "9120".into(),
                    text: "Thanks!".into(),
                    visibility: String::new(),
                },
                vec![
                    Exchange::get(format!("{BASE}/api/v1/statuses/9120"))
                        .respond(200, status("9120", "unlisted")),
                    post("statuses")
                        .with_body_contains("in_reply_to_id=9120")
                        .with_body_contains("visibility=unlisted")
                        .respond(200, status("9200", "unlisted")),
                ],
            ),
            ActionKind::Publish => (
                conformance::sample_action(ActionKind::Publish),
                vec![
                    post("statuses")
                        .with_body_contains("status=Hello")
                        .respond(200, status("9300", "public")),
                ],
            ),
            ActionKind::Follow => (
                Action::Follow { account_id: id },
                vec![post("accounts/7/follow").respond(200, relationship)],
            ),
            ActionKind::FollowBack => (
                Action::FollowBack { account_id: id },
                vec![post("accounts/7/follow").respond(200, relationship)],
            ),
            ActionKind::Unfollow => (
                Action::Unfollow { account_id: id },
                vec![post("accounts/7/unfollow").respond(200, relationship)],
            ),
            ActionKind::Like => (
                Action::Like { post_id: "9120".into() },
                vec![post("statuses/9120/favourite").respond(200, status("9120", "public"))],
            ),
            ActionKind::Repost => (
                Action::Repost { post_id: "9120".into() },
                vec![post("statuses/9120/reblog").respond(200, status("9400", "public"))],
            ),
            ActionKind::AcceptFollowRequest => (
                Action::AcceptFollowRequest { account_id: id },
                vec![post("follow_requests/7/authorize").respond(200, relationship)],
            ),
            // A direct message is a `direct` status that mentions the person by their acct.
            ActionKind::Message => (
                conformance::sample_action(ActionKind::Message),
                vec![
                    Exchange::get(format!("{BASE}/api/v1/accounts/1")).respond(200, account("1")),
                    post("statuses")
                        .with_body_contains("visibility=direct")
                        .with_body_contains("Thanks")
                        .respond(200, status("9500", "direct")),
                ],
            ),
        })
    }

    fn reads(&self) -> Vec<ReadScript> {
        let get = |path: &str| Exchange::get(format!("{BASE}/api/v1/{path}"));
        let creds = || get("accounts/verify_credentials").respond(200, r#"{"id":"1","acct":"me"}"#);
        let familiar = |of: &[&str]| {
            let query: Vec<String> = of.iter().map(|id| format!("id[]={id}")).collect();
            let found: Vec<String> =
                of.iter().map(|id| format!(r#"{{"id":"{id}","accounts":[{}]}}"#, account("3"))).collect();
            get(&format!("accounts/familiar_followers?{}", query.join("&")))
                .respond(200, format!("[{}]", found.join(",")))
        };
        let statuses = |list: &[(&str, &str)]| {
            let items: Vec<String> = list.iter().map(|(id, by)| status_by(id, by)).collect();
            format!("[{}]", items.join(","))
        };
        // A first page with a `Link` to the next (by `max_id`), then the last page.
        let linked = |url: &str, max_id: &str, body: String| {
            let next = format!(r#"<{BASE}/api/v1/{url}&max_id={max_id}>; rel="next""#);
            get(url).without_query("max_id").respond_with_headers(200, &[("link", next.as_str())], body)
        };
        let probe =
            |before: Vec<Exchange>, path: &str| ErrorProbe { cursor: None, before, request: get(path) };
        let tag = "timelines/tag/pottery?limit=40";
        let list = "timelines/list/3?limit=40";
        let followers = "accounts/42/followers?limit=80";
        let theirs = "accounts/7/statuses?limit=40&exclude_reblogs=true";
        let mine = "accounts/1/statuses?limit=40&exclude_reblogs=true";
        let relationships = "accounts/relationships?id[]=7&id[]=8";
        let relationship = |id: &str| format!(r#"{{"id":"{id}","following":false,"followed_by":true}}"#);
        vec![
            ReadScript {
                call: ReadCall::Discover(DiscoverySource::Hashtag("pottery".into())),
                pages: vec![
                    Step {
                        exchanges: vec![
                            linked(tag, "90", statuses(&[("100", "7"), ("99", "8"), ("98", "7")])),
                            creds(),
                            familiar(&["7", "8"]),
                        ],
                        ids: ids(&["7", "8"]),
                    },
                    Step {
                        exchanges: vec![
                            get(&format!("{tag}&max_id=90")).respond(200, statuses(&[("89", "5")])),
                            familiar(&["5"]),
                        ],
                        ids: ids(&["5"]),
                    },
                ],
                empty: Some(vec![get(tag).respond(200, "[]"), creds()]),
                probe: probe(Vec::new(), tag),
            },
            ReadScript {
                call: ReadCall::Discover(DiscoverySource::Search("pottery".into())),
                pages: vec![Step {
                    exchanges: vec![
                        Exchange::get(format!("{BASE}/api/v2/search?q=pottery&limit=40&offset=0")).respond(
                            200,
                            format!(
                                r#"{{"accounts":[{}],"statuses":[{}]}}"#,
                                account("7"),
                                status_by("100", "8")
                            ),
                        ),
                        creds(),
                        familiar(&["8", "7"]),
                    ],
                    ids: ids(&["8", "7"]),
                }],
                empty: Some(vec![
                    Exchange::get(format!("{BASE}/api/v2/search?q=pottery"))
                        .respond(200, r#"{"accounts":[],"statuses":[]}"#),
                    creds(),
                ]),
                probe: ErrorProbe {
                    cursor: None,
                    before: Vec::new(),
                    request: Exchange::get(format!("{BASE}/api/v2/search?q=pottery")),
                },
            },
            ReadScript {
                call: ReadCall::Discover(DiscoverySource::Suggestions),
                pages: vec![Step {
                    exchanges: vec![
                        Exchange::get(format!("{BASE}/api/v2/suggestions?limit=80"))
                            .respond(200, format!(r#"[{{"source":"staff","account":{}}}]"#, account("7"))),
                        creds(),
                        familiar(&["7"]),
                    ],
                    ids: ids(&["7"]),
                }],
                empty: Some(vec![
                    Exchange::get(format!("{BASE}/api/v2/suggestions")).respond(200, "[]"),
                    creds(),
                ]),
                probe: ErrorProbe {
                    cursor: None,
                    before: Vec::new(),
                    request: Exchange::get(format!("{BASE}/api/v2/suggestions")),
                },
            },
            ReadScript {
                call: ReadCall::Discover(DiscoverySource::FollowersOf("42".into())),
                pages: vec![
                    Step {
                        exchanges: vec![
                            linked(followers, "60", format!("[{},{}]", account("7"), account("8"))),
                            creds(),
                            familiar(&["7", "8"]),
                        ],
                        ids: ids(&["7", "8"]),
                    },
                    Step {
                        exchanges: vec![
                            get(&format!("{followers}&max_id=60"))
                                .respond(200, format!("[{}]", account("5"))),
                            familiar(&["5"]),
                        ],
                        ids: ids(&["5"]),
                    },
                ],
                empty: Some(vec![get(followers).respond(200, "[]"), creds()]),
                probe: probe(Vec::new(), followers),
            },
            ReadScript {
                call: ReadCall::Discover(DiscoverySource::List("3".into())),
                pages: vec![Step {
                    exchanges: vec![
                        get(list).respond(200, statuses(&[("100", "7")])),
                        creds(),
                        familiar(&["7"]),
                    ],
                    ids: ids(&["7"]),
                }],
                empty: Some(vec![get(list).respond(200, "[]"), creds()]),
                probe: probe(Vec::new(), list),
            },
            ReadScript {
                call: ReadCall::RecentPosts("7".into()),
                pages: vec![
                    Step {
                        exchanges: vec![linked(theirs, "95", statuses(&[("100", "7"), ("99", "7")]))],
                        ids: ids(&["100", "99"]),
                    },
                    Step {
                        exchanges: vec![
                            get(&format!("{theirs}&max_id=95")).respond(200, statuses(&[("98", "7")])),
                        ],
                        ids: ids(&["98"]),
                    },
                ],
                empty: Some(vec![get(theirs).respond(200, "[]")]),
                probe: probe(Vec::new(), theirs),
            },
            ReadScript {
                call: ReadCall::OwnPosts,
                pages: vec![
                    Step {
                        exchanges: vec![creds(), linked(mine, "199", statuses(&[("200", "1")]))],
                        ids: ids(&["200"]),
                    },
                    Step {
                        exchanges: vec![
                            get(&format!("{mine}&max_id=199")).respond(200, statuses(&[("150", "1")])),
                        ],
                        ids: ids(&["150"]),
                    },
                ],
                empty: Some(vec![creds(), get(mine).respond(200, "[]")]),
                probe: probe(vec![creds()], mine),
            },
            ReadScript {
                call: ReadCall::Relationships(ids(&["7", "8"])),
                pages: vec![Step {
                    exchanges: vec![
                        get(relationships)
                            .respond(200, format!("[{},{}]", relationship("7"), relationship("8"))),
                    ],
                    ids: ids(&["7", "8"]),
                }],
                empty: None,
                probe: probe(Vec::new(), relationships),
            },
            ReadScript {
                call: ReadCall::LookupSelf,
                pages: vec![Step {
                    exchanges: vec![get("accounts/verify_credentials").respond(200, account("1"))],
                    ids: ids(&["1"]),
                }],
                empty: None,
                probe: probe(Vec::new(), "accounts/verify_credentials"),
            },
        ]
    }
}

#[tokio::test]
async fn mastodon_passes_the_conformance_suite() {
    let report = conformance::run(&builder(), &Mastodon).await;
    assert!(report.passed(), "{report}");
    // Mastodon serves every 0.2 read, so each is paged and probed, none refused.
    let reads = report.checks.iter().filter(|c| c.name.starts_with("read ")).count();
    assert_eq!(reads, 9 * 5 + 9 + 7, "{report}");
}

#[tokio::test]
async fn the_token_is_substituted_by_the_host_and_rate_limit_headers_are_recorded() {
    let harness = builder().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect(
        Exchange::get(notifications_url()).with_header("authorization", "Bearer t0k").respond_with_headers(
            200,
            &[("x-ratelimit-limit", "300"), ("x-ratelimit-remaining", "299")],
            "[]",
        ),
    );
    let page = harness.fetch_notifications(None).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(page.items.is_empty());
    harness.assert_done();
    let sent = harness.requests();
    assert_eq!(sent[0].header("authorization"), Some("Bearer t0k"));
    assert_eq!(sent[0].query("types[]").as_deref(), Some("mention"));
    let limit = harness.rate_limit().unwrap_or_else(|| panic!("no rate limit recorded"));
    assert_eq!((limit.limit, limit.remaining), (Some(300), Some(299)));
}

#[tokio::test]
async fn an_unexpected_request_fails_the_call_naming_both_requests() {
    let harness = builder().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect(Exchange::get(format!("{BASE}/api/v1/accounts/42")).respond(200, account("42")));
    let err = harness.fetch_notifications(None).await.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("GET https://mastodon.example/api/v1/notifications?limit=80"), "{err}");
    assert!(err.contains("expected GET https://mastodon.example/api/v1/accounts/42"), "{err}");
    assert_eq!(harness.unused().len(), 1, "the expected exchange is still waiting");
}

#[tokio::test]
async fn a_host_outside_the_grant_never_reaches_the_script() {
    let harness = builder()
        .allowed_hosts(&["https://elsewhere.example"])
        .build()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let err = harness.fetch_notifications(None).await;
    assert!(
        matches!(&err, Err(e) if e.plugin_error().is_some_and(|p| matches!(p, rapport_core::platform::PluginError::Denied(_)))),
        "{err:?}"
    );
    assert!(harness.requests().is_empty());
}

#[tokio::test]
async fn check_access_names_the_scope_a_reply_lacks() {
    let harness = builder().build().await.unwrap_or_else(|e| panic!("{e}"));
    // The scopes an earlier README asked for: everything but read:statuses.
    harness.expect_all([
        Exchange::get(format!("{BASE}/api/v1/apps/verify_credentials")).respond(
            200,
            r#"{"name":"rapport","website":null,"scopes":["read:notifications","read:accounts","read:follows","write:statuses","write:follows","write:favourites"]}"#,
        ),
        Exchange::get(format!("{BASE}/api/v1/accounts/verify_credentials"))
            .respond(200, r#"{"id":"1","acct":"shop"}"#),
    ]);
    let access = harness.check_access().await.unwrap_or_else(|e| panic!("{e}")).unwrap_or_default();
    harness.assert_done();
    assert_eq!(access.acting_as, "shop");
    let missing: Vec<&str> = access.missing.iter().map(|m| m.permission.as_str()).collect();
    // The 0.2 reads and media need three more scopes than that README named.
    assert_eq!(missing, ["read:statuses", "read:search", "read:lists", "write:media"], "{access:?}");
    assert_eq!(access.missing[0].actions, vec![ActionKind::Reply]);
    assert_eq!(access.missing[0].reads, ["discover-hashtag", "recent-posts", "own-posts"]);
}

#[tokio::test]
async fn check_access_on_a_server_that_does_not_list_scopes_names_nothing() {
    let harness = builder().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect(
        Exchange::get(format!("{BASE}/api/v1/apps/verify_credentials"))
            .respond(200, r#"{"name":"rapport","website":null}"#),
    );
    let access = harness.check_access().await.unwrap_or_else(|e| panic!("{e}")).unwrap_or_default();
    assert!(access.granted.is_empty() && access.missing.is_empty(), "{access:?}");
}

#[tokio::test]
async fn check_access_with_a_refused_token_is_auth() {
    let harness = builder().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect(
        Exchange::get(format!("{BASE}/api/v1/apps/verify_credentials"))
            .respond(401, r#"{"error":"The access token is invalid"}"#),
    );
    let err = harness.check_access().await.err();
    assert!(
        matches!(
            err.as_ref().and_then(|e| e.plugin_error()),
            Some(rapport_core::platform::PluginError::Auth(_))
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_reply_refused_for_a_missing_scope_is_auth_naming_the_scope() {
    let harness = builder().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect(
        Exchange::get(format!("{BASE}/api/v1/statuses/91"))
            .respond(403, r#"{"error":"This action is outside the authorized scopes"}"#),
    );
    let reply = Action::Reply { to_post_id: "91".into(), text: "Hi".into(), visibility: String::new() };
    let err = harness.execute("key-1", &reply).await.err();
    match err.as_ref().and_then(|e| e.plugin_error()) {
        Some(rapport_core::platform::PluginError::Auth(why)) => {
            assert!(why.contains("`read:statuses`"), "{why}");
        }
        other => panic!("expected auth naming the scope, got {other:?} ({err:?})"),
    }
}

/// A post attaching an image as large as Mastodon takes (just under 16 MB) goes out: the host
/// reads it, the call's memory holds it and its multipart copy, and the upload fits the host's
/// request cap. The image's bytes arrive unchanged.
#[tokio::test]
async fn an_image_as_large_as_mastodon_takes_is_uploaded_whole_and_attached() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("kiln.png");
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.resize(16 * 1024 * 1024 - 4096, 0x5a);
    std::fs::write(&path, &png).unwrap_or_else(|e| panic!("{e}"));
    let harness = builder().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect_all([
        Exchange::post(format!("{BASE}/api/v2/media"))
            .with_body_contains("A kiln full of mugs")
            .respond(200, r#"{"id":"m1","type":"image"}"#),
        Exchange::post(format!("{BASE}/api/v1/statuses"))
            .with_body_contains("media_ids%5B%5D=m1")
            .respond(200, status("9600", "public")),
    ]);
    let post = Action::Publish {
        text: "Firing day".into(),
        post_kind: PostKind::Value,
        media_alt: "A kiln full of mugs".into(),
        media: vec![MediaFile { path, mime_type: "image/png".into(), alt: "A kiln full of mugs".into() }],
    };
    let outcome = harness.execute("big-image", &post).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcome.id.as_deref(), Some("9600"));
    harness.assert_done();
    let upload = &harness.requests()[0];
    let start = upload.body.windows(8).position(|w| w == &png[..8]).expect("the upload holds the image");
    assert_eq!(upload.body.get(start..start + png.len()), Some(png.as_slice()), "the image arrived changed");
}
