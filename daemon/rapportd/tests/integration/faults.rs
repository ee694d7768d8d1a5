//! The platform misbehaving, end to end: the sandbox's faults (429 with a reset time, 5xx, a cut-off
//! page, a redirect off the granted host) against the real daemon, the real Mastodon plugin and, but
//! for the backoff schedule, the real `rapport` CLI over the socket. Each checks the one promise the
//! daemon makes about that fault: an approved action goes out exactly once, not early, and a poll
//! that fails neither kills nor stalls anything.
//!
//! The transient backoff starts at half a minute, which no config shortens, so that test runs the
//! daemon's core in-process with an injected clock instead of sleeping through it.
//!
//! Needs the plugins built (`cargo xtask plugins`, which `cargo xtask test` runs first) and the
//! `rapport` binary (`cargo build -p rapport-cli`); each test says so if they are missing.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rapport_core::task::{TaskState, Transition};
use rapport_tests::sandbox::{Fault, FaultRule, MastodonSandbox, Seed, SeedAccount};
use rapportd::settings::Settings;
use rapportd::state::State;
use serde_json::Value;

use crate::common::{id, kind};

const TOKEN: &str = "faults-token";
const STATUSES: &str = "/api/v1/statuses";
const NOTIFICATIONS: &str = "/api/v1/notifications";

type Rig = crate::common::MastodonRig;

impl Rig {
    /// The reply task the seeded mention became, approved.
    fn approve_the_reply(&self) -> u64 {
        let reply = self.wait_tasks("proposed", 1).remove(0);
        assert_eq!(kind(&reply), "reply", "{reply:#}");
        let approve = self.cli(&["approve", &id(&reply).to_string()]);
        assert!(approve.status.success(), "{}", String::from_utf8_lossy(&approve.stderr));
        id(&reply)
    }

    fn posts(&self) -> usize {
        self.sandbox.count("POST", STATUSES)
    }

    fn polls(&self) -> usize {
        self.sandbox.count("GET", NOTIFICATIONS)
    }

    /// The Idempotency-Key of every status POST the sandbox received.
    fn post_keys(&self) -> Vec<String> {
        self.sandbox
            .requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path == STATUSES)
            .map(|r| r.header("idempotency-key").unwrap_or_default().to_owned())
            .collect()
    }
}

/// The shop, and Jo, who asks it a question: one reply task.
fn a_question() -> Seed {
    Seed::new(TOKEN)
        .own(SeedAccount::new("shop", "The Shop"))
        .account(SeedAccount::new("jo@mastodon.example", "Jo Okafor").note("Collector of mugs."))
        .mention("jo@mastodon.example", "Do you ship your mugs to Germany, and how long does it take?")
}

