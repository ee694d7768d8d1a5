//! Notifications in, tasks out: ingesting a page, and every read and write of a task with its
//! indexes and counters.
//!
//! All task writes go through [`write_task`], which updates the record, the state, account,
//! expiry and due indexes and the per-account per-state counters in the caller's transaction, so
//! the indexes can never disagree with the records. Listings are range scans over an index, so a
//! page costs the same however many tasks are stored.

use std::collections::HashSet;

use rapport_core::UnixSeconds;
use rapport_core::notification::{Notification, NotificationKind};
use rapport_core::proposal::Proposal;
use rapport_core::task::{Task, TaskId, TaskState, Transition};
use serde::{Deserialize, Serialize};
use sled::transaction::TransactionalTree;

use crate::proposals::propose_in;
use crate::{Store, StoreError, Tx, TxResult, abort, decode, encode, keys};

/// What one ingested page changed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IngestReport {
    /// Notifications seen for the first time.
    pub new: usize,
    /// Notifications already recorded (or repeated within the page).
    pub duplicates: usize,
    /// Tasks created, in page order.
    pub tasks: Vec<TaskId>,
}

/// A notification as recorded: who engaged how, with what, and the task it led to. The person's
/// profile and the post travel with the task, so the record keeps only their ids: it is written
/// once per notification ever received, so its size is what ingest costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredNotification {
    /// What happened.
    pub kind: NotificationKind,
    /// When it happened.
    pub at: UnixSeconds,
    /// The platform id of the account that did it.
    pub from: String,
    /// The platform id of the post concerned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<String>,
    /// When the daemon recorded it.
    pub recorded_at: UnixSeconds,
    /// The task triage made of it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskId>,
}

impl StoredNotification {
    /// The record of `notification`, received at `recorded_at`, that led to `task`.
    pub fn of(notification: &Notification, recorded_at: UnixSeconds, task: Option<TaskId>) -> Self {
        StoredNotification {
            kind: notification.kind,
            at: notification.at,
            from: notification.account.id.clone(),
            post: notification.post.as_ref().map(|p| p.id.clone()),
            recorded_at,
            task,
        }
    }
}

/// Which tasks a page lists. Results are in ascending id order (oldest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskFilter {
    /// Only tasks in this state.
    pub state: Option<TaskState>,
    /// Only tasks of this account.
    pub account: Option<String>,
    /// Only tasks with a greater id: the last id of the previous page.
    pub after: Option<TaskId>,
    /// At most this many.
    pub limit: usize,
}

/// One id's outcome in [`Store::transition_many`].
pub type TaskOutcome = (TaskId, Result<Task, StoreError>);

/// The meta key of the next task id (u64 big-endian; absent means 1).
const NEXT_ID_KEY: &[u8] = b"next-task-id";

/// Index keys run to this suffix so that an inclusive range covers every id (or time and id).
const MAX_SUFFIX: [u8; 16] = [0xff; 16];

/// Reserves `n` consecutive task ids in the transaction and returns the first.
fn reserve_ids(tx: &Tx<'_>, n: u64) -> TxResult<u64> {
    let first = match tx.meta.get(NEXT_ID_KEY)? {
        Some(bytes) => keys::decode_u64(&bytes).map_err(abort)?,
        None => 1,
    };
    tx.meta.insert(NEXT_ID_KEY, &(first + n).to_be_bytes())?;
    Ok(first)
}

/// Adds `delta` to a u64 counter, never below zero.
fn bump(tree: &TransactionalTree, key: &[u8], delta: i64) -> TxResult<()> {
    let current = match tree.get(key)? {
        Some(bytes) => keys::decode_u64(&bytes).map_err(abort)?,
        None => 0,
    };
    let next = current.saturating_add_signed(delta);
    if next == 0 {
        tree.remove(key)?;
    } else {
        tree.insert(key, &next.to_be_bytes())?;
    }
    Ok(())
}

/// The index keys a task has in its current state.
struct IndexKeys {
    state: Vec<u8>,
    account: Vec<u8>,
    expiry: Option<Vec<u8>>,
    due: Option<Vec<u8>>,
}

impl IndexKeys {
    fn of(account: &[u8], task: &Task) -> IndexKeys {
        let id = keys::id(task.id);
        let code = [task.state.code()];
        IndexKeys {
            state: keys::join(&code, &[&id]),
            account: keys::join(account, &[&code, &id]),
            expiry: match (task.state, task.expires_at) {
                (TaskState::Proposed, Some(at)) => Some(keys::join(&keys::time(at), &[&id])),
                _ => None,
            },
            due: (task.state == TaskState::Approved)
                .then(|| keys::join(&keys::time(task.not_before.unwrap_or(i64::MIN)), &[&id])),
        }
    }

