//! `--edit`: opening the person's editor on a draft and reading back what they saved.

use std::io::Write as _;
use std::process::Command;

use anyhow::{Context, bail};

/// Opens `$VISUAL`, else `$EDITOR`, else `vi`, on `draft` in a temp file and returns the edited
/// text without its trailing newline. Runs through `sh -c` so editors given with arguments
/// (`code --wait`) work. An empty result or a failing editor aborts.
pub fn edit(draft: &str) -> anyhow::Result<String> {
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".into());
    let mut file = tempfile::Builder::new().prefix("rapport-draft-").suffix(".txt").tempfile()?;
    file.write_all(draft.as_bytes())?;
    file.write_all(b"\n")?;
    file.flush()?;
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("rapport-edit")
        .arg(file.path())
        .status()
        .with_context(|| format!("cannot start the editor `{editor}`"))?;
    if !status.success() {
        bail!("the editor `{editor}` exited with {status}; nothing was approved");
    }
    let text = std::fs::read_to_string(file.path()).context("cannot read back the edited draft")?;
    let text = text.trim_end_matches(['\n', '\r']).to_string();
    if text.trim().is_empty() {
        bail!("the edited text is empty; nothing was approved");
    }
    Ok(text)
}
