//! `rapport post remove ID`: delete an entry's file from the content library's folder.

use rapport_protocol::requests::PostRemove;

use crate::Exit;
use crate::commands::{Context, bulk};

/// Arguments of `rapport post remove`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The entry.
    id: String,
}

/// Removes the entry.
pub fn run(Args { id }: Args, cx: &Context) -> anyhow::Result<Exit> {
    bulk::send(cx, PostRemove { id }, "removed")
}
