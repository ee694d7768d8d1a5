//! Time zones for people: reading IANA zone names, local day boundaries and short time labels.
//!
//! The core counts in UTC seconds, but a person reads "next at 09:12 CET" and thinks of "today" in
//! their own zone. Hold reasons, daily post caps and schedules all go through these helpers so the
//! same instant is always shown and bounded the same way.

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use thiserror::Error;

use crate::UnixSeconds;

/// A time zone name that is not in the IANA database.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{key}: `{name}` is not an IANA time zone; use a name like \"Europe/Berlin\" or \"UTC\"")]
pub struct ZoneError {
    /// The config key that named it.
    pub key: String,
    /// The name given.
    pub name: String,
}

impl crate::config::KeyedError for ZoneError {
    fn key(&self) -> String {
        self.key.clone()
    }
}

/// Reads an IANA zone name, naming the config key on error.
pub fn parse_zone(name: &str, key: &str) -> Result<Tz, ZoneError> {
    name.parse::<Tz>().map_err(|_| ZoneError { key: key.to_owned(), name: name.to_owned() })
}

/// The instant as a date-time in the zone; instants beyond chrono's range clamp to its ends.
pub fn to_local(at: UnixSeconds, zone: Tz) -> DateTime<Tz> {
    let utc = DateTime::<Utc>::from_timestamp(at, 0).unwrap_or(if at < 0 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    });
    utc.with_timezone(&zone)
}

/// Minutes after local midnight at `at` (what a daily "at 09:00" compares against).
pub fn minute_of_day(at: UnixSeconds, zone: Tz) -> u32 {
    let local = to_local(at, zone);
    local.hour() * 60 + local.minute()
}

/// The local calendar date of `at`, as `YYYY-MM-DD`.
pub fn date_label(at: UnixSeconds, zone: Tz) -> String {
    to_local(at, zone).date_naive().to_string()
}

/// The first instant of the local calendar day containing `at`.
pub fn day_start(at: UnixSeconds, zone: Tz) -> UnixSeconds {
    let date = to_local(at, zone).date_naive();
    first_instant_of(date, zone).unwrap_or(at)
}

/// The first instant of the local calendar day after the one containing `at`.
pub fn next_day_start(at: UnixSeconds, zone: Tz) -> UnixSeconds {
    let date = to_local(at, zone).date_naive();
    date.checked_add_days(Days::new(1)).and_then(|next| first_instant_of(next, zone)).unwrap_or(at)
}

/// Midnight of a date, or the first existing instant after it where midnight falls in a DST gap.
fn first_instant_of(date: NaiveDate, zone: Tz) -> Option<UnixSeconds> {
    resolve(date.and_time(NaiveTime::MIN), zone)
}

/// The instant a local wall-clock time stands for, so that each wall time happens exactly once:
/// a repeated time (clocks going back) is its first occurrence, and a time that does not exist
/// (clocks going forward) is the end of the gap, the first wall time that does exist after it.
/// `None` only beyond chrono's range of dates.
pub fn resolve(local: NaiveDateTime, zone: Tz) -> Option<UnixSeconds> {
    if let Some(t) = zone.from_local_datetime(&local).earliest() {
        return Some(t.timestamp());
    }
    // Gaps start and end on whole minutes and last at most a day (Samoa skipped 2011-12-30), so
    // walking whole minutes from the gap's start finds the first wall time after it.
    let minute = local.with_second(0)?;
    (1..=24 * 60).find_map(|m| {
        let later = minute.checked_add_signed(chrono::Duration::minutes(m))?;
        zone.from_local_datetime(&later).earliest().map(|t| t.timestamp())
    })
}

/// A short label for an instant as seen from `now`: "09:12 CET" today, "Tue 14 Jan 09:12 CET" otherwise.
pub fn label(at: UnixSeconds, now: UnixSeconds, zone: Tz) -> String {
    let local = to_local(at, zone);
    if local.date_naive() == to_local(now, zone).date_naive() {
        local.format("%H:%M %Z").to_string()
    } else {
        local.format("%a %d %b %H:%M %Z").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_today_with_time_only_and_other_days_with_the_date() {
        let now = 1_736_845_200; // Tue 2025-01-14 09:00 UTC
        assert_eq!(label(now + 720, now, Tz::UTC), "09:12 UTC");
        assert_eq!(label(now + 720, now, chrono_tz::Europe::Berlin), "10:12 CET");
        assert_eq!(label(now + 86_400, now, Tz::UTC), "Wed 15 Jan 09:00 UTC");
    }

    #[test]
    fn day_bounds_follow_the_zone() {
        let now = 1_736_845_200; // 09:00 UTC, 10:00 in Berlin
        assert_eq!(day_start(now, Tz::UTC), 1_736_812_800);
        assert_eq!(day_start(now, chrono_tz::Europe::Berlin), 1_736_812_800 - 3_600);
        assert_eq!(next_day_start(now, chrono_tz::Europe::Berlin), 1_736_812_800 + 82_800);
    }

    #[test]
    fn a_spring_forward_day_is_23_hours_long() {
        // 2025-03-30 12:00 UTC, Berlin springs forward at 01:00 UTC that day.
        let noon = 1_743_336_000;
        let zone = chrono_tz::Europe::Berlin;
        assert_eq!(next_day_start(noon, zone) - day_start(noon, zone), 23 * 3_600);
    }

    #[test]
    fn unknown_zones_name_the_key() {
        let err = parse_zone("Mars/Olympus", "schedules[0].timezone").unwrap_err();
        assert!(err.to_string().starts_with("schedules[0].timezone: `Mars/Olympus`"));
    }
}
