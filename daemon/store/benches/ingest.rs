//! Store throughput: ingesting notifications (dedup + task creation + cursor, one transaction per
//! page) and the first page of proposed tasks with 10k vs 1M tasks stored (must be flat).
//!
//! Run: `cargo bench -p rapport-store --bench ingest`.

use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use rapport_core::notification::{Notification, NotificationKind, Profile};
use rapport_core::task::{Action, Origin, TaskContext, TaskState};
use rapport_store::{NewTask, Store, TaskFilter};

const NOTIFICATIONS: usize = 100_000;
const PAGE: usize = 40;

fn notifications() -> Vec<Notification> {
    (0..NOTIFICATIONS)
        .map(|i| Notification {
            id: format!("n{i}"),
            kind: if i % 5 == 0 { NotificationKind::Follow } else { NotificationKind::Like },
            at: i as i64,
            account: Profile {
                id: format!("a{i}"),
                handle: format!("user{i}@example.social"),
                display_name: format!("User {i}"),
                bio: "Gardener, reader, occasional baker.".into(),
                followers: Some(120),
                following: Some(80),
                posts: Some(300),
                ..Profile::default()
            },
            post: None,
        })
        .collect()
}

fn follow_back(n: &Notification) -> NewTask {
    NewTask {
        action: Action::FollowBack { account_id: n.account.id.clone() },
        origin: Origin::Notification { id: n.id.clone() },
        context: TaskContext { profile: Some(n.account.clone()), ..TaskContext::default() },
        expires_at: Some(n.at + 86_400),
    }
}

fn ingest(c: &mut Criterion) {
    let all = notifications();
    let mut group = c.benchmark_group("ingest");
    group.sample_size(10).measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Elements(NOTIFICATIONS as u64));
    group.bench_function("100k notifications, pages of 40, 20% become tasks", |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("temp dir"),
            |dir| {
                let store = Store::open(dir.path()).expect("open store");
                for (i, page) in all.chunks(PAGE).enumerate() {
                    let cursor = format!("c{i}");
                    store
                        .ingest_page("shop", page, Some(&cursor), 1_000, |n| {
                            (n.kind == NotificationKind::Follow).then(|| follow_back(n))
                        })
                        .expect("ingest");
                }
                (store, dir)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

/// A store holding `n` proposed tasks, created in batches of 5,000.
fn store_with(n: usize) -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open store");
    let template: Vec<NewTask> = notifications()[..5_000].iter().map(follow_back).collect();
    for start in (0..n).step_by(template.len()) {
        let len = template.len().min(n - start);
        store.create_tasks_batch("shop", &template[..len], 1_000).expect("batch");
    }
    (store, dir)
}

fn first_page(c: &mut Criterion) {
    let mut group = c.benchmark_group("first page of 50 proposed");
    for n in [10_000, 1_000_000] {
        let (store, _dir) = store_with(n);
        let filter = TaskFilter { state: Some(TaskState::Proposed), account: None, after: None, limit: 50 };
        group.bench_function(format!("{n} tasks stored"), |b| {
            b.iter(|| assert_eq!(store.page(&filter).expect("page").len(), 50))
        });
    }
    group.finish();
}

criterion_group!(benches, ingest, first_page);
criterion_main!(benches);
