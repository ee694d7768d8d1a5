//! The relationship book at size: looking up one person (handle index, record, timeline) and
//! listing an account's window of interactions, with 100,000 people and 300,000 interactions
//! in the book — what `rapport person` and `rapport report` read from the store.
//!
//! Run: `cargo bench -p rapport-store --bench book`.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use rapport_core::notification::{Notification, NotificationKind, Post, Profile};
use rapport_store::Store;

const PEOPLE: usize = 100_000;
/// Each person followed, then liked and replied: three interactions each.
const KINDS: [NotificationKind; 3] =
    [NotificationKind::Follow, NotificationKind::Like, NotificationKind::Reply];
const NOW: i64 = 1_800_000_000;
const PAGE: usize = 400;

/// The notifications of `PEOPLE` people, three each, a minute apart over about seven months.
fn notifications() -> Vec<Notification> {
    (0..PEOPLE * KINDS.len())
        .map(|i| {
            let person = i % PEOPLE;
            let kind = KINDS[i / PEOPLE];
            let account = Profile {
                id: format!("a{person}"),
                handle: format!("user{person}@example.social"),
                display_name: format!("User {person}"),
                ..Profile::default()
            };
            let at = NOW - (PEOPLE * KINDS.len() - i) as i64 * 60;
            let post = (kind != NotificationKind::Follow).then(|| Post {
                id: format!("p{i}"),
                text: "Lovely glaze!".into(),
                url: String::new(),
                author: account.clone(),
                in_reply_to: None,
                created: at,
                visibility: "public".into(),
            });
            Notification { id: format!("n{i}"), kind, at, account, post }
        })
        .collect()
}

fn book(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open store");
    for page in notifications().chunks(PAGE) {
        store.ingest_page("shop", page, None, NOW, |_| None).expect("ingest");
    }
    store.drain_book().expect("drain");
    store.flush().expect("flush");
    let mut group = c.benchmark_group("book");
    group.sample_size(50).measurement_time(Duration::from_secs(5));
    let mut n = 0usize;
    group.bench_function("person by handle among 100k people (record + timeline)", |b| {
        b.iter(|| {
            n = (n + 7_919) % PEOPLE;
            let id = store.person_by_handle("shop", &format!("@user{n}@example.social")).expect("lookup");
            let id = id.expect("known handle");
            let record = store.person("shop", &id).expect("record").expect("a record");
            let timeline = store.interactions_of("shop", &id).expect("timeline");
            assert_eq!((record.interactions, timeline.len()), (3, 3));
        })
    });
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    group.bench_function("a 30-day window of interactions (of 300k)", |b| {
        b.iter(|| {
            let window = store.interactions_between("shop", NOW - 30 * 86_400, NOW).expect("window");
            assert_eq!(window.len(), 30 * 1_440);
        })
    });
    group.finish();
}

criterion_group!(benches, book);
criterion_main!(benches);
