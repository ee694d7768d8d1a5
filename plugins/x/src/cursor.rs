//! The notification cursor: where the mentions timeline was last read up to.
//!
//! X pages mentions newest first: `since_id` bounds a walk from the newest mention back to the
//! last one seen, and `pagination_token` steps through it. The cursor is therefore either
//! *caught up* — the newest mention id seen, written as the bare id — or *mid-walk* — the
//! `since_id` bound, the next page's token and the newest id met so far, written as JSON. A walk
//! the daemon interrupts (it reads a bounded number of pages per poll) resumes where it stopped,
//! and only once it reaches the bound does the cursor move to the newest id, so no mention is
//! skipped and none is read twice.

use serde::{Deserialize, Serialize};

use crate::api::{Meta, id_order};

/// Where the next read of the mentions timeline starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    /// Only mentions newer than this id are wanted (`since_id`); `None` before the first mention.
    pub since: Option<String>,
    /// The `pagination_token` of the next, older page of an unfinished walk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The newest mention id met during the unfinished walk.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newest: Option<String>,
}

impl Cursor {
    /// The cursor the daemon passed, or the first-call cursor for `None`.
    ///
    /// A string that is neither an id nor a walk state is refused, naming it, rather than
    /// silently starting over (which would emit old mentions again).
    pub fn parse(raw: Option<&str>) -> Result<Cursor, String> {
        let Some(raw) = raw else {
            return Ok(Cursor { since: None, token: None, newest: None });
        };
        if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Cursor { since: Some(raw.to_owned()), token: None, newest: None });
        }
        serde_json::from_str(raw)
            .map_err(|err| format!("the X cursor {raw:?} is not one this plugin wrote ({err})"))
    }

    /// Whether this is the very first read: then only the newest page is fetched, no walk back.
    pub fn is_first(&self) -> bool {
        self.since.is_none() && self.token.is_none()
    }

    /// The cursor after a page with `meta` was read from this position, as the string to return
    /// (`None` when there is still nothing to remember).
    pub fn advance(&self, meta: &Meta) -> Option<String> {
        let newest = newer(self.newest.as_deref(), meta.newest_id.as_deref());
        let walk_on = !self.is_first() && meta.next_token.is_some();
        if walk_on {
            let next = Cursor {
                since: self.since.clone(),
                token: meta.next_token.clone(),
                newest: newest.map(str::to_owned),
            };
            // Serialising three optional strings cannot fail; fall back to the bound just in case.
            return serde_json::to_string(&next).ok().or_else(|| self.since.clone());
        }
        newer(newest, self.since.as_deref()).map(str::to_owned)
    }
}

fn newer<'a>(a: Option<&'a str>, b: Option<&'a str>) -> Option<&'a str> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if id_order(a, b).is_ge() { a } else { b }),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(newest: Option<&str>, next: Option<&str>) -> Meta {
        Meta { newest_id: newest.map(str::to_owned), next_token: next.map(str::to_owned) }
    }

    #[test]
    fn the_first_read_takes_the_newest_page_only() {
        let first = Cursor::parse(None).unwrap_or_else(|e| panic!("{e}"));
        assert!(first.is_first());
        assert_eq!(
            first.advance(&meta(Some("120"), Some("tok"))),
            Some("120".to_owned()),
            "no walk back on first use"
        );
        assert_eq!(first.advance(&meta(None, None)), None, "nothing seen, nothing remembered");
    }

    #[test]
    fn a_walk_keeps_its_bound_until_it_reaches_it() {
        let start = Cursor::parse(Some("100")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(start.since.as_deref(), Some("100"));
        let mid = start.advance(&meta(Some("150"), Some("t1"))).unwrap_or_default();
        let mid = Cursor::parse(Some(&mid)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            mid,
            Cursor { since: Some("100".into()), token: Some("t1".into()), newest: Some("150".into()) }
        );
        // Older pages have older newest ids; the walk remembers the newest of all.
        let end = mid.advance(&meta(Some("130"), None));
        assert_eq!(end, Some("150".to_owned()));
    }

    #[test]
    fn an_empty_page_keeps_the_bound() {
        let start = Cursor::parse(Some("100")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(start.advance(&meta(None, None)), Some("100".to_owned()));
    }

    #[test]
    fn ids_compare_as_numbers() {
        let start = Cursor::parse(Some("99")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(start.advance(&meta(Some("100"), None)), Some("100".to_owned()));
    }

    #[test]
    fn a_foreign_cursor_is_refused() {
        let err = Cursor::parse(Some("max_id=7")).err().unwrap_or_default();
        assert!(err.contains("max_id=7"), "{err}");
        assert!(Cursor::parse(Some("")).is_err());
    }
}
