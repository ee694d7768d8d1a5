//! The Facebook Pages plugin's real component against the contract conformance suite, with
//! exchanges in the shapes of the Graph API reference, plus Meta's throttling (error code 17) and
//! expired-token (code 190) answers.

use rapport_core::platform::PluginError;
use rapport_core::task::{Action, ActionKind};
use rapport_harness::conformance::{self, ErrorProbe, PlatformScript, Step, Walk};
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
/// Ann's comment on the Page's post: the one notification of the feed fixture.
const ANN_COMMENT: &str = "122100000000000101_987650000000002";

fn builder() -> HarnessBuilder {
    let wasm = locate::platform_plugin("facebook").unwrap_or_else(|e| panic!("{e}"));
    Harness::builder(wasm).account("shop").user(PAGE).secret("page_token", "EAAG-page")
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
            _ => None,
        }
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
