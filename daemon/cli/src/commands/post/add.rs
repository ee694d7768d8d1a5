//! `rapport post add TEXT`: a new entry in the content library's folder.

use rapport_core::task::PostKind;
use rapport_protocol::NewContentEntry;
use rapport_protocol::requests::PostAdd;

use crate::Exit;
use crate::commands::{Context, now};

/// Arguments of `rapport post add`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The post's text.
    text: String,
    /// It promotes something (counts against the sales ratio).
    #[arg(long)]
    sales: bool,
    /// An account that may post it (repeat for several; none means all).
    #[arg(long = "account")]
    accounts: Vec<String>,
    /// Alt text for its media.
    #[arg(long, default_value = "")]
    alt: String,
}

/// Adds the entry and prints the library.
pub fn run(Args { text, sales, accounts, alt }: Args, cx: &Context) -> anyhow::Result<Exit> {
    let kind = if sales { PostKind::Sales } else { PostKind::Value };
    let entries =
        cx.client.call(PostAdd { entry: NewContentEntry { text, kind, accounts, media_alt: alt } })?;
    cx.print(&entries, |e| super::view(e, now()))?;
    Ok(Exit::Ok)
}
