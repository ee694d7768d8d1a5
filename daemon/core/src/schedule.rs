//! Posting schedules: cron expressions in a person's own time zone, and what to do about slots the
//! daemon missed while it was down.
//!
//! Cron syntax is the `cron` crate's (0.17): six fields with seconds first (`sec min hour
//! day-of-month month day-of-week`), an optional seventh for the year; a classic five-field
//! expression (`min hour dom month dow`) is accepted and gets `0` seconds prepended. Day-of-week
//! numbers in that crate run 1 = Sunday to 7 = Saturday, so names (`Mon-Fri`) are clearer.
//!
//! Slots are DST-correct: the expression is matched against the wall clock of the schedule's IANA
//! zone, so a 09:00 Europe/Berlin slot stays at 09:00 local through both transitions. A wall time
//! that does not exist on spring-forward day fires once, at the end of the gap (02:30 becomes
//! 03:00); a wall time that happens twice on fall-back day fires once, at its first occurrence. The
//! `cron` crate itself would skip the first and fire the second twice, which is why this module
//! matches the expression against plain wall-clock time and resolves each match itself.

use std::fmt;
use std::str::FromStr;

use chrono::{TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::UnixSeconds;
use crate::config::KeyedError;
use crate::localtime;
use crate::span::Span;
use crate::task::PostKind;

/// A slot this late still counts as on time: timers wake a little after the instant they aim for.
pub const ON_TIME_GRACE: i64 = 60;

/// Missed slots listed at most, so a long outage with a busy schedule stays a short report.
pub const MAX_REPORTED_MISSED: usize = 100;

/// One `[[schedules]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleConfig {
    /// A name for `rapport schedule` and task origins.
    pub name: String,
    /// When to post: `"0 0 9 * * Mon-Fri"` (with seconds) or `"0 9 * * Mon-Fri"` (five fields).
    pub cron: String,
    /// The IANA zone the expression is read in.
    #[serde(default = "default_timezone")]
    pub timezone: String,
    /// The configured accounts each slot posts to.
    pub accounts: Vec<String>,
    /// The kinds of post this schedule may take from the library; empty for any.
    #[serde(default)]
    pub kinds: Vec<PostKind>,
    /// What to do with a slot missed while the daemon was down: `"skip"` or `"post-late-within 2h"`.
    #[serde(default)]
    pub late_policy: LatePolicy,
}

fn default_timezone() -> String {
    "UTC".into()
}

/// What to do with a slot missed while the daemon was down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum LatePolicy {
    /// Report it and wait for the next slot.
    #[default]
    Skip,
    /// Post the latest missed slot if it is at most this old; report the rest.
    PostLateWithin(Span),
}

impl FromStr for LatePolicy {
    type Err = String;

    fn from_str(text: &str) -> Result<LatePolicy, String> {
        let text = text.trim();
        if text == "skip" {
            return Ok(LatePolicy::Skip);
        }
        match text.strip_prefix("post-late-within") {
            Some(span) => span.parse().map(LatePolicy::PostLateWithin).map_err(|e| e.to_string()),
            None => Err(format!("`{text}` is not a late policy; use \"skip\" or \"post-late-within 2h\"")),
        }
    }
}

impl TryFrom<String> for LatePolicy {
    type Error = String;
    fn try_from(text: String) -> Result<LatePolicy, String> {
        text.parse()
    }
}

impl fmt::Display for LatePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LatePolicy::Skip => f.write_str("skip"),
            LatePolicy::PostLateWithin(span) => write!(f, "post-late-within {span}"),
        }
    }
}

impl From<LatePolicy> for String {
    fn from(policy: LatePolicy) -> String {
        policy.to_string()
    }
}

/// A schedule setting that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScheduleError {
    /// The cron expression does not parse.
    #[error(
        "{key}: `{expression}` is not a cron expression ({problem}); write \"sec min hour day month weekday\", e.g. \"0 0 9 * * Mon-Fri\""
    )]
    Cron {
        /// The config key.
        key: String,
        /// What was written.
        expression: String,
        /// The parser's complaint.
        problem: String,
    },
    /// The zone is unknown.
    #[error(transparent)]
    Zone(#[from] localtime::ZoneError),
    /// A schedule with no account would never post.
    #[error("{key} is empty; name at least one configured account to post to")]
    NoAccounts {
        /// The config key.
        key: String,
    },
}

