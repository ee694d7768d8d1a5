//! The one place this crate uses `unsafe`: turning cached bytes back into a compiled component.
//!
//! `Component::deserialize` trusts its input to be machine code wasmtime produced; handing it
//! anything else is undefined behaviour. The caller ([`super`]) only passes bytes that it read
//! from its own cache directory *and* whose SHA-256 matches the checksum written beside them when
//! this host serialized them, so truncation, corruption or an edited file never reaches here.
#![allow(unsafe_code)]

use wasmtime::Engine;
use wasmtime::component::Component;

/// Deserializes a component this host serialized earlier; see the module docs for the contract.
pub(super) fn deserialize_verified(engine: &Engine, verified_bytes: &[u8]) -> wasmtime::Result<Component> {
    // SAFETY: `verified_bytes` is the output of `Component::serialize` by this host, read back from
    // the host-owned cache directory and checked against the SHA-256 stored with it (see
    // `cache::read_verified`); wasmtime additionally rejects artifacts of an incompatible engine.
    unsafe { Component::deserialize(engine, verified_bytes) }
}
