//! A loaded plugin and its calls: a fresh sandboxed `Store` per call, converted answers out.
//!
//! Each call instantiates from the cached pre-instantiation (microseconds), runs under the memory
//! cap, the CPU tick budget and a wall-clock deadline, and drops the store afterwards, so a trap,
//! timeout or runaway allocation loses that call only and leaks nothing into the next.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rapport_core::host_pattern::HostPattern;
use rapport_core::notification::Profile;
use rapport_core::platform::{
    Access, AccountPage, ActionOutcome, Description, NotificationPage, PluginError, Relationship,
};
use rapport_core::reads::{CandidatePage, DiscoverySource, OwnPostPage, PostPage, ReadKind, RelationshipOf};
use rapport_core::task::Action;
use tokio::time::{Instant, timeout_at};
use wasmtime::Store;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder};

use crate::bindings::{CallState, v0_1, v0_2};
use crate::clock::{Clock, WasiMonotonicClock, WasiWallClock};
use crate::egress::Session;
use crate::egress::grant::EgressGrant;
use crate::egress::secrets::Secrets;
use crate::epoch::RunningCall;
use crate::error::{CallError, CallFailure};
use crate::host::Shared;
use crate::kv::PluginKv;
use crate::limits::{Exceeded, Meter};
use crate::media;

/// Bytes of guest stderr kept per call, for the error report when it traps.
const STDERR_CAPACITY: usize = 8 << 10;

/// The most ids one `relationships` call checks: within one call's request budget on every
/// platform (Mastodon answers 40 per request, Bluesky 30).
pub const MAX_RELATIONSHIP_IDS: usize = 200;

/// What the plugin is told about the account (`account.current`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountContext {
    /// The account's name in the daemon's configuration.
    pub name: String,
    /// The API base URL.
    pub api_base: String,
    /// The account's own handle or id on the platform.
    pub user: String,
    /// Plugin-specific settings.
    pub settings: Vec<(String, String)>,
}

/// Everything a call needs for one account: context, egress grant, secrets and state.
#[derive(Clone)]
pub struct AccountBinding {
    /// What the plugin sees of the account.
    pub context: AccountContext,
    /// What the account lets the plugin reach.
    pub egress: EgressGrant,
    /// Secrets the host substitutes for `{{secret:NAME}}`; never given to the plugin.
    pub secrets: Secrets,
    /// The plugin's state for this account.
    pub kv: Arc<dyn PluginKv>,
}

impl std::fmt::Debug for AccountBinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountBinding")
            .field("context", &self.context)
            .field("egress", &self.egress)
            .field("secrets", &self.secrets)
            .finish_non_exhaustive()
    }
}

/// How a plugin was loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadReport {
    /// The plugin file.
    pub path: PathBuf,
    /// `true` if it was compiled now, `false` if the cached machine code was reused.
    pub compiled: bool,
    /// The cache entry used or written.
    pub cache_file: PathBuf,
    /// SHA-256 of the component bytes, hex.
    pub wasm_sha256: String,
}

/// A loaded plugin; cheap to clone and share across tasks.
#[derive(Clone)]
pub struct Plugin {
    inner: Arc<Inner>,
}

struct Inner {
    name: Arc<str>,
    description: Description,
    hosts: Arc<[HostPattern]>,
    pre: Pre,
    report: LoadReport,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("name", &self.inner.name)
            .field("path", &self.inner.report.path)
            .finish_non_exhaustive()
    }
}

/// A component pre-instantiated against the host's imports, by the contract version it speaks.
#[derive(Clone)]
pub(crate) enum Pre {
    /// Built against the frozen 0.1.0 contract: it lacks the calls 0.2.0 added.
    V0_1(v0_1::PlatformPre<CallState>),
    /// Built against the current contract.
    V0_2(v0_2::PlatformPre<CallState>),
}

