//! Behaviour of the store through its public API on a real sled dir: deduplication, atomicity,
//! index consistency across transitions, durability across reopen, and the ledgers.

use rapport_core::notification::{Notification, NotificationKind, Profile};
use rapport_core::proposal::{Proposal, ProposalKey};
use rapport_core::task::{Action, ActionKind, Origin, PostKind, TaskContext, TaskId, TaskState, Transition};
use rapport_store::{LedgerEntry, PostEntry, ScheduleState, Store, StoreError, TaskFilter};

fn notification(id: &str, kind: NotificationKind) -> Notification {
    Notification {
        id: id.into(),
        kind,
        at: 100,
        account: Profile { id: format!("acct-{id}"), handle: format!("user{id}"), ..Profile::default() },
        post: None,
    }
}

fn follow_back(n: &Notification) -> Proposal {
    Proposal {
        key: ProposalKey::notification(&n.id),
        action: Action::FollowBack { account_id: n.account.id.clone() },
        origin: Origin::Notification { id: n.id.clone() },
        context: TaskContext { profile: Some(n.account.clone()), ..TaskContext::default() },
        expires_at: Some(1_000),
    }
}

/// Proposes a follow-back for follows and nothing for the rest.
fn triage(n: &Notification) -> Option<Proposal> {
    (n.kind == NotificationKind::Follow).then(|| follow_back(n))
}

fn page() -> Vec<Notification> {
    vec![
        notification("1", NotificationKind::Follow),
        notification("2", NotificationKind::Like),
        notification("3", NotificationKind::Follow),
        notification("4", NotificationKind::Like),
    ]
}

fn all(state: Option<TaskState>, account: Option<&str>) -> TaskFilter {
    TaskFilter { state, account: account.map(str::to_string), after: None, limit: usize::MAX }
}

#[test]
fn refetching_a_page_creates_nothing_new_and_advances_the_cursor_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.cursor("shop").unwrap(), None);

    let mut calls = 0;
    let first = store
        .ingest_page("shop", &page(), Some("c1"), 10, |n| {
            calls += 1;
            triage(n)
        })
        .unwrap();
    assert_eq!((first.new, first.duplicates, first.tasks.len()), (4, 0, 2));
    assert_eq!(calls, 4, "triage runs once per new notification");
    assert_eq!(store.cursor("shop").unwrap().as_deref(), Some("c1"));

    let again = store.ingest_page("shop", &page(), None, 11, triage).unwrap();
    assert_eq!((again.new, again.duplicates, again.tasks.len()), (0, 4, 0));
    assert_eq!(store.cursor("shop").unwrap().as_deref(), Some("c1"), "None keeps the cursor");
    assert_eq!(store.page(&all(None, None)).unwrap().len(), 2);

    // The same platform id on another account is another notification.
    let other = store.ingest_page("blog", &page(), Some("b1"), 12, triage).unwrap();
    assert_eq!(other.new, 4);

    let stored = store.notification("shop", "1").unwrap().unwrap();
    assert_eq!(stored.task, Some(first.tasks[0]));
    assert_eq!(store.notification("shop", "2").unwrap().unwrap().task, None);
    let mut engagement = store.engagement("shop").unwrap();
    engagement.sort_by_key(|(k, _)| format!("{k:?}"));
    assert_eq!(engagement, vec![(NotificationKind::Follow, 2), (NotificationKind::Like, 2)]);
}

#[test]
fn a_duplicate_within_one_page_counts_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let twice =
        vec![notification("1", NotificationKind::Follow), notification("1", NotificationKind::Follow)];
    let report = store.ingest_page("shop", &twice, None, 10, triage).unwrap();
    assert_eq!((report.new, report.duplicates, report.tasks.len()), (1, 1, 1));
}

#[test]
fn a_failing_ingest_writes_nothing_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    // The third notification's task names a library entry with a NUL, which aborts the
    // transaction after two notifications and one task were already written inside it.
    let err = store
        .ingest_page("shop", &page(), Some("c1"), 10, |n| {
            let mut task = follow_back(n);
            if n.id == "3" {
                task.origin = Origin::Schedule { schedule: "s".into(), slot: 5, entry: "bad\0name".into() };
            }
            Some(task)
        })
        .unwrap_err();
    assert!(matches!(err, StoreError::InvalidName { what: "entry", .. }), "{err}");
    assert_eq!(store.cursor("shop").unwrap(), None);
    assert_eq!(store.notification("shop", "1").unwrap(), None);
    assert!(store.page(&all(None, None)).unwrap().is_empty());
    assert!(store.counts().unwrap().is_empty());
    assert!(store.engagement("shop").unwrap().is_empty());
    // The ids reserved by the aborted transaction are not burnt.
    let task = store.propose("shop", follow_back(&page()[0]), 10).unwrap().unwrap();
    assert_eq!(task.id, TaskId(1));
}

