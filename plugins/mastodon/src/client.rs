//! The plugin itself: the `plugin` interface of the contract, over the Mastodon client API.
//!
//! Every request authenticates with `Authorization: Bearer {{secret:token}}` (the host substitutes
//! the account's `token` secret), names the OAuth scope it needs ([`crate::scopes`]), and goes
//! through [`send`], so statuses map to the contract's errors in one place: 401 → `auth`, 403 for
//! a missing scope → `auth` naming the scope, 429 with `X-RateLimit-Reset` → `rate-limited`,
//! 5xx → `transient`. Every POST carries the daemon's idempotency key as Mastodon's
//! `Idempotency-Key`, so a resend after a crash does not post twice.

use rapport_sdk::account::{self, Context};
use rapport_sdk::http::{self, Request, Response};
use rapport_sdk::types::{
    Access, Account, AccountPage, Action, ActionKind, ActionOutcome, ActionRequest, CandidatePage,
    Description, DiscoverySource, NotificationPage, OwnPostPage, PluginError, PostPage, RateCeiling,
    ReadKind, Relationship, RelationshipOf,
};
use rapport_sdk::{Plugin, kv};
use serde::de::DeserializeOwned;

use crate::cursor::{Cursor, Read};
use crate::scopes::{
    READ_ACCOUNTS, READ_FOLLOWS, READ_NOTIFICATIONS, READ_STATUSES, WRITE_FAVOURITES, WRITE_FOLLOWS,
    WRITE_STATUSES,
};
use crate::{api, convert, media, reads, scopes, text};

/// The account secret that holds the OAuth access token.
const TOKEN_SECRET: &str = "token";
/// Mastodon's maximum page size for notifications and account lists (since 4.1.0; older servers
/// clamp to 40, which the cursor logic tolerates because it compares against what it asked for).
const PAGE_LIMIT: usize = 80;
/// The notification types the daemon acts on; the rest (polls, edits, admin reports) are not
/// fetched at all.
const NOTIFICATION_TYPES: [&str; 6] =
    ["mention", "status", "follow", "follow_request", "favourite", "reblog"];
/// Older notification pages read after the first, unless the account's `backfill_pages` says otherwise.
const DEFAULT_BACKFILL_PAGES: u32 = 3;
/// The kv key caching who the token acts for.
const CREDENTIALS_KEY: &str = "verify_credentials";

/// The Mastodon plugin.
pub struct Mastodon;

impl Plugin for Mastodon {
    fn describe() -> Description {
        describe()
    }

    fn fetch_notifications(cursor: Option<String>) -> Result<NotificationPage, PluginError> {
        let ctx = account::current();
        let previous = Cursor::parse(cursor.as_deref());
        if cursor.is_some() && previous.is_none() {
            rapport_sdk::warn!(
                "unreadable notification cursor {cursor:?}; starting again from the newest page"
            );
        }
        let read = Cursor::read(previous.as_ref());
        let mut request = authed(Request::get(format!("{}/api/v1/notifications", ctx.api_base())))
            .query("limit", PAGE_LIMIT.to_string());
        for kind in NOTIFICATION_TYPES {
            request = request.query("types[]", kind);
        }
        request = match &read {
            Read::Newest => request,
            Read::NewerThan(id) => request.query("min_id", id),
            Read::OlderThan(id) => request.query("max_id", id),
        };
        let response = send(request, READ_NOTIFICATIONS)?;
        let items = convert::parse_notifications(response.body())?;
        let next_older = response.link("next").and_then(|url| http::query_param(url, "max_id"));
        let ids: Vec<&str> = items.iter().map(|n| n.id.as_str()).collect();
        let next = Cursor::advance(
            previous.as_ref(),
            &read,
            &ids,
            ids.len() >= PAGE_LIMIT,
            next_older,
            ctx.setting_u32("backfill_pages", DEFAULT_BACKFILL_PAGES),
        );
        let caught_up = items.is_empty() && next == previous.unwrap_or_default();
        Ok(NotificationPage { next_cursor: (!caught_up).then(|| next.encode()), items })
    }

