//! `rapport generate`: the man pages and the shell completions, made from the clap definitions
//! the CLI parses with, so they cannot drift from it. `cargo xtask install` installs them; the
//! copies under `daemon/cli/generated/` are checked against this output by a test.

use std::path::PathBuf;

use anyhow::Context as _;
use clap_complete::Shell;

use super::Context;
use crate::Exit;

/// What to generate.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Artifact {
    /// Man pages: `rapport.1` and one per command (`rapport-review.1`), written into DIR.
    Man,
    /// Bash completions, to stdout.
    Bash,
    /// Zsh completions (`_rapport`), to stdout.
    Zsh,
    /// Fish completions, to stdout.
    Fish,
}

/// Arguments of `rapport generate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to generate.
    what: Artifact,
    /// The directory the man pages go into (created if missing).
    #[arg(required_if_eq("what", "man"), value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Writes the artifact.
pub fn run(Args { what, dir }: Args, _cx: &Context) -> anyhow::Result<Exit> {
    let mut command = crate::cli_command();
    let shell = match what {
        Artifact::Man => {
            let dir = dir.context("rapport generate man needs the directory to write the pages into")?;
            std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(command, &dir)
                .with_context(|| format!("cannot write the man pages into {}", dir.display()))?;
            return Ok(Exit::Ok);
        }
        Artifact::Bash => Shell::Bash,
        Artifact::Zsh => Shell::Zsh,
        Artifact::Fish => Shell::Fish,
    };
    clap_complete::generate(shell, &mut command, "rapport", &mut std::io::stdout());
    Ok(Exit::Ok)
}
