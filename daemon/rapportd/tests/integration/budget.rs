//! The follow budget, end to end over simulated days: 500 approved follows go out through the real
//! daemon core (store, policy gate, executor), the real Mastodon plugin and the sandbox, with an
//! injected clock, so days pass in milliseconds and nothing sleeps. Halfway the daemon is stopped
//! and started again on the same data dir; the ledger must carry the windows across.
//!
//! Needs the plugins built (`cargo xtask plugins`, which `cargo xtask test` runs first).

use std::sync::Arc;

use rapport_core::proposal::{Proposal, ProposalKey};
use rapport_core::task::{Action, Origin, TaskContext, TaskState, Transition};
use rapport_host::clock::Clock;
use rapport_tests::sandbox::{MastodonSandbox, Seed, SeedAccount};
use rapportd::settings::Settings;
use rapportd::state::State;

const TOKEN: &str = "budget-token";
const FOLLOWS: usize = 500;
const PER_DAY: usize = 60;
const PER_HOUR: usize = 6;
const MIN_GAP: i64 = 600;
const DAY: i64 = 86_400;

/// A rig (not started: the daemon runs in process) with the account on `sandbox`; its config.
fn config(sandbox: &MastodonSandbox) -> crate::common::Rig {
    crate::common::Rig::new(
        |rig| crate::common::mastodon_account(rig, "shop", &sandbox.base_url(), TOKEN),
        &format!(
            r#"[[policy.budgets]]
account = "shop"
action = "follow"
per_day = {PER_DAY}
per_hour = {PER_HOUR}
min_gap = "{MIN_GAP}s"
jitter = 0.2
"#
        ),
    )
}

/// The largest number of `times` inside any window of `length` seconds.
fn most_in_any_window(times: &[i64], length: i64) -> usize {
    let mut most = 0;
    let mut start = 0;
    for (end, &t) in times.iter().enumerate() {
        while t - times[start] >= length {
            start += 1;
        }
        most = most.max(end - start + 1);
    }
    most
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_approved_follows_go_out_within_the_budget_across_a_restart() {
    let mut seed = Seed::new(TOKEN);
    let people: Vec<String> = (0..FOLLOWS).map(|i| format!("person{i}@elsewhere.example")).collect();
    for acct in &people {
        seed = seed.account(SeedAccount::new(acct.as_str(), acct.as_str()));
    }
    let sandbox = MastodonSandbox::start(seed).await.expect("sandbox starts");
    let rig = config(&sandbox);
    let config = rig.config_path();
    let start = rapport_host::clock::SystemClock.now_seconds();
    let clock = Arc::new(crate::common::TestClock::at(start));

    let mut daemon =
        State::start(Settings::load(&config).unwrap(), clock.clone()).await.expect("daemon starts");
    let follows: Vec<Proposal> = people
        .iter()
        .map(|acct| sandbox.account_id(acct).expect("seeded account"))
        .map(|id| Proposal {
            key: ProposalKey::follow(&id),
            action: Action::Follow { account_id: id },
            origin: Origin::Manual,
            context: TaskContext::default(),
            expires_at: None,
        })
        .collect();
    let ids = daemon.store.propose_batch("shop", &follows, start).unwrap();
    let approve = ids.iter().map(|&id| (id, Transition::Approve { text: None, hold_until: None }));
    assert!(daemon.store.transition_many(approve, start).unwrap().iter().all(|(_, r)| r.is_ok()));

    let follow_count = || sandbox.count("POST", "/api/v1/accounts/");
    let mut sent_at: Vec<i64> = Vec::new();
    let mut restarted = false;
    let mut saw_reason = false;
    while sent_at.len() < FOLLOWS {
        let (next, started) = crate::common::executor_pass(&daemon).await;
        let total = follow_count();
        assert_eq!(total, sent_at.len() + started, "every started send reaches the sandbox once");
        sent_at.extend(std::iter::repeat_n(clock.now(), started));
        if started > 0 {
            // Ask again at the same instant: the gate must now hold the next follow.
            continue;
        }
        if !saw_reason {
            let held = daemon.store.due(i64::MAX, 1).unwrap();
            if let Some(note) = held.first().and_then(|t| t.note.clone()) {
                assert!(note.contains("follow"), "a held task says why: {note}");
                saw_reason = true;
            }
        }
        if !restarted && sent_at.len() >= FOLLOWS / 2 {
            // Stop and start again on the same data dir at the same instant: the windows go on.
            drop(daemon);
            daemon =
                State::start(Settings::load(&config).unwrap(), clock.clone()).await.expect("daemon restarts");
            restarted = true;
            let (_, started) = crate::common::executor_pass(&daemon).await;
            assert_eq!(started, 0, "a restart must not reset the follow budget");
            continue;
        }
        let next = next.expect("approved follows remain, so the executor names when to look again");
        assert!(next > clock.now(), "a hold ends in the future");
        clock.set(next);
        assert!(clock.now() - start < 30 * DAY, "500 follows at {PER_DAY}/day take far less than 30 days");
    }

    assert!(restarted && saw_reason);
    assert_eq!(follow_count(), FOLLOWS, "exactly one follow per approved task");
    let stored = daemon.store.in_state(TaskState::Done).count();
    assert_eq!(stored, FOLLOWS);
    assert!(most_in_any_window(&sent_at, DAY) <= PER_DAY, "per-day budget overshot");
    assert!(most_in_any_window(&sent_at, 3600) <= PER_HOUR, "per-hour budget overshot");
    let smallest_gap = sent_at.windows(2).map(|w| w[1] - w[0]).min().unwrap();
    assert!(smallest_gap >= MIN_GAP, "two follows {smallest_gap}s apart; the minimum gap is {MIN_GAP}s");
    let days = (sent_at[FOLLOWS - 1] - start) as f64 / DAY as f64;
    let floor = (FOLLOWS / PER_DAY) as f64;
    assert!(days >= floor, "{FOLLOWS} follows took {days:.1} days; the budget allows no fewer than {floor}");
    // Paced across the day, not spent in a burst at the start of each window.
    assert!(most_in_any_window(&sent_at, 4 * 3600) <= PER_DAY / 4 + 2, "follows bunched within four hours");
}