/// Checks every index and counter against a full scan of the tasks.
fn assert_indexes_agree(store: &Store) {
    let tasks = store.page(&all(None, None)).unwrap();
    let mut expected_counts = std::collections::BTreeMap::new();
    for t in &tasks {
        *expected_counts.entry((t.account.clone(), t.state)).or_insert(0u64) += 1;
    }
    let counts: std::collections::BTreeMap<_, _> =
        store.counts().unwrap().into_iter().map(|(a, s, n)| ((a, s), n)).collect();
    assert_eq!(counts, expected_counts);
    for state in TaskState::ALL {
        let scanned: Vec<_> = tasks.iter().filter(|t| t.state == state).cloned().collect();
        assert_eq!(store.page(&all(Some(state), None)).unwrap(), scanned, "state index for {state}");
        let from_iter: Vec<_> = store.in_state(state).collect::<Result<_, _>>().unwrap();
        assert_eq!(from_iter, scanned);
        for account in ["shop", "blog"] {
            let scanned: Vec<_> =
                tasks.iter().filter(|t| t.state == state && t.account == account).cloned().collect();
            assert_eq!(store.page(&all(Some(state), Some(account))).unwrap(), scanned);
        }
    }
    for account in ["shop", "blog"] {
        let scanned: Vec<_> = tasks.iter().filter(|t| t.account == account).cloned().collect();
        assert_eq!(store.page(&all(None, Some(account))).unwrap(), scanned);
    }
}

#[test]
fn indexes_and_counts_follow_every_transition() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let shop = store.ingest_page("shop", &page(), None, 10, |n| Some(follow_back(n))).unwrap().tasks;
    let blog = store.ingest_page("blog", &page(), None, 10, |n| Some(follow_back(n))).unwrap().tasks;
    assert_indexes_agree(&store);

    store.transition(shop[0], Transition::Approve { text: None, hold_until: None }, 20).unwrap();
    store.transition(shop[1], Transition::Reject { reason: Some("spam".into()) }, 20).unwrap();
    store.transition(blog[0], Transition::Approve { text: None, hold_until: None }, 20).unwrap();
    store.start_execution(blog[0], 21, None).unwrap();
    store.transition(blog[0], Transition::Interrupted, 22).unwrap();
    assert_indexes_agree(&store);

    let err =
        store.transition(shop[1], Transition::Approve { text: None, hold_until: None }, 23).unwrap_err();
    assert_eq!(err.to_string(), format!("task {} is rejected; it cannot be approved", shop[1]));
    let err = store.transition(TaskId(999), Transition::Expire, 23).unwrap_err();
    assert_eq!(err.to_string(), "there is no task 999");

    let expired = store.expire(1_000).unwrap();
    assert_eq!(expired.len(), 5, "every still-proposed task expires");
    assert!(expired.iter().all(|t| t.state == TaskState::Expired));
    assert!(store.expire(2_000).unwrap().is_empty());
    assert_indexes_agree(&store);
}

#[test]
fn pages_continue_after_the_last_id_and_respect_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let news: Vec<_> =
        (0..10).map(|i| follow_back(&notification(&i.to_string(), NotificationKind::Follow))).collect();
    let ids = store.propose_batch("shop", &news, 5).unwrap();
    assert_eq!(ids, (1..=10).map(TaskId).collect::<Vec<_>>());
    let filter = |after| TaskFilter { state: Some(TaskState::Proposed), account: None, after, limit: 4 };
    let first: Vec<_> = store.page(&filter(None)).unwrap().iter().map(|t| t.id).collect();
    assert_eq!(first, ids[..4]);
    let second: Vec<_> = store.page(&filter(Some(ids[3]))).unwrap().iter().map(|t| t.id).collect();
    assert_eq!(second, ids[4..8]);
    let by_account = TaskFilter { state: None, account: Some("shop".into()), after: Some(ids[7]), limit: 4 };
    let last: Vec<_> = store.page(&by_account).unwrap().iter().map(|t| t.id).collect();
    assert_eq!(last, ids[8..]);
    assert!(store.page(&TaskFilter { after: Some(TaskId(u64::MAX)), ..filter(None) }).unwrap().is_empty());
}

