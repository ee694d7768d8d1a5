//! `rapport keep …`: the keep-list, the people an account's purge never unfollows.

use std::fmt::Write as _;

use clap::Subcommand;
use rapport_protocol::requests::{KeepAdd, KeepRemove, KeepShow};
use rapport_protocol::{KeepChange, KeepList};

use super::Context;
use crate::Exit;
use crate::view::many;

/// Keep-list commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Keep someone: the purge never proposes unfollowing them.
    Add {
        /// Their handle (@ann@garden.social) or platform id.
        handle: String,
        /// The account; may be left out when only one is configured.
        #[arg(long)]
        account: Option<String>,
    },
    /// Take someone off the keep-list.
    Remove {
        /// Their handle or platform id, as on the list.
        handle: String,
        /// The account; may be left out when only one is configured.
        #[arg(long)]
        account: Option<String>,
    },
    /// The people kept.
    List {
        /// The account; may be left out when only one is configured.
        #[arg(long)]
        account: Option<String>,
    },
}

/// Runs one keep-list command.
pub fn run(command: Command, cx: &Context) -> anyhow::Result<Exit> {
    match command {
        Command::Add { handle, account } => {
            cx.print(&cx.client.call(KeepAdd { account, who: handle })?, |c| changed(c, "Added", "to"))?;
        }
        Command::Remove { handle, account } => {
            let reply = cx.client.call(KeepRemove { account, who: handle })?;
            cx.print(&reply, |c| changed(c, "Removed", "from"))?;
        }
        Command::List { account } => cx.print(&cx.client.call(KeepShow { account })?, list)?,
    }
    Ok(Exit::Ok)
}

/// The people kept, one a line.
fn list(keep: &KeepList) -> String {
    if keep.people.is_empty() {
        return format!("The keep-list of {} is empty.\n", keep.account);
    }
    let mut out =
        format!("The keep-list of {} ({}):\n", keep.account, many(keep.people.len(), "person", "people"));
    for who in &keep.people {
        let _ = writeln!(out, "  {who}");
    }
    out
}

/// "Added ann to the keep-list of shop (2 people)."; an add that found them there says so.
fn changed(change: &KeepChange, done: &str, preposition: &str) -> String {
    let KeepChange { who, changed, list } = change;
    let size = many(list.people.len(), "person", "people");
    if *changed {
        format!("{done} {who} {preposition} the keep-list of {} ({size}).\n", list.account)
    } else {
        format!("{who} was on the keep-list of {} already ({size}).\n", list.account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop(people: &[&str]) -> KeepList {
        KeepList { account: "shop".into(), people: people.iter().map(|p| p.to_string()).collect() }
    }

    #[test]
    fn the_keep_list_and_its_changes_read_as_sentences() {
        assert_eq!(
            list(&shop(&["109", "ann@garden.social"])),
            "The keep-list of shop (2 people):\n  109\n  ann@garden.social\n"
        );
        assert_eq!(list(&shop(&[])), "The keep-list of shop is empty.\n");
        let added = KeepChange {
            who: "@Ann@garden.social".into(),
            changed: true,
            list: shop(&["ann@garden.social"]),
        };
        assert_eq!(
            changed(&added, "Added", "to"),
            "Added @Ann@garden.social to the keep-list of shop (1 person).\n"
        );
        let again = KeepChange { changed: false, ..added };
        assert_eq!(
            changed(&again, "Added", "to"),
            "@Ann@garden.social was on the keep-list of shop already (1 person).\n"
        );
        let removed = KeepChange { who: "ann".into(), changed: true, list: shop(&[]) };
        assert_eq!(
            changed(&removed, "Removed", "from"),
            "Removed ann from the keep-list of shop (0 people).\n"
        );
    }
}
