//! Reading the relationship book: how an account stands with a person, the one line of history
//! every task view shows ("3rd interaction; replied to you twice in March; you follow each other
//! since 2026-10-02"), and who the account is losing touch with.

use chrono::Datelike;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::UnixSeconds;
use crate::history::{Direction, Interaction, InteractionKind};
use crate::localtime;

/// Who follows whom, and since when, as far as the ledger knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Standing {
    /// When the person followed the account (their latest follow), if they did.
    pub they_follow_since: Option<UnixSeconds>,
    /// When the account followed the person, if it does now (not unfollowed since).
    pub we_follow_since: Option<UnixSeconds>,
}

/// How the account stands with the person whose interactions (oldest first) these are.
pub fn standing(interactions: &[Interaction]) -> Standing {
    let mut out = Standing::default();
    for i in interactions {
        match (i.direction, i.kind) {
            (Direction::Theirs, InteractionKind::Followed) => out.they_follow_since = Some(i.at),
            (Direction::Ours, InteractionKind::Followed | InteractionKind::FollowedBack) => {
                out.we_follow_since = out.we_follow_since.or(Some(i.at));
            }
            (Direction::Ours, InteractionKind::Unfollowed) => out.we_follow_since = None,
            _ => {}
        }
    }
    out
}

/// One line of a person's history with the account, for a task about to add an interaction.
pub fn history_line(interactions: &[Interaction], now: UnixSeconds, zone: Tz) -> String {
    let mut parts = vec![match interactions.len() {
        0 => "first interaction".to_owned(),
        n => format!("{} interaction", ordinal(n + 1)),
    }];
    if let Some(latest) = latest_month_of_theirs(interactions, now, zone) {
        parts.push(latest);
    }
    let Standing { they_follow_since, we_follow_since } = standing(interactions);
    let date = |at| localtime::date_label(at, zone);
    match (they_follow_since, we_follow_since) {
        (Some(they), Some(we)) => parts.push(format!("you follow each other since {}", date(they.max(we)))),
        (Some(they), None) => parts.push(format!("follows you since {}", date(they))),
        (None, Some(we)) => parts.push(format!("you follow them since {}, not followed back", date(we))),
        (None, None) => {}
    }
    parts.join("; ")
}

/// "replied to you twice in March": the person's most frequent kind of interaction in the
/// latest month they interacted at all (follows aside: the standing says those).
fn latest_month_of_theirs(interactions: &[Interaction], now: UnixSeconds, zone: Tz) -> Option<String> {
    let month_of = |at| {
        let local = localtime::to_local(at, zone);
        (local.year(), local.month())
    };
    let theirs = interactions
        .iter()
        .filter(|i| i.direction == Direction::Theirs && i.kind != InteractionKind::Followed);
    let latest = theirs.clone().map(|i| month_of(i.at)).max()?;
    let mut counts: Vec<(InteractionKind, usize)> = Vec::new();
    for i in theirs.filter(|i| month_of(i.at) == latest) {
        match counts.iter_mut().find(|(k, _)| *k == i.kind) {
            Some((_, n)) => *n += 1,
            None => counts.push((i.kind, 1)),
        }
    }
    // The most frequent kind; the first seen wins a tie, so the line is stable.
    let (kind, n) =
        counts.iter().copied().fold(None, |best: Option<(InteractionKind, usize)>, c| match best {
            Some(b) if b.1 >= c.1 => Some(b),
            _ => Some(c),
        })?;
    let times = match n {
        1 => "once".to_owned(),
        2 => "twice".to_owned(),
        n => format!("{n} times"),
    };
    let (year, month) = latest;
    let month_name = chrono::Month::try_from(u8::try_from(month).ok()?).ok()?.name();
    let when = if year == localtime::to_local(now, zone).year() {
        month_name.to_owned()
    } else {
        format!("{month_name} {year}")
    };
    Some(format!("{} you {times} in {when}", their_verb(kind)))
}

