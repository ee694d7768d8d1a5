//! The X plugin's real component against the contract conformance suite, with exchanges in the
//! shapes of X API v2 (the 0.2 reads included), plus X's own scenarios: 402 for an unpaid tier,
//! 429 with `x-rate-limit-*` headers, and an OAuth 2 token refresh in the middle of a run.

use rapport_core::platform::PluginError;
use rapport_core::reads::DiscoverySource;
use rapport_core::task::{Action, ActionKind, MediaFile, PostKind};
use rapport_harness::conformance::{
    self, ErrorCase, ErrorProbe, PlatformScript, ReadCall, ReadScript, Step, Walk,
};
use rapport_harness::{
    DEFAULT_NOW, Exchange, ExpectedRequest, Harness, HarnessBuilder, HarnessError, locate,
};
use serde_json::json;

const API: &str = "https://api.x.com";
const ME: &str = "1458284524761075714";
const MENTIONS_PAGE: &str = include_str!("../../../../plugins/x/tests/fixtures/mentions_page.json");
const MENTIONS_EMPTY: &str = include_str!("../../../../plugins/x/tests/fixtures/mentions_empty.json");
const FOLLOWERS_PAGE: &str = include_str!("../../../../plugins/x/tests/fixtures/followers_page.json");
const TOKEN_REFRESH: &str = include_str!("../../../../plugins/x/tests/fixtures/token_refresh.json");
const CREATE_TWEET: &str = include_str!("../../../../plugins/x/tests/fixtures/create_tweet.json");
const LOOKUP_MENTIONS_ME: &str =
    include_str!("../../../../plugins/x/tests/fixtures/tweet_lookup_mentions_me.json");
const ERROR_402: &str = include_str!("../../../../plugins/x/tests/fixtures/error_402_credits.json");
const ERROR_429: &str = include_str!("../../../../plugins/x/tests/fixtures/error_429.json");
const DM_SENT: &str =
    r#"{"data":{"dm_conversation_id":"1458284524761075714-2244994945","dm_event_id":"1582103724607971332"}}"#;
const USERS_ME: &str = include_str!("../../../../plugins/x/tests/fixtures/users_me.json");
const SEARCH_PAGE: &str = include_str!("../../../../plugins/x/tests/fixtures/search_recent_page.json");
const OWN_PAGE: &str = include_str!("../../../../plugins/x/tests/fixtures/own_tweets_page.json");
const CONNECTIONS: &str = include_str!("../../../../plugins/x/tests/fixtures/users_connection_status.json");
/// The ids of the authors on [`SEARCH_PAGE`] that discovery returns: Ann and Bea (the account's
/// own post and the author X left out of `includes` are not candidates).
const SEARCH_PAGE_AUTHORS: [&str; 2] = ["1524876381092638720", "1600000000000000001"];
/// The `meta.next_token` of [`SEARCH_PAGE`].
const SEARCH_PAGE_NEXT: &str = "b26v89c19zqg8o3fpzbkk";
/// The ids on `followers_page.json`, which the user searches and follower lists answer with.
const FOLLOWERS_PAGE_IDS: [&str; 2] = ["1600000000000000001", "1524876381092638720"];
/// The `meta.next_token` of `followers_page.json`.
const FOLLOWERS_PAGE_NEXT: &str = "DFEDBNRFT3MHCZZZ";
/// An X user page that ends a walk: one account, no `next_token`.
const LAST_USERS: &str = r#"{"data":[{"id":"99","name":"Zed","username":"zed"}],"meta":{"result_count":1}}"#;
/// An X page with nothing on it: no `data`, no `next_token`.
const EMPTY: &str = r#"{"meta":{"result_count":0}}"#;
/// A timeline or search page that ends a walk: one post by @TwitterDev (2244994945).
const LAST_TWEETS: &str = r#"{"data":[{"id":"1780000000000000001","text":"Last one #pottery","author_id":"2244994945","created_at":"2024-04-20T10:00:00.000Z"}],"includes":{"users":[{"id":"2244994945","name":"Developers","username":"TwitterDev"}]},"meta":{"result_count":1}}"#;

/// An account with the configured refresh token only, as before the first call.
fn new_account() -> HarnessBuilder {
    let wasm = locate::platform_plugin("x").unwrap_or_else(|e| panic!("{e}"));
    Harness::builder(wasm)
        .account("brand")
        .setting("client_id", "cid")
        .secret("refresh_token", "rt-from-config")
}

