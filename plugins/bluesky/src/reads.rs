//! The 0.2 reads over XRPC: discovery, a person's posts, the account's own posts with their
//! counts, relationships in bulk, and the acting account.
//!
//! | call | XRPC |
//! |---|---|
//! | `discover` hashtag | `app.bsky.feed.searchPosts?q=#tag` (authors of the posts) |
//! | `discover` search | `app.bsky.feed.searchPosts`, then `app.bsky.actor.searchActors` ([`SearchCursor`]) |
//! | `discover` suggestions | `app.bsky.graph.getSuggestedFollowsByActor?actor=<own DID>` |
//! | `discover` followers-of | `app.bsky.graph.getFollowers?actor=…` |
//! | `discover` list | `app.bsky.feed.getListFeed?list=<at-uri>` (authors of the posts) |
//! | counts, social proof | `app.bsky.actor.getProfiles`, 25 per request, for candidates that came as a basic view |
//! | `recent-posts`, `own-posts` | `app.bsky.feed.getAuthorFeed?filter=posts_no_replies` (reposts left out) |
//! | `relationships` | `app.bsky.graph.getRelationships?actor=<own DID>&others=…`, 30 per request |
//! | `lookup-self` | `app.bsky.actor.getProfile?actor=<own DID>` |
//!
//! Pages follow the XRPC `cursor`. Every page is read with [`Xrpc::query_page`], so one the
//! AppView sends malformed is `permanent`, naming the call. Search results and feeds carry the
//! basic profile view, without counts; the candidates of a page are read again as detailed
//! profiles (`getProfiles`), which adds their follower counts and `viewer.knownFollowers` — the
//! cheap social proof: one request per 25 candidates, where `getKnownFollowers` would be one per
//! candidate.

use std::collections::HashMap;

use rapport_sdk::account;
use rapport_sdk::types::{
    Account, Candidate, CandidatePage, DiscoverySource, OwnPost, OwnPostPage, PluginError, PostPage,
    RelationshipOf,
};

use crate::api;
use crate::client::Xrpc;
use crate::convert;

/// Posts, accounts or feed items asked per page: every list's default, and at most two
/// `getProfiles` requests of candidates per page.
const PAGE_LIMIT: &str = "50";
/// The most actors one `getProfiles` call accepts.
const PROFILES_PER_REQUEST: usize = 25;
/// The most accounts one `getRelationships` call accepts (the lexicon's `maxLength` of `others`).
const RELATIONSHIPS_PER_REQUEST: usize = 30;

/// Someone a discovery page found, before their detailed profile is read.
#[derive(Debug)]
struct Found {
    profile: api::Profile,
    post: Option<api::PostView>,
    why: String,
}

/// One page of people from `source`; the acting account itself is left out.
pub fn discover(source: DiscoverySource, cursor: Option<String>) -> Result<CandidatePage, PluginError> {
    let mut x = Xrpc::connect(&account::current())?;
    let cursor = cursor.as_deref();
    let (found, next_cursor) = match source {
        DiscoverySource::Hashtag(tag) => {
            let tag = tag.trim().trim_start_matches('#');
            if tag.is_empty() {
                return Err(PluginError::Permanent("discover: a hashtag discovery needs a tag".into()));
            }
            let page = search_posts(&mut x, &format!("#{tag}"), cursor)?;
            let next = onward(cursor, page.posts.len(), page.cursor);
            (distinct_authors(page.posts, &format!("posted #{tag}")), next)
        }
        DiscoverySource::Search(query) => search(&mut x, &query, cursor)?,
        DiscoverySource::Suggestions => {
            let own = x.did().to_owned();
            let page: api::Suggestions =
                x.query_page("app.bsky.graph.getSuggestedFollowsByActor", &[("actor", &own)], "discover")?;
            (found_accounts(page.suggestions, "suggested by Bluesky"), None)
        }
        DiscoverySource::FollowersOf(actor) => {
            let mut params = vec![("actor", actor.as_str()), ("limit", PAGE_LIMIT)];
            params.extend(cursor.map(|c| ("cursor", c)));
            let page: api::Followers = x.query_page("app.bsky.graph.getFollowers", &params, "discover")?;
            let next = onward(cursor, page.followers.len(), page.cursor);
            (found_accounts(page.followers, &format!("follows @{}", page.subject.handle)), next)
        }
        DiscoverySource::List(uri) => {
            if !uri.starts_with("at://") {
                return Err(PluginError::Permanent(format!(
                    "discover: {uri:?} is not a Bluesky list id (an at:// URI of an app.bsky.graph.list record)"
                )));
            }
            let mut params = vec![("list", uri.as_str()), ("limit", PAGE_LIMIT)];
            params.extend(cursor.map(|c| ("cursor", c)));
            let page: api::Feed = x.query_page("app.bsky.feed.getListFeed", &params, "discover")?;
            let next = onward(cursor, page.feed.len(), page.cursor);
            (distinct_authors(own_items(page.feed), "posted in the list"), next)
        }
    };
    let items = candidates(&mut x, found)?;
    Ok(CandidatePage { items, next_cursor })
}