#[test]
fn due_lists_approved_tasks_whose_hold_has_passed() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let ids = store.ingest_page("shop", &page(), None, 10, |n| Some(follow_back(n))).unwrap().tasks;
    for &id in &ids[..3] {
        store.transition(id, Transition::Approve { text: None, hold_until: None }, 11).unwrap();
    }
    let held = store.hold(ids[0], 500, "hourly follow budget spent").unwrap();
    assert_eq!((held.state, held.not_before), (TaskState::Approved, Some(500)));
    assert_eq!(held.note.as_deref(), Some("hourly follow budget spent"));
    let err = store.hold(ids[3], 500, "x").unwrap_err();
    assert!(matches!(err, StoreError::NotHoldable { state: TaskState::Proposed, .. }), "{err}");

    let due: Vec<_> = store.due(100, 10).unwrap().iter().map(|t| t.id).collect();
    assert_eq!(due, vec![ids[1], ids[2]]);
    let due: Vec<_> = store.due(500, 10).unwrap().iter().map(|t| t.id).collect();
    assert_eq!(due, vec![ids[1], ids[2], ids[0]]);
    assert_eq!(store.due(500, 1).unwrap().len(), 1);

    store.start_execution(ids[1], 101, None).unwrap();
    store.transition(ids[1], Transition::Retry { not_before: 300, reason: "429".into() }, 102).unwrap();
    let due: Vec<_> = store.due(100, 10).unwrap().iter().map(|t| t.id).collect();
    assert_eq!(due, vec![ids[2]], "a retried task waits for its backoff");

    // A policy change lifts the policy's hold but keeps the platform's backoff.
    assert_eq!(store.release_policy_holds().unwrap(), 1);
    let lifted = store.task(ids[0]).unwrap().unwrap();
    assert_eq!((lifted.not_before, lifted.held_by_policy, lifted.note), (None, false, None));
    assert_eq!(store.task(ids[1]).unwrap().unwrap().not_before, Some(300));
    let due: Vec<_> = store.due(100, 10).unwrap().iter().map(|t| t.id).collect();
    assert_eq!(due, vec![ids[0], ids[2]]);
    assert_eq!(store.release_policy_holds().unwrap(), 0);
}

#[test]
fn start_execution_records_the_ledger_only_when_the_transition_happens() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let new = Proposal {
        key: ProposalKey::slot("manual", 0),
        action: Action::Publish {
            text: "hello".into(),
            post_kind: PostKind::Sales,
            media_alt: String::new(),
            media: Vec::new(),
        },
        origin: Origin::Manual,
        context: TaskContext::default(),
        expires_at: None,
    };
    let task = store.propose("shop", new, 10).unwrap().unwrap();
    let ledger = LedgerEntry {
        action: ActionKind::Publish,
        post: Some(PostEntry { kind: PostKind::Sales, brand: Some("acme".into()) }),
    };
    // Still proposed: refused, and nothing recorded.
    assert!(store.start_execution(task.id, 20, Some(ledger.clone())).is_err());
    assert!(store.actions_since("shop", ActionKind::Publish, 0).unwrap().is_empty());
    assert!(store.posts_since("shop", 0).unwrap().is_empty());

    store.transition(task.id, Transition::Approve { text: None, hold_until: None }, 21).unwrap();
    let started = store.start_execution(task.id, 22, Some(ledger)).unwrap();
    assert_eq!((started.state, started.attempts), (TaskState::Executing, 1));
    assert_eq!(store.actions_since("shop", ActionKind::Publish, 0).unwrap(), vec![22]);
    let posts = store.posts_since("shop", 0).unwrap();
    assert_eq!(posts.len(), 1);
    assert_eq!((posts[0].at, posts[0].kind, posts[0].brand.as_deref()), (22, PostKind::Sales, Some("acme")));
}

