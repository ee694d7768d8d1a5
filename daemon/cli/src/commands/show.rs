//! `rapport show ID`: one task in full, the view `rapport review` shows too: where it came from,
//! who it concerns, why it was proposed, the post it answers and its draft.

use std::collections::HashMap;
use std::fmt::Write as _;

use rapport_core::UnixSeconds;
use rapport_core::task::{Action, Origin, Task, TaskId};
use rapport_protocol::requests::{Show, TaskHistory};

use super::{Context, now};
use crate::Exit;
use crate::client::Client;
use crate::view::{excerpt, origin_line, post_kind, quote, relative, utc};

/// Arguments of `rapport show`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The task.
    id: TaskId,
}

/// Prints the task.
pub fn run(Args { id }: Args, cx: &Context) -> anyhow::Result<Exit> {
    let task = cx.client.call(Show { id })?;
    let history = history_lines(&cx.client, &[id]).remove(&id);
    cx.print(&task, |t| view(t, history.as_deref(), now()))?;
    Ok(Exit::Ok)
}

/// The one line of history of the person each task concerns, for those that concern one. A
/// daemon from before the book answers with an error, and the views go without the line.
pub fn history_lines(client: &Client, ids: &[TaskId]) -> HashMap<TaskId, String> {
    let lines = client.call(TaskHistory { ids: ids.to_vec() }).unwrap_or_default();
    lines.into_iter().map(|h| (h.id, h.line)).collect()
}

/// Who a task concerns, as `@handle`, or the platform id when no profile is known.
pub fn who(task: &Task) -> String {
    if let Some(profile) = &task.context.profile {
        return format!("@{}", profile.handle);
    }
    match &task.action {
        Action::Follow { account_id }
        | Action::FollowBack { account_id }
        | Action::Unfollow { account_id }
        | Action::AcceptFollowRequest { account_id }
        | Action::Message { account_id, .. } => account_id.clone(),
        Action::Reply { .. } | Action::Publish { .. } | Action::Like { .. } | Action::Repost { .. } => {
            String::new()
        }
    }
}

/// One task in full: what it does, who it concerns and the history with them, the post it
/// answers, its draft.
pub fn view(task: &Task, history: Option<&str>, now: UnixSeconds) -> String {
    let mut out = about(task, history, now);
    if let Some((heading, text)) = their_post(task, now) {
        let _ = writeln!(out, "{heading}:");
        quote(&mut out, text);
    }
    if let Some((label, text)) = draft(task) {
        let _ = writeln!(out, "{label}:");
        quote(&mut out, text);
    }
    out.push_str(&outcome(task));
    out
}

/// The text a task would send, with what it is ("Reply draft"); `None` for actions without text.
pub fn draft(task: &Task) -> Option<(String, &str)> {
    match &task.action {
        Action::Reply { text, .. } => Some(("Reply draft".into(), text)),
        Action::Publish { text, post_kind: kind, .. } => Some((format!("Post ({})", post_kind(*kind)), text)),
        Action::Message { text, .. } => Some(("Direct message draft".into(), text)),
        _ => None,
    }
}

/// The post the task answers or acts on, headed with its age and link (and its thread).
pub fn their_post(task: &Task, now: UnixSeconds) -> Option<(String, &str)> {
    let post = task.context.post.as_ref()?;
    let mut heading = format!("Their post ({}, {})", relative(now, post.created), post.url);
    if let Some(parent) = &post.in_reply_to {
        let _ = write!(heading, ", in a thread, answering post {parent}");
    }
    Some((heading, &post.text))
}

/// [`view`] without the post and the draft: for the review screen, which shows those two in
/// panes of their own so they are never scrolled out of view.
pub fn view_without_post_and_draft(task: &Task, history: Option<&str>, now: UnixSeconds) -> String {
    let mut out = about(task, history, now);
    out.push_str(&outcome(task));
    out
}

