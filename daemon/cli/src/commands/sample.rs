//! Samples the views' tests render: a task (Ann asks which soil the shop uses) and a report of
//! four weeks of posts.

use rapport_core::UnixSeconds;
use rapport_core::notification::{Post, Profile};
use rapport_core::task::{Action, Legitimacy, Origin, Task, TaskContext, TaskId};

/// The tests' clock.
pub const NOW: UnixSeconds = 1_700_000_000;

/// Ann, a gardener on another server.
pub fn ann() -> Profile {
    Profile {
        id: "109".into(),
        handle: "ann@garden.social".into(),
        display_name: "Ann Example".into(),
        bio: "Grows tomatoes.".into(),
        followers: Some(120),
        following: Some(80),
        posts: Some(300),
        created: Some(NOW - 400 * 86_400),
        url: "https://garden.social/@ann".into(),
        ..Profile::default()
    }
}

/// Ann's question and the drafted reply, proposed an hour ago.
pub fn reply_task() -> Task {
    let post = Post {
        id: "p1".into(),
        text: "Which soil do you use?".into(),
        url: "https://garden.social/@ann/1".into(),
        author: ann(),
        in_reply_to: None,
        created: NOW - 7_200,
        visibility: "public".into(),
    };
    Task::propose(
        TaskId(12),
        "shop",
        Action::Reply {
            to_post_id: "p1".into(),
            text: "Hi Ann, peat-free compost!".into(),
            visibility: "public".into(),
        },
        Origin::Notification { id: "n1".into() },
        TaskContext {
            profile: Some(ann()),
            post: Some(post),
            legitimacy: Some(Legitimacy { score: 82, reasons: vec!["custom avatar: +10".into()] }),
            by_hand: None,
        },
        NOW - 3_600,
        Some(NOW + 3 * 86_400),
    )
}

/// A morning's queue on two accounts: Ann's question and a follow-back from Bo on the shop's
/// Mastodon, two follows from its potters campaign, and a follow on X that is done by hand.
pub fn queue() -> Vec<Task> {
    let bo = Profile {
        id: "110".into(),
        handle: "bo@potters.example".into(),
        display_name: "Bo Lindqvist".into(),
        bio: "Wood-fired stoneware.".into(),
        followers: Some(640),
        following: Some(310),
        posts: Some(1_200),
        created: Some(NOW - 900 * 86_400),
        url: "https://potters.example/@bo".into(),
        ..Profile::default()
    };
    let with = |id: u64, account: &str, action: Action, origin: Origin, profile: Profile| {
        let context = TaskContext {
            profile: Some(profile),
            legitimacy: Some(Legitimacy { score: 74, reasons: vec!["custom avatar: +10".into()] }),
            ..TaskContext::default()
        };
        Task::propose(TaskId(id), account, action, origin, context, NOW - 1_800, Some(NOW + 86_400))
    };
    let potters = || Origin::Campaign { campaign: "potters".into(), source: "#pottery".into() };
    let mut x_follow = with(
        30,
        "studio-x",
        Action::Follow { account_id: "44".into() },
        potters(),
        Profile { handle: "kiln_kate".into(), display_name: "Kate".into(), ..Profile::default() },
    );
    x_follow.context.by_hand = Some("X's rules: each follow is one person's decision in the app".into());
    vec![
        reply_task(),
        with(
            13,
            "shop",
            Action::FollowBack { account_id: "110".into() },
            Origin::Notification { id: "n2".into() },
            bo.clone(),
        ),
        with(
            20,
            "shop",
            Action::Follow { account_id: "210".into() },
            potters(),
            Profile { handle: "cy@clay.example".into(), display_name: "Cy".into(), ..bo.clone() },
        ),
        with(
            21,
            "shop",
            Action::Follow { account_id: "211".into() },
            potters(),
            Profile { handle: "di@clay.example".into(), display_name: "Di".into(), ..bo },
        ),
        x_follow,
    ]
}

/// Four weeks of a shop's history as a report by week: posts with likes and replies (one week
/// without any), follower snapshots that rise and fall, follows, a reply, actions under budget.
pub fn report() -> rapport_core::report::Report {
    use rapport_core::history::{
        ActionDay, Direction, FollowerSnapshot, Interaction, InteractionKind, InteractionSource,
        MetricReading, PostHistory, ResponseTime,
    };
    use rapport_core::reads::PostMetrics;
    use rapport_core::report::{Period, ReportInput, compute};
    use rapport_core::task::{ActionKind, PostKind};

    const DAY: i64 = 86_400;
    let since = NOW - 28 * DAY;
    let snapshots: Vec<FollowerSnapshot> = (0..28)
        .map(|d| FollowerSnapshot {
            at: since + d * DAY,
            followers: 800 + (d * 7 % 11) as u64 + d as u64 * 2,
            following: 300,
        })
        .collect();
    let posts: Vec<PostHistory> = [0, 1, 3, 13, 15, 17, 20, 22, 25]
        .iter()
        .enumerate()
        .map(|(i, &d)| PostHistory {
            id: format!("p{i}"),
            posted_at: since + d * DAY + 9 * 3_600,
            url: format!("https://garden.social/@shop/p{i}"),
            text: format!("Studio note {i}: how we glaze, fire and pack the week's mugs for the shop"),
            kind: Some(if i % 4 == 3 { PostKind::Sales } else { PostKind::Value }),
            readings: (1..4)
                .map(|h| MetricReading {
                    at: since + d * DAY + (9 + h) * 3_600,
                    metrics: PostMetrics {
                        likes: (i as u64 + 2) * h as u64,
                        reposts: h as u64,
                        replies: 1,
                        quotes: None,
                        views: None,
                    },
                })
                .collect(),
        })
        .collect();
    let person = |n: usize| format!("{n}");
    let interactions: Vec<Interaction> = (0..40)
        .map(|n| Interaction {
            at: since + n as i64 * 15 * 3_600,
            person: person(n % 7),
            handle: format!("friend{}@garden.social", n % 7),
            direction: if n % 5 == 0 { Direction::Ours } else { Direction::Theirs },
            kind: match n % 5 {
                0 | 1 => InteractionKind::Followed,
                2 => InteractionKind::Replied,
                _ => InteractionKind::Liked,
            },
            source: InteractionSource::Notification(format!("n{n}")),
            campaign: (n % 10 == 0).then(|| "potters".to_owned()),
        })
        .collect();
    let responses = vec![ResponseTime { notified_at: since + DAY, replied_at: since + DAY + 2_400 }];
    let actions: Vec<ActionDay> = (0..28)
        .map(|d| ActionDay {
            day: since + d * DAY,
            kind: ActionKind::Follow,
            done: (d % 3) as u32,
            budget: Some(3),
        })
        .collect();
    compute(&ReportInput {
        account: "shop",
        platform: "mastodon",
        since,
        until: NOW,
        by: Period::Week,
        zone: chrono_tz::UTC,
        snapshots: &snapshots,
        posts: &posts,
        interactions: &interactions,
        responses: &responses,
        actions: &actions,
    })
}