impl KeyedError for ScheduleError {
    fn key(&self) -> String {
        match self {
            ScheduleError::Cron { key, .. } | ScheduleError::NoAccounts { key } => key.clone(),
            ScheduleError::Zone(zone) => zone.key(),
        }
    }
}

/// A compiled schedule, ready to list its slots.
#[derive(Debug, Clone)]
pub struct Schedule {
    config: ScheduleConfig,
    cron: cron::Schedule,
    zone: Tz,
}

/// What became of the slots since the last run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CatchUp {
    /// The one slot to post now (on time, or late within the policy), if any.
    pub due: Option<UnixSeconds>,
    /// Slots that passed and will not be posted, oldest first, at most [`MAX_REPORTED_MISSED`].
    pub missed: Vec<UnixSeconds>,
    /// Whether more slots were missed than listed.
    pub more_missed: bool,
}

impl ScheduleConfig {
    /// Compiles the schedule at `index` in `schedules`; errors name the key at fault.
    pub fn compile(&self, index: usize) -> Result<Schedule, ScheduleError> {
        let key = |field: &str| format!("schedules[{index}].{field}");
        let expression = match self.cron.split_whitespace().count() {
            5 => format!("0 {}", self.cron.trim()),
            _ => self.cron.trim().to_owned(),
        };
        let cron = expression.parse::<cron::Schedule>().map_err(|e| ScheduleError::Cron {
            key: key("cron"),
            expression: self.cron.clone(),
            problem: e.to_string(),
        })?;
        let zone = localtime::parse_zone(&self.timezone, &key("timezone"))?;
        if self.accounts.is_empty() {
            return Err(ScheduleError::NoAccounts { key: key("accounts") });
        }
        Ok(Schedule { config: self.clone(), cron, zone })
    }
}

impl Schedule {
    /// The schedule as configured.
    pub fn config(&self) -> &ScheduleConfig {
        &self.config
    }

    /// The zone its expression is read in.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// Whether this schedule may post a library entry of this kind.
    pub fn takes(&self, kind: PostKind) -> bool {
        self.config.kinds.is_empty() || self.config.kinds.contains(&kind)
    }

    /// The next `n` slots strictly after `after`.
    pub fn next_slots(&self, after: UnixSeconds, n: usize) -> Vec<UnixSeconds> {
        self.slots_after(after).take(n).collect()
    }