#[test]
fn ledgers_are_sorted_and_filtered_by_time_and_kind() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    for at in [50, -10, 30, 30, 70] {
        store.record_action("shop", ActionKind::Follow, at).unwrap();
    }
    store.record_action("shop", ActionKind::Like, 40).unwrap();
    store.record_action("shopping", ActionKind::Follow, 40).unwrap();
    assert_eq!(store.actions_since("shop", ActionKind::Follow, 30).unwrap(), vec![30, 30, 50, 70]);
    assert_eq!(store.actions_since("shop", ActionKind::Follow, i64::MIN).unwrap(), vec![-10, 30, 30, 50, 70]);
    assert_eq!(store.actions_since("shop", ActionKind::Like, 0).unwrap(), vec![40]);

    store.record_post("shop", None, PostKind::Value, 5).unwrap();
    store.record_post("shop", Some("acme"), PostKind::Sales, 9).unwrap();
    let kinds: Vec<_> = store.posts_since("shop", 6).unwrap().into_iter().map(|p| p.kind).collect();
    assert_eq!(kinds, vec![PostKind::Sales]);
}

#[test]
fn a_scheduled_task_records_its_slot_and_takes_its_entry_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let slot = ProposalKey::slot("weekly", 3600);
    assert!(!store.seen("shop", &slot).unwrap());
    let new = Proposal {
        key: slot.clone(),
        action: Action::Publish {
            text: "tip".into(),
            post_kind: PostKind::Value,
            media_alt: String::new(),
            media: Vec::new(),
        },
        origin: Origin::Schedule { schedule: "weekly".into(), slot: 3600, entry: "tip-1".into() },
        context: TaskContext::default(),
        expires_at: None,
    };
    assert_eq!(store.last_posted("tip-1", "shop").unwrap(), None);
    store.propose("shop", new.clone(), 10).unwrap().unwrap();
    assert!(store.seen("shop", &slot).unwrap());
    assert!(!store.seen("other", &slot).unwrap(), "keys are per account");
    // The entry is taken while its task waits, so the next slot picks another one.
    assert_eq!(store.last_posted("tip-1", "shop").unwrap(), Some(10));
    assert_eq!(store.last_posted("tip-1", "other").unwrap(), None);
    store.entry_posted("tip-1", "shop", 50).unwrap();
    assert_eq!(store.last_posted("tip-1", "shop").unwrap(), Some(50));
    // The same slot proposed again makes nothing.
    assert_eq!(store.propose("shop", new, 60).unwrap(), None);
    let nothing = ProposalKey::slot("weekly", 7200);
    assert!(!store.seen("shop", &nothing).unwrap());
    store.mark_seen("shop", &nothing).unwrap();
    assert!(store.seen("shop", &nothing).unwrap());
}

#[test]
fn a_key_once_proposed_is_refused_whatever_became_of_its_task() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let follow = |who: &str| Proposal {
        key: ProposalKey::notification(who),
        action: Action::Follow { account_id: who.into() },
        origin: Origin::Manual,
        context: TaskContext::default(),
        expires_at: Some(100),
    };
    let rejected = store.propose("shop", follow("ann"), 10).unwrap().unwrap();
    store.transition(rejected.id, Transition::Reject { reason: None }, 11).unwrap();
    let expired = store.propose("shop", follow("bob"), 10).unwrap().unwrap();
    store.expire(200).unwrap();
    assert_eq!(store.task(expired.id).unwrap().unwrap().state, TaskState::Expired);
    // Rejected, expired, and twice within one batch: one task each, ever.
    let again = store
        .propose_batch("shop", &[follow("ann"), follow("bob"), follow("cy"), follow("cy")], 300)
        .unwrap();
    assert_eq!(again.len(), 1, "only cy is new, once");
    assert_eq!(store.page(&all(None, Some("shop"))).unwrap().len(), 3);
    assert_indexes_agree(&store);
}

#[test]
fn the_daemons_own_state_lives_apart_from_the_plugins() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.schedule_state("tips").unwrap(), ScheduleState::default());
        let state = ScheduleState { last_run: Some(500), missed: vec![100, 200], earlier_missed: true };
        store.set_schedule_state("tips", &state).unwrap();
        // A plugin naming the same thing in its kv touches only its own data.
        store.kv_set("rapportd.scheduler", "tips", "last-run", &7i64.to_be_bytes()).unwrap();
        store.flush().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.schedule_state("tips").unwrap().last_run, Some(500));
    assert_eq!(store.schedule_state("tips").unwrap().missed, vec![100, 200]);
}

