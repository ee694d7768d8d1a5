//! A sample task the views' tests render: Ann asks which soil the shop uses.

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
