//! `rapport schedule` through the real daemon core (store, scheduler, policy gate, executor), the
//! real Mastodon plugin and the sandbox, with an injected clock: the preview of a week is what the
//! scheduler then really does slot by slot (a different entry each slot, the Saturday sales post
//! held by the 10:1 ratio with its reason, times in the schedule's zone), and slots missed while
//! the daemon was down are recorded and reported, the most recent ones only, never posted as a
//! burst.
//!
//! Needs the plugins built (`cargo xtask plugins`, which `cargo xtask test` runs first).

use std::sync::Arc;

use rapport_core::task::{Origin, PostKind, TaskState};
use rapport_protocol::requests::Schedule;
use rapport_protocol::{ScheduleAnswer, ScheduleReport, SlotVerdict};
use rapport_tests::sandbox::{MastodonSandbox, Seed, SeedAccount};
use rapportd::settings::Settings;
use rapportd::state::State;
use rapportd::{api, scheduler};

const TOKEN: &str = "schedule-preview-token";
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
/// Monday 2026-12-07, 08:00 in London (GMT, so 08:00 UTC).
const MONDAY_8_LONDON: i64 = 1_796_630_400;
/// Monday 2026-12-07, 08:00 in Berlin (07:00 UTC).
const MONDAY_8_BERLIN: i64 = 1_796_626_800;

/// A sandbox with the account `shop`, and an in-process daemon on a rig's config (the account,
/// then `policy`) with its clock at `at`.
async fn start(
    policy: &str,
    at: i64,
) -> (MastodonSandbox, crate::common::Rig, Arc<crate::common::TestClock>, Arc<State>) {
    let sandbox = MastodonSandbox::start(Seed::new(TOKEN).own(SeedAccount::new("shop", "The Shop")))
        .await
        .expect("sandbox starts");
    let rig = crate::common::Rig::new(
        |rig| crate::common::mastodon_account(rig, "shop", &sandbox.base_url(), TOKEN),
        policy,
    );
    let clock = Arc::new(crate::common::TestClock::at(at));
    let settings = Settings::load(&rig.config_path()).unwrap();
    let daemon = State::start(settings, clock.clone()).await.expect("daemon starts");
    (sandbox, rig, clock, daemon)
}

/// `rapport schedule --count N` as the CLI asks it.
async fn report(daemon: &State, count: u32) -> ScheduleReport {
    match api::answer(daemon, Schedule { count, report: true }) {
        Ok(ScheduleAnswer::Report(report)) => report,
        other => panic!("expected a schedule report, got {other:?}"),
    }
}

/// The library entries of the scheduled tasks, in the order they were queued.
fn scheduled_entries(daemon: &State) -> Vec<String> {
    let mut tasks: Vec<_> = TaskState::ALL
        .iter()
        .flat_map(|&state| daemon.store.in_state(state).map(Result::unwrap).collect::<Vec<_>>())
        .collect();
    tasks.sort_by_key(|t| t.id);
    tasks
        .into_iter()
        .filter_map(|t| match t.origin {
            Origin::Schedule { entry, .. } => Some(entry),
            _ => None,
        })
        .collect()
}

const WEEK: &str = r#"
[ratio]
value_per_sales = 10

[[schedules]]
name = "weekday-tips"
cron = "0 0 9 * * Mon-Fri"
timezone = "Europe/London"
accounts = ["shop"]
kinds = ["value"]

[[schedules]]
name = "saturday-offer"
cron = "0 30 10 * * Sat"
timezone = "Europe/London"
accounts = ["shop"]
kinds = ["sales"]

[[library]]
id = "seconds-sale"
text = "Seconds sale this Saturday: wonky mugs at half price."
kind = "sales"

