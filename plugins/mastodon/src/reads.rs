//! The 0.2 reads over the Mastodon client API: discovery, a person's posts, the account's own
//! posts with their counts, relationships in bulk, and the acting account.
//!
//! | call | endpoint |
//! |---|---|
//! | `discover` hashtag | `GET /api/v1/timelines/tag/:tag` (authors of the posts) |
//! | `discover` search | `GET /api/v2/search` (authors of matching posts, then matching accounts) |
//! | `discover` suggestions | `GET /api/v2/suggestions` |
//! | `discover` followers-of | `GET /api/v1/accounts/:id/followers` |
//! | `discover` list | `GET /api/v1/timelines/list/:id` (authors of the posts) |
//! | social proof | `GET /api/v1/accounts/familiar_followers` (one request per page) |
//! | `recent-posts`, `own-posts` | `GET /api/v1/accounts/:id/statuses` (reblogs left out); a handle is resolved first with `GET /api/v1/accounts/lookup` |
//! | `relationships` | `GET /api/v1/accounts/relationships?id[]=…`, 40 ids per request |
//! | `lookup-self` | `GET /api/v1/accounts/verify_credentials` |
//!
//! Pages follow Mastodon's `Link: rel="next"` (`max_id`), except search, whose cursor is the
//! `offset` of the next page.

use rapport_sdk::account;
use rapport_sdk::http::{self, Request};
use rapport_sdk::types::{
    Account, Candidate, CandidatePage, DiscoverySource, OwnPost, OwnPostPage, PluginError, PostMetrics,
    PostPage, RelationshipOf,
};

use crate::client::{authed, own_account, segment, send};
use crate::scopes::{READ_ACCOUNTS, READ_FOLLOWS, READ_LISTS, READ_SEARCH, READ_STATUSES};
use crate::{api, convert};

/// Mastodon's largest page of statuses (timelines, an account's statuses, search).
const STATUS_PAGE: usize = 40;
/// Mastodon's largest page of accounts (followers).
const ACCOUNT_PAGE: usize = 80;
/// Ids per relationships or familiar-followers request: Mastodon's own web client asks for at
/// most this many at once.
const IDS_PER_REQUEST: usize = 40;

/// One page of people from `source`.
pub fn discover(source: DiscoverySource, cursor: Option<String>) -> Result<CandidatePage, PluginError> {
    let base = account::current().api_base().to_owned();
    let mut page = match source {
        DiscoverySource::Hashtag(tag) => {
            let tag = tag.trim_start_matches('#');
            let url = format!("{base}/api/v1/timelines/tag/{}", segment(tag)?);
            authors(status_page(&url, cursor, READ_STATUSES)?, &format!("posted #{tag}"))
        }
        DiscoverySource::List(id) => {
            let url = format!("{base}/api/v1/timelines/list/{}", segment(&id)?);
            authors(status_page(&url, cursor, READ_LISTS)?, "posted in the list")
        }
        DiscoverySource::Search(query) => search(&base, &query, cursor)?,
        DiscoverySource::Suggestions => suggestions(&base)?,
        DiscoverySource::FollowersOf(id) => followers_of(&base, &id, cursor)?,
    };
    let own = own_account(&account::current())?;
    page.items.retain(|c| c.account.id != own.id);
    add_known_followers(&base, &mut page.items)?;
    Ok(page)
}

/// A page of statuses from a timeline and the cursor to the next.
fn status_page(
    url: &str,
    cursor: Option<String>,
    scope: &str,
) -> Result<(Vec<api::Status>, Option<String>), PluginError> {
    let mut request = authed(Request::get(url)).query("limit", STATUS_PAGE.to_string());
    if let Some(max_id) = &cursor {
        request = request.query("max_id", max_id);
    }
    let response = send(request, scope)?;
    let statuses: Vec<api::Status> = response.page("discover")?;
    Ok((statuses, response.link("next").and_then(|url| http::query_param(url, "max_id"))))
}

