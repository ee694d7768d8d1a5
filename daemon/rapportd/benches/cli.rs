//! The person's side of the daemon, measured end to end: the real `rapportd` process on a store of
//! 10,000 and 1,000,000 tasks, the real `rapport` CLI process over the socket. Prints the figures
//! that go into BENCHMARKS.md:
//!
//! - the first page of `rapport queue` (process start, connect, request, render) — target ≤ 20 ms,
//!   and flat from 10,000 to 1,000,000 tasks;
//! - `rapport approve` with 1,000 ids in one command;
//! - the daemon's CPU while idle (one account polling the sandbox once a minute): no busy polling;
//! - start-up of a daemon with four accounts, one per platform plugin, with a cold compile cache
//!   (a fresh data dir) and a warm one (a restart), and its peak resident memory once all four
//!   have polled — target ≤ 50 ms warm, ≤ 40 MB;
//! - `rapport report` over a year of history (5 posts a day read hourly then daily, a daily
//!   follower snapshot, 100,000 interactions from 100,000 people), in the terminal and as HTML,
//!   and `rapport person` among those 100,000 people — targets ≤ 100 ms, ≤ 100 ms, ≤ 10 ms.
//!
//! Run: `cargo build --release -p rapport-cli && cargo bench -p rapportd --bench cli`
//! (`cargo xtask bench` does both, after building the plugins). One group alone:
//! `cargo bench -p rapportd --bench cli -- queue|history|startup`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rapport_core::notification::Profile;
use rapport_core::proposal::{Proposal, ProposalKey};
use rapport_core::task::{Action, Origin, TaskContext, TaskId};
use rapport_store::Store;
use rapport_tests::sandbox::{MastodonSandbox, Seed};

const TOKEN: &str = "bench-token";
const QUEUE_RUNS: usize = 30;
const IDLE_SECONDS: u64 = 20;

fn target_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"))
}

