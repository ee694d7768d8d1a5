//! `rapport approve ID… [--edit | --text T]`: approve tasks, optionally replacing the text of one;
//! `rapport approve --campaign NAME`: every proposed task of a follow campaign.
//!
//! Where the account's platform says an action is one person's decision (X: follows, likes), the
//! daemon approves such a task only when it is the one task named, and says so for the others.

use anyhow::bail;
use rapport_core::task::TaskId;
use rapport_protocol::requests::{Approve, ApproveCampaign, Show};

use super::{Context, bulk};
use crate::{Exit, UsageError, edit};

/// Arguments of `rapport approve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The tasks.
    #[arg(required_unless_present = "campaign")]
    ids: Vec<TaskId>,
    /// Every proposed task of this follow campaign instead.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["ids", "edit", "text"])]
    campaign: Option<String>,
    /// Open $VISUAL or $EDITOR on the text (one id only).
    #[arg(long, conflicts_with = "text")]
    edit: bool,
    /// The new text (one id only).
    #[arg(long)]
    text: Option<String>,
}

/// Approves the tasks, with the text edited first when asked.
pub fn run(Args { ids, campaign, edit, text }: Args, cx: &Context) -> anyhow::Result<Exit> {
    if let Some(name) = campaign {
        return bulk::send(cx, ApproveCampaign { name }, "approved");
    }
    let [one] = ids[..] else {
        if edit || text.is_some() {
            return Err(UsageError("--edit and --text apply to exactly one task id".into()).into());
        }
        return bulk::send(cx, Approve { ids, text: None, undoable: false }, "approved");
    };
    let text = if edit {
        let task = cx.client.call(Show { id: one })?;
        let Some(draft) = task.action.text() else {
            bail!("task {} is a {} and has no text to edit", task.id, task.action.kind());
        };
        Some(edit::edit(draft)?)
    } else {
        text
    };
    bulk::send(cx, Approve { ids, text, undoable: false }, "approved")
}
