//! `rapport post add TEXT`: a new entry in the content library's folder.

use std::path::PathBuf;

use anyhow::Context as _;
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
    /// Alt text for its image: what it shows, for people who cannot see it.
    #[arg(long, default_value = "")]
    alt: String,
    /// An image to attach (png, jpeg, gif or webp); needs `--alt`.
    #[arg(long, value_name = "FILE")]
    image: Option<PathBuf>,
}

/// Adds the entry and prints the library.
pub fn run(Args { text, sales, accounts, alt, image }: Args, cx: &Context) -> anyhow::Result<Exit> {
    let kind = if sales { PostKind::Sales } else { PostKind::Value };
    // The daemon reads the image when the post goes out, from its own working directory.
    let image = image
        .map(|path| std::path::absolute(&path).with_context(|| format!("image {}", path.display())))
        .transpose()?;
    let entry = NewContentEntry { text, kind, accounts, media_alt: alt, image };
    let entries = cx.client.call(PostAdd { entry })?;
    cx.print(&entries, |e| super::view(e, now()))?;
    Ok(Exit::Ok)
}
