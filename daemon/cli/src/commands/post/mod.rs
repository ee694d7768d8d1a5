//! `rapport post …`: the content library of scheduled posts.

mod add;
mod list;
mod preview;
mod remove;

use clap::Subcommand;
use rapport_core::UnixSeconds;
use rapport_protocol::ContentEntry;

use super::Context;
use crate::Exit;
use crate::view::{excerpt, post_kind, relative, table};

/// Content library commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add an entry.
    Add(add::Args),
    /// List the entries.
    List(list::Args),
    /// Remove an entry.
    Remove(remove::Args),
    /// Show how an entry, or some text, would go out.
    Preview(preview::Args),
}

/// Runs one content library command.
pub fn run(command: Command, cx: &Context) -> anyhow::Result<Exit> {
    match command {
        Command::Add(args) => add::run(args, cx),
        Command::List(args) => list::run(args, cx),
        Command::Remove(args) => remove::run(args, cx),
        Command::Preview(args) => preview::run(args, cx),
    }
}

/// The content library as a table.
pub fn view(entries: &[ContentEntry], now: UnixSeconds) -> String {
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
                match &e.image {
                    // The picture marks a post that attaches an image.
                    Some(_) => format!("🖼 {}", excerpt(&e.text, 48)),
                    None => excerpt(&e.text, 50),
                },
            ]
        })
        .collect();
    table(&["ID", "KIND", "ACCOUNTS", "LAST POSTED", "TEXT"], &rows)
}
