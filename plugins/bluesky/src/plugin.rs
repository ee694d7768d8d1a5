//! The plugin itself: the `plugin` interface of the contract, over XRPC.
//!
//! Reads go to the account's PDS, which proxies `app.bsky.*` to the AppView. Every write is a
//! record in the account's repo (`com.atproto.repo.createRecord`), keyed by a record key tied to
//! the daemon's idempotency key ([`crate::rkey`]), so a resend finds the record the first attempt
//! made instead of writing a second one. Follows, likes and reposts also check the viewer state
//! first, because the AppView already knows whether they exist. A completed action's outcome is
//! kept under its idempotency key too, so a resend after a success answers without a request.
//! The 0.2 reads are in [`crate::reads`], a post's images in [`crate::media`].

use std::collections::HashMap;

use rapport_sdk::account;
use rapport_sdk::types::{
    Access, Account, AccountPage, Action, ActionKind, ActionOutcome, ActionRequest, CandidatePage,
    Description, DiscoverySource, Media, NotificationPage, OwnPostPage, PluginError, PostPage, RateCeiling,
    ReadKind, Relationship, RelationshipOf,
};
use rapport_sdk::{Plugin, clock, kv};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::api::{self, StrongRef};
use crate::client::Xrpc;
use crate::cursor::{Cursor, Listed};
use crate::{convert, facets, media, reads, rkey};

/// Notifications per page; with profile and post batches of 25 a page stays within the host's
/// per-call request budget.
const PAGE_LIMIT: &str = "50";
/// The most actors or posts one `getProfiles` / `getPosts` call accepts.
const BATCH: usize = 25;
/// Accounts per followers/following page (the lexicon's maximum).
const ACCOUNT_PAGE_LIMIT: &str = "100";
/// The notification reasons the daemon acts on.
const REASONS: [&str; 6] = ["follow", "mention", "reply", "quote", "like", "repost"];
/// Older pages the first poll reads, unless the account's `backfill_pages` says otherwise.
const DEFAULT_BACKFILL_PAGES: u32 = 2;
/// Mentions resolved per post; each is a request, and the host caps requests per call.
const MAX_MENTIONS: usize = 8;
/// The collection of posts.
const POST: &str = "app.bsky.feed.post";

/// The Bluesky plugin.
pub struct Bluesky;

impl Plugin for Bluesky {
    fn describe() -> Description {
        describe()
    }

    fn fetch_notifications(cursor: Option<String>) -> Result<NotificationPage, PluginError> {
        let ctx = account::current();
        let mut x = Xrpc::connect(&ctx)?;
        let previous = Cursor::parse(cursor.as_deref());
        if cursor.is_some() && previous.is_none() {
            rapport_sdk::warn!("unreadable notification cursor {cursor:?}; reading the newest page again");
        }
        let mut params: Vec<(&str, &str)> = vec![("limit", PAGE_LIMIT)];
        params.extend(REASONS.iter().map(|r| ("reasons", *r)));
        if let Some(older) = Cursor::page(previous.as_ref()) {
            params.push(("cursor", older));
        }
        let page: api::Notifications = x.query("app.bsky.notification.listNotifications", &params)?;
        let listed: Vec<Listed<'_>> =
            page.notifications.iter().map(|n| Listed { uri: &n.uri, at: &n.indexed_at }).collect();
        let backfill = ctx.setting_u32("backfill_pages", DEFAULT_BACKFILL_PAGES);
        let step = Cursor::step(previous.as_ref(), &listed, page.cursor.as_deref(), backfill);
        let delivered: Vec<&api::Notification> =
            step.deliver.iter().filter_map(|&i| page.notifications.get(i)).collect();

        let mut profiles = HashMap::new();
        for chunk in convert::author_dids(&delivered).chunks(BATCH) {
            let params: Vec<(&str, &str)> = chunk.iter().map(|did| ("actors", did.as_str())).collect();
            let found: api::Profiles = x.query("app.bsky.actor.getProfiles", &params)?;
            profiles.extend(found.profiles.into_iter().map(|p| (p.did.clone(), p)));
        }
        let mut subjects = HashMap::new();
        for chunk in convert::subject_uris(&delivered).chunks(BATCH) {
            let found = get_posts(&mut x, chunk)?;
            subjects.extend(found.into_iter().map(|p| (p.uri.clone(), p)));
        }
        let items: Vec<_> =
            delivered.iter().map(|n| convert::notification(n, &profiles, &subjects)).collect();

        if !items.is_empty()
            && let Some(newest) = step.next.newest()
            && let Err(err) = x.procedure("app.bsky.notification.updateSeen", &json!({"seenAt": newest}))
        {
            // Only the unread badge in the person's app depends on it; the page stands.
            rapport_sdk::warn!("could not mark notifications seen: {err:?}");
        }
        Ok(NotificationPage { items, next_cursor: (!step.caught_up).then(|| step.next.encode()) })
    }

