//! The pieces every command's view is made of: aligned tables, relative and local times,
//! excerpts and quotations, task counts and where a task came from.
//!
//! Every view is a pure function from protocol data (and the current time) to a string, so the
//! output is unit-tested with fixed data and the commands only print what the views return.

use std::fmt::Write as _;

use rapport_core::UnixSeconds;
use rapport_core::localtime;
use rapport_core::task::{Origin, PostKind};
use rapport_protocol::StateCount;

/// A time relative to `now`: "just now", "in 5m", "2h ago", "3d ago".
pub fn relative(now: UnixSeconds, at: UnixSeconds) -> String {
    let delta = at - now;
    let span = delta.unsigned_abs();
    if span < 60 {
        return "just now".into();
    }
    let amount = match span {
        s if s < 3_600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3_600),
        s => format!("{}d", s / 86_400),
    };
    if delta > 0 { format!("in {amount}") } else { format!("{amount} ago") }
}

/// A time as UTC, to the minute.
pub fn utc(at: UnixSeconds) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map_or_else(|| format!("@{at}"), |t| t.format("%Y-%m-%d %H:%M UTC").to_string())
}

/// A time in the IANA zone `zone` with its abbreviation, "Sat 13 Dec 10:30 GMT"; in UTC when the
/// zone is empty or unknown (an older daemon sends none).
pub fn local(at: UnixSeconds, zone: &str) -> String {
    match localtime::parse_zone(zone, "timezone") {
        Ok(tz) => localtime::to_local(at, tz).format("%a %d %b %H:%M %Z").to_string(),
        Err(_) => utc(at),
    }
}

/// A time in `zone` as seen from `from`: "11:00 GMT" on the same day, else with the date.
pub fn local_from(at: UnixSeconds, from: UnixSeconds, zone: &str) -> String {
    match localtime::parse_zone(zone, "timezone") {
        Ok(tz) => localtime::label(at, from, tz),
        Err(_) => utc(at),
    }
}

/// `table`'s output with each row's note, if it has one, on its own indented line under it.
pub fn with_notes(table: &str, notes: &[Option<String>]) -> String {
    let mut out = String::new();
    let mut lines = table.lines();
    if let Some(header) = lines.next() {
        let _ = writeln!(out, "{header}");
    }
    for (line, note) in lines.zip(notes.iter().map(Option::as_deref).chain(std::iter::repeat(None))) {
        let _ = writeln!(out, "{line}");
        if let Some(note) = note {
            for part in note.lines() {
                let _ = writeln!(out, "    {part}");
            }
        }
    }
    out
}

/// Columns padded to their widest cell (by characters); the last column is not padded.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header_row: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&header_row).chain(rows) {
        let last = row.len().saturating_sub(1);
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(&widths).enumerate() {
            if i == last {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<width$}  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// At most `max` characters of one line of text, with an ellipsis when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() <= max && !text.contains('\n') {
        return line.to_string();
    }
    let cut: String = line.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}

/// A post kind's name as config and the CLI spell it.
pub fn post_kind(kind: PostKind) -> &'static str {
    match kind {
        PostKind::Value => "value",
        PostKind::Sales => "sales",
    }
}

/// Indents every line of `text` as a quotation.
pub fn quote(out: &mut String, text: &str) {
    for line in text.lines() {
        let _ = writeln!(out, "    > {line}");
    }
}

/// Task counts as "2 proposed · 5 done", in state order; "no tasks yet" when there are none.
pub fn counts(counts: &[StateCount]) -> String {
    let parts: Vec<String> =
        counts.iter().filter(|c| c.count > 0).map(|c| format!("{} {}", c.count, c.state)).collect();
    if parts.is_empty() { "no tasks yet".into() } else { parts.join(" · ") }
}

/// Where a task came from, in two words, for tables.
pub fn origin_label(origin: &Origin) -> String {
    match origin {
        Origin::Notification { .. } => "notification".into(),
        Origin::Schedule { schedule, .. } => format!("schedule {schedule}"),
        Origin::Manual => "by hand".into(),
        Origin::Campaign { campaign, .. } => format!("campaign {campaign}"),
        Origin::Purge => "purge".into(),
        Origin::Circle { circle } => format!("circle {circle}"),
    }
}

/// Where a task came from, in a sentence; `None` for a notification, which the person and the
/// post a task shows already tell.
pub fn origin_line(origin: &Origin) -> Option<String> {
    match origin {
        Origin::Notification { .. } => None,
        Origin::Schedule { schedule, entry, .. } => Some(format!("from schedule {schedule} (entry {entry})")),
        Origin::Manual => Some("added by hand".into()),
        Origin::Campaign { campaign, source } => Some(format!("from campaign {campaign} ({source})")),
        Origin::Purge => Some("from the purge".into()),
        Origin::Circle { circle } => Some(format!("from circle {circle}")),
    }
}

/// "1 person", "3 people": `n` and the noun that fits it.
pub fn many(n: usize, one: &str, several: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {several}") }
}

#[cfg(test)]
mod tests {
    use rapport_core::task::TaskState;

    use super::*;

    const NOW: UnixSeconds = 1_700_000_000;

    #[test]
    fn relative_times_read_naturally() {
        assert_eq!(relative(NOW, NOW + 10), "just now");
        assert_eq!(relative(NOW, NOW + 300), "in 5m");
        assert_eq!(relative(NOW, NOW - 7_200), "2h ago");
        assert_eq!(relative(NOW, NOW - 3 * 86_400), "3d ago");
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
    }

    #[test]
    fn tables_align_on_the_widest_cell() {
        let out = table(
            &["ID", "NAME", "X"],
            &[vec!["1".into(), "é-long".into(), "a".into()], vec!["22".into(), "b".into(), "".into()]],
        );
        assert_eq!(out, "ID  NAME    X\n1   é-long  a\n22  b\n");
    }

    #[test]
    fn counts_and_origins_read_as_words() {
        let tasks = [
            StateCount { state: TaskState::Proposed, count: 2 },
            StateCount { state: TaskState::Done, count: 5 },
        ];
        assert_eq!(counts(&tasks), "2 proposed · 5 done");
        assert_eq!(counts(&[]), "no tasks yet");
        let campaign = Origin::Campaign { campaign: "potters".into(), source: "#pottery".into() };
        assert_eq!(origin_line(&campaign).as_deref(), Some("from campaign potters (#pottery)"));
        assert_eq!(origin_label(&campaign), "campaign potters");
        assert_eq!(origin_line(&Origin::Purge).as_deref(), Some("from the purge"));
        assert_eq!(origin_label(&Origin::Purge), "purge");
        let circle = Origin::Circle { circle: "makers".into() };
        assert_eq!(origin_line(&circle).as_deref(), Some("from circle makers"));
        assert_eq!(origin_line(&Origin::Notification { id: "n1".into() }), None);
        assert_eq!(many(1, "person", "people"), "1 person");
        assert_eq!(many(0, "person", "people"), "0 people");
    }
}
