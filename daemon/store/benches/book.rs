//! The relationship book at size: looking up one person (handle index, record, timeline) and
//! listing an account's window of interactions, with 100,000 people and 300,000 interactions
//! in the book, and a year of own posts (five a day) with their hourly-then-daily readings —
//! what `rapport person` and `rapport report` read from the store.
//!
//! Run: `cargo bench -p rapport-store --bench book`.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use rapport_core::notification::{Notification, NotificationKind, Post, Profile};
use rapport_core::reads::PostMetrics;
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

const DAY: i64 = 86_400;

/// Records five own posts a day for a year, each read on its cadence up to `NOW`; returns how
/// many readings that made.
fn year_of_posts(store: &Store) -> usize {
    let mut readings = 0;
    for n in 0..365 * 5 {
        let posted = NOW - 365 * DAY + n * DAY / 5;
        let post = Post {
            id: format!("own{n}"),
            text: format!("Studio note {n}"),
            url: String::new(),
            author: Profile::default(),
            in_reply_to: None,
            created: posted,
            visibility: "public".into(),
        };
        let mut due = Some(posted);
        let mut k = 0;
        while let Some(at) = due.filter(|t| *t < NOW) {
            k += 1;
            let metrics =
                PostMetrics { likes: k * 2, reposts: k / 3, replies: k / 5, quotes: None, views: None };
            assert!(store.record_reading("shop", &post, metrics, at).expect("reading"));
            readings += 1;
            due = rapport_store::next_reading(posted, Some(at));
        }
    }
    readings
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
    group.bench_function("every interaction (300k)", |b| {
        b.iter(|| {
            let window = store.interactions_between("shop", 0, NOW).expect("window");
            assert_eq!(window.len(), PEOPLE * KINDS.len());
        })
    });
    let readings = year_of_posts(&store);
    group.bench_function("a year of own posts with their readings", |b| {
        b.iter(|| {
            let posts = store.post_histories("shop", NOW - 365 * DAY).expect("posts");
            assert_eq!(posts.iter().map(|p| p.readings.len()).sum::<usize>(), readings);
        })
    });
    group.finish();
}

criterion_group!(benches, book);
criterion_main!(benches);
