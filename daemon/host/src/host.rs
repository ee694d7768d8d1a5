//! [`PluginHost`]: the one wasmtime engine, its epoch ticker, the linker, and plugin loading.
//!
//! Loading compiles (or reuses cached machine code), refuses a component built for another
//! contract version before anything else looks at it, pre-instantiates it against the host's
//! imports, and calls `describe` once so the daemon knows the plugin's capabilities and hosts.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rapport_core::platform::RateLimitSnapshot;
use wasmtime::component::{HasSelf, Linker};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::bindings::{CallState, v0_1, v0_2};
use crate::clock::{Clock, SystemClock};
use crate::egress::grant::{EgressGrant, parse_patterns};
use crate::egress::ratelimit::RateLimitBook;
use crate::egress::secrets::Secrets;
use crate::egress::transport::{HttpTransport, ReqwestTransport};
use crate::epoch::EpochTicker;
use crate::error::HostError;
use crate::kv::MemoryKv;
use crate::limits::CallLimits;
use crate::plugin::{AccountBinding, AccountContext, Call, LoadReport, Plugin, Pre};
use crate::{SUPPORTED_CONTRACTS, cache};

/// The WIT package every plugin import and export belongs to.
const PACKAGE: &str = "rapport:platform/";

/// How the host runs plugins.
#[derive(Clone)]
pub struct HostConfig {
    /// Where compiled plugins are cached; created if missing.
    pub cache_dir: PathBuf,
    /// Caps applied to every call.
    pub limits: CallLimits,
    /// How often the epoch advances; one tick is the unit of [`CallLimits::cpu_ticks`].
    pub epoch_tick: Duration,
    /// The clock plugins see.
    pub clock: Arc<dyn Clock>,
}

impl HostConfig {
    /// Default limits, a 10 ms epoch tick and the system clock, caching in `cache_dir`.
    pub fn new(cache_dir: impl Into<PathBuf>) -> Self {
        Self {
            cache_dir: cache_dir.into(),
            limits: CallLimits::default(),
            epoch_tick: Duration::from_millis(10),
            clock: Arc::new(SystemClock),
        }
    }
}

/// Calls that may run at once, across all plugins, when the pooling allocator serves them.
const POOLED_CALLS: u32 = 128;

/// The engine every plugin runs on. A fresh store per call would otherwise map and unmap a
/// linear-memory reservation and a fiber stack each time, and fault in every page the guest
/// touches; the pooling allocator reuses slots instead, keeping the first pages of each memory
/// resident. Pooling reserves address space up front, which some machines refuse (a `ulimit -v`,
/// a small VA space): then the engine falls back to allocating on demand, only slower.
fn new_engine(limits: &CallLimits) -> Result<Engine, HostError> {
    let mut config = Config::new();
    config.epoch_interruption(true).max_wasm_stack(512 << 10).wasm_component_model(true);
    let mut pool = PoolingAllocationConfig::new();
    pool.total_component_instances(POOLED_CALLS)
        .total_memories(POOLED_CALLS)
        .total_stacks(POOLED_CALLS)
        .total_core_instances(POOLED_CALLS * 8)
        .total_tables(POOLED_CALLS * 8)
        .max_core_instances_per_component(16)
        .max_memories_per_component(2)
        .max_tables_per_component(16)
        .max_memory_size(limits.memory_bytes)
        .linear_memory_keep_resident(8 << 20)
        .table_keep_resident(64 << 10);
    let mut pooled = config.clone();
    pooled.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    match Engine::new(&pooled) {
        Ok(engine) => Ok(engine),
        Err(e) => {
            tracing::warn!(
                reason = %crate::error_chain(&e),
                "the pooling allocator is unavailable here; plugin calls allocate on demand (slower)"
            );
            Engine::new(&config).map_err(|e| HostError::Engine(crate::error_chain(&e)))
        }
    }
}