/// Wall-clock seconds since the Unix epoch, with fractions.
fn unix_now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs_f64()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_on_a_send_holds_the_task_until_the_reset_and_it_goes_out_once() {
    let mut rig = Rig::new(TOKEN, a_question(), "").await;
    // Mastodon's 429: X-RateLimit-Remaining 0 and X-RateLimit-Reset three seconds ahead.
    rig.sandbox.inject(FaultRule::new(Fault::RateLimited { reset_in_secs: 3 }).times(1).on("POST", STATUSES));
    rig.start();
    let task = rig.approve_the_reply();
    rig.wait("the first send", || (rig.posts() >= 1).then_some(()));
    let first_send = unix_now();

    let held = rig.wait("the rate-limit hold", || {
        let t = rig.task(task);
        (t["state"] == "approved" && t["note"].is_string()).then_some(t)
    });
    let note = held["note"].as_str().unwrap();
    assert!(note.contains("slow down") && note.contains("retrying in"), "{held:#}");
    let not_before = held["not_before"].as_i64().expect("a held task says until when");
    let wait = not_before as f64 - first_send.floor();
    assert!(
        (1.0..=4.0).contains(&wait),
        "held for the reset the platform named (3 s), not {wait} s: {held:#}"
    );

    // Not before the reset: until then nothing more reaches the platform, and the task says why.
    while unix_now() < not_before as f64 - 0.2 {
        assert_eq!(rig.posts(), 1, "retried before the reset at {not_before}");
        let t = rig.task(task);
        assert_eq!(t["state"], "approved", "{t:#}");
        assert!(t["note"].as_str().is_some_and(|n| n.contains("slow down")), "{t:#}");
        std::thread::sleep(Duration::from_millis(200));
    }
    rig.wait("the retry", || (rig.task(task)["state"] == "done").then_some(()));
    let late = unix_now() - not_before as f64;
    assert!(late >= 0.0, "sent {late} s before the reset");
    // Once the reset passes it goes out, not at the executor's next idle pass half a minute later.
    assert!(late < 10.0, "sent {late} s after the reset");

    // Two requests, one refused by the rate limit: the platform has the reply exactly once.
    std::thread::sleep(Duration::from_millis(500));
    let keys = rig.post_keys();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert_eq!(keys[0], keys[1], "the retry carries the same Idempotency-Key");
    let done = rig.task(task);
    assert!(done["result"].as_str().is_some_and(|r| r.starts_with("http")), "{done:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_on_a_send_is_retried_with_backoff_and_goes_out_once() {
    let sandbox = MastodonSandbox::start(a_question()).await.expect("sandbox starts");
    // The daemon runs in process, on the rig's config; the rig's process is never started.
    let rig = crate::common::Rig::new(
        |rig| crate::common::mastodon_account(rig, "shop", &sandbox.base_url(), TOKEN),
        "",
    );
    let config = rig.config_path();
    let t0 = unix_now() as i64;
    let clock = Arc::new(crate::common::TestClock::at(t0));
    let daemon: Arc<State> =
        State::start(Settings::load(&config).unwrap(), clock.clone()).await.expect("daemon starts");
    let account = daemon.account("shop").expect("the account loaded");
    rapportd::poller::poll_once(&daemon, &account).await.expect("the poll works");
    let proposed: Vec<_> = daemon.store.in_state(TaskState::Proposed).map(Result::unwrap).collect();
    assert_eq!(proposed.len(), 1, "{proposed:#?}");
    let task = proposed[0].id;
    let approve = daemon
        .store
        .transition_many([(task, Transition::Approve { text: None, hold_until: None })], t0)
        .unwrap();
    assert!(approve.iter().all(|(_, r)| r.is_ok()));

    // The first two sends get 503; the third works.
    sandbox.inject(FaultRule::new(Fault::Status { code: 503 }).times(2).on("POST", STATUSES));
    let posts = || sandbox.count("POST", STATUSES);
    let stored = || daemon.store.task(task).unwrap().expect("the task is stored");

    let (_, started) = crate::common::executor_pass(&daemon).await;
    assert_eq!((started, posts()), (1, 1));
    let first_retry = t0 + 30;
    let t = stored();
    assert_eq!((t.state, t.not_before), (TaskState::Approved, Some(first_retry)), "{t:#?}");
    let note = t.note.unwrap_or_default();
    assert!(note.contains("503") && note.contains("attempt 1 of") && note.contains("30 s"), "{note}");

    clock.set(first_retry - 1);
    let (next, started) = crate::common::executor_pass(&daemon).await;
    assert_eq!((started, posts()), (0, 1), "nothing before the backoff ends");
    assert_eq!(next, Some(first_retry), "the executor wakes when the backoff ends");

    clock.set(first_retry);
    let (_, started) = crate::common::executor_pass(&daemon).await;
    assert_eq!((started, posts()), (1, 2));
    // The wait doubles.
    let second_retry = first_retry + 60;
    let t = stored();
    assert_eq!((t.state, t.not_before), (TaskState::Approved, Some(second_retry)), "{t:#?}");

    clock.set(second_retry - 1);
    assert_eq!(crate::common::executor_pass(&daemon).await.1, 0);
    clock.set(second_retry);
    assert_eq!(crate::common::executor_pass(&daemon).await.1, 1);
    let t = stored();
    assert_eq!(t.state, TaskState::Done, "{t:#?}");
    assert_eq!(t.attempts, 3);

    // Done stays done: later passes send nothing.
    clock.set(second_retry + 3600);
    assert_eq!(crate::common::executor_pass(&daemon).await.1, 0);
    let keys: Vec<String> = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == STATUSES)
        .filter_map(|r| r.header("idempotency-key").map(str::to_owned))
        .collect();
    assert_eq!(keys.len(), 3, "two refused with 503, one that the platform took: {keys:?}");
    assert!(keys.iter().all(|k| *k == keys[0]), "every retry carries the same Idempotency-Key: {keys:?}");
}

