//! Mastodon entities to the contract's normalized records.
//!
//! Pure functions over bytes and structs, so they run natively in unit tests and in the benchmark
//! that compares this parse with the same call made inside the plugin.

use rapport_sdk::clock::parse_rfc3339;
use rapport_sdk::types::{Account, Notification, NotificationKind, PluginError, Post, Relationship};

use crate::{api, html};

/// The path Mastodon serves as the avatar of an account that never set one.
const DEFAULT_AVATAR_SUFFIX: &str = "/avatars/original/missing.png";

/// Parses a `GET /api/v1/notifications` body into normalized notifications, in the server's order.
///
/// A body that is not a JSON array of notifications is `Transient`: it is a proxy's error page or a
/// cut-off response far more often than a change of API. A notification without an id, or whose
/// account or post has none, is left out: it could be neither deduplicated nor answered, and the
/// host would refuse the whole page for it.
pub fn parse_notifications(body: &[u8]) -> Result<Vec<Notification>, PluginError> {
    let page: Vec<api::Notification> = serde_json::from_slice(body).map_err(|err| {
        PluginError::Transient(format!("the notifications page is not the JSON Mastodon documents ({err})"))
    })?;
    let identified = |n: &api::Notification| {
        !n.id.is_empty() && !n.account.id.is_empty() && n.status.as_ref().is_none_or(|s| !s.id.is_empty())
    };
    Ok(page.into_iter().filter(identified).map(notification).collect())
}

/// One Mastodon notification, normalized.
pub fn notification(n: api::Notification) -> Notification {
    let at = parse_rfc3339(&n.created_at).unwrap_or(0);
    Notification { kind: kind(&n.kind), at, account: account(n.account), post: n.status.map(post), id: n.id }
}

/// The normalized kind of a Mastodon notification `type`.
pub fn kind(kind: &str) -> NotificationKind {
    match kind {
        "mention" => NotificationKind::Mention,
        "status" => NotificationKind::Post,
        "quote" => NotificationKind::Quote,
        "follow" => NotificationKind::Follow,
        "follow_request" => NotificationKind::FollowRequest,
        "favourite" => NotificationKind::Like,
        "reblog" => NotificationKind::Repost,
        _ => NotificationKind::Other,
    }
}

/// A Mastodon account, normalized; the HTML note becomes plain text.
pub fn account(a: api::Account) -> Account {
    Account {
        has_avatar: !a.avatar.is_empty() && !a.avatar.ends_with(DEFAULT_AVATAR_SUFFIX),
        created: a.created_at.as_deref().and_then(parse_rfc3339),
        bio: html::to_text(&a.note),
        url: a.url.unwrap_or_default(),
        followers: a.followers_count,
        following: a.following_count,
        posts: a.statuses_count,
        bot: a.bot,
        display_name: a.display_name,
        handle: a.acct,
        id: a.id,
    }
}

/// A Mastodon status, normalized; a content warning is kept in front of the text so the person
/// approving a reply sees what the author flagged.
pub fn post(s: api::Status) -> Post {
    let body = html::to_text(&s.content);
    let text = if s.spoiler_text.is_empty() { body } else { format!("[CW: {}]\n{body}", s.spoiler_text) };
    Post {
        text,
        url: s.url.unwrap_or(s.uri),
        author: account(s.account),
        in_reply_to: s.in_reply_to_id,
        created: parse_rfc3339(&s.created_at).unwrap_or(0),
        visibility: s.visibility,
        id: s.id,
    }
}

