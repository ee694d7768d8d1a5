//! What the policy gate and the scheduler remember: actions and posts performed (the rate and
//! ratio ledgers), content entries posted, poll times, and each
//! plugin's own key-value data.
//!
//! Ledger keys end in `time ++ seq` so "everything since T" is one range scan, and the sequence
//! number (sled's monotonic id generator) keeps two entries in the same second apart.

use rapport_core::UnixSeconds;
use rapport_core::task::{ActionKind, PostKind, Task, TaskId, Transition};
use serde::{Deserialize, Serialize};

use crate::tasks::transition_in;
use crate::{Store, StoreError, abort, decode, encode, keys};

/// The ledger entry to record when a task starts executing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// The action, for rate limits.
    pub action: ActionKind,
    /// The post, for the content ratio and the gap between posts; `None` if not a post.
    pub post: Option<PostEntry>,
}

/// A post to record in the post ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostEntry {
    /// Value or sales.
    pub kind: PostKind,
    /// The brand the post speaks for, if the ratio is kept per brand.
    pub brand: Option<String>,
}

/// One post in the post ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostRecord {
    /// When it was sent.
    pub at: UnixSeconds,
    /// Value or sales.
    pub kind: PostKind,
    /// The brand it spoke for.
    pub brand: Option<String>,
}

/// `account\0 ++ action-code ++ at ++ seq`.
fn action_key(account: &[u8], kind: ActionKind, at: UnixSeconds, seq: u64) -> Vec<u8> {
    keys::join(account, &[&[keys::action_code(kind)], &keys::time(at), &seq.to_be_bytes()])
}

/// `account\0 ++ at ++ seq`.
fn post_key(account: &[u8], at: UnixSeconds, seq: u64) -> Vec<u8> {
    keys::join(account, &[&keys::time(at), &seq.to_be_bytes()])
}

/// The time field of a ledger key that continues `prefix` with `at ++ seq`.
fn time_after(prefix_len: usize, key: &[u8]) -> Result<UnixSeconds, StoreError> {
    let field = key
        .get(prefix_len..prefix_len + 8)
        .ok_or_else(|| StoreError::Corrupt(format!("ledger key of {} bytes is too short", key.len())))?;
    keys::decode_time(field)
}

impl Store {
    /// Moves an approved task to executing and records its ledger entry in the same transaction,
    /// flushed before returning: the executor sends right after, and a crash then leaves a task
    /// that needs checking and a ledger that already counts the possible send.
    pub fn start_execution(
        &self,
        id: TaskId,
        now: UnixSeconds,
        ledger: Option<LedgerEntry>,
    ) -> Result<Task, StoreError> {
        let task = self.trees.transaction(|tx| {
            let task = transition_in(tx, id, &Transition::Start, now)?;
            if let Some(entry) = &ledger {
                let account = keys::name("account", &task.account).map_err(abort)?;
                let seq = tx.actions.generate_id()?;
                tx.actions.insert(action_key(&account, entry.action, now, seq), &[])?;
                if let Some(post) = &entry.post {
                    let record = PostRecord { at: now, kind: post.kind, brand: post.brand.clone() };
                    tx.posts.insert(
                        post_key(&account, now, seq),
                        encode("post record", &record).map_err(abort)?,
                    )?;
                }
            }
            Ok(task)
        })?;
        self.flush()?;
        Ok(task)
    }

    /// Records an action outside a task (for actions the daemon performs on its own), flushed.
    pub fn record_action(&self, account: &str, kind: ActionKind, at: UnixSeconds) -> Result<(), StoreError> {
        let key = action_key(&keys::name("account", account)?, kind, at, self.db.generate_id()?);
        self.trees.actions.insert(key, &[])?;
        self.flush()
    }

