//! A local Mastodon-API server for tests and the demo: seeded data, switchable faults, and a record
//! of every request so tests can assert exactly-once delivery.
//!
//! Start one with [`MastodonSandbox::start`]; it binds 127.0.0.1 on a random port and stops when
//! the handle is dropped. Faults and runtime events are set through the Rust API or, for a sandbox
//! in another process, through admin endpoints under `/_sandbox/` (which are neither
//! authenticated, faulted nor recorded):
//!
//! | endpoint | effect |
//! |---|---|
//! | `POST /_sandbox/faults` with a [`FaultRule`] as JSON | adds the rule |
//! | `DELETE /_sandbox/faults` | clears every rule |
//! | `POST /_sandbox/release` | lets held requests go on |
//! | `GET /_sandbox/requests` | the recorded requests, as JSON |
//! | `POST /_sandbox/mention` with `{"acct":…,"text":…}` | a new mention notification |
//! | `POST /_sandbox/follow` with `{"acct":…}` | a new follower and its notification |
//! | `POST /_sandbox/tokens` with `{"token":…,"scopes":"read write"}` | adds the token, or re-scopes it |
//! | `POST /_sandbox/post` with `{"acct":…,"text":…}` and optionally `"in_reply_to_id"` | a public status by `acct` (a reply counts in its parent's `replies_count`); answers `{"status_id":…}` |
//! | `GET /_sandbox/direct?acct=…` | the direct messages the own account sent to `acct`, as `[{"id","text"}]` |
//!
//! Bodies over 1 MiB (40 MiB for `POST /api/v2/media`) get 413, as Mastodon's nginx answers, and
//! are not recorded.
//!
//! ## The API
//!
//! Entities follow Mastodon 4.3. Lists of records page as Mastodon's do: newest first, `max_id`,
//! `since_id`, `min_id`, a `Link` header with `next` (when the page is full) and `prev`.
//!
//! | endpoint | answers |
//! |---|---|
//! | `GET /api/v1/notifications` | notifications; `types[]`, `exclude_types[]`; `limit` 40, at most 80 |
//! | `GET /api/v1/accounts/:id`, `…/verify_credentials` | an Account (404 for an unknown id) |
//! | `GET /api/v1/accounts/:id/followers`, `…/following` | any account's, from the seed's follow graph and the API's follows; `limit` 40, at most 80; 404 for an unknown account |
//! | `GET /api/v1/accounts/:id/statuses` | what the own account may see of them (its own: everything, direct too), newest first, counts included; `exclude_replies` (self-replies stay), `exclude_reblogs`, `only_media`, `tagged`, `pinned` (nothing is pinned); `limit` 20, at most 40 |
//! | `GET /api/v1/accounts/lookup?acct=…` | the account with that acct (local `name` or `name@domain`, a leading `@` ignored); 404 for none |
//! | `GET /api/v1/accounts/relationships?id[]=…` | one Relationship per known id, in order, as many as asked (4.3 sets no cap): `following`, `followed_by`, `requested`, `requested_by`, `blocking`, `muting` |
//! | `GET /api/v1/accounts/familiar_followers?id[]=…` | per known id, the accounts the own account follows that follow it |
//! | `GET /api/v1/statuses/:id` | a Status the own account may see, else 404 |
//! | `POST /api/v1/statuses` | a new status: `status`, `in_reply_to_id` (404 unknown), `visibility` (422 unknown; `direct` is a direct message to the mentioned), `media_ids[]` (422 over 4, or unknown or already attached); blank text without media is 422; `Idempotency-Key` honoured |
//! | `POST /api/v1/statuses/:id/favourite`, `…/reblog` | the status, counted in `favourites_count` / `reblogs_count` |
//! | `POST /api/v1/accounts/:id/follow`, `…/unfollow` | a Relationship; a locked account gets a pending request, a blocked one 403 |
//! | `POST /api/v1/follow_requests/:id/authorize` | a Relationship |
//! | `GET /api/v1/timelines/tag/:hashtag` | public original statuses with the tag (any case), newest first; never unlisted, private or direct ones, nor blocked or muted accounts'; `local`, `remote`, `only_media`; `limit` 20, at most 40 |
//! | `GET /api/v2/search?q=…` | `{accounts, statuses, hashtags}`: accounts by acct, display name or bio; statuses by every word of `q` when the seed's `full_text_search` is on (else only by URL); hashtags by prefix, with 7 days of history; `type`, `limit` (20, at most 40), `offset`, `following`, `account_id`, `resolve`; 400 without `q` |
//! | `GET /api/v2/suggestions` | `[{source, sources, account}]` from the seed, less accounts followed, requested, blocked or muted; `limit` 40, at most 80 |
//! | `GET /api/v1/lists`, `…/lists/:id`, `…/lists/:id/accounts` | the seed's lists and members (404 unknown) |
//! | `GET /api/v1/timelines/list/:id` | the members' statuses the own account may see, newest first; `limit` 20, at most 40; 404 unknown |
//! | `POST /api/v2/media` | multipart `file` and `description`: PNG, JPEG, GIF or WebP by their bytes, at most 16 MB, alt text at most 1,500 characters, else 422; answers a processed image MediaAttachment |
//!
//! ## Tokens and OAuth scopes
//!
//! Every API call must carry a bearer token the sandbox knows, else 401 `{"error":"The access
//! token is invalid"}`. Tokens carry OAuth scopes and each endpoint demands them as Mastodon's
//! controllers do: a valid token with none of the endpoint's scopes gets 403 `{"error":"This
//! action is outside the authorized scopes"}` (still recorded, like every API request). The seed's
//! [`Seed::token`] is granted [`DEFAULT_SCOPES`] (`read write follow push`, which passes
//! everything) unless [`Seed::scopes`] says otherwise; [`Seed::with_token`] adds further tokens
//! with their own scopes, and [`MastodonSandbox::grant`] (or `POST /_sandbox/tokens`) adds or
//! changes one at runtime. A scope Mastodon does not know ([`KNOWN_SCOPES`]) is refused up front.
//!
//! Any one of an endpoint's scopes lets a token in (`doorkeeper_authorize!` in Mastodon 4.3):
//!
//! | endpoint | scopes |
//! |---|---|
//! | `GET /api/v1/notifications` | `read`, `read:notifications` |
//! | `GET /api/v1/accounts/verify_credentials` | `profile`, `read`, `read:accounts` |
//! | `GET /api/v1/accounts/relationships`, `…/familiar_followers` | `read`, `read:follows` (not `follow`) |
//! | `GET /api/v1/accounts/:id`, `…/:id/followers`, `…/:id/following` | `read`, `read:accounts` |
//! | `GET /api/v1/statuses/:id`, `GET /api/v1/accounts/:id/statuses` | `read`, `read:statuses` |
//! | `GET /api/v1/timelines/tag/:hashtag` | `read`, `read:statuses` (as a server with timeline previews off) |
//! | `GET /api/v2/search` | `read`, `read:search` |
//! | `GET /api/v2/suggestions` | `read` only |
//! | `GET /api/v1/lists`, `…/lists/:id`, `…/lists/:id/accounts`, `GET /api/v1/timelines/list/:id` | `read`, `read:lists` |
//! | `POST /api/v2/media` | `write`, `write:media` |
//! | `POST /api/v1/statuses`, `POST /api/v1/statuses/:id/reblog` | `write`, `write:statuses` |
//! | `POST /api/v1/statuses/:id/favourite` | `write`, `write:favourites` |
//! | `POST /api/v1/accounts/:id/follow`, `…/unfollow` | `follow`, `write`, `write:follows` |
//! | `POST /api/v1/follow_requests/:id/authorize` | `follow`, `write`, `write:follows` |
//! | `GET /api/v1/apps/verify_credentials` | any valid token; answers the app with the token's `scopes` |

