//! Runs a rapport plugin's real `.wasm` on the real host against scripted HTTP exchanges.
//!
//! A plugin author tests the very component the daemon will load — same compile cache, same
//! sandbox limits, same egress policy — with no daemon and no network: every request the plugin
//! makes must match the next [`Exchange`] of the script, which answers with a canned response.
//! Grant checks, `{{secret:NAME}}` substitution, size caps and rate-limit headers still run in the
//! host, above the scripted server, so what a test sees in [`Harness::requests`] is what a real
//! server would receive.
//!
//! ```no_run
//! use rapport_harness::{Exchange, Harness, locate};
//!
//! # async fn demo() -> Result<(), rapport_harness::HarnessError> {
//! let harness = Harness::builder(locate::platform_plugin("mastodon")?)
//!     .api_base("https://mastodon.example")
//!     .secret("token", "t0k")
//!     .build()
//!     .await?;
//! harness.expect(
//!     Exchange::get("https://mastodon.example/api/v1/notifications?limit=80")
//!         .with_header("authorization", "Bearer t0k")
//!         .respond(200, "[]"),
//! );
//! let page = harness.fetch_notifications(None).await?;
//! assert!(page.items.is_empty());
//! harness.assert_done();
//! # Ok(()) }
//! ```
//!
//! [`conformance`] runs the contract's checks every plugin must pass on top of this.

pub mod conformance;
mod error;
mod exchange;
pub mod locate;
mod script;
mod state;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rapport_core::notification::Profile;
use rapport_core::platform::{
    Access, AccountPage, ActionOutcome, Description, NotificationPage, RateLimitSnapshot, Relationship,
};
use rapport_core::reads::{CandidatePage, DiscoverySource, OwnPostPage, PostPage, RelationshipOf};
use rapport_core::task::Action;
use rapport_host::egress::grant::EgressGrant;
use rapport_host::{AccountBinding, AccountContext, CallError, CallLimits, HostConfig, Plugin, PluginHost};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use error::HarnessError;
pub use exchange::{Answer, Exchange, ExpectedRequest, RecordedRequest};
pub use rapport_host::egress::transport::{Method, TransportError, TransportResponse};
pub use script::Mismatch;
pub use state::{KvSnapshot, ManualClock, ScriptedKv};

/// Where the clock of a new harness stands: 2024-05-01T12:00:00Z.
pub const DEFAULT_NOW: i64 = 1_714_564_800;

/// How to build a [`Harness`]: the plugin file and the account it acts for.
///
/// Reusable: [`build`](Self::build) takes `&self`, so one builder makes a fresh harness (empty
/// script, the configured kv) for every scenario, as the [`conformance`] suite does.
#[derive(Debug, Clone)]
pub struct HarnessBuilder {
    wasm: PathBuf,
    cache_dir: Option<PathBuf>,
    context: AccountContext,
    secrets: Vec<(String, String)>,
    kv: Vec<(String, Vec<u8>)>,
    allowed_hosts: Option<Vec<String>>,
    allow_private_addresses: bool,
    limits: CallLimits,
    now: i64,
    problems: Vec<String>,
}

impl HarnessBuilder {
    fn new(wasm: PathBuf) -> Self {
        Self {
            wasm,
            cache_dir: None,
            context: AccountContext { name: "test".to_owned(), ..AccountContext::default() },
            secrets: Vec::new(),
            kv: Vec::new(),
            allowed_hosts: None,
            allow_private_addresses: false,
            limits: CallLimits::default(),
            now: DEFAULT_NOW,
            problems: Vec::new(),
        }
    }

    /// The account's name in the daemon's configuration (default `test`).
    pub fn account(mut self, name: impl Into<String>) -> Self {
        self.context.name = name.into();
        self
    }

    /// The account's API base URL, e.g. `https://mastodon.example`.
    pub fn api_base(mut self, url: impl Into<String>) -> Self {
        self.context.api_base = url.into();
        self
    }

