//! The daemon's process lifecycle as a service manager sees it: SIGTERM when idle and in the middle
//! of a send, a restart on the same data dir, and a second daemon that must not share it.
//!
//! The contract under test (`daemon::run`, the executor service, the recovery in `State::start`): SIGTERM stops
//! polling and serving, lets in-flight sends finish for [`SHUTDOWN_GRACE`], parks the rest, flushes
//! the store, removes the socket and exits 0; a send parked that way is `needs-check` after the
//! next start and is never resent without a person. The store's lock keeps a second daemon off a
//! data dir in use, and the refusal names it.
//!
//! These tests start `rapportd` themselves rather than through `crate::common::Rig::start`, because they
//! need the process handle to signal it and read its exit status. Needs the plugins built
//! (`cargo xtask plugins`) and the `rapport` binary (`cargo build -p rapport-cli`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use rapport_tests::sandbox::{Fault, FaultRule, MastodonSandbox, Seed, SeedAccount};
use rapportd::executor::SHUTDOWN_GRACE;
use rustix::process::{Pid, Signal, kill_process};

use crate::common::id;

const TOKEN: &str = "lifecycle-token";
const STATUSES: &str = "/api/v1/statuses";

/// How long an idle daemon may take to stop after SIGTERM.
const PROMPTLY: Duration = Duration::from_secs(5);

/// A sandbox, a rig (data dir, config, CLI) and the daemon process this test started.
struct Rig {
    sandbox: MastodonSandbox,
    rig: crate::common::Rig,
    /// The rig's directory: config, log, socket and data dir.
    dir: PathBuf,
    daemon: Option<Child>,
}

impl Rig {
    async fn new(seed: Seed) -> Rig {
        let sandbox = MastodonSandbox::start(seed).await.expect("sandbox starts");
        let rig = crate::common::Rig::new(
            |rig| crate::common::mastodon_account(rig, "shop", &sandbox.base_url(), TOKEN),
            "",
        );
        let dir = rig.socket().parent().expect("the socket is in the rig's dir").to_path_buf();
        Rig { sandbox, rig, dir, daemon: None }
    }

    /// The config `crate::common::Rig` wrote.
    fn config(&self) -> PathBuf {
        self.rig.config_path()
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// Starts `rapportd --config <config>` with its output appended to the rig's log.
    fn spawn(&self, config: &Path) -> Child {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("rapportd.log"))
            .unwrap();
        Command::new(env!("CARGO_BIN_EXE_rapportd"))
            .arg("--config")
            .arg(config)
            .env("RAPPORT_LOG", "info")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("rapportd starts")
    }

    /// Starts the daemon and waits until it answers on its socket.
    fn start(&mut self) {
        assert!(self.daemon.is_none(), "the daemon already runs");
        self.daemon = Some(self.spawn(&self.config()));
        self.rig.wait("the daemon's socket", || self.rig.cli(&["status"]).status.success().then_some(()));
    }

    /// Sends SIGTERM and waits up to `patience` for the exit; returns the status and how long it took.
    fn terminate(&mut self, patience: Duration) -> (ExitStatus, Duration) {
        let mut child = self.daemon.take().expect("the daemon runs");
        let sent = Instant::now();
        kill_process(Pid::from_child(&child), Signal::TERM).expect("SIGTERM");
        let status = wait_exit(&mut child, patience).unwrap_or_else(|| {
            let _ = child.kill();
            let _ = child.wait();
            panic!("rapportd did not exit within {patience:?} of SIGTERM; log:\n{}", self.rig.log())
        });
        (status, sent.elapsed())
    }

