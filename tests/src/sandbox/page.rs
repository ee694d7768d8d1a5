//! Mastodon's id pagination: `max_id`, `since_id`, `min_id` and `limit` over a collection ordered
//! by id, and the `Link` header that points at the next and previous pages.

use serde_json::Value;

use super::world::Answer;

/// An endpoint's page size: the default and the most `limit` may ask for.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Used when `limit` is absent or unreadable.
    pub default: usize,
    /// `limit` above this is lowered to it.
    pub max: usize,
}

/// Accounts and notifications: 40, at most 80 (since 4.1.0).
pub const ACCOUNTS: Limits = Limits { default: 40, max: 80 };
/// Statuses (timelines, an account's statuses): 20, at most 40.
pub const STATUSES: Limits = Limits { default: 20, max: 40 };

impl Limits {
    /// The page size `query` asks for, within these limits.
    pub fn of(self, query: &[(String, String)]) -> usize {
        param(query, "limit")
            .map_or(self.default, |l| usize::try_from(l).unwrap_or(self.max).clamp(1, self.max))
    }
}

/// One page of `(cursor id, item)` pairs, newest first.
pub struct Page {
    /// The page's items.
    pub items: Vec<(u64, u64)>,
    /// The page size asked for.
    pub limit: usize,
    /// Whether the page is full, so an older one may follow.
    pub full: bool,
}

fn param(query: &[(String, String)], name: &str) -> Option<u64> {
    query.iter().find(|(k, _)| k == name).and_then(|(_, v)| v.parse::<u64>().ok())
}

/// The page `query` asks for out of `all` (oldest first): `max_id` (older than), `since_id`
/// (newer than, newest page), `min_id` (newer than, the page right after it).
pub fn paginate(
    all: impl DoubleEndedIterator<Item = (u64, u64)>,
    query: &[(String, String)],
    limits: Limits,
) -> Page {
    let limit = limits.of(query);
    let (max_id, since_id, min_id) =
        (param(query, "max_id"), param(query, "since_id"), param(query, "min_id"));
    let in_range = |&(id, _): &(u64, u64)| {
        max_id.is_none_or(|m| id < m) && since_id.is_none_or(|s| id > s) && min_id.is_none_or(|m| id > m)
    };
    let items: Vec<(u64, u64)> = if min_id.is_some() {
        let mut oldest_first: Vec<_> = all.filter(in_range).take(limit).collect();
        oldest_first.reverse();
        oldest_first
    } else {
        all.rev().filter(in_range).take(limit).collect()
    };
    Page { full: items.len() == limit, items, limit }
}

/// An array answer with Mastodon's `Link` header: `next` (older, `max_id`) when the page is full,
/// `prev` (newer, `min_id`) whenever it is not empty. `url` is the endpoint's absolute URL.
pub fn paged(items: Vec<Value>, page: &Page, url: &str) -> Answer {
    let mut links = Vec::new();
    if let (Some(oldest), true) = (page.items.last(), page.full) {
        links.push(format!("<{url}?limit={}&max_id={}>; rel=\"next\"", page.limit, oldest.0));
    }
    if let Some(newest) = page.items.first() {
        links.push(format!("<{url}?limit={}&min_id={}>; rel=\"prev\"", page.limit, newest.0));
    }
    let mut answer = Answer::ok(Value::Array(items));
    if !links.is_empty() {
        answer.headers.push(("Link".into(), links.join(", ")));
    }
    answer
}