mod admin;
mod demo;
mod discovery;
mod graph;
mod media;
mod multipart;
mod page;
mod posts;
mod render;
mod scopes;
mod seed;
mod text;
mod world;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Request, Response, StatusCode};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use tokio::sync::watch;

pub use scopes::{DEFAULT_SCOPES, KNOWN_SCOPES, OUTSIDE_SCOPES};
pub use seed::{
    SEED_EPOCH, Seed, SeedAccount, SeedEvent, SeedList, SeedPost, SeedSuggestion, SeedToken, SuggestionSource,
};
use world::{Answer, Call, World};

/// The largest request body the sandbox reads; the plugin's bodies are a few hundred bytes.
const MAX_BODY: usize = 1 << 20;
/// The largest media upload body: room for an image over [`media::IMAGE_LIMIT`], so that the
/// limit is answered with Mastodon's 422 rather than cut off in transit.
const MAX_MEDIA_BODY: usize = 40 << 20;
/// The per-account API limit the sandbox reports, as Mastodon's default.
const RATE_LIMIT: u32 = 300;

/// Why the sandbox could not start.
#[derive(Debug, Error)]
pub enum SandboxError {
    /// The listening socket could not be bound.
    #[error("cannot bind the Mastodon sandbox to {addr}: {source}; pick another port or free this one")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// A seed or grant named a scope Mastodon does not have.
    #[error("`{scope}` is not a Mastodon OAuth scope; see rapport_tests::sandbox::KNOWN_SCOPES")]
    UnknownScope {
        /// The scope as written.
        scope: String,
    },
}

