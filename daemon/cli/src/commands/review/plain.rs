//! `rapport review --plain`: walk the proposed tasks one by one at a line prompt, the review for
//! pipes, scripts and terminals the full screen does not suit.
//!
//! Reads one decision per line from any `BufRead`, so it works on a terminal and with piped
//! input (scripts, tests) alike; end of input quits like `q`.

use std::io::{BufRead, Write};

use std::io;

use rapport_core::UnixSeconds;
use rapport_core::task::{Task, TaskId, TaskState};
use rapport_protocol::Call;
use rapport_protocol::ItemResult;
use rapport_protocol::requests::{Approve, Queue, Reject};

use super::model::Tally;
use crate::client::Client;
use crate::commands::{now, show};
use crate::edit;

/// Reviews the proposed tasks at a line prompt on stdin and stdout; the tally.
pub fn run(client: &Client) -> anyhow::Result<Tally> {
    let stdin = io::stdin();
    review(client, &mut stdin.lock(), &mut io::stdout(), now, edit::edit)
}

/// How many proposed tasks are fetched per round trip.
const PAGE: u32 = 50;

/// One person's decision about one task.
enum Decision {
    Approve(Option<String>),
    Reject(Option<String>),
    Skip,
    Quit,
}

/// Reads a trimmed line; `None` at end of input.
fn read_line(input: &mut impl BufRead) -> anyhow::Result<Option<String>> {
    let mut line = String::new();
    Ok((input.read_line(&mut line)? > 0).then(|| line.trim().to_string()))
}

/// Prompts until the person gives a valid decision for `task`.
fn decide(
    task: &Task,
    input: &mut impl BufRead,
    out: &mut impl Write,
    edit: &mut impl FnMut(&str) -> anyhow::Result<String>,
) -> anyhow::Result<Decision> {
    loop {
        write!(out, "[a]pprove [e]dit [r]eject [s]kip [q]uit > ")?;
        out.flush()?;
        let Some(answer) = read_line(input)? else { return Ok(Decision::Quit) };
        match answer.as_str() {
            "a" => return Ok(Decision::Approve(None)),
            "e" => match task.action.text() {
                None => writeln!(out, "This {} task has no text to edit.", task.action.kind())?,
                Some(draft) => match edit(draft) {
                    Ok(text) => return Ok(Decision::Approve(Some(text))),
                    Err(e) => writeln!(out, "{e:#}")?,
                },
            },
            "r" => {
                write!(out, "reason (enter for none) > ")?;
                out.flush()?;
                let reason = read_line(input)?.filter(|r| !r.is_empty());
                return Ok(Decision::Reject(reason));
            }
            "s" => return Ok(Decision::Skip),
            "q" => return Ok(Decision::Quit),
            other => writeln!(out, "`{other}` is not a choice.")?,
        }
    }
}

/// Sends one decision; a refusal (someone else changed the task) is shown, not fatal.
fn apply<C: Call<Reply = Vec<ItemResult>>>(
    client: &Client,
    id: TaskId,
    request: C,
    out: &mut impl Write,
) -> anyhow::Result<bool> {
    let results = client.call(request)?;
    let failure = results.iter().find_map(|r| r.error.clone());
    if let Some(error) = &failure {
        writeln!(out, "Task {id} was not changed: {error}")?;
    }
    Ok(failure.is_none())
}

/// Walks the proposed tasks until the queue is exhausted or the person quits.
fn review(
    client: &Client,
    input: &mut impl BufRead,
    out: &mut impl Write,
    now: impl Fn() -> UnixSeconds,
    mut edit: impl FnMut(&str) -> anyhow::Result<String>,
) -> anyhow::Result<Tally> {
    let mut tally = Tally::default();
    let mut after = None;
    loop {
        let tasks =
            client.call(Queue { state: Some(TaskState::Proposed), account: None, after, limit: PAGE })?;
        let Some(last) = tasks.last() else { break };
        after = Some(last.id);
        let ids: Vec<TaskId> = tasks.iter().map(|t| t.id).collect();
        let history = show::history_lines(client, &ids);
        for task in &tasks {
            let line = history.get(&task.id).map(String::as_str);
            writeln!(out, "\n{}", show::view(task, line, now()))?;
            match decide(task, input, out, &mut edit)? {
                Decision::Approve(text) => {
                    if apply(client, task.id, Approve { ids: vec![task.id], text, undoable: false }, out)? {
                        writeln!(out, "Approved {}.", task.id)?;
                        tally.approved += 1;
                    }
                }
                Decision::Reject(reason) => {
                    if apply(client, task.id, Reject { ids: vec![task.id], reason }, out)? {
                        writeln!(out, "Rejected {}.", task.id)?;
                        tally.rejected += 1;
                    }
                }
                Decision::Skip => tally.skipped += 1,
                Decision::Quit => return Ok(tally),
            }
        }
    }
    writeln!(out, "\nNo more proposed tasks.")?;
    Ok(tally)
}
