//! Opening a data dir: the exclusive lock, the schema version and the migrations that bring an
//! older store up to date.
//!
//! The version is checked before anything else is read, so a store written by a newer rapport is
//! refused rather than misread. Each migration runs in its own transaction together with the
//! version bump, so a crash mid-upgrade resumes from the last completed step.

use std::fs::{OpenOptions, TryLockError};
use std::path::Path;

use crate::{Store, StoreError, Trees, Tx, TxResult};

/// The schema version this build writes and understands.
pub const SCHEMA_VERSION: u32 = 1;

/// The meta key of the schema version (u32 big-endian).
const VERSION_KEY: &[u8] = b"schema-version";

/// One upgrade step: migration `i` takes a store from version `i` to `i + 1`.
type Migration = fn(&Tx<'_>) -> TxResult<()>;

/// Every migration, in order; `MIGRATIONS.len()` must equal [`SCHEMA_VERSION`].
const MIGRATIONS: [Migration; SCHEMA_VERSION as usize] = [initialize];

/// v0 → v1: a brand-new store. Trees are created on open and counters start absent (= 0), so
/// there is nothing to write but the version itself.
fn initialize(_tx: &Tx<'_>) -> TxResult<()> {
    Ok(())
}

impl Store {
    /// Opens (creating if needed) the store in `dir`, taking its exclusive lock and upgrading an
    /// older schema. Fails with [`StoreError::Locked`] if another process has it open and with
    /// [`StoreError::NewerSchema`] if a newer rapport wrote it.
    pub fn open(dir: impl AsRef<Path>) -> Result<Store, StoreError> {
        let dir = dir.as_ref().to_path_buf();
        let dir_error = |source| StoreError::Dir { dir: dir.clone(), source };
        std::fs::create_dir_all(&dir).map_err(dir_error)?;
        // Our own lock, taken before sled's, so that "in use" is recognized by its error kind
        // rather than by the wording of sled's message.
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("rapport.lock"))
            .map_err(dir_error)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => return Err(StoreError::Locked { dir }),
            Err(TryLockError::Error(source)) => return Err(StoreError::Dir { dir, source }),
        }
        let db = open_sled(&dir.join("sled"))?;
        let trees = Trees::open(&db)?;
        let store = Store { db, trees, dir, ingest: std::sync::Mutex::new(()), _lock: lock };
        store.migrate()?;
        Ok(store)
    }

    /// Brings the schema to [`SCHEMA_VERSION`], or refuses a newer one.
    fn migrate(&self) -> Result<(), StoreError> {
        let found = self.schema_version()?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema { dir: self.dir.clone(), found, supported: SCHEMA_VERSION });
        }
        for (from, migration) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            let to = from as u32 + 1;
            self.trees.transaction(|tx| {
                migration(tx)?;
                tx.meta.insert(VERSION_KEY, &to.to_be_bytes())?;
                Ok(())
            })?;
        }
        self.flush()
    }

    /// The schema version on disk; 0 for a store never initialized.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        match self.trees.meta.get(VERSION_KEY)? {
            None => Ok(0),
            Some(bytes) => {
                let arr: [u8; 4] = bytes.as_ref().try_into().map_err(|_| {
                    StoreError::Corrupt(format!("schema version of {} bytes, expected 4", bytes.len()))
                })?;
                Ok(u32::from_be_bytes(arr))
            }
        }
    }

    /// Writes a schema version directly, for tests that simulate a store from another release.
    #[cfg(test)]
    pub(crate) fn force_schema_version(&self, version: u32) -> Result<(), StoreError> {
        self.trees.meta.insert(VERSION_KEY, &version.to_be_bytes())?;
        self.flush()
    }
}

/// Opens sled under our lock. sled releases its own file lock only when its last background
/// write finishes, which can be a moment after a `Store` in this process was dropped; since we
/// hold our lock, a busy sled lock can only be that, so it is waited out briefly.
fn open_sled(path: &Path) -> Result<sled::Db, StoreError> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match sled::Config::new().path(path).open() {
            Err(sled::Error::Io(e))
                if e.to_string().contains("could not acquire lock")
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            result => return Ok(result?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_store_is_migrated_to_the_current_version() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn a_store_from_a_newer_rapport_is_refused_with_both_versions_named() {
        let dir = tempfile::tempdir().unwrap();
        Store::open(dir.path()).unwrap().force_schema_version(SCHEMA_VERSION + 1).unwrap();
        let err = Store::open(dir.path()).unwrap_err();
        assert!(
            matches!(err, StoreError::NewerSchema { found, supported, .. }
                if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION),
            "{err}"
        );
        assert!(err.to_string().contains("upgrade rapport"), "{err}");
    }

    #[test]
    fn a_second_open_of_the_same_dir_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = Store::open(dir.path()).unwrap();
        let err = Store::open(dir.path()).unwrap_err();
        assert!(matches!(err, StoreError::Locked { .. }), "{err}");
        assert!(err.to_string().starts_with("another rapportd is using"), "{err}");
        drop(first);
        Store::open(dir.path()).unwrap();
    }
}
