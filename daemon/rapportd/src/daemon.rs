//! The daemon's lifecycle: check a configuration, start, reload on SIGHUP, stop on SIGTERM.
//!
//! [`run`] opens the shared [`State`], binds the socket, starts every service of [`services`] —
//! the one list — and owns the signals: SIGHUP reloads the configuration through the same path
//! a start takes ([`Loaded::load`]) and tells the services; SIGTERM stops them, letting
//! in-flight sends finish. [`check`] takes that path too, without store or socket.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use rapport_core::platform::PluginError;
use rapport_host::clock::SystemClock;
use rapport_host::kv::MemoryKv;
use rapport_host::{CallFailure, HostConfig, PluginHost};
use tokio::net::UnixListener;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::service::{Lifecycle, Service};
use crate::settings::Settings;
use crate::state::{Loaded, State};
use crate::{executor, poller, proposers, recorder, scheduler, socket, systemd};

/// Every service of the daemon, in start order; a new one is one more line here.
fn services(listener: UnixListener) -> Vec<Box<dyn Service>> {
    vec![
        Box::new(socket::Server::new(listener)),
        Box::new(executor::Executor),
        Box::new(scheduler::Scheduler),
        Box::new(poller::Pollers),
        Box::new(proposers::Proposers),
        Box::new(recorder::Recorder),
    ]
}

/// Validates a configuration as a start would, without opening the store or the socket: the
/// same [`Loaded::load`] (every plugin loaded and bound, the policy compiled against their
/// platforms), with plugin state in memory, failing where a start would set an account aside;
/// then asks each platform whether the account's credential works and has the permissions the
/// plugin needs. Returns one line per account for the person checking; a refused credential or a
/// missing permission fails the check, a platform that cannot be reached only says so.
pub async fn check(settings: &Settings) -> anyhow::Result<Vec<String>> {
    let host = PluginHost::new(HostConfig::new(settings.data_dir.join("plugin-cache")))
        .context("starting the plugin host")?;
    let loaded = Loaded::load(&host, settings.clone(), &|_, _| Arc::new(MemoryKv::new())).await?;
    let unloaded = loaded.unloaded();
    if !unloaded.is_empty() {
        let reasons: Vec<String> =
            unloaded.iter().map(|u| format!("account `{}`: {}", u.config.name, u.reason)).collect();
        anyhow::bail!("{}", reasons.join("\n"));
    }
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    for account in loaded.accounts().iter() {
        let (plugin, name) = (&account.plugin, account.name());
        let d = plugin.description();
        lines.push(format!(
            "account `{name}`: {} plugin {} {} (contract {})",
            d.platform,
            d.name,
            d.version,
            plugin.contract()
        ));
        match plugin.check_access(&account.binding).await {
            Ok(None) => lines.push(format!(
                "account `{name}`: the plugin is built for contract 0.1.0 and cannot check the credential; a refused call will name what is missing"
            )),
            Ok(Some(access)) if access.missing.is_empty() => {
                let who = if access.acting_as.is_empty() { String::new() } else { format!(" as {}", access.acting_as) };
                let granted = if access.granted.is_empty() {
                    "the platform does not list its permissions".to_owned()
                } else {
                    format!("permissions: {}", access.granted.join(" "))
                };
                lines.push(format!("account `{name}`: credential works{who}; {granted}"));
            }
            Ok(Some(access)) => {
                let missing: Vec<String> = access.missing.iter().map(ToString::to_string).collect();
                problems.push(format!(
                    "account `{name}`: the credential lacks {}; give the token these permissions and run the check again",
                    missing.join(", ")
                ));
            }
            Err(err) => match &err.failure {
                CallFailure::Plugin(PluginError::Auth(why)) => {
                    problems.push(format!("account `{name}`: the platform refused the credential: {why}"))
                }
                _ => lines.push(format!("account `{name}`: warning: could not check the credential ({err})")),
            },
        }
    }
    if !problems.is_empty() {
        anyhow::bail!("{}", problems.join("\n"));
    }
    Ok(lines)
}

/// Runs the daemon until SIGTERM or SIGINT.
pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let socket_path: PathBuf = settings.socket.clone();
    let socket_config = settings.config.socket.clone();
    let state = State::start(settings, Arc::new(SystemClock)).await?;
    let listener = socket::bind(&socket_path, socket_config.as_ref())?;
    let (shutdown_tx, shutdown) = watch::channel(false);
    let (reloaded_tx, reloaded) = watch::channel(0u64);

    let mut running = JoinSet::new();
    for service in services(listener) {
        let name = service.name();
        let lifecycle = Lifecycle { shutdown: shutdown.clone(), reloaded: reloaded.clone() };
        let run = service.run(Arc::clone(&state), lifecycle);
        running.spawn(async move {
            run.await;
            tracing::debug!(service = name, "stopped");
        });
    }
    systemd::ready();
    tracing::info!(
        socket = %socket_path.display(),
        accounts = state.accounts().len(),
        skipped = state.unloaded().len(),
        "rapportd is ready"
    );

    let mut hangup = signal(SignalKind::hangup())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    loop {
        tokio::select! {
            _ = hangup.recv() => {
                systemd::reloading();
                match state.reload().await {
                    Ok(()) => {
                        // Services that set themselves up from the configuration do so again;
                        // queued work stays in the store.
                        reloaded_tx.send_modify(|generation| *generation += 1);
                        tracing::info!(
                            accounts = state.accounts().len(),
                            skipped = state.unloaded().len(),
                            "configuration reloaded"
                        );
                    }
                    Err(err) => tracing::error!("reload refused, the previous configuration stays: {err:#}"),
                }
                systemd::reloaded();
            }
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
        }
    }
    systemd::stopping();
    tracing::info!("stopping: letting in-flight sends finish");
    let _ = shutdown_tx.send(true);
    while running.join_next().await.is_some() {}
    state.store.flush()?;
    socket::remove(&socket_path);
    tracing::info!("stopped");
    Ok(())
}
