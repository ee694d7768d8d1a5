//! Turning lexicon shapes into the contract's records.
//!
//! Pure functions over [`crate::api`] types, so that normalization is unit-tested against JSON in
//! the shapes the AppView sends. The notification's `uri` (the record that caused it) is its id;
//! a post's id is its AT URI, which is what a reply, like or repost names.

use std::collections::HashMap;

use rapport_sdk::clock::parse_rfc3339;
use rapport_sdk::types::{
    Account, Notification, NotificationKind, Post, PostMetrics, Relationship, RelationshipOf,
};

use crate::api;

/// The web app's address, for links a person can open.
const WEB: &str = "https://bsky.app";

/// The contract's kind for a notification `reason`.
pub fn kind(reason: &str) -> NotificationKind {
    match reason {
        "follow" => NotificationKind::Follow,
        "mention" => NotificationKind::Mention,
        "reply" => NotificationKind::Reply,
        "quote" => NotificationKind::Quote,
        "like" => NotificationKind::Like,
        "repost" => NotificationKind::Repost,
        "subscribed-post" => NotificationKind::Post,
        _ => NotificationKind::Other,
    }
}

/// The contract's account for a profile (any of the three views).
pub fn account(profile: &api::Profile) -> Account {
    Account {
        id: profile.did.clone(),
        handle: profile.handle.clone(),
        display_name: profile.display_name.clone().unwrap_or_default(),
        bio: profile.description.clone().unwrap_or_default(),
        followers: profile.followers_count,
        following: profile.follows_count,
        posts: profile.posts_count,
        created: profile.created_at.as_deref().and_then(parse_rfc3339),
        has_avatar: profile.avatar.as_deref().is_some_and(|a| !a.is_empty()),
        bot: profile.labels.iter().any(|l| l.val == "bot"),
        url: format!("{WEB}/profile/{}", profile.handle),
    }
}

/// The web link of the post at `uri` (`at://did/app.bsky.feed.post/rkey`), or the URI itself if it
/// is not a post URI.
pub fn post_url(uri: &str) -> String {
    let parts: Vec<&str> = uri.strip_prefix("at://").map(|p| p.split('/').collect()).unwrap_or_default();
    match parts.as_slice() {
        [repo, "app.bsky.feed.post", rkey] => format!("{WEB}/profile/{repo}/post/{rkey}"),
        _ => uri.to_owned(),
    }
}

/// The contract's post for the post record `record` at `uri` by `author`; `indexed_at` stands in
/// for a missing or unreadable `createdAt`.
pub fn post(uri: &str, author: Account, record: &serde_json::Value, indexed_at: &str) -> Post {
    let record: api::PostRecord = serde_json::from_value(record.clone()).unwrap_or_default();
    Post {
        id: uri.to_owned(),
        text: record.text,
        url: post_url(uri),
        author,
        in_reply_to: record.reply.map(|r| r.parent.uri),
        created: parse_rfc3339(&record.created_at).or_else(|| parse_rfc3339(indexed_at)).unwrap_or(0),
        visibility: "public".to_owned(),
    }
}

/// The contract's post for a post view, written by the (basic) author the view carries.
pub fn post_view(view: &api::PostView) -> Post {
    post(&view.uri, account(&view.author), &view.record, &view.indexed_at)
}

/// How a post of the account's own is doing: the AppView's counts (it has no views).
pub fn metrics(view: &api::PostView) -> PostMetrics {
    PostMetrics {
        likes: view.like_count,
        reposts: view.repost_count,
        replies: view.reply_count,
        quotes: view.quote_count,
        views: None,
    }
}

/// How many of the acting account's follows follow `profile`, where its detailed view says.
///
/// `None` when the view has no `knownFollowers`: the AppView leaves it out both when there are
/// none and when its lookup timed out, so an absence is not a zero.
pub fn known_followers(profile: &api::Profile) -> Option<u32> {
    let known = profile.viewer.as_ref()?.known_followers.as_ref()?;
    Some(u32::try_from(known.count).unwrap_or(u32::MAX))
}