    fn execute(request: ActionRequest) -> Result<ActionOutcome, PluginError> {
        // A resend of an action that completed answers from memory, without a request; the
        // record-key check in `create` covers a crash between the write and this note.
        let done_key = format!("done:{}", request.idempotency_key);
        if let Some(done) = kv::get_json::<Done>(&done_key) {
            return Ok(ActionOutcome { id: done.id, url: done.url });
        }
        let outcome = perform(request)?;
        let done = Done { id: outcome.id.clone(), url: outcome.url.clone() };
        if let Err(err) = kv::set_json(&done_key, &done) {
            rapport_sdk::warn!("could not remember the outcome of the action: {err:?}");
        }
        Ok(outcome)
    }

    fn lookup_account(id: String) -> Result<Account, PluginError> {
        let mut x = Xrpc::connect(&account::current())?;
        Ok(convert::account(&get_profile(&mut x, &id)?))
    }

    fn relationship(id: String) -> Result<Relationship, PluginError> {
        let mut x = Xrpc::connect(&account::current())?;
        let viewer = get_profile(&mut x, &id)?.viewer.unwrap_or_default();
        Ok(Relationship {
            following: viewer.following.is_some(),
            followed_by: viewer.followed_by.is_some(),
            requested: false,
        })
    }

    fn list_followers(cursor: Option<String>) -> Result<AccountPage, PluginError> {
        account_page("app.bsky.graph.getFollowers", cursor)
    }

    fn list_following(cursor: Option<String>) -> Result<AccountPage, PluginError> {
        account_page("app.bsky.graph.getFollows", cursor)
    }