/// What the task does, where it came from, the person and the score.
fn about(task: &Task, history: Option<&str>, now: UnixSeconds) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Task {}  {}  {}  ({})", task.id, task.action.kind(), task.state, task.account);
    if let Some(origin) = origin_line(&task.origin) {
        let _ = writeln!(out, "  {origin}");
    }
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
    if let Some(why) = &task.context.by_hand {
        let _ = writeln!(out, "By hand: {why}");
    }
    if let Some(profile) = &task.context.profile {
        let _ = writeln!(out, "Person: {} (@{})", profile.addressable_name(), profile.handle);
        if let Some(history) = history {
            let _ = writeln!(out, "  history: {history}");
        }
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
        // The reasons travel in one place whoever proposed; what the score means does not.
        match task.origin {
            Origin::Campaign { .. } => {
                let _ = writeln!(out, "Score: {}/100 (legitimacy and relevance)", legitimacy.score);
            }
            // The purge gives reasons to unfollow, not a score.
            Origin::Purge => {
                let _ = writeln!(out, "Why:");
            }
            _ => {
                let _ = writeln!(out, "Legitimacy: {}/100", legitimacy.score);
            }
        }
        for reason in &legitimacy.reasons {
            let _ = writeln!(out, "  - {reason}");
        }
    }
    out
}

/// Why the task waits or how it ended, and what the platform made of it.
fn outcome(task: &Task) -> String {
    let mut out = String::new();
    if let Some(note) = &task.note {
        let _ = writeln!(out, "Note: {note}");
    }
    if let Some(result) = &task.result {
        let _ = writeln!(out, "Result: {result}");
    }
    out
}

#[cfg(test)]
mod tests {
    use rapport_core::task::Legitimacy;

    use super::*;
    use crate::commands::sample::{self, NOW};

    #[test]
    fn a_task_detail_shows_the_person_the_post_and_the_draft() {
        let out = view(&sample::reply_task(), Some("2nd interaction; follows you since 2026-03-01"), NOW);
        let expected = "\
Task 12  reply  proposed  (shop)
  created 1h ago · expires in 3d
Person: Ann Example (@ann@garden.social)
  history: 2nd interaction; follows you since 2026-03-01
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
    fn a_campaign_follow_says_which_campaign_and_why() {
        let mut task = sample::reply_task();
        task.action = Action::Follow { account_id: "109".into() };
        task.origin = Origin::Campaign { campaign: "potters".into(), source: "#pottery".into() };
        task.context.post = None;
        task.context.legitimacy = Some(Legitimacy {
            score: 74,
            reasons: vec!["posted about pottery 2h ago: +10".into(), "custom avatar: +10".into()],
        });
        let expected = "\
Task 12  follow  proposed  (shop)
  from campaign potters (#pottery)
  created 1h ago · expires in 3d
Person: Ann Example (@ann@garden.social)
  bio: Grows tomatoes.
  followers 120 · following 80 · posts 300 · joined 400d ago
  https://garden.social/@ann
Score: 74/100 (legitimacy and relevance)
  - posted about pottery 2h ago: +10
  - custom avatar: +10
";
        assert_eq!(view(&task, None, NOW), expected);
    }

    #[test]
    fn a_purge_unfollow_gives_its_reasons_without_a_score() {
        let mut task = sample::reply_task();
        task.action = Action::Unfollow { account_id: "109".into() };
        task.origin = Origin::Purge;
        (task.context.post, task.context.profile) = (None, None);
        task.context.legitimacy = Some(Legitimacy {
            score: 0,
            reasons: vec!["followed 30 days ago and never followed back".into()],
        });
        let expected = "\
Task 12  unfollow  proposed  (shop)
  from the purge
  created 1h ago · expires in 3d
Why:
  - followed 30 days ago and never followed back
";
        assert_eq!(view(&task, None, NOW), expected);
        task.origin = Origin::Circle { circle: "makers".into() };
        assert!(
            view(&task, None, NOW).starts_with("Task 12  unfollow  proposed  (shop)\n  from circle makers\n")
        );
    }
}
