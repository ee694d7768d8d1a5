//! How each reply looks to a person: aligned tables, task details, relative times.
//!
//! Every view is a pure function from protocol data (and the current time) to a string, so the
//! output is unit-tested with fixed data and the commands only print what these return.

use std::fmt::Write as _;

use rapport_core::UnixSeconds;
use rapport_core::localtime;
use rapport_core::task::{Action, PostKind, Task, TaskState};
use rapport_protocol::{
    AccountRatio, AccountStatus, ContentEntry, ItemResult, PluginHealth, PostPreview, ScheduleReport, Slot,
    SlotVerdict, StatusReport,
};

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
fn local_from(at: UnixSeconds, from: UnixSeconds, zone: &str) -> String {
    match localtime::parse_zone(zone, "timezone") {
        Ok(tz) => localtime::label(at, from, tz),
        Err(_) => utc(at),
    }
}

/// `table`'s output with each row's note, if it has one, on its own indented line under it.
fn with_notes(table: &str, notes: &[Option<String>]) -> String {
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
fn excerpt(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() <= max && !text.contains('\n') {
        return line.to_string();
    }
    let cut: String = line.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}

/// A post kind's name as config and the CLI spell it.
fn post_kind(kind: PostKind) -> &'static str {
    match kind {
        PostKind::Value => "value",
        PostKind::Sales => "sales",
    }
}

/// Who a task concerns, as `@handle`, or the platform id when no profile is known.
fn who(task: &Task) -> String {
    if let Some(profile) = &task.context.profile {
        return format!("@{}", profile.handle);
    }
    match &task.action {
        Action::Follow { account_id }
        | Action::FollowBack { account_id }
        | Action::Unfollow { account_id }
        | Action::AcceptFollowRequest { account_id } => account_id.clone(),
        Action::Reply { .. } | Action::Publish { .. } | Action::Like { .. } | Action::Repost { .. } => {
            String::new()
        }
    }
}

/// The queue as a table; a task's note (why it is held, why it ended) follows its row in full,
/// on its own indented line.
pub fn task_table(tasks: &[Task], now: UnixSeconds) -> String {
    if tasks.is_empty() {
        return "No tasks.\n".into();
    }
    let rows: Vec<Vec<String>> = tasks
        .iter()
        .map(|t| {
            let not_before = match t.not_before {
                Some(at) if at > now && t.state == TaskState::Approved => relative(now, at),
                _ => "-".into(),
            };
            vec![
                t.id.to_string(),
                t.state.to_string(),
                t.account.clone(),
                t.action.kind().to_string(),
                who(t),
                relative(now, t.created_at),
                not_before,
                t.action.text().map(|s| excerpt(s, 50)).unwrap_or_default(),
            ]
        })
        .collect();
    let notes: Vec<Option<String>> = tasks
        .iter()
        .map(|t| {
            let held = t.state == TaskState::Approved && t.not_before.is_some_and(|at| at > now);
            t.note.as_ref().map(|note| if held { format!("held: {note}") } else { format!("note: {note}") })
        })
        .collect();
    let rows = table(&["ID", "STATE", "ACCOUNT", "ACTION", "WHO", "CREATED", "NOT BEFORE", "TEXT"], &rows);
    with_notes(&rows, &notes)
}

/// Indents every line of `text` as a quotation.
fn quote(out: &mut String, text: &str) {
    for line in text.lines() {
        let _ = writeln!(out, "    > {line}");
    }
}

