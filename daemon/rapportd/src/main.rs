//! `rapportd`: the rapport daemon's entry point: arguments, logging, runtime.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use rapportd::settings::{Settings, default_config_file};

/// rapport's daemon: polls your platforms, queues tasks for your approval, sends what you approve.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// The configuration file [default: $XDG_CONFIG_HOME/rapport/rapport.toml].
    #[arg(long, env = "RAPPORT_CONFIG")]
    config: Option<PathBuf>,
    /// Check the configuration, its secrets and its budgets against each plugin's platform limits,
    /// then exit: 0 if it is valid. Opens neither the store nor the socket.
    #[arg(long)]
    check_config: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RAPPORT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_target(false)
        // Colour only on a terminal: under systemd or redirected to a file, escape codes would
        // land in the journal and the log as they are.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    let file = args.config.unwrap_or_else(default_config_file);
    let settings = match Settings::load(&file) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("rapportd: {err}");
            std::process::exit(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    if args.check_config {
        let accounts = match runtime.block_on(rapportd::daemon::check(&settings)) {
            Ok(accounts) => accounts,
            Err(err) => {
                eprintln!("rapportd: {err:#}");
                std::process::exit(2);
            }
        };
        println!("{}: valid", file.display());
        for line in accounts {
            println!("  {line}");
        }
        return Ok(());
    }
    // One line a person (or the journal) can act on, e.g. "another rapportd is using <data dir>",
    // rather than a debug dump with a backtrace.
    if let Err(err) = runtime.block_on(rapportd::daemon::run(settings)) {
        eprintln!("rapportd: {err:#}");
        std::process::exit(1);
    }
    Ok(())
}
