//! The plugin's operations — read comments on the Page's recent posts, reply, publish, like,
//! answer a commenter privately — generic over [`Env`] so that native tests drive them through
//! scripted Graph API exchanges. The 0.2 reads are in [`crate::reads`], photos in
//! [`crate::publish`], private replies in [`crate::private_reply`].
//!
//! Every call authenticates with `Authorization: Bearer {{secret:page_token}}` (the host
//! substitutes secrets in headers and bodies only, never in the URL, so the `access_token` query
//! parameter is not an option). Meta's usage headers are read on every answer: at 95 % the plugin
//! records when to call again and refuses calls until then, so a busy Page slows down before Meta
//! throttles it. The Graph API has no idempotency key, so each sent action is recorded under the
//! daemon's key right after Meta confirms it, and a retry with that key returns the record.

use rapport_sdk::account::Context;
use rapport_sdk::http::{Request, Response};
use rapport_sdk::types::{
    Access, Account, Action, ActionOutcome, ActionRequest, NotificationPage, PluginError,
};

use crate::error::{Usage, classify};
use crate::graph::{self, Comment, Created, Cursor, FeedPost, Paged, Profile};
use crate::private_reply::{self, Commenters};
use crate::publish;
use rapport_sdk::env::Env;
use rapport_sdk::sent;

/// The Graph API host when the account's configuration names none.
pub const DEFAULT_API_BASE: &str = "https://graph.facebook.com";
/// The Graph API version when the setting `graph_version` names none.
pub const DEFAULT_GRAPH_VERSION: &str = "v21.0";
/// How many recent posts are scanned for comments.
const POSTS_PER_READ: &str = "25";
/// How many comments are read per post and page.
const COMMENTS_PER_PAGE: u32 = 50;
/// How many further comment pages one read may follow, across all posts, to bound its cost.
const MAX_EXTRA_COMMENT_PAGES: usize = 5;
/// The kv key of the time (Unix seconds) before which no call is made.
const THROTTLED_UNTIL_KEY: &str = "throttled-until";

/// Where the plugin calls and for which Page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    /// The versioned API root, e.g. `https://graph.facebook.com/v21.0`.
    pub api: String,
    /// The Page's id.
    pub page_id: String,
}

/// Whether a call reads (and may give up its answer when usage is high) or writes (whose
/// confirmed answer must never be thrown away, or the daemon would send it again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A read.
    Read,
    /// A write.
    Write,
}

/// The Graph endpoint for the account in `context`: the Page id from the account's `user` (or the
/// setting `page_id`) and the API version from the setting `graph_version`.
pub fn graph(context: &Context) -> Result<Graph, PluginError> {
    let page_id = Some(context.user.as_str())
        .filter(|u| !u.is_empty())
        .or_else(|| context.setting("page_id"))
        .unwrap_or("");
    if !is_object_id(page_id) {
        return Err(PluginError::Permanent(format!(
            "account {:?} names no numeric Page id ({page_id:?}); set the account's `user` to the Page's id",
            context.name
        )));
    }
    let version = context.setting("graph_version").unwrap_or(DEFAULT_GRAPH_VERSION);
    let valid_version =
        version.strip_prefix('v').and_then(|v| v.split_once('.')).is_some_and(|(major, minor)| {
            [major, minor].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        });
    if !valid_version {
        return Err(PluginError::Permanent(format!(
            "account {:?} has `graph_version = {version:?}`; use a Graph API version such as \"{DEFAULT_GRAPH_VERSION}\"",
            context.name
        )));
    }
    let base = if context.api_base().is_empty() { DEFAULT_API_BASE } else { context.api_base() };
    Ok(Graph { api: format!("{base}/{version}"), page_id: page_id.to_owned() })
}

/// Whether `id` looks like a Graph object id (`123` or `123_456`), so it can go into a URL path.
fn is_object_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit() || b == b'_')
}