/// The WASI interfaces Rust's standard library imports even when a plugin never uses them (the
/// command-line streams, environment and exit, I/O streams, clocks, random seeds), behind an
/// empty `WasiCtx` (see `plugin::Call::start`): no arguments, no environment, stderr captured.
/// `wasi:filesystem` and `wasi:sockets` are not linked at all, so a plugin that imports them is
/// refused at load instead of finding an interface that merely says no.
fn add_wasi_to_linker(linker: &mut Linker<CallState>) -> wasmtime::Result<()> {
    use wasmtime_wasi::cli::{WasiCli, WasiCliView};
    use wasmtime_wasi::clocks::{WasiClocks, WasiClocksView};
    use wasmtime_wasi::p2::bindings::{cli, clocks, random};
    use wasmtime_wasi::random::{WasiRandom, WasiRandomView};
    use wasmtime_wasi_io::bindings::wasi::io;

    /// The I/O interfaces reach only the call's resource table.
    struct Io;
    impl wasmtime::component::HasData for Io {
        type Data<'a> = &'a mut wasmtime::component::ResourceTable;
    }
    fn table(state: &mut CallState) -> &mut wasmtime::component::ResourceTable {
        wasmtime_wasi::WasiView::ctx(state).table
    }
    io::error::add_to_linker::<CallState, Io>(linker, table)?;
    io::poll::add_to_linker::<CallState, Io>(linker, table)?;
    io::streams::add_to_linker::<CallState, Io>(linker, table)?;
    clocks::wall_clock::add_to_linker::<CallState, WasiClocks>(linker, CallState::clocks)?;
    clocks::monotonic_clock::add_to_linker::<CallState, WasiClocks>(linker, CallState::clocks)?;
    random::random::add_to_linker::<CallState, WasiRandom>(linker, CallState::random)?;
    random::insecure::add_to_linker::<CallState, WasiRandom>(linker, CallState::random)?;
    random::insecure_seed::add_to_linker::<CallState, WasiRandom>(linker, CallState::random)?;
    cli::exit::add_to_linker::<CallState, WasiCli>(linker, CallState::cli)?;
    cli::environment::add_to_linker::<CallState, WasiCli>(linker, CallState::cli)?;
    cli::stdin::add_to_linker::<CallState, WasiCli>(linker, CallState::cli)?;
    cli::stdout::add_to_linker::<CallState, WasiCli>(linker, CallState::cli)?;
    cli::stderr::add_to_linker::<CallState, WasiCli>(linker, CallState::cli)?;
    cli::terminal_input::add_to_linker::<CallState, WasiCli>(linker, CallState::cli)?;
    cli::terminal_output::add_to_linker::<CallState, WasiCli>(linker, CallState::cli)?;
    cli::terminal_stdin::add_to_linker::<CallState, WasiCli>(linker, CallState::cli)?;
    cli::terminal_stdout::add_to_linker::<CallState, WasiCli>(linker, CallState::cli)?;
    cli::terminal_stderr::add_to_linker::<CallState, WasiCli>(linker, CallState::cli)?;
    Ok(())
}

/// What every call of every plugin shares.
pub(crate) struct Shared {
    pub engine: Engine,
    pub limits: CallLimits,
    pub transport: Arc<dyn HttpTransport>,
    pub clock: Arc<dyn Clock>,
    pub rate_limits: Arc<RateLimitBook>,
    pub ticker: EpochTicker,
}

/// Runs platform plugins in a sandbox; one per daemon.
#[derive(Clone)]
pub struct PluginHost {
    shared: Arc<Shared>,
    linker: Arc<Linker<CallState>>,
    cache_dir: PathBuf,
}

impl PluginHost {
    /// A host whose plugins reach the network through reqwest.
    pub fn new(config: HostConfig) -> Result<Self, HostError> {
        let transport = ReqwestTransport::new().map_err(|e| HostError::Http(e.to_string()))?;
        Self::with_transport(config, Arc::new(transport))
    }

    /// A host whose plugins' HTTP exchanges go to `transport` (after every egress check), e.g. a
    /// scripted one in the SDK test harness.
    pub fn with_transport(config: HostConfig, transport: Arc<dyn HttpTransport>) -> Result<Self, HostError> {
        let engine = new_engine(&config.limits)?;
        let ticker = EpochTicker::spawn(&engine, config.epoch_tick)?;

        let mut linker = Linker::new(&engine);
        add_wasi_to_linker(&mut linker).map_err(|e| HostError::Engine(crate::error_chain(&e)))?;
        // Every supported contract version is linked side by side; each plugin binds to its own.
        v0_1::Platform::add_to_linker::<CallState, HasSelf<CallState>>(&mut linker, |state| state)
            .map_err(|e| HostError::Engine(crate::error_chain(&e)))?;
        v0_2::Platform::add_to_linker::<CallState, HasSelf<CallState>>(&mut linker, |state| state)
            .map_err(|e| HostError::Engine(crate::error_chain(&e)))?;

        std::fs::create_dir_all(&config.cache_dir)
            .map_err(|error| HostError::Cache { path: config.cache_dir.clone(), error })?;
        Ok(Self {
            shared: Arc::new(Shared {
                engine,
                limits: config.limits,
                transport,
                clock: config.clock,
                rate_limits: Arc::new(RateLimitBook::default()),
                ticker,
            }),
            linker: Arc::new(linker),
            cache_dir: config.cache_dir,
        })
    }