/// One task in full: what it does, who it concerns, the post it answers, its draft.
pub fn task_detail(task: &Task, now: UnixSeconds) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Task {}  {}  {}  ({})", task.id, task.action.kind(), task.state, task.account);
    let mut times = format!("created {}", relative(now, task.created_at));
    if let Some(at) = task.expires_at {
        let _ = write!(times, " · expires {}", relative(now, at));
    }
    if let Some(at) = task.not_before {
        let _ = write!(times, " · not before {} ({})", utc(at), relative(now, at));
    }
    if task.attempts > 0 {
        let _ = write!(times, " · {} attempt(s)", task.attempts);
    }
    let _ = writeln!(out, "  {times}");
    if let Some(profile) = &task.context.profile {
        let _ = writeln!(out, "Person: {} (@{})", profile.addressable_name(), profile.handle);
        if !profile.bio.trim().is_empty() {
            let _ = writeln!(out, "  bio: {}", excerpt(profile.bio.trim(), 200));
        }
        let count = |n: Option<u64>| n.map_or_else(|| "?".to_string(), |n| n.to_string());
        let mut line = format!(
            "  followers {} · following {} · posts {}",
            count(profile.followers),
            count(profile.following),
            count(profile.posts)
        );
        if let Some(created) = profile.created {
            let _ = write!(line, " · joined {}", relative(now, created));
        }
        if profile.bot {
            line.push_str(" · declares itself a bot");
        }
        let _ = writeln!(out, "{line}");
        if !profile.url.is_empty() {
            let _ = writeln!(out, "  {}", profile.url);
        }
    }
    if let Some(legitimacy) = &task.context.legitimacy {
        let _ = writeln!(out, "Legitimacy: {}/100", legitimacy.score);
        for reason in &legitimacy.reasons {
            let _ = writeln!(out, "  - {reason}");
        }
    }
    if let Some(post) = &task.context.post {
        let _ = writeln!(out, "Their post ({}, {}):", relative(now, post.created), post.url);
        quote(&mut out, &post.text);
    }
    match &task.action {
        Action::Reply { text, .. } => {
            let _ = writeln!(out, "Reply draft:");
            quote(&mut out, text);
        }
        Action::Publish { text, post_kind: kind, .. } => {
            let _ = writeln!(out, "Post ({}):", post_kind(*kind));
            quote(&mut out, text);
        }
        _ => {}
    }
    if let Some(note) = &task.note {
        let _ = writeln!(out, "Note: {note}");
    }
    if let Some(result) = &task.result {
        let _ = writeln!(out, "Result: {result}");
    }
    out
}

/// The outcome of a bulk change: one line per id, failures explained.
pub fn updated(results: &[ItemResult], verb: &str) -> String {
    let mut out = String::new();
    let failed = results.iter().filter(|r| r.error.is_some()).count();
    for result in results {
        if let Some(error) = &result.error {
            let _ = writeln!(out, "{}: {error}", result.id);
        }
    }
    let _ = writeln!(out, "{} {verb}, {failed} failed.", results.len() - failed);
    out
}

/// One account's plugin health in a word or a sentence.
fn health(h: &PluginHealth) -> String {
    match h {
        PluginHealth::Ok => "ok".into(),
        PluginHealth::Degraded(reason) => format!("degraded: {reason}"),
        PluginHealth::Down(reason) => format!("DOWN: {reason}"),
    }
}

/// The queue counts of an account as `proposed 3, approved 1`.
fn queue_counts(account: &AccountStatus) -> String {
    if account.queue.is_empty() {
        return "empty".into();
    }
    account.queue.iter().map(|c| format!("{} {}", c.state, c.count)).collect::<Vec<_>>().join(", ")
}

/// The daemon's status: an accounts table, then headroom and holds per account.
pub fn status(report: &StatusReport) -> String {
    let now = report.now;
    let mut out =
        format!("rapportd {} · up since {}\n\n", report.daemon_version, relative(now, report.started_at));
    if report.accounts.is_empty() {
        out.push_str("No accounts configured.\n");
        return out;
    }
    let rows: Vec<Vec<String>> = report
        .accounts
        .iter()
        .map(|a| {
            vec![
                a.name.clone(),
                a.platform.clone(),
                a.plugin.clone(),
                health(&a.plugin_health),
                a.last_poll.map_or_else(|| "never".into(), |at| relative(now, at)),
                queue_counts(a),
            ]
        })
        .collect();
    out.push_str(&table(&["ACCOUNT", "PLATFORM", "PLUGIN", "HEALTH", "LAST POLL", "QUEUE"], &rows));
    for account in &report.accounts {
        if account.headroom.is_empty() && account.held.is_empty() && account.attention.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{}:", account.name);
        for problem in &account.attention {
            let _ = writeln!(out, "  needs attention: {problem}");
        }
        for h in &account.headroom {
            let left = h.limit.saturating_sub(h.used);
            let _ = writeln!(
                out,
                "  {:<22} {left} of {} left per {} ({})",
                h.action.as_str(),
                h.limit,
                window(h.window_seconds),
                h.source
            );
        }
        for reason in &account.held {
            let _ = writeln!(out, "  held: {reason}");
        }
    }
    out
}

