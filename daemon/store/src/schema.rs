//! Opening a data dir: the exclusive lock, the schema version and the migrations that bring an
//! older store up to date.
//!
//! The version is checked before anything else is read, so a store written by a newer rapport is
//! refused rather than misread. Each migration is idempotent and the version is bumped only once
//! its writes are flushed, so a crash mid-upgrade runs the interrupted step again.

use std::fs::{OpenOptions, TryLockError};
use std::path::Path;

use rapport_core::UnixSeconds;
use rapport_core::notification::Notification;
use rapport_core::task::TaskId;
use serde::Deserialize;

use crate::{Store, StoreError, StoredNotification, Trees, decode, encode};

/// The schema version this build writes and understands.
pub const SCHEMA_VERSION: u32 = 2;

/// The meta key of the schema version (u32 big-endian).
const VERSION_KEY: &[u8] = b"schema-version";

/// One upgrade step: migration `i` takes a store from version `i` to `i + 1`. It must be safe to
/// run again over its own partial result.
type Migration = fn(&Trees) -> Result<(), StoreError>;

/// Every migration, in order; `MIGRATIONS.len()` must equal [`SCHEMA_VERSION`].
const MIGRATIONS: [Migration; SCHEMA_VERSION as usize] = [initialize, slim_notification_records];

/// v0 → v1: a brand-new store. Trees are created on open and counters start absent (= 0), so
/// there is nothing to write but the version itself.
fn initialize(_trees: &Trees) -> Result<(), StoreError> {
    Ok(())
}

/// A notification record as version 1 wrote it: the whole notification, profile and post included.
#[derive(Deserialize)]
struct NotificationRecordV1 {
    notification: Notification,
    recorded_at: UnixSeconds,
    task: Option<TaskId>,
}

/// Records rewritten per batch, so the upgrade of a large store holds little in memory.
const MIGRATION_BATCH: usize = 1_000;

/// v1 → v2: notification records keep ids instead of the whole profile and post (the task
/// carries those), which makes the record written for every notification a fifth of its size.
/// Records already in the new form (a rerun after a crash) are left alone.
fn slim_notification_records(trees: &Trees) -> Result<(), StoreError> {
    let mut batch = sled::Batch::default();
    let mut pending = 0;
    for entry in trees.notifications.iter() {
        let (key, value) = entry?;
        if decode::<StoredNotification>("notification", &value).is_ok() {
            continue;
        }
        let old: NotificationRecordV1 = decode("version 1 notification", &value)?;
        let new = StoredNotification::of(&old.notification, old.recorded_at, old.task);
        batch.insert(key, encode("notification", &new)?);
        pending += 1;
        if pending == MIGRATION_BATCH {
            trees.notifications.apply_batch(std::mem::take(&mut batch))?;
            pending = 0;
        }
    }
    trees.notifications.apply_batch(batch)?;
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
            migration(&self.trees)?;
            // The step's writes reach the disk before the version that says they are done.
            self.flush()?;
            let to = from as u32 + 1;
            self.trees.meta.insert(VERSION_KEY, &to.to_be_bytes())?;
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
        match sled::Config::new().path(path).mode(sled::Mode::HighThroughput).flush_every_ms(None).open() {
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

    #[test]
    fn a_version_1_store_is_upgraded_and_its_notification_records_slimmed() {
        use rapport_core::notification::{NotificationKind, Post, Profile};

        let dir = tempfile::tempdir().unwrap();
        let notification = Notification {
            id: "7".into(),
            kind: NotificationKind::Mention,
            at: 1_700_000_000,
            account: Profile { id: "42".into(), handle: "ana@example.social".into(), ..Profile::default() },
            post: Some(Post {
                id: "p9".into(),
                text: "How do you proof rye?".into(),
                url: "https://example.social/@ana/p9".into(),
                author: Profile::default(),
                in_reply_to: None,
                created: 1_700_000_000,
                visibility: "public".into(),
            }),
        };
        let key = crate::keys::join(&crate::keys::name("account", "shop").unwrap(), &[b"7"]);
        {
            let store = Store::open(dir.path()).unwrap();
            let v1 = serde_json::json!({ "notification": notification, "recorded_at": 5, "task": 3 });
            store.trees.notifications.insert(&key, serde_json::to_vec(&v1).unwrap()).unwrap();
            store.force_schema_version(1).unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let stored = store.notification("shop", "7").unwrap().unwrap();
        assert_eq!(stored, StoredNotification::of(&notification, 5, Some(TaskId(3))));
        assert_eq!((stored.from.as_str(), stored.post.as_deref()), ("42", Some("p9")));
        // Running the step again over its own result changes nothing.
        slim_notification_records(&store.trees).unwrap();
        assert_eq!(store.notification("shop", "7").unwrap().unwrap(), stored);
    }
}
