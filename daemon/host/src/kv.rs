//! The plugin's persistent key-value store, as the host sees it.
//!
//! The daemon implements [`PluginKv`] over sled, already scoped to one plugin and one account, so
//! a plugin can never read another's state; [`MemoryKv`] serves tests and the SDK harness.

use std::collections::HashMap;
use std::sync::Mutex;

use thiserror::Error;

/// A storage failure behind the `kv` import; it fails the plugin call that hit it.
#[derive(Debug, Error)]
#[error("plugin state store failed: {0}")]
pub struct KvError(pub String);

/// Key-value storage scoped to one plugin and one account.
pub trait PluginKv: Send + Sync {
    /// The value stored under `key`, if any.
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, KvError>;
    /// Stores `value` under `key`, durably before returning.
    fn set(&self, key: &str, value: &[u8]) -> Result<(), KvError>;
    /// Removes `key` if present.
    fn delete(&self, key: &str) -> Result<(), KvError>;
}

/// An in-memory [`PluginKv`] for tests and the harness; forgets everything when dropped.
#[derive(Debug, Default)]
pub struct MemoryKv {
    entries: Mutex<HashMap<String, Vec<u8>>>,
}

impl MemoryKv {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn entries(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, Vec<u8>>>, KvError> {
        self.entries.lock().map_err(|_| KvError("memory store poisoned by a panic".to_owned()))
    }
}

impl PluginKv for MemoryKv {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, KvError> {
        Ok(self.entries()?.get(key).cloned())
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), KvError> {
        self.entries()?.insert(key.to_owned(), value.to_vec());
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), KvError> {
        self.entries()?.remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_kv_round_trips_and_deletes() {
        let kv = MemoryKv::new();
        assert_eq!(kv.get("cursor").unwrap(), None);
        kv.set("cursor", b"42").unwrap();
        assert_eq!(kv.get("cursor").unwrap().as_deref(), Some(&b"42"[..]));
        kv.delete("cursor").unwrap();
        assert_eq!(kv.get("cursor").unwrap(), None);
    }
}