/// `id` if it is a Graph object id, else the error naming it.
fn object_id(id: &str) -> Result<&str, PluginError> {
    if is_object_id(id) {
        Ok(id)
    } else {
        Err(PluginError::Permanent(format!("{id:?} is not a Facebook object id")))
    }
}

/// Sends the request `build` makes with the Page token, minding Meta's usage.
pub(crate) fn send<E: Env>(
    env: &mut E,
    kind: Kind,
    build: impl FnOnce() -> Request,
) -> Result<Response, PluginError> {
    let now = env.now();
    if let Some(until) = env.kv_get_json::<i64>(THROTTLED_UNTIL_KEY).filter(|until| *until > now) {
        return Err(PluginError::RateLimited(u32::try_from(until - now).unwrap_or(u32::MAX)));
    }
    let response = env.send(build().bearer_secret("page_token"))?;
    if !(200..300).contains(&response.status()) {
        let err = classify(response.status(), response.headers(), response.body(), response.url());
        if let PluginError::RateLimited(wait) = err {
            env.kv_set_json(THROTTLED_UNTIL_KEY, &(now + i64::from(wait)))?;
        }
        return Err(err);
    }
    if let Some(usage) = Usage::from_headers(response.headers())
        && let Some(wait) = usage.wait()
    {
        env.warn(&format!(
            "Meta reports {:.0} % of the API quota used; pausing calls for {wait} s",
            usage.percent
        ));
        env.kv_set_json(THROTTLED_UNTIL_KEY, &(now + i64::from(wait)))?;
        if kind == Kind::Read {
            return Err(PluginError::RateLimited(wait));
        }
    }
    Ok(response)
}

/// New comments on the Page's recent posts since `cursor`, as reply notifications; each
/// commenter's latest comment is remembered for a private reply (see [`private_reply`]).
pub fn fetch_notifications<E: Env>(
    env: &mut E,
    graph: &Graph,
    cursor: Option<&str>,
) -> Result<NotificationPage, PluginError> {
    let start = Cursor::parse(cursor).map_err(PluginError::Permanent)?;
    let mut seen = start.clone();
    let url = format!("{}/{}/feed", graph.api, graph.page_id);
    let fields = graph::feed_fields(COMMENTS_PER_PAGE);
    let feed: Paged<FeedPost> =
        send(env, Kind::Read, || Request::get(&url).query("fields", &fields).query("limit", POSTS_PER_READ))?
            .json()?;
    let mut items = Vec::new();
    let mut commenters = Commenters::load(env);
    let mut remembered = false;
    let mut anonymous = 0usize;
    let mut extra_pages = 0usize;
    for post in feed.data {
        let Some(mut comments) = post.comments else { continue };
        loop {
            let mut reached_seen = false;
            for comment in &comments.data {
                let Some(at) = graph::parse_time(&comment.created_time) else {
                    env.warn(&format!(
                        "comment {} has an unreadable time {:?}; skipping it",
                        comment.id, comment.created_time
                    ));
                    continue;
                };
                if comment.id.is_empty() {
                    // Without an id it cannot be deduplicated or answered; the host would refuse
                    // the whole page for it.
                    env.warn("a comment came without an id; skipping it");
                    continue;
                }
                if !start.is_new(at, &comment.id) {
                    reached_seen = true;
                    continue;
                }
                seen.see(at, &comment.id);
                if is_own(comment, &graph.page_id) {
                    continue;
                }
                match graph::reply(comment, &post.id) {
                    Some(notification) => {
                        remembered |= commenters.saw(&notification.account.id, &comment.id, at);
                        items.push(notification);
                    }
                    None => anonymous += 1,
                }
            }
            // Comments come newest first: the next page can only hold new ones if this one
            // did not reach what an earlier read saw.
            let next = comments
                .paging
                .next
                .take()
                .filter(|_| !reached_seen && extra_pages < MAX_EXTRA_COMMENT_PAGES);
            let Some(next) = next else { break };
            extra_pages += 1;
            comments = send(env, Kind::Read, || Request::get(next))?.json()?;
        }
    }
    if anonymous > 0 {
        env.warn(&format!(
            "{anonymous} new comments came without their author, so no reply can be proposed; the Page token needs \
             the pages_read_user_engagement permission"
        ));
    }
    if remembered {
        let now = env.now();
        commenters.save(env, now)?;
    }
    let next_cursor = (seen.time > 0).then(|| seen.render());
    Ok(NotificationPage { items, next_cursor })
}