    /// The account's own handle or id on the platform.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.context.user = user.into();
        self
    }

    /// A plugin-specific setting of the account.
    pub fn setting(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.context.settings.push((key.into(), value.into()));
        self
    }

    /// A secret the host substitutes for `{{secret:NAME}}`; the plugin never sees the value.
    pub fn secret(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.secrets.push((name.into(), value.into()));
        self
    }

    /// A kv entry the plugin finds on its first call (e.g. a session from an earlier run).
    pub fn kv(mut self, key: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        self.kv.push((key.into(), value.into()));
        self
    }

    /// A kv entry holding `value` as JSON, as the SDK's `kv::set_json` writes it.
    pub fn kv_json<T: Serialize + ?Sized>(mut self, key: impl Into<String>, value: &T) -> Self {
        let key = key.into();
        match serde_json::to_vec(value) {
            Ok(bytes) => self.kv.push((key, bytes)),
            Err(e) => self.problems.push(format!("kv entry {key:?} cannot be written as JSON: {e}")),
        }
        self
    }

    /// The hosts the account allows (`scheme://host[:port]` patterns). By default the account
    /// allows the plugin's declared hosts and the origin of the API base.
    pub fn allowed_hosts<S: AsRef<str>>(mut self, patterns: &[S]) -> Self {
        self.allowed_hosts = Some(patterns.iter().map(|p| p.as_ref().to_owned()).collect());
        self
    }

    /// Whether hosts may be loopback, private or link-local addresses (default `false`).
    pub fn allow_private_addresses(mut self, allow: bool) -> Self {
        self.allow_private_addresses = allow;
        self
    }

    /// The sandbox limits of every call (default: the daemon's defaults).
    pub fn limits(mut self, limits: CallLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Where the clock stands at the start, in Unix seconds (default [`DEFAULT_NOW`]).
    pub fn clock_at(mut self, unix_seconds: i64) -> Self {
        self.now = unix_seconds;
        self
    }

    /// The compile cache directory (default `<target>/rapport-harness-cache`, shared by every
    /// harness, so a plugin is compiled once per change).
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// The plugin file this builder loads.
    pub fn wasm(&self) -> &Path {
        &self.wasm
    }

    /// Starts a host with a scripted transport and loads the plugin into it.
    pub async fn build(&self) -> Result<Harness, HarnessError> {
        if let Some(problem) = self.problems.first() {
            return Err(HarnessError::Config(problem.clone()));
        }
        let cache_dir = self.cache_dir.clone().unwrap_or_else(default_cache_dir);
        let clock = Arc::new(ManualClock::at(self.now));
        let script = Arc::new(script::Script::default());
        let mut config = HostConfig::new(cache_dir);
        config.limits = self.limits;
        config.clock = clock.clone();
        let host = PluginHost::with_transport(config, script.clone())?;
        let plugin = host.load(&self.wasm).await?;

        let hosts = match &self.allowed_hosts {
            Some(hosts) => hosts.clone(),
            None => default_hosts(plugin.description(), &self.context.api_base),
        };
        let egress = EgressGrant::new(&hosts, self.allow_private_addresses)
            .map_err(|e| HarnessError::Config(e.to_string()))?;
        let kv = Arc::new(ScriptedKv::default());
        for (key, value) in &self.kv {
            kv.insert(key, value);
        }
        let binding = AccountBinding {
            context: self.context.clone(),
            egress,
            secrets: self.secrets.iter().cloned().collect(),
            kv: kv.clone(),
        };
        Ok(Harness { host, plugin, script, kv, clock, binding })
    }
}

/// The plugin's declared hosts (but `*`, which only the account may narrow) and the API base's origin.
fn default_hosts(description: &Description, api_base: &str) -> Vec<String> {
    let mut hosts: Vec<String> = description.hosts.iter().filter(|h| h.as_str() != "*").cloned().collect();
    if let Ok(url) = url::Url::parse(api_base) {
        let origin = url.origin();
        if origin.is_tuple() {
            hosts.push(origin.ascii_serialization());
        }
    }
    hosts
}

fn default_cache_dir() -> PathBuf {
    locate::target_dir().unwrap_or_else(std::env::temp_dir).join("rapport-harness-cache")
}

/// A plugin loaded on a host whose HTTP goes to a script; one account, one clock, one kv.
///
/// Every call runs exactly as in the daemon (fresh sandboxed instance, egress policy). A call
/// fails with [`HarnessError::Unexpected`] if the plugin sent anything the script did not expect,
/// whatever the plugin made of the failed request.
pub struct Harness {
    host: PluginHost,
    plugin: Plugin,
    script: Arc<script::Script>,
    kv: Arc<ScriptedKv>,
    clock: Arc<ManualClock>,
    binding: AccountBinding,
}

impl Harness {
    /// Starts building a harness for the plugin component at `wasm`.
    pub fn builder(wasm: impl Into<PathBuf>) -> HarnessBuilder {
        HarnessBuilder::new(wasm.into())
    }

    /// Appends `exchange` to the script: the plugin's next unanswered request must match it.
    pub fn expect(&self, exchange: Exchange) -> &Self {
        self.script.push(exchange);
        self
    }

    /// Appends every exchange of `exchanges`, in order.
    pub fn expect_all(&self, exchanges: impl IntoIterator<Item = Exchange>) -> &Self {
        for exchange in exchanges {
            self.script.push(exchange);
        }
        self
    }

