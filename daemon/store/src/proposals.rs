//! The one store path every proposer's tasks go through: a proposal whose key was seen before —
//! whatever became of its task — is refused, in the same transaction that would create it.
//!
//! Keys live per account in the `proposals` tree with the id of the task they made (or nothing,
//! when a proposer looked at something and proposed no task, e.g. a slot that posts nothing).

use std::collections::HashSet;

use rapport_core::UnixSeconds;
use rapport_core::proposal::{Proposal, ProposalKey};
use rapport_core::task::{Task, TaskId};

use crate::tasks::create_in;
use crate::{Store, StoreError, Tx, TxResult, abort, keys};

/// `account\0key`.
pub(crate) fn proposal_key(account: &str, key: &ProposalKey) -> Result<Vec<u8>, StoreError> {
    Ok(keys::join(&keys::name("account", account)?, &[key.as_str().as_bytes()]))
}

/// Creates the tasks of those `proposals` whose key neither the store nor an earlier proposal of
/// the batch has seen, and records their keys, inside the caller's transaction. Returns one entry
/// per proposal: the task made, or `None` for a key already seen.
pub(crate) fn propose_in(
    tx: &Tx<'_>,
    account: &str,
    proposals: &[Proposal],
    now: UnixSeconds,
) -> TxResult<Vec<Option<Task>>> {
    let mut fresh = Vec::with_capacity(proposals.len());
    let mut seen = HashSet::with_capacity(proposals.len());
    let mut keys = Vec::with_capacity(proposals.len());
    for proposal in proposals {
        let key = proposal_key(account, &proposal.key).map_err(abort)?;
        let new = seen.insert(proposal.key.as_str()) && tx.proposals.get(&key)?.is_none();
        fresh.push(new);
        keys.push(key);
    }
    let chosen: Vec<Proposal> =
        proposals.iter().zip(&fresh).filter(|(_, new)| **new).map(|(p, _)| p.clone()).collect();
    let mut created = create_in(tx, account, &chosen, now)?.into_iter();
    let mut out = Vec::with_capacity(proposals.len());
    for (key, new) in keys.into_iter().zip(fresh) {
        if !new {
            out.push(None);
            continue;
        }
        let task = created.next();
        let id = task.as_ref().map(|t| keys::id(t.id).to_vec()).unwrap_or_default();
        tx.proposals.insert(key, id)?;
        out.push(task);
    }
    Ok(out)
}

impl Store {
    /// Proposes one task for `account`: creates it, flushed, unless its key was seen before
    /// (`None`).
    pub fn propose(
        &self,
        account: &str,
        proposal: Proposal,
        now: UnixSeconds,
    ) -> Result<Option<Task>, StoreError> {
        let mut made =
            self.trees.transaction(|tx| propose_in(tx, account, std::slice::from_ref(&proposal), now))?;
        self.flush()?;
        Ok(made.pop().flatten())
    }

    /// Proposes many tasks for `account` in one transaction (planners, bulk import, benchmarks);
    /// returns the ids of the tasks made, skipping keys seen before. Keep batches to a few
    /// thousand, since sled holds a transaction's writes in memory.
    pub fn propose_batch(
        &self,
        account: &str,
        proposals: &[Proposal],
        now: UnixSeconds,
    ) -> Result<Vec<TaskId>, StoreError> {
        let made = self.trees.transaction(|tx| propose_in(tx, account, proposals, now))?;
        self.flush()?;
        Ok(made.into_iter().flatten().map(|t| t.id).collect())
    }

    /// Records that a proposer looked at `key` for `account` and proposed nothing, so it is not
    /// looked at as new again. Flushed.
    pub fn mark_seen(&self, account: &str, key: &ProposalKey) -> Result<(), StoreError> {
        self.trees.proposals.insert(proposal_key(account, key)?, &[])?;
        self.flush()
    }

    /// Whether `key` was proposed (or marked seen) for `account`.
    pub fn seen(&self, account: &str, key: &ProposalKey) -> Result<bool, StoreError> {
        Ok(self.trees.proposals.contains_key(proposal_key(account, key)?)?)
    }
}
