//! The 0.2 reads over X API v2: discovery, a person's posts, the account's own posts with their
//! counts, relationships in bulk, and the acting account.
//!
//! | call | endpoint |
//! |---|---|
//! | `discover` hashtag | `GET /2/tweets/search/recent?query=#tag -is:retweet` (authors of the posts; 7 days back) |
//! | `discover` search | `GET /2/users/search?query=…` |
//! | `discover` followers-of | `GET /2/users/:id/followers` |
//! | `discover` list | `GET /2/lists/:id/tweets` (authors of the posts) |
//! | `discover` suggestions | denied: X API v2 has no follow suggestions |
//! | `recent-posts` | `GET /2/users/:id/tweets?exclude=retweets,replies` |
//! | `own-posts` | `GET /2/users/:me/tweets?exclude=retweets` with `public_metrics` |
//! | `relationships` | `GET /2/users?ids=…&user.fields=connection_status`, 100 ids per request |
//! | `lookup-self` | `GET /2/users/me` |
//!
//! X bills every item these return (see `read_costs` in the description), so pages are kept at
//! [`PAGE_SIZE`] items: the daemon's page budget then bounds what a run spends. Pages follow
//! `meta.next_token`, passed back as `next_token` to the searches and as `pagination_token` to the
//! timelines and lists. Every page is parsed with `Response::page`, so a page X sends in a shape
//! this plugin cannot read is `permanent`, naming the call.

use rapport_sdk::env::Env;
use rapport_sdk::http::Request;
use rapport_sdk::types::{
    Account, Candidate, CandidatePage, DiscoverySource, OwnPost, OwnPostPage, PluginError, PostPage,
    RelationshipOf,
};
use serde::de::DeserializeOwned;

use crate::api::{
    self, ListResponse, OWN_POST_FIELDS, ObjectResponse, POST_FIELDS, Tweet, USER_FIELDS, User,
};
use crate::auth::{self, Client};
use crate::plugin::{me, numeric_id};

/// Items per page of every billed read: at most $1.50 a page at X's per-item prices.
const PAGE_SIZE: &str = "100";
/// Ids per `GET /2/users` request, X's maximum.
const IDS_PER_REQUEST: usize = 100;
/// Why `discover` from suggestions is refused.
pub const NO_SUGGESTIONS: &str = "X API v2 has no follow-suggestion endpoint (\"Who to follow\" exists only in X's own apps); discover people on \
     X from a hashtag, a search, a list or an account's followers instead";

/// The query parameter that carries a page token back to X.
#[derive(Clone, Copy)]
enum Token {
    /// `next_token`, for the search endpoints.
    Next,
    /// `pagination_token`, for timelines, lists and follower lists.
    Pagination,
}

/// `request` for the page after `cursor` (`None`: the first page).
fn paged(request: Request, token: Token, cursor: Option<&str>) -> Request {
    let name = match token {
        Token::Next => "next_token",
        Token::Pagination => "pagination_token",
    };
    match cursor {
        Some(cursor) => request.query(name, cursor),
        None => request,
    }
}

/// Sends the request `build` makes and parses the answer as the page `call` expects.
fn read<T: DeserializeOwned, E: Env>(
    env: &mut E,
    client: &Client,
    call: &str,
    build: impl Fn() -> Request,
) -> Result<T, PluginError> {
    auth::send(env, client, build)?.page(call)
}

/// A page of tweets from `url` with their authors expanded.
fn tweets(url: &str, fields: &str) -> Request {
    Request::get(url)
        .query("max_results", PAGE_SIZE)
        .query("tweet.fields", fields)
        .query("expansions", "author_id")
        .query("user.fields", USER_FIELDS)
}