/// A fault the sandbox answers with instead of the real response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// 429 with `X-RateLimit-Limit`, `X-RateLimit-Remaining: 0` and `X-RateLimit-Reset` this many
    /// seconds ahead (an RFC 3339 time, as Mastodon sends).
    RateLimited {
        /// Seconds until the reset time.
        reset_in_secs: u32,
    },
    /// This 5xx (or any) status with Mastodon's error body.
    Status {
        /// The status code.
        code: u16,
    },
    /// Waits this long, then answers normally.
    Slow {
        /// The delay in milliseconds.
        millis: u64,
    },
    /// Holds the request open until [`MastodonSandbox::release`] (or `POST /_sandbox/release`),
    /// then answers normally. The request is recorded on arrival.
    Hold,
    /// 200 with a body that is cut off mid-JSON.
    MalformedJson,
    /// 302 to this URL.
    Redirect {
        /// The `Location`.
        location: String,
    },
}

/// A fault and which requests it hits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    /// What to answer.
    pub fault: Fault,
    /// How many matching requests it hits; `None` for all of them until cleared.
    #[serde(default)]
    pub times: Option<u32>,
    /// Only requests with this method (e.g. `POST`), if set.
    #[serde(default)]
    pub method: Option<String>,
    /// Only requests whose path starts with this, if set.
    #[serde(default)]
    pub path_prefix: Option<String>,
}

impl FaultRule {
    /// `fault` for every request until cleared.
    pub fn new(fault: Fault) -> Self {
        FaultRule { fault, times: None, method: None, path_prefix: None }
    }

    /// Only the next `n` matching requests.
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }

    /// Only requests with `method` whose path starts with `path_prefix`.
    pub fn on(mut self, method: &str, path_prefix: &str) -> Self {
        self.method = Some(method.to_owned());
        self.path_prefix = Some(path_prefix.to_owned());
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.times != Some(0)
            && self.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.path_prefix.as_deref().is_none_or(|p| path.starts_with(p))
    }
}

