//! How each reply looks to a person: aligned tables, task details, relative times.
//!
//! Every view is a pure function from protocol data (and the current time) to a string, so the
//! output is unit-tested with fixed data and the commands only print what these return.

use std::fmt::Write as _;

use rapport_core::UnixSeconds;
use rapport_core::task::{Action, PostKind, Task};
use rapport_protocol::{
    AccountRatio, AccountStatus, ContentEntry, ItemResult, PluginHealth, PostPreview, Slot, StatusReport,
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

/// The queue as a table.
pub fn task_table(tasks: &[Task], now: UnixSeconds) -> String {
    if tasks.is_empty() {
        return "No tasks.\n".into();
    }
    let rows: Vec<Vec<String>> = tasks
        .iter()
        .map(|t| {
            let detail = t.note.as_deref().or(t.action.text()).map(|s| excerpt(s, 50)).unwrap_or_default();
            vec![
                t.id.to_string(),
                t.state.to_string(),
                t.account.clone(),
                t.action.kind().to_string(),
                who(t),
                relative(now, t.created_at),
                detail,
            ]
        })
        .collect();
    table(&["ID", "STATE", "ACCOUNT", "ACTION", "WHO", "CREATED", "TEXT / NOTE"], &rows)
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
        if account.headroom.is_empty() && account.held.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{}:", account.name);
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

/// Upcoming schedule slots.
pub fn slots(slots: &[Slot], now: UnixSeconds) -> String {
    if slots.is_empty() {
        return "No scheduled slots.\n".into();
    }
    let rows: Vec<Vec<String>> = slots
        .iter()
        .map(|s| {
            vec![
                utc(s.at),
                relative(now, s.at),
                s.schedule.clone(),
                s.account.clone(),
                s.entry.clone().or_else(|| s.note.clone()).unwrap_or_default(),
            ]
        })
        .collect();
    table(&["WHEN", "", "SCHEDULE", "ACCOUNT", "ENTRY"], &rows)
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
    use rapport_core::task::{Legitimacy, Origin, TaskContext, TaskId, TaskState};

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
        follow.note = Some("hourly follow budget spent; next at 14:00".into());
        let out = task_table(&[reply_task(), follow], NOW);
        let expected = "\
ID  STATE     ACCOUNT  ACTION       WHO                 CREATED  TEXT / NOTE
12  proposed  shop     reply        @ann@garden.social  1h ago   Hi Ann, peat-free compost!
13  approved  shop     follow-back  @ann@garden.social  1h ago   hourly follow budget spent; next at 14:00
";
        assert_eq!(out, expected);
        assert_eq!(task_table(&[], NOW), "No tasks.\n");
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