#[test]
fn everything_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let (ids, approved) = {
        let store = Store::open(dir.path()).unwrap();
        let ids = store.ingest_page("shop", &page(), Some("c9"), 10, triage).unwrap().tasks;
        let approved =
            store.transition(ids[0], Transition::Approve { text: None, hold_until: None }, 11).unwrap();
        store.kv_set("mastodon", "shop", "since", b"42").unwrap();
        store.kv_set("mastodon", "shop", "gone", b"x").unwrap();
        store.kv_delete("mastodon", "shop", "gone").unwrap();
        store.entry_posted("tip-1", "shop", 77).unwrap();
        store.set_last_poll("shop", 88).unwrap();
        store.record_action("shop", ActionKind::FollowBack, 12).unwrap();
        (ids, approved)
    };
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.task(ids[0]).unwrap(), Some(approved));
    assert_eq!(store.cursor("shop").unwrap().as_deref(), Some("c9"));
    assert_eq!(store.ingest_page("shop", &page(), None, 20, triage).unwrap().new, 0);
    assert_eq!(store.kv_get("mastodon", "shop", "since").unwrap().as_deref(), Some(&b"42"[..]));
    assert_eq!(store.kv_get("mastodon", "shop", "gone").unwrap(), None);
    assert_eq!(store.kv_get("mastodon", "blog", "since").unwrap(), None);
    assert_eq!(store.last_posted("tip-1", "shop").unwrap(), Some(77));
    assert_eq!(store.last_poll("shop").unwrap(), Some(88));
    assert_eq!(store.actions_since("shop", ActionKind::FollowBack, 0).unwrap(), vec![12]);
    let next = store
        .propose("shop", follow_back(&notification("9", NotificationKind::Follow)), 30)
        .unwrap()
        .unwrap();
    assert!(next.id > ids[1], "ids keep increasing across reopen");
    assert_indexes_agree(&store);
}

#[test]
fn transition_many_reports_each_id_and_keeps_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let ids = store.ingest_page("shop", &page(), None, 10, |n| Some(follow_back(n))).unwrap().tasks;
    let mut changes: Vec<_> =
        ids.iter().map(|&id| (id, Transition::Approve { text: None, hold_until: None })).collect();
    changes.insert(1, (TaskId(404), Transition::Approve { text: None, hold_until: None }));
    let results = store.transition_many(changes, 20).unwrap();
    assert_eq!(results.len(), 5);
    assert!(matches!(results[1], (TaskId(404), Err(StoreError::UnknownTask(TaskId(404))))));
    assert_eq!(results.iter().filter(|(_, r)| r.is_ok()).count(), 4);
    assert_eq!(store.page(&all(Some(TaskState::Approved), None)).unwrap().len(), 4);
}

#[test]
fn concurrent_ingests_of_one_page_create_each_task_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let notifications: Vec<_> =
        (0..200).map(|i| notification(&i.to_string(), NotificationKind::Follow)).collect();
    let reports: Vec<_> = std::thread::scope(|scope| {
        let ingests: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| store.ingest_page("shop", &notifications, Some("c1"), 10, triage).unwrap())
            })
            .collect();
        ingests.into_iter().map(|ingest| ingest.join().unwrap()).collect()
    });
    assert_eq!(reports.iter().map(|r| r.new).sum::<usize>(), 200, "each notification is new exactly once");
    assert_eq!(reports.iter().map(|r| r.tasks.len()).sum::<usize>(), 200);
    assert_eq!(store.page(&all(None, None)).unwrap().len(), 200);
    assert_eq!(store.engagement("shop").unwrap(), vec![(NotificationKind::Follow, 200)]);
    for n in &notifications {
        let task = store.notification("shop", &n.id).unwrap().unwrap().task.unwrap();
        assert_eq!(store.task(task).unwrap().unwrap().origin, Origin::Notification { id: n.id.clone() });
    }
}