    fn remove(&self, tx: &Tx<'_>) -> TxResult<()> {
        tx.by_state.remove(self.state.as_slice())?;
        tx.by_account.remove(self.account.as_slice())?;
        if let Some(key) = &self.expiry {
            tx.by_expiry.remove(key.as_slice())?;
        }
        if let Some(key) = &self.due {
            tx.by_due.remove(key.as_slice())?;
        }
        Ok(())
    }

    fn insert(&self, tx: &Tx<'_>) -> TxResult<()> {
        tx.by_state.insert(self.state.as_slice(), &[])?;
        tx.by_account.insert(self.account.as_slice(), &[])?;
        if let Some(key) = &self.expiry {
            tx.by_expiry.insert(key.as_slice(), &[])?;
        }
        if let Some(key) = &self.due {
            tx.by_due.insert(key.as_slice(), &[])?;
        }
        Ok(())
    }
}

/// Writes a task (new when `old` is `None`) with its indexes, and its counters when it changes
/// state (a new task's count is the caller's, so a batch bumps it once). A new task that posts a
/// library entry marks the entry taken, so the next slot does not pick it while this one waits for
/// approval or the gate.
pub(crate) fn write_task(tx: &Tx<'_>, old: Option<&Task>, new: &Task) -> TxResult<()> {
    let account = keys::name("account", &new.account).map_err(abort)?;
    match old {
        Some(old) => {
            IndexKeys::of(&account, old).remove(tx)?;
            if old.state != new.state {
                bump(tx.counts, &keys::join(&account, &[&[old.state.code()]]), -1)?;
                bump(tx.counts, &keys::join(&account, &[&[new.state.code()]]), 1)?;
            }
        }
        None => {
            // New tasks are counted by the caller, once per batch.
            if let Some(entry) = new.origin.library_entry() {
                tx.entries.insert(
                    crate::ledger::entry_key(entry, &new.account).map_err(abort)?,
                    &keys::time(new.created_at),
                )?;
            }
        }
    }
    IndexKeys::of(&account, new).insert(tx)?;
    tx.tasks.insert(&keys::id(new.id), encode("task", new).map_err(abort)?)?;
    if new.state == TaskState::Done && old.map(|o| o.state) != Some(TaskState::Done) {
        crate::book::record_ours(tx, new, new.updated_at)?;
        crate::history::record_published(tx, new)?;
    }
    Ok(())
}

/// Reads a task inside a transaction.
fn load_task(tx: &Tx<'_>, id: TaskId) -> TxResult<Task> {
    let bytes = tx.tasks.get(keys::id(id))?.ok_or(abort(StoreError::UnknownTask(id)))?;
    decode("task", &bytes).map_err(abort)
}

/// Applies a transition to a stored task inside a transaction.
pub(crate) fn transition_in(
    tx: &Tx<'_>,
    id: TaskId,
    transition: &Transition,
    now: UnixSeconds,
) -> TxResult<Task> {
    let old = load_task(tx, id)?;
    let mut new = old.clone();
    new.apply(transition.clone(), now).map_err(|e| abort(e.into()))?;
    write_task(tx, Some(&old), &new)?;
    Ok(new)
}

/// Creates the tasks of `proposals` for `account` inside a transaction, with consecutive ids; only
/// [`propose_in`], which refuses keys seen before, calls it.
pub(crate) fn create_in(
    tx: &Tx<'_>,
    account: &str,
    proposals: &[Proposal],
    now: UnixSeconds,
) -> TxResult<Vec<Task>> {
    let tasks = proposals;
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    let first = reserve_ids(tx, tasks.len() as u64)?;
    let mut created = Vec::with_capacity(tasks.len());
    for (new, id) in tasks.iter().zip(first..) {
        let task = Task::propose(
            TaskId(id),
            account,
            new.action.clone(),
            new.origin.clone(),
            new.context.clone(),
            now,
            new.expires_at,
        );
        write_task(tx, None, &task)?;
        created.push(task);
    }
    if !created.is_empty() {
        let account = keys::name("account", account).map_err(abort)?;
        bump(tx.counts, &keys::join(&account, &[&[TaskState::Proposed.code()]]), created.len() as i64)?;
    }
    Ok(created)
}

