//! The daemon's whole configuration, read from one TOML file, with errors a person can act on.
//!
//! Each component owns its section's struct, with serde and doc comments on every key: triage in
//! [`crate::triage::TriageConfig`], the follower score in [`crate::legitimacy::LegitimacyConfig`],
//! accounts and the socket here. Every struct denies unknown keys, because a misspelt key that is
//! silently ignored is a limit that silently does not apply.
//!
//! [`Config::parse`] reports every problem with the file, the 1-based line and the dotted key
//! (`accounts[1].poll_interval`) and says what to do. Serde errors get their line from the span
//! toml attaches and their key from `serde_path_to_error`; checks serde cannot express (unique
//! account names, sane thresholds, budgets, the ratio, schedules, the library) run afterwards and
//! find their line by walking the parsed document's spans along the key. Problems found later,
//! against what a plugin declares or on disk, go through the same walk ([`Config::locate`]), so
//! every problem of the file reads `file:line: `key`: what to do`.
//!
//! This module reads no file and no environment: the daemon passes the text and the file's path,
//! and secrets are only *described* here (which variable, which file) for the daemon to fetch.
//! Relative paths in the file are resolved against the file's directory, so a config means the
//! same thing whatever directory the daemon starts in.
//!
//! A new section is one field on [`Config`] with `#[serde(default)]`; if it has checks serde
//! cannot express, its `problems()` joins the list in [`Config::problems`]. A section whose checks
//! return an error naming its key implements [`KeyedError`] for it, and that error becomes a
//! problem like any other.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;
use toml::de::{DeTable, DeValue};
use url::Url;

use crate::host_pattern::{HostMatch, HostPattern};
use crate::span::Span;
use crate::triage::TriageConfig;

/// The daemon's configuration: the root of the TOML file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the state lives; unset: the daemon's default (`$XDG_DATA_HOME/rapport`, or
    /// `/var/lib/rapport` as a system service).
    #[serde(default)]
    pub data_dir: Option<PathBuf>,
    /// The control socket; unset: `$XDG_RUNTIME_DIR/rapport/rapport.sock`, mode 0600.
    #[serde(default)]
    pub socket: Option<SocketConfig>,
    /// The accounts the daemon acts for (`[[accounts]]`), at least one.
    pub accounts: Vec<AccountConfig>,
    /// How notifications become proposals.
    #[serde(default)]
    pub triage: TriageConfig,
    /// Rate budgets per account and action (`[policy]`, `[[policy.budgets]]`).
    #[serde(default)]
    pub policy: crate::rate_limit::PolicyConfig,
    /// The value/sales content ratio (`[ratio]`).
    #[serde(default)]
    pub ratio: crate::content_ratio::RatioConfig,
    /// Posting schedules (`[[schedules]]`).
    #[serde(default)]
    pub schedules: Vec<crate::schedule::ScheduleConfig>,
    /// Limits on scheduled posting and the post-file folder (`[posting]`).
    #[serde(default)]
    pub posting: crate::library::PostingConfig,
    /// Content library entries written in the config (`[[library]]`).
    #[serde(default)]
    pub library: Vec<crate::library::LibraryEntry>,
    /// Follow campaigns (`[[campaigns]]`).
    #[serde(default)]
    pub campaigns: Vec<crate::campaign::CampaignConfig>,
    /// Reciprocity purges, one per account at most (`[[purge]]`).
    #[serde(default)]
    pub purge: Vec<crate::purge::PurgeConfig>,
    /// Circles of people to engage with daily (`[[circles]]`).
    #[serde(default)]
    pub circles: Vec<crate::circle::CircleConfig>,
    /// The file and text it was read from, to locate problems found after parsing.
    #[serde(skip)]
    source: Source,
}

/// Where a configuration was read from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Source {
    file: PathBuf,
    text: String,
}

/// Where the control socket lives and who may use it (`[socket]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SocketConfig {
    /// The socket's path; unset: `$XDG_RUNTIME_DIR/rapport/rapport.sock`.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// A group whose members may use the socket too (a system service's operators).
    #[serde(default)]
    pub group: Option<String>,
    /// Permission bits as an octal string (`"0600"`); unset: 0660 with a group, 0600 without.
    #[serde(default)]
    pub mode: Option<SocketMode>,
}

impl SocketConfig {
    /// The permission bits to give the socket.
    pub fn effective_mode(&self) -> u32 {
        match (self.mode, &self.group) {
            (Some(mode), _) => mode.bits(),
            (None, Some(_)) => 0o660,
            (None, None) => 0o600,
        }
    }
}

/// Socket permission bits, written in config as an octal string like `"0660"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SocketMode(u32);

/// Why a socket mode was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("`{input}` is not a usable socket mode: {why}")]
pub struct SocketModeError {
    /// The text refused.
    pub input: String,
    /// What is wrong and what to write instead.
    pub why: &'static str,
}

impl SocketMode {
    /// The permission bits.
    pub fn bits(self) -> u32 {
        self.0
    }
}

impl TryFrom<String> for SocketMode {
    type Error = SocketModeError;