[[library]]
id = "tip-1"
text = "Tip 1: stir the glaze bucket for a full minute."
[[library]]
id = "tip-2"
text = "Tip 2: wedge until the cut face shows no air."
[[library]]
id = "tip-3"
text = "Tip 3: trim at leather-hard."
[[library]]
id = "tip-4"
text = "Tip 4: dry handles slowly under plastic."
[[library]]
id = "tip-5"
text = "Tip 5: candle greenware before a bisque."
[[library]]
id = "tip-6"
text = "Tip 6: fire a test tile of every glaze batch."
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_preview_of_a_week_is_what_the_scheduler_then_does() {
    let (sandbox, _rig, clock, daemon) = start(WEEK, MONDAY_8_LONDON).await;
    // The scheduler's first pass at start: nothing is due yet.
    assert_eq!(scheduler::pass(&daemon).unwrap(), Some(MONDAY_8_LONDON + HOUR));
    // Two value posts went out last week.
    for days in [2, 3] {
        daemon.store.record_post("shop", None, PostKind::Value, MONDAY_8_LONDON - days * DAY).unwrap();
    }

    let preview = report(&daemon, 7).await;
    assert_eq!(preview.now, MONDAY_8_LONDON);
    assert!(preview.missed.is_empty(), "{preview:#?}");
    let summary: Vec<(i64, &str, Option<&str>, Option<SlotVerdict>)> =
        preview.slots.iter().map(|s| (s.at, s.schedule.as_str(), s.entry.as_deref(), s.verdict)).collect();
    let weekday = |d: i64| MONDAY_8_LONDON + d * DAY + HOUR;
    let saturday = MONDAY_8_LONDON + 5 * DAY + 2 * HOUR + 30 * 60;
    let post = Some(SlotVerdict::Post);
    assert_eq!(
        summary,
        [
            (weekday(0), "weekday-tips", Some("tip-1"), post),
            (weekday(1), "weekday-tips", Some("tip-2"), post),
            (weekday(2), "weekday-tips", Some("tip-3"), post),
            (weekday(3), "weekday-tips", Some("tip-4"), post),
            (weekday(4), "weekday-tips", Some("tip-5"), post),
            (saturday, "saturday-offer", Some("seconds-sale"), Some(SlotVerdict::Skipped)),
            (weekday(7), "weekday-tips", Some("tip-6"), post),
        ]
    );
    let offer = &preview.slots[5];
    assert_eq!(offer.kind, Some(PostKind::Sales));
    assert_eq!(
        offer.note.as_deref(),
        Some("sales post needs 3 more value posts first (7 of 10 since the last sales post)"),
        "two earlier posts and five previewed tips count"
    );
    assert!(preview.slots.iter().all(|s| s.timezone == "Europe/London"));
    assert!(preview.slots[..5].iter().all(|s| s.note.is_none() && s.kind == Some(PostKind::Value)));
    // A client from before the report gets the slots alone, the held entry left for the note.
    match api::answer(&daemon, Schedule { count: 7, report: false }) {
        Ok(ScheduleAnswer::Slots(slots)) => {
            assert_eq!(slots.len(), 7);
            assert_eq!((slots[5].entry.as_deref(), slots[5].note.as_deref()), (None, offer.note.as_deref()));
            assert_eq!(slots[4], preview.slots[4]);
        }
        other => panic!("expected slots, got {other:?}"),
    }
    // The preview changes nothing.
    assert!(scheduled_entries(&daemon).is_empty());
    assert_eq!(report(&daemon, 7).await, preview);

    // Now live through the week: each slot at its time, the executor sending what it queued.
    for slot in &preview.slots {
        clock.set(slot.at);
        scheduler::pass(&daemon).unwrap();
        crate::common::executor_pass(&daemon).await;
    }
    let expected: Vec<String> =
        preview.slots.iter().filter(|s| s.verdict == post).map(|s| s.entry.clone().unwrap()).collect();
    assert_eq!(scheduled_entries(&daemon), expected, "the scheduler took what the preview said");
    assert_eq!(sandbox.count("POST", "/api/v1/statuses"), 6);
    assert_eq!(daemon.store.in_state(TaskState::Done).count(), 6);
}

const MISSABLE: &str = r#"
[[schedules]]
name = "tips"
cron = "0 0 9,15 * * *"
timezone = "Europe/Berlin"
accounts = ["shop"]
late_policy = "post-late-within 2h"

[[schedules]]
name = "noon"
cron = "0 0 12 * * *"
timezone = "Europe/Berlin"
accounts = ["shop"]
late_policy = "skip"

[[library]]
id = "tip-a"
text = "Tip A."
evergreen = true
[[library]]
id = "tip-b"
text = "Tip B."
evergreen = true
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slots_missed_while_down_are_reported_and_never_posted_as_a_burst() {
    let (sandbox, _rig, clock, daemon) = start(MISSABLE, MONDAY_8_BERLIN).await;
    let posts = || sandbox.count("POST", "/api/v1/statuses");
    scheduler::pass(&daemon).unwrap();
    assert!(report(&daemon, 3).await.missed.is_empty());

    // No pass from 08:00 to 16:00, as if the daemon had been down: 09:00, 12:00 and 15:00 passed.
    let (nine, noon, three) =
        (MONDAY_8_BERLIN + HOUR, MONDAY_8_BERLIN + 4 * HOUR, MONDAY_8_BERLIN + 7 * HOUR);
    clock.set(MONDAY_8_BERLIN + 8 * HOUR);
    scheduler::pass(&daemon).unwrap();
    crate::common::executor_pass(&daemon).await;
    // Only the latest `tips` slot, within its two hours, goes out late; the others are reported.
    assert_eq!(posts(), 1, "one late post, no burst");
    assert_eq!(scheduled_entries(&daemon), ["tip-a"]);
    let after = report(&daemon, 3).await;
    let missed: Vec<(&str, i64)> = after.missed.iter().map(|m| (m.schedule.as_str(), m.at)).collect();
    assert_eq!(missed, [("tips", nine), ("noon", noon)]);
    assert!(!missed.iter().any(|&(_, at)| at == three), "the slot posted late is not missed");
    assert!(after.missed.iter().all(|m| m.timezone == "Europe/Berlin" && m.accounts == ["shop"]));
    assert!(!after.missed_earlier);
    // The coming slots start after now, and a pass on time adds nothing to the record.
    assert_eq!(after.slots[0].at, MONDAY_8_BERLIN + DAY + HOUR);
    scheduler::pass(&daemon).unwrap();
    assert_eq!(report(&daemon, 3).await.missed, after.missed);

    // A month down: the record keeps the most recent slots, not the first ones of the outage.
    let later = MONDAY_8_BERLIN + 30 * DAY + 8 * HOUR;
    clock.set(later);
    scheduler::pass(&daemon).unwrap();
    crate::common::executor_pass(&daemon).await;
    assert_eq!(posts(), 2, "again only the one late post");
    let long = report(&daemon, 3).await;
    assert_eq!(long.missed.len(), scheduler::MISSED_KEPT);
    assert!(long.missed_earlier);
    assert!(long.missed.windows(2).all(|w| w[0].at <= w[1].at));
    let last = long.missed.last().unwrap();
    assert_eq!((last.schedule.as_str(), last.at), ("noon", later - 4 * HOUR));
    assert!(long.missed[0].at > later - 8 * DAY, "{:?}", long.missed[0]);
    assert_eq!(daemon.store.in_state(TaskState::Done).count(), 2);
}
