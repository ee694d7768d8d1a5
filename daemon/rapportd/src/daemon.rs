//! The daemon's shared state and its lifecycle: start, reload on SIGHUP, stop on SIGTERM.
//!
//! [`Daemon`] is what every task of the process shares: the store, the plugin host, the current
//! settings and accounts (swapped whole on reload, so a reader never sees half a configuration),
//! each account's health, and the executor's wake-up. An account whose plugin fails to load is
//! set aside with its reason (see [`load_accounts`]) while the others run; a reload tries it
//! again. [`run`] wires the pollers, the executor, the scheduler and the socket server together
//! and owns the signals.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use anyhow::Context;
use rapport_core::UnixSeconds;
use rapport_host::clock::{Clock, SystemClock};
use rapport_host::{HostConfig, PluginHost};
use rapport_store::Store;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

use rapport_core::gate::GateDecision;
use rapport_core::platform::Description;
use rapport_core::task::Task;
use rapport_store::StoreError;

use crate::accounts::{Account, LoadedAccounts, Unloaded, load_accounts, load_plugins};
use crate::policy::Policy;
use crate::poller::{PollError, PollReport};
use crate::settings::Settings;
use crate::{executor, poller, scheduler, socket, systemd};

/// How an account's polling goes, for `rapport status`.
#[derive(Debug, Clone, Default)]
pub struct AccountHealth {
    /// When the last poll ended.
    pub last_poll: Option<UnixSeconds>,
    /// The last poll's error, if it failed.
    pub last_error: Option<String>,
    /// Failed polls in a row.
    pub failures: u32,
}

/// What the whole process shares.
pub struct Daemon {
    /// The store.
    pub store: Arc<Store>,
    /// The plugin host.
    pub host: PluginHost,
    /// The clock every decision uses (injected in tests).
    pub clock: Arc<dyn Clock>,
    /// Wakes the executor when a task is approved.
    pub executor_wake: Notify,
    /// When the daemon started.
    pub started_at: UnixSeconds,
    loaded: RwLock<Arc<Loaded>>,
    health: Mutex<BTreeMap<String, AccountHealth>>,
}

/// What one reading of the configuration produced; swapped whole on reload.
struct Loaded {
    settings: Arc<Settings>,
    accounts: Arc<Vec<Account>>,
    unloaded: Arc<Vec<Unloaded>>,
    policy: Arc<Policy>,
}