/// A window length in words: "hour", "24h", "7d".
fn window(seconds: u32) -> String {
    match seconds {
        60 => "minute".into(),
        3_600 => "hour".into(),
        86_400 => "day".into(),
        604_800 => "week".into(),
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3_600 == 0 => format!("{}h", s / 3_600),
        s => format!("{s}s"),
    }
}

/// The post ratio per account.
pub fn ratio(ratios: &[AccountRatio]) -> String {
    if ratios.is_empty() {
        return "No accounts.\n".into();
    }
    let rows: Vec<Vec<String>> = ratios
        .iter()
        .map(|r| {
            let next = if r.value_needed == 0 {
                "allowed now".to_string()
            } else {
                format!("after {} more value post(s)", r.value_needed)
            };
            vec![
                r.account.clone(),
                r.brand.clone().unwrap_or_else(|| "-".into()),
                r.value_posts.to_string(),
                r.sales_posts.to_string(),
                format!("{}:1", r.required),
                next,
            ]
        })
        .collect();
    table(&["ACCOUNT", "BRAND", "VALUE", "SALES", "REQUIRED", "NEXT SALES POST"], &rows)
}

/// What the gate would say of a slot, in a few words; the reason follows on its own line.
fn verdict(slot: &Slot) -> String {
    match slot.verdict {
        Some(SlotVerdict::Post) => "post".into(),
        Some(SlotVerdict::Held) => match slot.until {
            Some(until) => format!("held until {}", local_from(until, slot.at, &slot.timezone)),
            None => "held until more value posts".into(),
        },
        Some(SlotVerdict::Skipped) => "held: the slot posts nothing".into(),
        Some(SlotVerdict::Nothing) => "nothing to post".into(),
        // An older daemon does not say.
        None => String::new(),
    }
}

/// Upcoming schedule slots, each in its schedule's local time, with the entry it takes and what
/// the gate would say; a hold's reason follows its row.
pub fn slots(slots: &[Slot], now: UnixSeconds) -> String {
    if slots.is_empty() {
        return "No scheduled slots.\n".into();
    }
    let rows: Vec<Vec<String>> = slots
        .iter()
        .map(|s| {
            vec![
                local(s.at, &s.timezone),
                relative(now, s.at),
                s.schedule.clone(),
                s.account.clone(),
                s.entry.clone().unwrap_or_else(|| "-".into()),
                s.kind.map_or("-", post_kind).to_string(),
                verdict(s),
            ]
        })
        .collect();
    let notes: Vec<Option<String>> = slots.iter().map(|s| s.note.clone()).collect();
    with_notes(&table(&["WHEN", "", "SCHEDULE", "ACCOUNT", "ENTRY", "KIND", "GATE"], &rows), &notes)
}

/// `rapport schedule`: the coming slots, then the slots missed while rapportd was down.
pub fn schedule(report: &ScheduleReport) -> String {
    let mut out = slots(&report.slots, report.now);
    if report.missed.is_empty() {
        return out;
    }
    let _ = writeln!(out, "\nMissed while rapportd was down (nothing was posted for them):");
    let rows: Vec<Vec<String>> = report
        .missed
        .iter()
        .map(|m| {
            vec![
                local(m.at, &m.timezone),
                relative(report.now, m.at),
                m.schedule.clone(),
                m.accounts.join(", "),
            ]
        })
        .collect();
    for line in table(&["WHEN", "", "SCHEDULE", "ACCOUNTS"], &rows).lines() {
        let _ = writeln!(out, "  {line}");
    }
    if report.missed_earlier {
        let _ = writeln!(out, "  (earlier missed slots are no longer listed)");
    }
    out
}

