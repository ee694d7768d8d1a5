//! `rapport retry ID…`: send failed tasks again once their cause is fixed.

use rapport_core::task::TaskId;
use rapport_protocol::requests::Retry;

use super::{Context, bulk};
use crate::Exit;

/// Arguments of `rapport retry`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The tasks.
    #[arg(required = true)]
    ids: Vec<TaskId>,
}

/// Queues the failed tasks to be sent again.
pub fn run(Args { ids }: Args, cx: &Context) -> anyhow::Result<Exit> {
    bulk::send(cx, Retry { ids }, "queued to retry")
}