impl Pre {
    /// The contract version, as plugins report it.
    pub(crate) fn contract(&self) -> &'static str {
        match self {
            Pre::V0_1(_) => "0.1.0",
            Pre::V0_2(_) => "0.2.0",
        }
    }
}

/// An instance of the plugin in one call's store.
enum Instance {
    V0_1(v0_1::Platform),
    V0_2(v0_2::Platform),
}

/// Why a plugin's answer is not a value: its own error, or an answer the host could not use.
pub(crate) enum Refusal {
    /// The plugin returned an error.
    Plugin(PluginError),
    /// The plugin returned something unusable (an empty id, …).
    Malformed(String),
}

/// A plugin's answer, converted to core types.
pub(crate) type Answer<T> = Result<T, Refusal>;

/// Runs one export on whichever contract version `$call`'s instance speaks: `$body` is written
/// once and expanded per version, with `$exports` that version's export handle, `$store` the
/// call's store and `$v` the version's bindings module (for its conversions). Settles the outcome
/// (trap, timeout, plugin error, malformed answer) into the call's result.
macro_rules! on_contract {
    ($call:ident, |$exports:ident, $store:ident, $v:ident| $body:expr) => {{
        let deadline = $call.deadline;
        let $store = &mut $call.store;
        let outcome = match &$call.instance {
            Instance::V0_1(instance) => {
                use crate::bindings::v0_1 as $v;
                let $exports = instance.rapport_platform_plugin();
                timeout_at(deadline, async { $body }).await
            }
            Instance::V0_2(instance) => {
                use crate::bindings::v0_2 as $v;
                let $exports = instance.rapport_platform_plugin();
                timeout_at(deadline, async { $body }).await
            }
        };
        $call.settle(outcome)
    }};
}

/// A call's WASI context: empty on purpose (no environment, arguments, preopened directories or
/// network), stderr captured, and clocks that read the host's `clock`: the contract gives the
/// guest no clock but the host's, so `SystemTime::now` in a guest is the `clock` import's time.
fn sandbox_wasi(stderr: &MemoryOutputPipe, clock: &Arc<dyn Clock>) -> WasiCtx {
    WasiCtxBuilder::new()
        .stderr(stderr.clone())
        .wall_clock(WasiWallClock(clock.clone()))
        .monotonic_clock(WasiMonotonicClock::new(clock.clone()))
        .build()
}

/// Runs an export only contract 0.2 has, on a call its caller checked is a 0.2 call (a 0.1
/// instance settles as `denied`, never reaching the plugin).
macro_rules! on_contract_0_2 {
    ($call:ident, |$exports:ident, $store:ident| $body:expr) => {{
        let deadline = $call.deadline;
        let $store = &mut $call.store;
        let outcome = match &$call.instance {
            Instance::V0_2(instance) => {
                let $exports = instance.rapport_platform_plugin();
                timeout_at(deadline, async { $body }).await
            }
            Instance::V0_1(_) => Ok(Ok(Err(Refusal::Plugin(PluginError::Denied(format!(
                "`{}` is not in contract 0.1.0",
                $call.name
            )))))),
        };
        $call.settle(outcome)
    }};
}

/// A store ready for one call, with what is needed to report its failure.
pub(crate) struct Call {
    store: Store<CallState>,
    /// Keeps the epoch ticking (the CPU budget's clock) while the call lives.
    _running: RunningCall,
    instance: Instance,
    deadline: Instant,
    plugin: Arc<str>,
    account: String,
    name: &'static str,
    shared: Arc<Shared>,
}