/// One page of people from `source`, the acting account left out.
pub fn discover<E: Env>(
    env: &mut E,
    client: &Client,
    source: DiscoverySource,
    cursor: Option<&str>,
) -> Result<CandidatePage, PluginError> {
    let me = me(env, client)?;
    let base = &client.api_base;
    let mut page = match source {
        DiscoverySource::Hashtag(tag) => {
            let tag = hashtag(&tag)?;
            let url = format!("{base}/2/tweets/search/recent");
            let query = format!("#{tag} -is:retweet");
            let page = read(env, client, "discover", || {
                paged(tweets(&url, POST_FIELDS).query("query", &query), Token::Next, cursor)
            })?;
            authors(page, &format!("posted #{tag}"), env.now())
        }
        DiscoverySource::List(id) => {
            let url = format!("{base}/2/lists/{}/tweets", numeric_id(&id)?);
            let page = read(env, client, "discover", || {
                paged(tweets(&url, POST_FIELDS), Token::Pagination, cursor)
            })?;
            authors(page, &format!("posted in X list {id}"), env.now())
        }
        DiscoverySource::Search(query) => {
            if query.trim().is_empty() {
                return Err(PluginError::Permanent("discover: a search needs a query".into()));
            }
            let url = format!("{base}/2/users/search");
            let page = read(env, client, "discover", || {
                paged(users(&url).query("query", query.trim()), Token::Next, cursor)
            })?;
            people(page, &format!("matched \"{}\"", query.trim()))
        }
        DiscoverySource::FollowersOf(id) => {
            let url = format!("{base}/2/users/{}/followers", numeric_id(&id)?);
            let page = read(env, client, "discover", || paged(users(&url), Token::Pagination, cursor))?;
            people(page, &format!("follows X account {id}"))
        }
        DiscoverySource::Suggestions => return Err(PluginError::Denied(NO_SUGGESTIONS.into())),
    };
    page.items.retain(|c| c.account.id != me.id);
    Ok(page)
}

/// `tag` without its `#`, if it is one hashtag: anything else (spaces, operators) would change
/// what the search query means.
fn hashtag(tag: &str) -> Result<&str, PluginError> {
    let tag = tag.trim().trim_start_matches('#');
    if !tag.is_empty() && tag.chars().all(|c| c.is_alphanumeric() || c == '_') {
        Ok(tag)
    } else {
        Err(PluginError::Permanent(format!(
            "discover: {tag:?} is not an X hashtag (letters, digits and _ only)"
        )))
    }
}

/// A page of users from `url`.
fn users(url: &str) -> Request {
    Request::get(url).query("max_results", PAGE_SIZE).query("user.fields", USER_FIELDS)
}

/// The distinct authors of a page of tweets, each with their first (newest) tweet on it; tweets
/// whose author X left out of `includes` are skipped.
fn authors(page: ListResponse<Tweet>, why: &str, now: i64) -> CandidatePage {
    let mut items: Vec<Candidate> = Vec::new();
    for tweet in &page.data {
        let Some(author) = api::author(tweet, &page.includes) else { continue };
        if items.iter().any(|c| c.account.id == author.id) {
            continue;
        }
        let post = api::post(tweet, author, now);
        items.push(Candidate {
            account: post.author.clone(),
            post: Some(post),
            known_followers: None,
            why: why.to_owned(),
        });
    }
    CandidatePage { items, next_cursor: page.meta.next_token }
}

/// A page of users as candidates; X has no cheap "followed by N you follow".
fn people(page: ListResponse<User>, why: &str) -> CandidatePage {
    let items = page
        .data
        .iter()
        .map(|user| Candidate {
            account: api::account(user),
            post: None,
            known_followers: None,
            why: why.to_owned(),
        })
        .collect();
    CandidatePage { items, next_cursor: page.meta.next_token }
}

/// A page of the timeline of account `id`: `exclude` names what to leave out, `fields` the tweet
/// fields; `call` names the read in errors.
fn timeline<E: Env>(
    env: &mut E,
    client: &Client,
    call: &str,
    id: &str,
    (exclude, fields): (&str, &str),
    cursor: Option<&str>,
) -> Result<ListResponse<Tweet>, PluginError> {
    let url = format!("{}/2/users/{}/tweets", client.api_base, numeric_id(id)?);
    read(env, client, call, || {
        paged(tweets(&url, fields).query("exclude", exclude), Token::Pagination, cursor)
    })
}

/// One page of the posts of account `id`, newest first, without retweets and replies.
pub fn recent_posts<E: Env>(
    env: &mut E,
    client: &Client,
    id: &str,
    cursor: Option<&str>,
) -> Result<PostPage, PluginError> {
    let page = timeline(env, client, "recent-posts", id, ("retweets,replies", POST_FIELDS), cursor)?;
    let now = env.now();
    let items =
        page.data.iter().filter_map(|t| Some(api::post(t, api::author(t, &page.includes)?, now))).collect();
    Ok(PostPage { items, next_cursor: page.meta.next_token })
}

/// One page of the acting account's posts (its replies included, retweets not) with their counts.
pub fn own_posts<E: Env>(
    env: &mut E,
    client: &Client,
    cursor: Option<&str>,
) -> Result<OwnPostPage, PluginError> {
    let me = me(env, client)?;
    let page = timeline(env, client, "own-posts", &me.id, ("retweets", OWN_POST_FIELDS), cursor)?;
    let now = env.now();
    let items = page
        .data
        .iter()
        .filter_map(|t| {
            let post = api::post(t, api::author(t, &page.includes)?, now);
            Some(OwnPost { post, metrics: api::metrics(t) })
        })
        .collect();
    Ok(OwnPostPage { items, next_cursor: page.meta.next_token })
}

