//! The proactive half through the real daemon core (store, planners, gate, executor), the real
//! Mastodon plugin and the sandbox, with an injected clock: a follow campaign over a hashtag
//! proposes exactly the day's share with its reasons, its approved follows land once each, the
//! next day brings new people only and a paused campaign proposes nothing; past the grace
//! period the purge proposes unfollowing those who never followed back, except the keep-list,
//! a mutual and someone who liked a post; a circle's day proposes likes, a repost and a comment
//! draft for its members' posts, never the same post twice across days.
//!
//! Needs the plugins built (`cargo xtask plugins`, which `cargo xtask test` runs first).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use rapport_core::task::{Action, Origin, Task, TaskState, Transition};
use rapport_tests::sandbox::{MastodonSandbox, Seed, SeedAccount, SeedPost};
use rapportd::settings::Settings;
use rapportd::state::State;
use rapportd::{poller, proposers};

const TOKEN: &str = "relationships-token";
const DAY: i64 = 86_400;

fn real_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

/// Ten potters posting #pottery, newest first.
fn potters() -> Seed {
    let mut seed = Seed::new(TOKEN).own(SeedAccount::new("shop", "The Shop"));
    for i in 0..10u32 {
        let acct = format!("potter{i}@kilns.example");
        seed = seed
            .account(SeedAccount::new(&acct, format!("Potter {i}")).note("I throw and glaze stoneware"))
            .with_post(SeedPost::new(&acct, &format!("Day {i} at the wheel: a new glaze #pottery"), i + 1));
    }
    seed
}

async fn daemon(
    sandbox: &MastodonSandbox,
    sections: &str,
    clock: &Arc<crate::common::TestClock>,
) -> (crate::common::Rig, Arc<State>) {
    let rig = crate::common::Rig::new(
        |rig| crate::common::mastodon_account(rig, "shop", &sandbox.base_url(), TOKEN),
        sections,
    );
    let state = State::start(Settings::load(&rig.config_path()).unwrap(), clock.clone())
        .await
        .expect("daemon starts");
    (rig, state)
}

fn tasks(daemon: &State, state: TaskState) -> Vec<Task> {
    daemon.store.in_state(state).map(Result::unwrap).collect()
}

fn followed(task: &Task) -> String {
    match &task.action {
        Action::Follow { account_id } | Action::Unfollow { account_id } => account_id.clone(),
        other => panic!("not a follow or unfollow: {other:?}"),
    }
}

/// Approves every proposed task of `origin` and runs the executor until none is left approved.
async fn approve_and_send(
    daemon: &Arc<State>,
    clock: &crate::common::TestClock,
    keep: impl Fn(&Task) -> bool,
) {
    let approve: Vec<_> = tasks(daemon, TaskState::Proposed)
        .into_iter()
        .filter(|t| keep(t))
        .map(|t| (t.id, Transition::Approve { text: None, hold_until: None }))
        .collect();
    assert!(daemon.store.transition_many(approve, clock.now()).unwrap().iter().all(|(_, r)| r.is_ok()));
    for _ in 0..50 {
        if tasks(daemon, TaskState::Approved).is_empty() {
            return;
        }
        crate::common::executor_pass(daemon).await;
        // The gate spaces actions out; a minute later the next may go.
        clock.set(clock.now() + 60);
    }
    panic!("approved tasks never went out: {:#?}", tasks(daemon, TaskState::Approved));
}