    fn try_from(input: String) -> Result<Self, Self::Error> {
        let fail = |why| SocketModeError { input: input.clone(), why };
        let digits = input.trim().trim_start_matches("0o");
        if digits.is_empty() || digits.len() > 4 {
            return Err(fail("write three or four octal digits, like \"0600\" or \"0660\""));
        }
        let bits = u32::from_str_radix(digits, 8)
            .map_err(|_| fail("write three or four octal digits, like \"0600\" or \"0660\""))?;
        if bits > 0o777 {
            return Err(fail("only permission bits are allowed, like \"0600\" or \"0660\""));
        }
        if bits & 0o007 != 0 {
            // Whoever can write to the socket can approve actions on the person's accounts.
            return Err(fail("other users must get no access; use \"0600\", or \"0660\" with a group"));
        }
        if bits & 0o600 != 0o600 {
            return Err(fail("the daemon's own user needs read and write; use \"0600\" or \"0660\""));
        }
        Ok(SocketMode(bits))
    }
}

impl From<SocketMode> for String {
    fn from(value: SocketMode) -> String {
        format!("{:04o}", value.0)
    }
}

/// One account the daemon acts for (`[[accounts]]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    /// The account's name in rapport: unique, letters, digits, `-` and `_`; tasks and the CLI use it.
    pub name: String,
    /// The platform, as the plugin names it (`mastodon`).
    pub platform: String,
    /// The plugin component (`.wasm`); relative to the config file's directory.
    pub plugin: PathBuf,
    /// The platform API's base URL (`https://mastodon.social`); its host is always allowed.
    #[serde(deserialize_with = "deserialize_url")]
    pub api_base: Url,
    /// The account on the platform (`shop@bakery.social`).
    pub user: String,
    /// Secrets the plugin may read, by name: `{ env = "VAR" }` or `{ file = "/path" }`.
    #[serde(default)]
    pub secrets: BTreeMap<String, SecretSource>,
    /// How often to fetch notifications, like `"90s"`, `"5m"` or `"1h"` (a bare number is
    /// seconds); at least 10 s.
    #[serde(default = "default_poll_interval")]
    pub poll_interval: Span,
    /// Hosts the plugin may reach besides the `api_base` origin: `media.example.com` (HTTPS),
    /// `*.example.com` for its subdomains, or `scheme://host[:port]` like `http://localhost:8080`.
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    /// Allows loopback and private network addresses (a local test server); off by default so a
    /// plugin cannot be pointed at the machine's own services.
    #[serde(default)]
    pub allow_private_addresses: bool,
    /// Plain strings passed to the plugin as they are.
    #[serde(default)]
    pub settings: BTreeMap<String, String>,
    /// At most this many US dollars a calendar month (UTC) on reads the platform bills per item
    /// (X's pay-per-use API); the planners stop reading there until the next month. Unset: no cap.
    #[serde(default)]
    pub max_read_spend_usd: Option<u32>,
}

/// The shortest poll interval accepted: faster polling only burns the platform's rate budget.
pub const MIN_POLL_INTERVAL: Span = Span::from_secs(10);

fn default_poll_interval() -> Span {
    Span::from_secs(300)
}

fn deserialize_url<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Url, D::Error> {
    let text = String::deserialize(deserializer)?;
    Url::parse(&text).map_err(|e| {
        serde::de::Error::custom(format!(
            "`{text}` is not a URL ({e}); write it with its scheme, like \"https://mastodon.social\""
        ))
    })
}

/// Where a secret comes from; the core only describes it, the daemon reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", try_from = "SecretSpec")]
pub enum SecretSource {
    /// An environment variable of the daemon's process: `{ env = "VAR" }`.
    Env(String),
    /// A file readable by the daemon only (mode 0600), relative to the config file's directory:
    /// `{ file = "/path" }`.
    File(PathBuf),
}

/// A secret's table as written, so that serde names unknown keys; exactly one key must be set.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretSpec {
    env: Option<String>,
    file: Option<PathBuf>,
}

impl TryFrom<SecretSpec> for SecretSource {
    type Error = &'static str;

    fn try_from(spec: SecretSpec) -> Result<Self, Self::Error> {
        match (spec.env, spec.file) {
            (Some(var), None) => Ok(SecretSource::Env(var)),
            (None, Some(path)) => Ok(SecretSource::File(path)),
            (Some(_), Some(_)) => Err("give either `env` or `file`, not both"),
            (None, None) => Err("say where the secret comes from: { env = \"VAR\" } or { file = \"/path\" }"),
        }
    }
}

/// A value that parsed but makes no sense, with its key relative to the section that found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The dotted key (`legitimacy.low_ratio`, `question_openers[2]`).
    pub key: String,
    /// What is wrong and what to do, in plain words.
    pub message: String,
}

impl Invalid {
    /// A problem with `key`.
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Invalid {
        Invalid { key: key.into(), message: message.into() }
    }

    /// A section's error as a problem of `key`. The error's text starts with its key, so that it
    /// reads on its own (in a log, in a test); a located problem shows the key apart, so that
    /// prefix is left out of the message.
    pub fn keyed(key: impl Into<String>, error: &dyn fmt::Display) -> Invalid {
        let key = key.into();
        let text = error.to_string();
        let message = match text.strip_prefix(key.as_str()) {
            Some(rest) => rest.trim_start_matches(':').trim_start().to_owned(),
            None => text,
        };
        Invalid { key, message }
    }

