//! `rapport review`: decide the proposed tasks, on a full screen ([`terminal`]) when stdin and
//! stdout are a terminal, else (or with `--plain`) at a line prompt ([`plain`]).
//!
//! Both send each decision to rapportd as it is made; the full screen's are undoable for a few
//! seconds (see [`model`]).

pub mod model;
mod plain;
pub mod screen;
mod terminal;

use std::io::IsTerminal as _;

use super::Context;
use crate::Exit;

/// Arguments of `rapport review`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Line prompts instead of the full screen (the default when stdin or stdout is not a
    /// terminal).
    #[arg(long)]
    plain: bool,
}

/// Reviews the proposed tasks and prints the tally.
pub fn run(Args { plain }: Args, cx: &Context) -> anyhow::Result<Exit> {
    let full_screen = !plain && std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let tally = if full_screen { terminal::run(&cx.client)? } else { plain::run(&cx.client)? };
    let mut line =
        format!("{} approved, {} rejected, {} skipped", tally.approved, tally.rejected, tally.skipped);
    if tally.done > 0 {
        line.push_str(&format!(", {} marked done", tally.done));
    }
    println!("{line}.");
    Ok(Exit::Ok)
}
