//! A real `rapportd` process on a temporary data dir, driven by the real `rapport` CLI over its
//! socket: what the end-to-end tests share, whatever platform the account is on.
//!
//! Needs the plugins built (`cargo xtask plugins`, which `cargo xtask test` runs first) and the
//! `rapport` binary (`cargo build -p rapport-cli`); each test says so if they are missing.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use rapport_host::clock::Clock;
use rapport_tests::sandbox::{MastodonSandbox, Seed, SeedAccount};

use serde_json::Value;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target"))
}

/// A clock the test moves by hand, for an in-process daemon: days pass in milliseconds.
pub struct TestClock(AtomicI64);

impl TestClock {
    /// A clock at `at` (seconds since the Unix epoch).
    pub fn at(at: i64) -> TestClock {
        TestClock(AtomicI64::new(at))
    }

    /// The clock's time, in seconds.
    pub fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }

    /// Moves the clock to `at`.
    pub fn set(&self, at: i64) {
        self.0.store(at, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now_millis(&self) -> i64 {
        self.now() * 1000
    }
}

/// One executor pass of an in-process daemon at its clock's time, waiting for the sends it
/// started; returns when the earliest held task is due and how many sends went out.
pub async fn executor_pass(daemon: &std::sync::Arc<rapportd::state::State>) -> (Option<i64>, usize) {
    let mut in_flight = tokio::task::JoinSet::new();
    let mut busy = std::collections::HashSet::new();
    let next = rapportd::executor::pass(daemon, &mut in_flight, &mut busy).expect("executor pass");
    let started = in_flight.len();
    while in_flight.join_next().await.is_some() {}
    (next, started)
}

/// A pottery shop's sandbox with the token `token` and three people who may follow or ask: Ana,
/// a potter; Tomasz, a woodworker; Jo, a mug collector.
pub fn shop_seed(token: &str) -> Seed {
    Seed::new(token)
        .own(SeedAccount::new("shop", "The Shop"))
        .account(
            SeedAccount::new("ana@ceramics.example", "Ana Ribeiro")
                .note("Potter and glaze nerd. Teaching wheel classes in Porto.")
                .counts(1_480, 620, 3_900),
        )
        .account(
            SeedAccount::new("tomasz@fosstodon.example", "Tomasz")
                .note("Backend dev by day, hobby woodworker by night.")
                .counts(310, 280, 1_020),
        )
        .account(
            SeedAccount::new("jo@mastodon.example", "Jo Okafor").note("Collector of mugs. Too many mugs."),
        )
}

/// The resident memory of process `pid`, in KiB, from /proc.
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS");
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("a number of kB")
}

/// The built plugin `rapport_plugin_<name>.wasm`.
pub fn plugin_path(name: &str) -> PathBuf {
    let path = target_dir().join(format!("wasm32-wasip2/plugin/rapport_plugin_{name}.wasm"));
    assert!(path.exists(), "{} is missing: build the plugins with `cargo xtask plugins`", path.display());
    path
}

/// The `rapport` CLI built beside this test binary.
pub fn cli_path() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let path = exe.parent().and_then(Path::parent).expect("target profile dir").join("rapport");
    assert!(path.exists(), "{} is missing: build it with `cargo build -p rapport-cli`", path.display());
    path
}

/// A data dir, a config of one account and a daemon process that can be killed and restarted.
pub struct Rig {
    dir: tempfile::TempDir,
    /// The `[[accounts]]` table of the config.
    account: String,
    daemon: Option<Child>,
    /// How long [`Rig::wait`] waits.
    patience: Duration,
}

impl Rig {
    /// A rig for the account in `account` (a TOML `[[accounts]]` table, which may name files made
    /// with [`Rig::secret_file`]) and the extra config in `policy`.
    pub fn new(account: impl FnOnce(&Rig) -> String, policy: &str) -> Rig {
        let mut rig = Rig {
            dir: tempfile::tempdir().expect("tempdir"),
            account: String::new(),
            daemon: None,
            patience: Duration::from_secs(30),
        };
        rig.account = account(&rig);
        rig.write_config(policy);
        rig
    }

    /// Waits up to `patience` in [`Rig::wait`] (a real network indexes slower than a sandbox).
    pub fn with_patience(mut self, patience: Duration) -> Rig {
        self.patience = patience;
        self
    }

