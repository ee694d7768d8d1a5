//! The OAuth scopes each call of the plugin needs, and whether a token's granted scopes cover them.
//!
//! Mastodon checks a scope per endpoint (`doorkeeper_authorize!` in its controllers). The plugin
//! asks only for what its calls need; this table is the one place that says which call needs
//! which, used both to name a missing scope when the account starts (`check-access`) and to name
//! it when a server refuses a call.

use rapport_sdk::types::{ActionKind, MissingPermission};

/// Reading notifications (`fetch-notifications`).
pub const READ_NOTIFICATIONS: &str = "read:notifications";
/// Reading a status (a reply reads the post it answers for its author and visibility).
pub const READ_STATUSES: &str = "read:statuses";
/// Reading accounts: `verify_credentials`, `lookup-account`, followers and following lists.
pub const READ_ACCOUNTS: &str = "read:accounts";
/// Reading relationships.
pub const READ_FOLLOWS: &str = "read:follows";
/// Searching accounts and posts (`discover` from a search).
pub const READ_SEARCH: &str = "read:search";
/// Reading list timelines (`discover` from a list).
pub const READ_LISTS: &str = "read:lists";
/// Uploading images for posts.
pub const WRITE_MEDIA: &str = "write:media";
/// Posting, replying and boosting.
pub const WRITE_STATUSES: &str = "write:statuses";
/// Following, unfollowing and accepting follow requests.
pub const WRITE_FOLLOWS: &str = "write:follows";
/// Favouriting.
pub const WRITE_FAVOURITES: &str = "write:favourites";

/// Every scope the plugin needs, with the actions and reads that fail without it.
pub const NEEDED: [(&str, &[ActionKind], &[&str]); 10] = [
    (READ_NOTIFICATIONS, &[], &["fetch-notifications"]),
    (READ_STATUSES, &[ActionKind::Reply], &["discover-hashtag", "recent-posts", "own-posts"]),
    (
        READ_ACCOUNTS,
        &[ActionKind::Message],
        &[
            "lookup-account",
            "list-followers",
            "list-following",
            "discover-suggestions",
            "discover-followers-of",
            "lookup-self",
        ],
    ),
    (READ_FOLLOWS, &[], &["relationship", "relationships"]),
    (READ_SEARCH, &[], &["discover-search"]),
    (READ_LISTS, &[], &["discover-list"]),
    (WRITE_MEDIA, &[ActionKind::Publish], &[]),
    (WRITE_STATUSES, &[ActionKind::Reply, ActionKind::Publish, ActionKind::Repost, ActionKind::Message], &[]),
    (
        WRITE_FOLLOWS,
        &[ActionKind::Follow, ActionKind::FollowBack, ActionKind::Unfollow, ActionKind::AcceptFollowRequest],
        &[],
    ),
    (WRITE_FAVOURITES, &[ActionKind::Like], &[]),
];

/// The scopes the legacy `follow` scope passes for. Mastodon's documentation says it stands for
/// `read:follows` too, but the relationships endpoint does not list it, so a real server refuses
/// that read to a `follow`-only token.
const LEGACY_FOLLOW: [&str; 5] =
    ["write:follows", "read:blocks", "write:blocks", "read:mutes", "write:mutes"];

/// Whether `granted` covers `needed`: the scope itself, its top level (`read` covers every
/// `read:*`), or the legacy `follow` scope for what it stood for.
pub fn covers(granted: &[String], needed: &str) -> bool {
    let top = needed.split(':').next().unwrap_or(needed);
    granted.iter().any(|g| g == needed || g == top || (g == "follow" && LEGACY_FOLLOW.contains(&needed)))
}

/// The scopes in [`NEEDED`] that `granted` does not cover.
pub fn missing(granted: &[String]) -> Vec<MissingPermission> {
    NEEDED
        .iter()
        .filter(|(scope, _, _)| !covers(granted, scope))
        .map(|(scope, actions, reads)| MissingPermission {
            permission: (*scope).to_owned(),
            actions: actions.to_vec(),
            reads: reads.iter().map(|r| (*r).to_owned()).collect(),
        })
        .collect()
}

/// The scopes to ask for when creating the application, space-separated as Mastodon's
/// "New application" form and the README list them.
pub fn request_list() -> String {
    NEEDED.iter().map(|(scope, _, _)| *scope).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn granted(list: &str) -> Vec<String> {
        list.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn the_documented_scopes_cover_every_call() {
        assert!(missing(&granted(&request_list())).is_empty());
        assert_eq!(
            request_list(),
            "read:notifications read:statuses read:accounts read:follows read:search read:lists write:media write:statuses write:follows write:favourites"
        );
    }

    #[test]
    fn top_level_and_legacy_scopes_cover_their_parts() {
        assert!(missing(&granted("read write")).is_empty());
        assert!(covers(&granted("follow"), "write:follows"));
        assert!(!covers(&granted("follow"), "read:follows"), "relationships refuse a follow-only token");
        assert!(!covers(&granted("follow"), "write:statuses"));
        assert!(!covers(&granted("read:statuses"), "read:notifications"));
    }

    #[test]
    fn the_scope_a_reply_lacks_is_named_with_what_needs_it() {
        let old_readme = granted(
            "read:notifications read:accounts read:follows write:statuses write:follows write:favourites",
        );
        let missing = missing(&old_readme);
        let names: Vec<&str> = missing.iter().map(|m| m.permission.as_str()).collect();
        assert_eq!(names, ["read:statuses", "read:search", "read:lists", "write:media"]);
        assert_eq!(missing[0].actions, vec![ActionKind::Reply]);
    }
}
