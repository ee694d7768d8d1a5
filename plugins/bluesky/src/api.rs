//! The lexicon shapes the plugin reads, as serde types.
//!
//! Only the fields the plugin uses are declared; everything is optional or defaulted where the
//! lexicon allows it to be missing, so that a server adding or omitting a field never fails a poll.
//! Field names follow the lexicons (`app.bsky.notification.listNotifications`,
//! `app.bsky.actor.defs#profileView*`, `app.bsky.feed.defs#feedViewPost`,
//! `app.bsky.graph.getRelationships`, `com.atproto.server.createSession`, …). The lists a read
//! page is made of (`feed`, `posts`, `actors`, …) are required, so a page without its list is
//! refused as malformed rather than read as empty.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A login session (`createSession` / `refreshSession` output), kept in the plugin's kv store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// The account's DID, the repo every write goes to.
    pub did: String,
    /// The account's handle.
    pub handle: String,
    /// The short-lived token for every call.
    pub access_jwt: String,
    /// The longer-lived token used only to renew the session.
    pub refresh_jwt: String,
}

/// A self-label or moderation label on a profile.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Label {
    /// The label value, e.g. `bot`.
    #[serde(default)]
    pub val: String,
}

/// `app.bsky.actor.defs#profileView` and its basic and detailed variants, merged: the counts are
/// present only in the detailed view.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// The account's DID.
    pub did: String,
    /// The account's handle.
    pub handle: String,
    /// The display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The bio.
    #[serde(default)]
    pub description: Option<String>,
    /// The avatar's URL, absent for the default avatar.
    #[serde(default)]
    pub avatar: Option<String>,
    /// Followers (detailed view only).
    #[serde(default)]
    pub followers_count: Option<u64>,
    /// Accounts followed (detailed view only).
    #[serde(default)]
    pub follows_count: Option<u64>,
    /// Posts (detailed view only).
    #[serde(default)]
    pub posts_count: Option<u64>,
    /// When the account was created.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Self-labels and moderation labels (`bot` marks an automated account).
    #[serde(default)]
    pub labels: Vec<Label>,
    /// How the acting account stands to this one.
    #[serde(default)]
    pub viewer: Option<ProfileViewer>,
}

/// `app.bsky.actor.defs#viewerState`: the follow records between the acting account and another.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileViewer {
    /// The URI of the acting account's follow record for this account.
    #[serde(default)]
    pub following: Option<String>,
    /// The URI of this account's follow record for the acting account.
    #[serde(default)]
    pub followed_by: Option<String>,
    /// The acting account's follows who follow this account; the AppView fills it in detailed
    /// views only, and leaves it out both when there are none and when its lookup timed out.
    #[serde(default)]
    pub known_followers: Option<KnownFollowers>,
}

/// `app.bsky.actor.defs#knownFollowers`: how many of the acting account's follows follow someone.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct KnownFollowers {
    /// Their number.
    pub count: u64,
}

/// `app.bsky.actor.getProfiles` output.
#[derive(Debug, Deserialize)]
pub struct Profiles {
    /// The profiles found (unknown actors are left out).
    pub profiles: Vec<Profile>,
}

/// `app.bsky.notification.listNotifications#notification`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// The URI of the record that caused it (the like, the follow, the reply post).
    pub uri: String,
    /// That record's CID.
    #[serde(default)]
    pub cid: String,
    /// Who did it.
    pub author: Profile,
    /// `follow`, `mention`, `reply`, `like`, `repost`, `quote`, …
    pub reason: String,
    /// The acting account's post it concerns (the liked post; the post replied to or quoted).
    #[serde(default)]
    pub reason_subject: Option<String>,
    /// The record itself (for a mention, reply or quote: the post).
    #[serde(default)]
    pub record: Value,
    /// When the AppView indexed it; the order notifications are listed in.
    pub indexed_at: String,
}

/// `app.bsky.notification.listNotifications` output.
#[derive(Debug, Deserialize)]
pub struct Notifications {
    /// Newest first.
    pub notifications: Vec<Notification>,
    /// The cursor of the next, older page; absent at the end.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// `com.atproto.repo.strongRef`: a record pinned to one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StrongRef {
    /// The record's AT URI.
    pub uri: String,
    /// The record version's CID.
    pub cid: String,
}

/// `app.bsky.feed.post#replyRef`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyRef {
    /// The thread's first post.
    pub root: StrongRef,
    /// The post answered.
    pub parent: StrongRef,
}

/// The part of an `app.bsky.feed.post` record the plugin reads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostRecord {
    /// The text.
    #[serde(default)]
    pub text: String,
    /// Present when the post is a reply.
    #[serde(default)]
    pub reply: Option<ReplyRef>,
    /// When the author says it was written.
    #[serde(default)]
    pub created_at: String,
}

/// `app.bsky.feed.defs#viewerState`: the acting account's like and repost of a post.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PostViewer {
    /// The URI of the acting account's like record.
    #[serde(default)]
    pub like: Option<String>,
    /// The URI of the acting account's repost record.
    #[serde(default)]
    pub repost: Option<String>,
}

