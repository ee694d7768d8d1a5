//! The accounts the daemon acts for: each one's configuration, loaded plugin and sandbox binding.
//!
//! Plugins are loaded once per file and shared by the accounts that use them; each account gets its
//! own binding (context, egress grant, secrets, and plugin state scoped to plugin and account in the
//! store), so a plugin acting for one account can never reach another's credentials or state.

use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rapport_core::config::{AccountConfig, Config, ConfigError, Invalid};
use rapport_core::platform::Description;
use rapport_host::egress::grant::EgressGrant;
use rapport_host::kv::{KvError, PluginKv};
use rapport_host::{AccountBinding, AccountContext, HostError, Plugin, PluginHost};
use rapport_store::Store;
use thiserror::Error;

/// Why an account could not be set up.
#[derive(Debug, Error)]
pub enum AccountError {
    /// Its plugin file could not be read: missing, or not readable.
    #[error("account `{account}`: {problem}")]
    PluginFile {
        /// The account.
        account: String,
        /// The problem, located at the account's `plugin` key, with what to do.
        problem: ConfigError,
    },
    /// Its plugin could not be loaded.
    #[error("account `{account}`: {problem}")]
    Plugin {
        /// The account.
        account: String,
        /// Why; the plugin names its file. (Not a `source`: the message already says it.)
        problem: rapport_host::HostError,
    },
    /// Its plugin is for another platform.
    #[error(
        "account `{account}` says platform `{configured}`, but {plugin} is a plugin for `{actual}`; fix `platform` or `plugin`"
    )]
    WrongPlatform {
        /// The account.
        account: String,
        /// The configured platform.
        configured: String,
        /// The plugin file.
        plugin: String,
        /// The plugin's platform.
        actual: String,
    },
    /// An `allowed_hosts` pattern is malformed.
    #[error("account `{account}`: `allowed_hosts`: {problem}")]
    Grant {
        /// The account.
        account: String,
        /// What is wrong.
        problem: String,
    },
}

impl AccountError {
    /// What went wrong, for where the account is already named (the log's fields, `status`).
    pub fn reason(&self) -> String {
        match self {
            AccountError::PluginFile { problem, .. } => problem.to_string(),
            AccountError::Plugin { problem, .. } => problem.to_string(),
            other => other.to_string(),
        }
    }
}

/// One account, ready to poll and execute.
#[derive(Clone)]
pub struct Account {
    /// Its configuration.
    pub config: AccountConfig,
    /// Its platform's plugin.
    pub plugin: Plugin,
    /// What every plugin call for it carries.
    pub binding: AccountBinding,
}

impl Account {
    /// The account's name.
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// What the platform permits.
    pub fn description(&self) -> &Description {
        self.plugin.description()
    }
}

/// Plugin state in the store, scoped to one plugin and one account.
struct StoreKv {
    store: Arc<Store>,
    plugin: String,
    account: String,
}

impl PluginKv for StoreKv {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, KvError> {
        self.store.kv_get(&self.plugin, &self.account, key).map_err(|e| KvError(e.to_string()))
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), KvError> {
        self.store.kv_set(&self.plugin, &self.account, key, value).map_err(|e| KvError(e.to_string()))
    }

    fn delete(&self, key: &str) -> Result<(), KvError> {
        self.store.kv_delete(&self.plugin, &self.account, key).map_err(|e| KvError(e.to_string()))
    }
}

/// A configured account whose plugin could not be set up: it is skipped (no polling, no sends,
/// its tasks wait in the store) until a reload sets it up.
#[derive(Debug, Clone)]
pub struct Unloaded {
    /// Its configuration.
    pub config: AccountConfig,
    /// Why it could not be set up, for `rapport status`.
    pub reason: String,
}

/// What setting up the configured accounts produced.
pub struct LoadedAccounts {
    /// The accounts ready to poll and execute, in configuration order.
    pub ready: Vec<Account>,
    /// The accounts whose plugin failed, in configuration order.
    pub unloaded: Vec<Unloaded>,
}

/// Plugins already loaded, by file: each file is loaded once and shared by its accounts.
type ByFile = BTreeMap<PathBuf, Plugin>;