    /// Every request the plugin sent so far, in order, as the server received it (secrets substituted).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.script.seen()
    }

    /// The scripted exchanges not used yet, described.
    pub fn unused(&self) -> Vec<String> {
        self.script.remaining()
    }

    /// Drops every scripted exchange not used yet.
    pub fn clear_script(&self) {
        self.script.clear();
    }

    /// Checks that every scripted exchange was used.
    ///
    /// # Panics
    ///
    /// When some were not, listing them: this is a test assertion.
    pub fn assert_done(&self) {
        let unused = self.unused();
        assert!(unused.is_empty(), "the plugin did not send these scripted requests: {}", unused.join("; "));
    }

    /// What the plugin said about itself at load.
    pub fn describe(&self) -> &Description {
        self.plugin.description()
    }

    /// The plugin as loaded on the host.
    pub fn plugin(&self) -> &Plugin {
        &self.plugin
    }

    /// The clock the plugin sees; move it to test expiry and resets.
    pub fn clock(&self) -> &ManualClock {
        &self.clock
    }

    /// The plugin's key-value store for this account.
    pub fn kv(&self) -> &ScriptedKv {
        &self.kv
    }

    /// The value the plugin stored under `key`.
    pub fn kv_get(&self, key: &str) -> Option<Vec<u8>> {
        self.kv.value(key)
    }

    /// The value the plugin stored under `key`, read as JSON; `None` if absent or not that shape.
    pub fn kv_get_json<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.kv.value(key).and_then(|bytes| serde_json::from_slice(&bytes).ok())
    }

    /// Stores `value` under `key`, as if the plugin had.
    pub fn kv_set(&self, key: &str, value: impl AsRef<[u8]>) {
        self.kv.insert(key, value.as_ref());
    }

    /// The latest rate-limit headers the host read off this account's responses.
    pub fn rate_limit(&self) -> Option<RateLimitSnapshot> {
        self.host.rate_limit(&self.binding.context.name)
    }

    /// Calls `fetch-notifications(cursor)`.
    pub async fn fetch_notifications(&self, cursor: Option<&str>) -> Result<NotificationPage, HarnessError> {
        let result = self.plugin.fetch_notifications(&self.binding, cursor.map(str::to_owned)).await;
        self.settle(result)
    }

    /// Calls `execute` with `action` under `idempotency_key`.
    pub async fn execute(
        &self,
        idempotency_key: &str,
        action: &Action,
    ) -> Result<ActionOutcome, HarnessError> {
        let result = self.plugin.execute(&self.binding, idempotency_key, action).await;
        self.settle(result)
    }

    /// Calls `lookup-account(id)`.
    pub async fn lookup_account(&self, id: &str) -> Result<Profile, HarnessError> {
        let result = self.plugin.lookup_account(&self.binding, id).await;
        self.settle(result)
    }

    /// Calls `relationship(id)`.
    pub async fn relationship(&self, id: &str) -> Result<Relationship, HarnessError> {
        let result = self.plugin.relationship(&self.binding, id).await;
        self.settle(result)
    }

    /// Calls `list-followers(cursor)`.
    pub async fn list_followers(&self, cursor: Option<&str>) -> Result<AccountPage, HarnessError> {
        let result = self.plugin.list_followers(&self.binding, cursor.map(str::to_owned)).await;
        self.settle(result)
    }

    /// Calls `list-following(cursor)`.
    pub async fn list_following(&self, cursor: Option<&str>) -> Result<AccountPage, HarnessError> {
        let result = self.plugin.list_following(&self.binding, cursor.map(str::to_owned)).await;
        self.settle(result)
    }

    /// Calls `check-access` (`None` for a plugin built for contract 0.1.0, which lacks it).
    pub async fn check_access(&self) -> Result<Option<Access>, HarnessError> {
        let result = self.plugin.check_access(&self.binding).await;
        self.settle(result)
    }

    /// Calls `discover(source, cursor)`.
    pub async fn discover(
        &self,
        source: &DiscoverySource,
        cursor: Option<&str>,
    ) -> Result<CandidatePage, HarnessError> {
        let result = self.plugin.discover(&self.binding, source, cursor.map(str::to_owned)).await;
        self.settle(result)
    }

    /// Calls `recent-posts(id, cursor)`.
    pub async fn recent_posts(&self, id: &str, cursor: Option<&str>) -> Result<PostPage, HarnessError> {
        let result = self.plugin.recent_posts(&self.binding, id, cursor.map(str::to_owned)).await;
        self.settle(result)
    }

    /// Calls `own-posts(cursor)`.
    pub async fn own_posts(&self, cursor: Option<&str>) -> Result<OwnPostPage, HarnessError> {
        let result = self.plugin.own_posts(&self.binding, cursor.map(str::to_owned)).await;
        self.settle(result)
    }

    /// Calls `relationships(ids)`.
    pub async fn relationships(&self, ids: &[String]) -> Result<Vec<RelationshipOf>, HarnessError> {
        let result = self.plugin.relationships(&self.binding, ids).await;
        self.settle(result)
    }

    /// Calls `lookup-self`.
    pub async fn lookup_self(&self) -> Result<Profile, HarnessError> {
        let result = self.plugin.lookup_self(&self.binding).await;
        self.settle(result)
    }

    /// An unexpected request outranks whatever the plugin made of its failure.
    fn settle<T>(&self, result: Result<T, CallError>) -> Result<T, HarnessError> {
        let mismatches = self.script.take_mismatches();
        if !mismatches.is_empty() {
            return Err(HarnessError::Unexpected(mismatches));
        }
        result.map_err(HarnessError::from)
    }
}
