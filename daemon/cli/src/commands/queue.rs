//! `rapport queue`: a page of tasks as a table (where each came from among its columns), each
//! held task's reason under its row.

use rapport_core::UnixSeconds;
use rapport_core::task::{Task, TaskId, TaskState};
use rapport_protocol::MAX_PAGE;
use rapport_protocol::requests::Queue;

use super::{Context, now, show};
use crate::Exit;
use crate::view::{excerpt, origin_label, relative, table, with_notes};

/// Arguments of `rapport queue`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only tasks in this state (proposed, approved, executing, done, failed, rejected, expired, needs-check).
    #[arg(long, value_parser = parse_state)]
    state: Option<TaskState>,
    /// Only tasks of this account.
    #[arg(long)]
    account: Option<String>,
    /// At most this many.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_PAGE)))]
    limit: u32,
    /// Only tasks after this id (the last id of the previous page).
    #[arg(long)]
    after: Option<TaskId>,
}

/// Parses a task state by its kebab-case name.
fn parse_state(name: &str) -> Result<TaskState, String> {
    TaskState::parse(name).ok_or_else(|| {
        let names: Vec<_> = TaskState::ALL.iter().map(|s| s.as_str()).collect();
        format!("unknown state `{name}`; one of {}", names.join(", "))
    })
}

/// Prints the page.
pub fn run(Args { state, account, limit, after }: Args, cx: &Context) -> anyhow::Result<Exit> {
    let tasks = cx.client.call(Queue { state, account, after, limit })?;
    cx.print(&tasks, |t| view(t, now()))?;
    Ok(Exit::Ok)
}

/// The queue as a table; a task's note (why it is held, why it ended) follows its row in full,
/// on its own indented line.
fn view(tasks: &[Task], now: UnixSeconds) -> String {
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
                origin_label(&t.origin),
                show::who(t),
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
    let rows =
        table(&["ID", "STATE", "ACCOUNT", "ACTION", "FROM", "WHO", "CREATED", "NOT BEFORE", "TEXT"], &rows);
    with_notes(&rows, &notes)
}

#[cfg(test)]
mod tests {
    use rapport_core::task::{Action, Origin};

    use super::*;
    use crate::commands::sample::{self, NOW};

    #[test]
    fn the_queue_table_shows_where_from_who_and_the_draft() {
        let mut follow = sample::reply_task();
        follow.id = TaskId(13);
        follow.action = Action::Follow { account_id: "109".into() };
        follow.origin = Origin::Campaign { campaign: "potters".into(), source: "#pottery".into() };
        follow.state = TaskState::Approved;
        follow.note =
            Some("follow budget of shop used 40/40 in the last day; next at Wed 15 Jan 09:12 CET".into());
        follow.not_before = Some(NOW + 7_200);
        let mut rejected = sample::reply_task();
        rejected.id = TaskId(14);
        rejected.state = TaskState::Rejected;
        rejected.note = Some("too chummy".into());
        let out = view(&[sample::reply_task(), follow, rejected], NOW);
        let expected = "\
ID  STATE     ACCOUNT  ACTION  FROM              WHO                 CREATED  NOT BEFORE  TEXT
12  proposed  shop     reply   notification      @ann@garden.social  1h ago   -           Hi Ann, peat-free compost!
13  approved  shop     follow  campaign potters  @ann@garden.social  1h ago   in 2h
    held: follow budget of shop used 40/40 in the last day; next at Wed 15 Jan 09:12 CET
14  rejected  shop     reply   notification      @ann@garden.social  1h ago   -           Hi Ann, peat-free compost!
    note: too chummy
";
        assert_eq!(out, expected);
        assert_eq!(view(&[], NOW), "No tasks.\n");
    }
}