/// `app.bsky.feed.defs#postView`, the part the plugin reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostView {
    /// The post's AT URI.
    pub uri: String,
    /// The post's CID.
    pub cid: String,
    /// Who wrote it (`profileViewBasic`).
    pub author: Profile,
    /// When the AppView indexed it.
    #[serde(default)]
    pub indexed_at: String,
    /// The post record.
    #[serde(default)]
    pub record: Value,
    /// The acting account's like and repost.
    #[serde(default)]
    pub viewer: Option<PostViewer>,
    /// Likes, as the AppView counts them.
    #[serde(default)]
    pub like_count: u64,
    /// Reposts.
    #[serde(default)]
    pub repost_count: u64,
    /// Replies.
    #[serde(default)]
    pub reply_count: u64,
    /// Quotes; absent from older AppViews.
    #[serde(default)]
    pub quote_count: Option<u64>,
}

/// `app.bsky.feed.defs#feedViewPost`: a post in a feed, and why it is there.
#[derive(Debug, Clone, Deserialize)]
pub struct FeedItem {
    /// The post.
    pub post: PostView,
    /// Present when the post is in the feed for another reason than being the feed owner's post
    /// (`#reasonRepost`: someone reposted it; `#reasonPin`).
    #[serde(default)]
    pub reason: Option<Value>,
}

/// `app.bsky.feed.getAuthorFeed` / `getListFeed` output.
#[derive(Debug, Deserialize)]
pub struct Feed {
    /// Newest first.
    pub feed: Vec<FeedItem>,
    /// The next, older page's cursor; absent at the end.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// `app.bsky.feed.searchPosts` output.
#[derive(Debug, Deserialize)]
pub struct FoundPosts {
    /// The matching posts.
    pub posts: Vec<PostView>,
    /// The next page's cursor; absent at the end.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// `app.bsky.actor.searchActors` output.
#[derive(Debug, Deserialize)]
pub struct FoundActors {
    /// The matching accounts (`profileView`).
    pub actors: Vec<Profile>,
    /// The next page's cursor; absent at the end.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// `app.bsky.graph.getSuggestedFollowsByActor` output (one page, no cursor).
#[derive(Debug, Deserialize)]
pub struct Suggestions {
    /// The suggested accounts.
    pub suggestions: Vec<Profile>,
}

/// `app.bsky.graph.getRelationships` output.
#[derive(Debug, Deserialize)]
pub struct Relationships {
    /// One entry per account asked about, in either shape of the union.
    pub relationships: Vec<RelationshipEntry>,
}

/// `app.bsky.graph.defs#relationship` or `#notFoundActor`, merged: a found account has `did`,
/// an unknown one `actor` and `notFound`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelationshipEntry {
    /// The other account's DID (`#relationship` only).
    #[serde(default)]
    pub did: Option<String>,
    /// The URI of the acting account's follow record for it.
    #[serde(default)]
    pub following: Option<String>,
    /// The URI of its follow record for the acting account.
    #[serde(default)]
    pub followed_by: Option<String>,
    /// `#notFoundActor`: the identifier did not resolve.
    #[serde(default)]
    pub not_found: bool,
}

/// `app.bsky.graph.getFollowers` output, as a discovery page reads it: the list is required.
#[derive(Debug, Deserialize)]
pub struct Followers {
    /// The account whose followers these are.
    pub subject: Profile,
    /// The followers.
    pub followers: Vec<Profile>,
    /// The next page's cursor; absent at the end.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// `com.atproto.repo.uploadBlob` output.
#[derive(Debug, Deserialize)]
pub struct UploadedBlob {
    /// The blob reference a record embeds, kept exactly as the PDS gave it.
    pub blob: Value,
}

/// `app.bsky.feed.getPosts` output.
#[derive(Debug, Deserialize)]
pub struct Posts {
    /// The posts found (deleted ones are left out).
    pub posts: Vec<PostView>,
}

/// `app.bsky.graph.getFollowers` / `getFollows` output.
#[derive(Debug, Deserialize)]
pub struct Follows {
    /// `getFollowers`: the followers.
    #[serde(default)]
    pub followers: Vec<Profile>,
    /// `getFollows`: the accounts followed.
    #[serde(default)]
    pub follows: Vec<Profile>,
    /// The next page's cursor; absent at the end.
    #[serde(default)]
    pub cursor: Option<String>,
}

/// `com.atproto.repo.createRecord` / `getRecord` output: where a record is.
#[derive(Debug, Clone, Deserialize)]
pub struct RecordRef {
    /// The record's AT URI.
    pub uri: String,
    /// The record version's CID (absent from `getRecord` for some servers).
    #[serde(default)]
    pub cid: Option<String>,
}

/// `com.atproto.identity.resolveHandle` output.
#[derive(Debug, Deserialize)]
pub struct ResolvedHandle {
    /// The handle's DID.
    pub did: String,
}