    fn execute(request: ActionRequest) -> Result<ActionOutcome, PluginError> {
        let base = account::current().api_base().to_owned();
        let key = request.idempotency_key;
        match request.action {
            Action::Reply(reply) => {
                let url = format!("{base}/api/v1/statuses/{}", segment(&reply.to_post_id)?);
                let original: api::Status = get_json(&url, READ_STATUSES)?;
                let visibility =
                    if reply.visibility.is_empty() { original.visibility } else { reply.visibility };
                let status = text::with_mention(&reply.text, &original.account.acct);
                let mut form = vec![("status", status), ("in_reply_to_id", reply.to_post_id)];
                if !visibility.is_empty() {
                    form.push(("visibility", visibility));
                }
                status_outcome(post(&format!("{base}/api/v1/statuses"), &key).form(&form))
            }
            Action::Publish(publish) => {
                let mut form = vec![("status", publish.text)];
                for id in media::upload_all(&base, publish.media)? {
                    form.push(("media_ids[]", id));
                }
                status_outcome(post(&format!("{base}/api/v1/statuses"), &key).form(&form))
            }
            // A direct message is a status only the people it mentions see.
            Action::Message(message) => {
                let url = format!("{base}/api/v1/accounts/{}", segment(&message.account_id)?);
                let to: api::Account = get_json(&url, READ_ACCOUNTS)?;
                let status = text::with_mention(&message.text, &to.acct);
                let form = [("status", status), ("visibility", "direct".to_owned())];
                status_outcome(post(&format!("{base}/api/v1/statuses"), &key).form(&form))
            }
            Action::Follow(id) | Action::FollowBack(id) => no_outcome(
                post(&format!("{base}/api/v1/accounts/{}/follow", segment(&id)?), &key),
                WRITE_FOLLOWS,
            ),
            Action::Unfollow(id) => no_outcome(
                post(&format!("{base}/api/v1/accounts/{}/unfollow", segment(&id)?), &key),
                WRITE_FOLLOWS,
            ),
            Action::Like(id) => no_outcome(
                post(&format!("{base}/api/v1/statuses/{}/favourite", segment(&id)?), &key),
                WRITE_FAVOURITES,
            ),
            Action::Repost(id) => {
                status_outcome(post(&format!("{base}/api/v1/statuses/{}/reblog", segment(&id)?), &key))
            }
            Action::AcceptFollowRequest(id) => no_outcome(
                post(&format!("{base}/api/v1/follow_requests/{}/authorize", segment(&id)?), &key),
                WRITE_FOLLOWS,
            ),
        }
    }

    fn lookup_account(id: String) -> Result<Account, PluginError> {
        let base = account::current().api_base().to_owned();
        let found: api::Account =
            get_json(&format!("{base}/api/v1/accounts/{}", segment(&id)?), READ_ACCOUNTS)?;
        Ok(convert::account(found))
    }

    fn relationship(id: String) -> Result<Relationship, PluginError> {
        let base = account::current().api_base().to_owned();
        let url = format!("{base}/api/v1/accounts/relationships");
        let found: Vec<api::Relationship> =
            fetch_json(authed(Request::get(url)).query("id[]", &id), READ_FOLLOWS)?;
        found
            .first()
            .map(convert::relationship)
            .ok_or_else(|| PluginError::Permanent(format!("Mastodon knows no account with id {id:?}")))
    }

    fn list_followers(cursor: Option<String>) -> Result<AccountPage, PluginError> {
        account_page("followers", cursor)
    }

    fn list_following(cursor: Option<String>) -> Result<AccountPage, PluginError> {
        account_page("following", cursor)
    }

    fn discover(source: DiscoverySource, cursor: Option<String>) -> Result<CandidatePage, PluginError> {
        reads::discover(source, cursor)
    }

    fn recent_posts(id: String, cursor: Option<String>) -> Result<PostPage, PluginError> {
        reads::recent_posts(id, cursor)
    }

    fn own_posts(cursor: Option<String>) -> Result<OwnPostPage, PluginError> {
        reads::own_posts(cursor)
    }