/// Whether the Page itself wrote `comment` (its own replies are not notifications).
fn is_own(comment: &Comment, page_id: &str) -> bool {
    comment.from.as_ref().is_some_and(|from| from.id == page_id)
}

/// Performs an approved action: reply to a comment, publish to the Page feed (with photos), like
/// an object, or answer a commenter privately.
pub fn execute<E: Env>(
    env: &mut E,
    graph: &Graph,
    request: ActionRequest,
) -> Result<ActionOutcome, PluginError> {
    if let Some(outcome) = sent::recall(env, &request.idempotency_key) {
        return Ok(outcome);
    }
    let outcome = match &request.action {
        Action::Reply(reply) => {
            let url = format!("{}/{}/comments", graph.api, object_id(&reply.to_post_id)?);
            let created: Created =
                send(env, Kind::Write, || Request::post(url).form(&[("message", &reply.text)]))?.json()?;
            ActionOutcome { id: Some(created.id), url: None }
        }
        Action::Publish(post) => publish::publish(env, graph, &post.text, &post.media)?,
        Action::Message(message) => private_reply::send_message(env, graph, message)?,
        Action::Like(object) => {
            let url = format!("{}/{}/likes", graph.api, object_id(object)?);
            send(env, Kind::Write, || Request::post(url))?;
            ActionOutcome { id: None, url: None }
        }
        refused => return Err(PluginError::Denied(refusal(refused).to_owned())),
    };
    sent::record(env, &request.idempotency_key, &outcome)?;
    Ok(outcome)
}

/// Why a Facebook Page cannot perform `action`; the text the daemon shows the person.
pub fn refusal(action: &Action) -> &'static str {
    match action {
        Action::Follow(_) | Action::FollowBack(_) | Action::Unfollow(_) | Action::AcceptFollowRequest(_) => {
            "a Facebook Page cannot follow people: the Pages API has no follow, follow-back or follow-request action"
        }
        Action::Repost(_) => {
            "the Pages API offers no way to share another post as the Page; share it by hand"
        }
        Action::Reply(_) | Action::Publish(_) | Action::Like(_) | Action::Message(_) => "a Page may do this",
    }
}

/// Reads the Page itself with the Page token, so a token that no longer works is named when the
/// account starts. A Page token cannot list its own permissions (`/me/permissions` and
/// `debug_token` need a user or app token), so a missing one is named by the first refused call.
pub fn check_access<E: Env>(env: &mut E, graph: &Graph) -> Result<Access, PluginError> {
    let page = lookup_account(env, graph, &graph.page_id)?;
    Ok(Access { acting_as: page.display_name, granted: Vec::new(), missing: Vec::new() })
}