/// The contract's relationships for a `getRelationships` answer; accounts the AppView did not
/// find are left out.
pub fn relationships(entries: &[api::RelationshipEntry]) -> Vec<RelationshipOf> {
    entries
        .iter()
        .filter(|e| !e.not_found)
        .filter_map(|e| {
            let id = e.did.clone().filter(|did| !did.is_empty())?;
            let relationship = Relationship {
                following: e.following.is_some(),
                followed_by: e.followed_by.is_some(),
                requested: false,
            };
            Some(RelationshipOf { id, relationship })
        })
        .collect()
}

/// The contract's notification for `n`.
///
/// `profiles` are the detailed profiles of the authors (counts, creation date), keyed by DID; an
/// author missing from it keeps the basic view the notification carries. `subjects` are the posts
/// likes and reposts refer to, keyed by URI; a mention, reply or quote carries its own post.
pub fn notification(
    n: &api::Notification,
    profiles: &HashMap<String, api::Profile>,
    subjects: &HashMap<String, api::PostView>,
) -> Notification {
    let author = account(profiles.get(&n.author.did).unwrap_or(&n.author));
    let kind = kind(&n.reason);
    let post = match kind {
        NotificationKind::Mention
        | NotificationKind::Reply
        | NotificationKind::Quote
        | NotificationKind::Post => Some(post(&n.uri, author.clone(), &n.record, &n.indexed_at)),
        _ => n.reason_subject.as_ref().and_then(|uri| subjects.get(uri)).map(post_view),
    };
    Notification {
        id: n.uri.clone(),
        kind,
        at: parse_rfc3339(&n.indexed_at).unwrap_or(0),
        account: author,
        post,
    }
}