/// The distinct authors of a page of statuses, each with the first (newest) post of theirs.
pub fn authors((statuses, next_cursor): (Vec<api::Status>, Option<String>), why: &str) -> CandidatePage {
    let mut items: Vec<Candidate> = Vec::new();
    for status in statuses {
        if items.iter().any(|c| c.account.id == status.account.id) {
            continue;
        }
        let post = convert::post(status);
        items.push(Candidate {
            account: post.author.clone(),
            post: Some(post),
            known_followers: None,
            why: why.into(),
        });
    }
    CandidatePage { items, next_cursor }
}

/// `GET /api/v2/search`: the authors of matching posts first (each with the post), then the
/// matching accounts; the cursor is the next page's offset.
fn search(base: &str, query: &str, cursor: Option<String>) -> Result<CandidatePage, PluginError> {
    if query.trim().is_empty() {
        return Err(PluginError::Permanent("a search needs a query".into()));
    }
    let offset: usize = match &cursor {
        Some(c) => {
            c.parse().map_err(|_| PluginError::Permanent(format!("unreadable search cursor {c:?}")))?
        }
        None => 0,
    };
    let request = authed(Request::get(format!("{base}/api/v2/search")))
        .query("q", query)
        .query("limit", STATUS_PAGE.to_string())
        .query("offset", offset.to_string());
    let found: api::SearchResults = send(request, READ_SEARCH)?.page("discover")?;
    let full = found.statuses.len() >= STATUS_PAGE || found.accounts.len() >= STATUS_PAGE;
    let why = format!("matched \"{query}\"");
    let mut page = authors((found.statuses, None), &why);
    for account in found.accounts {
        if !page.items.iter().any(|c| c.account.id == account.id) {
            let account = convert::account(account);
            page.items.push(Candidate { account, post: None, known_followers: None, why: why.clone() });
        }
    }
    page.next_cursor = full.then(|| (offset + STATUS_PAGE).to_string());
    Ok(page)
}

/// `GET /api/v2/suggestions`, one page (Mastodon does not paginate them).
fn suggestions(base: &str) -> Result<CandidatePage, PluginError> {
    let request =
        authed(Request::get(format!("{base}/api/v2/suggestions"))).query("limit", ACCOUNT_PAGE.to_string());
    let found: Vec<api::Suggestion> = send(request, READ_ACCOUNTS)?.page("discover")?;
    let items = found
        .into_iter()
        .map(|s| {
            let why = if s.sources.is_empty() { s.source } else { s.sources.join(", ") };
            let why = format!("suggested by the server: {}", why.replace('_', " "));
            Candidate { account: convert::account(s.account), post: None, known_followers: None, why }
        })
        .collect();
    Ok(CandidatePage { items, next_cursor: None })
}

/// `GET /api/v1/accounts/:id/followers`.
fn followers_of(base: &str, id: &str, cursor: Option<String>) -> Result<CandidatePage, PluginError> {
    let url = format!("{base}/api/v1/accounts/{}/followers", segment(id)?);
    let mut request = authed(Request::get(url)).query("limit", ACCOUNT_PAGE.to_string());
    if let Some(max_id) = &cursor {
        request = request.query("max_id", max_id);
    }
    let response = send(request, READ_ACCOUNTS)?;
    let accounts: Vec<api::Account> = response.page("discover")?;
    let why = format!("follows account {id}");
    let items = accounts
        .into_iter()
        .map(|a| Candidate {
            account: convert::account(a),
            post: None,
            known_followers: None,
            why: why.clone(),
        })
        .collect();
    Ok(CandidatePage {
        items,
        next_cursor: response.link("next").and_then(|url| http::query_param(url, "max_id")),
    })
}

/// Fills in "followed by N you follow" from `familiar_followers`, one request per page of
/// candidates (at most [`IDS_PER_REQUEST`] of them asked).
fn add_known_followers(base: &str, candidates: &mut [Candidate]) -> Result<(), PluginError> {
    if candidates.is_empty() {
        return Ok(());
    }
    let mut request = authed(Request::get(format!("{base}/api/v1/accounts/familiar_followers")));
    for candidate in candidates.iter().take(IDS_PER_REQUEST) {
        request = request.query("id[]", &candidate.account.id);
    }
    let familiar: Vec<api::FamiliarFollowers> = send(request, READ_FOLLOWS)?.page("discover")?;
    for candidate in candidates.iter_mut() {
        if let Some(f) = familiar.iter().find(|f| f.id == candidate.account.id) {
            candidate.known_followers = Some(u32::try_from(f.accounts.len()).unwrap_or(u32::MAX));
        }
    }
    Ok(())
}