#[test]
fn ingests_and_task_creation_interleaved_keep_ids_and_counts_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for p in 0..20 {
                let page: Vec<_> =
                    (0..10).map(|i| notification(&format!("{p}-{i}"), NotificationKind::Follow)).collect();
                store.ingest_page("shop", &page, None, 10, triage).unwrap();
            }
        });
        scope.spawn(|| {
            for i in 0..100 {
                store
                    .propose(
                        "blog",
                        follow_back(&notification(&format!("m{i}"), NotificationKind::Follow)),
                        10,
                    )
                    .unwrap();
            }
        });
    });
    let tasks = store.page(&all(None, None)).unwrap();
    let ids: Vec<_> = tasks.iter().map(|t| t.id).collect();
    assert_eq!(ids, (1..=300).map(TaskId).collect::<Vec<_>>(), "no id is handed out twice or skipped");
    assert_indexes_agree(&store);
}

#[test]
fn the_planners_records_survive_a_reopen_and_read_what_the_store_already_knows() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        // The keep-list holds one spelling per person.
        assert!(store.keep_add("shop", "@Ann@Clay.example").unwrap());
        assert!(!store.keep_add("shop", "ann@clay.example").unwrap());
        assert!(store.keep_add("shop", "109").unwrap());
        assert!(store.keep_remove("shop", "109").unwrap());
        assert!(!store.keep_remove("shop", "109").unwrap());
        store.update_campaign_state("potters", |c| c.paused = true).unwrap();
        let both =
            store.update_campaign_state("potters", |c| _ = c.cursors.insert("#pottery".into(), "c-2".into()));
        assert!(both.unwrap().paused, "an update keeps the fields it does not set");
        // A like, a follow and a reply from three people; only the like and the reply engage.
        let mut like = notification("n1", NotificationKind::Like);
        like.at = 500;
        let mut reply = notification("n3", NotificationKind::Reply);
        reply.at = 50;
        store
            .ingest_page(
                "shop",
                &[like, notification("n2", NotificationKind::Follow), reply],
                None,
                600,
                triage,
            )
            .unwrap();
        // A campaign's follow, sent.
        let proposal = Proposal {
            key: ProposalKey::follow("p7"),
            action: Action::Follow { account_id: "p7".into() },
            origin: Origin::Campaign { campaign: "potters".into(), source: "#pottery".into() },
            context: TaskContext::default(),
            expires_at: None,
        };
        let task = store.propose("shop", proposal, 700).unwrap().unwrap();
        store.transition(task.id, Transition::Approve { text: None, hold_until: None }, 710).unwrap();
        store.start_execution(task.id, 720, None).unwrap();
        store.transition(task.id, Transition::Succeed { result: None }, 730).unwrap();
    }
    {
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.add_read_spend("shop", "2026-12", 15_000).unwrap(), 15_000);
        assert_eq!(store.add_read_spend("shop", "2026-12", 5_000).unwrap(), 20_000);
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.read_spend("shop", "2026-12").unwrap(), 20_000, "spend outlives a restart");
    assert_eq!(store.read_spend("shop", "2027-01").unwrap(), 0, "a new month starts at nothing");
    assert_eq!(store.add_read_spend("shop", "2027-01", 1_000).unwrap(), 1_000);
    assert_eq!(store.keep_list("shop").unwrap().into_iter().collect::<Vec<_>>(), vec!["ann@clay.example"]);
    let campaign = store.campaign_state("potters").unwrap();
    assert!(campaign.paused && campaign.cursors.get("#pottery").map(String::as_str) == Some("c-2"));
    let engaged = store.engaged_since("shop", 100).unwrap();
    assert_eq!(engaged.into_iter().collect::<Vec<_>>(), vec![("acct-n1".to_owned(), 500)]);
    let made = store.follows_made("shop").unwrap();
    assert_eq!(made.len(), 1);
    assert_eq!(
        (made[0].account_id.as_str(), made[0].at, made[0].campaign.as_deref()),
        ("p7", 730, Some("potters"))
    );
}

