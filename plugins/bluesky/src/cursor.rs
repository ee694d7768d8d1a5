//! The notification cursor: which notifications were delivered and where a sweep stands.
//!
//! `listNotifications` lists newest first and pages only towards older ones, so "what is new
//! since the last poll" is a *sweep*: read the newest page, and keep reading older pages until one
//! reaches a notification already delivered. The cursor the daemon stores between calls is JSON:
//!
//! ```json
//! {"seen":{"at":"2024-05-01T12:48:45.460Z","uris":["at://…"]},"older":"1714…","top":{…},"backfill_left":2}
//! ```
//!
//! - `seen` — the newest `indexedAt` of a finished sweep, with the URIs indexed at exactly that
//!   instant (so a notification indexed in the same millisecond is neither lost nor repeated);
//!   only notifications after it are returned.
//! - `older` — the server's cursor for the next older page while a sweep is under way.
//! - `top` — the newest notification read in the sweep under way; it becomes `seen` when the sweep
//!   ends, never before, so a crash mid-sweep repeats pages (the daemon deduplicates) instead of
//!   skipping them.
//! - `backfill_left` — on the very first sweep (nothing seen yet), how many older pages are still
//!   read, so that an old account does not page through its whole history.
//!
//! An unreadable cursor is treated as absent: the newest page is read again and the daemon's
//! deduplication absorbs the overlap.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

/// A point in the notification list: an `indexedAt` and the URIs indexed at that instant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    /// The `indexedAt` timestamp, as the server sent it.
    pub at: String,
    /// The notification URIs with exactly this `indexedAt`.
    #[serde(default)]
    pub uris: Vec<String>,
}

impl Mark {
    /// Whether the notification (`at`, `uri`) comes after this mark.
    pub fn is_before(&self, at: &str, uri: &str) -> bool {
        match compare_times(at, &self.at) {
            Some(Ordering::Greater) => true,
            Some(Ordering::Less) => false,
            Some(Ordering::Equal) | None => !self.uris.iter().any(|u| u == uri),
        }
    }

    /// `mark` raised to include the notification (`at`, `uri`); an unreadable `at` leaves it as is.
    pub fn raise(mark: Option<Mark>, at: &str, uri: &str) -> Option<Mark> {
        let fresh = || Some(Mark { at: at.to_owned(), uris: vec![uri.to_owned()] });
        let Some(mut mark) = mark else {
            return if time_key(at).is_some() { fresh() } else { None };
        };
        match compare_times(at, &mark.at) {
            Some(Ordering::Greater) => fresh(),
            Some(Ordering::Equal) => {
                if !mark.uris.iter().any(|u| u == uri) {
                    mark.uris.push(uri.to_owned());
                }
                Some(mark)
            }
            Some(Ordering::Less) | None => Some(mark),
        }
    }
}

/// Where the next notifications call reads from and what it has delivered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The newest notification of the last finished sweep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<Mark>,
    /// The server cursor of the next older page of the sweep under way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub older: Option<String>,
    /// The newest notification read in the sweep under way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top: Option<Mark>,
    /// Older pages the first sweep may still read.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub backfill_left: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// One listed notification, as the cursor sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed<'a> {
    /// Its URI.
    pub uri: &'a str,
    /// Its `indexedAt`.
    pub at: &'a str,
}

/// What one call decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Indexes (into the page) of the notifications to deliver.
    pub deliver: Vec<usize>,
    /// The cursor after this call.
    pub next: Cursor,
    /// Whether the daemon is caught up (nothing new, cursor unchanged): `next_cursor` is `None`.
    pub caught_up: bool,
}

impl Cursor {
    /// Reads a stored cursor; `None` for an absent or unreadable one (see the module doc).
    pub fn parse(text: Option<&str>) -> Option<Cursor> {
        serde_json::from_str(text?).ok()
    }