    /// Logs in (or reuses the session): a refused app password is `auth` here. App passwords carry
    /// no scopes the PDS reports, so nothing is listed as granted or missing.
    fn check_access() -> Result<Access, PluginError> {
        let x = Xrpc::connect(&account::current())?;
        Ok(Access { acting_as: x.did().to_owned(), granted: Vec::new(), missing: Vec::new() })
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
}

/// Why a direct message is refused. Bluesky's DMs are not records in the repo but calls to its
/// chat service (`chat.bsky.convo.getConvoForMembers`, `sendMessage`), reached through the PDS
/// with an `atproto-proxy: did:web:api.bsky.chat#bsky_chat` header, and only with an app password
/// created with direct-message access; the reference network the plugin is tested against runs
/// no chat service, so the plugin does not send what it cannot test.
const MESSAGE_REFUSAL: &str = "Bluesky direct messages go through its separate chat service (chat.bsky.convo), \
     which needs an app password with direct-message access and which this plugin does not reach; \
     message the person in the Bluesky app";

/// What a completed action produced, kept in kv under its idempotency key.
#[derive(Serialize, Deserialize)]
struct Done {
    id: Option<String>,
    url: Option<String>,
}

/// Performs the approved action. What Bluesky cannot do, and images it would refuse, are refused
/// before any request; the session is opened only for what goes on.
fn perform(request: ActionRequest) -> Result<ActionOutcome, PluginError> {
    let connect = || Xrpc::connect(&account::current());
    let key = request.idempotency_key;
    match request.action {
        Action::Reply(reply) => {
            let mut x = connect()?;
            let parent = get_post(&mut x, &reply.to_post_id)?;
            let root = serde_json::from_value::<api::PostRecord>(parent.record.clone())
                .ok()
                .and_then(|r| r.reply)
                .map(|r| r.root);
            let parent_ref = StrongRef { uri: parent.uri, cid: parent.cid };
            let reply_ref =
                api::ReplyRef { root: root.unwrap_or_else(|| parent_ref.clone()), parent: parent_ref };
            let created = create(&mut x, &key, POST, |x| post_record(x, &reply.text, Some(&reply_ref), &[]))?;
            post_outcome(created)
        }
        Action::Publish(publish) => {
            media::LIMITS.check(&publish.media)?;
            let mut x = connect()?;
            let created =
                create(&mut x, &key, POST, |x| post_record(x, &publish.text, None, &publish.media))?;
            post_outcome(created)
        }
        Action::Message(_) => Err(PluginError::Denied(MESSAGE_REFUSAL.into())),
        Action::Follow(id) | Action::FollowBack(id) => {
            let mut x = connect()?;
            let profile = get_profile(&mut x, &id)?;
            if let Some(existing) = profile.viewer.and_then(|v| v.following) {
                return Ok(ActionOutcome { id: Some(existing), url: None });
            }
            let record =
                json!({"$type": "app.bsky.graph.follow", "subject": profile.did, "createdAt": now()});
            record_outcome(create(&mut x, &key, "app.bsky.graph.follow", |_| Ok(record))?)
        }
        Action::Unfollow(id) => {
            let mut x = connect()?;
            let profile = get_profile(&mut x, &id)?;
            let Some(follow) = profile.viewer.and_then(|v| v.following) else {
                return Ok(ActionOutcome { id: None, url: None });
            };
            let rkey = rkey::of_uri(&follow).ok_or_else(|| {
                PluginError::Permanent(format!(
                    "the AppView named a follow record {follow:?} that is not an AT URI"
                ))
            })?;
            let repo = x.did().to_owned();
            x.procedure(
                "com.atproto.repo.deleteRecord",
                &json!({"repo": repo, "collection": "app.bsky.graph.follow", "rkey": rkey}),
            )?;
            Ok(ActionOutcome { id: Some(follow), url: None })
        }
        Action::Like(uri) => subject_action(&mut connect()?, &key, &uri, "app.bsky.feed.like", |v| v.like),
        Action::Repost(uri) => {
            subject_action(&mut connect()?, &key, &uri, "app.bsky.feed.repost", |v| v.repost)
        }
        Action::AcceptFollowRequest(_) => Err(PluginError::Denied(
            "Bluesky has no follow requests: every account can be followed without approval".into(),
        )),
    }
}

/// What the plugin is and what Bluesky permits; no I/O.
pub fn describe() -> Description {
    const HOUR: u32 = 3600;
    const DAY: u32 = 24 * HOUR;
    // The write budget is shared by every write of the account: 5,000 points an hour and 35,000 a
    // day, a create costing 3 points and a delete 1. The contract's ceilings are per action, so
    // each capability gets an equal share of the points, divided by what one action costs: then
    // no mix of actions at their ceilings can spend more than the budget (6 × 238 × 3 + 714 =
    // 4,998 points an hour; 6 × 1,666 × 3 + 5,000 = 34,988 a day).
    const POINTS_PER_HOUR: u32 = 5_000;
    const POINTS_PER_DAY: u32 = 35_000;
    let capabilities = vec![
        ActionKind::Reply,
        ActionKind::Publish,
        ActionKind::Follow,
        ActionKind::FollowBack,
        ActionKind::Unfollow,
        ActionKind::Like,
        ActionKind::Repost,
    ];
    let shares = capabilities.len() as u32;
    let ceilings = capabilities
        .iter()
        .flat_map(|&action| {
            // Unfollow deletes the follow record; everything else creates a record.
            let cost = if action == ActionKind::Unfollow { 1 } else { 3 };
            [
                RateCeiling { action, limit: POINTS_PER_HOUR / shares / cost, window_seconds: HOUR },
                RateCeiling { action, limit: POINTS_PER_DAY / shares / cost, window_seconds: DAY },
            ]
        })
        .collect();
    Description {
        name: "bluesky".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        contract: rapport_sdk::CONTRACT_VERSION.into(),
        platform: "bluesky".into(),
        ceilings,
        capabilities,
        // Any PDS on any port: bsky.social accounts live on `*.host.bsky.network` behind the
        // `bsky.social` entryway, self-hosted PDSes are common, and the reference devnet is plain
        // HTTP on loopback; the account's `allowed_hosts` is what narrows it.
        hosts: vec!["https://*:*".into(), "http://*:*".into()],
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
        // Bluesky asks no one-at-a-time approval and bills no reads.
        one_at_a_time: Vec::new(),
        read_costs: Vec::new(),
        rules: vec![
            "Bots may interact (reply, like, repost, follow) only with people who engaged them first — tagged, replied to or followed the account: it must be an opt-in interaction, or the account may be taken for spam.".into(),
            "Automated or bulk interactions that notify people (follows, likes, replies) and any scheme to generate followers are spam under the Developer Guidelines.".into(),
            "Write budget per account, shared by all writes: 5,000 points an hour and 35,000 a day; a create costs 3, an update 2, a delete 1. rapport splits it evenly across its seven actions, so at most 238 posts, replies, likes, reposts or follows of each kind an hour (1,666 a day) and 714 unfollows (5,000 a day), which no mix can push past the budget.".into(),
            "Logins (createSession) are limited to 30 per 5 minutes and 300 a day per account; the plugin logs in once and then refreshes its session.".into(),
            "Automated accounts should carry the self-label `bot` in their profile.".into(),
        ],
    }
}

/// The current time as the RFC 3339 `createdAt` records carry.
fn now() -> String {
    convert::rfc3339(clock::now_millis())
}

/// The profile of `actor` (a DID or a handle), with the acting account's viewer state.
fn get_profile(x: &mut Xrpc, actor: &str) -> Result<api::Profile, PluginError> {
    if actor.is_empty() {
        return Err(PluginError::Permanent("the action names an empty Bluesky account".into()));
    }
    x.query("app.bsky.actor.getProfile", &[("actor", actor)])
}

/// The posts at `uris` (at most 25); deleted ones are missing from the answer.
fn get_posts(x: &mut Xrpc, uris: &[String]) -> Result<Vec<api::PostView>, PluginError> {
    let params: Vec<(&str, &str)> = uris.iter().map(|uri| ("uris", uri.as_str())).collect();
    Ok(x.query::<api::Posts>("app.bsky.feed.getPosts", &params)?.posts)
}

/// The post at `uri`, or `permanent` if it is gone.
fn get_post(x: &mut Xrpc, uri: &str) -> Result<api::PostView, PluginError> {
    if !uri.starts_with("at://") {
        return Err(PluginError::Permanent(format!("{uri:?} is not a Bluesky post id (an at:// URI)")));
    }
    get_posts(x, &[uri.to_owned()])?
        .into_iter()
        .find(|p| p.uri == uri)
        .ok_or_else(|| PluginError::Permanent(format!("the Bluesky post {uri} no longer exists")))
}

/// An `app.bsky.feed.post` record for `text`, with mention and link facets, the reply refs and
/// the `images`, uploaded.
fn post_record(
    x: &mut Xrpc,
    text: &str,
    reply: Option<&api::ReplyRef>,
    images: &[Media],
) -> Result<Value, PluginError> {
    let spans = facets::detect(text);
    let mut resolved = 0;
    let facets = facets::to_records(&spans, |handle| {
        resolved += 1;
        if resolved > MAX_MENTIONS {
            return None;
        }
        match x.query::<api::ResolvedHandle>("com.atproto.identity.resolveHandle", &[("handle", handle)]) {
            Ok(found) => Some(found.did),
            Err(err) => {
                rapport_sdk::warn!("@{handle} stays plain text: it did not resolve ({err:?})");
                None
            }
        }
    });
    let mut record = json!({"$type": POST, "text": text, "createdAt": now()});
    if !facets.is_empty() {
        record["facets"] = Value::Array(facets);
    }
    if let Some(reply) = reply {
        record["reply"] = serde_json::to_value(reply)
            .map_err(|err| PluginError::Permanent(format!("cannot encode the reply reference: {err}")))?;
    }
    if !images.is_empty() {
        record["embed"] = media::embed(x, images)?;
    }
    Ok(record)
}

/// Creates the record `build` makes in `collection` under the record key of the action
/// `idempotency_key`, or returns the record a previous attempt of the same action created. The
/// record is built only when it is to be written, so a resend uploads no image and resolves no
/// mention again.
fn create(
    x: &mut Xrpc,
    idempotency_key: &str,
    collection: &str,
    build: impl FnOnce(&mut Xrpc) -> Result<Value, PluginError>,
) -> Result<api::RecordRef, PluginError> {
    let kv_key = rkey::kv_key(idempotency_key);
    let repo = x.did().to_owned();
    let stored = kv::get_json::<String>(&kv_key).filter(|r| rkey::is_tid(r));
    let rkey = match stored {
        Some(rkey) => {
            let params = [("repo", repo.as_str()), ("collection", collection), ("rkey", rkey.as_str())];
            if let Some(existing) = x.query_optional::<api::RecordRef>(
                "com.atproto.repo.getRecord",
                &params,
                &["RecordNotFound"],
            )? {
                rapport_sdk::info!(
                    "{} already exists from an earlier attempt; not writing it again",
                    existing.uri
                );
                return Ok(existing);
            }
            rkey
        }
        None => {
            let micros = u64::try_from(clock::now_millis()).unwrap_or(0).saturating_mul(1000);
            let rkey = rkey::tid(micros, rkey::clock_id(idempotency_key));
            kv::set_json(&kv_key, &rkey)?;
            rkey
        }
    };
    let record = build(x)?;
    x.procedure(
        "com.atproto.repo.createRecord",
        &json!({"repo": repo, "collection": collection, "rkey": rkey, "record": record}),
    )?
    .json()
}

/// Likes or reposts the post at `uri`, unless the viewer state shows it already done.
fn subject_action(
    x: &mut Xrpc,
    key: &str,
    uri: &str,
    collection: &str,
    existing: impl Fn(api::PostViewer) -> Option<String>,
) -> Result<ActionOutcome, PluginError> {
    let post = get_post(x, uri)?;
    if let Some(done) = post.viewer.and_then(existing) {
        return Ok(ActionOutcome { id: Some(done), url: None });
    }
    let record = json!({"$type": collection, "subject": StrongRef { uri: post.uri, cid: post.cid }, "createdAt": now()});
    record_outcome(create(x, key, collection, |_| Ok(record))?)
}

/// The outcome of a created post: its URI and web link.
fn post_outcome(created: api::RecordRef) -> Result<ActionOutcome, PluginError> {
    Ok(ActionOutcome { url: Some(convert::post_url(&created.uri)), id: Some(created.uri) })
}

/// The outcome of a created follow, like or repost record: its URI.
fn record_outcome(created: api::RecordRef) -> Result<ActionOutcome, PluginError> {
    Ok(ActionOutcome { id: Some(created.uri), url: None })
}

/// One page of the acting account's followers or follows.
fn account_page(nsid: &str, cursor: Option<String>) -> Result<AccountPage, PluginError> {
    let mut x = Xrpc::connect(&account::current())?;
    let did = x.did().to_owned();
    let mut params = vec![("actor", did.as_str()), ("limit", ACCOUNT_PAGE_LIMIT)];
    if let Some(cursor) = cursor.as_deref() {
        params.push(("cursor", cursor));
    }
    let page: api::Follows = x.query(nsid, &params)?;
    let profiles = if page.followers.is_empty() { page.follows } else { page.followers };
    Ok(AccountPage { items: profiles.iter().map(convert::account).collect(), next_cursor: page.cursor })
}