    /// The same problem, its key prefixed with the enclosing section.
    pub fn within(self, section: &str) -> Invalid {
        let key = if self.key.starts_with('[') {
            format!("{section}{}", self.key)
        } else {
            format!("{section}.{}", self.key)
        };
        Invalid { key, ..self }
    }
}

/// An error of a section's checks that names the key at fault, so that it can be located.
pub trait KeyedError: fmt::Display {
    /// The dotted key at fault, from the root (`policy.budgets[0].per_day`).
    fn key(&self) -> String;

    /// The error as a problem of its key.
    fn invalid(&self) -> Invalid {
        Invalid::keyed(self.key(), &self)
    }
}

/// A configuration that cannot be used, with every problem located.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub struct ConfigError {
    /// The file at fault.
    pub file: PathBuf,
    /// Its problems, in file order where known; never empty.
    pub problems: Vec<ConfigProblem>,
}

/// One problem of a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// 1-based line.
    pub line: usize,
    /// The dotted key (`accounts[1].poll_interval`).
    pub key: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}:{}: `{}`: {}", self.file.display(), p.line, p.key, p.message)?;
        }
        Ok(())
    }
}

impl Config {
    /// Parses and checks the text of the configuration file `file`; relative paths in it are
    /// resolved against `file`'s directory.
    pub fn parse(text: &str, file: &Path) -> Result<Config, ConfigError> {
        let fail = |problems| ConfigError { file: file.to_path_buf(), problems };
        let document = DeTable::parse(text).map_err(|e| fail(vec![syntax_problem(text, &e)]))?;
        let deserializer = toml::de::Deserializer::from(document.clone());
        let mut config: Config = serde_path_to_error::deserialize(deserializer)
            .map_err(|e| fail(vec![serde_problem(text, &document, &e)]))?;
        let problems = config.problems();
        if !problems.is_empty() {
            return Err(fail(located(text, &document, problems)));
        }
        if let Some(dir) = file.parent() {
            config.resolve_paths(dir);
        }
        config.source = Source { file: file.to_path_buf(), text: text.to_owned() };
        Ok(config)
    }

    /// Problems found after parsing (a budget above what a plugin declares, a plugin file that
    /// is missing), located in the file this configuration was read from.
    pub fn locate(&self, problems: Vec<Invalid>) -> ConfigError {
        let Source { file, text } = &self.source;
        let problems = match DeTable::parse(text) {
            Ok(document) => located(text, &document, problems),
            // Only a configuration built without `Config::parse` gets here; its keys have no line.
            Err(_) => problems
                .into_iter()
                .map(|p| ConfigProblem { line: 1, key: p.key, message: p.message })
                .collect(),
        };
        ConfigError { file: file.clone(), problems }
    }

    /// Checks what serde cannot: cross-field rules and value shapes. Keys are from the root.
    pub fn problems(&self) -> Vec<Invalid> {
        let mut out = Vec::new();
        if let Some(socket) = &self.socket {
            out.extend(socket.problems().into_iter().map(|p| p.within("socket")));
        }
        if self.accounts.is_empty() {
            out.push(Invalid::new(
                "accounts",
                "no account is configured; add an [[accounts]] table (config/rapport.example.toml has one)",
            ));
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, account) in self.accounts.iter().enumerate() {
            let section = format!("accounts[{i}]");
            if let Some(first) = seen.insert(account.name.as_str(), i) {
                seen.insert(account.name.as_str(), first);
                out.push(Invalid::new(
                    format!("{section}.name"),
                    format!(
                        "`{}` is already the name of accounts[{first}]; give each account its own name",
                        account.name
                    ),
                ));
            }
            out.extend(account.problems().into_iter().map(|p| p.within(&section)));
        }
        out.extend(self.triage.problems().into_iter().map(|p| p.within("triage")));
        out.extend(self.policy.problems());
        out.extend(self.ratio.validate().err().map(|e| e.invalid()));
        for (i, schedule) in self.schedules.iter().enumerate() {
            out.extend(schedule.compile(i).err().map(|e| e.invalid()));
        }
        out.extend(self.posting.problems());
        out.extend(crate::library::entry_problems(&self.library));
        out.extend(self.planner_problems());
        out
    }

