//! `chaos`: runs the kill -9 chaos campaign (see `rapport_tests::chaos`) and prints
//! `N iterations: 0 lost, 0 duplicated, K needs-check`; exits 1 on any broken promise, with the
//! seed that replays the run. `cargo xtask chaos` builds what it needs and runs it.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use rapport_tests::chaos::{self, Options};

/// The kill -9 chaos campaign against the real rapportd and the Mastodon sandbox.
#[derive(Parser)]
struct Args {
    /// Iterations, each ended by a kill -9.
    #[arg(long, default_value_t = 50)]
    iterations: u32,
    /// The seed of the pushes, approvals and kill instants (default: from the clock).
    #[arg(long)]
    seed: Option<u64>,
    /// Accounts, each on its own sandbox.
    #[arg(long, default_value_t = 4)]
    accounts: usize,
    /// The rapportd binary.
    #[arg(long)]
    rapportd: PathBuf,
    /// The rapport binary.
    #[arg(long)]
    rapport: PathBuf,
    /// The Mastodon plugin (.wasm).
    #[arg(long)]
    plugin: PathBuf,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let args = Args::parse();
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64)
    });
    let options = Options {
        iterations: args.iterations,
        seed,
        accounts: args.accounts,
        rapportd: args.rapportd,
        rapport: args.rapport,
        plugin: args.plugin,
    };
    eprintln!("chaos: {} iterations over {} accounts, seed {seed}", options.iterations, options.accounts);
    let outcome = match chaos::run(&options).await {
        Ok(outcome) => outcome,
        Err(e) => {
            eprintln!("chaos: the campaign could not run: {e:#} (replay: --seed {seed})");
            return ExitCode::FAILURE;
        }
    };
    let found = &outcome.findings;
    println!(
        "{} iterations: {} lost, {} duplicated, {} needs-check ({} notifications, {} approvals confirmed, {} done, {} other findings, {:.0} s)",
        outcome.iterations,
        found.lost.len(),
        found.duplicated.len(),
        found.needs_check,
        outcome.pushed,
        outcome.approved,
        found.done,
        found.other.len(),
        outcome.elapsed.as_secs_f64()
    );
    if found.clean() {
        return ExitCode::SUCCESS;
    }
    for line in found.lost.iter().chain(&found.duplicated).chain(&found.other) {
        eprintln!("chaos: {line}");
    }
    eprintln!(
        "chaos: promises broken; replay with --seed {seed}; the daemon's log is {}",
        outcome.log.display()
    );
    ExitCode::FAILURE
}
