//! The SDK's example plugin (`sdk/examples/hello-plugin`), built as `sdk/README.md` teaches, run
//! through the harness: the host accepts its declared hosts, a notification page is normalized, a
//! like carries its idempotency key, and it passes the contract conformance suite.
//!
//! Keeping the walkthrough's plugin under test is what makes the README's promises checked ones.

use std::path::PathBuf;

use rapport_core::notification::NotificationKind;
use rapport_core::platform::{ActionOutcome, PluginError};
use rapport_core::task::{Action, ActionKind};
use rapport_harness::conformance::{self, ErrorProbe, PlatformScript, Step, Walk};
use rapport_harness::{DEFAULT_NOW, Exchange, Harness, HarnessBuilder, HarnessError, locate};

const BASE: &str = "https://h.example";

/// The example's component, as `cargo xtask plugins` builds it into the shared target directory.
fn example_wasm() -> PathBuf {
    let build = "cargo xtask plugins   (or: cargo build --release --target wasm32-wasip2 --manifest-path sdk/examples/hello-plugin/Cargo.toml --target-dir target)";
    let target =
        locate::target_dir().unwrap_or_else(|| panic!("no target directory found; build with: {build}"));
    let wasm = target.join(locate::WASM_TARGET).join("release").join("hello_plugin.wasm");
    assert!(wasm.is_file(), "the example plugin {} is not built; build it with: {build}", wasm.display());
    wasm
}

fn builder() -> HarnessBuilder {
    Harness::builder(example_wasm()).api_base(BASE).secret("token", "t0k")
}

fn notification(id: &str, kind: &str, minute: u32) -> String {
    format!(
        r#"{{"id":"{id}","type":"{kind}","created_at":"2024-05-01T11:{minute:02}:00.000Z","account":{{"id":"a{id}","acct":"user{id}@other.example","display_name":"User {id}","url":"https://other.example/@user{id}"}}}}"#
    )
}

fn page(items: &[(&str, &str, u32)]) -> String {
    let items: Vec<String> = items.iter().map(|(id, kind, minute)| notification(id, kind, *minute)).collect();
    format!("[{}]", items.join(","))
}

fn notifications() -> String {
    format!("{BASE}/api/v1/notifications")
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// The example's platform as the conformance suite sees it: Mastodon's notifications and
/// favourites, nothing else.
struct HelloPlatform;

impl PlatformScript for HelloPlatform {
    fn notification_walk(&self) -> Walk {
        Walk {
            start: None,
            steps: vec![
                Step {
                    exchanges: vec![
                        Exchange::get(notifications())
                            .without_query("min_id")
                            .respond(200, page(&[("12", "mention", 2), ("11", "follow", 1)])),
                    ],
                    ids: ids(&["12", "11"]),
                },
                Step {
                    exchanges: vec![
                        Exchange::get(format!("{}?min_id=12", notifications()))
                            .respond(200, page(&[("14", "favourite", 4), ("13", "reblog", 3)])),
                    ],
                    ids: ids(&["14", "13"]),
                },
                // Caught up: the example hands back the cursor it was given.
                Step {
                    exchanges: vec![
                        Exchange::get(format!("{}?min_id=14", notifications())).respond(200, "[]"),
                    ],
                    ids: Vec::new(),
                },
            ],
        }
    }

    fn follower_walk(&self) -> Option<Walk> {
        None
    }

    fn error_probe(&self) -> ErrorProbe {
        ErrorProbe { cursor: None, before: Vec::new(), request: Exchange::get(notifications()) }
    }

    fn action(&self, kind: ActionKind) -> Option<(Action, Vec<Exchange>)> {
        (kind == ActionKind::Like).then(|| {
            (
                Action::Like { post_id: "9120".into() },
                vec![
                    Exchange::post(format!("{BASE}/api/v1/statuses/9120/favourite"))
                        .with_header("authorization", "Bearer t0k")
                        .respond(200, r#"{"id":"9120","favourited":true}"#),
                ],
            )
        })
    }
}

#[tokio::test]
async fn the_example_passes_the_conformance_suite() {
    let report = conformance::run(&builder(), &HelloPlatform).await;
    assert!(report.passed(), "{report}");
}

#[tokio::test]
async fn the_host_accepts_the_declared_hosts_and_the_account_origin_is_granted() {
    let harness = builder().build().await.unwrap_or_else(|e| panic!("{e}"));
    let d = harness.describe();
    assert_eq!(d.hosts, vec!["https://*:*".to_owned()]);
    assert_eq!((d.name.as_str(), d.platform.as_str()), ("hello", "mastodon"));
    assert_eq!(d.capabilities, vec![ActionKind::Like]);
}

/// The test `sdk/README.md` shows, as written there (but for where the component is found).
#[tokio::test]
async fn reads_a_mention() {
    let harness = Harness::builder(example_wasm())
        .api_base("https://h.example")
        .secret("token", "t0k")
        .build()
        .await
        .unwrap();
    harness.expect(
        Exchange::get("https://h.example/api/v1/notifications")
            .with_header("authorization", "Bearer t0k")
            .respond(
                200,
                r#"[{"id":"7","type":"mention","created_at":"2024-05-01T12:00:00Z",
                "account":{"id":"1","acct":"ann","display_name":"Ann","url":"https://h.example/@ann"}}]"#,
            ),
    );
    let page = harness.fetch_notifications(None).await.unwrap();
    assert_eq!(page.items[0].account.handle, "ann");
    assert_eq!(page.next_cursor.as_deref(), Some("7"));
    harness.assert_done();
}

