//! The chaos campaign (`cargo xtask chaos`): the real `rapportd` against several Mastodon
//! sandboxes, with followers and questions arriving, a person approving and rejecting over the
//! CLI, sends the sandboxes answer slowly at random, and a `kill -9` at a random instant of every
//! iteration — during start-up and recovery too. After the last iteration the daemon runs until
//! nothing is left to send, and [`check`] compares what the sandboxes received with the store.
//!
//! Everything random comes from one seed, so a failing run is replayed with `--seed`. The
//! daemon's timing is not seeded: a replay makes the same pushes, approvals and kill instants,
//! which is what finds the same bug again in practice.

pub mod check;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use serde_json::Value;

use self::check::{Evidence, Findings, Pushed, StoredTask, WindowBudget};
use crate::sandbox::{Fault, FaultRule, MastodonSandbox, Seed, SeedAccount};

/// The slowest answer a sandbox gives a send, in milliseconds.
const SLOWEST_ANSWER_MS: u64 = 3_000;

/// The budgets the campaign's configuration sets (action, window in seconds, limit), which the
/// checker holds the sends to. Tight enough that the gate holds sends in every run, loose enough
/// (a pace of 6 s and 3 s) that many go out between the kills.
const BUDGETS: [(&str, i64, usize); 2] = [("reply", 60, 10), ("follow-back", 3_600, 1_200)];

/// How the campaign runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Iterations, each ended by a `kill -9`.
    pub iterations: u32,
    /// The seed of everything the driver decides.
    pub seed: u64,
    /// Configured accounts, each on its own sandbox.
    pub accounts: usize,
    /// The `rapportd` binary.
    pub rapportd: PathBuf,
    /// The `rapport` binary.
    pub rapport: PathBuf,
    /// The Mastodon plugin.
    pub plugin: PathBuf,
}

/// What a campaign did and found.
#[derive(Debug)]
pub struct Outcome {
    /// Iterations run.
    pub iterations: u32,
    /// Notifications pushed.
    pub pushed: usize,
    /// Approvals the CLI confirmed.
    pub approved: usize,
    /// What the checker found.
    pub findings: Findings,
    /// Wall time of the whole campaign.
    pub elapsed: Duration,
    /// The daemon's log, for a failed run.
    pub log: PathBuf,
}

/// One account: its sandbox, and the people in its pool who have not followed it yet.
struct Platform {
    name: String,
    sandbox: MastodonSandbox,
    people: Vec<String>,
    next_follower: usize,
}

/// The daemon under test, its files and the CLI that talks to it.
struct Daemon<'a> {
    options: &'a Options,
    dir: &'a Path,
    child: Option<Child>,
}

