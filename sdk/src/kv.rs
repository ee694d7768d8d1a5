//! The host's key-value store, scoped to this plugin and account, with JSON helpers.
//!
//! Plugins keep small state here across calls (a cached account id, a backfill position); every
//! call runs in a fresh instance, so nothing else survives.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::types::PluginError;

/// The raw bytes stored under `key`, if any.
pub fn get(key: &str) -> Option<Vec<u8>> {
    crate::bindings::rapport::platform::kv::get(key)
}

/// Stores `value` under `key`, durably before returning.
pub fn set(key: &str, value: &[u8]) {
    crate::bindings::rapport::platform::kv::set(key, value);
}

/// Removes `key` if present.
pub fn delete(key: &str) {
    crate::bindings::rapport::platform::kv::delete(key);
}

/// The value stored under `key` as JSON, if any.
///
/// A value that no longer parses (say, written by an older plugin version) is deleted and reported
/// as absent, because a cache the plugin cannot read is worth no more than an empty one.
pub fn get_json<T: DeserializeOwned>(key: &str) -> Option<T> {
    let bytes = get(key)?;
    match serde_json::from_slice(&bytes) {
        Ok(value) => Some(value),
        Err(err) => {
            crate::warn!("kv key {key:?} held unreadable JSON ({err}); discarding it");
            delete(key);
            None
        }
    }
}

/// Stores `value` as JSON under `key`.
pub fn set_json<T: Serialize + ?Sized>(key: &str, value: &T) -> Result<(), PluginError> {
    let bytes = serde_json::to_vec(value).map_err(|err| {
        PluginError::Permanent(format!("cannot encode the value for kv key {key:?}: {err}"))
    })?;
    set(key, &bytes);
    Ok(())
}