/// One request as the sandbox received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// The method, upper case.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The raw query string (empty for none).
    pub query: String,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// When it arrived, seconds since the Unix epoch (what the chaos checker holds budgets to).
    #[serde(default)]
    pub received_at: i64,
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Every decoded value of query parameter `name`, in order.
    pub fn query_values(&self, name: &str) -> Vec<String> {
        decode_pairs(self.query.as_bytes()).into_iter().filter(|(k, _)| k == name).map(|(_, v)| v).collect()
    }

    /// The decoded form (or JSON object, or multipart text) fields of the body.
    pub fn form(&self) -> Vec<(String, String)> {
        body_fields(self.header("content-type"), &self.body).map(|(fields, _)| fields).unwrap_or_default()
    }
}

/// A direct message the own account sent: a `direct` status mentioning the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectMessage {
    /// The status id.
    pub id: String,
    /// The plain text as posted, mentions included.
    pub text: String,
}

/// An image uploaded through `POST /api/v2/media`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedMedia {
    /// The media id.
    pub id: String,
    /// The MIME type sniffed from the bytes.
    pub mime: String,
    /// The bytes as uploaded.
    pub bytes: Vec<u8>,
    /// The alt text.
    pub description: Option<String>,
    /// The status it was attached to, once posted.
    pub status_id: Option<String>,
}

struct Shared {
    /// Every accepted token, the seed's own first; a token's index is its application's id - 1.
    tokens: Vec<SeedToken>,
    world: World,
    faults: Vec<FaultRule>,
    requests: Vec<RecordedRequest>,
    held: usize,
}

struct Inner {
    shared: Mutex<Shared>,
    /// Bumped by `release`; held requests wait for it to change.
    release: watch::Sender<u64>,
}

