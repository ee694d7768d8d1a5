//! What a plugin sees besides HTTP: its key-value store and the clock, both under the test's control.
//!
//! [`ScriptedKv`] is an in-memory store the test can read, write, snapshot and restore (to replay
//! a call "after a restart" with the state of that moment); [`ManualClock`] stands still until
//! the test moves it, so time-dependent logic (token expiry, rate-limit resets) is deterministic.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rapport_host::clock::Clock;
use rapport_host::kv::{KvError, PluginKv};

/// The plugin's key-value store in a harness: in memory, inspectable, restorable.
#[derive(Debug, Default)]
pub struct ScriptedKv {
    entries: Mutex<BTreeMap<String, Vec<u8>>>,
}

/// A copy of every entry of a [`ScriptedKv`] at one moment.
pub type KvSnapshot = BTreeMap<String, Vec<u8>>;

impl ScriptedKv {
    fn entries(&self) -> MutexGuard<'_, BTreeMap<String, Vec<u8>>> {
        // Each operation is a single map call, so a panic elsewhere cannot leave it inconsistent.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The value under `key`, if any.
    pub fn value(&self, key: &str) -> Option<Vec<u8>> {
        self.entries().get(key).cloned()
    }

    /// Stores `value` under `key`.
    pub fn insert(&self, key: &str, value: &[u8]) {
        self.entries().insert(key.to_owned(), value.to_vec());
    }

    /// Every entry, as it is now.
    pub fn snapshot(&self) -> KvSnapshot {
        self.entries().clone()
    }

    /// Replaces every entry with `snapshot`.
    pub fn restore(&self, snapshot: KvSnapshot) {
        *self.entries() = snapshot;
    }
}

impl PluginKv for ScriptedKv {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, KvError> {
        Ok(self.value(key))
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), KvError> {
        self.insert(key, value);
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), KvError> {
        self.entries().remove(key);
        Ok(())
    }
}

/// A clock that moves only when the test moves it.
#[derive(Debug)]
pub struct ManualClock {
    millis: AtomicI64,
}

impl ManualClock {
    /// A clock stopped at `unix_seconds`.
    pub fn at(unix_seconds: i64) -> Self {
        Self { millis: AtomicI64::new(unix_seconds.saturating_mul(1000)) }
    }

    /// Sets the time to `unix_seconds`.
    pub fn set(&self, unix_seconds: i64) {
        self.millis.store(unix_seconds.saturating_mul(1000), Ordering::SeqCst);
    }

    /// Moves the time forward by `by`.
    pub fn advance(&self, by: Duration) {
        let millis = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.millis.fetch_add(millis, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_millis(&self) -> i64 {
        self.millis.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_restore_every_entry() {
        let kv = ScriptedKv::default();
        kv.insert("a", b"1");
        let before = kv.snapshot();
        kv.insert("b", b"2");
        PluginKv::delete(&kv, "a").unwrap();
        kv.restore(before);
        assert_eq!(kv.value("a").as_deref(), Some(&b"1"[..]));
        assert_eq!(kv.value("b"), None);
    }

    #[test]
    fn the_clock_moves_only_when_told() {
        let clock = ManualClock::at(100);
        assert_eq!(clock.now_seconds(), 100);
        clock.advance(Duration::from_millis(2500));
        assert_eq!(clock.now_millis(), 102_500);
        clock.set(7);
        assert_eq!(clock.now_seconds(), 7);
    }
}