    fn relationships(ids: Vec<String>) -> Result<Vec<RelationshipOf>, PluginError> {
        reads::relationships(ids)
    }

    fn lookup_self() -> Result<Account, PluginError> {
        reads::lookup_self()
    }

    fn check_access() -> Result<Access, PluginError> {
        let ctx = account::current();
        // Any valid token may read its own application; a refused token is `auth` right here.
        let app: api::Application =
            get_json(&format!("{}/api/v1/apps/verify_credentials", ctx.api_base()), "")?;
        let Some(granted) = app.scopes else {
            // Before Mastodon 4.3 the server does not say; the first refused call names the scope.
            return Ok(Access { acting_as: String::new(), granted: Vec::new(), missing: Vec::new() });
        };
        let missing = scopes::missing(&granted);
        let acting_as =
            if scopes::covers(&granted, READ_ACCOUNTS) { own_account(&ctx)?.acct } else { String::new() };
        Ok(Access { acting_as, granted, missing })
    }
}

/// What the plugin is and what Mastodon permits; no I/O.
pub fn describe() -> Description {
    const THREE_HOURS: u32 = 3 * 3600;
    const DAY: u32 = 24 * 3600;
    const FIVE_MINUTES: u32 = 5 * 60;
    let ceiling = |action, limit, window_seconds| RateCeiling { action, limit, window_seconds };
    Description {
        name: "mastodon".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        contract: rapport_sdk::CONTRACT_VERSION.into(),
        platform: "mastodon".into(),
        capabilities: vec![
            ActionKind::Reply,
            ActionKind::Publish,
            ActionKind::Follow,
            ActionKind::FollowBack,
            ActionKind::Unfollow,
            ActionKind::Like,
            ActionKind::Repost,
            ActionKind::AcceptFollowRequest,
            ActionKind::Message,
        ],
        // Mastodon's default per-account action limits: 300 statuses (posts, replies and boosts
        // together) per 3 hours, 400 follows per day. Likes, unfollows and accepted requests have no
        // limit of their own; the 300-requests-per-5-minutes API limit bounds them.
        ceilings: vec![
            ceiling(ActionKind::Reply, 300, THREE_HOURS),
            ceiling(ActionKind::Publish, 300, THREE_HOURS),
            ceiling(ActionKind::Message, 300, THREE_HOURS),
            ceiling(ActionKind::Repost, 300, THREE_HOURS),
            ceiling(ActionKind::Follow, 400, DAY),
            ceiling(ActionKind::FollowBack, 400, DAY),
            ceiling(ActionKind::Unfollow, 300, FIVE_MINUTES),
            ceiling(ActionKind::Like, 300, FIVE_MINUTES),
            ceiling(ActionKind::AcceptFollowRequest, 300, FIVE_MINUTES),
        ],
        // Federated: the instance is whatever the account's `api_base` names, so the account's
        // `allowed_hosts` is what narrows this down.
        hosts: vec!["https://*:*".into(), "http://*:*".into()],
        rules: vec![
            "Each Mastodon server sets its own rules (GET /api/v1/instance/rules); some forbid bots or automated posting without permission — read your server's before enabling automation.".into(),
            "Default API limit: 300 requests per 5 minutes per account and per IP address; servers may change it.".into(),
            "Default action limits: 300 statuses (posts, replies, boosts) per 3 hours and 400 follows per day per account.".into(),
            "Following is capped at 7,500 accounts, beyond that at 1.1 × your follower count.".into(),
            "Accounts that post automatically should set the bot flag in their profile.".into(),
        ],
        reads: vec![
            ReadKind::Notifications,
            ReadKind::DiscoverHashtag,
            ReadKind::DiscoverSearch,
            ReadKind::DiscoverSuggestions,
            ReadKind::DiscoverFollowersOf,
            ReadKind::DiscoverList,
            ReadKind::RecentPosts,
            ReadKind::OwnPosts,
            ReadKind::Relationships,
            ReadKind::LookupSelf,
        ],
        // Mastodon asks no one-at-a-time approval and bills no reads.
        one_at_a_time: Vec::new(),
        read_costs: Vec::new(),
    }
}