/// Where a search stands: in the matching posts (whose authors it proposes) or, once they are
/// read to the end, in the matching accounts. Encoded as `posts:<XRPC cursor>` or
/// `actors:<XRPC cursor>`, an empty XRPC cursor standing for that list's first page; no cursor
/// at all is the first page of posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchCursor {
    /// The page of `searchPosts` after this cursor (`None`: the first).
    Posts(Option<String>),
    /// The page of `searchActors` after this cursor (`None`: the first).
    Actors(Option<String>),
}

impl SearchCursor {
    /// The position `cursor` names; an unreadable one is `permanent`, since asking again with it
    /// cannot help.
    pub fn parse(cursor: Option<&str>) -> Result<SearchCursor, PluginError> {
        let Some(cursor) = cursor else { return Ok(SearchCursor::Posts(None)) };
        let inner = |rest: &str| (!rest.is_empty()).then(|| rest.to_owned());
        if let Some(rest) = cursor.strip_prefix("posts:") {
            Ok(SearchCursor::Posts(inner(rest)))
        } else if let Some(rest) = cursor.strip_prefix("actors:") {
            Ok(SearchCursor::Actors(inner(rest)))
        } else {
            Err(PluginError::Permanent(format!(
                "discover: {cursor:?} is not a search cursor of this plugin (posts:… or actors:…)"
            )))
        }
    }

    /// The cursor string for this position.
    pub fn encode(&self) -> String {
        match self {
            SearchCursor::Posts(after) => format!("posts:{}", after.as_deref().unwrap_or_default()),
            SearchCursor::Actors(after) => format!("actors:{}", after.as_deref().unwrap_or_default()),
        }
    }
}

/// A search, one XRPC page per call: the authors of matching posts (each with the post), then
/// matching accounts. A posts phase that ends on an empty page goes on to the first page of
/// accounts in the same call, so an empty page always means the search is over.
fn search(
    x: &mut Xrpc,
    query: &str,
    cursor: Option<&str>,
) -> Result<(Vec<Found>, Option<String>), PluginError> {
    let query = query.trim();
    if query.is_empty() {
        return Err(PluginError::Permanent("discover: a search needs a query".into()));
    }
    let why = format!("matched \"{query}\"");
    let after_actors = match SearchCursor::parse(cursor)? {
        SearchCursor::Posts(after) => {
            let page = search_posts(x, query, after.as_deref())?;
            let fetched = page.posts.len();
            let next = match onward(after.as_deref(), fetched, page.cursor) {
                Some(more) => SearchCursor::Posts(Some(more)),
                None => SearchCursor::Actors(None),
            };
            if fetched > 0 {
                return Ok((distinct_authors(page.posts, &why), Some(next.encode())));
            }
            None
        }
        SearchCursor::Actors(after) => after,
    };
    let mut params = vec![("q", query), ("limit", PAGE_LIMIT)];
    params.extend(after_actors.as_deref().map(|c| ("cursor", c)));
    let page: api::FoundActors = x.query_page("app.bsky.actor.searchActors", &params, "discover")?;
    let next = onward(after_actors.as_deref(), page.actors.len(), page.cursor)
        .map(|more| SearchCursor::Actors(Some(more)).encode());
    Ok((found_accounts(page.actors, &why), next))
}

