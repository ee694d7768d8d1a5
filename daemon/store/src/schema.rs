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
pub const SCHEMA_VERSION: u32 = 4;

/// The meta key of the schema version (u32 big-endian).
const VERSION_KEY: &[u8] = b"schema-version";

/// One upgrade step: migration `i` takes a store from version `i` to `i + 1`. It must be safe to
/// run again over its own partial result.
type Migration = fn(&sled::Db, &Trees) -> Result<(), StoreError>;

/// Every migration, in order; `MIGRATIONS.len()` must equal [`SCHEMA_VERSION`].
const MIGRATIONS: [Migration; SCHEMA_VERSION as usize] =
    [initialize, slim_notification_records, proposal_keys_and_daemon_state, backfill_the_book];

/// v0 → v1: a brand-new store. Trees are created on open and counters start absent (= 0), so
/// there is nothing to write but the version itself.
fn initialize(_db: &sled::Db, _trees: &Trees) -> Result<(), StoreError> {
    Ok(())
}

/// The plugin-kv namespace where version 2's scheduler kept its state.
const V2_SCHEDULER_KV: &str = "rapportd.scheduler";

/// v2 → v3: every task's proposal key is recorded (so no proposer proposes its subject again),
/// the scheduler's state moves from the plugins' kv into the daemon's own tree, and the old
/// per-slot tree (which the slots' proposal keys replace) is dropped. A slot that was handled
/// without a task and not yet covered by its schedule's last run is looked at again; the
/// scheduler's last run makes that at most the slot due at the upgrade.
fn proposal_keys_and_daemon_state(db: &sled::Db, trees: &Trees) -> Result<(), StoreError> {
    let mut batch = sled::Batch::default();
    let mut pending = 0;
    for entry in trees.tasks.iter() {
        let (id, value) = entry?;
        let task: rapport_core::task::Task = decode("task", &value)?;
        if let Some(key) = rapport_core::proposal::ProposalKey::of_origin(&task.origin) {
            batch.insert(crate::proposals::proposal_key(&task.account, &key)?, id.to_vec());
            pending += 1;
        }
        if pending == MIGRATION_BATCH {
            trees.proposals.apply_batch(std::mem::take(&mut batch))?;
            pending = 0;
        }
    }
    trees.proposals.apply_batch(batch)?;

    // Version 2 kept `last-run` (8 bytes) and `missed` (a flag byte, then 8 bytes a slot) under
    // the plugin name `rapportd.scheduler`, with the schedule as the account.
    let prefix = crate::keys::name("plugin", V2_SCHEDULER_KV)?;
    let mut states: std::collections::BTreeMap<String, crate::ScheduleState> = Default::default();
    let mut old_keys = Vec::new();
    for entry in trees.kv.scan_prefix(&prefix) {
        let (key, value) = entry?;
        let rest = &key[prefix.len()..];
        let Some(split) = rest.iter().position(|b| *b == 0) else { continue };
        let schedule = String::from_utf8_lossy(&rest[..split]).into_owned();
        let state = states.entry(schedule).or_default();
        match &rest[split + 1..] {
            b"last-run" => {
                state.last_run = <[u8; 8]>::try_from(value.as_ref()).ok().map(i64::from_be_bytes);
            }
            b"missed" => {
                if let Some((flag, slots)) = value.split_first() {
                    state.earlier_missed = *flag == 1;
                    state.missed = slots
                        .chunks_exact(8)
                        .filter_map(|c| <[u8; 8]>::try_from(c).ok().map(i64::from_be_bytes))
                        .collect();
                }
            }
            _ => {}
        }
        old_keys.push(key);
    }
    for (schedule, state) in &states {
        trees
            .daemon
            .insert(crate::DaemonKey::Schedule(schedule).bytes()?, encode("schedule state", state)?)?;
    }
    trees.daemon.flush()?;
    for key in old_keys {
        trees.kv.remove(key)?;
    }
    db.drop_tree("slots")?;
    Ok(())
}