fn from_campaign(task: &Task) -> bool {
    matches!(&task.origin, Origin::Campaign { campaign, .. } if campaign == "potters")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_proposes_its_daily_share_then_the_purge_spares_who_it_should() {
    let sandbox = MastodonSandbox::start(potters()).await.expect("sandbox starts");
    let clock = Arc::new(crate::common::TestClock::at(real_now()));
    let sections = r##"[[campaigns]]
name = "potters"
account = "shop"
sources = ["#pottery"]
weekly_goal = 28
min_score = 0
keywords = ["glaze"]

[[purge]]
account = "shop"
"##;
    let (_rig, daemon) = daemon(&sandbox, sections, &clock).await;

    // Day 1: 28 a week is 4 a day, with the post that surfaced each person among the reasons.
    let report = proposers::pass(&daemon).await;
    assert_eq!((report.proposed, report.problems.clone()), (4, Vec::<String>::new()));
    let day1: Vec<Task> = tasks(&daemon, TaskState::Proposed).into_iter().filter(from_campaign).collect();
    assert_eq!(day1.len(), 4);
    for task in &day1 {
        let reasons = &task.context.legitimacy.as_ref().expect("reasons").reasons;
        assert!(
            reasons[0].starts_with("posted #pottery") && reasons[0].contains("a new glaze"),
            "{reasons:?}"
        );
        assert!(reasons.iter().any(|r| r == "mentions glaze"), "{reasons:?}");
        assert!(task.expires_at.is_some(), "an unreviewed proposal expires");
    }
    // The same day again: the share is spent, even though nothing was reviewed.
    assert_eq!(proposers::pass(&daemon).await.proposed, 0);

    // Approved, each follow goes out once.
    approve_and_send(&daemon, &clock, from_campaign).await;
    let follows =
        || sandbox.requests().iter().filter(|r| r.method == "POST" && r.path.ends_with("/follow")).count();
    assert_eq!(follows(), 4);
    crate::common::executor_pass(&daemon).await;
    assert_eq!(follows(), 4, "nothing sent twice");
    let day1_ids: HashSet<String> = day1.iter().map(followed).collect();

    // Day 2: four new people, none of day 1's.
    clock.set(clock.now() + DAY);
    assert_eq!(proposers::pass(&daemon).await.proposed, 4);
    let day2: Vec<Task> = tasks(&daemon, TaskState::Proposed).into_iter().filter(from_campaign).collect();
    assert_eq!(day2.len(), 4);
    assert!(day2.iter().all(|t| !day1_ids.contains(&followed(t))), "day 2 proposed someone again");
    // A paused campaign proposes nothing (below, every later pass is the purge's alone).
    daemon.store.update_campaign_state("potters", |state| state.paused = true).unwrap();

    // Of day 1's four: one is kept, one follows back, one liked a post; the fourth never did.
    let mut day1_accts: Vec<(String, String)> = day1
        .iter()
        .map(|t| (followed(t), t.context.profile.as_ref().map(|p| p.handle.clone()).unwrap_or_default()))
        .collect();
    day1_accts.sort();
    let (kept, mutual, fan, stranger) = (&day1_accts[0], &day1_accts[1], &day1_accts[2], &day1_accts[3]);
    let keep_handle = format!("@{}", kept.1);
    assert!(daemon.store.keep_add("shop", &keep_handle).unwrap());
    sandbox.push_follow(&mutual.1);
    sandbox.push_favourite(&fan.1);
    let account = daemon.account("shop").unwrap();
    poller::poll_once(&daemon, &account).await.expect("poll");

    // Inside the grace period: nothing.
    clock.set(clock.now() + 2 * DAY);
    assert_eq!(proposers::pass(&daemon).await.proposed, 0);
    // Past it (16 days after the follows), only the stranger.
    clock.set(clock.now() + 13 * DAY);
    let report = proposers::pass(&daemon).await;
    assert_eq!((report.proposed, report.problems), (1, Vec::<String>::new()));
    let unfollows: Vec<Task> =
        tasks(&daemon, TaskState::Proposed).into_iter().filter(|t| t.origin == Origin::Purge).collect();
    assert_eq!(
        unfollows.iter().map(followed).collect::<Vec<_>>(),
        vec![stranger.0.clone()],
        "{unfollows:#?}"
    );
    let reasons = &unfollows[0].context.legitimacy.as_ref().unwrap().reasons;
    assert_eq!(
        reasons,
        &vec![
            "followed 16 days ago, never followed back".to_owned(),
            "followed by campaign potters".to_owned(),
            "last interaction: none".to_owned()
        ]
    );
    // Once a day: a second pass proposes nothing more.
    assert_eq!(proposers::pass(&daemon).await.proposed, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_circles_day_engages_with_its_members_posts_and_never_the_same_post_twice() {
    let sandbox = MastodonSandbox::start(potters()).await.expect("sandbox starts");
    // Members by id or by handle, as a person would write them.
    let members = [
        sandbox.account_id("potter0@kilns.example").expect("seeded"),
        "@potter1@kilns.example".to_owned(),
        "potter2@kilns.example".to_owned(),
    ];
    let clock = Arc::new(crate::common::TestClock::at(real_now()));
    let sections = format!(
        r#"[[circles]]
name = "makers"
account = "shop"
members = ["{}", "{}", "{}"]
likes = 2
reposts = 1
replies = 1
at = "00:00"
"#,
        members[0], members[1], members[2]
    );
    let (_rig, daemon) = daemon(&sandbox, &sections, &clock).await;
    assert_eq!(proposers::pass(&daemon).await.proposed, 4);
    let day1 = tasks(&daemon, TaskState::Proposed);
    let kinds: Vec<&str> = day1.iter().map(|t| t.action.kind().as_str()).collect();
    assert_eq!(kinds, vec!["like", "like", "repost", "reply"]);
    let reply = day1.iter().find(|t| matches!(t.action, Action::Reply { .. })).unwrap();
    match &reply.action {
        Action::Reply { text, .. } => assert!(text.starts_with("Potter 0, \"Day 0 at the wheel"), "{text}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(proposers::pass(&daemon).await.proposed, 0, "once a day");

    // The next day, a member posts again: it is the only new like; nothing of day 1 repeats.
    sandbox.post("potter2@kilns.example", "Kiln opening today #pottery");
    clock.set(clock.now() + DAY);
    proposers::pass(&daemon).await;
    let all: Vec<Task> = daemon.store.in_state(TaskState::Proposed).map(Result::unwrap).collect();
    let mut seen = HashSet::new();
    for task in &all {
        let post = match &task.action {
            Action::Like { post_id } | Action::Repost { post_id } => post_id.clone(),
            Action::Reply { to_post_id, .. } => to_post_id.clone(),
            other => panic!("{other:?}"),
        };
        assert!(
            seen.insert((task.action.kind(), post.clone())),
            "{post} proposed twice for {:?}",
            task.action.kind()
        );
    }
    assert!(all.iter().any(|t| t.context.post.as_ref().is_some_and(|p| p.text.starts_with("Kiln opening"))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_on_a_facebook_page_is_a_config_error_at_its_line() {
    let clock = Arc::new(crate::common::TestClock::at(real_now()));
    let plugin = crate::common::plugin_path("facebook");
    let rig = crate::common::Rig::new(
        |rig| {
            let token = rig.config_path().with_file_name("page-token");
            std::fs::write(&token, "t0k").unwrap();
            std::fs::set_permissions(&token, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
            format!(
                r#"[[accounts]]
name = "page"
platform = "facebook-pages"
plugin = "{}"
api_base = "https://graph.facebook.com"
user = "104857600000001"
[accounts.secrets]
page_token = {{ file = "{}" }}"#,
                plugin.display(),
                token.display()
            )
        },
        r##"[[campaigns]]
name = "bakers"
account = "page"
sources = ["#sourdough"]
weekly_goal = 70
"##,
    );
    let settings = Settings::load(&rig.config_path()).expect("the file itself is valid");
    let err = State::start(settings, clock).await.map(drop).unwrap_err();
    let text = format!("{err:#}");
    assert!(
        text.contains("campaigns[0].account") && text.contains("cannot follow anyone through its API"),
        "{text}"
    );
    let file = rig.config_path().display().to_string();
    assert!(text.starts_with(&format!("{file}:16: `campaigns[0].account`")), "located at its line: {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_circle_takes_its_members_from_a_list_and_from_mutuals_who_engaged() {
    // potter3 and potter4 are on the account's list; potter5 follows back and liked a post;
    // potter6 liked a post but is no mutual.
    let seed = potters()
        .list("Makers", &["potter3@kilns.example", "potter4@kilns.example"])
        .following("potter5@kilns.example")
        .follows("potter5@kilns.example", "shop");
    let sandbox = MastodonSandbox::start(seed).await.expect("sandbox starts");
    sandbox.push_favourite("potter5@kilns.example");
    sandbox.push_favourite("potter6@kilns.example");
    let clock = Arc::new(crate::common::TestClock::at(real_now()));
    let sections = r#"[[circles]]
name = "makers"
account = "shop"
list = "1"
mutuals_engaged_within = "30d"
likes = 10
reposts = 0
replies = 0
at = "00:00"
"#;
    let (_rig, daemon) = daemon(&sandbox, sections, &clock).await;
    let account = daemon.account("shop").unwrap();
    poller::poll_once(&daemon, &account).await.expect("poll");
    let report = proposers::pass(&daemon).await;
    assert_eq!(report.problems, Vec::<String>::new());
    let mut authors: Vec<String> = tasks(&daemon, TaskState::Proposed)
        .iter()
        .filter(|t| matches!(&t.origin, Origin::Circle { .. }))
        .filter_map(|t| t.context.profile.as_ref().map(|p| p.handle.clone()))
        .collect();
    authors.sort();
    assert_eq!(authors, ["potter3@kilns.example", "potter4@kilns.example", "potter5@kilns.example"]);
}
