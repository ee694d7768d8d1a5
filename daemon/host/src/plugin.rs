//! A loaded plugin and its calls: a fresh sandboxed `Store` per call, converted answers out.
//!
//! Each call instantiates from the cached pre-instantiation (microseconds), runs under the memory
//! cap, the CPU tick budget and a wall-clock deadline, and drops the store afterwards, so a trap,
//! timeout or runaway allocation loses that call only and leaks nothing into the next.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rapport_core::notification::Profile;
use rapport_core::platform::{AccountPage, ActionOutcome, Description, NotificationPage, Relationship};
use rapport_core::task::Action;
use tokio::time::{Instant, timeout_at};
use wasmtime::Store;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::WasiCtxBuilder;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;

use crate::bindings::{self, CallState, PlatformPre};
use crate::egress::Session;
use crate::egress::grant::{EgressGrant, HostPattern};
use crate::egress::secrets::Secrets;
use crate::epoch::RunningCall;
use crate::error::{CallError, CallFailure};
use crate::host::Shared;
use crate::kv::PluginKv;
use crate::limits::{Exceeded, Meter};

/// Bytes of guest stderr kept per call, for the error report when it traps.
const STDERR_CAPACITY: usize = 8 << 10;

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
    pre: PlatformPre<CallState>,
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

/// A store ready for one call, with what is needed to report its failure.
pub(crate) struct Call {
    store: Store<CallState>,
    /// Keeps the epoch ticking (the CPU budget's clock) while the call lives.
    _running: RunningCall,
    platform: bindings::Platform,
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
        pre: &PlatformPre<CallState>,
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
            // Empty on purpose: no environment, arguments, preopened directories or network.
            wasi: WasiCtxBuilder::new().stderr(stderr.clone()).build(),
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
        let trap = match timeout_at(deadline, pre.instantiate_async(&mut store)).await {
            Ok(Ok(platform)) => {
                return Ok(Self {
                    store,
                    _running: running,
                    platform,
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
        let run = self.platform.rapport_platform_plugin().call_describe(&mut self.store);
        let outcome = timeout_at(self.deadline, run).await;
        let (_call, description) = call_settle(self, outcome)?;
        Ok(bindings::description(description))
    }

    fn fail(&self, failure: CallFailure) -> CallError {
        tracing::warn!(plugin = %self.plugin, account = %self.account, call = self.name, error = %failure, "plugin call failed");
        CallError { plugin: self.plugin.to_string(), account: self.account.clone(), call: self.name, failure }
    }

    /// Maps the plugin's own `result` and converts its value, treating a conversion error as malformed.
    fn answer<W, T>(
        &self,
        result: Result<W, bindings::WitPluginError>,
        convert: impl FnOnce(W) -> Result<T, String>,
    ) -> Result<T, CallError> {
        match result {
            Ok(value) => convert(value).map_err(|why| self.fail(CallFailure::Malformed(why))),
            Err(e) => Err(self.fail(CallFailure::Plugin(bindings::plugin_error(e)))),
        }
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
        pre: PlatformPre<CallState>,
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

    /// The next page of notifications after `cursor`.
    pub async fn fetch_notifications(
        &self,
        binding: &AccountBinding,
        cursor: Option<String>,
    ) -> Result<NotificationPage, CallError> {
        let mut call = self.start(binding, "fetch-notifications").await?;
        let run = call
            .platform
            .rapport_platform_plugin()
            .call_fetch_notifications(&mut call.store, cursor.as_deref());
        let outcome = timeout_at(call.deadline, run).await;
        let result = call_settle(call, outcome)?;
        result.0.answer(result.1, bindings::notification_page)
    }

    /// Performs an approved action; `idempotency_key` stays the same across retries of one task.
    pub async fn execute(
        &self,
        binding: &AccountBinding,
        idempotency_key: &str,
        action: &Action,
    ) -> Result<ActionOutcome, CallError> {
        let request = bindings::action_request(idempotency_key, action);
        let mut call = self.start(binding, "execute").await?;
        let run = call.platform.rapport_platform_plugin().call_execute(&mut call.store, &request);
        let outcome = timeout_at(call.deadline, run).await;
        let result = call_settle(call, outcome)?;
        result.0.answer(result.1, |o| Ok(bindings::outcome(o)))
    }

    /// The account with this platform id.
    pub async fn lookup_account(&self, binding: &AccountBinding, id: &str) -> Result<Profile, CallError> {
        let mut call = self.start(binding, "lookup-account").await?;
        let run = call.platform.rapport_platform_plugin().call_lookup_account(&mut call.store, id);
        let outcome = timeout_at(call.deadline, run).await;
        let result = call_settle(call, outcome)?;
        result.0.answer(result.1, bindings::profile)
    }

    /// How the acting account stands to the account with this id.
    pub async fn relationship(&self, binding: &AccountBinding, id: &str) -> Result<Relationship, CallError> {
        let mut call = self.start(binding, "relationship").await?;
        let run = call.platform.rapport_platform_plugin().call_relationship(&mut call.store, id);
        let outcome = timeout_at(call.deadline, run).await;
        let result = call_settle(call, outcome)?;
        result.0.answer(result.1, |r| Ok(bindings::relationship(r)))
    }

    /// One page of the acting account's followers.
    pub async fn list_followers(
        &self,
        binding: &AccountBinding,
        cursor: Option<String>,
    ) -> Result<AccountPage, CallError> {
        let mut call = self.start(binding, "list-followers").await?;
        let run =
            call.platform.rapport_platform_plugin().call_list_followers(&mut call.store, cursor.as_deref());
        let outcome = timeout_at(call.deadline, run).await;
        let result = call_settle(call, outcome)?;
        result.0.answer(result.1, bindings::account_page)
    }

    /// One page of the accounts the acting account follows.
    pub async fn list_following(
        &self,
        binding: &AccountBinding,
        cursor: Option<String>,
    ) -> Result<AccountPage, CallError> {
        let mut call = self.start(binding, "list-following").await?;
        let run =
            call.platform.rapport_platform_plugin().call_list_following(&mut call.store, cursor.as_deref());
        let outcome = timeout_at(call.deadline, run).await;
        let result = call_settle(call, outcome)?;
        result.0.answer(result.1, bindings::account_page)
    }
}

/// Settles the sandbox outcome but keeps the call, so the plugin's own answer can still be reported
/// against it; the store is dropped with the call right after.
fn call_settle<T>(
    call: Call,
    outcome: Result<wasmtime::Result<T>, tokio::time::error::Elapsed>,
) -> Result<(Call, T), CallError> {
    let trap = match outcome {
        Ok(Ok(value)) => return Ok((call, value)),
        Ok(Err(trap)) => Some(trap),
        Err(_elapsed) => None,
    };
    let failure = classify(&call.store, &call.shared.limits, trap);
    Err(call.fail(failure))
}