/// The `rapport` binary next to this bench's `rapportd` (same profile).
fn cli_path() -> PathBuf {
    let path = Path::new(env!("CARGO_BIN_EXE_rapportd")).with_file_name("rapport");
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build --release -p rapport-cli`",
        path.display()
    );
    path
}

fn plugin_path(name: &str) -> PathBuf {
    let path = target_dir().join(format!("wasm32-wasip2/plugin/rapport_plugin_{name}.wasm"));
    assert!(path.exists(), "{} is missing: build the plugins with `cargo xtask plugins`", path.display());
    path
}

/// Fills a store with a year of history before now: a follower snapshot a day, five posts a day
/// each read on the recorder's cadence, and 100,000 likes and replies, one per person.
fn fill_history(data: &Path) {
    use rapport_core::history::FollowerSnapshot;
    use rapport_core::notification::{Notification, NotificationKind, Post};
    use rapport_core::reads::PostMetrics;

    const DAY: i64 = 86_400;
    const PEOPLE: usize = 100_000;
    let store = Store::open(data).expect("open store");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let start = now - 365 * DAY;
    for d in 0..365 {
        let snapshot =
            FollowerSnapshot { at: start + d * DAY, followers: 1_000 + d as u64 * 3, following: 400 };
        store.record_snapshot("shop", &snapshot).expect("snapshot");
    }
    for n in 0..365 * 5 {
        let posted = start + n * DAY / 5;
        let post = Post {
            id: format!("p{n}"),
            text: format!("Studio note {n}: glazes, kilns and the week's mugs"),
            url: format!("https://example.social/@shop/p{n}"),
            author: Profile::default(),
            in_reply_to: None,
            created: posted,
            visibility: "public".into(),
        };
        let mut at = Some(posted);
        let mut k = 0u64;
        while let Some(due) = at.filter(|t| *t < now) {
            k += 1;
            let metrics =
                PostMetrics { likes: k * 2, reposts: k / 3, replies: k / 5, quotes: None, views: None };
            store.record_reading("shop", &post, metrics, due).expect("reading");
            at = rapport_store::next_reading(posted, Some(due));
        }
    }
    let notifications: Vec<Notification> = (0..PEOPLE)
        .map(|i| {
            let account = Profile {
                id: format!("a{i}"),
                handle: format!("user{i}@example.social"),
                display_name: format!("User {i}"),
                ..Profile::default()
            };
            let at = start + (i as i64 * 365 * DAY) / PEOPLE as i64;
            let kind = if i % 4 == 0 { NotificationKind::Reply } else { NotificationKind::Like };
            let post = Some(Post {
                id: format!("r{i}"),
                text: "Lovely glaze!".into(),
                url: String::new(),
                author: account.clone(),
                in_reply_to: None,
                created: at,
                visibility: "public".into(),
            });
            Notification { id: format!("n{i}"), kind, at, account, post }
        })
        .collect();
    for page in notifications.chunks(400) {
        store.ingest_page("shop", page, None, now, |_| None).expect("ingest");
    }
    store.drain_book().expect("drain");
    store.flush().expect("flush");
}

/// Fills a store with `n` proposed follow-backs, each carrying a profile as triage would.
fn fill(data: &Path, n: usize) {
    let store = Store::open(data).expect("open store");
    let template: Vec<Proposal> = (0..5_000)
        .map(|i| Proposal {
            key: ProposalKey::notification(&format!("n{i}")),
            action: Action::FollowBack { account_id: format!("{}", 100_000 + i) },
            origin: Origin::Notification { id: format!("n{i}") },
            context: TaskContext {
                profile: Some(Profile {
                    id: format!("{}", 100_000 + i),
                    handle: format!("user{i}@example.social"),
                    display_name: format!("User {i}"),
                    bio: "Gardener, reader, occasional baker.".into(),
                    followers: Some(120),
                    following: Some(80),
                    posts: Some(300),
                    ..Profile::default()
                }),
                ..TaskContext::default()
            },
            expires_at: None,
        })
        .collect();
    for start in (0..n).step_by(template.len()) {
        let len = template.len().min(n - start);
        // Each batch stands for other notifications: a key the store has seen makes no task.
        let batch: Vec<Proposal> = template[..len]
            .iter()
            .map(|p| Proposal { key: ProposalKey::notification(&format!("{start}-{}", p.key)), ..p.clone() })
            .collect();
        store.propose_batch("shop", &batch, 1_000).expect("create tasks");
    }
    store.flush().expect("flush");
}

struct Rig {
    dir: tempfile::TempDir,
    daemon: Child,
}

impl Rig {
    /// A daemon on a store of `tasks` proposed tasks, with the Mastodon account on the sandbox and,
    /// if `all_platforms`, one account for each other platform plugin too.
    fn start(sandbox: &MastodonSandbox, tasks: usize, all_platforms: bool) -> Rig {
        Rig::start_on(sandbox, all_platforms, |data| {
            let started = Instant::now();
            fill(data, tasks);
            eprintln!("filled a store with {tasks} tasks in {:.1} s", started.elapsed().as_secs_f64());
        })
    }

    /// A daemon on a store `fill` made, with the accounts [`Rig::start`] describes.
    fn start_on(sandbox: &MastodonSandbox, all_platforms: bool, fill: impl FnOnce(&Path)) -> Rig {
        let dir = tempfile::tempdir().expect("temp dir");
        fill(&dir.path().join("data"));
        let token = dir.path().join("token");
        std::fs::write(&token, TOKEN).unwrap();
        std::fs::set_permissions(&token, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
        // The other platforms' accounts point at the sandbox too: they load and poll (and fail
        // their polls), which is what their memory and start-up cost is made of.
        let platforms: &[(&str, &str, &str)] = if all_platforms {
            &[
                ("mastodon", "mastodon", "token"),
                ("bluesky", "bluesky", "app_password"),
                ("x", "x", "refresh_token"),
                ("facebook", "facebook-pages", "page_token"),
            ]
        } else {
            &[("mastodon", "mastodon", "token")]
        };
        let mut accounts = String::new();
        for (plugin, platform, secret) in platforms {
            accounts.push_str(&format!(
                r#"
[[accounts]]
name = "{name}"
platform = "{platform}"
plugin = "{plugin}"
api_base = "{api}"
user = "shop"
poll_interval = "60s"
allow_private_addresses = true
[accounts.secrets]
{secret} = {{ file = "{token}" }}
[accounts.settings]
client_id = "bench"
"#,
                name = if *plugin == "mastodon" { "shop" } else { plugin },
                plugin = plugin_path(plugin).display(),
                api = sandbox.base_url(),
                token = token.display(),
            ));
        }
        let config = dir.path().join("rapport.toml");
        std::fs::write(
            &config,
            format!(
                "data_dir = \"{data}\"\n[socket]\npath = \"{socket}\"\n{accounts}",
                data = dir.path().join("data").display(),
                socket = dir.path().join("rapport.sock").display(),
            ),
        )
        .unwrap();
        let (daemon, _) = Rig::spawn(&dir, &config);
        Rig { dir, daemon }
    }

    /// Starts `rapportd` on `config`; returns it once it answers, with how long that took.
    fn spawn(dir: &tempfile::TempDir, config: &Path) -> (Child, Duration) {
        // Before the daemon exists: a missing CLI must not leave a daemon running behind the panic.
        cli_path();
        let started = Instant::now();
        let mut daemon = Command::new(env!("CARGO_BIN_EXE_rapportd"))
            .arg("--config")
            .arg(config)
            .env("RAPPORT_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("rapportd starts");
        let socket = dir.path().join("rapport.sock");
        let deadline = Instant::now() + Duration::from_secs(60);
        while !cli_ok(&socket, &["status"]) {
            if Instant::now() >= deadline {
                let _ = daemon.kill();
                panic!("rapportd did not come up");
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        (daemon, started.elapsed())
    }

    /// Kills the daemon, empties the compile cache and starts it again: every plugin is compiled.
    fn restart_cold(&mut self) -> Duration {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        let _ = std::fs::remove_dir_all(self.dir.path().join("data/plugin-cache"));
        self.restart()
    }

    /// Kills the daemon and starts it again on the same data dir; how long until it answers.
    fn restart(&mut self) -> Duration {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        let (daemon, took) = Rig::spawn(&self.dir, &self.dir.path().join("rapport.toml"));
        self.daemon = daemon;
        took
    }

    /// A `kB` field of the daemon's `/proc/<pid>/status`, in KiB.
    fn status_kib(&self, field: &str) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.daemon.id())).expect("/proc status");
        let line = status
            .lines()
            .find_map(|l| l.strip_prefix(field).and_then(|rest| rest.strip_prefix(':')))
            .unwrap_or_else(|| panic!("/proc status has no {field}"));
        line.trim().trim_end_matches("kB").trim().parse().expect("a number of kB")
    }

    /// Runs the CLI `QUEUE_RUNS` times with `args`; the wall times' median, p90 and minimum.
    fn runs(&self, args: &[&str]) -> String {
        let mut times: Vec<Duration> = (0..QUEUE_RUNS)
            .map(|_| {
                let (ok, took) = self.cli(args);
                assert!(ok, "rapport {args:?} failed");
                took
            })
            .collect();
        times.sort();
        format!(
            "median {:.1} ms, p90 {:.1} ms, min {:.1} ms",
            millis(times[QUEUE_RUNS / 2]),
            millis(times[QUEUE_RUNS * 9 / 10]),
            millis(times[0]),
        )
    }

    /// Runs the CLI; whether it succeeded and how long the whole process took.
    fn cli(&self, args: &[&str]) -> (bool, Duration) {
        let started = Instant::now();
        let ok = cli_ok(&self.dir.path().join("rapport.sock"), args);
        (ok, started.elapsed())
    }

    /// User plus system CPU time the daemon has used, from /proc.
    fn cpu_time(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.daemon.id())).expect("/proc stat");
        // Fields after the parenthesized command name; utime and stime are the 12th and 13th.
        let rest = &stat[stat.rfind(')').expect("stat format") + 2..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        let per_second = rustix::param::clock_ticks_per_second();
        Duration::from_secs_f64(ticks as f64 / per_second as f64)
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// Runs `rapport --socket <socket> <args>`; whether it succeeded.
fn cli_ok(socket: &Path, args: &[&str]) -> bool {
    Command::new(cli_path())
        .arg("--socket")
        .arg(socket)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("rapport runs")
        .success()
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The groups named on the command line (`-- history`), or every group when none is named.
fn wanted(group: &str) -> bool {
    let named: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    named.is_empty() || named.iter().any(|n| n == group)
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let sandbox = runtime.block_on(MastodonSandbox::start(Seed::new(TOKEN))).expect("sandbox starts");
    println!(
        "rapport CLI end to end ({} runs per case, wall time of the whole `rapport` process)",
        QUEUE_RUNS
    );
    for tasks in [10_000, 1_000_000] {
        if !wanted("queue") {
            break;
        }
        let rig = Rig::start(&sandbox, tasks, false);
        let queue = rig.runs(&["queue", "--state", "proposed", "--limit", "50"]);
        println!("  first page of `rapport queue` (50 of {tasks} tasks): {queue}");
        if tasks == 1_000_000 {
            std::thread::sleep(Duration::from_secs(2));
            let before = rig.cpu_time();
            std::thread::sleep(Duration::from_secs(IDLE_SECONDS));
            let used = rig.cpu_time() - before;
            println!(
                "  idle daemon CPU over {IDLE_SECONDS} s (one account polled every 60 s): {:.0} ms = {:.3} %",
                millis(used),
                100.0 * used.as_secs_f64() / IDLE_SECONDS as f64
            );
            let ids: Vec<String> = (1..=1_000u64).map(|i| TaskId(i).to_string()).collect();
            let mut args = vec!["approve"];
            args.extend(ids.iter().map(String::as_str));
            let (ok, took) = rig.cli(&args);
            assert!(ok, "rapport approve failed");
            println!("  `rapport approve` with 1,000 ids in one command: {:.0} ms", millis(took));
        }
    }

    if wanted("history") {
        history_cases(&sandbox);
    }
    if wanted("startup") {
        startup_cases(&sandbox);
    }
}

/// The report and the book over a year of history.
fn history_cases(sandbox: &MastodonSandbox) {
    let history = Rig::start_on(sandbox, false, |data| {
        let started = Instant::now();
        fill_history(data);
        eprintln!("filled a year of history in {:.1} s", started.elapsed().as_secs_f64());
    });
    println!("a year of history: 1,825 posts read hourly then daily, 365 snapshots, 100,000 interactions");
    let html = history.dir.path().join("report.html");
    let html = html.display().to_string();
    let cases: [(&str, Vec<&str>); 4] = [
        ("`rapport report --since 365d` (terminal)", vec!["report", "--since", "365d"]),
        (
            "`rapport report --since 365d --by day` (terminal)",
            vec!["report", "--since", "365d", "--by", "day"],
        ),
        ("`rapport report --since 365d --html FILE`", vec!["report", "--since", "365d", "--html", &html]),
        ("`rapport person` among 100,000 people", vec!["person", "user4242@example.social"]),
    ];
    for (name, args) in cases {
        println!("  {name}: {}", history.runs(&args));
    }
}

/// Start-up and memory of a daemon with one account per platform plugin.
fn startup_cases(sandbox: &MastodonSandbox) {
    let mut rig = Rig::start(sandbox, 0, true);
    let cold = rig.restart_cold();
    let warm: Vec<Duration> = (0..5).map(|_| rig.restart()).collect();
    let warm_best = warm.iter().min().copied().unwrap_or_default();
    // Every account has polled once (at start); give the polls a moment to finish.
    std::thread::sleep(Duration::from_secs(5));
    println!("rapportd with four accounts, one per platform plugin (mastodon, bluesky, x, facebook)");
    println!(
        "  start-up until `rapport status` answers: cold compile cache {:.0} ms, warm {:.0} ms (best of 5; runs {:?} ms)",
        millis(cold),
        millis(warm_best),
        warm.iter().map(|d| millis(*d).round() as u64).collect::<Vec<_>>()
    );
    println!(
        "  resident memory after the first polls: VmRSS {:.1} MiB, peak VmHWM {:.1} MiB",
        rig.status_kib("VmRSS") as f64 / 1024.0,
        rig.status_kib("VmHWM") as f64 / 1024.0
    );
}
