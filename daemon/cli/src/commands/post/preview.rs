//! `rapport post preview`: how an entry, or some text, would go out.

use std::fmt::Write as _;

use rapport_core::task::PostKind;
use rapport_protocol::PreviewTarget;
use rapport_protocol::requests::PostPreview;

use crate::commands::Context;
use crate::view::quote;
use crate::{Exit, UsageError};

/// Arguments of `rapport post preview`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A library entry.
    #[arg(long, conflicts_with = "text", required_unless_present = "text")]
    id: Option<String>,
    /// Text not in the library.
    text: Option<String>,
    /// The text promotes something.
    #[arg(long)]
    sales: bool,
}

/// Prints the preview.
pub fn run(Args { id, text, sales }: Args, cx: &Context) -> anyhow::Result<Exit> {
    let target = match (id, text) {
        (Some(id), _) => PreviewTarget::Entry { id },
        (None, Some(text)) => {
            PreviewTarget::Text { text, kind: if sales { PostKind::Sales } else { PostKind::Value } }
        }
        (None, None) => return Err(UsageError("give an entry --id or the text to preview".into()).into()),
    };
    let preview = cx.client.call(PostPreview { target })?;
    cx.print(&preview, view)?;
    Ok(Exit::Ok)
}

/// A post preview.
fn view(preview: &rapport_protocol::PostPreview) -> String {
    let mut out = String::new();
    quote(&mut out, &preview.text);
    let _ = writeln!(out, "{} characters", preview.length);
    for warning in &preview.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    out
}