/// One page of `searchPosts` for `q` (newest first, the lexicon's default order).
fn search_posts(x: &mut Xrpc, q: &str, cursor: Option<&str>) -> Result<api::FoundPosts, PluginError> {
    let mut params = vec![("q", q), ("limit", PAGE_LIMIT)];
    params.extend(cursor.map(|c| ("cursor", c)));
    x.query_page("app.bsky.feed.searchPosts", &params, "discover")
}

/// The cursor to the next page: the one the AppView gave, unless the page was empty or the
/// cursor did not move — the end either way, where following it would read the same page again.
pub fn onward(asked: Option<&str>, fetched: usize, next: Option<String>) -> Option<String> {
    next.filter(|next| fetched > 0 && !next.is_empty() && Some(next.as_str()) != asked)
}

/// The posts of a feed that are there as their author's own, not reposted into it.
fn own_items(feed: Vec<api::FeedItem>) -> Vec<api::PostView> {
    feed.into_iter().filter(|item| item.reason.is_none()).map(|item| item.post).collect()
}

/// The distinct authors of `posts`, each with their first (newest) post of the page.
fn distinct_authors(posts: Vec<api::PostView>, why: &str) -> Vec<Found> {
    let mut found: Vec<Found> = Vec::new();
    for post in posts {
        if !found.iter().any(|f| f.profile.did == post.author.did) {
            found.push(Found { profile: post.author.clone(), post: Some(post), why: why.to_owned() });
        }
    }
    found
}

/// Accounts found as such, without a post.
fn found_accounts(profiles: Vec<api::Profile>, why: &str) -> Vec<Found> {
    let mut found: Vec<Found> = Vec::new();
    for profile in profiles {
        if !found.iter().any(|f| f.profile.did == profile.did) {
            found.push(Found { profile, post: None, why: why.to_owned() });
        }
    }
    found
}

/// The candidates of a page, the acting account left out, each with their detailed profile:
/// those that came as a basic view (no follower count) are read again with `getProfiles`, and
/// an account the AppView no longer returns keeps the view it came with.
fn candidates(x: &mut Xrpc, mut found: Vec<Found>) -> Result<Vec<Candidate>, PluginError> {
    let own = x.did().to_owned();
    found.retain(|f| f.profile.did != own);
    let basic: Vec<&str> = found
        .iter()
        .filter(|f| f.profile.followers_count.is_none())
        .map(|f| f.profile.did.as_str())
        .collect();
    let mut detailed: HashMap<String, api::Profile> = HashMap::new();
    for chunk in basic.chunks(PROFILES_PER_REQUEST) {
        let params: Vec<(&str, &str)> = chunk.iter().map(|did| ("actors", *did)).collect();
        let page: api::Profiles = x.query_page("app.bsky.actor.getProfiles", &params, "discover")?;
        detailed.extend(page.profiles.into_iter().map(|p| (p.did.clone(), p)));
    }
    Ok(found.into_iter().map(|f| candidate(f, &mut detailed)).collect())
}

/// The contract's candidate for `found`, with its detailed profile if one was read.
fn candidate(found: Found, detailed: &mut HashMap<String, api::Profile>) -> Candidate {
    let profile = detailed.remove(&found.profile.did).unwrap_or(found.profile);
    let account = convert::account(&profile);
    let post =
        found.post.map(|view| convert::post(&view.uri, account.clone(), &view.record, &view.indexed_at));
    Candidate { known_followers: convert::known_followers(&profile), account, post, why: found.why }
}