/// The content library.
pub fn posts(entries: &[ContentEntry], now: UnixSeconds) -> String {
    if entries.is_empty() {
        return "The content library is empty.\n".into();
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.id.clone(),
                post_kind(e.kind).to_string(),
                if e.accounts.is_empty() { "all".into() } else { e.accounts.join(",") },
                e.last_posted.map_or_else(|| "never".into(), |at| relative(now, at)),
                excerpt(&e.text, 50),
            ]
        })
        .collect();
    table(&["ID", "KIND", "ACCOUNTS", "LAST POSTED", "TEXT"], &rows)
}

/// A post preview.
pub fn preview(preview: &PostPreview) -> String {
    let mut out = String::new();
    quote(&mut out, &preview.text);
    let _ = writeln!(out, "{} characters", preview.length);
    for warning in &preview.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    out
}

#[cfg(test)]
mod tests {
    use rapport_core::notification::{Post, Profile};
    use rapport_core::task::{Legitimacy, Origin, TaskContext, TaskId};
    use rapport_protocol::MissedSlot;

    use super::*;

    const NOW: UnixSeconds = 1_700_000_000;

    fn ann() -> Profile {
        Profile {
            id: "109".into(),
            handle: "ann@garden.social".into(),
            display_name: "Ann Example".into(),
            bio: "Grows tomatoes.".into(),
            followers: Some(120),
            following: Some(80),
            posts: Some(300),
            created: Some(NOW - 400 * 86_400),
            url: "https://garden.social/@ann".into(),
            ..Profile::default()
        }
    }

    fn reply_task() -> Task {
        let post = Post {
            id: "p1".into(),
            text: "Which soil do you use?".into(),
            url: "https://garden.social/@ann/1".into(),
            author: ann(),
            in_reply_to: None,
            created: NOW - 7_200,
            visibility: "public".into(),
        };
        Task::propose(
            TaskId(12),
            "shop",
            Action::Reply {
                to_post_id: "p1".into(),
                text: "Hi Ann, peat-free compost!".into(),
                visibility: "public".into(),
            },
            Origin::Notification { id: "n1".into() },
            TaskContext {
                profile: Some(ann()),
                post: Some(post),
                legitimacy: Some(Legitimacy { score: 82, reasons: vec!["custom avatar: +10".into()] }),
            },
            NOW - 3_600,
            Some(NOW + 3 * 86_400),
        )
    }

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
    fn the_queue_table_shows_who_and_the_draft() {
        let mut follow = reply_task();
        follow.id = TaskId(13);
        follow.action = Action::FollowBack { account_id: "109".into() };
        follow.state = TaskState::Approved;
        follow.note =
            Some("follow budget of shop used 40/40 in the last day; next at Wed 15 Jan 09:12 CET".into());
        follow.not_before = Some(NOW + 7_200);
        let mut rejected = reply_task();
        rejected.id = TaskId(14);
        rejected.state = TaskState::Rejected;
        rejected.note = Some("too chummy".into());
        let out = task_table(&[reply_task(), follow, rejected], NOW);
        let expected = "\
ID  STATE     ACCOUNT  ACTION       WHO                 CREATED  NOT BEFORE  TEXT
12  proposed  shop     reply        @ann@garden.social  1h ago   -           Hi Ann, peat-free compost!
13  approved  shop     follow-back  @ann@garden.social  1h ago   in 2h
    held: follow budget of shop used 40/40 in the last day; next at Wed 15 Jan 09:12 CET
14  rejected  shop     reply        @ann@garden.social  1h ago   -           Hi Ann, peat-free compost!
    note: too chummy
";
        assert_eq!(out, expected);
        assert_eq!(task_table(&[], NOW), "No tasks.\n");
    }

    fn slot(at: UnixSeconds, entry: &str, kind: PostKind, verdict: SlotVerdict) -> Slot {
        Slot {
            schedule: if kind == PostKind::Sales { "saturday-offer" } else { "weekday-tips" }.into(),
            account: "kiln".into(),
            at,
            entry: Some(entry.into()),
            kind: Some(kind),
            note: None,
            timezone: "Europe/London".into(),
            verdict: Some(verdict),
            until: None,
        }
    }