    /// The campaigns', purges' and circles' problems: their own, a name used twice, an account
    /// that is not configured, a second purge for one account.
    fn planner_problems(&self) -> Vec<Invalid> {
        let mut out = Vec::new();
        let known = |account: &str| self.accounts.iter().any(|a| a.name == account);
        let unknown = |section: &str, account: &str| {
            Invalid::new(
                format!("{section}.account"),
                format!("`{account}` is not a configured account; name one of the [[accounts]]"),
            )
        };
        let mut names = HashSet::new();
        for (i, c) in self.campaigns.iter().enumerate() {
            let section = format!("campaigns[{i}]");
            out.extend(c.problems().into_iter().map(|p| p.within(&section)));
            if !known(&c.account) {
                out.push(unknown(&section, &c.account));
            }
            if !names.insert(c.name.as_str()) {
                out.push(Invalid::new(
                    format!("{section}.name"),
                    format!("campaign `{}` is named twice", c.name),
                ));
            }
        }
        let mut purged = HashSet::new();
        for (i, p) in self.purge.iter().enumerate() {
            let section = format!("purge[{i}]");
            out.extend(p.problems().into_iter().map(|e| e.within(&section)));
            if !known(&p.account) {
                out.push(unknown(&section, &p.account));
            }
            if !purged.insert(p.account.as_str()) {
                out.push(Invalid::new(
                    format!("{section}.account"),
                    format!("account `{}` has a [[purge]] already; one per account", p.account),
                ));
            }
        }
        let mut circles = HashSet::new();
        for (i, c) in self.circles.iter().enumerate() {
            let section = format!("circles[{i}]");
            out.extend(c.problems().into_iter().map(|p| p.within(&section)));
            if !known(&c.account) {
                out.push(unknown(&section, &c.account));
            }
            if let Some(zone) = &c.timezone
                && let Err(e) = crate::localtime::parse_zone(zone, "timezone")
            {
                out.push(Invalid::keyed(format!("{section}.timezone"), &e));
            }
            if !circles.insert(c.name.as_str()) {
                out.push(Invalid::new(
                    format!("{section}.name"),
                    format!("circle `{}` is named twice", c.name),
                ));
            }
        }
        out
    }

    fn resolve_paths(&mut self, dir: &Path) {
        let resolve = |path: &mut PathBuf| {
            if path.is_relative() {
                *path = dir.join(&*path);
            }
        };
        if let Some(data_dir) = &mut self.data_dir {
            resolve(data_dir);
        }
        if let Some(path) = self.socket.as_mut().and_then(|s| s.path.as_mut()) {
            resolve(path);
        }
        for account in &mut self.accounts {
            resolve(&mut account.plugin);
            for source in account.secrets.values_mut() {
                if let SecretSource::File(path) = source {
                    resolve(path);
                }
            }
        }
    }

    /// The account named `name`.
    pub fn account(&self, name: &str) -> Option<&AccountConfig> {
        self.accounts.iter().find(|a| a.name == name)
    }
}

impl SocketConfig {
    fn problems(&self) -> Vec<Invalid> {
        let mut out = Vec::new();
        if self.group.as_deref().is_some_and(|g| g.trim().is_empty()) {
            out.push(Invalid::new("group", "is empty; name a group or remove the key"));
        }
        if self.group.is_some() && self.mode.is_some_and(|m| m.bits() & 0o060 != 0o060) {
            out.push(Invalid::new(
                "mode",
                "gives the group no read and write, so the group setting has no effect; use \"0660\"",
            ));
        }
        out
    }
}

impl AccountConfig {
    fn problems(&self) -> Vec<Invalid> {
        let mut out = Vec::new();
        if !is_identifier(&self.name) {
            out.push(Invalid::new(
                "name",
                format!("`{}` must be 1 to 64 letters, digits, `-` or `_`, like \"shop\"", self.name),
            ));
        }
        if !is_identifier(&self.platform) {
            out.push(Invalid::new(
                "platform",
                format!("`{}` must be the platform's plugin name, like \"mastodon\"", self.platform),
            ));
        }
        if self.plugin.as_os_str().is_empty() {
            out.push(Invalid::new("plugin", "is empty; give the path of the plugin's .wasm file"));
        }
        if !matches!(self.api_base.scheme(), "http" | "https") || self.api_base.host_str().is_none() {
            out.push(Invalid::new(
                "api_base",
                format!(
                    "`{}` must be an http or https URL with a host, like \"https://mastodon.social\"",
                    self.api_base
                ),
            ));
        }
        if self.api_base.query().is_some() || self.api_base.fragment().is_some() {
            out.push(Invalid::new(
                "api_base",
                "must not have a query or fragment; give the API's base URL only",
            ));
        }
        if self.user.trim().is_empty() {
            out.push(Invalid::new("user", "is empty; give the account's handle on the platform"));
        }
        for (name, source) in &self.secrets {
            if !is_identifier(name) {
                out.push(Invalid::new(
                    format!("secrets.{name}"),
                    "a secret's name must be 1 to 64 letters, digits, `-` or `_`, like \"token\"",
                ));
            }
            match source {
                SecretSource::Env(var) if !is_env_var_name(var) => out.push(Invalid::new(
                    format!("secrets.{name}.env"),
                    format!("`{var}` is not an environment variable name; use letters, digits and `_`, like \"MASTODON_TOKEN\""),
                )),
                SecretSource::File(path) if path.as_os_str().is_empty() => out.push(Invalid::new(
                    format!("secrets.{name}.file"),
                    "is empty; give the path of a file only the daemon's user can read (mode 0600)",
                )),
                _ => {}
            }
        }
        if self.poll_interval < MIN_POLL_INTERVAL {
            out.push(Invalid::new(
                "poll_interval",
                format!(
                    "{} polls faster than the platform's rate budget allows; use at least \"{MIN_POLL_INTERVAL}\"",
                    self.poll_interval
                ),
            ));
        }
        for (i, host) in self.allowed_hosts.iter().enumerate() {
            let key = format!("allowed_hosts[{i}]");
            // The grant the daemon builds at start reads the entry with this same parser.
            match HostPattern::parse_granted(host) {
                Err(e) => out.push(Invalid::new(key, e.to_string())),
                Ok(pattern) if pattern.host == HostMatch::Any => out.push(Invalid::new(
                    key,
                    format!(
                        "`{host}` would let the plugin reach any host; name the hosts it needs (`api_base`'s host is always allowed)"
                    ),
                )),
                Ok(_) => {}
            }
        }
        if self.settings.keys().any(|k| k.trim().is_empty()) {
            out.push(Invalid::new("settings", "has an empty key; name every setting"));
        }
        out
    }
}