    fn posts(&self) -> usize {
        self.sandbox.count("POST", STATUSES)
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        if let Some(mut child) = self.daemon.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The child's exit status once it exits, or `None` after `patience`.
fn wait_exit(child: &mut Child, patience: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + patience;
    loop {
        if let Some(status) = child.try_wait().expect("waiting for rapportd") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs a command to its end, or kills it after `patience` and panics.
fn run_to_end(mut child: Child, patience: Duration) -> Output {
    if wait_exit(&mut child, patience).is_none() {
        let _ = child.kill();
        let _ = child.wait();
        panic!("a second rapportd kept running on a data dir in use");
    }
    child.wait_with_output().expect("its output")
}

fn shop() -> Seed {
    Seed::new(TOKEN)
        .own(SeedAccount::new("shop", "The Shop"))
        .account(SeedAccount::new("ana@ceramics.example", "Ana Ribeiro").counts(1_480, 620, 3_900))
        .account(SeedAccount::new("jo@mastodon.example", "Jo Okafor").note("Collector of mugs."))
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_while_idle_exits_0_promptly_removes_the_socket_and_a_restart_carries_on() {
    let mut rig = Rig::new(shop().follower("ana@ceramics.example")).await;
    rig.start();
    let task = rig.rig.wait_tasks("proposed", 1).remove(0);

    let (status, took) = rig.terminate(PROMPTLY);
    assert_eq!(status.code(), Some(0), "SIGTERM is a clean stop; log:\n{}", rig.rig.log());
    assert!(took < PROMPTLY, "took {took:?}");
    assert!(!rig.rig.socket().exists(), "the socket is removed at exit");
    assert!(rig.rig.log().contains("stopped"), "{}", rig.rig.log());

    // The same data dir, the same task, nothing queued twice; and it stops cleanly again.
    rig.start();
    let tasks = rig.rig.tasks(None);
    assert_eq!(tasks.len(), 1, "{tasks:#?}");
    assert_eq!((id(&tasks[0]), &tasks[0]["state"]), (id(&task), &task["state"]));
    let (status, _) = rig.terminate(PROMPTLY);
    assert_eq!(status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_during_a_held_send_parks_it_within_the_grace_and_it_needs_a_check_after_restart() {
    let seed = shop().mention("jo@mastodon.example", "What clay body do you use for the speckled mugs?");
    let mut rig = Rig::new(seed).await;
    rig.sandbox.inject(FaultRule::new(Fault::Hold).times(1).on("POST", STATUSES));
    rig.start();
    let reply = rig.rig.wait_tasks("proposed", 1).remove(0);
    assert!(rig.rig.cli(&["approve", &id(&reply).to_string()]).status.success());
    assert!(rig.sandbox.wait_held(1, Duration::from_secs(30)).await, "the send reached the sandbox");

    // The platform never answers: the send waits out the grace period, then is parked.
    let (status, took) = rig.terminate(SHUTDOWN_GRACE + Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "parking a send is still a clean stop; log:\n{}", rig.rig.log());
    assert!(took >= SHUTDOWN_GRACE - Duration::from_millis(500), "the send had its grace: {took:?}");
    assert!(took < SHUTDOWN_GRACE + Duration::from_secs(5), "stopped within the grace: {took:?}");
    assert!(rig.rig.log().contains("parked"), "{}", rig.rig.log());
    assert!(!rig.rig.socket().exists());

    // The platform may or may not have it: after the restart a person decides, nothing is resent.
    rig.start();
    let checked = rig.rig.wait_tasks("needs-check", 1).remove(0);
    assert_eq!(id(&checked), id(&reply));
    let note = checked["note"].as_str().unwrap_or_default();
    assert!(note.contains("stopped while sending") && note.contains("resend or mark done"), "{checked:#}");
    rig.sandbox.release();
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(rig.posts(), 1, "nothing was sent twice");
    assert_eq!(rig.rig.task(id(&reply))["state"], "needs-check");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_daemon_on_the_same_data_dir_refuses_and_names_it_and_the_first_keeps_serving() {
    let mut rig = Rig::new(shop().follower("ana@ceramics.example")).await;
    rig.start();
    rig.rig.wait_tasks("proposed", 1);
    let data_dir = rig.data_dir();

    // The same config, and one that only shares the data dir (its own socket).
    let other_socket = rig.dir.join("second.sock");
    let original = std::fs::read_to_string(rig.config()).unwrap();
    let socket_line = format!("path = \"{}\"", rig.rig.socket().display());
    assert!(original.contains(&socket_line), "{original}");
    let second = rig.dir.join("second.toml");
    std::fs::write(
        &second,
        original.replace(&socket_line, &format!("path = \"{}\"", other_socket.display())),
    )
    .unwrap();
    for config in [rig.config(), second] {
        let child = Command::new(env!("CARGO_BIN_EXE_rapportd"))
            .arg("--config")
            .arg(&config)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("rapportd starts");
        let out = run_to_end(child, Duration::from_secs(20));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{}: a second daemon must not start: {err}", config.display());
        assert!(
            err.contains(&data_dir.display().to_string()) && err.contains("another rapportd"),
            "the refusal names the data dir in use: {err}"
        );
        assert!(err.trim().starts_with("rapportd: ") && !err.contains("backtrace"), "one clear line: {err}");
        assert!(!other_socket.exists(), "the refused daemon bound no socket");
    }

    // The first was not disturbed: its socket is there, it answers and its queue is intact.
    assert!(rig.rig.socket().exists());
    let status = rig.rig.cli(&["status"]);
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    assert_eq!(rig.rig.tasks(None).len(), 1);
    let (status, _) = rig.terminate(PROMPTLY);
    assert_eq!(status.code(), Some(0));
}
