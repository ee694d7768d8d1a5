//! The crate's integration tests, linked into one binary (each test module would otherwise
//! link wasmtime and sled on its own); each module says what it covers.

mod cache;
mod common;
mod egress;
mod sandbox;
