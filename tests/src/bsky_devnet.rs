//! A client for Bluesky's reference network on loopback (`tests/bsky-devnet/bsky-devnet.sh up`),
//! with just enough XRPC to play the people who engage with the account under test — create
//! accounts, follow, mention with a facet — and to read back what the plugin wrote.
//!
//! The tests that use it skip themselves unless [`URL_VAR`] names the devnet's PDS; `cargo xtask
//! test` starts the network and sets it.

use std::future::Future;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

/// The variable naming the devnet's PDS (`http://localhost:2583`).
pub const URL_VAR: &str = "RAPPORT_BSKY_DEVNET";

/// How long the AppView may take to index what the PDS wrote.
pub const INDEX_WAIT: Duration = Duration::from_secs(30);

/// A person on the devnet, with a session of their own.
#[derive(Debug, Clone)]
pub struct Member {
    /// The account's DID.
    pub did: String,
    /// The account's handle (ends in `.test`).
    pub handle: String,
    /// The account's password, which the plugin under test uses as its app password.
    pub password: String,
    access: String,
}

/// The devnet's PDS, reached over loopback.
pub struct Devnet {
    http: reqwest::Client,
    pds: String,
}

impl Devnet {
    /// The devnet named by [`URL_VAR`], or `None` (with a note on stderr) when it is unset.
    pub fn from_env(test: &str) -> Option<Devnet> {
        match std::env::var(URL_VAR) {
            Ok(pds) => {
                Some(Devnet { http: reqwest::Client::new(), pds: pds.trim_end_matches('/').to_owned() })
            }
            Err(_) => {
                eprintln!(
                    "{test} skipped: {URL_VAR} is unset. `cargo xtask test` starts the network and sets it; \
                     by hand: `bash tests/bsky-devnet/bsky-devnet.sh up` then {URL_VAR}=http://localhost:2583"
                );
                None
            }
        }
    }

    /// The PDS base URL.
    pub fn pds(&self) -> &str {
        &self.pds
    }

