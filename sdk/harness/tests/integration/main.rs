//! The crate's integration tests, linked into one binary (each test module would otherwise
//! link wasmtime and sled on its own); each module says what it covers.

mod conformance_bluesky;
mod conformance_facebook;
mod conformance_mastodon;
mod conformance_x;
mod example;