    /// When the account performed `kind` at or after `since`, oldest first.
    pub fn actions_since(
        &self,
        account: &str,
        kind: ActionKind,
        since: UnixSeconds,
    ) -> Result<Vec<UnixSeconds>, StoreError> {
        let prefix = keys::join(&keys::name("account", account)?, &[&[keys::action_code(kind)]]);
        let start = keys::join(&prefix, &[&keys::time(since)]);
        let end = keys::join(&prefix, &[&[0xff; 16]]);
        self.trees.actions.range(start..=end).keys().map(|key| time_after(prefix.len(), &key?)).collect()
    }

    /// Records a post outside a task, flushed.
    pub fn record_post(
        &self,
        account: &str,
        brand: Option<&str>,
        kind: PostKind,
        at: UnixSeconds,
    ) -> Result<(), StoreError> {
        let key = post_key(&keys::name("account", account)?, at, self.db.generate_id()?);
        let record = PostRecord { at, kind, brand: brand.map(str::to_string) };
        self.trees.posts.insert(key, encode("post record", &record)?)?;
        self.flush()
    }

    /// The account's posts at or after `since`, oldest first.
    pub fn posts_since(&self, account: &str, since: UnixSeconds) -> Result<Vec<PostRecord>, StoreError> {
        let prefix = keys::name("account", account)?;
        let start = keys::join(&prefix, &[&keys::time(since)]);
        let end = keys::join(&prefix, &[&[0xff; 16]]);
        self.trees.posts.range(start..=end).values().map(|value| decode("post record", &value?)).collect()
    }

    /// Records that a content library entry was posted by an account (a scheduled task taking it
    /// already recorded when it was queued; this moves that to when it went out).
    pub fn entry_posted(&self, entry: &str, account: &str, at: UnixSeconds) -> Result<(), StoreError> {
        self.trees.entries.insert(entry_key(entry, account)?, &keys::time(at))?;
        self.flush()
    }

    /// When a content library entry was last taken for an account: queued by a slot, or posted.
    pub fn last_posted(&self, entry: &str, account: &str) -> Result<Option<UnixSeconds>, StoreError> {
        self.trees.entries.get(entry_key(entry, account)?)?.map(|v| keys::decode_time(&v)).transpose()
    }

    /// When the account was last polled.
    pub fn last_poll(&self, account: &str) -> Result<Option<UnixSeconds>, StoreError> {
        self.trees.polls.get(account.as_bytes())?.map(|v| keys::decode_time(&v)).transpose()
    }

    /// Records a poll time. Not flushed: a lost poll time only makes the next poll come sooner.
    pub fn set_last_poll(&self, account: &str, at: UnixSeconds) -> Result<(), StoreError> {
        self.trees.polls.insert(account.as_bytes(), &keys::time(at))?;
        Ok(())
    }

    /// A plugin's value for one of its accounts.
    pub fn kv_get(&self, plugin: &str, account: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.trees.kv.get(kv_key(plugin, account, key)?)?.map(|v| v.to_vec()))
    }

    /// Sets a plugin's value, flushed: plugins keep state (tokens, markers) they must not lose.
    pub fn kv_set(&self, plugin: &str, account: &str, key: &str, value: &[u8]) -> Result<(), StoreError> {
        self.trees.kv.insert(kv_key(plugin, account, key)?, value)?;
        self.flush()
    }

    /// Deletes a plugin's value, flushed.
    pub fn kv_delete(&self, plugin: &str, account: &str, key: &str) -> Result<(), StoreError> {
        self.trees.kv.remove(kv_key(plugin, account, key)?)?;
        self.flush()
    }
}

/// `entry\0account`.
pub(crate) fn entry_key(entry: &str, account: &str) -> Result<Vec<u8>, StoreError> {
    Ok(keys::join(&keys::name("entry", entry)?, &[account.as_bytes()]))
}

/// `plugin\0account\0key`.
fn kv_key(plugin: &str, account: &str, key: &str) -> Result<Vec<u8>, StoreError> {
    Ok(keys::join(&keys::name("plugin", plugin)?, &[&keys::name("account", account)?, key.as_bytes()]))
}