fn is_identifier(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn is_env_var_name(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Each problem with the line of its key.
fn located(text: &str, document: &toml::Spanned<DeTable<'_>>, problems: Vec<Invalid>) -> Vec<ConfigProblem> {
    problems
        .into_iter()
        .map(|p| ConfigProblem { line: locate(text, document, &p.key), key: p.key, message: p.message })
        .collect()
}

/// 1-based line of a byte offset; counts bytes so no offset can split a character.
fn line_of(text: &str, offset: usize) -> usize {
    1 + text.bytes().take(offset).filter(|&b| b == b'\n').count()
}

fn syntax_problem(text: &str, error: &toml::de::Error) -> ConfigProblem {
    let line = error.span().map_or(1, |span| line_of(text, span.start));
    let key = text
        .lines()
        .nth(line - 1)
        .and_then(|l| {
            let l = l.trim();
            l.split_once('=')
                .map(|(k, _)| k.trim())
                .or_else(|| l.strip_prefix('[').map(|h| h.trim_matches(['[', ']'])))
        })
        .filter(|k| !k.is_empty())
        .unwrap_or("(document)")
        .to_string();
    ConfigProblem {
        line,
        key,
        message: format!("{}; fix the TOML syntax on this line", error.message().trim()),
    }
}

fn serde_problem(
    text: &str,
    document: &toml::Spanned<DeTable<'_>>,
    error: &serde_path_to_error::Error<toml::de::Error>,
) -> ConfigProblem {
    let inner = error.inner();
    let message = inner.message().trim();
    let mut key = path_text(error.path());
    let named = ["unknown field `", "missing field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name);
    // serde_path_to_error already ends the path with an unknown field, never with a missing one.
    if let Some(name) = named.filter(|name| key.rsplit(['.', ']']).next() != Some(name)) {
        key = if key.is_empty() { name.to_string() } else { format!("{key}.{name}") };
    }
    let hint = if message.starts_with("unknown field") {
        "; remove it or fix its spelling"
    } else if message.starts_with("missing field") {
        "; add it (config/rapport.example.toml shows every key)"
    } else if message.starts_with("invalid type") || message.starts_with("invalid value") {
        "; config/rapport.example.toml shows a valid value for every key"
    } else {
        ""
    };
    let line = match inner.span() {
        Some(span) => line_of(text, span.start),
        None => locate(text, document, &key),
    };
    let key = if key.is_empty() { "(document)".to_string() } else { key };
    ConfigProblem { line, key, message: format!("{message}{hint}") }
}

/// The dotted form of a serde path: `accounts[1].poll_interval`.
fn path_text(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Unknown => {}
        }
    }
    out
}

/// The line of `key` in the document, or of its nearest enclosing key that exists.
fn locate(text: &str, document: &toml::Spanned<DeTable<'_>>, key: &str) -> usize {
    let mut table: Option<&DeTable<'_>> = Some(document.get_ref());
    let mut value: Option<&DeValue<'_>> = None;
    let mut line = 1;
    for segment in key_segments(key) {
        let found = match segment {
            KeySegment::Name(name) => {
                table.and_then(|t| t.iter().find(|(k, _)| k.get_ref() == name)).map(|(k, v)| {
                    // The key's own span: a `[table]` header's value span may cover the whole table.
                    line = line_of(text, k.span().start);
                    v
                })
            }
            KeySegment::Index(i) => value.and_then(DeValue::as_array).and_then(|a| a.get(i)).inspect(|v| {
                line = line_of(text, v.span().start);
            }),
        };
        let Some(found) = found else { break };
        value = Some(found.get_ref());
        table = found.get_ref().as_table();
    }
    line
}

enum KeySegment<'k> {
    Name(&'k str),
    Index(usize),
}

fn key_segments(key: &str) -> impl Iterator<Item = KeySegment<'_>> {
    key.split('.').filter(|p| !p.is_empty()).flat_map(|part| {
        let (name, indexes) = part.split_once('[').map_or((part, ""), |(n, rest)| (n, rest));
        let name = (!name.is_empty()).then_some(KeySegment::Name(name));
        let indexes = indexes
            .split('[')
            .filter_map(|i| i.trim_end_matches(']').parse().ok())
            .map(KeySegment::Index)
            .collect::<Vec<_>>();
        name.into_iter().chain(indexes)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../../config/rapport.example.toml");

    const MINIMAL: &str = r#"
[[accounts]]
name = "shop"
platform = "mastodon"
plugin = "plugins/mastodon.wasm"
api_base = "https://bakery.social"
user = "shop@bakery.social"
secrets = { token = { env = "SHOP_TOKEN" } }
"#;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/etc/rapport/rapport.toml"))
    }

    /// Parses a broken config and returns its only problem, checking the file is named.
    fn only_problem(text: &str) -> ConfigProblem {
        let err = parse(text).expect_err("the config should be refused");
        let shown = err.to_string();
        assert!(shown.starts_with("/etc/rapport/rapport.toml:"), "{shown}");
        assert_eq!(err.problems.len(), 1, "{shown}");
        err.problems.into_iter().next().unwrap()
    }

    #[test]
    fn the_example_config_parses() {
        let config = Config::parse(EXAMPLE, Path::new("/opt/rapport/config/rapport.example.toml"))
            .unwrap_or_else(|e| panic!("{e}"));
        let account = &config.accounts[0];
        assert_eq!(account.platform, "mastodon");
        assert!(account.allow_private_addresses);
        assert!(matches!(account.secrets.get("token"), Some(SecretSource::Env(_))));
        assert!(account.plugin.is_absolute());
    }

    #[test]
    fn a_minimal_config_gets_the_defaults() {
        let config = parse(MINIMAL).unwrap();
        assert_eq!(config.data_dir, None);
        assert_eq!(config.socket, None);
        assert_eq!(config.triage, TriageConfig::default());
        let account = config.account("shop").unwrap();
        assert_eq!(account.poll_interval.as_secs(), 300);
        assert_eq!(account.plugin, Path::new("/etc/rapport/plugins/mastodon.wasm"));
        assert_eq!(account.secrets["token"], SecretSource::Env("SHOP_TOKEN".into()));
        assert!(!account.allow_private_addresses);
        assert_eq!(account.api_base.host_str(), Some("bakery.social"));
    }

    #[test]
    fn sections_and_paths() {
        let account = MINIMAL.replace(
            "secrets = { token = { env = \"SHOP_TOKEN\" } }",
            "poll_interval = \"1h30m\"\n[accounts.secrets]\ntoken = { env = \"SHOP_TOKEN\" }\nextra = { file = \"secret.txt\" }",
        );
        let text = format!(
            "data_dir = \"state\"\n[socket]\npath = \"/run/rapport/rapport.sock\"\ngroup = \"rapport\"\n{account}\
             [triage]\nmin_follow_back_score = 40\nexpire_after_by_kind = {{ reply = \"6h\" }}\n\
             [triage.legitimacy]\nbot_penalty = 50\n"
        );
        let config = parse(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.data_dir.as_deref(), Some(Path::new("/etc/rapport/state")));
        let socket = config.socket.as_ref().unwrap();
        assert_eq!(socket.effective_mode(), 0o660);
        assert_eq!(config.accounts[0].poll_interval.as_secs(), 5400);
        assert_eq!(config.accounts[0].secrets["extra"], SecretSource::File("/etc/rapport/secret.txt".into()));
        assert_eq!(config.triage.min_follow_back_score, 40);
        assert_eq!(config.triage.legitimacy.bot_penalty, 50);
        assert_eq!(
            config.triage.expires_at(crate::task::ActionKind::Reply, 0),
            6 * 3600,
            "per-kind expiry keys are action kinds"
        );
    }

    #[test]
    fn unknown_key_names_file_line_key_and_the_expected_ones() {
        let p = only_problem(&format!("{MINIMAL}pol_interval = \"5m\"\n"));
        assert_eq!((p.line, p.key.as_str()), (9, "accounts[0].pol_interval"));
        assert!(p.message.contains("expected one of"), "{}", p.message);
        assert!(p.message.contains("`poll_interval`"), "{}", p.message);
        assert!(p.message.ends_with("remove it or fix its spelling"), "{}", p.message);
    }

    #[test]
    fn unknown_key_in_a_nested_section() {
        let p = only_problem(&format!("{MINIMAL}\n[triage.legitimacy]\nbase = 40\nbot_penalti = 5\n"));
        assert_eq!((p.line, p.key.as_str()), (12, "triage.legitimacy.bot_penalti"));
    }

    #[test]
    fn bad_type_names_its_key() {
        let p = only_problem(&format!("{MINIMAL}allow_private_addresses = \"yes\"\n"));
        assert_eq!((p.line, p.key.as_str()), (9, "accounts[0].allow_private_addresses"));
        assert!(p.message.starts_with("invalid type: string \"yes\", expected a boolean"), "{}", p.message);
    }

    #[test]
    fn bad_duration_names_its_key_in_the_second_account() {
        let second = MINIMAL.replace("\"shop\"", "\"cafe\"");
        let p = only_problem(&format!("{MINIMAL}{second}poll_interval = \"5 minutes\"\n"));
        assert_eq!((p.line, p.key.as_str()), (17, "accounts[1].poll_interval"));
        assert!(p.message.contains("is not a length of time"), "{}", p.message);
    }

    #[test]
    fn missing_required_key_is_named() {
        let p = only_problem(&MINIMAL.replace("user = \"shop@bakery.social\"\n", ""));
        assert_eq!(p.key, "accounts[0].user");
        assert!((2..=8).contains(&p.line), "line {} should be in the account's table", p.line);
        assert!(p.message.starts_with("missing field `user`; add it"), "{}", p.message);
    }

    #[test]
    fn duplicate_account_names_point_at_the_second() {
        let err = parse(&format!("{MINIMAL}{MINIMAL}")).unwrap_err();
        let shown = err.to_string();
        assert_eq!(
            shown,
            "/etc/rapport/rapport.toml:11: `accounts[1].name`: `shop` is already the name of accounts[0]; \
             give each account its own name"
        );
    }

    #[test]
    fn semantic_problems_are_all_listed_with_lines() {
        let text = format!(
            "{MINIMAL}poll_interval = \"2s\"\nallowed_hosts = [\"media.bakery.social\", \"https://cdn.x/\"]\n\
             [triage]\nquestion_openers = [\"How\"]\n"
        );
        let err = parse(&text).unwrap_err();
        let located: Vec<(usize, &str)> = err.problems.iter().map(|p| (p.line, p.key.as_str())).collect();
        assert_eq!(
            located,
            vec![
                (9, "accounts[0].poll_interval"),
                (10, "accounts[0].allowed_hosts[1]"),
                (12, "triage.question_openers[0]"),
            ]
        );
        assert!(err.to_string().contains("use at least \"10s\""), "{err}");
    }

    #[test]
    fn secret_sources_are_checked() {
        let p = only_problem(&MINIMAL.replace("{ env = \"SHOP_TOKEN\" }", "{ env = \"SHOP TOKEN\" }"));
        assert_eq!((p.line, p.key.as_str()), (8, "accounts[0].secrets.token.env"));
        let p = only_problem(&MINIMAL.replace("{ env = \"SHOP_TOKEN\" }", "{ vault = \"x\" }"));
        assert_eq!((p.line, p.key.as_str()), (8, "accounts[0].secrets.token.vault"));
        assert!(p.message.starts_with("unknown field `vault`, expected `env` or `file`"), "{}", p.message);
        let p = only_problem(&MINIMAL.replace("{ env = \"SHOP_TOKEN\" }", "{ env = \"A\", file = \"/b\" }"));
        assert_eq!((p.line, p.key.as_str()), (8, "accounts[0].secrets.token"));
        assert_eq!(p.message, "give either `env` or `file`, not both");
        let p = only_problem(&MINIMAL.replace("{ env = \"SHOP_TOKEN\" }", "{}"));
        assert!(p.message.starts_with("say where the secret comes from"), "{}", p.message);
    }

    #[test]
    fn socket_modes_are_checked() {
        let p = only_problem(&format!("[socket]\nmode = \"0666\"\n{MINIMAL}"));
        assert_eq!((p.line, p.key.as_str()), (2, "socket.mode"));
        assert!(p.message.contains("other users must get no access"), "{}", p.message);
        let p = only_problem(&format!("[socket]\ngroup = \"ops\"\nmode = \"0600\"\n{MINIMAL}"));
        assert_eq!((p.line, p.key.as_str()), (3, "socket.mode"));
        let socket = parse(&format!("[socket]\nmode = \"0600\"\n{MINIMAL}")).unwrap().socket.unwrap();
        assert_eq!(socket.effective_mode(), 0o600);
    }

    #[test]
    fn bad_url_and_syntax_errors_are_located() {
        let p = only_problem(&MINIMAL.replace("https://bakery.social", "bakery.social"));
        assert_eq!((p.line, p.key.as_str()), (6, "accounts[0].api_base"));
        assert!(
            p.message.ends_with("write it with its scheme, like \"https://mastodon.social\""),
            "{}",
            p.message
        );
        let p = only_problem(&MINIMAL.replace("https://bakery.social", "ftp://bakery.social"));
        assert_eq!((p.line, p.key.as_str()), (6, "accounts[0].api_base"));
        let p =
            only_problem(&MINIMAL.replace("user = \"shop@bakery.social\"", "user = \"shop@bakery.social"));
        assert_eq!((p.line, p.key.as_str()), (7, "user"));
        assert!(p.message.ends_with("fix the TOML syntax on this line"), "{}", p.message);
    }

    #[test]
    fn every_section_names_file_line_and_key() {
        // (the section after MINIMAL's 8 lines, the 1-based line in it, the key, how the message starts)
        let cases = [
            (
                "[[policy.budgets]]\naction = \"follow\"\nper_day = 0\n",
                3,
                "policy.budgets[0].per_day",
                "is 0;",
            ),
            (
                "[policy]\ntimezone = \"Nowhere/Land\"\n",
                2,
                "policy.timezone",
                "`Nowhere/Land` is not an IANA",
            ),
            ("[ratio]\nvalue_per_sales = 0\n", 2, "ratio.value_per_sales", "is 0;"),
            ("[ratio]\nwindow = { posts = 5 }\n", 2, "ratio.window", "holds 5 posts"),
            (
                "[[ratio.brands]]\nname = \"a\"\naccounts = [\"shop\"]\n[[ratio.brands]]\nname = \"b\"\naccounts = [\"shop\"]\n",
                6,
                "ratio.brands[1].accounts",
                "lists `shop`, which is already in brand `a`",
            ),
            (
                "[[schedules]]\nname = \"m\"\ncron = \"every morning\"\naccounts = [\"shop\"]\n",
                3,
                "schedules[0].cron",
                "`every morning` is not a cron expression",
            ),
            (
                "[[schedules]]\nname = \"m\"\ncron = \"0 9 * * *\"\ntimezone = \"Mars/Base\"\naccounts = [\"shop\"]\n",
                4,
                "schedules[0].timezone",
                "`Mars/Base` is not an IANA",
            ),
            (
                "[[schedules]]\nname = \"m\"\ncron = \"0 9 * * *\"\naccounts = []\n",
                4,
                "schedules[0].accounts",
                "is empty;",
            ),
            ("[posting]\nmax_posts_per_day = 0\n", 2, "posting.max_posts_per_day", "is 0;"),
            (
                "[[library]]\nid = \"a\"\ntext = \"hi\"\n[[library]]\nid = \"a\"\ntext = \"again\"\n",
                5,
                "library[1].id",
                "library entry id `a` is used twice",
            ),
            (
                "[[library]]\nid = \"a\"\ntext = \" \"\n",
                3,
                "library[0].text",
                "library entry `a` has no text",
            ),
        ];
        for (section, line, key, message) in cases {
            let p = only_problem(&format!("{MINIMAL}{section}"));
            assert_eq!((p.line, p.key.as_str()), (8 + line, key), "{section}");
            assert!(p.message.starts_with(message), "{key}: {}", p.message);
        }
    }

    #[test]
    fn problems_found_after_parsing_are_located_in_the_same_file() {
        let text = format!("{MINIMAL}[[policy.budgets]]\naction = \"follow\"\nper_day = 900\n");
        let config = parse(&text).unwrap();
        let err = config.locate(vec![Invalid::new("policy.budgets[0].per_day", "is above the ceiling")]);
        assert_eq!(
            err.to_string(),
            "/etc/rapport/rapport.toml:11: `policy.budgets[0].per_day`: is above the ceiling"
        );
        let err = config.locate(vec![Invalid::new("accounts[0].plugin", "is missing")]);
        assert_eq!(err.problems[0].line, 5);
    }

    #[test]
    fn allowed_hosts_take_the_forms_the_egress_grant_takes() {
        let hosts =
            |list: &str| MINIMAL.replace("secrets =", &format!("allowed_hosts = [{list}]\nsecrets ="));
        let config = parse(&hosts("\"media.example.social\", \"*.cdn.example\", \"http://localhost:8080\""))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.accounts[0].allowed_hosts.len(), 3);
        let p = only_problem(&hosts("\"*\""));
        assert_eq!((p.line, p.key.as_str()), (8, "accounts[0].allowed_hosts[0]"));
        assert!(p.message.contains("any host"), "{}", p.message);
        let p = only_problem(&hosts("\"ftp://cdn.example\""));
        assert!(p.message.contains("the scheme must be `http` or `https`"), "{}", p.message);
    }

    #[test]
    fn no_accounts_is_an_error() {
        let p = only_problem("data_dir = \"/var/lib/rapport\"\naccounts = []\n");
        assert_eq!(p.key, "accounts");
        assert!(p.message.contains("add an [[accounts]] table"));
    }
}

