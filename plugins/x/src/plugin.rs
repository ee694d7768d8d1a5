//! The plugin's operations — read mentions and followers, reply, publish (with images), send a
//! direct message, look accounts up — generic over [`Env`] so that native tests drive them through
//! scripted X exchanges.
//!
//! X's rules shape [`execute`]: a reply goes only to a post that summons the account (mentions
//! it or quotes it), at most once per post; a direct message goes to one person, as that person's
//! one approved task; follow, follow-back, unfollow, like and repost are refused with the rule
//! that forbids them. X has no idempotency key, so each sent action is
//! recorded under the daemon's key right after X confirms it, and a retry with the same key
//! returns that record instead of posting twice.

use rapport_sdk::account::Context;
use rapport_sdk::http::Request;
use rapport_sdk::types::{
    Access, Account, AccountPage, Action, ActionKind, ActionOutcome, ActionRequest, Message,
    MissingPermission, NotificationPage, PluginError, Relationship, Reply,
};
use serde::{Deserialize, Serialize};

use crate::api::{
    self, Created, DmSent, ListResponse, ObjectResponse, TWEET_FIELDS, Tweet, USER_FIELDS, User,
};
use crate::auth::{self, Client};
use crate::cursor::Cursor;
use crate::{followers, media, reads};
use rapport_sdk::env::Env;
use rapport_sdk::sent::{self, Sent};

/// The API base when the account's configuration names none.
pub const DEFAULT_API_BASE: &str = "https://api.x.com";
/// The kv key of the cached own account.
const ME_KEY: &str = "me";
/// The kv key of the ids of recent mentions, which a reply may answer without a lookup.
const MENTIONS_KEY: &str = "mention-ids";
/// How many recent mention ids are kept.
const MENTIONS_CAP: usize = 1000;

/// The account's own id and handle on X.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    /// The numeric user id.
    pub id: String,
    /// The handle, without `@`.
    pub username: String,
}

/// The OAuth client for the account in `context`: settings `client_id` (required) and
/// `client_auth` (`basic` for a confidential client).
pub fn client(context: &Context) -> Result<Client, PluginError> {
    let client_id = context.setting("client_id").filter(|id| !id.trim().is_empty()).ok_or_else(|| {
        PluginError::Auth(format!(
            "account {:?} has no `client_id` setting; set it to the OAuth 2 client id of the X app",
            context.name
        ))
    })?;
    let confidential = match context.setting("client_auth") {
        None | Some("public") => false,
        Some("basic") => true,
        Some(other) => {
            return Err(PluginError::Permanent(format!(
                "account {:?} has `client_auth = {other:?}`; use \"public\" or \"basic\"",
                context.name
            )));
        }
    };
    let api_base = if context.api_base().is_empty() { DEFAULT_API_BASE } else { context.api_base() };
    Ok(Client { api_base: api_base.to_owned(), client_id: client_id.trim().to_owned(), confidential })
}

/// The account's own id and handle, from the store or, once, from `GET /2/users/me`.
pub fn me<E: Env>(env: &mut E, client: &Client) -> Result<Me, PluginError> {
    if let Some(me) = env.kv_get_json::<Me>(ME_KEY) {
        return Ok(me);
    }
    let url = format!("{}/2/users/me", client.api_base);
    let found: ObjectResponse<User> = auth::send(env, client, || Request::get(&url))?.json()?;
    let user = found
        .data
        .ok_or_else(|| PluginError::Auth("X did not say whose token this is (GET /2/users/me)".into()))?;
    let me = Me { id: user.id, username: user.username };
    env.kv_set_json(ME_KEY, &me)?;
    Ok(me)
}

/// The reads every X v2 lookup needs `tweet.read` and `users.read` for (X's authentication
/// mapping lists both for tweet, timeline, search and user endpoints).
const LOOKUPS: &[&str] = &[
    "fetch-notifications",
    "lookup-account",
    "relationship",
    "discover",
    "recent-posts",
    "own-posts",
    "relationships",
    "lookup-self",
];