    /// Loads the plugin component at `path`: compile or reuse the cache, check the contract
    /// version, pre-instantiate, and call `describe` once.
    pub async fn load(&self, path: impl AsRef<Path>) -> Result<Plugin, HostError> {
        let path = path.as_ref();
        let wasm =
            tokio::fs::read(path).await.map_err(|error| HostError::Read { path: path.to_owned(), error })?;
        let loaded = cache::load(&self.shared.engine, &self.cache_dir, path, wasm).await?;
        let contract = check_contract(&self.shared.engine, &loaded.component, path)?;

        let invalid =
            |e: wasmtime::Error| HostError::Invalid { path: path.to_owned(), reason: crate::error_chain(&e) };
        let instance_pre = self.linker.instantiate_pre(&loaded.component).map_err(invalid)?;
        let pre = match contract {
            "0.1.0" => Pre::V0_1(v0_1::PlatformPre::new(instance_pre).map_err(invalid)?),
            _ => Pre::V0_2(v0_2::PlatformPre::new(instance_pre).map_err(invalid)?),
        };

        let describe_failed = |reason: String| HostError::Describe { path: path.to_owned(), reason };
        let name: Arc<str> = Arc::from(file_label(path));
        let call = Call::start(&self.shared, &pre, &name, &Arc::from([]), &load_binding(), "describe")
            .await
            .map_err(|e| describe_failed(e.failure.to_string()))?;
        let description = call.describe().await.map_err(|e| describe_failed(e.failure.to_string()))?;
        if description.contract != contract {
            return Err(describe_failed(format!(
                "describe() reports contract {}, but the component is built for {contract}",
                description.contract
            )));
        }
        if description.name.trim().is_empty() {
            return Err(describe_failed("describe() returned an empty name".to_owned()));
        }
        let hosts = parse_patterns(&description.hosts).map_err(|e| describe_failed(e.to_string()))?;
        let report = LoadReport {
            path: path.to_owned(),
            compiled: loaded.compiled,
            cache_file: loaded.cache_file,
            wasm_sha256: loaded.wasm_sha256,
        };
        tracing::info!(plugin = %description.name, path = %path.display(), compiled = report.compiled, "plugin loaded");
        Ok(Plugin::new(
            Arc::from(description.name.as_str()),
            description,
            hosts,
            pre,
            report,
            self.shared.clone(),
        ))
    }

    /// The latest rate-limit headers seen on `account`'s responses, if any carried them.
    pub fn rate_limit(&self, account: &str) -> Option<RateLimitSnapshot> {
        self.shared.rate_limits.get(account)
    }
}

/// The contract version a component is built for: every `rapport:platform` import and export
/// must carry the same one, and the host must support it.
fn check_contract(
    engine: &Engine,
    component: &wasmtime::component::Component,
    path: &Path,
) -> Result<&'static str, HostError> {
    let ty = component.component_type();
    let names: Vec<&str> =
        ty.imports(engine).map(|(n, _)| n).chain(ty.exports(engine).map(|(n, _)| n)).collect();
    let mut exports_plugin = false;
    let mut contract: Option<&'static str> = None;
    for name in names {
        let Some(rest) = name.strip_prefix(PACKAGE) else { continue };
        let (interface, version) = rest.split_once('@').unwrap_or((rest, "(unversioned)"));
        let refused = || HostError::ContractVersion {
            path: path.to_owned(),
            found: version.to_owned(),
            supported: crate::SUPPORTED_CONTRACTS_LIST,
        };
        let known = SUPPORTED_CONTRACTS.iter().copied().find(|v| *v == version).ok_or_else(refused)?;
        match contract {
            Some(first) if first != known => {
                return Err(HostError::Invalid {
                    path: path.to_owned(),
                    reason: format!(
                        "it mixes contract versions {first} and {known}; build it against one SDK"
                    ),
                });
            }
            _ => contract = Some(known),
        }
        exports_plugin |= interface == "plugin";
    }
    match contract {
        Some(contract) if exports_plugin => Ok(contract),
        _ => Err(HostError::Invalid {
            path: path.to_owned(),
            reason: format!(
                "it does not export {PACKAGE}plugin (any of @{})",
                crate::SUPPORTED_CONTRACTS_LIST
            ),
        }),
    }
}

/// The binding `describe` runs with at load: no account, no grant, no secrets.
fn load_binding() -> AccountBinding {
    AccountBinding {
        context: AccountContext { name: "(load)".to_owned(), ..AccountContext::default() },
        egress: EgressGrant::default(),
        secrets: Secrets::default(),
        kv: Arc::new(MemoryKv::new()),
    }
}

fn file_label(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}
