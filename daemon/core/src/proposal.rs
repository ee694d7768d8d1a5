//! The one shape every proposer emits: a task to put before a person, and the key that names what
//! it proposes, so that "never propose this again" is decided in one place (the store), whoever
//! proposes.
//!
//! Triage proposes from notifications and the scheduler from schedule slots; the campaign, purge
//! and circle planners to come propose follows, unfollows and engagement the same way. A key the
//! store has seen once — whatever became of its task: proposed, approved, rejected, done, expired,
//! or no task at all — is never proposed again, so a refetched notification, a slot looked at
//! twice or a person proposed by two campaigns makes one task at most.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::UnixSeconds;
use crate::task::{Action, ActionKind, Origin, TaskContext};

/// What a proposal is about, for dedupe: `kind/part/…`, unique per account. Build it with the
/// constructors so that two proposers naming the same thing make the same key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProposalKey(String);

impl ProposalKey {
    /// The task triage makes of notification `id`.
    pub fn notification(id: &str) -> ProposalKey {
        ProposalKey(format!("notification/{id}"))
    }

    /// Following the account with platform id `account_id` (a person, however they surfaced).
    pub fn follow(account_id: &str) -> ProposalKey {
        ProposalKey(format!("follow/{account_id}"))
    }

    /// Unfollowing the account with platform id `account_id`, a follow made at `followed_at`: a
    /// later follow of the same person is a new one to judge.
    pub fn unfollow(account_id: &str, followed_at: UnixSeconds) -> ProposalKey {
        ProposalKey(format!("unfollow/{account_id}/{followed_at}"))
    }

    /// Engaging (`like`, `repost`, `reply`) with the post with platform id `post_id`: one task per
    /// post and kind, whichever circle or day proposes it.
    pub fn engage(kind: ActionKind, post_id: &str) -> ProposalKey {
        ProposalKey(format!("{}/{post_id}", kind.as_str()))
    }

    /// What schedule `schedule` posts in its slot at `slot`.
    pub fn slot(schedule: &str, slot: UnixSeconds) -> ProposalKey {
        ProposalKey(format!("slot/{schedule}/{slot}"))
    }

    /// The key `origin` implies, for tasks made before proposals carried keys (the store's
    /// migration backfills them); a manual task has none.
    pub fn of_origin(origin: &Origin) -> Option<ProposalKey> {
        match origin {
            Origin::Notification { id } => Some(ProposalKey::notification(id)),
            Origin::Schedule { schedule, slot, .. } => Some(ProposalKey::slot(schedule, *slot)),
            Origin::Manual | Origin::Campaign { .. } | Origin::Purge | Origin::Circle { .. } => None,
        }
    }

    /// The key as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProposalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A task a proposer wants a person to review; the store adds the id, account, state and times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// What it is about; the store refuses a key it has seen.
    pub key: ProposalKey,
    /// What the task would do.
    pub action: Action,
    /// Where it came from.
    pub origin: Origin,
    /// What the person needs to judge it.
    pub context: TaskContext,
    /// When it expires if nobody reviews it, if ever.
    pub expires_at: Option<UnixSeconds>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_implies_the_key_its_proposer_uses() {
        let note = Origin::Notification { id: "n7".into() };
        assert_eq!(ProposalKey::of_origin(&note), Some(ProposalKey::notification("n7")));
        let slot = Origin::Schedule { schedule: "tips".into(), slot: 3600, entry: "e1".into() };
        assert_eq!(ProposalKey::of_origin(&slot).map(|k| k.to_string()).as_deref(), Some("slot/tips/3600"));
        assert_eq!(ProposalKey::of_origin(&Origin::Manual), None);
    }
}
