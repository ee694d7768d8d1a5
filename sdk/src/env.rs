//! A plugin's view of its host: HTTP, the key-value store, the clock and the log, behind one
//! trait.
//!
//! A plugin whose flows (refresh a token on a 401 and retry, diff a follower list, refuse a second
//! reply) are written generic over [`Env`] can test them natively: its unit tests pass the
//! scripted `fake::Scripted` environment (the `fake` feature, for dev-dependencies), while the
//! component passes [`Host`], which calls the host imports.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::http::{HttpError, Request, Response};
use crate::types::PluginError;

// Also in the SDK's own tests, which use it without the feature.
#[cfg(any(test, feature = "fake"))]
pub mod fake;

/// What a plugin needs from the world outside its sandbox.
pub trait Env {
    /// Sends `request` and waits for the whole response.
    fn send(&mut self, request: Request) -> Result<Response, HttpError>;
    /// The bytes stored under `key` in the plugin's store, if any.
    fn kv_get(&self, key: &str) -> Option<Vec<u8>>;
    /// Stores `value` under `key`, durably before returning.
    fn kv_set(&mut self, key: &str, value: &[u8]);
    /// Seconds since the Unix epoch.
    fn now(&self) -> i64;
    /// Logs a warning a person may need to act on.
    fn warn(&self, message: &str);

    /// The value under `key` as JSON; an unreadable value counts as absent, because a cache the
    /// plugin cannot read is worth no more than an empty one.
    fn kv_get_json<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let bytes = self.kv_get(key)?;
        match serde_json::from_slice(&bytes) {
            Ok(value) => Some(value),
            Err(err) => {
                self.warn(&format!("kv key {key:?} held unreadable JSON ({err}); ignoring it"));
                None
            }
        }
    }

    /// Stores `value` as JSON under `key`.
    fn kv_set_json<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), PluginError> {
        let bytes = serde_json::to_vec(value).map_err(|err| {
            PluginError::Permanent(format!("cannot encode the value for kv key {key:?}: {err}"))
        })?;
        self.kv_set(key, &bytes);
        Ok(())
    }
}

/// The real host, through the SDK's imports.
pub struct Host;

impl Env for Host {
    fn send(&mut self, request: Request) -> Result<Response, HttpError> {
        request.send()
    }

    fn kv_get(&self, key: &str) -> Option<Vec<u8>> {
        crate::kv::get(key)
    }

    fn kv_set(&mut self, key: &str, value: &[u8]) {
        crate::kv::set(key, value);
    }

    fn now(&self) -> i64 {
        crate::clock::now()
    }

    fn warn(&self, message: &str) {
        crate::warn!("{message}");
    }
}