impl Daemon<'_> {
    fn config(&self) -> PathBuf {
        self.dir.join("rapport.toml")
    }

    fn socket(&self) -> PathBuf {
        self.dir.join("rapport.sock")
    }

    fn start(&mut self) -> anyhow::Result<()> {
        let log =
            std::fs::OpenOptions::new().create(true).append(true).open(self.dir.join("rapportd.log"))?;
        let child = Command::new(&self.options.rapportd)
            .arg("--config")
            .arg(self.config())
            .env("RAPPORT_LOG", "info")
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start {}", self.options.rapportd.display()))?;
        self.child = Some(child);
        Ok(())
    }

    fn kill9(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Whether the daemon exited on its own (it must not).
    fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.as_mut().and_then(|c| c.try_wait().ok().flatten())
    }

    fn cli(&self, args: &[&str]) -> std::io::Result<Output> {
        Command::new(&self.options.rapport)
            .arg("--socket")
            .arg(self.socket())
            .args(args)
            .stdin(Stdio::null())
            .output()
    }

    /// `rapport --json <args>` parsed, when the daemon answered.
    fn json(&self, args: &[&str]) -> Option<Value> {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.cli(&all).ok()?;
        if !out.status.success() && out.status.code() != Some(4) {
            return None;
        }
        serde_json::from_slice(&out.stdout).ok()
    }

    fn wait_until_up(&self, within: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + within;
        while self.json(&["status"]).is_none() {
            if Instant::now() > deadline {
                bail!("rapportd did not answer on {} within {within:?}", self.socket().display());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }

    /// Every task in the store, page by page.
    fn all_tasks(&self) -> anyhow::Result<Vec<Value>> {
        let mut tasks: Vec<Value> = Vec::new();
        loop {
            let mut args = vec!["queue".to_string(), "--limit".into(), "200".into()];
            if let Some(last) = tasks.last().and_then(|t| t["id"].as_u64()) {
                args.extend(["--after".into(), last.to_string()]);
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let Some(Value::Array(page)) = self.json(&args) else { bail!("rapport queue failed") };
            if page.is_empty() {
                return Ok(tasks);
            }
            tasks.extend(page);
        }
    }
}

/// Runs the campaign.
pub async fn run(options: &Options) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let mut rng = fastrand::Rng::with_seed(options.seed);
    let dir = tempfile::tempdir()?;
    // Enough people that every follower is new: at most two follows an iteration.
    let pool = options.iterations as usize * 2 / options.accounts.max(1) + 20;
    let mut platforms = Vec::new();
    for k in 0..options.accounts {
        let name = format!("shop{k}");
        let people: Vec<String> = (0..pool).map(|j| format!("p{j}@people{k}.example")).collect();
        let mut seed =
            Seed::new(format!("chaos-token-{k}")).own(SeedAccount::new(&name, format!("Shop {k}")));
        for person in &people {
            seed = seed.account(
                SeedAccount::new(person, format!("Person {person}"))
                    .note("Potter, teacher and tea drinker.")
                    .counts(400, 300, 900),
            );
        }
        let sandbox = MastodonSandbox::start(seed).await?;
        platforms.push(Platform { name, sandbox, people, next_follower: 0 });
    }
    let plugin = options.plugin.canonicalize().with_context(|| {
        format!("no plugin at {}: build the plugins with `cargo xtask plugins`", options.plugin.display())
    })?;
    write_config(dir.path(), &plugin, &platforms)?;
    let mut daemon = Daemon { options, dir: dir.path(), child: None };
    let mut pushed: Vec<Pushed> = Vec::new();
    let mut approved: HashSet<u64> = HashSet::new();

    for _ in 0..options.iterations {
        push_events(&mut rng, &mut platforms, &mut pushed);
        for platform in &platforms {
            inject_slowness(&mut rng, &platform.sandbox);
        }
        daemon.start()?;
        // One in ten dies during start-up or recovery; the others live up to 2.5 s.
        let lifetime = if rng.u8(0..10) == 0 { rng.u64(0..80) } else { rng.u64(200..2_500) };
        let deadline = Instant::now() + Duration::from_millis(lifetime);
        while Instant::now() < deadline {
            std::thread::sleep(
                Duration::from_millis(rng.u64(50..300))
                    .min(deadline.saturating_duration_since(Instant::now())),
            );
            if Instant::now() >= deadline {
                break;
            }
            decide(&mut rng, &daemon, &mut approved);
        }
        if let Some(status) = daemon.exited() {
            let log = std::fs::read_to_string(dir.path().join("rapportd.log")).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(20).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            bail!("rapportd exited by itself ({status}); the end of its log:\n{}", tail.join("\n"));
        }
        daemon.kill9();
    }

    // The last life: nothing is killed; it runs until every notification has its task and
    // nothing approved is due.
    for platform in &platforms {
        platform.sandbox.clear_faults();
    }
    daemon.start()?;
    daemon.wait_until_up(Duration::from_secs(30))?;
    settle(&daemon, &pushed, Duration::from_secs(120))?;
    let tasks = daemon.all_tasks()?;
    daemon.kill9();

    let stored: Vec<StoredTask> = tasks.iter().map(stored_task).collect::<anyhow::Result<_>>()?;
    let requests: BTreeMap<String, _> =
        platforms.iter().map(|p| (p.name.clone(), p.sandbox.requests())).collect();
    let budgets: Vec<WindowBudget> = BUDGETS
        .iter()
        .map(|&(action, length_secs, limit)| WindowBudget { action: action.to_string(), length_secs, limit })
        .collect();
    // A send is recorded when it arrives, within a second or two of the start the daemon's
    // ledger counts (the sandbox's slowness delays the answer, not the arrival).
    let slack_secs = 2;
    let findings = check::check(&Evidence {
        pushed: &pushed,
        approved: &approved,
        tasks: &stored,
        requests: &requests,
        budgets: &budgets,
        slack_secs,
    });
    let log = std::env::temp_dir().join(format!("rapport-chaos-{}.log", options.seed));
    let _ = std::fs::copy(dir.path().join("rapportd.log"), &log);
    Ok(Outcome {
        iterations: options.iterations,
        pushed: pushed.len(),
        approved: approved.len(),
        findings,
        elapsed: started.elapsed(),
        log,
    })
}

/// The configuration: every account on its sandbox, polled every 10 s, and the budgets.
fn write_config(dir: &Path, plugin: &Path, platforms: &[Platform]) -> anyhow::Result<()> {
    let mut config = format!(
        "data_dir = \"{}\"\n[socket]\npath = \"{}\"\n\n",
        dir.join("data").display(),
        dir.join("rapport.sock").display()
    );
    for (k, platform) in platforms.iter().enumerate() {
        let token = dir.join(format!("{}-token", platform.name));
        std::fs::write(&token, format!("chaos-token-{k}"))?;
        std::fs::set_permissions(&token, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
        config.push_str(&format!(
            "[[accounts]]\nname = \"{name}\"\nplatform = \"mastodon\"\nplugin = \"{plugin}\"\n\
             api_base = \"{api}\"\nuser = \"{name}\"\npoll_interval = \"10s\"\nallow_private_addresses = true\n\
             [accounts.secrets]\ntoken = {{ file = \"{token}\" }}\n\n",
            name = platform.name,
            plugin = plugin.display(),
            api = platform.sandbox.base_url(),
            token = token.display(),
        ));
    }
    for (action, length_secs, limit) in BUDGETS {
        config.push_str(&format!(
            "[[policy.budgets]]\naction = \"{action}\"\nwindows = [{{ length = \"{length_secs}s\", limit = {limit} }}]\n\n"
        ));
    }
    std::fs::write(dir.join("rapport.toml"), config)?;
    Ok(())
}

/// Up to two new followers and two questions, on accounts picked at random.
fn push_events(rng: &mut fastrand::Rng, platforms: &mut [Platform], pushed: &mut Vec<Pushed>) {
    for _ in 0..rng.usize(0..=2) {
        let platform = &mut platforms[rng.usize(0..platforms.len())];
        let Some(person) = platform.people.get(platform.next_follower) else { continue };
        let notification = platform.sandbox.push_follow(person);
        platform.next_follower += 1;
        pushed.push(Pushed { account: platform.name.clone(), notification });
    }
    for _ in 0..rng.usize(0..=2) {
        let platform = &platforms[rng.usize(0..platforms.len())];
        let person = &platform.people[rng.usize(0..platform.people.len())];
        let question = format!("Do you ship mug number {} abroad?", rng.u32(1..10_000));
        let notification = platform.sandbox.push_mention(person, &question);
        pushed.push(Pushed { account: platform.name.clone(), notification });
    }
}

/// Now and then the next send, or the next poll, is answered slowly.
fn inject_slowness(rng: &mut fastrand::Rng, sandbox: &MastodonSandbox) {
    sandbox.clear_faults();
    if rng.u8(0..10) < 3 {
        let millis = rng.u64(100..SLOWEST_ANSWER_MS);
        sandbox.inject(FaultRule::new(Fault::Slow { millis }).times(1).on("POST", "/api/v1/"));
    }
    if rng.u8(0..10) < 2 {
        let millis = rng.u64(100..SLOWEST_ANSWER_MS);
        sandbox.inject(FaultRule::new(Fault::Slow { millis }).times(1).on("GET", "/api/v1/notifications"));
    }
}

/// A person at the CLI: approves most proposed tasks, rejects a few, leaves the rest.
fn decide(rng: &mut fastrand::Rng, daemon: &Daemon, approved: &mut HashSet<u64>) {
    let Some(Value::Array(proposed)) = daemon.json(&["queue", "--state", "proposed", "--limit", "200"])
    else {
        return;
    };
    let mut approve = Vec::new();
    let mut reject = Vec::new();
    for id in proposed.iter().filter_map(|t| t["id"].as_u64()) {
        match rng.u8(0..10) {
            0 => reject.push(id.to_string()),
            1..=6 => approve.push(id.to_string()),
            _ => {}
        }
    }
    if !approve.is_empty() {
        let mut args = vec!["approve"];
        args.extend(approve.iter().map(String::as_str));
        // Only what the daemon confirmed counts as approved; a reply lost to the kill may or
        // may not have been applied, and the checker leaves those out of "lost".
        if let Some(Value::Array(results)) = daemon.json(&args) {
            for result in results.iter().filter(|r| r["error"].is_null()) {
                if let Some(id) = result["id"].as_str().and_then(|id| id.parse().ok()) {
                    approved.insert(id);
                }
            }
        }
    }
    if !reject.is_empty() {
        let mut args = vec!["reject"];
        args.extend(reject.iter().map(String::as_str));
        let _ = daemon.json(&args);
    }
}

/// Waits until every pushed notification has a task and nothing approved is due or executing.
fn settle(daemon: &Daemon, pushed: &[Pushed], within: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + within;
    loop {
        let tasks = daemon.all_tasks()?;
        let now = chrono::Utc::now().timestamp();
        let notifications: HashSet<(&str, &str)> = tasks
            .iter()
            .filter_map(|t| Some((t["account"].as_str()?, t["origin"]["id"].as_str()?)))
            .collect();
        let all_in =
            pushed.iter().all(|p| notifications.contains(&(p.account.as_str(), p.notification.as_str())));
        let busy = tasks.iter().any(|t| {
            t["state"] == "executing"
                || (t["state"] == "approved" && t["not_before"].as_i64().is_none_or(|at| at <= now))
        });
        if all_in && !busy {
            return Ok(());
        }
        if Instant::now() > deadline {
            // The checker says what is missing; waiting longer would not change it.
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// The checker's view of a task from `rapport --json queue`.
fn stored_task(task: &Value) -> anyhow::Result<StoredTask> {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    Ok(StoredTask {
        id: task["id"].as_u64().context("a task without an id")?,
        account: text(&task["account"]).context("a task without an account")?,
        kind: text(&task["action"]["kind"]).unwrap_or_default(),
        state: text(&task["state"]).unwrap_or_default(),
        notification: (task["origin"]["from"] == "notification")
            .then(|| text(&task["origin"]["id"]))
            .flatten(),
        follows: text(&task["action"]["account_id"]),
        created_at: task["created_at"].as_i64().unwrap_or_default(),
    })
}
