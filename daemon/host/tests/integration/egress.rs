//! Egress policy, driven through a real plugin (`echo`) against a local HTTP server: grants,
//! private addresses, redirect hops, secrets, caps and rate-limit headers.

use std::sync::{Arc, Mutex};

use crate::common::{Server, binding, fixture, host};
use rapport_core::platform::{NotificationPage, PluginError};
use rapport_host::{AccountBinding, CallError, Plugin};

fn ok(head: &str, body: &str) -> (String, Vec<u8>) {
    (head.to_owned(), body.as_bytes().to_vec())
}

async fn echo(plugin: &Plugin, account: &AccountBinding) -> Result<NotificationPage, CallError> {
    plugin.fetch_notifications(account, None).await
}

fn denied(result: Result<NotificationPage, CallError>) -> String {
    match result {
        Err(err) => match err.plugin_error() {
            Some(PluginError::Denied(why)) => why.clone(),
            _ => panic!("expected a denied egress error, got {err}"),
        },
        Ok(page) => panic!("expected a denied egress error, got {page:?}"),
    }
}

fn body_of(page: &NotificationPage) -> &str {
    &page.items[0].post.as_ref().expect("echo returns a post").text
}

#[tokio::test]
async fn granted_request_goes_through_and_ungranted_never_leaves() {
    let server = Server::start(|_, _| ok("HTTP/1.1 200 OK", "hello")).await;
    let cache = tempfile::tempdir().unwrap();
    let plugin = host(cache.path()).load(fixture("echo")).await.unwrap();
    let base = format!("http://localhost:{}", server.port);

    let granted = binding("shop", &base, &[&base], true, &[("path", "/hi")], &[]);
    let page = echo(&plugin, &granted).await.unwrap();
    assert_eq!((page.items[0].id.as_str(), body_of(&page)), ("200", "hello"));

    // Another port on the same host is another grant.
    let other_port = binding("shop", &base, &["http://localhost:1"], true, &[("path", "/hi")], &[]);
    let why = denied(echo(&plugin, &other_port).await);
    assert!(why.contains("not granted") && why.contains(&base), "{why}");

    // An empty account grant denies everything, even what the plugin declares.
    let nothing = binding("shop", &base, &[], true, &[("path", "/hi")], &[]);
    assert!(denied(echo(&plugin, &nothing).await).contains("not granted"));
    assert_eq!(server.seen().len(), 1, "refused requests must never reach the server");
}

#[tokio::test]
async fn private_addresses_need_the_account_flag() {
    let server = Server::start(|_, _| ok("HTTP/1.1 200 OK", "inside")).await;
    let cache = tempfile::tempdir().unwrap();
    let plugin = host(cache.path()).load(fixture("echo")).await.unwrap();

    // An IP literal is refused before any connection.
    let literal = format!("http://127.0.0.1:{}", server.port);
    let why = denied(echo(&plugin, &binding("shop", &literal, &[&literal], false, &[], &[])).await);
    assert!(why.contains("allow_private_addresses"), "{why}");

    // A name resolving to loopback is refused by the resolver.
    let name = format!("http://localhost:{}", server.port);
    let why = denied(echo(&plugin, &binding("shop", &name, &[&name], false, &[], &[])).await);
    assert!(why.contains("localhost") && why.contains("private"), "{why}");
    assert!(server.seen().is_empty());

    // With the flag, both go through.
    echo(&plugin, &binding("shop", &literal, &[&literal], true, &[], &[])).await.unwrap();
    echo(&plugin, &binding("shop", &name, &[&name], true, &[], &[])).await.unwrap();
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn redirect_to_ungranted_loopback_is_refused_at_the_hop() {
    let server = Server::start(|req, port| match req.path.as_str() {
        "/start" => (format!("HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:{port}/landing"), Vec::new()),
        _ => ok("HTTP/1.1 200 OK", "you should not be here"),
    })
    .await;
    let cache = tempfile::tempdir().unwrap();
    let plugin = host(cache.path()).load(fixture("redirect-loopback")).await.unwrap();
    let base = format!("http://localhost:{}", server.port);
    let account = binding("shop", &base, &[&base], true, &[], &[]);

    let err = plugin.fetch_notifications(&account, None).await.unwrap_err();
    assert_eq!((err.plugin.as_str(), err.account.as_str()), ("redirect-loopback", "shop"));
    let why = denied(Err(err));
    assert!(
        why.contains(&format!("http://127.0.0.1:{}", server.port)) && why.contains("not granted"),
        "{why}"
    );
    let paths: Vec<String> = server.seen().into_iter().map(|s| s.path).collect();
    assert_eq!(paths, ["/start"], "the redirect target must never be requested");
}

#[tokio::test]
async fn granted_redirect_is_followed_and_credentials_stay_on_origin() {
    let other = Server::start(|_, _| ok("HTTP/1.1 200 OK", "landed")).await;
    let other_port = other.port;
    let server = Server::start(move |_, _| {
        (
            format!("HTTP/1.1 307 Temporary Redirect\r\nlocation: http://localhost:{other_port}/there"),
            Vec::new(),
        )
    })
    .await;
    let cache = tempfile::tempdir().unwrap();
    let plugin = host(cache.path()).load(fixture("echo")).await.unwrap();
    let base = format!("http://localhost:{}", server.port);
    let settings = [("path", "/here"), ("header:Authorization", "Bearer {{secret:token}}")];
    let account = binding("shop", &base, &["http://localhost:*"], true, &settings, &[("token", "s3cr3t")]);

    let page = echo(&plugin, &account).await.unwrap();
    assert_eq!(body_of(&page), "landed");
    assert_eq!(server.seen()[0].header("authorization"), Some("Bearer s3cr3t"));
    assert_eq!(
        other.seen()[0].header("authorization"),
        None,
        "a secret-bearing header must not follow a cross-origin redirect"
    );
}

/// Captures everything logged while the test runs, to prove a secret never reaches a log line.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn secrets_are_substituted_and_never_logged() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // The server reflects the Authorization header in its body, so the plugin ends up holding the
    // secret and logs it; the host must mask it.
    let server =
        Server::start(|req, _| ok("HTTP/1.1 200 OK", req.header("authorization").unwrap_or_default())).await;
    let cache = tempfile::tempdir().unwrap();
    let plugin = host(cache.path()).load(fixture("echo")).await.unwrap();
    let base = format!("http://localhost:{}", server.port);
    let settings = [
        ("method", "post"),
        ("header:Authorization", "Bearer {{secret:token}}"),
        ("body", "token={{secret:token}}"),
    ];
    let account = binding("shop", &base, &[&base], true, &settings, &[("token", "s3cr3t-value")]);

    let page = echo(&plugin, &account).await.unwrap();
    let request = &server.seen()[0];
    assert_eq!(request.header("authorization"), Some("Bearer s3cr3t-value"));
    assert_eq!(request.body, b"token=s3cr3t-value");
    assert_eq!(body_of(&page), "Bearer s3cr3t-value");

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("echo got 200"), "the plugin's log line is emitted: {log}");
    assert!(log.contains("[secret:token]"), "the secret is masked in the plugin's log line: {log}");
    assert!(!log.contains("s3cr3t-value"), "a secret reached the log: {log}");

    // An unknown secret name is refused and named.
    let unknown = binding("shop", &base, &[&base], true, &[("header:Authorization", "{{secret:nope}}")], &[]);
    let why = denied(echo(&plugin, &unknown).await);
    assert!(why.contains("`nope`"), "{why}");
}