    /// Creates an account whose handle starts with `prefix` and is new on this network.
    pub async fn create_account(&self, prefix: &str) -> Member {
        let tag =
            SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() % 10_000_000_000).unwrap_or(0);
        let handle = format!("{prefix}{tag}.test");
        let password = format!("pw-{handle}");
        let made = self
            .post(
                None,
                "com.atproto.server.createAccount",
                json!({"handle": handle, "email": format!("{handle}@example.com"), "password": password}),
            )
            .await;
        Member {
            did: made["did"].as_str().expect("createAccount names the DID").to_owned(),
            handle,
            password,
            access: made["accessJwt"].as_str().expect("createAccount opens a session").to_owned(),
        }
    }

    /// Gives `who` a display name, as a person sets it in their profile.
    pub async fn set_display_name(&self, who: &Member, name: &str) {
        let record = json!({"$type": "app.bsky.actor.profile", "displayName": name});
        self.post(
            Some(&who.access),
            "com.atproto.repo.putRecord",
            json!({"repo": who.did, "collection": "app.bsky.actor.profile", "rkey": "self", "record": record}),
        )
        .await;
    }

    /// `who` follows `subject`; returns the follow record's URI.
    pub async fn follow(&self, who: &Member, subject: &Member) -> String {
        let record =
            json!({"$type": "app.bsky.graph.follow", "subject": subject.did, "createdAt": now_rfc3339()});
        self.create_record(who, "app.bsky.graph.follow", record).await
    }

    /// `who` posts `text`, which must contain `@handle` of `whom`, with the mention facet (without
    /// one nobody is notified); returns the post's URI.
    pub async fn mention(&self, who: &Member, whom: &Member, text: &str) -> String {
        let at = format!("@{}", whom.handle);
        let start = text.find(&at).unwrap_or_else(|| panic!("{text:?} does not mention {at}"));
        let record = json!({
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": now_rfc3339(),
            "facets": [{"index": {"byteStart": start, "byteEnd": start + at.len()},
                        "features": [{"$type": "app.bsky.richtext.facet#mention", "did": whom.did}]}],
        });
        self.create_record(who, "app.bsky.feed.post", record).await
    }

    /// The replies directly under `post`, as `who` sees them.
    pub async fn replies(&self, who: &Member, post: &str) -> Vec<Value> {
        let thread = self.get(who, "app.bsky.feed.getPostThread", &[("uri", post)]).await;
        thread["thread"]["replies"].as_array().cloned().unwrap_or_default()
    }

    /// Whether `follower` follows `subject`, as the AppView has indexed it.
    pub async fn follows(&self, follower: &Member, subject: &Member) -> bool {
        let follows = self.get(subject, "app.bsky.graph.getFollows", &[("actor", &follower.did)]).await;
        follows["follows"].as_array().is_some_and(|all| all.iter().any(|f| f["did"] == json!(subject.did)))
    }

    /// `who` posts `text`; returns the post's strong reference (`{"uri", "cid"}`), which a like,
    /// repost or reply names.
    pub async fn write_post(&self, who: &Member, text: &str) -> Value {
        let record = json!({"$type": "app.bsky.feed.post", "text": text, "createdAt": now_rfc3339()});
        self.create_record_ref(who, "app.bsky.feed.post", record).await
    }

    /// `who` answers `parent` (a strong reference to a thread's first post) with `text`; wait
    /// until the AppView shows the parent ([`Devnet::post_view`]), or the reply is never indexed.
    pub async fn reply(&self, who: &Member, parent: &Value, text: &str) -> Value {
        let record = json!({"$type": "app.bsky.feed.post", "text": text, "createdAt": now_rfc3339(),
                            "reply": {"root": parent, "parent": parent}});
        self.create_record_ref(who, "app.bsky.feed.post", record).await
    }

    /// `who` likes the post `subject` (a strong reference).
    pub async fn like(&self, who: &Member, subject: &Value) {
        let record = json!({"$type": "app.bsky.feed.like", "subject": subject, "createdAt": now_rfc3339()});
        self.create_record(who, "app.bsky.feed.like", record).await;
    }

    /// `who` reposts the post `subject` (a strong reference).
    pub async fn repost(&self, who: &Member, subject: &Value) {
        let record = json!({"$type": "app.bsky.feed.repost", "subject": subject, "createdAt": now_rfc3339()});
        self.create_record(who, "app.bsky.feed.repost", record).await;
    }

    /// The AppView's view of the post at `uri` as `who` sees it (`app.bsky.feed.getPosts`), once
    /// it has indexed it.
    pub async fn post_view(&self, who: &Member, uri: &str) -> Option<Value> {
        let found = self.get(who, "app.bsky.feed.getPosts", &[("uris", uri)]).await;
        found["posts"].as_array().and_then(|posts| posts.iter().find(|p| p["uri"] == json!(uri)).cloned())
    }

    async fn create_record_ref(&self, who: &Member, collection: &str, record: Value) -> Value {
        let made = self
            .post(
                Some(&who.access),
                "com.atproto.repo.createRecord",
                json!({"repo": who.did, "collection": collection, "record": record}),
            )
            .await;
        json!({"uri": made["uri"], "cid": made["cid"]})
    }

    async fn create_record(&self, who: &Member, collection: &str, record: Value) -> String {
        let made = self
            .post(
                Some(&who.access),
                "com.atproto.repo.createRecord",
                json!({"repo": who.did, "collection": collection, "record": record}),
            )
            .await;
        made["uri"].as_str().expect("createRecord names the URI").to_owned()
    }

    /// An XRPC procedure call; panics naming the method if the PDS refuses it.
    pub async fn post(&self, token: Option<&str>, nsid: &str, body: Value) -> Value {
        let mut request = self.http.post(format!("{}/xrpc/{nsid}", self.pds)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        answer(nsid, request).await
    }

    /// An XRPC query as `who`; panics naming the method if the PDS refuses it.
    pub async fn get(&self, who: &Member, nsid: &str, query: &[(&str, &str)]) -> Value {
        let request =
            self.http.get(format!("{}/xrpc/{nsid}", self.pds)).query(query).bearer_auth(&who.access);
        answer(nsid, request).await
    }
}

async fn answer(nsid: &str, request: reqwest::RequestBuilder) -> Value {
    let response = request.send().await.unwrap_or_else(|e| panic!("{nsid}: {e}"));
    let status = response.status();
    let value: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{nsid} answered {status}: {value}");
    value
}

/// The current time as the AT Protocol writes it (`2026-12-01T07:20:13.123Z`).
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Polls `check` until it returns `Some`, for as long as the AppView may take to index; panics
/// naming `what` if it never does.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + INDEX_WAIT;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