impl Inner {
    /// The state, even if a handler panicked while holding the lock: a test should see what was
    /// recorded rather than a poison error.
    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A running sandbox; the server stops when this is dropped.
pub struct MastodonSandbox {
    inner: Arc<Inner>,
    addr: SocketAddr,
    server: tokio::task::JoinHandle<()>,
}

impl MastodonSandbox {
    /// Starts a sandbox on 127.0.0.1 with a random port.
    pub async fn start(seed: Seed) -> Result<Self, SandboxError> {
        Self::start_on(seed, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a sandbox on `addr` (the binary's `--port`).
    pub async fn start_on(seed: Seed, addr: SocketAddr) -> Result<Self, SandboxError> {
        let mut tokens = vec![SeedToken { token: seed.token.clone(), scopes: seed.scopes.clone() }];
        tokens.extend(seed.tokens.iter().cloned());
        if let Some(scope) = tokens.iter().find_map(|t| scopes::unknown(&t.scopes)) {
            return Err(SandboxError::UnknownScope { scope: scope.to_owned() });
        }
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| SandboxError::Bind { addr, source })?;
        let addr = listener.local_addr().map_err(|source| SandboxError::Bind { addr, source })?;
        let world = World::new(&seed, format!("http://{addr}"), now());
        let shared = Shared { tokens, world, faults: Vec::new(), requests: Vec::new(), held: 0 };
        let inner = Arc::new(Inner { shared: Mutex::new(shared), release: watch::channel(0).0 });
        let state = Arc::clone(&inner);
        let app = Router::new().fallback(move |request: Request<Body>| handle(Arc::clone(&state), request));
        let server = tokio::spawn(async move {
            // The server only ends with an accept error on a loopback listener; the test that
            // needed it then fails on its own requests, which says more than a panic here.
            let _ = axum::serve(listener, app).await;
        });
        Ok(MastodonSandbox { inner, addr, server })
    }

    /// `http://127.0.0.1:PORT`, the account's `api_base`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every API request received so far (admin calls excluded), oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.inner.lock().requests.clone()
    }

    /// How many requests had `method` and a path starting with `path_prefix`.
    pub fn count(&self, method: &str, path_prefix: &str) -> usize {
        let shared = self.inner.lock();
        shared
            .requests
            .iter()
            .filter(|r| r.method.eq_ignore_ascii_case(method) && r.path.starts_with(path_prefix))
            .count()
    }

    /// Adds a fault rule; rules are tried in the order added.
    pub fn inject(&self, rule: FaultRule) {
        self.inner.lock().faults.push(rule);
    }

    /// Removes every fault rule (held requests stay held until [`Self::release`]).
    pub fn clear_faults(&self) {
        self.inner.lock().faults.clear();
    }

    /// Lets every held request go on.
    pub fn release(&self) {
        self.inner.release.send_modify(|generation| *generation += 1);
    }

    /// How many requests are being held right now.
    pub fn held(&self) -> usize {
        self.inner.lock().held
    }

    /// Waits until at least `n` requests are held, polling briefly; `false` after `timeout`.
    pub async fn wait_held(&self, n: usize, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        while self.held() < n {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        true
    }

    /// Accepts `token` with `scopes` (space-separated) from now on, or changes the scopes of a
    /// token already accepted, as if the user had authorized the app again.
    pub fn grant(&self, token: &str, scopes: &str) -> Result<(), SandboxError> {
        grant(&self.inner, token, scopes)
    }

    /// `acct` (created if unknown) mentions the own account with `text`; returns the notification id.
    pub fn push_mention(&self, acct: &str, text: &str) -> String {
        self.inner.lock().world.add_mention(acct, text, now()).to_string()
    }

    /// `acct` (created if unknown) follows the own account; returns the notification id.
    pub fn push_follow(&self, acct: &str) -> String {
        self.inner.lock().world.add_follower(acct, now()).to_string()
    }

    /// `acct` (created if unknown) favourites the own account's newest status; returns the
    /// notification id.
    pub fn push_favourite(&self, acct: &str) -> String {
        self.inner.lock().world.add_favourite(acct, now()).to_string()
    }

    /// The account id of `acct`, if the sandbox knows it.
    pub fn account_id(&self, acct: &str) -> Option<String> {
        self.inner.lock().world.account_id(acct).map(|id| id.to_string())
    }

    /// `acct` (created if unknown) posts `text` publicly now; returns the status id.
    pub fn post(&self, acct: &str, text: &str) -> String {
        self.inner.lock().world.add_status(acct, text, None, now()).to_string()
    }

    /// `acct` (created if unknown) answers status `status_id` publicly with `text`, which counts
    /// in its `replies_count`; returns the new status id, or `None` for an unknown status.
    pub fn reply(&self, acct: &str, status_id: &str, text: &str) -> Option<String> {
        let mut shared = self.inner.lock();
        let parent = status_id.parse::<u64>().ok().filter(|id| shared.world.statuses.contains_key(id))?;
        Some(shared.world.add_status(acct, text, Some(parent), now()).to_string())
    }

    /// The direct messages the own account sent to `acct`, oldest first (none for an unknown acct).
    pub fn direct_messages_to(&self, acct: &str) -> Vec<DirectMessage> {
        direct_messages_to(&self.inner.lock().world, acct)
    }

    /// Every image uploaded so far, oldest first.
    pub fn uploaded_media(&self) -> Vec<UploadedMedia> {
        let shared = self.inner.lock();
        shared
            .world
            .media
            .iter()
            .map(|(id, m)| UploadedMedia {
                id: id.to_string(),
                mime: m.mime.to_owned(),
                bytes: m.bytes.clone(),
                description: m.description.clone(),
                status_id: m.status.map(|s| s.to_string()),
            })
            .collect()
    }

    /// Waits until the server task ends (it runs until the handle is dropped); for the binary.
    pub async fn serve_forever(&mut self) {
        // A join error means the server task panicked; there is nothing left to serve either way.
        let _ = (&mut self.server).await;
    }
}

impl Drop for MastodonSandbox {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn direct_messages_to(world: &World, acct: &str) -> Vec<DirectMessage> {
    let Some(to) = world.account_id(acct) else { return Vec::new() };
    world
        .direct_messages_to(to)
        .into_iter()
        .map(|(id, text)| DirectMessage { id: id.to_string(), text })
        .collect()
}

/// Adds `token` or replaces its scopes; refuses a scope Mastodon does not know.
fn grant(inner: &Inner, token: &str, scopes: &str) -> Result<(), SandboxError> {
    let scopes = seed::split_scopes(scopes);
    if let Some(scope) = scopes::unknown(&scopes) {
        return Err(SandboxError::UnknownScope { scope: scope.to_owned() });
    }
    let mut shared = inner.lock();
    match shared.tokens.iter_mut().find(|t| t.token == token) {
        Some(known) => known.scopes = scopes,
        None => shared.tokens.push(SeedToken { token: token.to_owned(), scopes }),
    }
    Ok(())
}

/// Serves one request: admin calls, then recording, faults, authentication, scopes and the API.
async fn handle(inner: Arc<Inner>, request: Request<Body>) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or_default().to_owned();
    let limit = if path.trim_end_matches('/') == "/api/v2/media" { MAX_MEDIA_BODY } else { MAX_BODY };
    // Mastodon's nginx refuses a body over `client_max_body_size` before the app sees it.
    let Ok(body) = axum::body::to_bytes(body, limit).await else {
        return json_response(413, &serde_json::json!({ "error": "Request entity too large" }));
    };
    if path.starts_with("/_sandbox/") {
        return admin::answer(&inner, &parts.method, &path, &query, &body);
    }
    let recorded = RecordedRequest {
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        headers: header_pairs(&parts.headers),
        body: body.to_vec(),
        received_at: now(),
    };
    let fault = {
        let mut shared = inner.lock();
        shared.requests.push(recorded);
        let rule = shared.faults.iter_mut().find(|rule| rule.matches(&method, &path));
        rule.map(|rule| {
            if let Some(times) = rule.times.as_mut() {
                *times -= 1;
            }
            rule.fault.clone()
        })
    };
    match fault {
        Some(Fault::RateLimited { reset_in_secs }) => {
            let reset = render::rfc3339(now() + i64::from(reset_in_secs));
            let mut response = json_response(429, &serde_json::json!({ "error": "Too many requests" }));
            let headers = response.headers_mut();
            headers.insert("x-ratelimit-limit", HeaderValue::from(RATE_LIMIT));
            headers.insert("x-ratelimit-remaining", HeaderValue::from(0));
            if let Ok(value) = HeaderValue::from_str(&reset) {
                headers.insert("x-ratelimit-reset", value);
            }
            return response;
        }
        Some(Fault::Status { code }) => {
            return json_response(code, &serde_json::json!({ "error": "Injected failure" }));
        }
        Some(Fault::MalformedJson) => {
            return raw_response(
                200,
                "application/json",
                Bytes::from_static(b"[{\"id\":\"1\",\"type\":\"ment"),
            );
        }
        Some(Fault::Redirect { location }) => {
            let mut response = raw_response(302, "text/html", Bytes::new());
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert("location", value);
            }
            return response;
        }
        Some(Fault::Slow { millis }) => tokio::time::sleep(Duration::from_millis(millis)).await,
        Some(Fault::Hold) => hold(&inner).await,
        None => {}
    }
    let mut shared = inner.lock();
    let bearer = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(index) = bearer.and_then(|token| shared.tokens.iter().position(|t| t.token == token)) else {
        return json_response(401, &serde_json::json!({ "error": "The access token is invalid" }));
    };
    let granted = &shared.tokens[index].scopes;
    let served = shared.requests.len();
    // Mastodon checks scopes in a before_action, ahead of looking anything up: a token without
    // them gets 403 even for a record that does not exist.
    let Answer { status, headers, body } = if !scopes::required(&method, &path).allows(granted) {
        Answer { status: 403, headers: Vec::new(), body: serde_json::json!({ "error": OUTSIDE_SCOPES }) }
    } else if method == "GET" && path.trim_end_matches('/') == "/api/v1/apps/verify_credentials" {
        Answer { status: 200, headers: Vec::new(), body: scopes::application(index, granted) }
    } else {
        let query = decode_pairs(query.as_bytes());
        let content_type = parts.headers.get("content-type").and_then(|v| v.to_str().ok());
        match body_fields(content_type, &body) {
            Err(multipart::Malformed(why)) => {
                Answer { status: 400, headers: Vec::new(), body: serde_json::json!({ "error": why }) }
            }
            Ok((form, files)) => {
                let idempotency_key = parts.headers.get("idempotency-key").and_then(|v| v.to_str().ok());
                let call = Call {
                    method: &method,
                    path: &path,
                    query: &query,
                    form: &form,
                    files: &files,
                    idempotency_key,
                    now: now(),
                };
                shared.world.answer(&call)
            }
        }
    };
    drop(shared);
    let mut response = json_response(status, &body);
    let out = response.headers_mut();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (axum::http::HeaderName::try_from(name), HeaderValue::from_str(&value))
        {
            out.insert(name, value);
        }
    }
    // Mastodon reports the window on every response; the sandbox counts every request into one.
    let remaining = RATE_LIMIT.saturating_sub(u32::try_from(served).unwrap_or(u32::MAX));
    out.insert("x-ratelimit-limit", HeaderValue::from(RATE_LIMIT));
    out.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
    if let Ok(value) = HeaderValue::from_str(&render::rfc3339(now() + 300)) {
        out.insert("x-ratelimit-reset", value);
    }
    response
}

/// Holds a request until the next `release`.
async fn hold(inner: &Inner) {
    let mut release = inner.release.subscribe();
    release.mark_unchanged();
    inner.lock().held += 1;
    // An error means the sandbox is being dropped; the request then simply goes on.
    let _ = release.changed().await;
    inner.lock().held -= 1;
}

fn json_response(status: u16, body: &serde_json::Value) -> Response<Body> {
    raw_response(status, "application/json; charset=utf-8", Bytes::from(body.to_string()))
}

fn raw_response(status: u16, content_type: &'static str, body: Bytes) -> Response<Body> {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert("content-type", HeaderValue::from_static(content_type));
    response
}

fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned())
        })
        .collect()
}