/// The OAuth 2 scopes the plugin's calls need, with the actions and reads that fail without them.
///
/// `media.write` stops no action: only a post with images needs it, and a text post must not be
/// held for it; an upload without it fails with X's refusal, named.
pub const SCOPES: [(&str, &[ActionKind], &[&str]); 9] = [
    ("tweet.read", &[ActionKind::Message], LOOKUPS),
    ("users.read", &[ActionKind::Message], LOOKUPS),
    ("tweet.write", &[ActionKind::Reply, ActionKind::Publish], &[]),
    ("follows.read", &[], &["list-followers", "list-following", "discover"]),
    ("list.read", &[], &["discover"]),
    ("media.write", &[], &[]),
    // X asks for `dm.read` alongside `dm.write` to send a direct message.
    ("dm.read", &[ActionKind::Message], &[]),
    ("dm.write", &[ActionKind::Message], &[]),
    (
        "offline.access",
        &[ActionKind::Reply, ActionKind::Publish, ActionKind::Message],
        &["fetch-notifications"],
    ),
];

/// Who the token acts for, read fresh (`GET /2/users/me`, refreshing the token if it must), and
/// the scopes X granted at the last token refresh, checked against [`SCOPES`].
pub fn check_access<E: Env>(env: &mut E, client: &Client) -> Result<Access, PluginError> {
    let url = format!("{}/2/users/me", client.api_base);
    let found: ObjectResponse<User> = auth::send(env, client, || Request::get(&url))?.json()?;
    let acting_as = found.data.map(|u| u.username).unwrap_or_default();
    let granted = auth::granted_scopes(&*env);
    let missing = if granted.is_empty() {
        Vec::new()
    } else {
        SCOPES
            .iter()
            .filter(|(scope, _, _)| !granted.iter().any(|g| g == scope))
            .map(|(scope, actions, reads)| MissingPermission {
                permission: (*scope).to_owned(),
                actions: actions.to_vec(),
                reads: reads.iter().map(|r| (*r).to_owned()).collect(),
            })
            .collect()
    };
    Ok(Access { acting_as, granted, missing })
}

/// The next page of mentions (and, once the timeline is caught up, new followers) after `cursor`.
pub fn fetch_notifications<E: Env>(
    env: &mut E,
    client: &Client,
    cursor: Option<&str>,
) -> Result<NotificationPage, PluginError> {
    let position = Cursor::parse(cursor).map_err(PluginError::Permanent)?;
    let me = me(env, client)?;
    let url = format!("{}/2/users/{}/mentions", client.api_base, me.id);
    let build = || {
        let mut request = Request::get(&url)
            .query("max_results", "100")
            .query("expansions", "author_id")
            .query("user.fields", USER_FIELDS)
            .query("tweet.fields", TWEET_FIELDS);
        if let Some(since) = &position.since {
            request = request.query("since_id", since);
        }
        if let Some(token) = &position.token {
            request = request.query("pagination_token", token);
        }
        request
    };
    let page: ListResponse<Tweet> = auth::send(env, client, build)?.json()?;
    let now = env.now();
    let mut items: Vec<_> =
        page.data.iter().filter_map(|t| api::mention(t, &page.includes, &me.id, now)).collect();
    remember_mentions(env, page.data.iter().map(|t| t.id.clone()))?;
    let next_cursor = position.advance(&page.meta);
    let caught_up = position.is_first() || page.meta.next_token.is_none();
    if caught_up {
        items.extend(followers::check(env, client, &me.id)?);
    }
    Ok(NotificationPage { items, next_cursor })
}

/// Adds `ids` to the recent-mentions list, newest first, capped.
fn remember_mentions<E: Env>(env: &mut E, ids: impl Iterator<Item = String>) -> Result<(), PluginError> {
    let mut fresh: Vec<String> = ids.collect();
    if fresh.is_empty() {
        return Ok(());
    }
    let known: Vec<String> = env.kv_get_json(MENTIONS_KEY).unwrap_or_default();
    fresh.extend(known.into_iter().filter(|id| !fresh.contains(id)).collect::<Vec<_>>());
    fresh.truncate(MENTIONS_CAP);
    env.kv_set_json(MENTIONS_KEY, &fresh)
}

