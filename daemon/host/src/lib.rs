//! The wasmtime host for platform plugins: loading, compile cache, sandbox limits, and egress.
//!
//! This is the only crate that knows wasmtime (and, in [`egress`], reqwest); its public API
//! speaks `rapport-core` types, so nothing above it changes when wasmtime or the bindings do.
//!
//! Module map:
//! - [`host`](PluginHost): the engine, the epoch ticker thread, the linker, and [`PluginHost::load`].
//! - `cache`: compiled components on disk, keyed by content and engine, checksummed; its
//!   `trusted` submodule holds the crate's only `unsafe` (deserializing our own cache entries).
//! - `bindings`: `bindgen!` over every supported contract version (`sdk/wit`, `sdk/wit/0.1.0`),
//!   the host side of every import, and type conversions.
//! - [`plugin`](Plugin): a loaded plugin and its calls, each in a fresh, capped `Store`.
//! - [`limits`](CallLimits): CPU tick budget, memory cap, wall-clock and egress caps.
//! - [`egress`]: the `http.send` policy (grants, private addresses, redirects, secrets, caps,
//!   rate-limit headers) and the [`HttpTransport`](egress::transport::HttpTransport) seam.
//! - [`kv`] and [`clock`]: the state and time plugins see, injectable for tests.

mod bindings;
mod cache;
pub mod clock;
pub mod egress;
mod epoch;
mod error;
mod host;
pub mod kv;
mod limits;
mod media;
mod plugin;

pub use error::{CallError, CallFailure, HostError};
pub use host::{HostConfig, PluginHost};
pub use limits::CallLimits;
pub use plugin::{AccountBinding, AccountContext, LoadReport, MAX_RELATIONSHIP_IDS, Plugin};

/// The contract versions (`rapport:platform@…`) this host binds, oldest first; the last is the
/// one the SDK builds for.
pub const SUPPORTED_CONTRACTS: &[&str] = &["0.1.0", "0.2.0"];

/// [`SUPPORTED_CONTRACTS`] as one phrase, for messages.
pub const SUPPORTED_CONTRACTS_LIST: &str = "0.1.0, 0.2.0";

/// An error and its causes on one line, for messages a person reads.
fn error_chain(error: &wasmtime::Error) -> String {
    error.chain().map(ToString::to_string).collect::<Vec<_>>().join(": ")
}
