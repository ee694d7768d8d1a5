//! `rapport resend ID`: send a needs-check task again, the person having checked the platform
//! did not get it.

use rapport_core::task::TaskId;
use rapport_protocol::requests::Resend;

use super::{Context, bulk};
use crate::Exit;

/// Arguments of `rapport resend`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The task.
    id: TaskId,
}

/// Queues the task to be sent again.
pub fn run(Args { id }: Args, cx: &Context) -> anyhow::Result<Exit> {
    bulk::send(cx, Resend { id }, "queued to resend")
}