    #[test]
    fn schedule_slots_show_local_time_the_entry_and_the_gate() {
        // NOW is Tue 14 Nov 2023 22:13 UTC; London is on GMT in November, Berlin on CET.
        let monday_9 = 1_700_470_800; // Mon 20 Nov 2023 09:00 GMT
        let tip = slot(monday_9, "glaze-tip", PostKind::Value, SlotVerdict::Post);
        let mut offer =
            slot(monday_9 - 2 * 86_400 + 5_400, "seconds-sale", PostKind::Sales, SlotVerdict::Skipped);
        offer.note =
            Some("sales post needs 7 more value posts first (3 of 10 since the last sales post)".into());
        let mut held = slot(monday_9 + 86_400, "wedging-tip", PostKind::Value, SlotVerdict::Held);
        held.until = Some(monday_9 + 86_400 + 7_200);
        held.note = Some("publish budget of kiln used 1/1 in the last day; next at 11:00 GMT".into());
        held.timezone = "Europe/Berlin".into();
        let mut nothing = slot(monday_9 + 2 * 86_400, "", PostKind::Value, SlotVerdict::Nothing);
        (nothing.entry, nothing.kind) = (None, None);
        nothing.note = Some("no library entry left for kiln".into());
        let report = ScheduleReport {
            now: NOW,
            slots: vec![offer, tip, held, nothing],
            missed: vec![MissedSlot {
                schedule: "weekday-tips".into(),
                accounts: vec!["kiln".into()],
                at: NOW - 86_400 + 3_000,
                timezone: "Europe/London".into(),
            }],
            missed_earlier: false,
        };
        let expected = "\
WHEN                         SCHEDULE        ACCOUNT  ENTRY         KIND   GATE
Sat 18 Nov 10:30 GMT  in 3d  saturday-offer  kiln     seconds-sale  sales  held: the slot posts nothing
    sales post needs 7 more value posts first (3 of 10 since the last sales post)
Mon 20 Nov 09:00 GMT  in 5d  weekday-tips    kiln     glaze-tip     value  post
Tue 21 Nov 10:00 CET  in 6d  weekday-tips    kiln     wedging-tip   value  held until 12:00 CET
    publish budget of kiln used 1/1 in the last day; next at 11:00 GMT
Wed 22 Nov 09:00 GMT  in 7d  weekday-tips    kiln     -             -      nothing to post
    no library entry left for kiln

Missed while rapportd was down (nothing was posted for them):
  WHEN                           SCHEDULE      ACCOUNTS
  Mon 13 Nov 23:03 GMT  23h ago  weekday-tips  kiln
";
        assert_eq!(schedule(&report), expected);
        // An older daemon sends no zone or verdict: UTC, and the note as before.
        let mut old = slot(monday_9, "glaze-tip", PostKind::Value, SlotVerdict::Post);
        (old.timezone, old.verdict) = (String::new(), None);
        assert!(slots(&[old], NOW).contains("2023-11-20 09:00 UTC  in 5d  weekday-tips"));
        assert_eq!(local(monday_9, "Mars/Olympus"), "2023-11-20 09:00 UTC");
    }

    #[test]
    fn a_task_detail_shows_the_person_the_post_and_the_draft() {
        let out = task_detail(&reply_task(), NOW);
        let expected = "\
Task 12  reply  proposed  (shop)
  created 1h ago · expires in 3d
Person: Ann Example (@ann@garden.social)
  bio: Grows tomatoes.
  followers 120 · following 80 · posts 300 · joined 400d ago
  https://garden.social/@ann
Legitimacy: 82/100
  - custom avatar: +10
Their post (2h ago, https://garden.social/@ann/1):
    > Which soil do you use?
Reply draft:
    > Hi Ann, peat-free compost!
";
        assert_eq!(out, expected);
    }

    #[test]
    fn bulk_results_list_failures_and_totals() {
        let out = updated(&[ItemResult::ok(1), ItemResult::failed(404, "there is no task 404")], "approved");
        assert_eq!(out, "404: there is no task 404\n1 approved, 1 failed.\n");
    }
}
