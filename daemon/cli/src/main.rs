//! rapport: the command-line client of rapportd.
//!
//! Every command is one request over rapportd's Unix socket (see [`client`]); the CLI never opens
//! the store. Output is an aligned human view by default and the protocol payload with `--json`.
//!
//! Exit codes:
//! - 0: done;
//! - 1: rapportd answered with an error, every id of a bulk change failed, or the CLI failed;
//! - 2: usage error (bad arguments);
//! - 3: rapportd is not running (no socket, or nothing listening on it);
//! - 4: partial failure: some ids of a bulk change failed, the others were applied.

mod client;
mod edit;
mod render;
mod review;

use std::io::{self, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use clap::{Parser, Subcommand};
use rapport_core::UnixSeconds;
use rapport_core::task::{PostKind, TaskId, TaskState};
use rapport_protocol::{ItemResult, MAX_PAGE, NewContentEntry, PreviewTarget, Request, Response};
use serde::Serialize;

use crate::client::{Client, NotRunning, unexpected};

/// `rapport --help`'s long description, with the exit codes scripts depend on.
const LONG_ABOUT: &str = "\
rapport: approve, edit or reject what rapportd proposes, and see what it is doing.

The CLI talks only to rapportd's Unix socket: by default $XDG_RUNTIME_DIR/rapport/rapport.sock \
(else /run/user/<uid>/rapport/rapport.sock), or the system service's /run/rapport/rapport.sock when \
only that one exists; --socket or RAPPORT_SOCKET choose another.

Exit codes:
  0  done
  1  rapportd answered with an error, or every id of a bulk change failed
  2  usage error
  3  rapportd is not running
  4  partial failure: some ids failed, the others were applied";

/// The command line.
#[derive(Debug, Parser)]
#[command(name = "rapport", version, about = "The command-line client of rapportd", long_about = LONG_ABOUT)]
struct Cli {
    /// The daemon's socket.
    #[arg(long, env = "RAPPORT_SOCKET", global = true, value_name = "PATH")]
    socket: Option<PathBuf>,
    /// Print the protocol payload as JSON instead of the human view.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Accounts, plugin health, last poll, queue counts, rate headroom.
    Status,
    /// List tasks (oldest first).
    Queue {
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
    },
    /// One task in full.
    Show {
        /// The task.
        id: TaskId,
    },
    /// Approve tasks; with --edit or --text, replace the reply or post text first.
    Approve {
        /// The tasks.
        #[arg(required = true)]
        ids: Vec<TaskId>,
        /// Open $VISUAL or $EDITOR on the text (one id only).
        #[arg(long, conflicts_with = "text")]
        edit: bool,
        /// The new text (one id only).
        #[arg(long)]
        text: Option<String>,
    },
    /// Reject tasks.
    Reject {
        /// The tasks.
        #[arg(required = true)]
        ids: Vec<TaskId>,
        /// Why.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Send a needs-check task again (you checked the platform did not get it).
    Resend {
        /// The task.
        id: TaskId,
    },
    /// Send failed tasks again once their cause is fixed (e.g. a token given a missing scope).
    Retry {
        /// The tasks.
        #[arg(required = true)]
        ids: Vec<TaskId>,
    },
    /// Mark a needs-check task done (you checked the platform got it).
    MarkDone {
        /// The task.
        id: TaskId,
    },
    /// Walk the proposed tasks one by one: approve, edit, reject, skip or quit.
    Review,
    /// The non-sales/sales post ratio.
    Ratio {
        /// One account only.
        #[arg(long)]
        account: Option<String>,
    },
    /// The next scheduled post slots in their local time: the entry each takes and what the gate
    /// would say then (each slot counts what the earlier ones post); then the slots missed while
    /// rapportd was down.
    Schedule {
        /// How many slots (one schedule time for one account is one slot).
        #[arg(long, default_value_t = 10)]
        count: u32,
    },
    /// The content library of scheduled posts.
    #[command(subcommand)]
    Post(PostCommand),
}

/// Content library commands.
#[derive(Debug, Subcommand)]
enum PostCommand {
    /// Add an entry.
    Add {
        /// The post's text.
        text: String,
        /// It promotes something (counts against the sales ratio).
        #[arg(long)]
        sales: bool,
        /// An account that may post it (repeat for several; none means all).
        #[arg(long = "account")]
        accounts: Vec<String>,
        /// Alt text for its media.
        #[arg(long, default_value = "")]
        alt: String,
    },
    /// List the entries.
    List,
    /// Remove an entry.
    Remove {
        /// The entry.
        id: String,
    },
    /// Show how an entry, or some text, would go out.
    Preview {
        /// A library entry.
        #[arg(long, conflicts_with = "text", required_unless_present = "text")]
        id: Option<String>,
        /// Text not in the library.
        text: Option<String>,
        /// The text promotes something.
        #[arg(long)]
        sales: bool,
    },
}

/// Parses a task state by its kebab-case name.
fn parse_state(name: &str) -> Result<TaskState, String> {
    TaskState::parse(name).ok_or_else(|| {
        let names: Vec<_> = TaskState::ALL.iter().map(|s| s.as_str()).collect();
        format!("unknown state `{name}`; one of {}", names.join(", "))
    })
}

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
    Ok = 0,
    Failed = 1,
    Usage = 2,
    NotRunning = 3,
    Partial = 4,
}

/// The current time on this machine.
fn now() -> UnixSeconds {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Prints `payload` as JSON with `--json`, else the human view.
fn print<T: Serialize>(json: bool, payload: &T, human: impl FnOnce(&T) -> String) -> anyhow::Result<()> {
    let mut stdout = io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut stdout, payload)?;
        writeln!(stdout)?;
    } else {
        write!(stdout, "{}", human(payload))?;
    }
    Ok(())
}