/// Performs an approved action, within X's rules.
pub fn execute<E: Env>(
    env: &mut E,
    client: &Client,
    request: ActionRequest,
) -> Result<ActionOutcome, PluginError> {
    if let Some(outcome) = sent::recall(env, &request.idempotency_key) {
        // Already sent under this key (the daemon retried after losing the answer).
        return Ok(outcome);
    }
    let me = me(env, client)?;
    let outcome = match request.action {
        Action::Reply(reply) => send_reply(env, client, &me, &reply)?,
        Action::Publish(publish) => {
            let mut body = serde_json::json!({ "text": publish.text });
            let media_ids = media::upload_all(env, client, &publish.media)?;
            if !media_ids.is_empty() {
                body["media"] = serde_json::json!({ "media_ids": media_ids });
            }
            post_tweet(env, client, &me, body)?
        }
        Action::Message(message) => send_message(env, client, &message)?,
        refused => return Err(PluginError::Denied(refusal(&refused).to_owned())),
    };
    sent::record(env, &request.idempotency_key, &outcome)?;
    Ok(outcome)
}

/// Why X does not let this plugin perform `action`; the text the daemon shows the person.
pub fn refusal(action: &Action) -> &'static str {
    match action {
        Action::Follow(_) | Action::FollowBack(_) | Action::Unfollow(_) => {
            "X forbids automated following, follow-back and unfollowing (developer guidelines: \"App follows back \
             anyone who follows it\" is not allowed; no bulk, aggressive or automated following), and its \
             self-serve API tiers no longer offer the follow endpoints; follow people by hand in X"
        }
        Action::Like(_) => {
            "X forbids automated likes (\"Likes must be directly initiated by the authenticated user\"), and its \
             self-serve API tiers no longer offer the like endpoint; like posts by hand in X"
        }
        Action::Repost(_) => {
            "X's automation rules forbid automated reposts (bulk or automated interactions), so this plugin does \
             not repost; repost by hand in X"
        }
        Action::AcceptFollowRequest(_) => {
            "X's API v2 has no endpoint to accept follow requests; accept them in X"
        }
        Action::Reply(_) | Action::Publish(_) | Action::Message(_) => "X permits this action",
    }
}

/// Replies to `reply.to_post_id` if X's rules allow it: the post summons the account and has not
/// been answered yet.
fn send_reply<E: Env>(
    env: &mut E,
    client: &Client,
    me: &Me,
    reply: &Reply,
) -> Result<ActionOutcome, PluginError> {
    numeric_id(&reply.to_post_id)?;
    let answered_key = format!("replied:{}", reply.to_post_id);
    if let Some(previous) = env.kv_get_json::<Sent>(&answered_key) {
        return Err(PluginError::Denied(format!(
            "X allows one automated reply per interaction, and post {} was already answered by {}",
            reply.to_post_id,
            previous.url.unwrap_or_default()
        )));
    }
    if !summoned(env, client, me, &reply.to_post_id)? {
        return Err(PluginError::Denied(format!(
            "X permits automated replies only to posts that mention @{} or quote its posts; post {} does neither",
            me.username, reply.to_post_id
        )));
    }
    let body =
        serde_json::json!({ "text": reply.text, "reply": { "in_reply_to_tweet_id": reply.to_post_id } });
    let outcome = post_tweet(env, client, me, body)?;
    env.kv_set_json(&answered_key, &Sent::from(&outcome))?;
    Ok(outcome)
}

/// Whether post `id` summons the account: a mention the plugin fetched, or, failing that, what
/// `GET /2/tweets/:id` shows.
fn summoned<E: Env>(env: &mut E, client: &Client, me: &Me, id: &str) -> Result<bool, PluginError> {
    let mentions: Vec<String> = env.kv_get_json(MENTIONS_KEY).unwrap_or_default();
    if mentions.iter().any(|m| m == id) {
        return Ok(true);
    }
    let url = format!("{}/2/tweets/{id}", client.api_base);
    let build = || {
        Request::get(&url)
            .query("tweet.fields", "author_id,entities,referenced_tweets")
            .query("expansions", "referenced_tweets.id")
    };
    let found: ObjectResponse<Tweet> = auth::send(env, client, build)?.json()?;
    let Some(tweet) = found.data else {
        let why = found.errors.first().map(|e| e.detail.as_str()).unwrap_or("no such post");
        return Err(PluginError::Permanent(format!("cannot reply to post {id}: {why}")));
    };
    Ok(api::summons(&tweet, &found.includes, &me.id, &me.username))
}

