//! The daemon's shared state: what every service reads and nothing else owns.
//!
//! [`State`] holds the store, the plugin host, the current configuration (settings, accounts and
//! policy, swapped whole on reload, so a reader never sees half a configuration), each account's
//! health and credential, and the executor's wake-up. [`Loaded::load`] is the one path from a
//! configuration to what runs, for start, reload and `--check-config`. Services (`poller`,
//! `executor`, `scheduler`, `socket`) import this module; none imports the lifecycle in
//! `daemon`, which starts them.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};

use anyhow::Context;
use rapport_core::UnixSeconds;
use rapport_core::gate::GateDecision;
use rapport_core::platform::{Access, Description, PluginError};
use rapport_core::task::{ActionKind, Task, TaskState, Transition};
use rapport_host::clock::Clock;
use rapport_host::{CallError, CallFailure, HostConfig, PluginHost};
use rapport_store::{Store, StoreError};
use tokio::sync::Notify;

use crate::accounts::{Account, KvFor, LoadedAccounts, Unloaded, load_accounts, store_kv};
use crate::policy::Policy;
use crate::settings::Settings;

/// How an account's polling and credential go, for `rapport status` and the executor.
#[derive(Debug, Clone, Default)]
pub struct AccountHealth {
    /// When the last poll ended.
    pub last_poll: Option<UnixSeconds>,
    /// The last poll's error, if it failed.
    pub last_error: Option<String>,
    /// Failed polls in a row.
    pub failures: u32,
    /// What the last credential check found, when the plugin could make one.
    pub access: Option<Access>,
    /// Why the platform refused the credential, until a check (at start, on reload) finds it
    /// working again. While set, the account's approved tasks are held, not sent.
    pub credential_refused: Option<String>,
}

impl AccountHealth {
    /// Why `action` cannot go out with this credential, if it cannot.
    pub fn credential_block(&self, action: ActionKind) -> Option<String> {
        if let Some(why) = &self.credential_refused {
            return Some(format!("the platform refused the account's credential ({why}); {FIX_CREDENTIAL}"));
        }
        let missing = self.access.as_ref()?.blocks(action)?;
        Some(format!("the account's credential lacks the permission {missing}; {FIX_CREDENTIAL}"))
    }
}

/// What a person does about a refused credential; the executor resumes after it.
const FIX_CREDENTIAL: &str = "fix the token (its secret file) and reload rapportd (SIGHUP, `systemctl reload rapportd`); held tasks then go out";