/// The exit code of a bulk change: partial when some ids failed, failed when all did.
fn bulk_exit(results: &[ItemResult]) -> Exit {
    match results.iter().filter(|r| r.error.is_some()).count() {
        0 => Exit::Ok,
        n if n == results.len() => Exit::Failed,
        _ => Exit::Partial,
    }
}

/// Sends a bulk change and prints its per-id results.
fn bulk(client: &Client, json: bool, request: Request, verb: &str) -> anyhow::Result<Exit> {
    match client.call(request)? {
        Response::Updated(results) => {
            print(json, &results, |r| render::updated(r, verb))?;
            Ok(bulk_exit(&results))
        }
        other => Err(unexpected(&other)),
    }
}

/// Runs one command.
fn run(cli: Cli) -> anyhow::Result<Exit> {
    let socket = cli.socket.clone().unwrap_or_else(rapport_protocol::client_socket_path);
    let json = cli.json;
    if let Command::Approve { ids, edit, text } = &cli.command
        && (*edit || text.is_some())
        && ids.len() != 1
    {
        return Err(UsageError("--edit and --text apply to exactly one task id".into()).into());
    }
    let client = Client::new(socket);
    match cli.command {
        Command::Status => match client.call(Request::Status)? {
            Response::Status(report) => print(json, &report, render::status)?,
            other => return Err(unexpected(&other)),
        },
        Command::Queue { state, account, limit, after } => {
            match client.call(Request::Queue { state, account, after, limit })? {
                Response::Tasks(tasks) => print(json, &tasks, |t| render::task_table(t, now()))?,
                other => return Err(unexpected(&other)),
            }
        }
        Command::Show { id } => match client.call(Request::Show { id })? {
            Response::Task(task) => print(json, &task, |t| render::task_detail(t, now()))?,
            other => return Err(unexpected(&other)),
        },
        Command::Approve { ids, edit, text } => {
            let text = if edit {
                let task = match client.call(Request::Show { id: ids[0] })? {
                    Response::Task(task) => task,
                    other => return Err(unexpected(&other)),
                };
                let Some(draft) = task.action.text() else {
                    bail!("task {} is a {} and has no text to edit", task.id, task.action.kind());
                };
                Some(edit::edit(draft)?)
            } else {
                text
            };
            return bulk(&client, json, Request::Approve { ids, text }, "approved");
        }
        Command::Reject { ids, reason } => {
            return bulk(&client, json, Request::Reject { ids, reason }, "rejected");
        }
        Command::Resend { id } => return bulk(&client, json, Request::Resend { id }, "queued to resend"),
        Command::Retry { ids } => return bulk(&client, json, Request::Retry { ids }, "queued to retry"),
        Command::MarkDone { id } => return bulk(&client, json, Request::MarkDone { id }, "marked done"),
        Command::Review => {
            let stdin = io::stdin();
            let tally = review::review(&client, &mut stdin.lock(), &mut io::stdout(), now, edit::edit)?;
            println!("{} approved, {} rejected, {} skipped.", tally.approved, tally.rejected, tally.skipped);
        }
        Command::Ratio { account } => match client.call(Request::Ratio { account })? {
            Response::Ratio(ratios) => print(json, &ratios, |r| render::ratio(r))?,
            other => return Err(unexpected(&other)),
        },
        Command::Schedule { count } => match client.call(Request::Schedule { count, report: true })? {
            Response::Schedule(report) => print(json, &report, render::schedule)?,
            // A daemon from before the report answers with the slots alone.
            Response::Slots(slots) => print(json, &slots, |s| render::slots(s, now()))?,
            other => return Err(unexpected(&other)),
        },
        Command::Post(PostCommand::Add { text, sales, accounts, alt }) => {
            let kind = if sales { PostKind::Sales } else { PostKind::Value };
            let entry = NewContentEntry { text, kind, accounts, media_alt: alt };
            match client.call(Request::PostAdd { entry })? {
                Response::Posts(entries) => print(json, &entries, |e| render::posts(e, now()))?,
                other => return Err(unexpected(&other)),
            }
        }
        Command::Post(PostCommand::List) => match client.call(Request::PostList)? {
            Response::Posts(entries) => print(json, &entries, |e| render::posts(e, now()))?,
            other => return Err(unexpected(&other)),
        },
        Command::Post(PostCommand::Remove { id }) => {
            return bulk(&client, json, Request::PostRemove { id }, "removed");
        }
        Command::Post(PostCommand::Preview { id, text, sales }) => {
            let target = match (id, text) {
                (Some(id), _) => PreviewTarget::Entry { id },
                (None, Some(text)) => {
                    PreviewTarget::Text { text, kind: if sales { PostKind::Sales } else { PostKind::Value } }
                }
                (None, None) => {
                    return Err(UsageError("give an entry --id or the text to preview".into()).into());
                }
            };
            match client.call(Request::PostPreview { target })? {
                Response::Preview(preview) => print(json, &preview, render::preview)?,
                other => return Err(unexpected(&other)),
            }
        }
    }
    Ok(Exit::Ok)
}

/// A combination of arguments clap accepts but the command does not.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct UsageError(String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let exit = match run(cli) {
        Ok(exit) => exit,
        Err(e) => {
            eprintln!("rapport: {e:#}");
            if e.is::<NotRunning>() {
                Exit::NotRunning
            } else if e.is::<UsageError>() {
                Exit::Usage
            } else {
                // Error replies (`DaemonError`) and local failures alike.
                Exit::Failed
            }
        }
    };
    ExitCode::from(exit as u8)
}