fn decode_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(bytes).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// The body's fields — of a form, a flat JSON object (an array as repeated `name[]` fields, as a
/// form writes it) or the text parts of a multipart body — and its file parts (Mastodon accepts
/// all three for every call).
fn body_fields(
    content_type: Option<&str>,
    body: &[u8],
) -> Result<(Fields, Vec<multipart::Part>), multipart::Malformed> {
    if let Some(boundary) = content_type.and_then(multipart::boundary) {
        let (files, fields): (Vec<_>, Vec<_>) =
            multipart::parse(boundary, body)?.into_iter().partition(|p| p.filename.is_some());
        let fields =
            fields.into_iter().map(|p| (p.name, String::from_utf8_lossy(&p.data).into_owned())).collect();
        return Ok((fields, files));
    }
    if content_type.is_some_and(|t| t.starts_with("application/json")) {
        let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(body) else {
            return Ok((Vec::new(), Vec::new()));
        };
        let text = |v: serde_json::Value| match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        let mut fields = Vec::new();
        for (k, v) in map {
            match v {
                serde_json::Value::Array(items) => {
                    fields.extend(items.into_iter().map(|item| (format!("{k}[]"), text(item))));
                }
                other => fields.push((k, text(other))),
            }
        }
        return Ok((fields, Vec::new()));
    }
    Ok((decode_pairs(body), Vec::new()))
}

/// Decoded `(name, value)` fields, in order.
type Fields = Vec<(String, String)>;