/// One page of the posts `actor` wrote (a DID or a handle; `None`: the acting account), newest
/// first: replies and reposts left out.
fn author_feed(
    actor: Option<&str>,
    cursor: Option<&str>,
    call: &str,
) -> Result<(Vec<api::PostView>, Option<String>), PluginError> {
    let mut x = Xrpc::connect(&account::current())?;
    let own = x.did().to_owned();
    let actor = actor.unwrap_or(&own);
    let mut params = vec![("actor", actor), ("filter", "posts_no_replies"), ("limit", PAGE_LIMIT)];
    params.extend(cursor.map(|c| ("cursor", c)));
    let page: api::Feed = x.query_page("app.bsky.feed.getAuthorFeed", &params, call)?;
    let next = onward(cursor, page.feed.len(), page.cursor);
    Ok((own_items(page.feed), next))
}

/// One page of the posts of the account `id`.
pub fn recent_posts(id: String, cursor: Option<String>) -> Result<PostPage, PluginError> {
    if id.trim().is_empty() {
        return Err(PluginError::Permanent("recent-posts: the account id is empty".into()));
    }
    let (posts, next_cursor) = author_feed(Some(&id), cursor.as_deref(), "recent-posts")?;
    Ok(PostPage { items: posts.iter().map(convert::post_view).collect(), next_cursor })
}

/// One page of the acting account's posts with the AppView's counts (Bluesky has no views).
pub fn own_posts(cursor: Option<String>) -> Result<OwnPostPage, PluginError> {
    let (posts, next_cursor) = author_feed(None, cursor.as_deref(), "own-posts")?;
    let items = posts
        .iter()
        .map(|view| OwnPost { post: convert::post_view(view), metrics: convert::metrics(view) })
        .collect();
    Ok(OwnPostPage { items, next_cursor })
}

/// How the acting account stands to each of `ids`, [`RELATIONSHIPS_PER_REQUEST`] per request;
/// accounts the AppView does not know are left out.
pub fn relationships(ids: Vec<String>) -> Result<Vec<RelationshipOf>, PluginError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    if ids.iter().any(|id| id.trim().is_empty()) {
        return Err(PluginError::Permanent("relationships: one of the account ids is empty".into()));
    }
    let mut x = Xrpc::connect(&account::current())?;
    let own = x.did().to_owned();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(RELATIONSHIPS_PER_REQUEST) {
        let mut params = vec![("actor", own.as_str())];
        params.extend(chunk.iter().map(|id| ("others", id.as_str())));
        let page: api::Relationships =
            x.query_page("app.bsky.graph.getRelationships", &params, "relationships")?;
        out.extend(convert::relationships(&page.relationships));
    }
    Ok(out)
}

