//! `rapport mark-done ID`: a needs-check task the platform did get.

use rapport_core::task::TaskId;
use rapport_protocol::requests::MarkDone;

use super::{Context, bulk};
use crate::Exit;

/// Arguments of `rapport mark-done`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The task.
    id: TaskId,
}

/// Marks the task done.
pub fn run(Args { id }: Args, cx: &Context) -> anyhow::Result<Exit> {
    bulk::send(cx, MarkDone { id }, "marked done")
}