impl Store {
    /// Records a page of notifications for `account`, skipping those already recorded, proposing
    /// the tasks `propose` asks for (called once per new notification; a key seen before makes
    /// none), and advancing the cursor, all in one transaction. `next_cursor: None` (the plugin caught up) keeps the stored cursor.
    ///
    /// Concurrent calls are serialized. Which notifications are new is decided by plain reads
    /// under that lock, before the transaction: only this method writes notification records, so
    /// nothing can record one between the check and the commit. Task ids and counters are shared
    /// with other writers and stay inside the transaction.
    ///
    /// Not flushed: the poller flushes once per poll, after all its pages. A crash before that
    /// loses the cursor together with the records, so the page is fetched again and deduplicated
    /// as if it were new.
    pub fn ingest_page(
        &self,
        account: &str,
        notifications: &[Notification],
        next_cursor: Option<&str>,
        now: UnixSeconds,
        mut propose: impl FnMut(&Notification) -> Option<Proposal>,
    ) -> Result<IngestReport, StoreError> {
        let prefix = keys::name("account", account)?;
        // A panic in another ingest leaves no partial write behind (its transaction never
        // committed), so the lock's poison carries no information and is ignored.
        let _ingesting = self.ingest.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Which notifications are new (against the store and earlier in the page), and what
        // triage proposes for them: decided once, outside the transaction, which sled may rerun.
        let mut fresh: Vec<(&Notification, Vec<u8>)> = Vec::with_capacity(notifications.len());
        let mut news: Vec<Proposal> = Vec::new();
        // For each fresh notification, the index in `news` of the task proposed for it.
        let mut task_index: Vec<Option<usize>> = Vec::with_capacity(notifications.len());
        let mut seen = HashSet::with_capacity(notifications.len());
        for notification in notifications {
            let key = keys::join(&prefix, &[notification.id.as_bytes()]);
            if !seen.insert(notification.id.as_str()) || self.trees.notifications.contains_key(&key)? {
                continue;
            }
            task_index.push(propose(notification).map(|new| {
                news.push(new);
                news.len() - 1
            }));
            fresh.push((notification, key));
        }
        let mut per_kind = [0i64; keys::NOTIFICATION_KINDS.len()];
        for (notification, _) in &fresh {
            let code = keys::notification_code(notification.kind);
            if let Some(slot) = keys::NOTIFICATION_KINDS.iter().position(|(_, c)| *c == code) {
                per_kind[slot] += 1;
            }
        }
        let tasks = self.trees.transaction(|tx| {
            // The tasks first (one id reservation, one counter update), then the records that
            // name them.
            let created = propose_in(tx, account, &news, now)?;
            for ((notification, key), task) in fresh.iter().zip(&task_index) {
                let stored = StoredNotification::of(
                    notification,
                    now,
                    task.and_then(|i| created.get(i)).and_then(|t| t.as_ref()).map(|t| t.id),
                );
                tx.notifications.insert(key.as_slice(), encode("notification", &stored).map_err(abort)?)?;
            }
            for ((_, code), count) in keys::NOTIFICATION_KINDS.iter().zip(per_kind) {
                if count > 0 {
                    bump(tx.engagement, &keys::join(&prefix, &[&[*code]]), count)?;
                }
            }
            crate::book::inbox_theirs(tx, account, fresh.iter().map(|(n, _)| *n))?;
            if let Some(cursor) = next_cursor {
                tx.cursors.insert(account.as_bytes(), cursor.as_bytes())?;
            }
            Ok(created.into_iter().flatten().map(|t| t.id).collect::<Vec<_>>())
        })?;
        Ok(IngestReport { new: fresh.len(), duplicates: notifications.len() - fresh.len(), tasks })
    }

    /// The cursor to pass to the account's next fetch; `None` before the first page.
    pub fn cursor(&self, account: &str) -> Result<Option<String>, StoreError> {
        self.trees
            .cursors
            .get(account.as_bytes())?
            .map(|bytes| {
                String::from_utf8(bytes.to_vec())
                    .map_err(|_| StoreError::Corrupt(format!("cursor of {account} is not UTF-8")))
            })
            .transpose()
    }

    /// A recorded notification, by account and platform id.
    pub fn notification(&self, account: &str, id: &str) -> Result<Option<StoredNotification>, StoreError> {
        let key = keys::join(&keys::name("account", account)?, &[id.as_bytes()]);
        self.trees.notifications.get(key)?.map(|bytes| decode("notification", &bytes)).transpose()
    }