    /// The slots strictly after `after`, in order, each instant once.
    fn slots_after(&self, after: UnixSeconds) -> impl Iterator<Item = UnixSeconds> + '_ {
        // The expression is matched against wall-clock time, expressed as if it were UTC so the
        // cron crate sees no transitions; each match is then resolved in the real zone.
        let wall = localtime::to_local(after, self.zone).naive_local();
        let mut last = after;
        self.cron.after(&Utc.from_utc_datetime(&wall)).filter_map(move |m| {
            let at = localtime::resolve(m.naive_utc(), self.zone)?;
            // Several wall times in one gap resolve to its end, and a repeated wall time before
            // `after` already fired: both are skipped so every instant fires once.
            (at > last).then(|| {
                last = at;
                at
            })
        })
    }

    /// Sorts the slots in `(last_run, now]` into the one to post now and the ones missed.
    ///
    /// The latest slot is due if it is at most [`ON_TIME_GRACE`] old, or, with
    /// `post-late-within`, at most that old; every other slot is missed. So however long the
    /// daemon was down, at most one post goes out: never a burst of catch-up posts.
    pub fn catch_up(&self, last_run: UnixSeconds, now: UnixSeconds) -> CatchUp {
        let allowed = match self.config.late_policy {
            LatePolicy::Skip => ON_TIME_GRACE,
            LatePolicy::PostLateWithin(span) => span.as_offset().max(ON_TIME_GRACE),
        };
        // Only slots within the allowed lateness can be due, so the search for it stays short.
        let due =
            self.slots_after(last_run.max(now.saturating_sub(allowed))).take_while(|&s| s <= now).last();
        let mut missed = self.slots_after(last_run).take_while(|&s| s <= now && Some(s) != due);
        let listed: Vec<_> = missed.by_ref().take(MAX_REPORTED_MISSED).collect();
        let more_missed = missed.next().is_some();
        CatchUp { due, missed: listed, more_missed }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, Timelike};

    use super::*;

    fn schedule(cron: &str, zone: &str) -> Schedule {
        ScheduleConfig {
            name: "morning".into(),
            cron: cron.into(),
            timezone: zone.into(),
            accounts: vec!["shop".into()],
            kinds: Vec::new(),
            late_policy: LatePolicy::Skip,
        }
        .compile(0)
        .unwrap()
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> UnixSeconds {
        NaiveDate::from_ymd_opt(y, mo, d).unwrap().and_hms_opt(h, mi, 0).unwrap().and_utc().timestamp()
    }

    fn local_hm(s: &Schedule, at: UnixSeconds) -> (u32, u32) {
        let t = localtime::to_local(at, s.zone());
        (t.hour(), t.minute())
    }

    #[test]
    fn nine_o_clock_berlin_stays_nine_local_across_both_transitions() {
        let s = schedule("0 0 9 * * *", "Europe/Berlin");
        let spring = s.next_slots(utc(2025, 3, 28, 12, 0), 4);
        assert_eq!(
            spring,
            [utc(2025, 3, 29, 8, 0), utc(2025, 3, 30, 7, 0), utc(2025, 3, 31, 7, 0), utc(2025, 4, 1, 7, 0)]
        );
        let autumn = s.next_slots(utc(2025, 10, 24, 12, 0), 3);
        assert_eq!(autumn, [utc(2025, 10, 25, 7, 0), utc(2025, 10, 26, 8, 0), utc(2025, 10, 27, 8, 0)]);
        assert!(spring.iter().chain(&autumn).all(|&t| local_hm(&s, t) == (9, 0)));
    }

    #[test]
    fn a_berlin_slot_in_the_spring_gap_fires_once_at_the_gap_end() {
        let s = schedule("0 30 2 * * *", "Europe/Berlin");
        // 2025-03-30: 02:00 CET jumps to 03:00 CEST (01:00 UTC); 02:30 does not exist.
        let slots = s.next_slots(utc(2025, 3, 29, 12, 0), 3);
        assert_eq!(slots, [utc(2025, 3, 30, 1, 0), utc(2025, 3, 31, 0, 30), utc(2025, 4, 1, 0, 30)]);
        assert_eq!(local_hm(&s, slots[0]), (3, 0));
    }

    #[test]
    fn a_berlin_slot_in_the_repeated_hour_fires_once() {
        let s = schedule("0 30 2 * * *", "Europe/Berlin");
        // 2025-10-26: 03:00 CEST falls back to 02:00 CET; 02:30 happens at 00:30 and 01:30 UTC.
        let slots = s.next_slots(utc(2025, 10, 25, 12, 0), 2);
        assert_eq!(slots, [utc(2025, 10, 26, 0, 30), utc(2025, 10, 27, 1, 30)]);
        // Asking from inside the second 02:00–03:00 does not fire the repeated 02:30 again.
        assert_eq!(s.next_slots(utc(2025, 10, 26, 1, 10), 1), [utc(2025, 10, 27, 1, 30)]);
    }

    #[test]
    fn half_hourly_slots_collapse_in_the_gap_and_do_not_repeat_in_the_overlap() {
        let s = schedule("0 0,30 * * * *", "Europe/Berlin");
        let spring = s.next_slots(utc(2025, 3, 30, 0, 0), 3); // from 01:00 CET
        assert_eq!(spring, [utc(2025, 3, 30, 0, 30), utc(2025, 3, 30, 1, 0), utc(2025, 3, 30, 1, 30)]);
        let autumn = s.next_slots(utc(2025, 10, 25, 23, 15), 4); // from 01:15 CEST
        let want = [
            utc(2025, 10, 25, 23, 30),
            utc(2025, 10, 26, 0, 0),
            utc(2025, 10, 26, 0, 30),
            utc(2025, 10, 26, 2, 0),
        ];
        assert_eq!(autumn, want);
    }

    #[test]
    fn new_york_transitions_fire_each_wall_time_once() {
        let s = schedule("30 2 * * *", "America/New_York"); // five fields: 02:30 daily
        // 2025-03-09: 02:00 EST jumps to 03:00 EDT (07:00 UTC).
        assert_eq!(s.next_slots(utc(2025, 3, 8, 12, 0), 2), [utc(2025, 3, 9, 7, 0), utc(2025, 3, 10, 6, 30)]);
        let s = schedule("0 30 1 * * *", "America/New_York");
        // 2025-11-02: 02:00 EDT falls back to 01:00 EST; 01:30 happens at 05:30 and 06:30 UTC.
        assert_eq!(
            s.next_slots(utc(2025, 11, 1, 12, 0), 2),
            [utc(2025, 11, 2, 5, 30), utc(2025, 11, 3, 6, 30)]
        );
        let s = schedule("0 0 9 * * Mon-Fri", "America/New_York");
        let slots = s.next_slots(utc(2025, 3, 6, 0, 0), 4); // Thu, Fri, (weekend, DST), Mon, Tue
        assert_eq!(
            slots,
            [
                utc(2025, 3, 6, 14, 0),
                utc(2025, 3, 7, 14, 0),
                utc(2025, 3, 10, 13, 0),
                utc(2025, 3, 11, 13, 0)
            ]
        );
    }

    #[test]
    fn missed_slots_are_reported_and_only_the_latest_may_post_late() {
        let mut s = schedule("0 0 * * * *", "UTC");
        let last_run = utc(2025, 1, 1, 0, 0);
        let now = utc(2025, 1, 1, 5, 20);
        let skip = s.catch_up(last_run, now);
        assert_eq!(skip.due, None);
        assert_eq!(skip.missed, (1..=5).map(|h| utc(2025, 1, 1, h, 0)).collect::<Vec<_>>());
        s.config.late_policy = "post-late-within 2h".parse().unwrap();
        let late = s.catch_up(last_run, now);
        assert_eq!(late.due, Some(utc(2025, 1, 1, 5, 0)), "one late post, the latest");
        assert_eq!(late.missed, (1..=4).map(|h| utc(2025, 1, 1, h, 0)).collect::<Vec<_>>());
        // An on-time tick is due under either policy and misses nothing.
        let on_time = s.catch_up(utc(2025, 1, 1, 4, 0), utc(2025, 1, 1, 5, 0) + 2);
        assert_eq!((on_time.due, on_time.missed.len()), (Some(utc(2025, 1, 1, 5, 0)), 0));
    }

    #[test]
    fn a_long_outage_is_reported_briefly() {
        let s = schedule("0 * * * * *", "UTC");
        let report = s.catch_up(0, 30 * 86_400);
        assert_eq!(report.missed.len(), MAX_REPORTED_MISSED);
        assert!(report.more_missed);
        assert_eq!(report.due, Some(30 * 86_400), "the slot at now itself is on time");
    }

    #[test]
    fn config_reads_and_names_bad_keys() {
        let c: ScheduleConfig = toml::from_str(
            "name = \"tips\"\ncron = \"0 0 9 * * Mon-Fri\"\ntimezone = \"Europe/Berlin\"\naccounts = [\"shop\"]\n\
             kinds = [\"value\"]\nlate_policy = \"post-late-within 2h\"",
        )
        .unwrap();
        assert_eq!(c.late_policy, LatePolicy::PostLateWithin(Span::from_secs(7_200)));
        let s = c.compile(0).unwrap();
        assert!(s.takes(PostKind::Value) && !s.takes(PostKind::Sales));
        let bad = ScheduleConfig { cron: "every morning".into(), ..c.clone() };
        assert!(bad.compile(3).unwrap_err().to_string().starts_with("schedules[3].cron: `every morning`"));
        let bad = ScheduleConfig { timezone: "Berlin".into(), ..c.clone() };
        assert!(bad.compile(1).unwrap_err().to_string().starts_with("schedules[1].timezone"));
        let bad = ScheduleConfig { accounts: vec![], ..c };
        assert_eq!(
            bad.compile(0).unwrap_err().to_string(),
            "schedules[0].accounts is empty; name at least one configured account to post to"
        );
        assert!(
            toml::from_str::<ScheduleConfig>(
                "name = \"x\"\ncron = \"* * * * *\"\naccounts = []\nlate_policy = \"soon\""
            )
            .is_err()
        );
    }
}