/// A page of the statuses of account `id`, newest first, reblogs left out, for `call`.
fn account_statuses(
    call: &str,
    id: &str,
    cursor: Option<String>,
) -> Result<(Vec<api::Status>, Option<String>), PluginError> {
    let base = account::current().api_base().to_owned();
    let url = format!("{base}/api/v1/accounts/{}/statuses", segment(id)?);
    let mut request =
        authed(Request::get(url)).query("limit", STATUS_PAGE.to_string()).query("exclude_reblogs", "true");
    if let Some(max_id) = &cursor {
        request = request.query("max_id", max_id);
    }
    let response = send(request, READ_STATUSES)?;
    let statuses: Vec<api::Status> = response.page(call)?;
    Ok((statuses, response.link("next").and_then(|url| http::query_param(url, "max_id"))))
}

/// One page of the posts of account `id` (or of the account a handle names: people know each
/// other by `name@server`, never by Mastodon's numeric ids).
pub fn recent_posts(id: String, cursor: Option<String>) -> Result<PostPage, PluginError> {
    let id = if id.bytes().all(|b| b.is_ascii_digit()) { id } else { resolve_handle(&id)? };
    let (statuses, next_cursor) = account_statuses("recent-posts", &id, cursor)?;
    Ok(PostPage { items: statuses.into_iter().map(convert::post).collect(), next_cursor })
}

/// The id of the account `handle` names (`GET /api/v1/accounts/lookup`).
fn resolve_handle(handle: &str) -> Result<String, PluginError> {
    let base = account::current().api_base().to_owned();
    let acct = handle.trim().trim_start_matches('@');
    let request = authed(Request::get(format!("{base}/api/v1/accounts/lookup"))).query("acct", acct);
    let found: api::Account = send(request, READ_ACCOUNTS)?.page("recent-posts")?;
    Ok(found.id)
}

/// One page of the acting account's posts with Mastodon's counts (it has no views).
pub fn own_posts(cursor: Option<String>) -> Result<OwnPostPage, PluginError> {
    let own = own_account(&account::current())?;
    let (statuses, next_cursor) = account_statuses("own-posts", &own.id, cursor)?;
    Ok(OwnPostPage { items: own_posts_of(statuses), next_cursor })
}

/// The acting account's statuses as its posts with their counts.
pub fn own_posts_of(statuses: Vec<api::Status>) -> Vec<OwnPost> {
    statuses
        .into_iter()
        .map(|s| {
            let metrics = PostMetrics {
                likes: s.favourites_count,
                reposts: s.reblogs_count,
                replies: s.replies_count,
                quotes: s.quotes_count,
                views: None,
            };
            OwnPost { post: convert::post(s), metrics }
        })
        .collect()
}

/// How the account stands to each of `ids`, [`IDS_PER_REQUEST`] per request.
pub fn relationships(ids: Vec<String>) -> Result<Vec<RelationshipOf>, PluginError> {
    let base = account::current().api_base().to_owned();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IDS_PER_REQUEST) {
        let mut request = authed(Request::get(format!("{base}/api/v1/accounts/relationships")));
        for id in chunk {
            if id.is_empty() {
                return Err(PluginError::Permanent("relationships was asked for an empty id".into()));
            }
            request = request.query("id[]", id);
        }
        let found: Vec<api::Relationship> = send(request, READ_FOLLOWS)?.page("relationships")?;
        out.extend(
            found.iter().map(|r| RelationshipOf { id: r.id.clone(), relationship: convert::relationship(r) }),
        );
    }
    Ok(out)
}

/// The acting account, read fresh (its counts change; the cached id does not).
pub fn lookup_self() -> Result<Account, PluginError> {
    let base = account::current().api_base().to_owned();
    let request = authed(Request::get(format!("{base}/api/v1/accounts/verify_credentials")));
    let own: api::Account = send(request, READ_ACCOUNTS)?.page("lookup-self")?;
    Ok(convert::account(own))
}