    /// Writes `value` to a file only its owner can read, as a secret belongs; returns its path.
    pub fn secret_file(&self, name: &str, value: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, value).unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
        path
    }

    /// The config file the daemon runs with (for an in-process daemon: `Settings::load` it).
    pub fn config_path(&self) -> PathBuf {
        self.config()
    }

    /// The daemon's control socket.
    pub fn socket(&self) -> PathBuf {
        self.dir.path().join("rapport.sock")
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("rapport.toml")
    }

    /// Rewrites the config with the same account and `policy`; takes effect at the next start.
    pub fn write_config(&self, policy: &str) {
        let config = format!(
            "data_dir = \"{data}\"\n[socket]\npath = \"{socket}\"\n\n{account}\n\n{policy}\n",
            data = self.dir.path().join("data").display(),
            socket = self.socket().display(),
            account = self.account,
        );
        std::fs::write(self.config(), config).unwrap();
    }

    /// Starts the daemon and waits until it answers on its socket.
    pub fn start(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("rapportd.log"))
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_rapportd"))
            .arg("--config")
            .arg(self.config())
            .env("RAPPORT_LOG", "info")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("rapportd starts");
        self.daemon = Some(child);
        self.wait("the daemon's socket", || self.cli(&["status"]).status.success().then_some(()));
    }

    /// The daemon's process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.daemon.as_ref().map(Child::id)
    }

    /// Kills the daemon with SIGKILL: no chance to flush or park anything.
    pub fn kill9(&mut self) {
        if let Some(mut child) = self.daemon.take() {
            child.kill().expect("SIGKILL");
            child.wait().unwrap();
        }
    }

    /// Sends the running daemon SIGHUP: re-read the configuration and its secrets.
    pub fn reload(&self) {
        let pid = self.pid().expect("the daemon runs");
        let sent = Command::new("kill").args(["-HUP", &pid.to_string()]).status().expect("kill runs");
        assert!(sent.success(), "SIGHUP to rapportd {pid}");
    }

    /// Everything the daemon logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("rapportd.log")).unwrap_or_default()
    }

    /// Runs `rapport --socket <this daemon's> <args>`.
    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new(cli_path()).arg("--socket").arg(self.socket()).args(args).output().expect("rapport runs")
    }

    /// `rapport queue --json`, optionally in one state.
    pub fn tasks(&self, state: Option<&str>) -> Vec<Value> {
        let mut args = vec!["--json", "queue", "--limit", "200"];
        if let Some(state) = state {
            args.extend(["--state", state]);
        }
        let out = self.cli(&args);
        assert!(out.status.success(), "queue failed: {}", String::from_utf8_lossy(&out.stderr));
        match serde_json::from_slice(&out.stdout).expect("queue --json is JSON") {
            Value::Array(tasks) => tasks,
            other => panic!("queue --json gave {other}"),
        }
    }

    /// `account`'s entry in `rapport status --json`.
    pub fn account_status(&self, account: &str) -> Value {
        let out = self.cli(&["--json", "status"]);
        assert!(out.status.success(), "status failed: {}", String::from_utf8_lossy(&out.stderr));
        let report: Value = serde_json::from_slice(&out.stdout).expect("status --json is JSON");
        report["accounts"]
            .as_array()
            .and_then(|accounts| accounts.iter().find(|a| a["name"] == account))
            .cloned()
            .unwrap_or_else(|| panic!("status does not name `{account}`: {report:#}"))
    }

    /// `rapport show ID --json`.
    pub fn task(&self, id: u64) -> Value {
        let out = self.cli(&["--json", "show", &id.to_string()]);
        assert!(out.status.success(), "show failed: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("show --json is JSON")
    }

    /// Polls `probe` until it holds; panics with the daemon's log if it never does.
    pub fn wait<T>(&self, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + self.patience;
        loop {
            if let Some(value) = probe() {
                return value;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}; rapportd log:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until at least `n` tasks are in `state`, and returns them.
    pub fn wait_tasks(&self, state: &str, n: usize) -> Vec<Value> {
        self.wait(&format!("{n} {state} tasks"), || {
            let tasks = self.tasks(Some(state));
            (tasks.len() >= n).then_some(tasks)
        })
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// An `[[accounts]]` table named `name` for the Mastodon plugin against the sandbox at `api`,
/// polling every 10 s, with the access token `token` in a secret file of `rig`.
pub fn mastodon_account(rig: &Rig, name: &str, api: &str, token: &str) -> String {
    account_with_plugin(rig, name, &plugin_path("mastodon"), api, token)
}

/// [`mastodon_account`] with another plugin file in place of the built Mastodon plugin.
pub fn account_with_plugin(rig: &Rig, name: &str, plugin: &Path, api: &str, token: &str) -> String {
    format!(
        r#"[[accounts]]
name = "{name}"
platform = "mastodon"
plugin = "{plugin}"
api_base = "{api}"
user = "{name}"
poll_interval = "10s"
allow_private_addresses = true
[accounts.secrets]
token = {{ file = "{token}" }}"#,
        plugin = plugin.display(),
        token = rig.secret_file(&format!("{name}-token"), token).display(),
    )
}

/// A daemon process whose one account, `shop`, is on a local Mastodon sandbox; it derefs to the
/// daemon's [`Rig`].
pub struct MastodonRig {
    /// The sandbox the account talks to.
    pub sandbox: MastodonSandbox,
    daemon: Rig,
}

impl MastodonRig {
    /// Starts a sandbox seeded with `seed` (whose token is `token`) and a rig for it with `policy`;
    /// the daemon is not started yet.
    pub async fn new(token: &str, seed: Seed, policy: &str) -> MastodonRig {
        let sandbox = MastodonSandbox::start(seed).await.expect("sandbox starts");
        let daemon = Rig::new(|rig| mastodon_account(rig, "shop", &sandbox.base_url(), token), policy);
        MastodonRig { sandbox, daemon }
    }
}

impl std::ops::Deref for MastodonRig {
    type Target = Rig;

    fn deref(&self) -> &Rig {
        &self.daemon
    }
}

impl std::ops::DerefMut for MastodonRig {
    fn deref_mut(&mut self) -> &mut Rig {
        &mut self.daemon
    }
}

/// The `Idempotency-Key` of every status the sandbox was asked to post, in order.
pub fn status_idempotency_keys(sandbox: &MastodonSandbox) -> Vec<String> {
    sandbox
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/api/v1/statuses")
        .filter_map(|r| r.header("idempotency-key").map(str::to_owned))
        .collect()
}

/// A task's action kind (`follow-back`, `reply`).
pub fn kind(task: &Value) -> &str {
    task["action"]["kind"].as_str().unwrap_or_default()
}

/// A task's id.
pub fn id(task: &Value) -> u64 {
    task["id"].as_u64().expect("task id")
}