/// Stable fuzzing (proptest): the loader takes any text, and the example configuration with any
/// few lines dropped or bytes changed, without panicking; every refusal names the file and a
/// line inside it.
#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    use super::*;

    const EXAMPLE: &str = include_str!("../../../config/rapport.example.toml");

    fn refusal_names_the_file_and_a_line(text: &str) -> Result<(), TestCaseError> {
        let file = Path::new("/etc/rapport/rapport.toml");
        if let Err(error) = Config::parse(text, file) {
            let lines = text.lines().count().max(1) + 1;
            prop_assert!(!error.problems.is_empty());
            for problem in &error.problems {
                prop_assert!(
                    (1..=lines).contains(&problem.line),
                    "line {} of {lines}: {error}",
                    problem.line
                );
                prop_assert!(!problem.message.is_empty());
            }
            prop_assert!(error.to_string().starts_with("/etc/rapport/rapport.toml:"));
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3_000, ..ProptestConfig::default() })]

        #[test]
        fn any_text_is_a_config_or_a_located_refusal(text in "\\PC{0,300}") {
            refusal_names_the_file_and_a_line(&text)?;
        }

        #[test]
        fn the_example_with_lines_dropped_or_bytes_changed_is_loaded_or_refused_by_line(
            drops in proptest::collection::vec(any::<usize>(), 0..4),
            changes in proptest::collection::vec((any::<usize>(), "[ -~]"), 0..4),
        ) {
            let mut lines: Vec<&str> = EXAMPLE.lines().collect();
            for at in drops {
                let at = at % lines.len();
                lines.remove(at);
            }
            let mut text = lines.join("\n");
            for (at, replacement) in changes {
                let at = at % text.len().max(1);
                if text.is_char_boundary(at) && text.is_char_boundary(at + 1) {
                    text.replace_range(at..at + 1, &replacement);
                }
            }
            refusal_names_the_file_and_a_line(&text)?;
        }
    }
}
