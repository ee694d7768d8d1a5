//! Rate-limit headers read off every response, kept per account for the daemon's policy gate.
//!
//! Platforms disagree on the header family and on what "reset" means, so each family is read by
//! its own rule: `x-rate-limit-*` (X: reset is a Unix time), `RateLimit-*` and `X-RateLimit-*`
//! (delta seconds as the IETF draft says, a Unix time as Bluesky's PDS and GitHub send, or
//! Mastodon's RFC 3339 timestamp), and `Retry-After` (delta seconds), which means nothing is left
//! until then.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use rapport_core::UnixSeconds;
use rapport_core::platform::RateLimitSnapshot;

/// Resets further out than this many seconds are Unix times, not deltas (no window is 30 years long).
const DELTA_LIMIT: i64 = 1_000_000_000;

/// How one header family's reset value becomes a Unix time, given the time now.
type ResetRule = fn(&str, UnixSeconds) -> Option<UnixSeconds>;

/// The latest snapshot per account name.
#[derive(Debug, Default)]
pub struct RateLimitBook {
    latest: Mutex<HashMap<String, RateLimitSnapshot>>,
}

impl RateLimitBook {
    /// Records `snapshot` as `account`'s latest.
    pub fn record(&self, account: &str, snapshot: RateLimitSnapshot) {
        let mut latest = self.latest.lock().unwrap_or_else(PoisonError::into_inner);
        latest.insert(account.to_owned(), snapshot);
    }

    /// `account`'s latest snapshot, if a response carried rate-limit headers.
    pub fn get(&self, account: &str) -> Option<RateLimitSnapshot> {
        self.latest.lock().unwrap_or_else(PoisonError::into_inner).get(account).copied()
    }
}

/// Reads the rate-limit headers of one response (names in lower case); `None` if it has none.
pub fn snapshot(headers: &[(String, String)], now: UnixSeconds) -> Option<RateLimitSnapshot> {
    let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim());
    let number = |name: &str| header(name).and_then(|v| v.parse::<u64>().ok());

    let mut snap = RateLimitSnapshot { limit: None, remaining: None, reset_at: None, observed_at: now };
    let families: [(&str, ResetRule); 3] =
        [("ratelimit-", reset_any), ("x-rate-limit-", reset_unix), ("x-ratelimit-", reset_any)];
    for (prefix, reset_rule) in families {
        snap.limit = snap.limit.or_else(|| number(&format!("{prefix}limit")));
        snap.remaining = snap.remaining.or_else(|| number(&format!("{prefix}remaining")));
        snap.reset_at =
            snap.reset_at.or_else(|| header(&format!("{prefix}reset")).and_then(|v| reset_rule(v, now)));
    }
    if let Some(wait) = header("retry-after").and_then(|v| v.parse::<i64>().ok()) {
        snap.remaining = Some(0);
        snap.reset_at = Some(now.saturating_add(wait.max(0)));
    }
    let any = snap.limit.is_some() || snap.remaining.is_some() || snap.reset_at.is_some();
    any.then_some(snap)
}

fn reset_unix(value: &str, _now: UnixSeconds) -> Option<UnixSeconds> {
    value.parse::<f64>().ok().map(|t| t as i64)
}

fn reset_any(value: &str, now: UnixSeconds) -> Option<UnixSeconds> {
    match value.parse::<f64>() {
        Ok(n) if (n as i64) < DELTA_LIMIT => Some(now.saturating_add((n as i64).max(0))),
        Ok(n) => Some(n as i64),
        Err(_) => parse_rfc3339(value),
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` to Unix seconds (what Mastodon sends).
fn parse_rfc3339(value: &str) -> Option<UnixSeconds> {
    let b = value.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| value.get(r)?.parse::<i64>().ok();
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &value[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (h, m) = rest[1..].split_once(':')?;
            sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60)
        }
    };
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn ietf_draft_reset_is_a_delta() {
        let s = snapshot(
            &h(&[("ratelimit-limit", "100"), ("ratelimit-remaining", "7"), ("ratelimit-reset", "30")]),
            NOW,
        )
        .unwrap();
        assert_eq!(
            (s.limit, s.remaining, s.reset_at, s.observed_at),
            (Some(100), Some(7), Some(NOW + 30), NOW)
        );
    }

    #[test]
    fn bluesky_ratelimit_reset_is_unix_time() {
        let s = snapshot(
            &h(&[
                ("ratelimit-limit", "3000"),
                ("ratelimit-remaining", "0"),
                ("ratelimit-reset", "1700000300"),
            ]),
            NOW,
        )
        .unwrap();
        assert_eq!((s.limit, s.remaining, s.reset_at), (Some(3000), Some(0), Some(1_700_000_300)));
    }

    #[test]
    fn x_reset_is_unix_time() {
        let s = snapshot(
            &h(&[
                ("x-rate-limit-limit", "50"),
                ("x-rate-limit-remaining", "0"),
                ("x-rate-limit-reset", "1700000900"),
            ]),
            NOW,
        )
        .unwrap();
        assert_eq!((s.limit, s.remaining, s.reset_at), (Some(50), Some(0), Some(1_700_000_900)));
    }

    #[test]
    fn mastodon_reset_is_rfc3339() {
        let s = snapshot(
            &h(&[
                ("x-ratelimit-limit", "300"),
                ("x-ratelimit-remaining", "299"),
                ("x-ratelimit-reset", "2023-11-14T22:15:00.000Z"),
            ]),
            NOW,
        )
        .unwrap();
        assert_eq!(s.reset_at, Some(1_700_000_100));
        assert_eq!(parse_rfc3339("2023-11-14T23:15:00+01:00"), Some(1_700_000_100));
    }

    #[test]
    fn github_style_x_ratelimit_reset_is_unix_or_delta() {
        let unix = snapshot(&h(&[("x-ratelimit-reset", "1700000500")]), NOW).unwrap();
        assert_eq!(unix.reset_at, Some(1_700_000_500));
        let delta = snapshot(&h(&[("x-ratelimit-reset", "60")]), NOW).unwrap();
        assert_eq!(delta.reset_at, Some(NOW + 60));
    }

    #[test]
    fn retry_after_empties_the_window() {
        let s = snapshot(&h(&[("retry-after", "120")]), NOW).unwrap();
        assert_eq!((s.remaining, s.reset_at), (Some(0), Some(NOW + 120)));
    }

    #[test]
    fn no_headers_no_snapshot_and_garbage_is_ignored() {
        assert_eq!(snapshot(&h(&[("content-type", "text/plain")]), NOW), None);
        assert_eq!(snapshot(&h(&[("ratelimit-limit", "lots"), ("x-ratelimit-reset", "soon")]), NOW), None);
    }

    #[test]
    fn book_keeps_the_latest_per_account() {
        let book = RateLimitBook::default();
        let snap = |remaining| RateLimitSnapshot {
            limit: Some(10),
            remaining: Some(remaining),
            reset_at: None,
            observed_at: NOW,
        };
        book.record("shop", snap(5));
        book.record("shop", snap(4));
        assert_eq!(book.get("shop").unwrap().remaining, Some(4));
        assert_eq!(book.get("other"), None);
    }
}
