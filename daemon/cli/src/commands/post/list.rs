//! `rapport post list`: the content library.

use rapport_protocol::requests::PostList;

use crate::Exit;
use crate::commands::{Context, now};

/// Arguments of `rapport post list` (none).
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Prints the library.
pub fn run(Args {}: Args, cx: &Context) -> anyhow::Result<Exit> {
    let entries = cx.client.call(PostList {})?;
    cx.print(&entries, |e| super::view(e, now()))?;
    Ok(Exit::Ok)
}