impl Call {
    /// Builds the store for one call and instantiates the plugin in it.
    pub(crate) async fn start(
        shared: &Arc<Shared>,
        pre: &Pre,
        plugin: &Arc<str>,
        hosts: &Arc<[HostPattern]>,
        binding: &AccountBinding,
        name: &'static str,
    ) -> Result<Self, CallError> {
        let limits = shared.limits;
        let deadline = Instant::now() + limits.wall_timeout;
        let stderr = MemoryOutputPipe::new(STDERR_CAPACITY);
        let account: Arc<str> = Arc::from(binding.context.name.as_str());
        let state = CallState {
            wasi: sandbox_wasi(&stderr, &shared.clock),
            table: ResourceTable::new(),
            meter: Meter::new(&limits),
            egress: Session {
                plugin: plugin.clone(),
                account: account.clone(),
                plugin_hosts: hosts.clone(),
                grant: binding.egress.clone(),
                secrets: binding.secrets.clone(),
                transport: shared.transport.clone(),
                limits,
                deadline,
                rate_limits: shared.rate_limits.clone(),
                clock: shared.clock.clone(),
                requests_made: 0,
            },
            context: binding.context.clone(),
            kv: binding.kv.clone(),
            clock: shared.clock.clone(),
            stderr,
        };
        let running = shared.ticker.running();
        let mut store = Store::new(&shared.engine, state);
        store.limiter(|state| &mut state.meter);
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(|mut ctx| ctx.data_mut().meter.tick());
        let instantiated = match pre {
            Pre::V0_1(pre) => {
                timeout_at(deadline, pre.instantiate_async(&mut store)).await.map(|r| r.map(Instance::V0_1))
            }
            Pre::V0_2(pre) => {
                timeout_at(deadline, pre.instantiate_async(&mut store)).await.map(|r| r.map(Instance::V0_2))
            }
        };
        let trap = match instantiated {
            Ok(Ok(instance)) => {
                return Ok(Self {
                    store,
                    _running: running,
                    instance,
                    deadline,
                    plugin: plugin.clone(),
                    account: account.to_string(),
                    name,
                    shared: shared.clone(),
                });
            }
            Ok(Err(trap)) => Some(trap),
            Err(_elapsed) => None,
        };
        let failure = classify(&store, &limits, trap);
        Err(CallError { plugin: plugin.to_string(), account: account.to_string(), call: name, failure })
    }

    /// Runs `describe` (the load-time call) and converts its answer.
    pub(crate) async fn describe(mut self) -> Result<Description, CallError> {
        on_contract!(self, |exports, store, v| exports
            .call_describe(store)
            .await
            .map(|d| Ok(v::description(d))))
    }

    fn fail(&self, failure: CallFailure) -> CallError {
        tracing::warn!(plugin = %self.plugin, account = %self.account, call = self.name, error = %failure, "plugin call failed");
        CallError { plugin: self.plugin.to_string(), account: self.account.clone(), call: self.name, failure }
    }

    /// Settles what the sandbox and the plugin made of the call; the store is dropped with the
    /// call right after.
    fn settle<T>(
        self,
        outcome: Result<wasmtime::Result<Answer<T>>, tokio::time::error::Elapsed>,
    ) -> Result<T, CallError> {
        let trap = match outcome {
            Ok(Ok(Ok(value))) => return Ok(value),
            Ok(Ok(Err(Refusal::Plugin(e)))) => return Err(self.fail(CallFailure::Plugin(e))),
            Ok(Ok(Err(Refusal::Malformed(why)))) => return Err(self.fail(CallFailure::Malformed(why))),
            Ok(Err(trap)) => Some(trap),
            Err(_elapsed) => None,
        };
        let failure = classify(&self.store, &self.shared.limits, trap);
        Err(self.fail(failure))
    }
}

/// Names why a call stopped (`trap` is `None` when the deadline passed): the meter's verdict
/// first, because a CPU or memory trap is clearer said plainly than as wasmtime's backtrace.
fn classify(
    store: &Store<CallState>,
    limits: &crate::CallLimits,
    trap: Option<wasmtime::Error>,
) -> CallFailure {
    match (store.data().meter.exceeded, trap) {
        (Some(Exceeded::Cpu), _) => CallFailure::CpuBudget { ticks: limits.cpu_ticks },
        (Some(Exceeded::Memory), _) => CallFailure::OutOfMemory { bytes: limits.memory_bytes },
        (None, None) => CallFailure::Timeout(limits.wall_timeout),
        (None, Some(trap)) => {
            let mut reason = crate::error_chain(&trap);
            let stderr = store.data().stderr.contents();
            let stderr = store.data().egress.secrets.scrub(String::from_utf8_lossy(&stderr).trim());
            if !stderr.is_empty() {
                reason.push_str(&format!(" (plugin stderr: {stderr})"));
            }
            CallFailure::Trap(reason)
        }
    }
}

