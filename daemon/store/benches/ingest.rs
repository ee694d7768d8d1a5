//! Store throughput: ingesting notifications the way the poller does (dedup against the store and
//! the page, the real triage, task creation, cursor — one transaction per page; and with the
//! interactions then filed into the relationship book, as the poller does after a poll), and the first page
//! of proposed tasks with 10k vs 1M tasks stored (must be flat).
//!
//! Run: `cargo bench -p rapport-store --bench ingest`.

use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use rapport_core::notification::{Notification, NotificationKind, Post, Profile};
use rapport_core::platform::Description;
use rapport_core::proposal::{Proposal, ProposalKey};
use rapport_core::task::{ActionKind, TaskState};
use rapport_core::triage::{Triage, TriageConfig, triage};
use rapport_store::{Store, TaskFilter};

const NOTIFICATIONS: usize = 100_000;
/// Mastodon's default page; its largest is 80.
const PAGE: usize = 40;
/// Notifications each page repeats from the one before, as a poll that overlaps its last page does.
const OVERLAP: usize = 4;
const NOW: i64 = 1_800_000_000;

/// A realistic mix: a fifth new followers, a tenth mentions (half of them questions), the rest
/// likes and reposts of the account's posts.
fn notifications() -> Vec<Notification> {
    (0..NOTIFICATIONS)
        .map(|i| {
            let kind = match i % 10 {
                0 | 5 => NotificationKind::Follow,
                3 => NotificationKind::Mention,
                7 => NotificationKind::Repost,
                _ => NotificationKind::Like,
            };
            let account = Profile {
                id: format!("a{i}"),
                handle: format!("user{i}@example.social"),
                display_name: format!("User {i}"),
                bio: "Gardener, reader, occasional baker.".into(),
                followers: Some(120),
                following: Some(80),
                posts: Some(300),
                created: Some(NOW - 400 * 86_400),
                has_avatar: true,
                ..Profile::default()
            };
            let text = if i % 20 == 3 { "Do you ship to Porto?" } else { "Lovely glaze!" };
            let post = (kind != NotificationKind::Follow).then(|| Post {
                id: format!("p{i}"),
                text: text.into(),
                url: format!("https://example.social/@user{i}/p{i}"),
                author: account.clone(),
                in_reply_to: None,
                created: NOW - 60,
                visibility: "public".into(),
            });
            Notification { id: format!("n{i}"), kind, at: NOW - 60, account, post }
        })
        .collect()
}

fn mastodon() -> Description {
    Description {
        name: "mastodon".into(),
        version: "1".into(),
        contract: "0.1.0".into(),
        platform: "mastodon".into(),
        capabilities: ActionKind::ALL.to_vec(),
        ceilings: Vec::new(),
        hosts: Vec::new(),
        rules: Vec::new(),
        reads: Vec::new(),
        one_at_a_time: Vec::new(),
        read_costs: Vec::new(),
    }
}

/// The pages a poller would receive: `PAGE` notifications each, the first `OVERLAP` of which it
/// has seen already.
fn pages(all: &[Notification]) -> Vec<Vec<Notification>> {
    let fresh = PAGE - OVERLAP;
    (0..all.len().div_ceil(fresh))
        .map(|i| all[(i * fresh).saturating_sub(OVERLAP)..((i + 1) * fresh).min(all.len())].to_vec())
        .collect()
}

fn ingest(c: &mut Criterion) {
    let pages = pages(&notifications());
    let config = TriageConfig::default();
    let platform = mastodon();
    let mut group = c.benchmark_group("ingest");
    group.sample_size(10).measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Elements(NOTIFICATIONS as u64));
    for drain in [false, true] {
        let then = if drain { ", then filed into the book" } else { "" };
        let name = format!("100k notifications, pages of {PAGE} overlapping by {OVERLAP}, real triage{then}");
        group.bench_function(name, |b| {
            b.iter_batched(
                || tempfile::tempdir().expect("temp dir"),
                |dir| {
                    let store = Store::open(dir.path()).expect("open store");
                    let (mut new, mut tasks) = (0, 0);
                    for (i, page) in pages.iter().enumerate() {
                        let cursor = format!("c{i}");
                        let report = store
                            .ingest_page("shop", page, Some(&cursor), NOW, |n| {
                                match triage(n, &config, &platform, NOW) {
                                    Triage::Propose(p) => Some(*p),
                                    _ => None,
                                }
                            })
                            .expect("ingest");
                        new += report.new;
                        tasks += report.tasks.len();
                        // The poller files a poll's interactions after its pages.
                        if drain {
                            store.drain_book().expect("drain");
                        }
                    }
                    assert_eq!(new, NOTIFICATIONS, "each notification recorded once");
                    assert!(tasks >= NOTIFICATIONS / 5, "followers and questions became tasks: {tasks}");
                    (store, dir)
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

/// A store holding `n` proposed tasks, created in batches of 5,000.
fn store_with(n: usize) -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open store");
    let template: Vec<Proposal> = notifications()[..5_000]
        .iter()
        .map(|n| Proposal {
            key: ProposalKey::notification(&n.id),
            action: rapport_core::task::Action::FollowBack { account_id: n.account.id.clone() },
            origin: rapport_core::task::Origin::Notification { id: n.id.clone() },
            context: rapport_core::task::TaskContext {
                profile: Some(n.account.clone()),
                ..Default::default()
            },
            expires_at: Some(n.at + 86_400),
        })
        .collect();
    for start in (0..n).step_by(template.len()) {
        let len = template.len().min(n - start);
        // Each batch proposes other people: a key the store has seen makes no task.
        let batch: Vec<Proposal> = template[..len]
            .iter()
            .map(|p| Proposal { key: ProposalKey::notification(&format!("{start}-{}", p.key)), ..p.clone() })
            .collect();
        store.propose_batch("shop", &batch, 1_000).expect("batch");
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
