//! rapport's sled store: notifications, tasks and their indexes, the proposal keys seen, cursors,
//! ledgers, the daemon's own state and the plugins' data.
//!
//! This is the only crate that knows sled. Everything the daemon must not lose lives here, and
//! every multi-record change (a page ingested with its cursor and tasks, a task with its indexes
//! and counters, an execution start with its ledger entry) is one sled transaction, so a kill -9
//! at any instant leaves either all of it or none of it. Values are JSON so a person can read a
//! dump, except the interactions and metric readings a report reads by the hundred thousand,
//! which are packed (see `packed`); keys are binary and ordered so that every listing is a range scan over an index.
//!
//! sled's background flusher is off (it would fsync twice a second on an idle daemon): a change
//! the daemon acts on is flushed by the call that makes it, and an ingested page by the poller
//! once per poll. What a crash can lose is only what a refetch rebuilds.

mod book;
mod daemon_state;
mod history;
mod keys;
mod ledger;
mod packed;
mod proposals;
mod relations;
mod schema;
mod tasks;

use std::fs::File;
use std::path::{Path, PathBuf};

use rapport_core::task::{TaskId, TaskState, TransitionError};
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use thiserror::Error;

pub use book::PersonRecord;
pub use daemon_state::{DaemonKey, ScheduleState};
pub use history::next_reading;
pub use ledger::{LedgerEntry, PostEntry, PostRecord};
pub use relations::{CampaignState, CircleState, FollowMade, PurgeState, ReadSpend};
pub use schema::SCHEMA_VERSION;
pub use tasks::{IngestReport, StoredNotification, TaskFilter, TaskOutcome};

