//! Scheduled posting through the real daemon core (store, scheduler, policy gate, executor), the
//! real Mastodon plugin and the sandbox, with an injected clock: each slot takes a different
//! library entry even while earlier ones still wait for approval, and the daily post cap holds
//! back posts that were approved late, so they never go out as a burst on one day.
//!
//! Needs the plugins built (`cargo xtask plugins`, which `cargo xtask test` runs first).

use std::collections::HashSet;
use std::sync::Arc;

use rapport_core::task::{Action, Origin, TaskState, Transition};
use rapport_tests::sandbox::{MastodonSandbox, Seed, SeedAccount};
use rapportd::scheduler;
use rapportd::settings::Settings;
use rapportd::state::State;

const TOKEN: &str = "schedule-token";
/// Monday 2026-12-07, 08:00 in Berlin (07:00 UTC).
const MONDAY_8: i64 = 1_796_626_800;
const HOUR: i64 = 3600;

/// A rig (not started: the daemon runs in process) with the account on `sandbox`; its config.
fn config(sandbox: &MastodonSandbox) -> crate::common::Rig {
    crate::common::Rig::new(
        |rig| crate::common::mastodon_account(rig, "shop", &sandbox.base_url(), TOKEN),
        r#"[posting]
max_posts_per_day = 1
approve_scheduled = false

[[schedules]]
name = "twice-daily"
cron = "0 0 9,15 * * *"
timezone = "Europe/Berlin"
accounts = ["shop"]
late_policy = "skip"

[[library]]
id = "tip-glaze"
text = "Tip: let a glaze dry fully before the second coat."
kind = "value"

[[library]]
id = "tip-wedging"
text = "Tip: wedge your clay until the cut face shows no air pockets."
kind = "value"

[[library]]
id = "tip-trimming"
text = "Tip: trim leather-hard, not bone-dry."
kind = "value"
"#,
    )
}

fn entry_of(action: &Origin) -> &str {
    match action {
        Origin::Schedule { entry, .. } => entry,
        other => panic!("not a scheduled task: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_slot_takes_a_new_entry_and_the_daily_cap_spreads_late_approvals_over_days() {
    let sandbox = MastodonSandbox::start(Seed::new(TOKEN).own(SeedAccount::new("shop", "The Shop")))
        .await
        .expect("sandbox starts");
    let rig = config(&sandbox);
    let config = rig.config_path();
    let clock = Arc::new(crate::common::TestClock::at(MONDAY_8));
    let daemon: Arc<State> =
        State::start(Settings::load(&config).unwrap(), clock.clone()).await.expect("daemon starts");

    // 08:00: nothing is due; the scheduler names the 09:00 slot.
    assert_eq!(scheduler::pass(&daemon).unwrap(), Some(MONDAY_8 + HOUR));
    assert_eq!(daemon.store.in_state(TaskState::Proposed).count(), 0);

    // 09:00 and 15:00: each slot queues a post for approval; nobody has approved the first, and
    // the second must still be a different entry.
    clock.set(MONDAY_8 + HOUR);
    scheduler::pass(&daemon).unwrap();
    clock.set(MONDAY_8 + 7 * HOUR);
    scheduler::pass(&daemon).unwrap();
    let queued: Vec<_> = daemon.store.in_state(TaskState::Proposed).map(Result::unwrap).collect();
    assert_eq!(queued.len(), 2, "{queued:#?}");
    let entries: HashSet<&str> = queued.iter().map(|t| entry_of(&t.origin)).collect();
    assert_eq!(entries.len(), 2, "two slots took the same entry: {queued:#?}");
    assert!(queued.iter().all(|t| matches!(t.action, Action::Publish { .. })));
    // A slot already handled does not queue again.
    scheduler::pass(&daemon).unwrap();
    assert_eq!(daemon.store.in_state(TaskState::Proposed).count(), 2);

    // The person approves both at 16:00: one goes out today, the other waits for tomorrow.
    clock.set(MONDAY_8 + 8 * HOUR);
    let approve = queued.iter().map(|t| (t.id, Transition::Approve { text: None, hold_until: None }));
    assert!(daemon.store.transition_many(approve, clock.now()).unwrap().iter().all(|(_, r)| r.is_ok()));
    let posts = || sandbox.count("POST", "/api/v1/statuses");
    let (_, started) = crate::common::executor_pass(&daemon).await;
    assert_eq!(started, 1);
    let (next, started) = crate::common::executor_pass(&daemon).await;
    assert_eq!(started, 0, "the daily cap holds the second post");
    assert_eq!(posts(), 1);
    let held = daemon.store.in_state(TaskState::Approved).map(Result::unwrap).next().expect("a held post");
    let note = held.note.clone().unwrap_or_default();
    assert!(note.contains("1 of 1 posts today") && note.contains("max_posts_per_day"), "{note}");
    // Midnight in Berlin: 23:00 UTC, 16 hours after 08:00 Berlin.
    let midnight = MONDAY_8 + 16 * HOUR;
    assert_eq!(held.not_before, Some(midnight), "held until the next local day");
    assert_eq!(next, Some(midnight));

    clock.set(midnight);
    let (_, started) = crate::common::executor_pass(&daemon).await;
    assert_eq!(started, 1);
    assert_eq!(posts(), 2);
    assert_eq!(daemon.store.in_state(TaskState::Done).count(), 2);
}
