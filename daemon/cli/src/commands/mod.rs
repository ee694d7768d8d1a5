//! The commands: one module each, holding its arguments, the request it sends and its view.

mod approve;
mod book;
mod bulk;
mod campaign;
mod circle;
mod generate;
mod keep;
mod mark_done;
mod post;
mod queue;
mod ratio;
mod reject;
pub mod report;
mod resend;
mod retry;
mod review;
mod schedule;
mod show;
mod status;

#[cfg(test)]
pub mod sample;

use std::io::{self, Write as _};

use clap::Subcommand;
use rapport_core::UnixSeconds;
use serde::Serialize;

use crate::Exit;
use crate::client::Client;

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Accounts, plugin health, last poll, queue counts, rate headroom.
    Status(status::Args),
    /// List tasks (oldest first).
    Queue(queue::Args),
    /// One task in full.
    Show(show::Args),
    /// Approve tasks; with --edit or --text, replace the reply or post text first; with
    /// --campaign, every proposed task of a follow campaign.
    Approve(approve::Args),
    /// Reject tasks.
    Reject(reject::Args),
    /// Send a needs-check task again (you checked the platform did not get it).
    Resend(resend::Args),
    /// Send failed tasks again once their cause is fixed (e.g. a token given a missing scope).
    Retry(retry::Args),
    /// Mark a needs-check task done (you checked the platform got it).
    MarkDone(mark_done::Args),
    /// Decide the proposed tasks on a full screen: each with the post it answers, its draft and
    /// the person; approve, edit, reject, skip, undo (--plain: line prompts).
    Review(review::Args),
    /// The non-sales/sales post ratio.
    Ratio(ratio::Args),
    /// The next scheduled post slots in their local time: the entry each takes and what the gate
    /// would say then (each slot counts what the earlier ones post); then the slots missed while
    /// rapportd was down.
    Schedule(schedule::Args),
    /// The content library of scheduled posts.
    #[command(subcommand)]
    Post(post::Command),
    /// Follow campaigns: their goals, whether paused, their tasks; pause and resume them.
    #[command(subcommand)]
    Campaign(campaign::Command),
    /// Circles: the people engaged with daily, the doses, their tasks.
    #[command(subcommand)]
    Circle(circle::Command),
    /// The keep-list: the people the purge never unfollows.
    #[command(subcommand)]
    Keep(keep::Command),
    /// The relationship book: the people you interact with, most first; a circle's; those you
    /// are losing touch with.
    People(book::PeopleArgs),
    /// One person: how you stand, your history both ways, the note and tags.
    Person(book::PersonArgs),
    /// Write a note about a person (an empty one clears it).
    Note(book::NoteArgs),
    /// Tag a person (--remove takes the tag off).
    Tag(book::TagArgs),
    /// Delete everything the book holds about a person.
    Forget(book::ForgetArgs),
    /// The engagement report: engagement rate per post and per day or week, follower growth,
    /// follow-back, reply times, what was posted, actions against budget, who engaged most;
    /// --html FILE also writes it as a page with charts.
    Report(report::Args),
    /// Write the man pages or a shell's completions (`cargo xtask install` installs them).
    Generate(generate::Args),
}

/// What every command runs with.
pub struct Context {
    /// rapportd.
    pub client: Client,
    /// Print the protocol payload as JSON instead of the human view.
    pub json: bool,
}

impl Context {
    /// Prints `payload` as JSON with `--json`, else its human view.
    fn print<T: Serialize>(&self, payload: &T, human: impl FnOnce(&T) -> String) -> anyhow::Result<()> {
        let mut stdout = io::stdout().lock();
        if self.json {
            serde_json::to_writer_pretty(&mut stdout, payload)?;
            writeln!(stdout)?;
        } else {
            write!(stdout, "{}", human(payload))?;
        }
        Ok(())
    }
}

/// Runs one command.
pub fn run(command: Command, cx: &Context) -> anyhow::Result<Exit> {
    match command {
        Command::Status(args) => status::run(args, cx),
        Command::Queue(args) => queue::run(args, cx),
        Command::Show(args) => show::run(args, cx),
        Command::Approve(args) => approve::run(args, cx),
        Command::Reject(args) => reject::run(args, cx),
        Command::Resend(args) => resend::run(args, cx),
        Command::Retry(args) => retry::run(args, cx),
        Command::MarkDone(args) => mark_done::run(args, cx),
        Command::Review(args) => review::run(args, cx),
        Command::Ratio(args) => ratio::run(args, cx),
        Command::Schedule(args) => schedule::run(args, cx),
        Command::Post(command) => post::run(command, cx),
        Command::Campaign(command) => campaign::run(command, cx),
        Command::Circle(command) => circle::run(command, cx),
        Command::Keep(command) => keep::run(command, cx),
        Command::People(args) => book::people(args, cx),
        Command::Person(args) => book::person(args, cx),
        Command::Note(args) => book::note(args, cx),
        Command::Tag(args) => book::tag(args, cx),
        Command::Forget(args) => book::forget(args, cx),
        Command::Report(args) => report::run(args, cx),
        Command::Generate(args) => generate::run(args, cx),
    }
}

/// The current time on this machine.
fn now() -> UnixSeconds {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