    /// The cursor as the string handed to the daemon.
    pub fn encode(&self) -> String {
        // Plain strings and numbers cannot fail to serialize; the fallback keeps that promise
        // without a panic path.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The server cursor to list with: the sweep's next older page, or `None` for the newest.
    pub fn page(cursor: Option<&Cursor>) -> Option<&str> {
        cursor.and_then(|c| c.older.as_deref())
    }

    /// Decides what to deliver from a page read with [`Cursor::page`] and where to go next.
    ///
    /// `server_cursor` is the page's own `cursor` (absent at the end of the list);
    /// `backfill_pages` is the account's budget of older pages for the very first sweep.
    pub fn step(
        previous: Option<&Cursor>,
        page: &[Listed<'_>],
        server_cursor: Option<&str>,
        backfill_pages: u32,
    ) -> Step {
        let start = previous.cloned().unwrap_or_default();
        let first_read = previous.is_none();
        let is_new = |n: &Listed<'_>| start.seen.as_ref().is_none_or(|seen| seen.is_before(n.at, n.uri));
        let deliver: Vec<usize> =
            page.iter().enumerate().filter(|(_, n)| is_new(n)).map(|(i, _)| i).collect();
        let top = page.iter().fold(start.top.clone(), |mark, n| Mark::raise(mark, n.at, n.uri));
        let budget = if first_read { backfill_pages } else { start.backfill_left };
        // Go on into older pages while everything on this page was new: either the sweep has not
        // yet reached what was delivered before, or (nothing delivered yet) the backfill lasts.
        let reached_seen = deliver.len() < page.len();
        let more = !page.is_empty() && !reached_seen && (start.seen.is_some() || budget > 0);
        let next = match server_cursor.filter(|_| more) {
            Some(older) => Cursor {
                seen: start.seen.clone(),
                older: Some(older.to_owned()),
                top,
                backfill_left: if start.seen.is_some() { 0 } else { budget.saturating_sub(1) },
            },
            None => {
                let seen = match (start.seen.clone(), top) {
                    (Some(seen), Some(top)) => Some(match compare_times(&top.at, &seen.at) {
                        Some(Ordering::Greater) => top,
                        Some(Ordering::Equal) => merge_uris(seen, &top),
                        Some(Ordering::Less) | None => seen,
                    }),
                    (seen, top) => top.or(seen),
                };
                Cursor { seen, ..Cursor::default() }
            }
        };
        let caught_up = deliver.is_empty() && next == start;
        Step { deliver, next, caught_up }
    }

    /// The newest notification delivered so far, for `updateSeen`.
    pub fn newest(&self) -> Option<&str> {
        match (&self.seen, &self.top) {
            (Some(seen), Some(top)) => Some(if compare_times(&top.at, &seen.at) == Some(Ordering::Greater) {
                &top.at
            } else {
                &seen.at
            }),
            (mark, other) => mark.as_ref().or(other.as_ref()).map(|m| m.at.as_str()),
        }
    }
}

/// `seen` with the URIs of `top` added (both at the same instant).
fn merge_uris(mut seen: Mark, top: &Mark) -> Mark {
    for uri in &top.uris {
        if !seen.uris.contains(uri) {
            seen.uris.push(uri.clone());
        }
    }
    seen
}

/// Orders two RFC 3339 timestamps to the nanosecond; `None` if either is unreadable.
pub fn compare_times(a: &str, b: &str) -> Option<Ordering> {
    Some(time_key(a)?.cmp(&time_key(b)?))
}

/// Seconds since the epoch and nanoseconds of an RFC 3339 timestamp (the SDK's parser drops the
/// fraction, which is all that separates notifications indexed in the same second).
fn time_key(ts: &str) -> Option<(i64, u32)> {
    let secs = rapport_sdk::clock::parse_rfc3339(ts)?;
    let nanos = match ts.get(19..).and_then(|rest| rest.strip_prefix('.')) {
        Some(fraction) => {
            let digits: String = fraction.chars().take_while(char::is_ascii_digit).take(9).collect();
            format!("{digits:0<9}").parse::<u32>().ok()?
        }
        None => 0,
    };
    Some((secs, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed<'a>(items: &'a [(&'a str, &'a str)]) -> Vec<Listed<'a>> {
        items.iter().map(|(uri, at)| Listed { uri, at }).collect()
    }

    fn mark(at: &str, uris: &[&str]) -> Mark {
        Mark { at: at.into(), uris: uris.iter().map(|u| (*u).to_owned()).collect() }
    }

    const T1: &str = "2024-05-01T12:00:00.100Z";
    const T2: &str = "2024-05-01T12:00:00.200Z";
    const T3: &str = "2024-05-01T12:00:01.050Z";
    const T4: &str = "2024-05-01T12:00:02Z";

    #[test]
    fn times_compare_with_their_fractions() {
        assert_eq!(compare_times(T1, T2), Some(Ordering::Less));
        assert_eq!(compare_times("2024-05-01T12:00:00.2Z", T2), Some(Ordering::Equal));
        assert_eq!(compare_times(T4, T3), Some(Ordering::Greater));
        assert_eq!(compare_times("later", T3), None);
    }

    #[test]
    fn a_first_read_delivers_and_backfills_a_bounded_number_of_pages() {
        let page = listed(&[("u4", T4), ("u3", T3)]);
        let step = Cursor::step(None, &page, Some("c1"), 2);
        assert_eq!(step.deliver, vec![0, 1]);
        assert_eq!(
            step.next,
            Cursor { seen: None, older: Some("c1".into()), top: Some(mark(T4, &["u4"])), backfill_left: 1 }
        );
        assert!(!step.caught_up);
        assert_eq!(Cursor::page(Some(&step.next)), Some("c1"));

        let older = listed(&[("u2", T2)]);
        let step2 = Cursor::step(Some(&step.next), &older, Some("c2"), 2);
        assert_eq!(step2.deliver, vec![0]);
        assert_eq!(step2.next.older.as_deref(), Some("c2"));
        assert_eq!(step2.next.backfill_left, 0);

        let oldest = listed(&[("u1", T1)]);
        let step3 = Cursor::step(Some(&step2.next), &oldest, Some("c3"), 2);
        assert_eq!(step3.deliver, vec![0]);
        assert_eq!(
            step3.next,
            Cursor { seen: Some(mark(T4, &["u4"])), ..Cursor::default() },
            "backfill spent: the sweep ends"
        );
        assert!(!step3.caught_up);
    }

    #[test]
    fn later_reads_return_only_what_is_newer_and_then_report_caught_up() {
        let start = Cursor { seen: Some(mark(T2, &["u2"])), ..Cursor::default() };
        let page = listed(&[("u4", T4), ("u3", T3), ("u2", T2), ("u1", T1)]);
        let step = Cursor::step(Some(&start), &page, Some("c"), 3);
        assert_eq!(step.deliver, vec![0, 1]);
        assert_eq!(step.next, Cursor { seen: Some(mark(T4, &["u4"])), ..Cursor::default() });
        assert!(!step.caught_up);

        let again = Cursor::step(Some(&step.next), &page, Some("c"), 3);
        assert!(again.deliver.is_empty());
        assert_eq!(again.next, step.next);
        assert!(again.caught_up, "nothing new and nothing changed");
    }

    #[test]
    fn a_burst_longer_than_a_page_is_swept_without_a_gap() {
        let start = Cursor { seen: Some(mark(T1, &["u1"])), ..Cursor::default() };
        let newest = listed(&[("u4", T4), ("u3", T3)]);
        let step = Cursor::step(Some(&start), &newest, Some("c"), 0);
        assert_eq!(step.deliver, vec![0, 1]);
        assert_eq!(step.next.seen, start.seen, "seen moves only when the sweep ends");
        assert_eq!(step.next.older.as_deref(), Some("c"));
        assert_eq!(step.next.newest(), Some(T4));

        let rest = listed(&[("u2", T2), ("u1", T1)]);
        let end = Cursor::step(Some(&step.next), &rest, Some("d"), 0);
        assert_eq!(end.deliver, vec![0]);
        assert_eq!(end.next, Cursor { seen: Some(mark(T4, &["u4"])), ..Cursor::default() });
    }

    #[test]
    fn a_notification_indexed_in_the_same_instant_is_neither_lost_nor_repeated() {
        let start = Cursor { seen: Some(mark(T3, &["a"])), ..Cursor::default() };
        let page = listed(&[("b", T3), ("a", T3), ("z", T2)]);
        let step = Cursor::step(Some(&start), &page, None, 0);
        assert_eq!(step.deliver, vec![0]);
        assert_eq!(step.next.seen, Some(mark(T3, &["a", "b"])));
    }

    #[test]
    fn an_empty_first_read_is_caught_up_and_cursors_round_trip() {
        let step = Cursor::step(None, &[], None, 3);
        assert!(step.deliver.is_empty());
        assert!(step.caught_up);
        let cursor = Cursor {
            seen: Some(mark(T3, &["a"])),
            older: Some("c".into()),
            top: Some(mark(T4, &["b"])),
            backfill_left: 1,
        };
        assert_eq!(Cursor::parse(Some(&cursor.encode())), Some(cursor));
        assert_eq!(Cursor::parse(Some("garbage")), None);
    }
}
