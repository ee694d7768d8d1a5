//! [`HarnessError`]: why a harness could not be built or a scripted call did not go as scripted.

use std::path::PathBuf;

use rapport_core::platform::PluginError;
use rapport_host::{CallError, HostError};
use thiserror::Error;

use crate::script::Mismatch;

/// Why a harness could not start, or why a call failed.
#[derive(Debug, Error)]
pub enum HarnessError {
    /// The plugin component is not where it was looked for.
    #[error("plugin component {path} not found; build it first with: {build}")]
    PluginNotBuilt {
        /// Where it was looked for.
        path: PathBuf,
        /// The command that builds it.
        build: String,
    },
    /// The host refused to start or to load the plugin.
    #[error("cannot load the plugin: {0}")]
    Load(#[from] HostError),
    /// The configured account (hosts, secrets, settings) is invalid.
    #[error("invalid harness account configuration: {0}")]
    Config(String),
    /// The plugin sent requests the script did not expect (the call's own result is discarded,
    /// since it answered a request no test meant to allow).
    #[error("{}", list(.0))]
    Unexpected(Vec<Mismatch>),
    /// The plugin returned one of the contract's errors.
    #[error("the plugin returned an error: {0}")]
    Plugin(PluginError),
    /// The sandbox stopped the call (trap, CPU or memory cap, timeout, malformed answer).
    #[error("{0}")]
    Sandbox(CallError),
}

impl HarnessError {
    /// The plugin's own error, if the plugin (not the sandbox or the script) failed the call.
    pub fn plugin_error(&self) -> Option<&PluginError> {
        match self {
            HarnessError::Plugin(error) => Some(error),
            _ => None,
        }
    }
}

impl From<CallError> for HarnessError {
    fn from(error: CallError) -> Self {
        match error.plugin_error() {
            Some(plugin) => HarnessError::Plugin(plugin.clone()),
            None => HarnessError::Sandbox(error),
        }
    }
}

fn list(mismatches: &[Mismatch]) -> String {
    let lines: Vec<String> = mismatches.iter().map(ToString::to_string).collect();
    format!("unexpected request: {}", lines.join("; then "))
}
