//! How long a platform asks a plugin to wait after a 429, read from whichever of the headers it
//! sends: one reader for every plugin, so a platform's quirk is handled once, here.
//!
//! Platforms disagree on the header and on what its value means: `Retry-After` is seconds; the
//! IETF draft's `RateLimit-Reset` is seconds, but Bluesky's PDS sends a Unix timestamp under that
//! name; `X-RateLimit-Reset` is an RFC 3339 timestamp from Mastodon and Unix seconds from X's v1
//! API; X API v2 spells it `x-rate-limit-reset`, in Unix seconds.

use crate::http::header;

/// Seconds to wait after a 429 that names no reset time: long enough to matter, short enough that
/// a burst limit does not park the account for long.
const DEFAULT_SECS: u32 = 60;
/// A `RateLimit-Reset` at or above this is a Unix timestamp (2001-09-09), below it a delay: no
/// window lasts 31 years.
const UNIX_TIMESTAMP_FLOOR: u64 = 1_000_000_000;

/// Seconds to wait before retrying after a 429; one minute if no header is readable, and at least
/// 1, so a retry never spins. `now` is seconds since the Unix epoch.
///
/// Read in this order: X's `x-rate-limit-reset` (no other platform sends it, and the X plugin
/// always read it first), `Retry-After`, `RateLimit-Reset`, `X-RateLimit-Reset`.
pub fn seconds(headers: &[(String, String)], now: i64) -> u32 {
    let value = |name: &str| header(headers, name).map(str::trim);
    let until = |at: i64| u64::try_from(at.saturating_sub(now)).unwrap_or(0);
    let x_v2 = || value("x-rate-limit-reset")?.parse::<i64>().ok().map(until);
    let retry_after = || value("retry-after")?.parse::<u64>().ok();
    let reset = || {
        let reset = value("ratelimit-reset")?.parse::<u64>().ok()?;
        Some(if reset >= UNIX_TIMESTAMP_FLOOR {
            until(i64::try_from(reset).unwrap_or(i64::MAX))
        } else {
            reset
        })
    };
    let x_reset = || {
        let value = value("x-ratelimit-reset")?;
        let at = match value.parse::<i64>() {
            Ok(unix) => unix,
            Err(_) => crate::clock::parse_rfc3339(value)?,
        };
        Some(until(at))
    };
    match x_v2().or_else(retry_after).or_else(reset).or_else(x_reset) {
        Some(secs) => u32::try_from(secs).unwrap_or(u32::MAX).max(1),
        None => DEFAULT_SECS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-05-01T12:48:45Z.
    const NOW: i64 = 1_714_567_725;

    fn wait(pairs: &[(&str, &str)]) -> u32 {
        let headers: Vec<(String, String)> =
            pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        seconds(&headers, NOW)
    }

    #[test]
    fn each_header_form_is_read() {
        assert_eq!(wait(&[("retry-after", "30")]), 30);
        assert_eq!(wait(&[("RateLimit-Reset", "12")]), 12);
        assert_eq!(wait(&[("x-ratelimit-reset", "2024-05-01T12:50:00.000Z")]), 75);
        assert_eq!(wait(&[("x-ratelimit-reset", "1714567825")]), 100);
        assert_eq!(wait(&[("x-rate-limit-reset", "1714568137")]), 412);
    }

    #[test]
    fn a_reset_timestamp_under_the_draft_s_name_counts_from_now() {
        assert_eq!(wait(&[("ratelimit-reset", "1714567845")]), 120);
        assert_eq!(wait(&[("ratelimit-reset", "1714567000")]), 1);
    }

    #[test]
    fn the_headers_are_read_in_order() {
        assert_eq!(wait(&[("retry-after", "7"), ("ratelimit-reset", "1714567845")]), 7);
        assert_eq!(wait(&[("ratelimit-reset", "9"), ("x-ratelimit-reset", "1714567825")]), 9);
        assert_eq!(wait(&[("retry-after", "7"), ("x-rate-limit-reset", "1714568137")]), 412);
    }

    #[test]
    fn a_past_reset_waits_a_second_and_an_unreadable_one_a_minute() {
        assert_eq!(wait(&[("x-ratelimit-reset", "2024-05-01T12:00:00Z")]), 1);
        assert_eq!(wait(&[("x-rate-limit-reset", "1714567720")]), 1);
        assert_eq!(wait(&[("x-ratelimit-reset", "soon")]), 60);
        assert_eq!(wait(&[]), 60);
    }
}
