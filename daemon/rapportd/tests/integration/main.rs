//! The crate's integration tests, linked into one binary (each test module would otherwise
//! link wasmtime and sled on its own); each module says what it covers.

mod bluesky_devnet;
mod book;
mod budget;
mod common;
mod config;
mod e2e;
mod faults;
mod hostile_clients;
mod lifecycle;
mod media;
mod plugin_isolation;
mod posts;
mod reads;
mod relations_cli;
mod relationships;
mod review_screen;
mod schedule;
mod schedule_preview;