#[test]
fn the_book_records_both_directions_once_and_forget_removes_the_person_from_every_index() {
    use rapport_core::history::{Direction, InteractionKind};

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let report = store.ingest_page("shop", &page(), None, 10, triage).unwrap();
    // A page fetched again records no interaction twice.
    store.ingest_page("shop", &page(), None, 11, triage).unwrap();
    let follow_back = report.tasks[0];
    store.transition(follow_back, Transition::Approve { text: None, hold_until: None }, 200).unwrap();
    store.transition(follow_back, Transition::Start, 201).unwrap();
    store.transition(follow_back, Transition::Succeed { result: None }, 202).unwrap();

    let timeline = store.interactions_of("shop", "acct-1").unwrap();
    let seen: Vec<_> = timeline.iter().map(|i| (i.at, i.direction, i.kind)).collect();
    assert_eq!(
        seen,
        [
            (100, Direction::Theirs, InteractionKind::Followed),
            (202, Direction::Ours, InteractionKind::FollowedBack)
        ]
    );
    let ann = store.person("shop", "acct-1").unwrap().unwrap();
    assert_eq!((ann.handle.as_str(), ann.interactions), ("user1", 2));
    assert_eq!(store.person_by_handle("shop", "@User1").unwrap().as_deref(), Some("acct-1"));
    assert_eq!(store.people("shop").count(), 4, "everyone who followed or liked is in the book");
    assert_eq!(store.interactions_between("shop", 0, 1_000).unwrap().len(), 5);

    store.keep_add("shop", "user1").unwrap();
    store.update_person("shop", "acct-1", |p| p.note = "met at the fair".into()).unwrap();
    assert_eq!(store.forget("shop", "acct-1").unwrap(), 2);
    assert_eq!(store.person("shop", "acct-1").unwrap(), None);
    assert_eq!(store.person_by_handle("shop", "user1").unwrap(), None);
    assert!(store.interactions_of("shop", "acct-1").unwrap().is_empty());
    assert!(store.interactions_between("shop", 0, 1_000).unwrap().iter().all(|i| i.person != "acct-1"));
    assert!(!store.keep_list("shop").unwrap().contains("user1"));
    // The others stay, and the notification records still deduplicate a refetch.
    assert_eq!(store.people("shop").count(), 3);
    assert_eq!(store.ingest_page("shop", &page(), None, 30, triage).unwrap().new, 0);
}

#[test]
fn own_posts_are_read_on_their_cadence_and_know_what_rapport_published() {
    use rapport_core::notification::Post;
    use rapport_core::reads::PostMetrics;

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let publish = Proposal {
        key: ProposalKey::slot("tips", 3_600),
        action: Action::Publish {
            text: "Glaze tip".into(),
            post_kind: PostKind::Sales,
            media_alt: String::new(),
            media: vec![],
        },
        origin: Origin::Manual,
        context: TaskContext::default(),
        expires_at: None,
    };
    let id = store.propose("shop", publish, 1).unwrap().unwrap().id;
    store.transition(id, Transition::Approve { text: None, hold_until: None }, 2).unwrap();
    store.transition(id, Transition::Start, 3).unwrap();
    store.transition(id, Transition::Succeed { result: Some("p1".into()) }, 4).unwrap();

    let post = Post {
        id: "p1".into(),
        text: "Glaze tip".into(),
        url: "https://garden.social/@shop/p1".into(),
        author: Profile::default(),
        in_reply_to: None,
        created: 4,
        visibility: "public".into(),
    };
    let metrics = |likes| PostMetrics { likes, ..PostMetrics::default() };
    assert!(store.readings_due("shop", 5).unwrap(), "a post never read is due");
    assert!(store.record_reading("shop", &post, metrics(1), 5).unwrap());
    assert!(!store.record_reading("shop", &post, metrics(2), 600).unwrap(), "read again within the hour");
    assert!(!store.readings_due("shop", 600).unwrap());
    assert!(store.record_reading("shop", &post, metrics(3), 3_700).unwrap());
    let histories = store.post_histories("shop", 0).unwrap();
    assert_eq!(histories.len(), 1);
    assert_eq!(histories[0].kind, Some(PostKind::Sales));
    let likes: Vec<u64> = histories[0].readings.iter().map(|r| r.metrics.likes).collect();
    assert_eq!(likes, [1, 3]);
    assert!(store.post_histories("shop", 5).unwrap().is_empty(), "posted before the window");
}

#[test]
fn snapshots_keep_their_order_and_the_latest_is_found() {
    use rapport_core::history::FollowerSnapshot;

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    for (at, followers) in [(86_400, 10), (0, 8), (2 * 86_400, 12)] {
        store.record_snapshot("shop", &FollowerSnapshot { at, followers, following: 5 }).unwrap();
    }
    let counts: Vec<u64> = store.snapshots("shop").unwrap().iter().map(|s| s.followers).collect();
    assert_eq!(counts, [8, 10, 12]);
    assert_eq!(store.last_snapshot("shop").unwrap().unwrap().followers, 12);
    assert_eq!(store.last_snapshot("blog").unwrap(), None);
}