/// v3 → v4: the relationship book starts with what the store already knows: every recorded
/// notification from a person (by id only: version 2 slimmed the records) and every done task
/// that acted on one (with its profile, which names the person). Interaction keys end with their
/// source, so a rerun over a partial backfill rewrites rather than doubles.
fn backfill_the_book(_db: &sled::Db, trees: &Trees) -> Result<(), StoreError> {
    for entry in trees.notifications.iter() {
        let (key, value) = entry?;
        let Some(split) = key.iter().position(|b| *b == 0) else { continue };
        let account = String::from_utf8_lossy(&key[..split]).into_owned();
        let id = String::from_utf8_lossy(&key[split + 1..]).into_owned();
        let stored: StoredNotification = decode("notification", &value)?;
        let Some(kind) = rapport_core::history::InteractionKind::of_notification(stored.kind) else {
            continue;
        };
        if stored.from.is_empty() {
            continue;
        }
        let interaction = rapport_core::history::Interaction {
            at: stored.at,
            person: stored.from,
            handle: String::new(),
            direction: rapport_core::history::Direction::Theirs,
            kind,
            source: rapport_core::history::InteractionSource::Notification(id),
            campaign: None,
        };
        crate::book::backfill(trees, &account, &interaction, None)?;
    }
    for entry in trees.tasks.iter() {
        let (_, value) = entry?;
        let task: rapport_core::task::Task = decode("task", &value)?;
        if task.state != rapport_core::task::TaskState::Done {
            continue;
        }
        trees.transaction(|tx| crate::history::record_published(tx, &task))?;
        if let Some(interaction) = rapport_core::history::Interaction::of_task(&task, task.updated_at) {
            let profile = task.context.profile.as_ref().or(task.context.post.as_ref().map(|p| &p.author));
            crate::book::backfill(trees, &task.account, &interaction, profile)?;
        }
    }
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
fn slim_notification_records(_db: &sled::Db, trees: &Trees) -> Result<(), StoreError> {
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
            migration(&self.db, &self.trees)?;
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
        slim_notification_records(&store.db, &store.trees).unwrap();
        assert_eq!(store.notification("shop", "7").unwrap().unwrap(), stored);
    }

    #[test]
    fn a_version_3_store_gets_its_book_from_the_notifications_and_done_tasks_it_holds() {
        use rapport_core::history::{Direction, InteractionKind};
        use rapport_core::notification::{NotificationKind, Profile};
        use rapport_core::task::{Action, Origin, Task, TaskContext, TaskState};

        let dir = tempfile::tempdir().unwrap();
        let ann = Profile { id: "42".into(), handle: "Ann@garden.social".into(), ..Profile::default() };
        {
            let store = Store::open(dir.path()).unwrap();
            // What version 3 wrote: a slim notification record and a done task, no book.
            let like = StoredNotification {
                kind: NotificationKind::Like,
                at: 1_000,
                from: "42".into(),
                post: Some("p1".into()),
                recorded_at: 1_001,
                task: None,
            };
            let key = crate::keys::join(&crate::keys::name("account", "shop").unwrap(), &[b"n7"]);
            store.trees.notifications.insert(key, encode("n", &like).unwrap()).unwrap();
            let mut task = Task::propose(
                TaskId(5),
                "shop",
                Action::FollowBack { account_id: "42".into() },
                Origin::Notification { id: "n8".into() },
                TaskContext { profile: Some(ann.clone()), ..TaskContext::default() },
                2_000,
                None,
            );
            task.state = TaskState::Done;
            task.updated_at = 2_100;
            store.trees.tasks.insert(crate::keys::id(task.id), encode("task", &task).unwrap()).unwrap();
            store.force_schema_version(3).unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let timeline = store.interactions_of("shop", "42").unwrap();
        let seen: Vec<_> = timeline.iter().map(|i| (i.at, i.direction, i.kind)).collect();
        assert_eq!(
            seen,
            [
                (1_000, Direction::Theirs, InteractionKind::Liked),
                (2_100, Direction::Ours, InteractionKind::FollowedBack)
            ]
        );
        let person = store.person("shop", "42").unwrap().unwrap();
        assert_eq!((person.handle.as_str(), person.interactions), ("ann@garden.social", 2));
        assert_eq!(store.person_by_handle("shop", "@ANN@garden.social").unwrap().as_deref(), Some("42"));
        // The backfill run again over its own result doubles nothing.
        backfill_the_book(&store.db, &store.trees).unwrap();
        assert_eq!(store.interactions_of("shop", "42").unwrap(), timeline);
        assert_eq!(store.person("shop", "42").unwrap().unwrap().interactions, 2);
    }

    #[test]
    fn a_version_2_store_gets_its_proposal_keys_and_keeps_the_schedulers_state() {
        use rapport_core::proposal::{Proposal, ProposalKey};
        use rapport_core::task::{Action, Origin, PostKind, TaskContext};

        let dir = tempfile::tempdir().unwrap();
        let slot = ProposalKey::slot("tips", 3600);
        {
            let store = Store::open(dir.path()).unwrap();
            let post = Proposal {
                key: slot.clone(),
                action: Action::Publish {
                    text: "t".into(),
                    post_kind: PostKind::Value,
                    media_alt: String::new(),
                    media: Vec::new(),
                },
                origin: Origin::Schedule { schedule: "tips".into(), slot: 3600, entry: "e1".into() },
                context: TaskContext::default(),
                expires_at: None,
            };
            store.propose("shop", post, 10).unwrap().unwrap();
            // What version 2 had: no proposal keys, the scheduler's state in the plugins' kv.
            store.trees.proposals.clear().unwrap();
            store.kv_set(V2_SCHEDULER_KV, "tips", "last-run", &4000i64.to_be_bytes()).unwrap();
            let mut missed = vec![1u8];
            missed.extend_from_slice(&1800i64.to_be_bytes());
            store.kv_set(V2_SCHEDULER_KV, "tips", "missed", &missed).unwrap();
            store.force_schema_version(2).unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert!(store.seen("shop", &slot).unwrap(), "the task's key was backfilled");
        let state = store.schedule_state("tips").unwrap();
        assert_eq!((state.last_run, state.missed, state.earlier_missed), (Some(4000), vec![1800], true));
        assert_eq!(store.kv_get(V2_SCHEDULER_KV, "tips", "last-run").unwrap(), None);
        // Running the step again over its own result changes nothing.
        proposal_keys_and_daemon_state(&store.db, &store.trees).unwrap();
        assert!(store.seen("shop", &slot).unwrap());
        assert_eq!(store.schedule_state("tips").unwrap().last_run, Some(4000));
    }
}