/// Sends `message` to one person with `POST /2/dm_conversations/with/:participant_id/messages`,
/// which opens the one-to-one conversation or adds to it.
fn send_message<E: Env>(
    env: &mut E,
    client: &Client,
    message: &Message,
) -> Result<ActionOutcome, PluginError> {
    let url =
        format!("{}/2/dm_conversations/with/{}/messages", client.api_base, numeric_id(&message.account_id)?);
    let body = serde_json::json!({ "text": message.text });
    let sent: DmSent = auth::send(env, client, || Request::post(&url).json(&body))?.json()?;
    let url = format!("https://x.com/messages/{}", sent.data.dm_conversation_id);
    Ok(ActionOutcome { id: Some(sent.data.dm_event_id), url: Some(url) })
}

/// `id` if it is an X id (decimal digits), so that it can go into a URL path; else the error
/// naming it.
pub(crate) fn numeric_id(id: &str) -> Result<&str, PluginError> {
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id)
    } else {
        Err(PluginError::Permanent(format!("{id:?} is not an X id")))
    }
}

/// Creates a tweet from `body` with `POST /2/tweets`.
fn post_tweet<E: Env>(
    env: &mut E,
    client: &Client,
    me: &Me,
    body: serde_json::Value,
) -> Result<ActionOutcome, PluginError> {
    let url = format!("{}/2/tweets", client.api_base);
    let created: Created = auth::send(env, client, || Request::post(&url).json(&body))?.json()?;
    let url = api::tweet_url(&me.username, &created.data.id);
    Ok(ActionOutcome { id: Some(created.data.id), url: Some(url) })
}

/// The account with X id `id`.
pub fn lookup_account<E: Env>(env: &mut E, client: &Client, id: &str) -> Result<Account, PluginError> {
    let url = format!("{}/2/users/{}", client.api_base, numeric_id(id)?);
    let found: ObjectResponse<User> =
        auth::send(env, client, || Request::get(&url).query("user.fields", USER_FIELDS))?.json()?;
    match found.data {
        Some(user) => Ok(api::account(&user)),
        None => {
            let why = found.errors.first().map(|e| e.detail.as_str()).unwrap_or("no such account");
            Err(PluginError::Permanent(format!("X has no account {id}: {why}")))
        }
    }
}

/// How the acting account stands to the account with X id `id`.
pub fn relationship<E: Env>(env: &mut E, client: &Client, id: &str) -> Result<Relationship, PluginError> {
    let found = reads::relationships(env, client, &[id.to_owned()])?;
    found
        .into_iter()
        .find(|r| r.id == id)
        .map(|r| r.relationship)
        .ok_or_else(|| PluginError::Permanent(format!("X has no account {id}")))
}

