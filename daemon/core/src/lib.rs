//! rapport's pure core.
//!
//! Everything here is plain synchronous code over data and an injected clock: no tokio, no
//! wasmtime, no sled, no reqwest. The daemon feeds it notifications, ledgers and the time, and it
//! returns decisions, so every rule is unit-testable without a runtime.

pub mod notification;
pub mod platform;
pub mod reads;
pub mod report;
pub mod task;

pub mod config;
pub mod legitimacy;
pub mod proposal;
pub mod triage;

pub mod book;
pub mod campaign;
pub mod circle;
pub mod content_ratio;
pub mod gate;
pub mod history;
pub mod host_pattern;
pub mod library;
pub mod localtime;
pub mod purge;
pub mod rate_limit;
pub mod schedule;
pub mod span;
pub mod text_limit;

/// Seconds since the Unix epoch; the one time unit of the core.
pub type UnixSeconds = i64;