/// Milliseconds since the epoch as RFC 3339 in UTC with milliseconds (`2024-05-01T12:48:45.460Z`),
/// the form the lexicons' `datetime` fields take.
pub fn rfc3339(millis: i64) -> String {
    let (days, ms_of_day) = (millis.div_euclid(86_400_000), millis.rem_euclid(86_400_000));
    // Howard Hinnant's `civil_from_days`, the inverse of the SDK parser's `days_from_civil`.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (secs, ms) = (ms_of_day / 1000, ms_of_day % 1000);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The post URIs the `like` and `repost` notifications refer to, without repeats, in order.
pub fn subject_uris(notifications: &[&api::Notification]) -> Vec<String> {
    let mut uris: Vec<String> = Vec::new();
    for n in notifications {
        if matches!(n.reason.as_str(), "like" | "repost")
            && let Some(uri) = &n.reason_subject
            && !uris.contains(uri)
        {
            uris.push(uri.clone());
        }
    }
    uris
}

/// The author DIDs of `notifications`, without repeats, in order.
pub fn author_dids(notifications: &[&api::Notification]) -> Vec<String> {
    let mut dids: Vec<String> = Vec::new();
    for n in notifications {
        if !dids.contains(&n.author.did) {
            dids.push(n.author.did.clone());
        }
    }
    dids
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `listNotifications` answer in the lexicon's shape, as the AppView sends it.
    const PAGE: &str = r#"{
      "cursor": "1714567725460::bafyreib",
      "notifications": [
        {
          "uri": "at://did:plc:bob/app.bsky.feed.post/3kqreply",
          "cid": "bafyreply",
          "author": {"did": "did:plc:bob", "handle": "bob.test", "displayName": "Bob 🌊",
                     "avatar": "https://cdn/bob.jpg", "labels": [], "viewer": {"muted": false},
                     "indexedAt": "2024-01-01T00:00:00.000Z", "createdAt": "2023-12-01T00:00:00.000Z"},
          "reason": "reply",
          "reasonSubject": "at://did:plc:me/app.bsky.feed.post/3kqroot",
          "record": {"$type": "app.bsky.feed.post", "text": "merci, très bien 👍", "createdAt": "2024-05-01T12:48:44.000Z",
                     "langs": ["fr"],
                     "reply": {"root": {"uri": "at://did:plc:me/app.bsky.feed.post/3kqroot", "cid": "bafyroot"},
                               "parent": {"uri": "at://did:plc:me/app.bsky.feed.post/3kqroot", "cid": "bafyroot"}}},
          "isRead": false,
          "indexedAt": "2024-05-01T12:48:45.460Z",
          "labels": []
        },
        {
          "uri": "at://did:plc:carol/app.bsky.feed.like/3kqlike",
          "cid": "bafylike",
          "author": {"did": "did:plc:carol", "handle": "carol.test", "labels": [{"src": "did:plc:carol", "uri": "at://did:plc:carol/app.bsky.actor.profile/self", "val": "bot", "cts": "2024-01-01T00:00:00.000Z"}]},
          "reason": "like",
          "reasonSubject": "at://did:plc:me/app.bsky.feed.post/3kqroot",
          "record": {"$type": "app.bsky.feed.like", "subject": {"uri": "at://did:plc:me/app.bsky.feed.post/3kqroot", "cid": "bafyroot"}, "createdAt": "2024-05-01T12:40:00.000Z"},
          "isRead": true,
          "indexedAt": "2024-05-01T12:40:01.000Z"
        },
        {
          "uri": "at://did:plc:bob/app.bsky.graph.follow/3kqfollow",
          "cid": "bafyfollow",
          "author": {"did": "did:plc:bob", "handle": "bob.test"},
          "reason": "follow",
          "record": {"$type": "app.bsky.graph.follow", "subject": "did:plc:me", "createdAt": "2024-05-01T12:00:00.000Z"},
          "isRead": true,
          "indexedAt": "2024-05-01T12:00:00.500Z"
        },
        {
          "uri": "at://did:plc:dan/app.bsky.feed.post/3kqnew",
          "author": {"did": "did:plc:dan", "handle": "dan.test"},
          "reason": "starterpack-joined",
          "record": {},
          "indexedAt": "not a time"
        }
      ]
    }"#;

    fn page() -> api::Notifications {
        serde_json::from_str(PAGE).expect("fixture parses")
    }

    #[test]
    fn a_reply_carries_its_post_and_the_detailed_profile() {
        let page = page();
        let detailed: api::Profile = serde_json::from_str(
            r#"{"did": "did:plc:bob", "handle": "bob.test", "displayName": "Bob 🌊", "description": "sea & sky",
                "avatar": "https://cdn/bob.jpg", "followersCount": 120, "followsCount": 80, "postsCount": 42,
                "createdAt": "2023-12-01T00:00:00.000Z", "labels": []}"#,
        )
        .expect("profile parses");
        let profiles = HashMap::from([(detailed.did.clone(), detailed)]);
        let n = notification(&page.notifications[0], &profiles, &HashMap::new());
        assert_eq!(n.id, "at://did:plc:bob/app.bsky.feed.post/3kqreply");
        assert_eq!(n.kind, NotificationKind::Reply);
        assert_eq!(n.at, 1_714_567_725);
        assert_eq!(n.account.id, "did:plc:bob");
        assert_eq!(n.account.display_name, "Bob 🌊");
        assert_eq!(n.account.bio, "sea & sky");
        assert_eq!(
            (n.account.followers, n.account.following, n.account.posts),
            (Some(120), Some(80), Some(42))
        );
        assert_eq!(n.account.created, Some(1_701_388_800));
        assert!(n.account.has_avatar && !n.account.bot);
        assert_eq!(n.account.url, "https://bsky.app/profile/bob.test");
        let post = n.post.expect("a reply has its post");
        assert_eq!(post.id, "at://did:plc:bob/app.bsky.feed.post/3kqreply");
        assert_eq!(post.text, "merci, très bien 👍");
        assert_eq!(post.in_reply_to.as_deref(), Some("at://did:plc:me/app.bsky.feed.post/3kqroot"));
        assert_eq!(post.url, "https://bsky.app/profile/did:plc:bob/post/3kqreply");
        assert_eq!(post.created, 1_714_567_724);
    }

    #[test]
    fn a_like_points_at_the_liked_post_and_reads_the_bot_label() {
        let page = page();
        let subject: api::PostView = serde_json::from_str(
            r#"{"uri": "at://did:plc:me/app.bsky.feed.post/3kqroot", "cid": "bafyroot",
                "author": {"did": "did:plc:me", "handle": "me.test"},
                "record": {"$type": "app.bsky.feed.post", "text": "hello world", "createdAt": "2024-05-01T11:00:00.000Z"},
                "indexedAt": "2024-05-01T11:00:00.100Z", "likeCount": 1}"#,
        )
        .expect("post view parses");
        let subjects = HashMap::from([(subject.uri.clone(), subject)]);
        let n = notification(&page.notifications[1], &HashMap::new(), &subjects);
        assert_eq!(n.kind, NotificationKind::Like);
        assert!(n.account.bot, "the self-label `bot` marks an automated account");
        assert_eq!(n.account.followers, None, "the basic view has no counts");
        let post = n.post.expect("the liked post");
        assert_eq!(
            (post.id.as_str(), post.text.as_str()),
            ("at://did:plc:me/app.bsky.feed.post/3kqroot", "hello world")
        );
        assert_eq!(post.author.handle, "me.test");
        let follow = notification(&page.notifications[2], &HashMap::new(), &subjects);
        assert_eq!((follow.kind, follow.post), (NotificationKind::Follow, None));
    }

    #[test]
    fn unknown_reasons_and_bad_times_do_not_fail() {
        let page = page();
        let n = notification(&page.notifications[3], &HashMap::new(), &HashMap::new());
        assert_eq!((n.kind, n.at), (NotificationKind::Other, 0));
        assert_eq!(page.cursor.as_deref(), Some("1714567725460::bafyreib"));
    }

    #[test]
    fn record_times_round_trip_through_the_parser() {
        assert_eq!(rfc3339(1_714_567_725_460), "2024-05-01T12:48:45.460Z");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_709_164_800_000), "2024-02-29T00:00:00.000Z");
        for millis in [951_782_400_000_i64, 4_102_444_799_999, 1_234_567_890_123] {
            assert_eq!(parse_rfc3339(&rfc3339(millis)), Some(millis / 1000));
        }
    }

    #[test]
    fn batches_name_each_author_and_subject_once() {
        let page = page();
        let all: Vec<&api::Notification> = page.notifications.iter().collect();
        assert_eq!(author_dids(&all), vec!["did:plc:bob", "did:plc:carol", "did:plc:dan"]);
        assert_eq!(subject_uris(&all), vec!["at://did:plc:me/app.bsky.feed.post/3kqroot"]);
        assert_eq!(
            post_url("at://did:plc:x/app.bsky.graph.follow/1"),
            "at://did:plc:x/app.bsky.graph.follow/1"
        );
    }

    #[test]
    fn relationships_map_follow_records_and_leave_out_unknown_accounts() {
        let page: api::Relationships = serde_json::from_str(
            r#"{"actor": "did:plc:me", "relationships": [
                {"$type": "app.bsky.graph.defs#relationship", "did": "did:plc:ann",
                 "following": "at://did:plc:me/app.bsky.graph.follow/1", "followedBy": "at://did:plc:ann/app.bsky.graph.follow/2"},
                {"$type": "app.bsky.graph.defs#relationship", "did": "did:plc:bob"},
                {"$type": "app.bsky.graph.defs#notFoundActor", "actor": "did:plc:gone", "notFound": true}
            ]}"#,
        )
        .expect("relationships parse");
        let found = relationships(&page.relationships);
        let summary: Vec<(&str, bool, bool, bool)> = found
            .iter()
            .map(|r| {
                let rel = &r.relationship;
                (r.id.as_str(), rel.following, rel.followed_by, rel.requested)
            })
            .collect();
        assert_eq!(summary, [("did:plc:ann", true, true, false), ("did:plc:bob", false, false, false)]);
    }

    #[test]
    fn a_post_s_metrics_are_the_appview_s_counts() {
        let view: api::PostView = serde_json::from_str(
            r#"{"uri": "at://did:plc:me/app.bsky.feed.post/3kq", "cid": "bafy", "author": {"did": "did:plc:me", "handle": "me.test"},
                "record": {"$type": "app.bsky.feed.post", "text": "hi", "createdAt": "2024-05-01T11:00:00.000Z"},
                "likeCount": 3, "repostCount": 2, "replyCount": 1, "quoteCount": 4, "indexedAt": "2024-05-01T11:00:01.000Z"}"#,
        )
        .expect("post view parses");
        let m = metrics(&view);
        assert_eq!((m.likes, m.reposts, m.replies, m.quotes, m.views), (3, 2, 1, Some(4), None));
        assert_eq!(view.indexed_at, "2024-05-01T11:00:01.000Z", "indexedAt is read");
        let post = post_view(&view);
        assert_eq!(
            (post.id.as_str(), post.author.handle.as_str()),
            ("at://did:plc:me/app.bsky.feed.post/3kq", "me.test")
        );
    }
}