#[tokio::test]
async fn a_notification_page_is_normalized_and_the_cursor_moves_on() {
    let harness = builder().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect(
        Exchange::get(notifications())
            .with_header("authorization", "Bearer t0k")
            .without_query("min_id")
            .respond(
                200,
                format!(
                    "[{},{},{}]",
                    notification("31", "favourite", 30),
                    notification("30", "mention", 20),
                    notification("29", "poll", 10)
                ),
            ),
    );
    let page = harness.fetch_notifications(None).await.unwrap_or_else(|e| panic!("{e}"));
    harness.assert_done();
    let kinds: Vec<(&str, NotificationKind)> = page.items.iter().map(|n| (n.id.as_str(), n.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            ("31", NotificationKind::Like),
            ("30", NotificationKind::Mention),
            ("29", NotificationKind::Other)
        ]
    );
    let first = &page.items[0];
    assert_eq!(first.at, DEFAULT_NOW - 30 * 60, "11:30Z on the harness's day");
    assert_eq!(first.account.id, "a31");
    assert_eq!(first.account.handle, "user31@other.example");
    assert_eq!(first.account.display_name, "User 31");
    assert_eq!(first.account.url, "https://other.example/@user31");
    assert!(first.post.is_none());
    assert_eq!(page.next_cursor.as_deref(), Some("31"), "the newest id is where the next call starts");

    // The next call asks only for what is newer; nothing is, and the cursor stays put.
    harness.expect(Exchange::get(format!("{}?min_id=31", notifications())).respond(200, "[]"));
    let next = harness.fetch_notifications(Some("31")).await.unwrap_or_else(|e| panic!("{e}"));
    harness.assert_done();
    assert!(next.items.is_empty());
    assert_eq!(next.next_cursor.as_deref(), Some("31"));
}

#[tokio::test]
async fn a_like_is_sent_with_its_idempotency_key() {
    let harness = builder().build().await.unwrap_or_else(|e| panic!("{e}"));
    harness.expect(
        Exchange::post(format!("{BASE}/api/v1/statuses/9120/favourite"))
            .with_header("authorization", "Bearer t0k")
            .with_header("idempotency-key", "task-41")
            .respond(200, r#"{"id":"9120","favourited":true}"#),
    );
    let outcome = harness
        .execute("task-41", &Action::Like { post_id: "9120".into() })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    harness.assert_done();
    assert_eq!(outcome, ActionOutcome { id: Some("9120".into()), url: None });
    let sent = harness.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].header("idempotency-key"), Some("task-41"));
}

#[tokio::test]
async fn anything_but_a_like_is_denied_without_a_request() {
    let harness = builder().build().await.unwrap_or_else(|e| panic!("{e}"));
    let refused = harness.execute("task-42", &Action::Follow { account_id: "7".into() }).await;
    assert!(matches!(refused, Err(HarnessError::Plugin(PluginError::Denied(_)))), "{refused:?}");
    let lookup = harness.lookup_account("7").await;
    assert!(matches!(lookup, Err(HarnessError::Plugin(PluginError::Denied(_)))), "{lookup:?}");
    assert!(harness.requests().is_empty());
}