/// One page of the account's followers (`edge = "followers"`) or followed accounts (`"following"`).
pub fn list_accounts<E: Env>(
    env: &mut E,
    client: &Client,
    edge: &str,
    cursor: Option<&str>,
) -> Result<AccountPage, PluginError> {
    let me = me(env, client)?;
    let url = format!("{}/2/users/{}/{edge}", client.api_base, me.id);
    let build = || {
        let request = Request::get(&url).query("max_results", "1000").query("user.fields", USER_FIELDS);
        match cursor {
            Some(token) => request.query("pagination_token", token),
            None => request,
        }
    };
    let page: ListResponse<User> = auth::send(env, client, build)?.json()?;
    Ok(AccountPage { items: page.data.iter().map(api::account).collect(), next_cursor: page.meta.next_token })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use rapport_sdk::env::fake::Scripted;
    use rapport_sdk::types::{Media, NotificationKind, Publish};

    const NOW: i64 = 1_714_567_725;
    /// The acting account's id in the scripted sessions.
    pub(crate) const ME_ID: &str = "1458284524761075714";
    const MENTIONS: &str = "https://api.x.com/2/users/1458284524761075714/mentions";
    const FOLLOWERS: &str = "https://api.x.com/2/users/1458284524761075714/followers";
    const TWEETS: &str = "https://api.x.com/2/tweets";
    const TOKEN: &str = "https://api.x.com/2/oauth2/token";

    /// The client of the default API base.
    pub(crate) fn x_client() -> Client {
        Client { api_base: DEFAULT_API_BASE.into(), client_id: "c".into(), confidential: false }
    }

    /// An environment with a valid session and the own account cached, as after the first call.
    pub(crate) fn signed_in() -> Scripted {
        let mut env = Scripted::at(NOW);
        let session = auth::Session {
            access_token: "t".into(),
            refresh_token: Some("r".into()),
            expires_at: NOW + 3600,
            scopes: Vec::new(),
        };
        env.kv_set_json(auth::SESSION_KEY, &session).unwrap_or_else(|e| panic!("{e:?}"));
        env.kv_set_json(ME_KEY, &Me { id: ME_ID.into(), username: "rapportdemo".into() })
            .unwrap_or_else(|e| panic!("{e:?}"));
        env
    }

    fn reply_to(post: &str, key: &str) -> ActionRequest {
        ActionRequest {
            idempotency_key: key.into(),
            action: Action::Reply(Reply {
                to_post_id: post.into(),
                text: "@bea_new yes!".into(),
                visibility: String::new(),
            }),
        }
    }

    fn context(settings: &[(&str, &str)]) -> Context {
        Context {
            name: "brand".into(),
            api_base: String::new(),
            user: String::new(),
            settings: settings.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect(),
        }
    }

    #[test]
    fn settings_make_the_client() {
        let c = client_from(&[("client_id", " abc ")]);
        assert_eq!(
            c,
            Client { api_base: DEFAULT_API_BASE.into(), client_id: "abc".into(), confidential: false }
        );
        assert!(client_from(&[("client_id", "abc"), ("client_auth", "basic")]).confidential);
        assert!(matches!(client(&context(&[])), Err(PluginError::Auth(m)) if m.contains("client_id")));
        assert!(matches!(
            client(&context(&[("client_id", "a"), ("client_auth", "oauth1")])),
            Err(PluginError::Permanent(_))
        ));
    }

    fn client_from(settings: &[(&str, &str)]) -> Client {
        client(&context(settings)).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn the_first_fetch_asks_who_am_i_then_reads_the_newest_mentions_and_seeds_followers() {
        let mut env = Scripted::at(NOW)
            .expect(TOKEN, 200, &[], include_str!("../tests/fixtures/token_refresh.json"))
            .expect("https://api.x.com/2/users/me", 200, &[], include_str!("../tests/fixtures/users_me.json"))
            .expect(MENTIONS, 200, &[], include_str!("../tests/fixtures/mentions_page.json"))
            .expect(FOLLOWERS, 200, &[], include_str!("../tests/fixtures/followers_page.json"));
        let page = fetch_notifications(&mut env, &x_client(), None).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(env.done());
        assert_eq!(page.items.len(), 2, "two mentions; existing followers are not new");
        assert_eq!(page.items[0].kind, NotificationKind::Reply);
        assert_eq!(page.next_cursor.as_deref(), Some("1782461233309417773"));
        let mentions_url = &env.sent[2].url;
        assert!(mentions_url.contains("expansions=author_id"), "{mentions_url}");
        assert!(
            mentions_url.contains(
                "tweet.fields=created_at%2Cconversation_id%2Cin_reply_to_user_id%2Creferenced_tweets"
            )
        );
        assert!(!mentions_url.contains("since_id") && !mentions_url.contains("pagination_token"));
    }

    #[test]
    fn a_later_fetch_walks_back_to_the_cursor_before_moving_it() {
        let mut env =
            signed_in().expect(MENTIONS, 200, &[], include_str!("../tests/fixtures/mentions_page.json"));
        let page = fetch_notifications(&mut env, &x_client(), Some("1782400000000000000"))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(env.sent[0].url.contains("since_id=1782400000000000000"));
        let cursor = page.next_cursor.unwrap_or_default();
        assert!(cursor.contains("7140dibdnow9c7btw3z4c8c3y6l0l5v7b3m2pyv9yz1qo"), "mid-walk: {cursor}");
        assert_eq!(env.sent.len(), 1, "followers wait until the walk is done");

        let mut env = env
            .expect(MENTIONS, 200, &[], include_str!("../tests/fixtures/mentions_empty.json"))
            .expect(FOLLOWERS, 200, &[], include_str!("../tests/fixtures/followers_page.json"));
        let page =
            fetch_notifications(&mut env, &x_client(), Some(&cursor)).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(env.sent[1].url.contains("pagination_token=7140dibdnow9c7btw3z4c8c3y6l0l5v7b3m2pyv9yz1qo"));
        assert!(env.sent[1].url.contains("since_id=1782400000000000000"));
        assert_eq!(page.next_cursor.as_deref(), Some("1782461233309417773"));
    }

    #[test]
    fn a_rate_limited_fetch_reports_the_reset() {
        let reset = (NOW + 600).to_string();
        let headers = [
            ("x-rate-limit-limit", "300"),
            ("x-rate-limit-remaining", "0"),
            ("x-rate-limit-reset", reset.as_str()),
        ];
        let mut env =
            signed_in().expect(MENTIONS, 429, &headers, include_str!("../tests/fixtures/error_429.json"));
        assert_eq!(fetch_notifications(&mut env, &x_client(), Some("1")), Err(PluginError::RateLimited(600)));
    }

    #[test]
    fn a_malformed_page_is_transient() {
        let mut env = signed_in().expect(MENTIONS, 200, &[], "<html>upstream connect error</html>");
        assert!(matches!(
            fetch_notifications(&mut env, &x_client(), Some("1")),
            Err(PluginError::Transient(_))
        ));
        let mut env = signed_in().expect(MENTIONS, 200, &[], r#"{"data":"not a list"}"#);
        assert!(matches!(
            fetch_notifications(&mut env, &x_client(), Some("1")),
            Err(PluginError::Transient(_))
        ));
    }

    #[test]
    fn a_reply_to_a_fetched_mention_needs_no_lookup_and_is_sent_once() {
        let mut env = signed_in()
            .expect(MENTIONS, 200, &[], include_str!("../tests/fixtures/mentions_page.json"))
            .expect(TWEETS, 201, &[], include_str!("../tests/fixtures/create_tweet.json"));
        fetch_notifications(&mut env, &x_client(), Some("1")).unwrap_or_else(|e| panic!("{e:?}"));
        let outcome = execute(&mut env, &x_client(), reply_to("1782461233309417773", "task-7"))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(outcome.id.as_deref(), Some("1782500000000000000"));
        assert_eq!(outcome.url.as_deref(), Some("https://x.com/rapportdemo/status/1782500000000000000"));
        let post = &env.sent[1];
        assert_eq!(post.url, TWEETS);
        let body: serde_json::Value = serde_json::from_str(&post.body).unwrap_or_default();
        assert_eq!(body["reply"]["in_reply_to_tweet_id"], "1782461233309417773");
        assert_eq!(body["text"], "@bea_new yes!");

        // The daemon retries with the same key: the recorded outcome, nothing sent.
        let again = execute(&mut env, &x_client(), reply_to("1782461233309417773", "task-7"))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(again, outcome);
        // Another task answering the same post: X allows one reply per interaction.
        let second = execute(&mut env, &x_client(), reply_to("1782461233309417773", "task-8"));
        assert!(matches!(second, Err(PluginError::Denied(m)) if m.contains("one automated reply")));
        assert_eq!(env.sent.len(), 2);
    }

    #[test]
    fn a_reply_to_an_unknown_post_is_checked_with_a_lookup() {
        let mut env = signed_in()
            .expect(
                "https://api.x.com/2/tweets/1782470000000000000",
                200,
                &[],
                include_str!("../tests/fixtures/tweet_lookup_mentions_me.json"),
            )
            .expect(TWEETS, 201, &[], include_str!("../tests/fixtures/create_tweet.json"));
        execute(&mut env, &x_client(), reply_to("1782470000000000000", "k1"))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(env.sent[0].url.contains("tweet.fields=author_id%2Centities%2Creferenced_tweets"));
        assert!(env.done());
    }

    #[test]
    fn a_reply_to_a_post_that_does_not_summon_the_account_is_denied() {
        let mut env = signed_in().expect(
            "https://api.x.com/2/tweets/1782480000000000000",
            200,
            &[],
            include_str!("../tests/fixtures/tweet_lookup_no_mention.json"),
        );
        let err = execute(&mut env, &x_client(), reply_to("1782480000000000000", "k2"));
        assert!(
            matches!(err, Err(PluginError::Denied(m)) if m.contains("only to posts that mention @rapportdemo"))
        );
        assert_eq!(env.sent.len(), 1, "nothing posted");
        let mut env = env.expect(
            "https://api.x.com/2/tweets/1782490000000000000",
            200,
            &[],
            include_str!("../tests/fixtures/tweet_lookup_not_found.json"),
        );
        let err = execute(&mut env, &x_client(), reply_to("1782490000000000000", "k3"));
        assert!(matches!(err, Err(PluginError::Permanent(m)) if m.contains("Could not find tweet")));
    }

    #[test]
    fn publish_posts_text_and_402_is_denied() {
        let publish = |key: &str| ActionRequest {
            idempotency_key: key.into(),
            action: Action::Publish(Publish {
                text: "Launch day.".into(),
                media_alt: String::new(),
                media: Vec::new(),
            }),
        };
        let mut env =
            signed_in().expect(TWEETS, 201, &[], include_str!("../tests/fixtures/create_tweet.json"));
        execute(&mut env, &x_client(), publish("p1")).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(env.sent[0].body, r#"{"text":"Launch day."}"#);
        let mut env = env.expect(TWEETS, 402, &[], include_str!("../tests/fixtures/error_402_credits.json"));
        assert!(
            matches!(execute(&mut env, &x_client(), publish("p2")), Err(PluginError::Denied(m)) if m.contains("402"))
        );
    }

    #[test]
    fn refused_actions_and_forged_ids_send_nothing() {
        for action in [
            Action::Follow("1".into()),
            Action::FollowBack("1".into()),
            Action::Unfollow("1".into()),
            Action::Like("1".into()),
            Action::Repost("1".into()),
            Action::AcceptFollowRequest("1".into()),
        ] {
            let mut env = signed_in();
            let result =
                execute(&mut env, &x_client(), ActionRequest { idempotency_key: "k".into(), action });
            assert!(matches!(result, Err(PluginError::Denied(m)) if m.contains("X")));
            assert!(env.sent.is_empty());
        }
        let mut env = signed_in();
        let forged = execute(&mut env, &x_client(), reply_to("1/../../users/me", "k"));
        assert!(matches!(forged, Err(PluginError::Permanent(m)) if m.contains("not an X id")));
        assert!(matches!(lookup_account(&mut env, &x_client(), "me"), Err(PluginError::Permanent(_))));
        assert!(env.sent.is_empty());
    }

    #[test]
    fn accounts_are_looked_up_and_listed() {
        let one = r#"{"data":{"id":"7","name":"Cy","username":"cy","public_metrics":{"followers_count":3}}}"#;
        let mut env = signed_in().expect("https://api.x.com/2/users/7", 200, &[], one);
        let account = lookup_account(&mut env, &x_client(), "7").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((account.handle.as_str(), account.followers), ("cy", Some(3)));
        let mut env = env.expect(FOLLOWERS, 200, &[], include_str!("../tests/fixtures/followers_page.json"));
        let page = list_accounts(&mut env, &x_client(), "followers", Some("TOKEN1"))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.next_cursor.as_deref(), Some("DFEDBNRFT3MHCZZZ"));
        assert!(env.sent[1].url.ends_with("pagination_token=TOKEN1"));
    }

    fn image(mime: &str, size: usize, alt: &str) -> Media {
        Media { bytes: vec![7; size], mime_type: mime.into(), alt: alt.into() }
    }

    fn publish_with(media: Vec<Media>, key: &str) -> ActionRequest {
        ActionRequest {
            idempotency_key: key.into(),
            action: Action::Publish(Publish { text: "New mugs.".into(), media_alt: String::new(), media }),
        }
    }

    const UPLOAD: &str = "https://api.x.com/2/media/upload";
    const METADATA: &str = "https://api.x.com/2/media/metadata";

    #[test]
    fn a_post_with_images_uploads_each_sets_its_alt_text_then_attaches_them_in_order() {
        let uploaded = |id: &str| {
            format!(
                r#"{{"data":{{"id":"{id}","media_key":"3_{id}","size":1024,"expires_after_secs":86400}}}}"#
            )
        };
        let mut env = signed_in()
            .expect(UPLOAD, 200, &[], &uploaded("1880000000000000001"))
            .expect(METADATA, 200, &[], r#"{"data":{"associated_metadata":{}}}"#)
            .expect(UPLOAD, 200, &[], &uploaded("1880000000000000002"))
            .expect(TWEETS, 201, &[], include_str!("../tests/fixtures/create_tweet.json"));
        let media = vec![image("image/png", 1024, "a blue mug"), image("image/jpeg", 2048, " ")];
        let outcome =
            execute(&mut env, &x_client(), publish_with(media, "m1")).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(outcome.id.as_deref(), Some("1782500000000000000"));
        assert!(env.done(), "no alt text, no metadata call, for the second image");
        let upload = &env.sent[0];
        let content_type = upload.header("content-type").unwrap_or_default();
        assert!(content_type.starts_with("multipart/form-data; boundary="), "{content_type}");
        assert!(upload.body.contains("name=\"media_category\"\r\n\r\ntweet_image\r\n"));
        assert!(upload.body.contains("name=\"media\"; filename=\"image.png\"\r\nContent-Type: image/png"));
        let alt: serde_json::Value = serde_json::from_str(&env.sent[1].body).unwrap_or_default();
        assert_eq!(alt["id"], "1880000000000000001");
        assert_eq!(alt["metadata"]["alt_text"]["text"], "a blue mug");
        let tweet: serde_json::Value = serde_json::from_str(&env.sent[3].body).unwrap_or_default();
        assert_eq!(tweet["text"], "New mugs.");
        assert_eq!(
            tweet["media"]["media_ids"],
            serde_json::json!(["1880000000000000001", "1880000000000000002"])
        );
    }

    #[test]
    fn images_x_would_refuse_are_refused_before_any_upload() {
        for (media, why) in [
            (vec![image("image/png", 5 * 1024 * 1024 + 1, "big")], "over X's limit of 5242880 bytes (5 MB)"),
            ((0..5).map(|_| image("image/png", 1, "a")).collect(), "at most 4"),
            (vec![image("image/gif", 1, "moving")], "image 1 is \"image/gif\""),
            (vec![image("image/png", 1, &"é".repeat(1_001))], "1000 characters"),
        ] {
            let mut env = signed_in();
            let result = execute(&mut env, &x_client(), publish_with(media, "m2"));
            assert!(matches!(&result, Err(PluginError::Permanent(m)) if m.contains(why)), "{result:?}");
            assert!(env.sent.is_empty());
            assert_eq!(env.kv_text("sent:m2"), None);
        }
    }

    #[test]
    fn a_failed_upload_posts_nothing() {
        let mut env =
            signed_in().expect(UPLOAD, 403, &[], r#"{"title":"Forbidden","detail":"missing media.write"}"#);
        let result = execute(&mut env, &x_client(), publish_with(vec![image("image/webp", 10, "")], "m3"));
        assert!(matches!(result, Err(PluginError::Denied(m)) if m.contains("media.write")));
        assert_eq!(env.sent.len(), 1, "no tweet after a refused upload");
    }

    #[test]
    fn a_direct_message_goes_to_the_one_person_once() {
        let message = |key: &str| ActionRequest {
            idempotency_key: key.into(),
            action: Action::Message(Message {
                account_id: "2244994945".into(),
                text: "Thanks for the kind words!".into(),
            }),
        };
        let sent = r#"{"data":{"dm_conversation_id":"1458284524761075714-2244994945","dm_event_id":"1582103724607971332"}}"#;
        let url = "https://api.x.com/2/dm_conversations/with/2244994945/messages";
        let mut env = signed_in().expect(url, 201, &[], sent);
        let outcome = execute(&mut env, &x_client(), message("dm1")).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(outcome.id.as_deref(), Some("1582103724607971332"));
        assert_eq!(outcome.url.as_deref(), Some("https://x.com/messages/1458284524761075714-2244994945"));
        assert_eq!(env.sent[0].body, r#"{"text":"Thanks for the kind words!"}"#);
        let again = execute(&mut env, &x_client(), message("dm1")).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(again, outcome);
        assert_eq!(env.sent.len(), 1, "a retry under the same key sends nothing");
        let forged = ActionRequest {
            idempotency_key: "dm2".into(),
            action: Action::Message(Message { account_id: "1/../../tweets".into(), text: "x".into() }),
        };
        assert!(matches!(execute(&mut env, &x_client(), forged), Err(PluginError::Permanent(_))));
        assert_eq!(env.sent.len(), 1);
    }

    #[test]
    fn one_relationship_is_the_bulk_check_of_one_id() {
        let body = include_str!("../tests/fixtures/users_connection_status.json");
        let mut env = signed_in().expect("https://api.x.com/2/users?", 200, &[], body);
        let rel = relationship(&mut env, &x_client(), "1").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(rel, Relationship { following: true, followed_by: true, requested: false });
        assert!(env.sent[0].url.contains("ids=1&"));
        let mut env = env.expect(
            "https://api.x.com/2/users?",
            200,
            &[],
            r#"{"errors":[{"detail":"Could not find user with ids: [9]."}]}"#,
        );
        assert!(
            matches!(relationship(&mut env, &x_client(), "9"), Err(PluginError::Permanent(m)) if m.contains("no account 9"))
        );
    }
}