/// Why a store operation failed.
#[derive(Debug, Error)]
pub enum StoreError {
    /// Another process holds the data dir's lock.
    #[error("another rapportd is using {}; stop it first, or give this one another data dir", .dir.display())]
    Locked {
        /// The data dir.
        dir: PathBuf,
    },
    /// The store was written by a newer rapport; reading it could misinterpret it.
    #[error(
        "the store in {} has schema version {found}, but this rapport understands up to {supported}; \
         upgrade rapport (or restore a backup made by this version)",
        .dir.display()
    )]
    NewerSchema {
        /// The data dir.
        dir: PathBuf,
        /// The version on disk.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },
    /// The data dir could not be created or locked.
    #[error("cannot use data dir {}: {source}", .dir.display())]
    Dir {
        /// The data dir.
        dir: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// sled failed (I/O, corruption it detected).
    #[error("store I/O failed: {0}")]
    Sled(#[from] sled::Error),
    /// A stored record does not decode: a bug or a damaged store.
    #[error("the store holds a damaged record: {0}")]
    Corrupt(String),
    /// No task has this id.
    #[error("there is no task {0}")]
    UnknownTask(TaskId),
    /// The task's state does not allow the change.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// A gate hold was asked for a task that is not waiting to execute.
    #[error("task {id} is {state}; only an approved task can be held")]
    NotHoldable {
        /// The task.
        id: TaskId,
        /// Its state.
        state: TaskState,
    },
    /// A name that would corrupt key prefixes.
    #[error("the {what} name {name:?} contains a NUL byte; choose a name without one")]
    InvalidName {
        /// What kind of name (account, plugin, schedule…).
        what: &'static str,
        /// The name, escaped.
        name: String,
    },
}

/// Declares the store's trees once: the handle struct, the transaction view and the opening code
/// all come from this list, so they cannot drift apart.
macro_rules! trees {
    ($($(#[doc = $doc:literal])* $field:ident),+ $(,)?) => {
        /// Every sled tree of the store.
        struct Trees {
            $($(#[doc = $doc])* $field: sled::Tree,)+
        }

        /// The same trees inside one transaction.
        #[allow(dead_code, reason = "a transaction spans every tree; some trees are only written outside one")]
        struct Tx<'a> {
            $($(#[doc = $doc])* $field: &'a TransactionalTree,)+
        }

        impl Trees {
            fn open(db: &sled::Db) -> Result<Trees, sled::Error> {
                Ok(Trees { $($field: db.open_tree(stringify!($field))?,)+ })
            }

            /// Runs `f` as one atomic transaction over all trees; sled retries it on conflict, so
            /// `f` must be free of side effects outside the transaction.
            fn transaction<A>(
                &self,
                f: impl Fn(&Tx<'_>) -> Result<A, ConflictableTransactionError<StoreError>>,
            ) -> Result<A, StoreError> {
                let all: &[&sled::Tree] = &[$(&self.$field),+];
                let result = sled::Transactional::transaction(all, |view: &Vec<TransactionalTree>| {
                    let mut it = view.iter();
                    let tx = Tx {
                        $($field: it.next().ok_or(ConflictableTransactionError::Abort(
                            StoreError::Corrupt("transaction view is missing a tree".into()),
                        ))?,)+
                    };
                    f(&tx)
                });
                result.map_err(|e| match e {
                    TransactionError::Abort(e) => e,
                    TransactionError::Storage(e) => StoreError::Sled(e),
                })
            }
        }
    };
}

trees! {
    /// Schema version and counters.
    meta,
    /// `account\0platform-id` → [`StoredNotification`] JSON.
    notifications,
    /// `account\0kind-code` → u64 count of notifications recorded.
    engagement,
    /// `account` → the plugin's cursor for the next fetch.
    cursors,
    /// `task-id` → [`rapport_core::task::Task`] JSON.
    tasks,
    /// `state-code ++ task-id` → empty.
    by_state,
    /// `account\0 ++ state-code ++ task-id` → empty.
    by_account,
    /// `expires-at ++ task-id` → empty, proposed tasks with an expiry only.
    by_expiry,
    /// `not-before ++ task-id` → empty, approved tasks only (no `not_before` sorts first).
    by_due,
    /// `account\0 ++ state-code` → u64 number of tasks.
    counts,
    /// `plugin\0account\0key` → the plugin's bytes.
    kv,
    /// `account\0 ++ action-code ++ at ++ seq` → empty.
    actions,
    /// `account\0 ++ at ++ seq` → [`PostRecord`] JSON.
    posts,
    /// `account\0 ++ proposal key` → the id of the task it made (8 bytes), or empty if it made
    /// none: every key ever proposed, so that none is proposed twice.
    proposals,
    /// The daemon's own state ([`DaemonKey`] → JSON), apart from the plugins' `kv`.
    daemon,
    /// `entry\0account` → when a slot last queued the entry for the account, or it last went out.
    entries,
    /// `account` → last poll time.
    polls,
    /// `account\0 ++ person-id\0` → [`PersonRecord`] JSON: the relationship book.
    people,
    /// `account\0 ++ handle` → person id.
    handles,
    /// `account\0 ++ seq` → the interactions of an ingested page, until filed into the book.
    book_inbox,
    /// `account\0 ++ person-id\0 ++ at ++ source` → packed interaction, a person's timeline.
    interactions,
    /// `account\0 ++ hour` → the hour's packed interactions, framed, for reports over a window.
    interactions_by_time,
    /// `account\0 ++ at` → follower snapshot JSON.
    snapshots,
    /// `account\0 ++ post-id\0` → own post record JSON.
    own_posts,
    /// `account\0 ++ post-id\0` → the post's packed metric readings, framed, oldest first.
    readings,
    /// `account\0 ++ publish result (id or link)` → the post's kind, for posts rapport made.
    published,
}

/// The open store of one data dir. Holding it holds the dir's lock; drop it to release.
pub struct Store {
    db: sled::Db,
    trees: Trees,
    dir: PathBuf,
    /// Serializes [`Store::ingest_page`] calls: ingest is the only writer of notification records,
    /// so under this lock a plain read decides "already recorded" for the whole page without
    /// taking those reads into the transaction.
    ingest: std::sync::Mutex<()>,
    /// Held for the store's lifetime: the OS releases it when the process dies, even by kill -9.
    _lock: File,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("dir", &self.dir).finish_non_exhaustive()
    }
}

impl Store {
    /// The data dir this store lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes everything to disk before returning; the executor calls it (through the operations
    /// that need it) before any side effect a record allows.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }
}

/// Shorthand for the result type inside a transaction closure.
type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

/// Aborts a transaction with a store error.
fn abort(e: StoreError) -> ConflictableTransactionError<StoreError> {
    ConflictableTransactionError::Abort(e)
}

/// Decodes a JSON value, naming what it was on failure.
fn decode<T: serde::de::DeserializeOwned>(what: &str, bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

/// Encodes a JSON value; our types always serialize, so a failure is reported, not unwrapped.
fn encode<T: serde::Serialize>(what: &str, value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|e| StoreError::Corrupt(format!("cannot encode {what}: {e}")))
}
