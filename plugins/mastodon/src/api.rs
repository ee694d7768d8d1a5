//! The Mastodon REST entities this plugin reads, in the shapes of the Mastodon documentation
//! (`entities/Notification.md`, `Account.md`, `Status.md`, `Relationship.md`).
//!
//! Only the fields the plugin uses are declared, so serde skips the rest without building them;
//! everything a server may omit or send as `null` has a default, so one odd field never loses a
//! whole page.

use serde::Deserialize;

/// `Notification`.
#[derive(Debug, Deserialize)]
pub struct Notification {
    /// The notification's id (a numeric string).
    pub id: String,
    /// `mention`, `status`, `follow`, `follow_request`, `favourite`, `reblog`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// RFC 3339 time of the event.
    pub created_at: String,
    /// Who caused it.
    pub account: Account,
    /// The status concerned, for mention, status, favourite, reblog.
    #[serde(default)]
    pub status: Option<Status>,
}

/// `Account`.
#[derive(Debug, Deserialize)]
pub struct Account {
    /// The account's id on this instance.
    pub id: String,
    /// `user` for local accounts, `user@domain` for remote ones.
    pub acct: String,
    /// The chosen display name.
    #[serde(default)]
    pub display_name: String,
    /// Profile text, as HTML.
    #[serde(default)]
    pub note: String,
    /// Profile page; `null` for some suspended or remote accounts.
    #[serde(default)]
    pub url: Option<String>,
    /// Avatar image URL; instances serve `…/avatars/original/missing.png` when none was set.
    #[serde(default)]
    pub avatar: String,
    /// Followers, as the instance knows them.
    #[serde(default)]
    pub followers_count: Option<u64>,
    /// Accounts followed.
    #[serde(default)]
    pub following_count: Option<u64>,
    /// Statuses posted.
    #[serde(default)]
    pub statuses_count: Option<u64>,
    /// RFC 3339 creation time (midnight-rounded by Mastodon).
    #[serde(default)]
    pub created_at: Option<String>,
    /// Whether the account declares itself automated.
    #[serde(default)]
    pub bot: bool,
}

/// `Status`.
#[derive(Debug, Deserialize)]
pub struct Status {
    /// The status's id.
    pub id: String,
    /// The text, as HTML.
    #[serde(default)]
    pub content: String,
    /// The content warning, if any.
    #[serde(default)]
    pub spoiler_text: String,
    /// Public page; `null` for some remote statuses.
    #[serde(default)]
    pub url: Option<String>,
    /// The ActivityPub URI, the fallback link when `url` is missing.
    #[serde(default)]
    pub uri: String,
    /// Its author.
    pub account: Account,
    /// The status it answers.
    #[serde(default)]
    pub in_reply_to_id: Option<String>,
    /// RFC 3339 time it was written.
    pub created_at: String,
    /// `public`, `unlisted`, `private` or `direct`.
    #[serde(default)]
    pub visibility: String,
    /// How many favourited it.
    #[serde(default)]
    pub favourites_count: u64,
    /// How many boosted it.
    #[serde(default)]
    pub reblogs_count: u64,
    /// How many replied to it.
    #[serde(default)]
    pub replies_count: u64,
    /// How many quoted it (Mastodon 4.5 and later).
    #[serde(default)]
    pub quotes_count: Option<u64>,
}

/// `Relationship`.
#[derive(Debug, Deserialize)]
pub struct Relationship {
    /// The other account's id.
    #[serde(default)]
    pub id: String,
    /// The acting account follows them.
    #[serde(default)]
    pub following: bool,
    /// They follow the acting account.
    #[serde(default)]
    pub followed_by: bool,
    /// A follow request to them is pending.
    #[serde(default)]
    pub requested: bool,
}

/// The part of `verify_credentials` the plugin keeps: who the token acts for.
#[derive(Debug, serde::Serialize, Deserialize)]
pub struct CredentialAccount {
    /// The acting account's id.
    pub id: String,
    /// Its `acct`.
    pub acct: String,
}

/// The part of `GET /api/v1/apps/verify_credentials` the plugin reads: the token's scopes
/// (Mastodon 4.3 and later; older servers leave them out).
#[derive(Debug, Deserialize)]
pub struct Application {
    /// The scopes granted to the token, e.g. `["read", "write:statuses"]`.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
}

/// `GET /api/v2/search`: the parts discovery reads.
#[derive(Debug, Deserialize)]
pub struct SearchResults {
    /// Matching accounts.
    #[serde(default)]
    pub accounts: Vec<Account>,
    /// Matching statuses (when the server has full-text search).
    #[serde(default)]
    pub statuses: Vec<Status>,
}

/// `Suggestion` of `GET /api/v2/suggestions`.
#[derive(Debug, Deserialize)]
pub struct Suggestion {
    /// Why, in the older single form (`staff`, `past_interactions`, `global`).
    #[serde(default)]
    pub source: String,
    /// Why, in Mastodon 4.3's list form (`featured`, `most_followed`, `friends_of_friends`, …).
    #[serde(default)]
    pub sources: Vec<String>,
    /// The account suggested.
    pub account: Account,
}

/// `FamiliarFollowers`: who of the accounts the acting account follows follow account `id`.
#[derive(Debug, Deserialize)]
pub struct FamiliarFollowers {
    /// The account asked about.
    pub id: String,
    /// Those of its followers the acting account follows.
    #[serde(default)]
    pub accounts: Vec<Account>,
}

/// The part of a `MediaAttachment` a post attaches by.
#[derive(Debug, Deserialize)]
pub struct MediaAttachment {
    /// Its id, for `media_ids[]`.
    pub id: String,
}