/// A poll answered with `fault` once: the daemon keeps answering, says the account is degraded,
/// polls again after its backoff and queues the notification exactly once.
async fn a_failed_poll_is_survived(fault: Fault, symptom: &str) {
    let mut rig = Rig::new(TOKEN, a_question(), "").await;
    rig.sandbox.inject(FaultRule::new(fault).times(1).on("GET", NOTIFICATIONS));
    rig.start();
    let status = rig.wait("the failed poll", || {
        let out = rig.cli(&["--json", "status"]);
        assert!(out.status.success(), "the daemon answers: {}", String::from_utf8_lossy(&out.stderr));
        let status: Value = serde_json::from_slice(&out.stdout).expect("status --json is JSON");
        let account = status["accounts"].as_array()?.iter().find(|a| a["name"] == "shop")?.clone();
        (account["plugin_health"]["health"] == "degraded").then_some(account)
    });
    let reason = status["plugin_health"]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains(symptom), "the reason names what went wrong: {status:#}");
    assert_eq!(rig.polls(), 1);
    assert!(rig.tasks(None).is_empty(), "nothing was queued from a failed page");

    // The next poll (one poll interval later, 10 s) reads the page.
    let tasks = rig.wait_tasks("proposed", 1);
    assert_eq!(tasks.len(), 1, "{tasks:#?}");
    assert_eq!(kind(&tasks[0]), "reply");
    rig.wait("the account to be healthy again", || {
        let out = rig.cli(&["--json", "status"]);
        let status: Value = serde_json::from_slice(&out.stdout).ok()?;
        (status["accounts"][0]["plugin_health"]["health"] == "ok").then_some(())
    });

    // A reload polls again at once: the same notification makes no second task.
    let polls = rig.polls();
    rig.reload();
    rig.wait("a poll after the reload", || (rig.polls() > polls).then_some(()));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(rig.tasks(None).len(), 1, "the notification became a task once");
    assert!(rig.log().contains("poll failed"), "the failure is logged");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cut_off_notifications_page_is_retried_and_queues_once() {
    a_failed_poll_is_survived(Fault::MalformedJson, "not the JSON").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_5xx_on_a_poll_is_retried_and_queues_once() {
    a_failed_poll_is_survived(Fault::Status { code: 502 }, "502").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redirect_to_a_host_the_account_does_not_grant_is_refused_and_named() {
    let mut rig = Rig::new(TOKEN, a_question(), "").await;
    // Another server on loopback, another port: not the account's api_base, not in allowed_hosts.
    let elsewhere = MastodonSandbox::start(Seed::new(TOKEN).own(SeedAccount::new("shop", "The Shop")))
        .await
        .expect("second sandbox starts");
    let location = format!("{}{STATUSES}", elsewhere.base_url());
    rig.sandbox.inject(FaultRule::new(Fault::Redirect { location }).on("POST", STATUSES));
    rig.start();
    let task = rig.approve_the_reply();

    let failed = rig.wait("the refused redirect", || {
        let t = rig.task(task);
        (t["state"] == "failed").then_some(t)
    });
    let note = failed["note"].as_str().unwrap_or_default();
    assert!(
        note.contains(&elsewhere.base_url()) && note.contains("not granted"),
        "the reason names the refused host: {failed:#}"
    );
    std::thread::sleep(Duration::from_millis(500));
    assert!(elsewhere.requests().is_empty(), "the other host received nothing: {:?}", elsewhere.requests());
    assert_eq!(rig.posts(), 1, "a refusal is not retried");
}