/// An account with a valid session and its own id cached, as after the first call.
fn signed_in() -> HarnessBuilder {
    new_account()
        .kv_json(
            "oauth2-session",
            &json!({"access_token": "at-1", "refresh_token": "rt-1", "expires_at": DEFAULT_NOW + 3600}),
        )
        .kv_json("me", &json!({"id": ME, "username": "rapportdemo"}))
}

fn mentions(query: &str) -> ExpectedRequest {
    Exchange::get(format!("{API}/2/users/{ME}/mentions?{query}"))
}

fn followers(query: &str) -> ExpectedRequest {
    Exchange::get(format!("{API}/2/users/{ME}/followers?max_results=1000{query}"))
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// A paged read: `first` answered with `first_body` (holding `first_ids`, next token `next`), then
/// `first` with `token_param=next` answered with `last_body` (`last_ids`, no token); an empty first
/// page; errors probed on the first page.
struct Paged<'a> {
    call: ReadCall,
    url: String,
    token_param: &'a str,
    first: (&'a str, &'a [&'a str], &'a str),
    last: (&'a str, &'a [&'a str]),
}

impl Paged<'_> {
    fn script(self) -> ReadScript {
        let (first_body, first_ids, next) = self.first;
        let (last_body, last_ids) = self.last;
        let first = || Exchange::get(self.url.clone()).without_query(self.token_param);
        let separator = if self.url.contains('?') { '&' } else { '?' };
        let second = Exchange::get(format!("{}{separator}{}={next}", self.url, self.token_param));
        ReadScript {
            call: self.call,
            pages: vec![
                Step { exchanges: vec![first().respond(200, first_body)], ids: ids(first_ids) },
                Step { exchanges: vec![second.respond(200, last_body)], ids: ids(last_ids) },
            ],
            empty: Some(vec![first().respond(200, EMPTY)]),
            probe: ErrorProbe { cursor: None, before: Vec::new(), request: first() },
        }
    }
}

/// A one-request read answered with `body`, holding `returned`.
fn unpaged(call: ReadCall, url: String, body: &str, returned: &[&str]) -> ReadScript {
    ReadScript {
        call,
        pages: vec![Step {
            exchanges: vec![Exchange::get(url.clone()).respond(200, body)],
            ids: ids(returned),
        }],
        empty: None,
        probe: ErrorProbe { cursor: None, before: Vec::new(), request: Exchange::get(url) },
    }
}

struct X;

impl PlatformScript for X {
    fn notification_walk(&self) -> Walk {
        let since = "since_id=1782400000000000000";
        Walk {
            start: Some("1782400000000000000".into()),
            steps: vec![
                Step {
                    exchanges: vec![
                        mentions(since).without_query("pagination_token").respond(200, MENTIONS_PAGE),
                    ],
                    ids: ids(&["1782461233309417773", "1782455820016656522"]),
                },
                Step {
                    exchanges: vec![
                        mentions(&format!(
                            "{since}&pagination_token=7140dibdnow9c7btw3z4c8c3y6l0l5v7b3m2pyv9yz1qo"
                        ))
                        .respond(200, MENTIONS_EMPTY),
                        // Caught up: the follower list is read (and, the first time, only seeds the store).
                        followers("").respond(200, FOLLOWERS_PAGE),
                    ],
                    ids: Vec::new(),
                },
                Step {
                    exchanges: vec![mentions("since_id=1782461233309417773").respond(200, MENTIONS_EMPTY)],
                    ids: Vec::new(),
                },
            ],
        }
    }

    fn follower_walk(&self) -> Option<Walk> {
        Some(Walk {
            start: None,
            steps: vec![
                Step {
                    exchanges: vec![
                        followers("").without_query("pagination_token").respond(200, FOLLOWERS_PAGE),
                    ],
                    ids: ids(&["1600000000000000001", "1524876381092638720"]),
                },
                Step {
                    exchanges: vec![followers("&pagination_token=DFEDBNRFT3MHCZZZ").respond(
                        200,
                        r#"{"data":[{"id":"99","name":"Zed","username":"zed"}],"meta":{"result_count":1}}"#,
                    )],
                    ids: ids(&["99"]),
                },
            ],
        })
    }

    fn error_probe(&self) -> ErrorProbe {
        ErrorProbe { cursor: Some("1".into()), before: Vec::new(), request: mentions("since_id=1") }
    }

    fn after_error(&self, case: ErrorCase) -> Vec<Exchange> {
        match case {
            // X's 401 means an expired token: the plugin refreshes once and retries once.
            ErrorCase::Unauthorized => vec![
                Exchange::post(format!("{API}/2/oauth2/token"))
                    .with_body_contains("refresh_token=rt-1")
                    .respond(200, TOKEN_REFRESH),
                mentions("since_id=1").respond(401, r#"{"title":"Unauthorized","status":401}"#),
            ],
            _ => Vec::new(),
        }
    }

    fn action(&self, kind: ActionKind) -> Option<(Action, Vec<Exchange>)> {
        let tweets = Exchange::post(format!("{API}/2/tweets")).with_header("authorization", "Bearer at-1");
        match kind {
            ActionKind::Publish => Some((
                conformance::sample_action(ActionKind::Publish),
                vec![tweets.with_body_contains(r#""text":"Hello"#).respond(201, CREATE_TWEET)],
            )),
            ActionKind::Reply => Some((
                Action::Reply {
                    to_post_id: "1782470000000000000".into(),
                    text: "@ann yes!".into(),
                    visibility: String::new(),
                },
                vec![
                    Exchange::get(format!("{API}/2/tweets/1782470000000000000"))
                        .respond(200, LOOKUP_MENTIONS_ME),
                    tweets
                        .with_body_contains(r#""in_reply_to_tweet_id":"1782470000000000000""#)
                        .respond(201, CREATE_TWEET),
                ],
            )),
            ActionKind::Message => Some((
                Action::Message {
                    account_id: "2244994945".into(),
                    text: "Thanks for the kind words!".into(),
                },
                vec![
                    Exchange::post(format!("{API}/2/dm_conversations/with/2244994945/messages"))
                        .with_body_contains(r#""text":"Thanks for the kind words!""#)
                        .respond(201, DM_SENT),
                ],
            )),
            _ => None,
        }
    }

    fn reads(&self) -> Vec<ReadScript> {
        let hashtag = ReadCall::Discover(DiscoverySource::Hashtag("pottery".into()));
        let search = ReadCall::Discover(DiscoverySource::Search("ceramics".into()));
        let followers_of = ReadCall::Discover(DiscoverySource::FollowersOf("2244994945".into()));
        let list = ReadCall::Discover(DiscoverySource::List("84839422".into()));
        let ann = "1524876381092638720";
        vec![
            Paged {
                call: hashtag,
                url: format!("{API}/2/tweets/search/recent?query=%23pottery+-is%3Aretweet&expansions=author_id"),
                token_param: "next_token",
                first: (SEARCH_PAGE, &SEARCH_PAGE_AUTHORS, SEARCH_PAGE_NEXT),
                last: (LAST_TWEETS, &["2244994945"]),
            }
            .script(),
            Paged {
                call: search,
                url: format!("{API}/2/users/search?query=ceramics"),
                token_param: "next_token",
                first: (FOLLOWERS_PAGE, &FOLLOWERS_PAGE_IDS, FOLLOWERS_PAGE_NEXT),
                last: (LAST_USERS, &["99"]),
            }
            .script(),
            Paged {
                call: followers_of,
                url: format!("{API}/2/users/2244994945/followers"),
                token_param: "pagination_token",
                first: (FOLLOWERS_PAGE, &FOLLOWERS_PAGE_IDS, FOLLOWERS_PAGE_NEXT),
                last: (LAST_USERS, &["99"]),
            }
            .script(),
            Paged {
                call: list,
                url: format!("{API}/2/lists/84839422/tweets?expansions=author_id"),
                token_param: "pagination_token",
                first: (SEARCH_PAGE, &SEARCH_PAGE_AUTHORS, SEARCH_PAGE_NEXT),
                last: (LAST_TWEETS, &["2244994945"]),
            }
            .script(),
            Paged {
                call: ReadCall::RecentPosts(ann.into()),
                url: format!("{API}/2/users/{ann}/tweets?exclude=retweets%2Creplies"),
                token_param: "pagination_token",
                // Every post on the page whose author X included, the account's own among them.
                first: (
                    SEARCH_PAGE,
                    &["1790000000000000003", "1790000000000000002", "1790000000000000001", "1789999999999999999"],
                    SEARCH_PAGE_NEXT,
                ),
                last: (LAST_TWEETS, &["1780000000000000001"]),
            }
            .script(),
            Paged {
                call: ReadCall::OwnPosts,
                url: format!("{API}/2/users/{ME}/tweets?exclude=retweets&tweet.fields=author_id%2Ccreated_at%2Creferenced_tweets%2Cpublic_metrics"),
                token_param: "pagination_token",
                first: (&own_page_with_next(), &["1791000000000000001", "1791000000000000000"], "own-2"),
                last: (LAST_TWEETS, &["1780000000000000001"]),
            }
            .script(),
            unpaged(
                ReadCall::Relationships(ids(&["1", "2", "3", "4", "5"])),
                format!("{API}/2/users?ids=1%2C2%2C3%2C4%2C5&user.fields=connection_status"),
                CONNECTIONS,
                &["1", "2", "3", "4"],
            ),
            unpaged(ReadCall::LookupSelf, format!("{API}/2/users/me?user.fields=created_at%2Cdescription%2Cpublic_metrics%2Cprofile_image_url%2Cverified%2Curl"), USERS_ME, &[ME]),
        ]
    }
}

/// [`OWN_PAGE`] with a `next_token`, so that own posts page on.
fn own_page_with_next() -> String {
    let mut page: serde_json::Value = serde_json::from_str(OWN_PAGE).unwrap_or_default();
    page["meta"]["next_token"] = json!("own-2");
    page.to_string()
}

#[tokio::test]
async fn x_passes_the_conformance_suite() {
    let report = conformance::run(&signed_in(), &X).await;
    assert!(report.passed(), "{report}");
}

#[tokio::test]
async fn a_402_for_an_unpaid_tier_is_denied_and_names_the_tier() {
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect(Exchange::post(format!("{API}/2/tweets")).respond(402, ERROR_402));
    let err = harness.execute("p1", &conformance::sample_action(ActionKind::Publish)).await;
    match err {
        Err(HarnessError::Plugin(PluginError::Denied(why))) => {
            assert!(why.contains("402") && why.contains("credits"), "{why}")
        }
        other => panic!("expected denied, got {other:?}"),
    }
    harness.assert_done();
    assert_eq!(harness.kv_get("sent:p1"), None, "a refused post is not remembered as sent");
}

#[tokio::test]
async fn a_429_waits_for_the_x_rate_limit_reset_and_the_host_records_the_window() {
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    let reset = (DEFAULT_NOW + 600).to_string();
    harness.expect(mentions("since_id=1").respond_with_headers(
        429,
        &[
            ("x-rate-limit-limit", "300"),
            ("x-rate-limit-remaining", "0"),
            ("x-rate-limit-reset", reset.as_str()),
        ],
        ERROR_429,
    ));
    let err = harness.fetch_notifications(Some("1")).await.err();
    assert_eq!(err.as_ref().and_then(HarnessError::plugin_error), Some(&PluginError::RateLimited(600)));
    let window = harness.rate_limit().unwrap_or_else(|| panic!("no window recorded"));
    assert_eq!(
        (window.limit, window.remaining, window.reset_at),
        (Some(300), Some(0), Some(DEFAULT_NOW + 600))
    );
}

#[tokio::test]
async fn a_401_mid_run_refreshes_persists_the_rotated_token_and_retries() {
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    let new_access = "VGhpc0lzQU5ld0FjY2Vzc1Rva2VuOjE3MTQ1Njc3MjU6MToxOmF0OjE";
    harness.expect_all([
        mentions("since_id=1")
            .with_header("authorization", "Bearer at-1")
            .respond(401, r#"{"title":"Unauthorized"}"#),
        Exchange::post(format!("{API}/2/oauth2/token"))
            .with_body_contains("refresh_token=rt-1")
            .respond(200, TOKEN_REFRESH),
        mentions("since_id=1")
            .with_header("authorization", format!("Bearer {new_access}"))
            .respond(200, MENTIONS_EMPTY),
        followers("")
            .with_header("authorization", format!("Bearer {new_access}"))
            .respond(200, FOLLOWERS_PAGE),
    ]);
    let page = harness.fetch_notifications(Some("1")).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(page.items.is_empty());
    harness.assert_done();
    let session: serde_json::Value = harness.kv_get_json("oauth2-session").unwrap_or_default();
    assert_eq!(session["access_token"], new_access);
    assert!(session["refresh_token"].as_str().is_some_and(|t| t.starts_with("bWRWa3gz")), "{session}");
    assert_eq!(session["expires_at"], DEFAULT_NOW + 7200);
}

#[tokio::test]
async fn the_first_refresh_uses_the_configured_secret_substituted_by_the_host() {
    let harness = new_account().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect_all([
        Exchange::post(format!("{API}/2/oauth2/token"))
            .with_body_contains("refresh_token=rt-from-config")
            .respond(200, TOKEN_REFRESH),
        Exchange::get(format!("{API}/2/users/me")).respond(
            200,
            r#"{"data":{"id":"1458284524761075714","name":"Rapport Demo","username":"rapportdemo"}}"#,
        ),
        mentions("max_results=100").without_query("since_id").respond(200, MENTIONS_PAGE),
        followers("").respond(200, FOLLOWERS_PAGE),
    ]);
    let page = harness.fetch_notifications(None).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.items.len(), 2);
    harness.assert_done();
    // The plugin wrote a placeholder; the server got the secret, which the plugin never saw.
    assert!(harness.requests()[0].body_text().contains("refresh_token=rt-from-config"));
    assert!(harness.kv().snapshot().values().all(|v| !String::from_utf8_lossy(v).contains("rt-from-config")));
}

/// A post of `text` attaching the image files `media`.
fn post_with(text: &str, media: Vec<MediaFile>) -> Action {
    Action::Publish { text: text.into(), post_kind: PostKind::Value, media_alt: String::new(), media }
}

#[tokio::test]
async fn a_post_with_an_image_uploads_it_sets_its_alt_text_then_attaches_it_by_media_id() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("mug.png");
    std::fs::write(&path, b"PNG-BYTES-OF-A-MUG").unwrap_or_else(|e| panic!("{e}"));
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect_all([
        Exchange::post(format!("{API}/2/media/upload"))
            .with_header("authorization", "Bearer at-1")
            .with_body_contains("name=\"media_category\"\r\n\r\ntweet_image\r\n")
            .with_body_contains(
                "name=\"media\"; filename=\"image.png\"\r\nContent-Type: image/png\r\n\r\nPNG-BYTES-OF-A-MUG\r\n",
            )
            .respond(
                200,
                r#"{"data":{"id":"1880000000000000001","media_key":"3_1880000000000000001","size":18,"expires_after_secs":86400}}"#,
            ),
        Exchange::post(format!("{API}/2/media/metadata"))
            .with_body_contains(r#""id":"1880000000000000001""#)
            .with_body_contains(r#""alt_text":{"text":"A blue mug on a shelf"}"#)
            .respond(200, r#"{"data":{"id":"1880000000000000001","associated_metadata":{}}}"#),
        Exchange::post(format!("{API}/2/tweets"))
            .with_body_contains(r#""media":{"media_ids":["1880000000000000001"]}"#)
            .with_body_contains(r#""text":"New mugs are in.""#)
            .respond(201, CREATE_TWEET),
    ]);
    let image = MediaFile { path, mime_type: "image/png".into(), alt: "A blue mug on a shelf".into() };
    let outcome = harness
        .execute("mug-1", &post_with("New mugs are in.", vec![image]))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    harness.assert_done();
    assert_eq!(outcome.url.as_deref(), Some("https://x.com/rapportdemo/status/1782500000000000000"));
    let sent = harness.requests();
    let content_type = sent[0].header("content-type").unwrap_or_default();
    assert!(content_type.starts_with("multipart/form-data; boundary="), "{content_type}");
}

#[tokio::test]
async fn an_image_over_xs_limit_is_refused_before_any_request() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("poster.jpg");
    // X takes images of at most 5 MB (5,242,880 bytes) through the one-shot upload.
    std::fs::write(&path, vec![0u8; 5 * 1024 * 1024 + 1]).unwrap_or_else(|e| panic!("{e}"));
    let harness = signed_in().build().await.unwrap_or_else(|e| panic!("{e}"));
    let image = MediaFile { path, mime_type: "image/jpeg".into(), alt: "Our opening poster".into() };
    match harness.execute("poster-1", &post_with("Opening soon", vec![image])).await {
        Err(HarnessError::Plugin(PluginError::Permanent(why))) => {
            assert!(why.contains("image 1 is 5242881 bytes, over X's limit of 5242880 bytes (5 MB)"), "{why}")
        }
        other => panic!("expected a permanent refusal, got {other:?}"),
    }
    assert!(harness.requests().is_empty(), "nothing was sent to X");
    assert_eq!(harness.kv_get("sent:poster-1"), None, "a refused post is not remembered as sent");
}
