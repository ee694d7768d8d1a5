//! The notification cursor: where the next `fetch-notifications` call reads from.
//!
//! The cursor is a JSON object the daemon stores opaquely between calls:
//!
//! ```json
//! {"newest":"113","older":"72","backfill_left":2}
//! ```
//!
//! - `newest` — the highest notification id already returned. Forward reads ask for
//!   `min_id=newest`, which Mastodon answers with the notifications *immediately* newer than it, so
//!   a burst of more than one page is read page by page without a gap (`since_id` would skip to the
//!   newest page and lose the middle).
//! - `older` — set while backfilling: the `max_id` of the next older page, taken from the `Link`
//!   header's `rel="next"` when the first page came back full. Backfill goes first while it lasts.
//! - `backfill_left` — older pages still to read; the first call sets it from the account's
//!   `backfill_pages` setting, so a years-old account does not page through its whole history.
//!
//! A bare id (`"113"`) is read as `{"newest":"113"}`. A cursor that is neither is treated as absent:
//! the plugin refetches the newest page and the daemon's deduplication absorbs the overlap, which
//! beats failing every poll until a person clears it.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

/// Where the next notifications call reads from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The highest notification id already returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub newest: Option<String>,
    /// The `max_id` of the next older page to backfill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub older: Option<String>,
    /// Older pages still to read after `older`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub backfill_left: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The request a cursor calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// The newest page (no cursor yet).
    Newest,
    /// The page immediately newer than this id (`min_id`).
    NewerThan(String),
    /// The page immediately older than this id (`max_id`).
    OlderThan(String),
}

impl Cursor {
    /// Reads a stored cursor; `None` for an absent or unreadable one (see the module doc).
    pub fn parse(text: Option<&str>) -> Option<Cursor> {
        let text = text?.trim();
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            return Some(Cursor { newest: Some(text.to_owned()), ..Cursor::default() });
        }
        serde_json::from_str(text).ok()
    }

    /// The cursor as the string handed to the daemon.
    pub fn encode(&self) -> String {
        // Three optional plain fields cannot fail to serialize; the fallback keeps that promise
        // without a panic path.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// What the call with this cursor reads.
    pub fn read(cursor: Option<&Cursor>) -> Read {
        match cursor {
            None => Read::Newest,
            Some(Cursor { older: Some(older), .. }) => Read::OlderThan(older.clone()),
            Some(Cursor { newest: Some(newest), .. }) => Read::NewerThan(newest.clone()),
            Some(_) => Read::Newest,
        }
    }

    /// The cursor after a page was read with `read`.
    ///
    /// `ids` are the page's notification ids; `full` says the page had as many items as asked for
    /// (so more may lie beyond it); `next_older` is the `max_id` of the `Link` header's
    /// `rel="next"`, and `backfill_pages` the account's backfill budget for a first read.
    pub fn advance(
        previous: Option<&Cursor>,
        read: &Read,
        ids: &[&str],
        full: bool,
        next_older: Option<String>,
        backfill_pages: u32,
    ) -> Cursor {
        let mut next = previous.cloned().unwrap_or_default();
        let page_max = ids.iter().copied().max_by(|a, b| compare_ids(a, b));
        if let Some(max) = page_max
            && next.newest.as_deref().is_none_or(|newest| compare_ids(max, newest) == Ordering::Greater)
        {
            next.newest = Some(max.to_owned());
        }
        let older_page = || if full { next_older.clone().or_else(|| oldest(ids)) } else { None };
        match read {
            Read::Newest if backfill_pages > 0 => {
                next.older = older_page();
                next.backfill_left = if next.older.is_some() { backfill_pages - 1 } else { 0 };
            }
            Read::OlderThan(_) => {
                next.older = if next.backfill_left > 0 { older_page() } else { None };
                next.backfill_left = if next.older.is_some() { next.backfill_left - 1 } else { 0 };
            }
            Read::Newest | Read::NewerThan(_) => {}
        }
        next
    }
}

fn oldest(ids: &[&str]) -> Option<String> {
    ids.iter().copied().min_by(|a, b| compare_ids(a, b)).map(str::to_owned)
}

/// Orders Mastodon ids, which are decimal numbers too wide for `u64` on some servers: a longer id
/// is a larger number, equal lengths compare as text.
pub fn compare_ids(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_and_parses_round_trip() {
        let cursor = Cursor { newest: Some("113".into()), older: Some("72".into()), backfill_left: 2 };
        assert_eq!(cursor.encode(), r#"{"newest":"113","older":"72","backfill_left":2}"#);
        assert_eq!(Cursor::parse(Some(&cursor.encode())), Some(cursor));
        assert_eq!(
            Cursor::parse(Some("98")),
            Some(Cursor { newest: Some("98".into()), ..Cursor::default() })
        );
        assert_eq!(Cursor::parse(Some("not a cursor")), None);
        assert_eq!(Cursor::parse(None), None);
    }

    #[test]
    fn first_full_page_starts_a_bounded_backfill() {
        let ids = ["120", "119", "101"];
        let next = Cursor::advance(None, &Read::Newest, &ids, true, Some("101".into()), 3);
        assert_eq!(next, Cursor { newest: Some("120".into()), older: Some("101".into()), backfill_left: 2 });
        assert_eq!(Cursor::read(Some(&next)), Read::OlderThan("101".into()));

        let older =
            Cursor::advance(Some(&next), &Read::OlderThan("101".into()), &["99", "80"], true, None, 3);
        assert_eq!(older, Cursor { newest: Some("120".into()), older: Some("80".into()), backfill_left: 1 });

        let last = Cursor::advance(Some(&older), &Read::OlderThan("80".into()), &["70", "60"], true, None, 3);
        assert_eq!(last, Cursor { newest: Some("120".into()), older: Some("60".into()), backfill_left: 0 });
        let done = Cursor::advance(Some(&last), &Read::OlderThan("60".into()), &["50"], true, None, 3);
        assert_eq!(done, Cursor { newest: Some("120".into()), older: None, backfill_left: 0 });
        assert_eq!(Cursor::read(Some(&done)), Read::NewerThan("120".into()));
    }

    #[test]
    fn a_short_first_page_needs_no_backfill() {
        let next = Cursor::advance(None, &Read::Newest, &["5", "3"], false, None, 3);
        assert_eq!(next, Cursor { newest: Some("5".into()), older: None, backfill_left: 0 });
    }

    #[test]
    fn forward_reads_only_ever_raise_newest() {
        let start = Cursor { newest: Some("120".into()), ..Cursor::default() };
        let next =
            Cursor::advance(Some(&start), &Read::NewerThan("120".into()), &["1000", "121"], true, None, 3);
        assert_eq!(next.newest.as_deref(), Some("1000"));
        let empty = Cursor::advance(Some(&next), &Read::NewerThan("1000".into()), &[], false, None, 3);
        assert_eq!(empty, next);
    }

    #[test]
    fn ids_compare_as_numbers() {
        assert_eq!(compare_ids("99", "100"), Ordering::Less);
        assert_eq!(compare_ids("112352430505941517", "112352430505941516"), Ordering::Greater);
    }
}