#[tokio::test]
async fn caps_are_enforced() {
    let big = "x".repeat(4096);
    let server = Server::start(move |req, port| match req.path.as_str() {
        "/big" => ok("HTTP/1.1 200 OK", &big),
        "/loop" => (format!("HTTP/1.1 302 Found\r\nlocation: http://localhost:{port}/loop"), Vec::new()),
        _ => ok("HTTP/1.1 200 OK", "small"),
    })
    .await;
    let cache = tempfile::tempdir().unwrap();
    let plugin = host(cache.path()).load(fixture("echo")).await.unwrap();
    let base = format!("http://localhost:{}", server.port);
    let call = |settings: &[(&str, &str)]| binding("shop", &base, &[&base], true, settings, &[]);

    let too_large = |r: Result<NotificationPage, CallError>| match r.unwrap_err().plugin_error() {
        // The echo fixture maps `too-large` to `permanent`, as a real plugin would.
        Some(PluginError::Permanent(why)) => why.clone(),
        other => panic!("expected too-large, got {other:?}"),
    };
    assert!(too_large(echo(&plugin, &call(&[("path", "/big")])).await).contains("1024 bytes"));
    let long_body = "y".repeat(2000);
    assert!(
        too_large(echo(&plugin, &call(&[("method", "post"), ("body", &long_body)])).await)
            .contains("request body")
    );
    // A redirect loop spends the per-call request budget (4 in the test limits).
    assert!(too_large(echo(&plugin, &call(&[("path", "/loop")])).await).contains("budget of 4 requests"));
    assert_eq!(body_of(&echo(&plugin, &call(&[("path", "/ok")])).await.unwrap()), "small");
}

#[tokio::test]
async fn rate_limit_headers_are_recorded_per_account() {
    let server = Server::start(|_, _| {
        ok("HTTP/1.1 200 OK\r\nx-ratelimit-limit: 300\r\nx-ratelimit-remaining: 299\r\nx-ratelimit-reset: 2030-01-01T00:00:00.000Z", "{}")
    })
    .await;
    let cache = tempfile::tempdir().unwrap();
    let host = host(cache.path());
    let plugin = host.load(fixture("echo")).await.unwrap();
    let base = format!("http://localhost:{}", server.port);
    assert_eq!(host.rate_limit("shop"), None);
    echo(&plugin, &binding("shop", &base, &[&base], true, &[], &[])).await.unwrap();
    let snap = host.rate_limit("shop").expect("snapshot recorded");
    assert_eq!((snap.limit, snap.remaining, snap.reset_at), (Some(300), Some(299), Some(1_893_456_000)));
    assert_eq!(host.rate_limit("other"), None);
}
