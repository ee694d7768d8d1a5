//! What every long-running part of the daemon is: a [`Service`], started from the one list in
//! `daemon`, given the shared state and told of shutdown and reloads through its [`Lifecycle`].
//!
//! A new service (a campaign planner, the purge, snapshots) is one new module implementing this
//! trait and one line in that list; it reads what it needs from [`State`] and never imports the
//! lifecycle that starts it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::watch;

use crate::state::State;

/// A boxed future a service runs as.
pub type Running = Pin<Box<dyn Future<Output = ()> + Send>>;

/// What a running service is told.
#[derive(Clone)]
pub struct Lifecycle {
    /// Turns true when the daemon stops; the service returns soon after.
    pub shutdown: watch::Receiver<bool>,
    /// Changes each time a reload put a new configuration in force. A service that set itself
    /// up from the configuration (the pollers: one task per account) sets itself up again; one
    /// that reads the state on every pass needs nothing.
    pub reloaded: watch::Receiver<u64>,
}

/// One long-running part of the daemon.
pub trait Service: Send {
    /// Its name, for the log.
    fn name(&self) -> &'static str;

    /// Runs until `lifecycle.shutdown` turns true.
    fn run(self: Box<Self>, state: Arc<State>, lifecycle: Lifecycle) -> Running;
}