/// The verb of what a person did to the account, addressed to its owner ("liked your posts").
fn their_verb(kind: InteractionKind) -> &'static str {
    match kind {
        InteractionKind::Liked => "liked",
        InteractionKind::Reposted => "reposted",
        InteractionKind::Replied => "replied to",
        InteractionKind::Mentioned => "mentioned",
        InteractionKind::Quoted => "quoted",
        InteractionKind::Messaged => "messaged",
        InteractionKind::Followed | InteractionKind::FollowedBack | InteractionKind::Unfollowed => "followed",
    }
}

/// "1st", "2nd", "3rd", "11th", "22nd".
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Whether someone the account used to interact with (at least `min_interactions` times) has
/// been quiet both ways since `quiet_since`: a nudge to get back in touch, never an automation.
pub fn losing_touch(
    interactions: u32,
    last_seen: UnixSeconds,
    quiet_since: UnixSeconds,
    min_interactions: u32,
) -> bool {
    interactions >= min_interactions && last_seen < quiet_since
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::InteractionSource;

    const DAY: i64 = 86_400;
    /// 2026-03-10T12:00:00Z.
    const MARCH: i64 = 1_773_144_000;

    fn i(at: i64, direction: Direction, kind: InteractionKind) -> Interaction {
        Interaction {
            at,
            person: "7".into(),
            handle: "ann".into(),
            direction,
            kind,
            source: InteractionSource::Notification(at.to_string()),
            campaign: None,
        }
    }

    #[test]
    fn the_line_counts_names_the_latest_month_and_the_standing() {
        let history = [
            i(MARCH - 40 * DAY, Direction::Theirs, InteractionKind::Liked),
            i(MARCH - 30 * DAY, Direction::Ours, InteractionKind::Followed),
            i(MARCH - 29 * DAY, Direction::Theirs, InteractionKind::Followed),
            i(MARCH, Direction::Theirs, InteractionKind::Replied),
            i(MARCH + DAY, Direction::Theirs, InteractionKind::Replied),
            i(MARCH + 2 * DAY, Direction::Theirs, InteractionKind::Liked),
        ];
        let line = history_line(&history, MARCH + 5 * DAY, chrono_tz::UTC);
        assert_eq!(
            line,
            "7th interaction; replied to you twice in March; you follow each other since 2026-02-09"
        );
    }

    #[test]
    fn an_unfollow_ends_our_side_and_a_stranger_is_a_first() {
        let history = [
            i(MARCH, Direction::Ours, InteractionKind::Followed),
            i(MARCH + DAY, Direction::Ours, InteractionKind::Unfollowed),
        ];
        assert_eq!(standing(&history), Standing::default());
        assert_eq!(history_line(&[], MARCH, chrono_tz::UTC), "first interaction");
        let we_only = [i(MARCH, Direction::Ours, InteractionKind::Followed)];
        assert_eq!(
            history_line(&we_only, MARCH + 400 * DAY, chrono_tz::UTC),
            "2nd interaction; you follow them since 2026-03-10, not followed back"
        );
    }

    #[test]
    fn an_earlier_year_is_named_and_ordinals_read_right() {
        let history = [i(MARCH, Direction::Theirs, InteractionKind::Mentioned)];
        assert_eq!(
            history_line(&history, MARCH + 365 * DAY, chrono_tz::UTC),
            "2nd interaction; mentioned you once in March 2026"
        );
        let ordinals: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(ordinal).to_vec();
        assert_eq!(
            ordinals,
            ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]
        );
    }

    #[test]
    fn losing_touch_needs_a_past_and_a_silence() {
        assert!(losing_touch(3, MARCH - 40 * DAY, MARCH - 30 * DAY, 2));
        assert!(!losing_touch(1, MARCH - 40 * DAY, MARCH - 30 * DAY, 2));
        assert!(!losing_touch(3, MARCH - 10 * DAY, MARCH - 30 * DAY, 2));
    }
}
