//! rapport: the command-line client of rapportd.
//!
//! Every command is one request over rapportd's Unix socket (see [`client`]); the CLI never opens
//! the store. Each command is a module of [`commands`]: its arguments, its request, its view.
//! Output is an aligned human view by default and the protocol payload with `--json`.
//!
//! Exit codes:
//! - 0: done;
//! - 1: rapportd answered with an error, every id of a bulk change failed, or the CLI failed;
//! - 2: usage error (bad arguments);
//! - 3: rapportd is not running (no socket, or nothing listening on it);
//! - 4: partial failure: some ids of a bulk change failed, the others were applied.

mod chart;
mod client;
mod commands;
mod duration;
mod edit;
mod report_page;
mod view;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory as _, Parser};

use crate::client::{Client, NotRunning};
use crate::commands::{Command, Context};

/// `rapport --help`'s long description, with the exit codes scripts depend on.
const LONG_ABOUT: &str = "\
rapport: approve, edit or reject what rapportd proposes, and see what it is doing.

The CLI talks only to rapportd's Unix socket: by default $XDG_RUNTIME_DIR/rapport/rapport.sock \
(else /run/user/<uid>/rapport/rapport.sock), or the system service's /run/rapport/rapport.sock when \
only that one exists; --socket or RAPPORT_SOCKET choose another.

Exit codes:
  0  done
  1  rapportd answered with an error, or every id of a bulk change failed
  2  usage error
  3  rapportd is not running
  4  partial failure: some ids failed, the others were applied";

/// The command line.
#[derive(Debug, Parser)]
#[command(name = "rapport", version, about = "The command-line client of rapportd", long_about = LONG_ABOUT)]
struct Cli {
    /// The daemon's socket.
    #[arg(long, env = "RAPPORT_SOCKET", global = true, value_name = "PATH")]
    socket: Option<PathBuf>,
    /// Print the protocol payload as JSON instead of the human view.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Done.
    Ok = 0,
    /// An error reply, every id of a bulk change failed, or the CLI failed.
    Failed = 1,
    /// Bad arguments.
    Usage = 2,
    /// Nothing listens on the socket.
    NotRunning = 3,
    /// Some ids of a bulk change failed, the others were applied.
    Partial = 4,
}

/// The command line's definition, which the man pages and completions are made from.
pub fn cli_command() -> clap::Command {
    Cli::command()
}

/// Runs one command.
fn run(cli: Cli) -> anyhow::Result<Exit> {
    let socket = cli.socket.unwrap_or_else(rapport_protocol::client_socket_path);
    commands::run(cli.command, &Context { client: Client::new(socket), json: cli.json })
}

/// A combination of arguments clap accepts but the command does not.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let exit = match run(cli) {
        Ok(exit) => exit,
        Err(e) => {
            eprintln!("rapport: {e:#}");
            if e.is::<NotRunning>() {
                Exit::NotRunning
            } else if e.is::<UsageError>() {
                Exit::Usage
            } else {
                // Error replies (`DaemonError`) and local failures alike.
                Exit::Failed
            }
        }
    };
    ExitCode::from(exit as u8)
}