impl Plugin {
    pub(crate) fn new(
        name: Arc<str>,
        description: Description,
        hosts: Vec<HostPattern>,
        pre: Pre,
        report: LoadReport,
        shared: Arc<Shared>,
    ) -> Self {
        Self { inner: Arc::new(Inner { name, description, hosts: hosts.into(), pre, report, shared }) }
    }

    /// The plugin's name, from its description.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// What the plugin said about itself at load.
    pub fn description(&self) -> &Description {
        &self.inner.description
    }

    /// How the plugin was loaded (compiled now or from cache).
    pub fn load_report(&self) -> &LoadReport {
        &self.inner.report
    }

    /// The plugin file.
    pub fn path(&self) -> &Path {
        &self.inner.report.path
    }

    async fn start(&self, binding: &AccountBinding, name: &'static str) -> Result<Call, CallError> {
        let inner = &self.inner;
        Call::start(&inner.shared, &inner.pre, &inner.name, &inner.hosts, binding, name).await
    }

    /// The contract version the plugin was built for.
    pub fn contract(&self) -> &'static str {
        self.inner.pre.contract()
    }

    /// The next page of notifications after `cursor`.
    pub async fn fetch_notifications(
        &self,
        binding: &AccountBinding,
        cursor: Option<String>,
    ) -> Result<NotificationPage, CallError> {
        let mut call = self.start(binding, "fetch-notifications").await?;
        on_contract!(call, |exports, store, v| exports
            .call_fetch_notifications(store, cursor.as_deref())
            .await
            .map(|r| v::answer(r, v::notification_page)))
    }

    /// Performs an approved action; `idempotency_key` stays the same across retries of one task.
    pub async fn execute(
        &self,
        binding: &AccountBinding,
        idempotency_key: &str,
        action: &Action,
    ) -> Result<ActionOutcome, CallError> {
        let images = media::read(action).await.map_err(|error| CallError {
            plugin: self.inner.name.to_string(),
            account: binding.context.name.clone(),
            call: "execute",
            failure: CallFailure::Plugin(error),
        })?;
        let mut call = self.start(binding, "execute").await?;
        on_contract!(call, |exports, store, v| match v::action_request(idempotency_key, action, images) {
            Ok(request) =>
                exports.call_execute(store, &request).await.map(|r| v::answer(r, |o| Ok(v::outcome(o)))),
            Err(why) => Ok(Err(Refusal::Plugin(PluginError::Denied(why)))),
        })
    }

    /// The account with this platform id.
    pub async fn lookup_account(&self, binding: &AccountBinding, id: &str) -> Result<Profile, CallError> {
        let mut call = self.start(binding, "lookup-account").await?;
        on_contract!(call, |exports, store, v| exports
            .call_lookup_account(store, id)
            .await
            .map(|r| v::answer(r, v::profile)))
    }

    /// How the acting account stands to the account with this id.
    pub async fn relationship(&self, binding: &AccountBinding, id: &str) -> Result<Relationship, CallError> {
        let mut call = self.start(binding, "relationship").await?;
        on_contract!(call, |exports, store, v| exports
            .call_relationship(store, id)
            .await
            .map(|r| v::answer(r, |r| Ok(v::relationship(r)))))
    }

    /// One page of the acting account's followers.
    pub async fn list_followers(
        &self,
        binding: &AccountBinding,
        cursor: Option<String>,
    ) -> Result<AccountPage, CallError> {
        let mut call = self.start(binding, "list-followers").await?;
        on_contract!(call, |exports, store, v| exports
            .call_list_followers(store, cursor.as_deref())
            .await
            .map(|r| v::answer(r, v::account_page)))
    }

    /// One page of the accounts the acting account follows.
    pub async fn list_following(
        &self,
        binding: &AccountBinding,
        cursor: Option<String>,
    ) -> Result<AccountPage, CallError> {
        let mut call = self.start(binding, "list-following").await?;
        on_contract!(call, |exports, store, v| exports
            .call_list_following(store, cursor.as_deref())
            .await
            .map(|r| v::answer(r, v::account_page)))
    }

    /// What the account's credential may do; `None` from a plugin built for contract 0.1.0,
    /// which has no such call (its missing permissions show when a call is refused).
    pub async fn check_access(&self, binding: &AccountBinding) -> Result<Option<Access>, CallError> {
        let Pre::V0_2(_) = &self.inner.pre else { return Ok(None) };
        let mut call = self.start(binding, "check-access").await?;
        on_contract_0_2!(call, |exports, store| exports
            .call_check_access(store)
            .await
            .map(|r| v0_2::answer(r, v0_2::access)))
        .map(Some)
    }

    /// Refuses, without calling the plugin, a read it does not serve (every read but
    /// notifications, for a 0.1 plugin) or one naming an empty id.
    fn require_read(&self, binding: &AccountBinding, read: ReadKind, ids: &[&str]) -> Result<(), CallError> {
        let refuse = |error: PluginError| CallError {
            plugin: self.inner.name.to_string(),
            account: binding.context.name.clone(),
            call: read.as_str(),
            failure: CallFailure::Plugin(error),
        };
        if !self.inner.description.reads(read) {
            return Err(refuse(PluginError::Denied(format!(
                "the {} plugin (contract {}) does not serve `{}`",
                self.inner.name,
                self.contract(),
                read.as_str()
            ))));
        }
        if ids.iter().any(|id| id.trim().is_empty()) {
            return Err(refuse(PluginError::Permanent(format!(
                "`{}` was asked for an empty id",
                read.as_str()
            ))));
        }
        Ok(())
    }

    /// One page of people of interest from `source`, after `cursor`.
    pub async fn discover(
        &self,
        binding: &AccountBinding,
        source: &DiscoverySource,
        cursor: Option<String>,
    ) -> Result<CandidatePage, CallError> {
        let named: Vec<&str> = match source {
            DiscoverySource::Hashtag(id)
            | DiscoverySource::Search(id)
            | DiscoverySource::FollowersOf(id)
            | DiscoverySource::List(id) => vec![id],
            DiscoverySource::Suggestions => Vec::new(),
        };
        self.require_read(binding, ReadKind::of_source(source), &named)?;
        let mut call = self.start(binding, "discover").await?;
        let source = v0_2::discovery_source(source);
        on_contract_0_2!(call, |exports, store| exports
            .call_discover(store, &source, cursor.as_deref())
            .await
            .map(|r| v0_2::answer(r, v0_2::candidate_page)))
    }

    /// One page of the posts of the account with platform id `id`, newest first.
    pub async fn recent_posts(
        &self,
        binding: &AccountBinding,
        id: &str,
        cursor: Option<String>,
    ) -> Result<PostPage, CallError> {
        self.require_read(binding, ReadKind::RecentPosts, &[id])?;
        let mut call = self.start(binding, "recent-posts").await?;
        on_contract_0_2!(call, |exports, store| exports
            .call_recent_posts(store, id, cursor.as_deref())
            .await
            .map(|r| v0_2::answer(r, v0_2::post_page)))
    }

    /// One page of the acting account's own posts with their metrics, newest first.
    pub async fn own_posts(
        &self,
        binding: &AccountBinding,
        cursor: Option<String>,
    ) -> Result<OwnPostPage, CallError> {
        self.require_read(binding, ReadKind::OwnPosts, &[])?;
        let mut call = self.start(binding, "own-posts").await?;
        on_contract_0_2!(call, |exports, store| exports
            .call_own_posts(store, cursor.as_deref())
            .await
            .map(|r| v0_2::answer(r, v0_2::own_post_page)))
    }

    /// How the acting account stands to each of `ids` (at most [`MAX_RELATIONSHIP_IDS`] per
    /// call; callers checking more split them).
    pub async fn relationships(
        &self,
        binding: &AccountBinding,
        ids: &[String],
    ) -> Result<Vec<RelationshipOf>, CallError> {
        let named: Vec<&str> = ids.iter().map(String::as_str).collect();
        self.require_read(binding, ReadKind::Relationships, &named)?;
        if ids.len() > MAX_RELATIONSHIP_IDS {
            return Err(CallError {
                plugin: self.inner.name.to_string(),
                account: binding.context.name.clone(),
                call: "relationships",
                failure: CallFailure::Plugin(PluginError::Permanent(format!(
                    "{} ids in one call; at most {MAX_RELATIONSHIP_IDS}",
                    ids.len()
                ))),
            });
        }
        let mut call = self.start(binding, "relationships").await?;
        on_contract_0_2!(call, |exports, store| exports
            .call_relationships(store, ids)
            .await
            .map(|r| v0_2::answer(r, v0_2::relationships)))
    }

    /// The acting account, with its follower and following counts.
    pub async fn lookup_self(&self, binding: &AccountBinding) -> Result<Profile, CallError> {
        self.require_read(binding, ReadKind::LookupSelf, &[])?;
        let mut call = self.start(binding, "lookup-self").await?;
        on_contract_0_2!(call, |exports, store| exports
            .call_lookup_self(store)
            .await
            .map(|r| v0_2::answer(r, v0_2::profile)))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicI64, Ordering};

    use wasmtime_wasi::clocks::WasiClocksView;
    use wasmtime_wasi::p2::bindings::clocks::{monotonic_clock, wall_clock};
    use wasmtime_wasi::{WasiCtxView, WasiView};

    use super::*;

    /// A clock the test sets by hand.
    struct SetClock(AtomicI64);

    impl Clock for SetClock {
        fn now_millis(&self) -> i64 {
            self.0.load(Ordering::SeqCst)
        }
    }

    /// Just a call's WASI context, to ask its clocks what a guest would get.
    struct Guest {
        wasi: WasiCtx,
        table: ResourceTable,
    }

    impl WasiView for Guest {
        fn ctx(&mut self) -> WasiCtxView<'_> {
            WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
        }
    }

    /// Regression: the guest's WASI wall clock was the machine's, not the injected clock.
    #[test]
    fn the_guest_s_wasi_clocks_are_the_host_s_clock() {
        let clock = Arc::new(SetClock(AtomicI64::new(1_000_000_123)));
        let shared: Arc<dyn Clock> = clock.clone();
        let mut guest =
            Guest { wasi: sandbox_wasi(&MemoryOutputPipe::new(64), &shared), table: ResourceTable::new() };
        let mut clocks = guest.clocks();

        let now = wall_clock::Host::now(&mut clocks).unwrap();
        assert_eq!((now.seconds, now.nanoseconds), (1_000_000, 123_000_000));
        let first = monotonic_clock::Host::now(&mut clocks).unwrap();
        assert_eq!(first, 1_000_000_123 * 1_000_000);

        clock.0.store(1_000_002_000, Ordering::SeqCst);
        assert_eq!(wall_clock::Host::now(&mut clocks).unwrap().seconds, 1_000_002);
        assert_eq!(monotonic_clock::Host::now(&mut clocks).unwrap() - first, 1_877 * 1_000_000);

        // Set back, the wall clock follows; the monotonic clock holds rather than go back.
        clock.0.store(5_000, Ordering::SeqCst);
        assert_eq!(wall_clock::Host::now(&mut clocks).unwrap().seconds, 5);
        assert_eq!(monotonic_clock::Host::now(&mut clocks).unwrap() - first, 1_877 * 1_000_000);
    }
}
