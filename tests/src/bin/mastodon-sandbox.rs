//! `mastodon-sandbox`: runs the local Mastodon-API sandbox for the README demo and manual testing.
//!
//! It prints its URL and token, then serves until interrupted; faults and new notifications can be
//! switched on through its `/_sandbox/` admin endpoints (see `rapport_tests::sandbox`).

use std::net::SocketAddr;

use anyhow::Context as _;
use clap::{Parser, ValueEnum};
use rapport_tests::sandbox::{MastodonSandbox, Seed};

/// A local Mastodon-API server with seeded data, for rapport's demo and tests.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Port on 127.0.0.1 to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The data to start with.
    #[arg(long, value_enum, default_value_t = SeedName::Demo)]
    seed: SeedName,
    /// The bearer token API calls must carry.
    #[arg(long, default_value = "sandbox-token")]
    token: String,
    /// Also write the URL to this file once listening (for scripts that start it in the background).
    #[arg(long)]
    url_file: Option<std::path::PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum SeedName {
    /// A pottery shop with a few followers (one spammy), question mentions and a follow request;
    /// potters posting under #pottery and #ceramics, suggestions, a list and its own posts' counts.
    Demo,
    /// Only the own account.
    Empty,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let seed = match args.seed {
        SeedName::Demo => Seed::demo(),
        SeedName::Empty => Seed::new(""),
    };
    let seed = Seed { token: args.token.clone(), ..seed };
    let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
    let mut sandbox = MastodonSandbox::start_on(seed, addr).await.context("starting the Mastodon sandbox")?;
    println!("{}", sandbox.base_url());
    if let Some(path) = &args.url_file {
        std::fs::write(path, sandbox.base_url()).with_context(|| format!("writing {}", path.display()))?;
    }
    eprintln!(
        "mastodon-sandbox listening on {} (token: {}); Ctrl-C stops it",
        sandbox.base_url(),
        args.token
    );
    tokio::select! {
        _ = sandbox.serve_forever() => {}
        signal = tokio::signal::ctrl_c() => signal.context("waiting for Ctrl-C")?,
    }
    Ok(())
}