    /// How many notifications of each kind the account has received (kinds never seen omitted).
    pub fn engagement(&self, account: &str) -> Result<Vec<(NotificationKind, u64)>, StoreError> {
        let prefix = keys::name("account", account)?;
        let mut counts = Vec::new();
        for entry in self.trees.engagement.scan_prefix(&prefix) {
            let (key, value) = entry?;
            let code = key.get(prefix.len()).copied();
            let kind = keys::NOTIFICATION_KINDS
                .iter()
                .find(|(_, c)| Some(*c) == code)
                .map(|(k, _)| *k)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown notification kind code {code:?}")))?;
            counts.push((kind, keys::decode_u64(&value)?));
        }
        Ok(counts)
    }

    /// The task with this id.
    pub fn task(&self, id: TaskId) -> Result<Option<Task>, StoreError> {
        self.trees.tasks.get(keys::id(id))?.map(|bytes| decode("task", &bytes)).transpose()
    }

    /// Applies a transition (refusing those the lifecycle forbids, naming the task) and flushes
    /// before returning, since the caller may act on the new state at once.
    pub fn transition(
        &self,
        id: TaskId,
        transition: Transition,
        now: UnixSeconds,
    ) -> Result<Task, StoreError> {
        let task = self.trees.transaction(|tx| transition_in(tx, id, &transition, now))?;
        self.flush()?;
        Ok(task)
    }

    /// Applies one transition per id, each in its own transaction so one refusal does not undo the
    /// others, then flushes once: a thousand approvals cost one fsync, not a thousand.
    pub fn transition_many(
        &self,
        changes: impl IntoIterator<Item = (TaskId, Transition)>,
        now: UnixSeconds,
    ) -> Result<Vec<TaskOutcome>, StoreError> {
        let results: Vec<_> = changes
            .into_iter()
            .map(|(id, transition)| {
                (id, self.trees.transaction(|tx| transition_in(tx, id, &transition, now)))
            })
            .collect();
        self.flush()?;
        Ok(results)
    }

    /// Holds an approved task until `not_before` with a reason the person sees (a policy gate
    /// decision); its state does not change. Not flushed: a hold lost in a crash is decided again.
    pub fn hold(&self, id: TaskId, not_before: UnixSeconds, reason: &str) -> Result<Task, StoreError> {
        self.trees.transaction(|tx| {
            let old = load_task(tx, id)?;
            if old.state != TaskState::Approved {
                return Err(abort(StoreError::NotHoldable { id, state: old.state }));
            }
            let mut new = old.clone();
            new.not_before = Some(not_before);
            new.held_by_policy = true;
            new.note = Some(reason.to_string());
            write_task(tx, Some(&old), &new)?;
            Ok(new)
        })
    }

    /// Lifts every policy hold so the gate decides those tasks again (after the policy changed);
    /// platform backoffs stay. Returns how many were lifted. Reads the due index, which holds
    /// approved tasks only.
    pub fn release_policy_holds(&self) -> Result<usize, StoreError> {
        let ids = self
            .trees
            .by_due
            .iter()
            .keys()
            .map(|key| keys::trailing_id(&key?))
            .collect::<Result<Vec<_>, _>>()?;
        let mut released = 0;
        for id in ids {
            let lifted = self.trees.transaction(|tx| {
                let old = load_task(tx, id)?;
                if old.state != TaskState::Approved || !old.held_by_policy {
                    return Ok(false);
                }
                let mut new = old.clone();
                new.not_before = None;
                new.held_by_policy = false;
                new.note = None;
                write_task(tx, Some(&old), &new)?;
                Ok(true)
            })?;
            released += usize::from(lifted);
        }
        Ok(released)
    }

    /// One page of tasks through the indexes: the cost depends on `limit`, not on how many tasks
    /// are stored. Without a state but with an account, each state's index is read for at most
    /// `limit` ids and the results merged.
    pub fn page(&self, filter: &TaskFilter) -> Result<Vec<Task>, StoreError> {
        let ids = match (&filter.account, filter.state) {
            (None, None) => ids_after(&self.trees.tasks, &[], filter.after, filter.limit)?,
            (None, Some(state)) => {
                ids_after(&self.trees.by_state, &[state.code()], filter.after, filter.limit)?
            }
            (Some(account), state) => {
                let prefix = keys::name("account", account)?;
                let mut ids = Vec::new();
                for state in state.map_or(TaskState::ALL.to_vec(), |s| vec![s]) {
                    let state_prefix = keys::join(&prefix, &[&[state.code()]]);
                    ids.extend(ids_after(&self.trees.by_account, &state_prefix, filter.after, filter.limit)?);
                }
                ids.sort_unstable();
                ids.truncate(filter.limit);
                ids
            }
        };
        self.load_all(ids)
    }

