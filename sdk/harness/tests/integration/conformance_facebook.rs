//! The Facebook Pages plugin's real component against the contract conformance suite, with
//! exchanges in the shapes of the Graph API reference, plus Meta's throttling (error code 17) and
//! expired-token (code 190) answers, and photos on a post (uploaded, or refused unsent).

use rapport_core::platform::PluginError;
use rapport_core::task::{Action, ActionKind, MediaFile, PostKind};
use rapport_harness::conformance::{self, ErrorProbe, PlatformScript, ReadCall, ReadScript, Step, Walk};
use rapport_harness::{Exchange, Harness, HarnessBuilder, HarnessError, locate};

const API: &str = "https://graph.facebook.com/v21.0";
const PAGE: &str = "104857600000001";
const FEED_PAGE: &str = include_str!("../../../../plugins/facebook/tests/fixtures/feed_page.json");
const COMMENT_CREATED: &str =
    include_str!("../../../../plugins/facebook/tests/fixtures/comment_created.json");
const POST_CREATED: &str = include_str!("../../../../plugins/facebook/tests/fixtures/post_created.json");
const LIKE_SUCCESS: &str = include_str!("../../../../plugins/facebook/tests/fixtures/like_success.json");
const ERROR_17: &str = include_str!("../../../../plugins/facebook/tests/fixtures/error_17_user_limit.json");
const ERROR_190: &str = include_str!("../../../../plugins/facebook/tests/fixtures/error_190_expired.json");
const OWN_POSTS: &str = include_str!("../../../../plugins/facebook/tests/fixtures/own_posts.json");
const OWN_POSTS_LAST: &str = include_str!("../../../../plugins/facebook/tests/fixtures/own_posts_last.json");
const PAGE_PROFILE: &str = include_str!("../../../../plugins/facebook/tests/fixtures/page_profile.json");
/// Ann's comment on the Page's post: the one notification of the feed fixture.
const ANN_COMMENT: &str = "122100000000000101_987650000000002";
/// Ann's (Page-scoped) id, the commenter.
const ANN: &str = "7012345678901234";
/// When Ann commented: 2024-05-01T12:31:07Z.
const ANN_AT: i64 = 1_714_566_667;
/// The cursor after the first page of the Page's own posts.
const OWN_POSTS_AFTER: &str = "QVFIUl9hZnRlcg";

/// The Page's account, an hour after Ann's comment, with the plugin remembering that comment as
/// a feed read would have (so a private reply to her can be sent).
fn builder() -> HarnessBuilder {
    let wasm = locate::platform_plugin("facebook").unwrap_or_else(|e| panic!("{e}"));
    Harness::builder(wasm)
        .account("shop")
        .user(PAGE)
        .secret("page_token", "EAAG-page")
        .clock_at(ANN_AT + 3_600)
        .kv_json(
            "private-replies",
            &serde_json::json!({ ANN: { "comment": ANN_COMMENT, "at": ANN_AT, "answered": false } }),
        )
}

fn published_posts() -> String {
    format!("{API}/{PAGE}/published_posts")
}

fn feed() -> Exchange {
    Exchange::get(format!("{API}/{PAGE}/feed?limit=25"))
        .with_header("authorization", "Bearer EAAG-page")
        .respond(200, FEED_PAGE)
}

struct Facebook;

impl PlatformScript for Facebook {
    fn notification_walk(&self) -> Walk {
        // The feed is re-read each time; the cursor (time and ids seen) keeps what was reported.
        Walk {
            start: None,
            steps: vec![
                Step { exchanges: vec![feed()], ids: vec![ANN_COMMENT.into()] },
                Step { exchanges: vec![feed()], ids: Vec::new() },
            ],
        }
    }

    fn follower_walk(&self) -> Option<Walk> {
        None
    }

    fn error_probe(&self) -> ErrorProbe {
        ErrorProbe { cursor: None, before: Vec::new(), request: Exchange::get(format!("{API}/{PAGE}/feed")) }
    }