impl Daemon {
    /// Opens the store, recovers interrupted sends, and loads every account's plugin; an account
    /// whose plugin fails is set aside, not fatal.
    pub async fn start(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Arc<Daemon>> {
        let store = Arc::new(Store::open(&settings.data_dir)?);
        let mut host_config = HostConfig::new(settings.data_dir.join("plugin-cache"));
        host_config.clock = Arc::clone(&clock);
        let host = PluginHost::new(host_config).context("starting the plugin host")?;
        let accounts = load_accounts(&host, &store, &settings.config.accounts, &settings.secrets).await;
        let loaded = Loaded::new(settings, accounts)?;
        let started_at = clock.now_seconds();
        let daemon = Arc::new(Daemon {
            store,
            host,
            clock,
            executor_wake: Notify::new(),
            started_at,
            loaded: RwLock::new(Arc::new(loaded)),
            health: Mutex::new(BTreeMap::new()),
        });
        let parked = executor::recover(&daemon)?;
        if parked > 0 {
            tracing::warn!(
                parked,
                "tasks interrupted mid-send need a person's check: `rapport queue --state needs-check`"
            );
        }
        // The configuration may have changed while rapportd was down.
        daemon.redecide_policy_holds()?;
        Ok(daemon)
    }

    /// Seconds since the Unix epoch, by the daemon's clock.
    pub fn now(&self) -> UnixSeconds {
        self.clock.now_seconds()
    }

    fn loaded(&self) -> Arc<Loaded> {
        Arc::clone(&self.loaded.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// The settings in force.
    pub fn settings(&self) -> Arc<Settings> {
        Arc::clone(&self.loaded().settings)
    }

    /// The accounts in force.
    pub fn accounts(&self) -> Arc<Vec<Account>> {
        Arc::clone(&self.loaded().accounts)
    }

    /// The configured accounts whose plugin failed to load, with why; they wait for a reload.
    pub fn unloaded(&self) -> Arc<Vec<Unloaded>> {
        Arc::clone(&self.loaded().unloaded)
    }

    /// The policy in force.
    pub fn policy(&self) -> Arc<Policy> {
        Arc::clone(&self.loaded().policy)
    }

    /// Whether `task` may go out now for `account` (the executor's gate hook).
    pub fn gate(&self, account: &Account, task: &Task, now: UnixSeconds) -> Result<GateDecision, StoreError> {
        let snapshot = self.host.rate_limit(account.name());
        self.policy().decide(&self.store, account, task, snapshot.as_ref(), now)
    }

    /// The account with this name, if configured.
    pub fn account(&self, name: &str) -> Option<Account> {
        self.accounts().iter().find(|a| a.name() == name).cloned()
    }

    /// Each account's polling health.
    pub fn health(&self) -> BTreeMap<String, AccountHealth> {
        self.health.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Records the outcome of a poll.
    pub fn record_poll(&self, account: &str, result: Result<&PollReport, &PollError>) {
        let mut health = self.health.lock().unwrap_or_else(|p| p.into_inner());
        let entry = health.entry(account.to_owned()).or_default();
        entry.last_poll = Some(self.now());
        match result {
            Ok(_) => {
                entry.last_error = None;
                entry.failures = 0;
            }
            Err(err) => {
                entry.last_error = Some(err.to_string());
                entry.failures = entry.failures.saturating_add(1);
            }
        }
    }

    /// Re-reads the configuration and reloads the plugins. An invalid configuration is refused
    /// whole and the old one stays; an account whose plugin fails is set aside, like at start.
    pub async fn reload(&self) -> anyhow::Result<()> {
        let file = self.settings().file.clone();
        let settings = Settings::load(&file)?;
        let current = self.settings();
        if settings.data_dir != current.data_dir || settings.socket != current.socket {
            anyhow::bail!(
                "{}: `data_dir` and `socket` cannot change on reload; restart rapportd for that",
                file.display()
            );
        }
        let accounts =
            load_accounts(&self.host, &self.store, &settings.config.accounts, &settings.secrets).await;
        self.install(Loaded::new(settings, accounts)?)
    }

    /// Recompiles the policy after the content library changed on disk (`rapport post add`).
    pub fn reload_policy(&self) -> anyhow::Result<()> {
        let loaded = self.loaded();
        let policy = Policy::compile(&loaded.settings, platforms(&loaded.accounts))?;
        self.install(Loaded {
            settings: Arc::clone(&loaded.settings),
            accounts: Arc::clone(&loaded.accounts),
            unloaded: Arc::clone(&loaded.unloaded),
            policy: Arc::new(policy),
        })
    }

    /// Puts a new configuration in force; tasks the old policy held are decided again.
    fn install(&self, loaded: Loaded) -> anyhow::Result<()> {
        *self.loaded.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(loaded);
        self.redecide_policy_holds()
    }

    fn redecide_policy_holds(&self) -> anyhow::Result<()> {
        let released = self.store.release_policy_holds()?;
        if released > 0 {
            tracing::info!(released, "policy changed: held tasks are decided again");
            self.executor_wake.notify_one();
        }
        Ok(())
    }
}

impl Loaded {
    /// Compiles the policy for the accounts that loaded.
    fn new(settings: Settings, accounts: LoadedAccounts) -> anyhow::Result<Loaded> {
        let policy = Policy::compile(&settings, platforms(&accounts.ready))?;
        Ok(Loaded {
            settings: Arc::new(settings),
            accounts: Arc::new(accounts.ready),
            unloaded: Arc::new(accounts.unloaded),
            policy: Arc::new(policy),
        })
    }
}

/// Each account's name with what its plugin declares, for [`Policy::compile`].
fn platforms(accounts: &[Account]) -> impl Iterator<Item = (&str, &Description)> {
    accounts.iter().map(|a| (a.name(), a.description()))
}

/// Validates a configuration as a start would, without opening the store or the socket: loads
/// each plugin (to learn its platform and ceilings) and compiles the policy against them.
/// Returns one line per account for the person checking.
pub async fn check(settings: &Settings) -> anyhow::Result<Vec<String>> {
    let host = PluginHost::new(HostConfig::new(settings.data_dir.join("plugin-cache")))
        .context("starting the plugin host")?;
    let accounts = &settings.config.accounts;
    let plugins = load_plugins(&host, accounts).await?;
    let names = accounts.iter().map(|a| a.name.as_str());
    Policy::compile(settings, names.clone().zip(plugins.iter().map(|p| p.description())))?;
    Ok(names
        .zip(&plugins)
        .map(|(name, plugin)| {
            let d = plugin.description();
            format!("account `{name}`: {} plugin {} {}", d.platform, d.name, d.version)
        })
        .collect())
}

/// Runs the daemon until SIGTERM or SIGINT.
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let socket_path: PathBuf = settings.socket.clone();
    let socket_config = settings.config.socket.clone();
    let daemon = Daemon::start(settings, Arc::new(SystemClock)).await?;
    let listener = socket::bind(&socket_path, socket_config.as_ref())?;
    let (shutdown_tx, shutdown) = watch::channel(false);

    let mut services = JoinSet::new();
    services.spawn(socket::serve(Arc::clone(&daemon), listener, shutdown.clone()));
    services.spawn(executor::run(Arc::clone(&daemon), shutdown.clone()));
    services.spawn(scheduler::run(Arc::clone(&daemon), shutdown.clone()));
    let mut pollers = spawn_pollers(&daemon, &shutdown);
    systemd::ready();
    tracing::info!(
        socket = %socket_path.display(),
        accounts = daemon.accounts().len(),
        skipped = daemon.unloaded().len(),
        "rapportd is ready"
    );

    let mut hangup = signal(SignalKind::hangup())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    loop {
        tokio::select! {
            _ = hangup.recv() => {
                systemd::reloading();
                match daemon.reload().await {
                    Ok(()) => {
                        // Pollers follow the new accounts; queued work stays in the store.
                        pollers.abort_all();
                        pollers = spawn_pollers(&daemon, &shutdown);
                        tracing::info!(
                            accounts = daemon.accounts().len(),
                            skipped = daemon.unloaded().len(),
                            "configuration reloaded"
                        );
                    }
                    Err(err) => tracing::error!("reload refused, the previous configuration stays: {err:#}"),
                }
                systemd::reloaded();
            }
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
        }
    }
    systemd::stopping();
    tracing::info!("stopping: letting in-flight sends finish");
    let _ = shutdown_tx.send(true);
    pollers.abort_all();
    while services.join_next().await.is_some() {}
    daemon.store.flush()?;
    socket::remove(&socket_path);
    tracing::info!("stopped");
    Ok(())
}

fn spawn_pollers(daemon: &Arc<Daemon>, shutdown: &watch::Receiver<bool>) -> JoinSet<()> {
    let mut pollers = JoinSet::new();
    for account in daemon.accounts().iter() {
        pollers.spawn(poller::run(Arc::clone(daemon), account.clone(), shutdown.clone()));
    }
    pollers
}
