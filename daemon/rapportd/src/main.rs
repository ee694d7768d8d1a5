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
    /// Check the configuration (and its secrets) and exit: 0 if it is valid.
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
        .init();
    let file = args.config.unwrap_or_else(default_config_file);
    let settings = match Settings::load(&file) {
        Ok(settings) => settings,
        Err(err) => {
            eprintln!("rapportd: {err}");
            std::process::exit(2);
        }
    };
    if args.check_config {
        println!("{}: valid ({} accounts)", file.display(), settings.config.accounts.len());
        return Ok(());
    }
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?
        .block_on(rapportd::daemon::run(settings))
}