    fn action(&self, kind: ActionKind) -> Option<(Action, Vec<Exchange>)> {
        match kind {
            ActionKind::Reply => Some((
                Action::Reply {
                    to_post_id: ANN_COMMENT.into(),
                    text: "Thank you, Ann!".into(),
                    visibility: String::new(),
                },
                vec![
                    Exchange::post(format!("{API}/{ANN_COMMENT}/comments"))
                        .with_body_contains("message=Thank")
                        .respond(200, COMMENT_CREATED),
                ],
            )),
            ActionKind::Publish => Some((
                conformance::sample_action(ActionKind::Publish),
                vec![
                    Exchange::post(format!("{API}/{PAGE}/feed"))
                        .with_body_contains("message=Hello")
                        .respond(200, POST_CREATED),
                ],
            )),
            ActionKind::Like => Some((
                Action::Like { post_id: ANN_COMMENT.into() },
                vec![Exchange::post(format!("{API}/{ANN_COMMENT}/likes")).respond(200, LIKE_SUCCESS)],
            )),
            // A private reply to Ann's comment, the one the plugin remembers (see `builder`).
            ActionKind::Message => Some((
                Action::Message { account_id: ANN.into(), text: "Here is our price list.".into() },
                vec![
                    Exchange::post(format!("{API}/{PAGE}/messages"))
                        .with_header("authorization", "Bearer EAAG-page")
                        .with_body_contains(format!(r#""recipient":{{"comment_id":"{ANN_COMMENT}"}}"#))
                        .with_body_contains(r#""message":{"text":"Here is our price list."}"#)
                        .respond(200, r#"{"recipient_id":"7012345678901234","message_id":"m_AbCdEf"}"#),
                ],
            )),
            _ => None,
        }
    }

    fn reads(&self) -> Vec<ReadScript> {
        vec![
            ReadScript {
                call: ReadCall::OwnPosts,
                pages: vec![
                    Step {
                        exchanges: vec![
                            Exchange::get(format!("{}?limit=25", published_posts()))
                                .with_header("authorization", "Bearer EAAG-page")
                                .without_query("after")
                                .respond(200, OWN_POSTS),
                        ],
                        ids: vec![
                            "104857600000001_122100000000000101".into(),
                            "104857600000001_122100000000000100".into(),
                        ],
                    },
                    Step {
                        exchanges: vec![
                            Exchange::get(format!("{}?after={OWN_POSTS_AFTER}", published_posts()))
                                .respond(200, OWN_POSTS_LAST),
                        ],
                        ids: vec!["104857600000001_122100000000000099".into()],
                    },
                ],
                empty: Some(vec![Exchange::get(published_posts()).respond(200, r#"{"data":[]}"#)]),
                probe: ErrorProbe { cursor: None, before: Vec::new(), request: Exchange::get(published_posts()) },
            },
            ReadScript {
                call: ReadCall::LookupSelf,
                pages: vec![Step {
                    exchanges: vec![
                        Exchange::get(format!("{API}/{PAGE}?fields=id,name,username,link,about,followers_count,fan_count,picture"))
                            .with_header("authorization", "Bearer EAAG-page")
                            .respond(200, PAGE_PROFILE),
                    ],
                    ids: vec![PAGE.into()],
                }],
                empty: None,
                probe: ErrorProbe { cursor: None, before: Vec::new(), request: Exchange::get(format!("{API}/{PAGE}")) },
            },
        ]
    }
}

#[tokio::test]
async fn facebook_passes_the_conformance_suite() {
    let report = conformance::run(&builder(), &Facebook).await;
    assert!(report.passed(), "{report}");
}

#[tokio::test]
async fn code_17_throttles_and_later_calls_wait_without_asking_meta() {
    let harness = builder().build().await.unwrap_or_else(|e| panic!("{e}"));
    let usage = r#"{"104857600000001":[{"type":"pages","call_count":100,"total_cputime":20,"total_time":30,"estimated_time_to_regain_access":7}]}"#;
    harness.expect(Exchange::get(format!("{API}/{PAGE}/feed")).respond_with_headers(
        400,
        &[("x-business-use-case-usage", usage)],
        ERROR_17,
    ));
    let first = harness.fetch_notifications(None).await.err();
    assert_eq!(first.as_ref().and_then(HarnessError::plugin_error), Some(&PluginError::RateLimited(7 * 60)));
    harness.assert_done();
    harness.clock().advance(std::time::Duration::from_secs(60));
    let second = harness.fetch_notifications(None).await.err();
    assert_eq!(second.as_ref().and_then(HarnessError::plugin_error), Some(&PluginError::RateLimited(6 * 60)));
    assert_eq!(harness.requests().len(), 1, "the throttled plugin did not call Meta again");
}

#[tokio::test]
async fn code_190_is_an_auth_error_telling_how_to_make_a_new_page_token() {
    let harness = builder().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect(Exchange::get(format!("{API}/{PAGE}/feed")).respond(400, ERROR_190));
    match harness.fetch_notifications(None).await {
        Err(HarnessError::Plugin(PluginError::Auth(why))) => {
            assert!(why.contains("190") && why.contains("page_token"), "{why}")
        }
        other => panic!("expected auth, got {other:?}"),
    }
}

/// A post of `text` attaching the image files `media`.
fn post_with(text: &str, media: Vec<MediaFile>) -> Action {
    Action::Publish { text: text.into(), post_kind: PostKind::Value, media_alt: String::new(), media }
}

#[tokio::test]
async fn a_post_with_an_image_is_published_as_one_photo_with_its_caption_and_alt_text() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("loaf.png");
    std::fs::write(&path, b"PNG-BYTES-OF-A-LOAF").unwrap_or_else(|e| panic!("{e}"));
    let harness = builder().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect(
        Exchange::post(format!("{API}/{PAGE}/photos"))
            .with_header("authorization", "Bearer EAAG-page")
            .with_body_contains("name=\"caption\"\r\n\r\nFresh bread at 8.\r\n")
            .with_body_contains("name=\"alt_text_custom\"\r\n\r\nA loaf on the counter\r\n")
            .with_body_contains(
                "name=\"source\"; filename=\"image.png\"\r\nContent-Type: image/png\r\n\r\nPNG-BYTES-OF-A-LOAF\r\n",
            )
            .respond(200, r#"{"id":"122100000000000300","post_id":"104857600000001_122100000000000301"}"#),
    );
    let image = MediaFile { path, mime_type: "image/png".into(), alt: "A loaf on the counter".into() };
    let outcome = harness
        .execute("photo-1", &post_with("Fresh bread at 8.", vec![image]))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    harness.assert_done();
    assert_eq!(outcome.id.as_deref(), Some("104857600000001_122100000000000301"));
    assert_eq!(outcome.url.as_deref(), Some("https://www.facebook.com/104857600000001_122100000000000301"));
    let sent = harness.requests();
    let content_type =
        sent[0].headers.iter().find(|(name, _)| name == "content-type").map(|(_, v)| v.as_str());
    assert!(
        content_type.is_some_and(|v| v.starts_with("multipart/form-data; boundary=")),
        "{content_type:?}"
    );
}

#[tokio::test]
async fn an_image_over_facebooks_limit_is_refused_before_any_request() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("poster.jpg");
    // Meta takes photos under 10 MB; this one is exactly 10,000,000 bytes.
    std::fs::write(&path, vec![0u8; 10_000_000]).unwrap_or_else(|e| panic!("{e}"));
    let harness = builder().build().await.unwrap_or_else(|e| panic!("{e}"));
    let image = MediaFile { path, mime_type: "image/jpeg".into(), alt: "Our opening poster".into() };
    match harness.execute("photo-2", &post_with("Opening soon", vec![image])).await {
        Err(HarnessError::Plugin(PluginError::Permanent(why))) => {
            assert!(why.contains("image 1 is 10000000 bytes, over Facebook's limit"), "{why}")
        }
        other => panic!("expected a permanent refusal, got {other:?}"),
    }
    assert!(harness.requests().is_empty(), "nothing was sent to Meta");
}