/// The acting account, read fresh for its counts.
pub fn lookup_self() -> Result<Account, PluginError> {
    let mut x = Xrpc::connect(&account::current())?;
    let own = x.did().to_owned();
    let profile: api::Profile =
        x.query_page("app.bsky.actor.getProfile", &[("actor", &own)], "lookup-self")?;
    Ok(convert::account(&profile))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `postView` in the AppView's shape.
    fn view_json(uri: &str, author: &str) -> serde_json::Value {
        serde_json::json!({
            "uri": uri, "cid": "bafy", "author": {"did": author, "handle": format!("{author}.test")},
            "record": {"$type": "app.bsky.feed.post", "text": "#pottery glaze", "createdAt": "2024-05-01T11:00:00.000Z"},
            "indexedAt": "2024-05-01T11:00:01.000Z"
        })
    }

    fn view(uri: &str, author: &str) -> api::PostView {
        serde_json::from_value(view_json(uri, author)).expect("post view parses")
    }

    #[test]
    fn a_search_cursor_names_its_list_and_round_trips() {
        assert_eq!(SearchCursor::parse(None), Ok(SearchCursor::Posts(None)));
        for at in [
            SearchCursor::Posts(Some("1714567725460::bafy".into())),
            SearchCursor::Actors(None),
            SearchCursor::Actors(Some("25".into())),
        ] {
            assert_eq!(SearchCursor::parse(Some(&at.encode())), Ok(at));
        }
        assert_eq!(SearchCursor::Actors(None).encode(), "actors:");
        assert_eq!(SearchCursor::parse(Some("posts:")), Ok(SearchCursor::Posts(None)));
        assert!(
            matches!(SearchCursor::parse(Some("3kq")), Err(PluginError::Permanent(m)) if m.contains("\"3kq\""))
        );
    }

    #[test]
    fn a_page_goes_on_only_if_it_held_something_and_the_cursor_moved() {
        assert_eq!(onward(None, 3, Some("c1".into())).as_deref(), Some("c1"));
        assert_eq!(onward(Some("c1"), 3, Some("c2".into())).as_deref(), Some("c2"));
        assert_eq!(onward(None, 0, Some("c1".into())), None, "an empty page is the end");
        assert_eq!(onward(Some("c1"), 3, Some("c1".into())), None, "a cursor that does not move");
        assert_eq!(onward(None, 3, Some(String::new())), None);
        assert_eq!(onward(None, 3, None), None);
    }

    #[test]
    fn authors_are_proposed_once_with_their_newest_post() {
        let posts = vec![
            view("at://did:plc:ann/app.bsky.feed.post/3", "did:plc:ann"),
            view("at://did:plc:bob/app.bsky.feed.post/2", "did:plc:bob"),
            view("at://did:plc:ann/app.bsky.feed.post/1", "did:plc:ann"),
        ];
        let found = distinct_authors(posts, "posted #pottery");
        let seen: Vec<(&str, &str)> = found
            .iter()
            .map(|f| (f.profile.did.as_str(), f.post.as_ref().map_or("", |p| p.uri.as_str())))
            .collect();
        assert_eq!(
            seen,
            [
                ("did:plc:ann", "at://did:plc:ann/app.bsky.feed.post/3"),
                ("did:plc:bob", "at://did:plc:bob/app.bsky.feed.post/2")
            ]
        );
        assert!(found.iter().all(|f| f.why == "posted #pottery"));
    }

    #[test]
    fn reposts_in_a_feed_are_left_out() {
        let feed: api::Feed = serde_json::from_value(serde_json::json!({
            "cursor": "c2",
            "feed": [
                {"post": view_json("at://did:plc:ann/app.bsky.feed.post/3", "did:plc:ann")},
                {"post": view_json("at://did:plc:cat/app.bsky.feed.post/2", "did:plc:cat"),
                 "reason": {"$type": "app.bsky.feed.defs#reasonRepost", "by": {"did": "did:plc:ann", "handle": "ann.test"},
                            "indexedAt": "2024-05-01T11:00:00.000Z"}}
            ]
        }))
        .expect("feed parses");
        let own: Vec<String> = own_items(feed.feed).into_iter().map(|p| p.uri).collect();
        assert_eq!(own, ["at://did:plc:ann/app.bsky.feed.post/3"]);
    }

    #[test]
    fn a_detailed_profile_replaces_the_basic_one_and_brings_its_known_followers() {
        let found = distinct_authors(vec![view("at://did:plc:ann/app.bsky.feed.post/3", "did:plc:ann")], "w");
        let detailed: api::Profile = serde_json::from_value(serde_json::json!({
            "did": "did:plc:ann", "handle": "ann.test", "followersCount": 12, "followsCount": 3, "postsCount": 7,
            "viewer": {"knownFollowers": {"count": 2, "followers": []}}
        }))
        .expect("profile parses");
        let mut detailed = HashMap::from([(detailed.did.clone(), detailed)]);
        let mut found = found.into_iter();
        let c = candidate(found.next().expect("one author"), &mut detailed);
        assert_eq!((c.account.followers, c.known_followers), (Some(12), Some(2)));
        let post = c.post.expect("the matching post");
        assert_eq!((post.text.as_str(), post.author.followers), ("#pottery glaze", Some(12)));

        // Not returned again (deleted, taken down): the basic view stands, with nothing known.
        let lone = distinct_authors(vec![view("at://did:plc:bob/app.bsky.feed.post/2", "did:plc:bob")], "w");
        let c = candidate(lone.into_iter().next().expect("one author"), &mut HashMap::new());
        assert_eq!(
            (c.account.id.as_str(), c.account.followers, c.known_followers),
            ("did:plc:bob", None, None)
        );
    }
}