/// A Mastodon relationship, normalized.
pub fn relationship(r: &api::Relationship) -> Relationship {
    Relationship { following: r.following, followed_by: r.followed_by, requested: r.requested }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE_40: &[u8] = include_bytes!("../../../tests/fixtures/mastodon-notifications-40.json");

    #[test]
    fn parses_the_benchmark_page() {
        let items = parse_notifications(PAGE_40).unwrap_or_default();
        assert_eq!(items.len(), 40);
        let first = &items[0];
        assert_eq!(first.id, "59999995");
        assert_eq!(first.kind, NotificationKind::FollowRequest);
        assert_eq!(first.at, 1_714_567_725);
        assert_eq!(first.account.handle, "xiadani_rs@infosec.example");
        assert_eq!(first.account.display_name, "Xiadani Kim :rust:");
        assert_eq!(first.account.followers, Some(118));
        assert!(first.account.bio.starts_with("Coffee first. Open source maintainer."));
        assert!(first.account.bio.contains("Posts about #webassembly & more."));
        assert!(first.account.has_avatar);
        assert!(first.post.is_none());

        let mention = &items[1];
        assert_eq!(mention.kind, NotificationKind::Mention);
        let post =
            mention.post.as_ref().map(|p| (p.text.as_str(), p.visibility.as_str(), p.in_reply_to.as_deref()));
        assert_eq!(
            post,
            Some((
                "@pat Our new from train cargo for our is we to mountain concert fix?",
                "direct",
                Some("112322150978941270")
            ))
        );
        let kinds = |k| items.iter().filter(|n| n.kind == k).count();
        assert_eq!(kinds(NotificationKind::Like), 12);
        assert_eq!(kinds(NotificationKind::Repost), 7);
        assert_eq!(kinds(NotificationKind::Post), 2);
        assert!(items.iter().any(|n| !n.account.has_avatar), "the page has default avatars");
    }

    #[test]
    fn tolerates_nulls_and_missing_optional_fields() {
        let body = br#"[{"id":"7","type":"admin.sign_up","created_at":"garbage","status":null,
            "account":{"id":"1","acct":"ann","url":null}}]"#;
        let items = parse_notifications(body).unwrap_or_default();
        assert_eq!(items.len(), 1);
        assert_eq!(
            (items[0].kind, items[0].at, items[0].account.url.as_str()),
            (NotificationKind::Other, 0, "")
        );
    }

    #[test]
    fn content_warnings_stay_in_front_of_the_text() {
        let status: api::Status = match serde_json::from_str(
            r#"{"id":"9","content":"<p>spoilers</p>","spoiler_text":"film","url":null,"uri":"https://m/s/9",
                "account":{"id":"1","acct":"ann"},"created_at":"2024-05-01T00:00:00Z"}"#,
        ) {
            Ok(status) => status,
            Err(err) => panic!("test status must parse: {err}"),
        };
        let post = post(status);
        assert_eq!((post.text.as_str(), post.url.as_str()), ("[CW: film]\nspoilers", "https://m/s/9"));
    }

    #[test]
    fn not_an_array_is_transient() {
        assert!(matches!(parse_notifications(b"<html>502</html>"), Err(PluginError::Transient(_))));
        assert!(matches!(parse_notifications(br#"{"error":"x"}"#), Err(PluginError::Transient(_))));
    }
}

/// Stable fuzzing (proptest): the notification page parser and the HTML-to-text pass take any
/// bytes a server sends, and the real 40-notification page with bytes changed, without panicking.
#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    const PAGE: &[u8] = include_bytes!("../../../tests/fixtures/mastodon-notifications-40.json");

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3_000, ..ProptestConfig::default() })]

        #[test]
        fn any_bytes_are_notifications_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = super::parse_notifications(&bytes);
        }

        #[test]
        fn the_real_page_with_bytes_changed_parses_or_fails_whole(
            changes in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        ) {
            let mut page = PAGE.to_vec();
            for (at, byte) in changes {
                let at = at % page.len();
                page[at] = byte;
            }
            if let Ok(notifications) = super::parse_notifications(&page) {
                prop_assert!(notifications.len() <= 40);
            }
        }

        #[test]
        fn any_html_becomes_text_without_its_tags(html in "[<>&a-z/;# ]{0,200}") {
            let text = crate::html::to_text(&html);
            // Only an entity (`&lt;p>`) can spell a tag in the text.
            if !html.contains('&') {
                prop_assert!(!text.contains("<p>") && !text.contains("<br>"), "{text:?}");
            }
        }
    }
}
