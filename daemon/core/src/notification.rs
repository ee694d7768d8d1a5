//! Normalized platform records: who did what, on which post.
//!
//! These mirror the WIT contract's records (`sdk/wit/platform.wit`) as plain Rust types, so the
//! core never depends on generated bindings; the host converts at its boundary.

use serde::{Deserialize, Serialize};

use crate::UnixSeconds;

/// An account on a platform, as a plugin reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Profile {
    /// The platform's stable id.
    pub id: String,
    /// The handle, without a leading `@`.
    pub handle: String,
    /// The name the person chose; may be empty.
    pub display_name: String,
    /// Profile text, plain.
    pub bio: String,
    /// Followers, when known.
    pub followers: Option<u64>,
    /// Accounts followed, when known.
    pub following: Option<u64>,
    /// Posts, when known.
    pub posts: Option<u64>,
    /// Creation time, when known.
    pub created: Option<UnixSeconds>,
    /// Whether the avatar is custom.
    pub has_avatar: bool,
    /// Whether the account declares itself automated.
    pub bot: bool,
    /// Public profile link.
    pub url: String,
}

impl Profile {
    /// The name to address the person by: the display name, else the handle's local part.
    pub fn addressable_name(&self) -> &str {
        let name = self.display_name.trim();
        if name.is_empty() { self.handle.split('@').next().unwrap_or(&self.handle) } else { name }
    }
}

/// A post on a platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    /// The platform's id.
    pub id: String,
    /// Plain text.
    pub text: String,
    /// Public link.
    pub url: String,
    /// Who wrote it.
    pub author: Profile,
    /// The post it answers, if a reply.
    pub in_reply_to: Option<String>,
    /// When it was written.
    pub created: UnixSeconds,
    /// Platform visibility (`public`, `unlisted`, …); empty if none.
    pub visibility: String,
}

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotificationKind {
    /// A mention of the account.
    Mention,
    /// A reply to the account's post.
    Reply,
    /// A quote of the account's post.
    Quote,
    /// A new follower.
    Follow,
    /// A follow request to a locked account.
    FollowRequest,
    /// A like of the account's post.
    Like,
    /// A repost of the account's post.
    Repost,
    /// A post by someone the account subscribes to.
    Post,
    /// Anything else.
    Other,
}

/// One normalized notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// The platform's id; unique per account.
    pub id: String,
    /// What happened.
    pub kind: NotificationKind,
    /// When it happened.
    pub at: UnixSeconds,
    /// Who did it.
    pub account: Profile,
    /// The post concerned, if any.
    pub post: Option<Post>,
}