/// Loads the plugin of `accounts[index]` of `file` (or reuses it from `loaded`) and checks that
/// it serves the configured platform.
async fn load_plugin(
    host: &PluginHost,
    loaded: &mut ByFile,
    file: &Config,
    index: usize,
) -> Result<Plugin, AccountError> {
    let config = &file.accounts[index];
    let plugin = match loaded.get(&config.plugin) {
        Some(plugin) => plugin.clone(),
        None => {
            let plugin = host.load(&config.plugin).await.map_err(|problem| match problem {
                HostError::Read { path, error } => AccountError::PluginFile {
                    account: config.name.clone(),
                    problem: file.locate(vec![Invalid::new(
                        format!("accounts[{index}].plugin"),
                        unreadable_plugin(&path, &error),
                    )]),
                },
                problem => AccountError::Plugin { account: config.name.clone(), problem },
            })?;
            loaded.insert(config.plugin.clone(), plugin.clone());
            plugin
        }
    };
    let platform = &plugin.description().platform;
    if platform != &config.platform {
        return Err(AccountError::WrongPlatform {
            account: config.name.clone(),
            configured: config.platform.clone(),
            plugin: config.plugin.display().to_string(),
            actual: platform.clone(),
        });
    }
    Ok(plugin)
}

/// Why the plugin file at `path` cannot be read, and what to do about it.
fn unreadable_plugin(path: &Path, error: &std::io::Error) -> String {
    let path = path.display();
    match error.kind() {
        ErrorKind::NotFound => format!(
            "there is no plugin file {path}; build the plugins (`cargo xtask plugins` in a rapport checkout) or fix the path"
        ),
        _ => format!(
            "cannot read the plugin file {path} ({error}); let rapportd's user read it or fix the path"
        ),
    }
}

/// Where an account's plugin keeps its state: given the plugin's name and the account's
/// configuration, the key-value store to bind (the store's, or memory for `--check-config`).
pub type KvFor<'a> = dyn Fn(&str, &AccountConfig) -> Arc<dyn PluginKv> + Send + Sync + 'a;

/// Plugin state in `store`, scoped to plugin and account.
pub fn store_kv(
    store: &Arc<Store>,
) -> impl Fn(&str, &AccountConfig) -> Arc<dyn PluginKv> + Send + Sync + use<> {
    let store = Arc::clone(store);
    move |plugin, config| {
        Arc::new(StoreKv {
            store: Arc::clone(&store),
            plugin: plugin.to_owned(),
            account: config.name.clone(),
        })
    }
}

/// Loads every configured account's plugin and binds it to the account. An account that cannot
/// be set up (its plugin is missing, built for another contract, refuses to describe itself, or
/// serves another platform) is logged and returned in [`LoadedAccounts::unloaded`]; the others
/// are not held back by it.
pub async fn load_accounts(
    host: &PluginHost,
    file: &Config,
    secrets: &BTreeMap<String, BTreeMap<String, String>>,
    kv: &KvFor<'_>,
) -> LoadedAccounts {
    let mut loaded = ByFile::new();
    let mut out = LoadedAccounts { ready: Vec::new(), unloaded: Vec::new() };
    for (index, config) in file.accounts.iter().enumerate() {
        let account = load_plugin(host, &mut loaded, file, index).await.and_then(|plugin| {
            let binding = bind(config, secrets.get(&config.name), kv(plugin.name(), config))?;
            Ok(Account { config: config.clone(), plugin, binding })
        });
        match account {
            Ok(account) => out.ready.push(account),
            Err(err) => {
                tracing::error!(
                    account = %config.name,
                    plugin = %config.plugin.display(),
                    reason = %err.reason(),
                    "account skipped: its plugin could not be set up; its tasks wait until a reload loads it"
                );
                out.unloaded.push(Unloaded { config: config.clone(), reason: err.reason() });
            }
        }
    }
    out
}

/// What every plugin call for the account carries: its context, egress grant, secrets, and the
/// plugin state `kv`.
fn bind(
    config: &AccountConfig,
    secrets: Option<&BTreeMap<String, String>>,
    kv: Arc<dyn PluginKv>,
) -> Result<AccountBinding, AccountError> {
    // The api_base's own origin is always granted: it is where the account lives.
    let base = &config.api_base;
    let origin = match base.port() {
        Some(port) => format!("{}://{}:{port}", base.scheme(), base.host_str().unwrap_or_default()),
        None => format!("{}://{}", base.scheme(), base.host_str().unwrap_or_default()),
    };
    let mut hosts = vec![origin];
    hosts.extend(config.allowed_hosts.iter().cloned());
    let egress = EgressGrant::new(&hosts, config.allow_private_addresses)
        .map_err(|e| AccountError::Grant { account: config.name.clone(), problem: e.to_string() })?;
    Ok(AccountBinding {
        context: AccountContext {
            name: config.name.clone(),
            api_base: base.as_str().trim_end_matches('/').to_owned(),
            user: config.user.clone(),
            settings: config.settings.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        },
        egress,
        secrets: secrets.map(|s| s.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default(),
        kv,
    })
}
