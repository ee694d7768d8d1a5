//! OAuth scopes checked the way a Mastodon server's Doorkeeper setup checks them, so that a plugin
//! calling an endpoint its token's scopes do not cover is refused here exactly as in production.
//!
//! Mastodon has no scope hierarchy in code: each controller's `doorkeeper_authorize!` lists every
//! scope that lets a token in (the top-level `read`/`write` beside the granular one, and the
//! legacy `follow` only where it is listed), and a token holding any one of them passes. The
//! lists below are copied from those lines (Mastodon 4.3), so the quirks come along too: `follow`
//! alone does not pass `GET /api/v1/accounts/relationships`, whose controller lists only
//! `read` and `read:follows`.

use serde_json::{Value, json};

/// The scopes a seed's token is granted unless it says otherwise: the four top-level ones, which
/// between them pass every endpoint the sandbox serves.
pub const DEFAULT_SCOPES: &str = "read write follow push";

/// Every scope a Mastodon 4.3 server accepts (its `config/initializers/doorkeeper.rb`); a seed
/// naming any other has a typo that would otherwise show up as puzzling 403s.
pub const KNOWN_SCOPES: &[&str] = &[
    "read",
    "write",
    "follow",
    "push",
    "profile",
    "read:accounts",
    "read:blocks",
    "read:bookmarks",
    "read:favourites",
    "read:filters",
    "read:follows",
    "read:lists",
    "read:mutes",
    "read:notifications",
    "read:search",
    "read:statuses",
    "write:accounts",
    "write:blocks",
    "write:bookmarks",
    "write:conversations",
    "write:favourites",
    "write:filters",
    "write:follows",
    "write:lists",
    "write:media",
    "write:mutes",
    "write:notifications",
    "write:reports",
    "write:statuses",
    "admin:read",
    "admin:read:accounts",
    "admin:read:reports",
    "admin:read:domain_allows",
    "admin:read:domain_blocks",
    "admin:read:ip_blocks",
    "admin:read:email_domain_blocks",
    "admin:read:canonical_email_blocks",
    "admin:write",
    "admin:write:accounts",
    "admin:write:reports",
    "admin:write:domain_allows",
    "admin:write:domain_blocks",
    "admin:write:ip_blocks",
    "admin:write:email_domain_blocks",
    "admin:write:canonical_email_blocks",
];

/// Mastodon's body for a valid token that lacks the endpoint's scopes (Doorkeeper's 403).
pub const OUTSIDE_SCOPES: &str = "This action is outside the authorized scopes";

/// The name the sandbox's OAuth application reports, as rapport registers itself.
const APP_NAME: &str = "rapport";
/// The out-of-band redirect URI a command-line client registers with.
const OOB_REDIRECT: &str = "urn:ietf:wg:oauth:2.0:oob";
/// A fixed stand-in for the server's Web Push key (87 characters, as a P-256 key in base64url),
/// which 4.3 still sends though deprecated.
const VAPID_KEY: &str =
    "BSandboxVapidKeyXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";

const READ_NOTIFICATIONS: &[&str] = &["read", "read:notifications"];
const READ_STATUSES: &[&str] = &["read", "read:statuses"];
const READ_ACCOUNTS: &[&str] = &["read", "read:accounts"];
const READ_FOLLOWS: &[&str] = &["read", "read:follows"];
/// `Accounts::CredentialsController#show`; `profile` (4.3+) is meant for exactly this call.
const OWN_PROFILE: &[&str] = &["profile", "read", "read:accounts"];
const WRITE_STATUSES: &[&str] = &["write", "write:statuses"];
const WRITE_FAVOURITES: &[&str] = &["write", "write:favourites"];
const WRITE_FOLLOWS: &[&str] = &["follow", "write", "write:follows"];
/// `Api::V2::SearchController` (`authorize_if_got_token!`, and the sandbox always has a token).
const READ_SEARCH: &[&str] = &["read", "read:search"];
const READ_LISTS: &[&str] = &["read", "read:lists"];
/// `Api::V2::SuggestionsController` lists the top-level `read` alone.
const READ: &[&str] = &["read"];
const WRITE_MEDIA: &[&str] = &["write", "write:media"];

/// What an endpoint asks of a valid token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Required {
    /// Any valid token, whatever its scopes.
    Token,
    /// A token granted at least one of these scopes.
    AnyOf(&'static [&'static str]),
}

/// The scopes `method path` needs, as Mastodon's controller for it lists them. Paths the sandbox
/// does not serve need only a token, so they reach the world's 404.
pub fn required(method: &str, path: &str) -> Required {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let any = Required::AnyOf;
    match (method, segments.as_slice()) {
        ("GET", ["api", "v1", "apps", "verify_credentials"]) => Required::Token,
        ("GET", ["api", "v1", "notifications"]) => any(READ_NOTIFICATIONS),
        ("GET", ["api", "v1", "accounts", "verify_credentials"]) => any(OWN_PROFILE),
        ("GET", ["api", "v1", "accounts", "relationships" | "familiar_followers"]) => any(READ_FOLLOWS),
        ("GET", ["api", "v1", "accounts", _] | ["api", "v1", "accounts", _, "followers" | "following"]) => {
            any(READ_ACCOUNTS)
        }
        // The tag timeline asks for these only where timeline previews are off (`require_auth?`);
        // the sandbox plays such a server, as most that a token is used against are.
        (
            "GET",
            ["api", "v1", "statuses", _]
            | ["api", "v1", "accounts", _, "statuses"]
            | ["api", "v1", "timelines", "tag", _],
        ) => any(READ_STATUSES),
        (
            "GET",
            ["api", "v1", "lists"]
            | ["api", "v1", "lists", _]
            | ["api", "v1", "lists", _, "accounts"]
            | ["api", "v1", "timelines", "list", _],
        ) => any(READ_LISTS),
        ("GET", ["api", "v2", "search"]) => any(READ_SEARCH),
        ("GET", ["api", "v2", "suggestions"]) => any(READ),
        ("POST", ["api", "v2", "media"]) => any(WRITE_MEDIA),
        ("POST", ["api", "v1", "statuses"] | ["api", "v1", "statuses", _, "reblog"]) => any(WRITE_STATUSES),
        ("POST", ["api", "v1", "statuses", _, "favourite"]) => any(WRITE_FAVOURITES),
        (
            "POST",
            ["api", "v1", "accounts", _, "follow" | "unfollow"]
            | ["api", "v1", "follow_requests", _, "authorize"],
        ) => any(WRITE_FOLLOWS),
        _ => Required::Token,
    }
}

impl Required {
    /// Whether a token granted `granted` passes.
    pub fn allows(self, granted: &[String]) -> bool {
        match self {
            Required::Token => true,
            Required::AnyOf(accepted) => accepted.iter().any(|a| granted.iter().any(|g| g == a)),
        }
    }
}

/// The first of `scopes` Mastodon would not know, if any.
pub fn unknown(scopes: &[String]) -> Option<&str> {
    scopes.iter().map(String::as_str).find(|s| !KNOWN_SCOPES.contains(s))
}

/// `GET /api/v1/apps/verify_credentials` for the application behind token number `index`
/// (counting from 0), in 4.3's `REST::ApplicationSerializer` shape.
pub fn application(index: usize, scopes: &[String]) -> Value {
    json!({
        "id": (index + 1).to_string(),
        "name": APP_NAME,
        "website": null,
        "scopes": scopes,
        "redirect_uris": [OOB_REDIRECT],
        "vapid_key": VAPID_KEY,
        "redirect_uri": OOB_REDIRECT,
    })
}