/// Adds the bearer token (by secret name: the host substitutes it).
pub(crate) fn authed(request: Request) -> Request {
    request.bearer_secret(TOKEN_SECRET)
}

/// An authenticated POST carrying the task's idempotency key.
fn post(url: &str, idempotency_key: &str) -> Request {
    authed(Request::post(url)).header("Idempotency-Key", idempotency_key)
}

/// Sends `request`, which needs OAuth `scope` (empty: any valid token), and checks the status.
/// A refusal for a missing scope names the scope, so the person knows what to add to the token.
pub(crate) fn send(request: Request, scope: &str) -> Result<Response, PluginError> {
    let response = request.send()?;
    if response.status() == 403 && http::is_insufficient_scope(response.headers(), response.body()) {
        return Err(PluginError::Auth(format!(
            "the token lacks the `{scope}` scope, which {} needs; give the application in Preferences → Development the scopes `{}` and use its new token",
            response.url(),
            scopes::request_list()
        )));
    }
    response.check()
}

/// Sends `request` (which needs `scope`) and parses a successful response's JSON.
fn fetch_json<T: DeserializeOwned>(request: Request, scope: &str) -> Result<T, PluginError> {
    send(request, scope)?.json()
}

/// An authenticated GET of `url` (which needs `scope`), parsed as JSON.
pub(crate) fn get_json<T: DeserializeOwned>(url: &str, scope: &str) -> Result<T, PluginError> {
    fetch_json(authed(Request::get(url)), scope)
}

/// Sends an action that creates a status and reports it.
fn status_outcome(request: Request) -> Result<ActionOutcome, PluginError> {
    let status: api::Status = fetch_json(request, WRITE_STATUSES)?;
    Ok(ActionOutcome { url: Some(status.url.unwrap_or(status.uri)), id: Some(status.id) })
}

/// Sends an action (which needs `scope`) that creates nothing with an id of its own (follow,
/// favourite, …).
fn no_outcome(request: Request, scope: &str) -> Result<ActionOutcome, PluginError> {
    send(request, scope)?;
    Ok(ActionOutcome { id: None, url: None })
}

/// An id as one URL path segment; an empty id would silently address a different endpoint.
pub(crate) fn segment(id: &str) -> Result<String, PluginError> {
    if id.is_empty() {
        return Err(PluginError::Permanent("the action names an empty Mastodon id".into()));
    }
    let mut out = String::with_capacity(id.len());
    http::percent_encode_into(&mut out, id);
    Ok(out)
}

/// Who the token acts for, from `verify_credentials`, cached in kv per API base so that a changed
/// configuration never reuses another instance's id.
pub(crate) fn own_account(ctx: &Context) -> Result<api::CredentialAccount, PluginError> {
    let key = format!("{CREDENTIALS_KEY}:{}", ctx.api_base());
    if let Some(cached) = kv::get_json::<api::CredentialAccount>(&key) {
        return Ok(cached);
    }
    let own: api::CredentialAccount =
        get_json(&format!("{}/api/v1/accounts/verify_credentials", ctx.api_base()), READ_ACCOUNTS)?;
    kv::set_json(&key, &own)?;
    Ok(own)
}

/// One page of the acting account's followers or following; the cursor is the `max_id` of the
/// `Link` header's `rel="next"`.
fn account_page(list: &str, cursor: Option<String>) -> Result<AccountPage, PluginError> {
    let ctx = account::current();
    let own = own_account(&ctx)?;
    let url = format!("{}/api/v1/accounts/{}/{list}", ctx.api_base(), segment(&own.id)?);
    let mut request = authed(Request::get(url)).query("limit", PAGE_LIMIT.to_string());
    if let Some(max_id) = &cursor {
        request = request.query("max_id", max_id);
    }
    let response = send(request, READ_ACCOUNTS)?;
    let accounts: Vec<api::Account> = response.json()?;
    let next_cursor = response.link("next").and_then(|url| http::query_param(url, "max_id"));
    Ok(AccountPage { items: accounts.into_iter().map(convert::account).collect(), next_cursor })
}
