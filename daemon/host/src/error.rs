//! The host's errors: [`HostError`] when a plugin cannot be loaded, [`CallError`] when one call fails.
//!
//! Both name the plugin (and a call error the account), because the daemon logs them beside many
//! plugins and accounts and the person reading must know which one to fix.

use std::path::PathBuf;
use std::time::Duration;

use rapport_core::platform::PluginError;
use thiserror::Error;

/// Why the host could not start or load a plugin.
#[derive(Debug, Error)]
pub enum HostError {
    /// The wasmtime engine could not be configured.
    #[error("cannot start the plugin engine: {0}")]
    Engine(String),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client for plugin egress: {0}")]
    Http(String),
    /// The plugin file could not be read.
    #[error("cannot read plugin {path}: {error}")]
    Read {
        /// The plugin file.
        path: PathBuf,
        /// The I/O error; part of the message, not a `source`, so a report that walks an
        /// error's sources says it once.
        error: std::io::Error,
    },
    /// The compile cache directory could not be used.
    #[error("cannot use the plugin compile cache at {path}: {error}; check it is a writable directory")]
    Cache {
        /// The cache path at fault.
        path: PathBuf,
        /// The I/O error, part of the message (not a `source`).
        error: std::io::Error,
    },
    /// The file is not a valid component or does not fit the host's world.
    #[error("plugin {path} is not a valid rapport plugin component: {reason}")]
    Invalid {
        /// The plugin file.
        path: PathBuf,
        /// What wasmtime reported.
        reason: String,
    },
    /// The plugin was built for another contract version.
    #[error(
        "plugin {path} was built for contract rapport:platform@{found}, but this daemon supports {supported}; rebuild the plugin against the current rapport-sdk or upgrade rapport"
    )]
    ContractVersion {
        /// The plugin file.
        path: PathBuf,
        /// The version the plugin imports/exports.
        found: String,
        /// The versions this host implements.
        supported: &'static str,
    },
    /// `describe` failed or returned something unusable.
    #[error("plugin {path} failed to describe itself: {reason}")]
    Describe {
        /// The plugin file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

/// Why one plugin call failed. The plugin stays loaded; only this call is lost.
#[derive(Debug, Error)]
#[error("plugin `{plugin}` failed {call} for account `{account}`: {failure}")]
pub struct CallError {
    /// The plugin's name.
    pub plugin: String,
    /// The account the call acted for.
    pub account: String,
    /// The export called, e.g. `fetch-notifications`.
    pub call: &'static str,
    /// What happened.
    pub failure: CallFailure,
}

/// What went wrong in a failed call.
#[derive(Debug, Error)]
pub enum CallFailure {
    /// The plugin returned an error it classified itself; the daemon's retry policy switches on it.
    #[error("{0}")]
    Plugin(PluginError),
    /// The guest trapped (panic, unreachable, bad memory access, a failing host import).
    #[error("the plugin crashed: {0}")]
    Trap(String),
    /// The guest used up its CPU budget (an endless loop, or far too much work).
    #[error("the plugin used up its CPU budget of {ticks} epoch ticks and was stopped")]
    CpuBudget {
        /// The budget.
        ticks: u64,
    },
    /// The guest tried to grow its memory past the cap.
    #[error("the plugin exceeded its memory cap of {bytes} bytes and was stopped")]
    OutOfMemory {
        /// The cap.
        bytes: usize,
    },
    /// The whole call took longer than the wall-clock limit.
    #[error("the call did not finish within {0:?} and was abandoned")]
    Timeout(Duration),
    /// The plugin returned a value the host cannot use.
    #[error("the plugin returned a malformed answer: {0}")]
    Malformed(String),
}

impl CallError {
    /// The plugin's own classification, when the plugin (not the sandbox) reported the failure.
    pub fn plugin_error(&self) -> Option<&PluginError> {
        match &self.failure {
            CallFailure::Plugin(e) => Some(e),
            _ => None,
        }
    }
}