/// The person or Page with id `id`, as far as a Page token may read them.
pub fn lookup_account<E: Env>(env: &mut E, graph: &Graph, id: &str) -> Result<Account, PluginError> {
    let url = format!("{}/{}", graph.api, object_id(id)?);
    let profile: Profile =
        send(env, Kind::Read, || Request::get(url).query("fields", "id,name,link"))?.json()?;
    Ok(graph::account(&profile.id, &profile.name, &profile.link))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_sdk::env::fake::Scripted;
    use rapport_sdk::types::{Message, NotificationKind, Publish, Reply};

    const NOW: i64 = 1_714_700_000;
    const PAGE: &str = "104857600000001";
    const FEED: &str = "https://graph.facebook.com/v21.0/104857600000001/feed";

    fn page_graph() -> Graph {
        Graph { api: format!("{DEFAULT_API_BASE}/{DEFAULT_GRAPH_VERSION}"), page_id: PAGE.into() }
    }

    fn context(user: &str, settings: &[(&str, &str)]) -> Context {
        Context {
            name: "shop".into(),
            api_base: String::new(),
            user: user.into(),
            settings: settings.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect(),
        }
    }

    fn request(key: &str, action: Action) -> ActionRequest {
        ActionRequest { idempotency_key: key.into(), action }
    }

    #[test]
    fn the_account_names_page_and_version() {
        assert_eq!(graph(&context(PAGE, &[])), Ok(page_graph()));
        let custom = graph(&context("", &[("page_id", "42"), ("graph_version", "v22.0")]));
        assert_eq!(custom.map(|g| g.api), Ok("https://graph.facebook.com/v22.0".to_owned()));
        assert!(matches!(graph(&context("", &[])), Err(PluginError::Permanent(m)) if m.contains("Page id")));
        assert!(matches!(graph(&context(PAGE, &[("graph_version", "21")])), Err(PluginError::Permanent(_))));
        assert!(matches!(graph(&context("../me", &[])), Err(PluginError::Permanent(_))));
    }

    #[test]
    fn the_feed_read_emits_new_comments_once_with_the_page_token() {
        let feed = include_str!("../tests/fixtures/feed_page.json");
        let mut env = Scripted::at(NOW).expect(FEED, 200, &[], feed);
        let page = fetch_notifications(&mut env, &page_graph(), None).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(env.sent[0].header("authorization"), Some("Bearer {{secret:page_token}}"));
        assert!(
            env.sent[0]
                .url
                .contains("fields=id%2Cmessage%2Ccreated_time%2Cpermalink_url%2Ccomments.filter%28stream%29")
        );
        assert!(!env.sent[0].url.contains("access_token"));
        // Ann's comment; the Page's own reply and the authorless comment are not notifications.
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].kind, NotificationKind::Reply);
        assert_eq!(page.items[0].account.display_name, "Ann Example");
        assert_eq!(env.warnings.borrow().len(), 1, "the authorless comment is reported");
        // The cursor covers the Page's own newer reply too.
        let cursor = page.next_cursor.unwrap_or_default();
        assert_eq!(cursor, "1714567210:122100000000000101_987650000000003");

        let mut env = env.expect(FEED, 200, &[], feed);
        let again =
            fetch_notifications(&mut env, &page_graph(), Some(&cursor)).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(again.items.is_empty());
        assert_eq!(
            again.next_cursor.as_deref(),
            Some(cursor.as_str()),
            "an unchanged cursor tells the daemon it caught up"
        );
    }

    #[test]
    fn a_commenter_seen_in_the_feed_can_be_answered_privately_once() {
        let feed = include_str!("../tests/fixtures/feed_page.json");
        let messages = "https://graph.facebook.com/v21.0/104857600000001/messages";
        let mut env = Scripted::at(NOW).expect(FEED, 200, &[], feed).expect(
            messages,
            200,
            &[],
            r#"{"recipient_id":"7012345678901234","message_id":"m_1"}"#,
        );
        fetch_notifications(&mut env, &page_graph(), None).unwrap_or_else(|e| panic!("{e:?}"));
        let commenters = Commenters::load(&env);
        // Ann commented at 12:31:07 on 2024-05-01, two days before NOW; the Page's own comment
        // is nobody to write to.
        let ann = commenters.answerable("7012345678901234", NOW).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ann.comment, "122100000000000101_987650000000002");
        assert!(commenters.answerable(PAGE, NOW).is_err());
        let message = |key: &str| {
            request(
                key,
                Action::Message(Message { account_id: "7012345678901234".into(), text: "Hi Ann".into() }),
            )
        };
        let outcome = execute(&mut env, &page_graph(), message("m1")).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(outcome.id.as_deref(), Some("m_1"));
        assert!(env.sent[1].body.contains(r#""comment_id":"122100000000000101_987650000000002""#));
        assert_eq!(
            execute(&mut env, &page_graph(), message("m1")),
            Ok(outcome),
            "a resend answers from memory"
        );
        assert!(matches!(
            execute(&mut env, &page_graph(), message("m2")),
            Err(PluginError::Permanent(m)) if m.contains("once per comment, within 7 days")
        ));
        assert_eq!(env.sent.len(), 2);
        // Reading the same feed again remembers nothing new and leaves the answer recorded.
        let mut env = env.expect(FEED, 200, &[], feed);
        fetch_notifications(&mut env, &page_graph(), None).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(Commenters::load(&env).answerable("7012345678901234", NOW).is_err());
    }

    #[test]
    fn a_busy_post_is_followed_to_older_comment_pages_until_seen_ones() {
        let mut env = Scripted::at(NOW)
            .expect(FEED, 200, &[], include_str!("../tests/fixtures/feed_busy_post.json"))
            .expect(
                "https://graph.facebook.com/v21.0/122100000000000102/comments",
                200,
                &[],
                include_str!("../tests/fixtures/comments_next_page.json"),
            );
        // Seen up to 08:59:00 (Ed's comment): Dee's at 09:00:10 is new, Ed's is not.
        let cursor = "1714640340:122100000000000102_900000000000009";
        let page =
            fetch_notifications(&mut env, &page_graph(), Some(cursor)).unwrap_or_else(|e| panic!("{e:?}"));
        let names: Vec<_> = page.items.iter().map(|n| n.account.display_name.as_str()).collect();
        assert_eq!(names, ["Bea New", "Cy Other", "Dee Third"]);
        assert!(env.sent[1].url.ends_with("after=QWZ0ZXI"));
        assert_eq!(env.sent[1].header("authorization"), Some("Bearer {{secret:page_token}}"));
        assert_eq!(page.next_cursor.as_deref(), Some("1714640412:122100000000000102_900000000000012"));
    }

    #[test]
    fn a_throttle_code_pauses_every_call_until_meta_recovers() {
        let buc = r#"{"104857600000001":[{"type":"pages","call_count":100,"total_cputime":9,"total_time":9,"estimated_time_to_regain_access":10}]}"#;
        let mut env = Scripted::at(NOW).expect(
            FEED,
            400,
            &[("x-business-use-case-usage", buc)],
            include_str!("../tests/fixtures/error_17_user_limit.json"),
        );
        assert_eq!(fetch_notifications(&mut env, &page_graph(), None), Err(PluginError::RateLimited(600)));
        env.now += 60;
        let reply = request(
            "r1",
            Action::Reply(Reply { to_post_id: "1_2".into(), text: "hi".into(), visibility: String::new() }),
        );
        assert_eq!(execute(&mut env, &page_graph(), reply), Err(PluginError::RateLimited(540)));
        assert_eq!(env.sent.len(), 1, "nothing sent while throttled");
    }

    #[test]
    fn high_usage_gives_up_a_read_but_never_a_confirmed_write() {
        let hot = [("x-app-usage", r#"{"call_count":97,"total_time":20,"total_cputime":20}"#)];
        let mut env =
            Scripted::at(NOW).expect(FEED, 200, &hot, include_str!("../tests/fixtures/feed_page.json"));
        assert_eq!(fetch_notifications(&mut env, &page_graph(), None), Err(PluginError::RateLimited(900)));

        let mut env =
            Scripted::at(NOW).expect(FEED, 200, &hot, include_str!("../tests/fixtures/post_created.json"));
        let publish = request(
            "p1",
            Action::Publish(Publish {
                text: "Fresh bread at 8.".into(),
                media_alt: String::new(),
                media: Vec::new(),
            }),
        );
        let outcome = execute(&mut env, &page_graph(), publish).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(outcome.id.as_deref(), Some("104857600000001_122100000000000200"));
        assert_eq!(
            outcome.url.as_deref(),
            Some("https://www.facebook.com/104857600000001_122100000000000200")
        );
        assert_eq!(env.sent[0].body, "message=Fresh%20bread%20at%208.");
        assert_eq!(env.kv_get_json::<i64>(THROTTLED_UNTIL_KEY), Some(NOW + 900));
    }

    #[test]
    fn an_expired_token_is_an_auth_error() {
        let mut env = Scripted::at(NOW).expect(
            FEED,
            400,
            &[],
            include_str!("../tests/fixtures/error_190_expired.json"),
        );
        assert!(matches!(fetch_notifications(&mut env, &page_graph(), None), Err(PluginError::Auth(_))));
    }

    #[test]
    fn a_reply_is_sent_once_per_key() {
        let comments = "https://graph.facebook.com/v21.0/122100000000000101_987650000000002/comments";
        let mut env = Scripted::at(NOW).expect(
            comments,
            200,
            &[],
            include_str!("../tests/fixtures/comment_created.json"),
        );
        let reply = || {
            request(
                "task-3",
                Action::Reply(Reply {
                    to_post_id: "122100000000000101_987650000000002".into(),
                    text: "Yes, oat & soy!".into(),
                    visibility: String::new(),
                }),
            )
        };
        let outcome = execute(&mut env, &page_graph(), reply()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(outcome.id.as_deref(), Some("122100000000000101_987650000000010"));
        assert_eq!(env.sent[0].body, "message=Yes%2C%20oat%20%26%20soy%21");
        assert_eq!(execute(&mut env, &page_graph(), reply()), Ok(outcome));
        assert_eq!(env.sent.len(), 1);
    }

    #[test]
    fn likes_are_sent_and_follows_refused() {
        let mut env = Scripted::at(NOW).expect(
            "https://graph.facebook.com/v21.0/122100000000000101_987650000000002/likes",
            200,
            &[],
            include_str!("../tests/fixtures/like_success.json"),
        );
        let like = request("l1", Action::Like("122100000000000101_987650000000002".into()));
        assert_eq!(execute(&mut env, &page_graph(), like), Ok(ActionOutcome { id: None, url: None }));
        for action in [
            Action::Follow("1".into()),
            Action::FollowBack("1".into()),
            Action::Unfollow("1".into()),
            Action::Repost("1".into()),
        ] {
            let result = execute(&mut env, &page_graph(), request("f", action));
            assert!(matches!(result, Err(PluginError::Denied(_))));
        }
        let bad = execute(&mut env, &page_graph(), request("l2", Action::Like("1/../../me".into())));
        assert!(matches!(bad, Err(PluginError::Permanent(_))));
        assert_eq!(env.sent.len(), 1);
    }

    #[test]
    fn a_deleted_comment_is_permanent_and_a_permission_gap_an_auth_problem() {
        let comments = "https://graph.facebook.com/v21.0/1_9/comments";
        let reply = |key: &str| {
            request(
                key,
                Action::Reply(Reply {
                    to_post_id: "1_9".into(),
                    text: "hi".into(),
                    visibility: String::new(),
                }),
            )
        };
        let mut env = Scripted::at(NOW)
            .expect(comments, 400, &[], include_str!("../tests/fixtures/error_100_deleted.json"))
            .expect(comments, 403, &[], include_str!("../tests/fixtures/error_200_permission.json"));
        assert!(matches!(execute(&mut env, &page_graph(), reply("a")), Err(PluginError::Permanent(_))));
        assert!(matches!(execute(&mut env, &page_graph(), reply("b")), Err(PluginError::Auth(_))));
    }

    #[test]
    fn accounts_are_looked_up_by_id() {
        let mut env = Scripted::at(NOW).expect(
            "https://graph.facebook.com/v21.0/7012345678901234",
            200,
            &[],
            r#"{"id":"7012345678901234","name":"Ann Example"}"#,
        );
        let account =
            lookup_account(&mut env, &page_graph(), "7012345678901234").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((account.id.as_str(), account.display_name.as_str()), ("7012345678901234", "Ann Example"));
        assert!(env.sent[0].url.ends_with("fields=id%2Cname%2Clink"));
    }
}