    /// Task counts per account and state (zero counts omitted), from counters kept in the same
    /// transactions as the tasks: the cost is accounts × states, not tasks.
    pub fn counts(&self) -> Result<Vec<(String, TaskState, u64)>, StoreError> {
        let mut counts = Vec::new();
        for entry in self.trees.counts.iter() {
            let (key, value) = entry?;
            let corrupt = || StoreError::Corrupt(format!("count key {key:?}"));
            let (account, code) = key.split_at(key.len().checked_sub(2).ok_or_else(corrupt)?);
            let state = TaskState::from_code(code[1]).ok_or_else(corrupt)?;
            let account = std::str::from_utf8(account).map_err(|_| corrupt())?;
            counts.push((account.to_string(), state, keys::decode_u64(&value)?));
        }
        Ok(counts)
    }

    /// Approved tasks whose `not_before` has passed (or that have none), earliest first: a range
    /// scan of the due index, so the cost is `limit`, not the number of tasks waiting.
    pub fn due(&self, now: UnixSeconds, limit: usize) -> Result<Vec<Task>, StoreError> {
        let end = keys::join(&keys::time(now), &[&MAX_SUFFIX[..8]]);
        let ids = self
            .trees
            .by_due
            .range(..=end)
            .keys()
            .take(limit)
            .map(|key| keys::trailing_id(&key?))
            .collect::<Result<Vec<_>, _>>()?;
        self.load_all(ids)
    }

    /// Every task in `state`, read as the iterator advances (for crash recovery at start:
    /// executing → needs-check). Tasks changed meanwhile are yielded in their new state.
    pub fn in_state(&self, state: TaskState) -> impl Iterator<Item = Result<Task, StoreError>> + '_ {
        self.trees.by_state.scan_prefix([state.code()]).keys().map(move |key| {
            let id = keys::trailing_id(&key?)?;
            self.task(id)?.ok_or_else(|| StoreError::Corrupt(format!("state index names missing task {id}")))
        })
    }

    /// Expires every proposed task whose `expires_at` has passed and returns them. The expiry
    /// index holds proposed tasks only, so the cost is the number expired, not the queue size.
    pub fn expire(&self, now: UnixSeconds) -> Result<Vec<Task>, StoreError> {
        let end = keys::join(&keys::time(now), &[&MAX_SUFFIX[..8]]);
        let ids = self
            .trees
            .by_expiry
            .range(..=end)
            .keys()
            .map(|key| keys::trailing_id(&key?))
            .collect::<Result<Vec<_>, _>>()?;
        let mut expired = Vec::with_capacity(ids.len());
        // Bounded transactions: sled keeps a transaction's writes in memory.
        for chunk in ids.chunks(512) {
            expired.extend(self.trees.transaction(|tx| {
                let mut done = Vec::with_capacity(chunk.len());
                for &id in chunk {
                    // A person may have approved it since the scan; only proposed tasks expire.
                    if load_task(tx, id)?.state == TaskState::Proposed {
                        done.push(transition_in(tx, id, &Transition::Expire, now)?);
                    }
                }
                Ok(done)
            })?);
        }
        Ok(expired)
    }

    /// Loads tasks by id, in the order given.
    fn load_all(&self, ids: Vec<TaskId>) -> Result<Vec<Task>, StoreError> {
        ids.into_iter()
            .map(|id| {
                self.task(id)?.ok_or_else(|| StoreError::Corrupt(format!("an index names missing task {id}")))
            })
            .collect()
    }
}

/// Up to `limit` ids from index keys `prefix ++ id`, ids greater than `after`, ascending.
fn ids_after(
    tree: &sled::Tree,
    prefix: &[u8],
    after: Option<TaskId>,
    limit: usize,
) -> Result<Vec<TaskId>, StoreError> {
    let first = match after {
        None => 0,
        Some(TaskId(id)) => match id.checked_add(1) {
            Some(next) => next,
            None => return Ok(Vec::new()),
        },
    };
    let start = keys::join(prefix, &[&first.to_be_bytes()]);
    let end = keys::join(prefix, &[&MAX_SUFFIX[..8]]);
    tree.range(start..=end).keys().take(limit).map(|key| keys::trailing_id(&key?)).collect()
}