/// How the acting account stands to each of `ids`, [`IDS_PER_REQUEST`] per request; ids X does
/// not know (it names them in `errors`) are left out. Every id is checked before the first request.
pub fn relationships<E: Env>(
    env: &mut E,
    client: &Client,
    ids: &[String],
) -> Result<Vec<RelationshipOf>, PluginError> {
    for id in ids {
        numeric_id(id)?;
    }
    let url = format!("{}/2/users", client.api_base);
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IDS_PER_REQUEST) {
        let joined = chunk.join(",");
        let found: ListResponse<User> = read(env, client, "relationships", || {
            Request::get(&url).query("ids", &joined).query("user.fields", "connection_status")
        })?;
        out.extend(
            found
                .data
                .iter()
                .map(|u| RelationshipOf { id: u.id.clone(), relationship: api::relationship(u) }),
        );
    }
    Ok(out)
}

/// The acting account, read fresh: its counts change.
pub fn lookup_self<E: Env>(env: &mut E, client: &Client) -> Result<Account, PluginError> {
    let url = format!("{}/2/users/me", client.api_base);
    let found: ObjectResponse<User> =
        read(env, client, "lookup-self", || Request::get(&url).query("user.fields", USER_FIELDS))?;
    let user = found.data.ok_or_else(|| {
        PluginError::Permanent("lookup-self: X answered GET /2/users/me without the account".into())
    })?;
    Ok(api::account(&user))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::tests::{ME_ID, signed_in, x_client};
    use rapport_sdk::types::Relationship;

    const SEARCH: &str = "https://api.x.com/2/tweets/search/recent";
    const HASHTAG_PAGE: &str = include_str!("../tests/fixtures/search_recent_page.json");
    const OWN_PAGE: &str = include_str!("../tests/fixtures/own_tweets_page.json");

    fn ok<T>(result: Result<T, PluginError>) -> T {
        result.unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn a_hashtag_page_gives_each_author_once_with_their_post_skipping_the_unknown_and_the_account() {
        let mut env = signed_in().expect(SEARCH, 200, &[], HASHTAG_PAGE);
        let page = ok(discover(&mut env, &x_client(), DiscoverySource::Hashtag("#pottery".into()), None));
        let ids: Vec<&str> = page.items.iter().map(|c| c.account.id.as_str()).collect();
        // Ann twice (newest kept), Bea, the account itself (left out), an author X did not include.
        assert_eq!(ids, ["1524876381092638720", "1600000000000000001"]);
        let first = &page.items[0];
        assert_eq!(first.why, "posted #pottery");
        let post = first.post.as_ref().unwrap_or_else(|| panic!("a hashtag candidate carries the post"));
        assert_eq!(post.id, "1790000000000000003");
        assert_eq!(post.url, "https://x.com/ann_example/status/1790000000000000003");
        assert_eq!(post.created, 1_715_000_000);
        assert_eq!(page.next_cursor.as_deref(), Some("b26v89c19zqg8o3fpzbkk"));
        let url = &env.sent[0].url;
        assert!(url.contains("query=%23pottery%20-is%3Aretweet"), "{url}");
        assert!(url.contains("expansions=author_id") && url.contains("max_results=100"), "{url}");
        assert!(!url.contains("next_token"), "{url}");
    }

    #[test]
    fn the_next_page_of_a_search_sends_next_token_and_timelines_pagination_token() {
        let mut env = signed_in().expect(SEARCH, 200, &[], r#"{"meta":{"result_count":0}}"#);
        let page =
            ok(discover(&mut env, &x_client(), DiscoverySource::Hashtag("pottery".into()), Some("tok1")));
        assert!(page.items.is_empty() && page.next_cursor.is_none());
        assert!(env.sent[0].url.ends_with("next_token=tok1"), "{}", env.sent[0].url);

        let list = "https://api.x.com/2/lists/84839422/tweets";
        let mut env = env.expect(list, 200, &[], HASHTAG_PAGE);
        let page =
            ok(discover(&mut env, &x_client(), DiscoverySource::List("84839422".into()), Some("tok2")));
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.items[0].why, "posted in X list 84839422");
        assert!(env.sent[1].url.ends_with("pagination_token=tok2"), "{}", env.sent[1].url);
    }

    #[test]
    fn people_searches_and_follower_lists_are_candidates_without_posts() {
        let followers = include_str!("../tests/fixtures/followers_page.json");
        let mut env = signed_in().expect("https://api.x.com/2/users/search", 200, &[], followers);
        let page = ok(discover(&mut env, &x_client(), DiscoverySource::Search(" ceramics ".into()), None));
        assert_eq!(page.items.len(), 2);
        assert!(page.items.iter().all(|c| c.post.is_none() && c.why == "matched \"ceramics\""));
        assert_eq!(page.next_cursor.as_deref(), Some("DFEDBNRFT3MHCZZZ"));
        assert!(env.sent[0].url.ends_with("query=ceramics"), "{}", env.sent[0].url);

        let mut env = env.expect("https://api.x.com/2/users/2244994945/followers", 200, &[], followers);
        let page =
            ok(discover(&mut env, &x_client(), DiscoverySource::FollowersOf("2244994945".into()), None));
        assert_eq!(page.items[1].account.handle, "ann_example");
        assert_eq!(page.items[1].why, "follows X account 2244994945");
    }

    #[test]
    fn suggestions_bad_sources_and_forged_ids_are_refused_without_a_request() {
        let mut env = signed_in();
        let client = x_client();
        let refused = discover(&mut env, &client, DiscoverySource::Suggestions, None);
        assert!(
            matches!(refused, Err(PluginError::Denied(m)) if m.contains("no follow-suggestion endpoint"))
        );
        for source in [
            DiscoverySource::Hashtag("pottery OR from:someone".into()),
            DiscoverySource::Hashtag("#".into()),
            DiscoverySource::Search("  ".into()),
            DiscoverySource::FollowersOf("../users/me".into()),
            DiscoverySource::List("".into()),
        ] {
            assert!(matches!(discover(&mut env, &client, source, None), Err(PluginError::Permanent(_))));
        }
        assert!(matches!(recent_posts(&mut env, &client, "me", None), Err(PluginError::Permanent(_))));
        let ids = vec!["1".to_owned(), "2/../3".to_owned()];
        assert!(matches!(relationships(&mut env, &client, &ids), Err(PluginError::Permanent(_))));
        assert!(env.sent.is_empty());
    }

    #[test]
    fn recent_posts_leave_out_retweets_and_replies_and_posts_without_their_author() {
        let mut env = signed_in().expect(
            "https://api.x.com/2/users/1524876381092638720/tweets",
            200,
            &[],
            HASHTAG_PAGE,
        );
        let page = ok(recent_posts(&mut env, &x_client(), "1524876381092638720", Some("p2")));
        // Five tweets, one by an author X did not include.
        assert_eq!(page.items.len(), 4);
        assert_eq!(page.items[0].author.handle, "ann_example");
        let url = &env.sent[0].url;
        assert!(url.contains("exclude=retweets%2Creplies"), "{url}");
        assert!(url.contains("tweet.fields=author_id%2Ccreated_at%2Creferenced_tweets"), "{url}");
        assert!(url.ends_with("pagination_token=p2"), "{url}");
    }

    #[test]
    fn own_posts_carry_the_public_counts_and_views_only_where_x_gave_them() {
        let own = format!("https://api.x.com/2/users/{ME_ID}/tweets");
        let mut env = signed_in().expect(&own, 200, &[], OWN_PAGE);
        let page = ok(own_posts(&mut env, &x_client(), None));
        assert_eq!(page.items.len(), 2);
        let counted = &page.items[0].metrics;
        assert_eq!((counted.likes, counted.reposts, counted.replies), (12, 3, 4));
        assert_eq!((counted.quotes, counted.views), (Some(1), Some(2_048)));
        // The second has no impression_count, no quote_count and no like_count.
        let sparse = &page.items[1].metrics;
        assert_eq!((sparse.likes, sparse.reposts, sparse.replies), (0, 1, 0));
        assert_eq!((sparse.quotes, sparse.views), (None, None));
        assert_eq!(page.items[1].post.in_reply_to.as_deref(), Some("1789000000000000000"));
        let url = &env.sent[0].url;
        assert!(url.contains("public_metrics") && !url.contains("non_public_metrics"), "{url}");
        assert!(url.ends_with("exclude=retweets"), "{url}");
        assert_eq!(page.next_cursor, None);
    }

    #[test]
    fn a_post_without_metrics_counts_zero_and_no_views() {
        let page: ListResponse<Tweet> = serde_json::from_str(
            r#"{"data":[{"id":"5","text":"hi","author_id":"7"}],"includes":{"users":[{"id":"7","username":"q"}]}}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let metrics = api::metrics(&page.data[0]);
        assert_eq!((metrics.likes, metrics.reposts, metrics.replies, metrics.views), (0, 0, 0, None));
        let post = api::post(&page.data[0], &page.includes.users[0], 99);
        assert_eq!((post.created, post.in_reply_to), (99, None), "no created_at: the time of reading");
    }

    #[test]
    fn relationships_map_connection_status_a_hundred_ids_a_request() {
        let body = include_str!("../tests/fixtures/users_connection_status.json");
        let mut env = signed_in().expect("https://api.x.com/2/users?", 200, &[], body).expect(
            "https://api.x.com/2/users?",
            200,
            &[],
            r#"{"data":[{"id":"150","name":"n","username":"n"}]}"#,
        );
        let ids: Vec<String> = (1..=150).map(|i| i.to_string()).collect();
        let found = ok(relationships(&mut env, &x_client(), &ids));
        assert_eq!(env.sent.len(), 2);
        assert!(env.sent[0].url.contains("ids=1%2C2%2C3") && env.sent[0].url.contains("%2C100&"));
        assert!(env.sent[1].url.contains("ids=101%2C"));
        assert!(env.sent[0].url.contains("user.fields=connection_status"));
        let of = |id: &str| found.iter().find(|r| r.id == id).map(|r| r.relationship);
        let rel =
            |following, followed_by, requested| Some(Relationship { following, followed_by, requested });
        assert_eq!(of("1"), rel(true, true, false), "mutual");
        assert_eq!(of("2"), rel(false, true, false), "a follower who is also muted");
        assert_eq!(of("3"), rel(false, false, true), "a request sent");
        assert_eq!(of("4"), rel(false, false, false), "no connection_status: no connection");
        assert_eq!(of("5"), None, "X does not know 5: left out");
        assert_eq!(of("150"), rel(false, false, false));
    }

    #[test]
    fn lookup_self_reads_the_counts_fresh() {
        let mut env = signed_in().expect(
            "https://api.x.com/2/users/me",
            200,
            &[],
            r#"{"data":{"id":"1458284524761075714","name":"Rapport Demo","username":"rapportdemo","public_metrics":{"followers_count":120,"following_count":80}}}"#,
        );
        let me = ok(lookup_self(&mut env, &x_client()));
        assert_eq!((me.id.as_str(), me.followers, me.following), (ME_ID, Some(120), Some(80)));
        assert!(env.sent[0].url.contains("user.fields=created_at%2Cdescription%2Cpublic_metrics"));
        let mut env =
            env.expect("https://api.x.com/2/users/me", 200, &[], r#"{"errors":[{"detail":"gone"}]}"#);
        assert!(
            matches!(lookup_self(&mut env, &x_client()), Err(PluginError::Permanent(m)) if m.contains("lookup-self"))
        );
    }

    #[test]
    fn a_malformed_page_is_permanent_and_names_the_call() {
        for body in [
            "<html>upstream connect error</html>",
            r#"{"data":"not a list"}"#,
            r#"{"data":[{"text":"no id"}]}"#,
        ] {
            let mut env = signed_in().expect(SEARCH, 200, &[], body);
            let result = discover(&mut env, &x_client(), DiscoverySource::Hashtag("pottery".into()), None);
            assert!(matches!(result, Err(PluginError::Permanent(m)) if m.starts_with("discover:")), "{body}");
        }
        let mut env = signed_in().expect("https://api.x.com/2/users?", 200, &[], r#"{"data":{}}"#);
        let result = relationships(&mut env, &x_client(), &["1".to_owned()]);
        assert!(matches!(result, Err(PluginError::Permanent(m)) if m.starts_with("relationships:")));
    }

    #[test]
    fn x_errors_keep_their_meaning_on_reads() {
        let mut env = signed_in().expect(SEARCH, 503, &[], "");
        let result = discover(&mut env, &x_client(), DiscoverySource::Hashtag("pottery".into()), None);
        assert!(matches!(result, Err(PluginError::Transient(_))));
        let body = include_str!("../tests/fixtures/error_402_credits.json");
        let mut env = signed_in().expect(SEARCH, 402, &[], body);
        let result = discover(&mut env, &x_client(), DiscoverySource::Hashtag("pottery".into()), None);
        assert!(matches!(result, Err(PluginError::Denied(m)) if m.contains("402")));
    }
}