/// What the whole process shares.
pub struct State {
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
pub struct Loaded {
    settings: Arc<Settings>,
    accounts: Arc<Vec<Account>>,
    unloaded: Arc<Vec<Unloaded>>,
    policy: Arc<Policy>,
}

impl State {
    /// Opens the store, recovers interrupted sends, and loads every account's plugin; an account
    /// whose plugin fails is set aside, not fatal.
    pub async fn start(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Arc<State>> {
        let store = Arc::new(Store::open(&settings.data_dir)?);
        let mut host_config = HostConfig::new(settings.data_dir.join("plugin-cache"));
        host_config.clock = Arc::clone(&clock);
        let host = PluginHost::new(host_config).context("starting the plugin host")?;
        let loaded = Loaded::load(&host, settings, &store_kv(&store)).await?;
        let started_at = clock.now_seconds();
        let daemon = Arc::new(State {
            store,
            host,
            clock,
            executor_wake: Notify::new(),
            started_at,
            loaded: RwLock::new(Arc::new(loaded)),
            health: Mutex::new(BTreeMap::new()),
        });
        let parked = daemon.recover_interrupted()?;
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

    /// Turns tasks left `executing` by a crash into `needs-check` (the platform may or may not
    /// have them, so a person decides); returns how many.
    fn recover_interrupted(&self) -> Result<usize, StoreError> {
        let interrupted: Vec<Task> = self.store.in_state(TaskState::Executing).collect::<Result<_, _>>()?;
        for task in &interrupted {
            self.store.transition(task.id, Transition::Interrupted, self.now())?;
            tracing::warn!(task = %task.id, account = %task.account, "send interrupted by a stop; needs a person's check");
        }
        Ok(interrupted.len())
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

    /// Records the outcome of a poll: fine, or why it failed. (A refused credential among the
    /// failures is also given to [`State::record_refusal`] by the poller.)
    pub fn record_poll(&self, account: &str, outcome: Result<(), String>) {
        let mut health = self.health.lock().unwrap_or_else(|p| p.into_inner());
        let entry = health.entry(account.to_owned()).or_default();
        entry.last_poll = Some(self.now());
        match outcome {
            Ok(()) => {
                entry.last_error = None;
                entry.failures = 0;
            }
            Err(why) => {
                entry.last_error = Some(why);
                entry.failures = entry.failures.saturating_add(1);
            }
        }
    }

    /// Notes a refused credential if `err` is one (`auth`): the account's approved tasks are held
    /// until a check finds the credential working again.
    pub fn record_refusal(&self, account: &str, err: &CallError) {
        let CallFailure::Plugin(PluginError::Auth(why)) = &err.failure else { return };
        let mut health = self.health.lock().unwrap_or_else(|p| p.into_inner());
        let entry = health.entry(account.to_owned()).or_default();
        if entry.credential_refused.is_none() {
            tracing::error!(account, reason = %why, "the platform refused the account's credential; its approved tasks are held until it is fixed and rapportd reloaded");
        }
        entry.credential_refused = Some(why.clone());
    }

    /// Records what a credential check found. A check that reaches the platform settles the
    /// credential either way: refused (`auth`), or working (with any permissions it lacks), in
    /// which case tasks held for it are decided again. A check that could not reach the platform
    /// changes nothing.
    pub fn record_access(&self, account: &str, result: Result<Option<Access>, CallError>) {
        let access = match result {
            Ok(access) => access,
            Err(err) => {
                if matches!(err.failure, CallFailure::Plugin(PluginError::Auth(_))) {
                    self.record_refusal(account, &err);
                } else {
                    tracing::warn!(account, error = %err, "could not check the account's credential; trying again at the next reload");
                }
                return;
            }
        };
        if let Some(missing) = access.as_ref().filter(|a| !a.missing.is_empty()) {
            let list: Vec<String> = missing.missing.iter().map(ToString::to_string).collect();
            tracing::error!(account, missing = %list.join("; "), "the account's credential lacks permissions; the tasks that need them are held");
        }
        let lifted = {
            let mut health = self.health.lock().unwrap_or_else(|p| p.into_inner());
            let entry = health.entry(account.to_owned()).or_default();
            let was_blocked = entry.credential_refused.is_some()
                || entry.access.as_ref().is_some_and(|a| !a.missing.is_empty());
            entry.credential_refused = None;
            entry.access = access;
            was_blocked
        };
        if lifted && let Err(err) = self.redecide_policy_holds() {
            tracing::error!(account, %err, "could not release the tasks held for the credential");
        }
    }

    /// Why `action` cannot go out for `account` with its credential as last seen, if it cannot.
    pub fn credential_block(&self, account: &str, action: ActionKind) -> Option<String> {
        self.health.lock().unwrap_or_else(|p| p.into_inner()).get(account)?.credential_block(action)
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
        self.install(Loaded::load(&self.host, settings, &store_kv(&self.store)).await?)
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
    /// The one path from a configuration to what runs, for start, reload and `--check-config`
    /// alike: every account's plugin loaded and bound (an account whose plugin fails is set
    /// aside with why), and the policy compiled against the platforms that loaded.
    pub async fn load(host: &PluginHost, settings: Settings, kv: &KvFor<'_>) -> anyhow::Result<Loaded> {
        let accounts = load_accounts(host, &settings.config, &settings.secrets, kv).await;
        Loaded::new(settings, accounts)
    }

    /// The accounts ready to poll and execute.
    pub fn accounts(&self) -> Arc<Vec<Account>> {
        Arc::clone(&self.accounts)
    }

    /// The configured accounts whose plugin failed to load, with why.
    pub fn unloaded(&self) -> Arc<Vec<Unloaded>> {
        Arc::clone(&self.unloaded)
    }

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
