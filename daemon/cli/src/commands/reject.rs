//! `rapport reject ID… [--reason R]`.

use rapport_core::task::TaskId;
use rapport_protocol::requests::Reject;

use super::{Context, bulk};
use crate::Exit;

/// Arguments of `rapport reject`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The tasks.
    #[arg(required = true)]
    ids: Vec<TaskId>,
    /// Why.
    #[arg(long)]
    reason: Option<String>,
}

/// Rejects the tasks.
pub fn run(Args { ids, reason }: Args, cx: &Context) -> anyhow::Result<Exit> {
    bulk::send(cx, Reject { ids, reason }, "rejected")
}
