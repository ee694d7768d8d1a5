//! The outcome of an action a plugin already performed, kept in its store under the daemon's
//! idempotency key, so that a resend after a lost answer is answered from memory instead of acting
//! twice: what a plugin does for a platform that honours no idempotency key of its own.
//!
//! Record the outcome right after the platform confirms the action; the daemon resends with the
//! same key whatever made it lose the answer.

use serde::{Deserialize, Serialize};

use crate::env::Env;
use crate::types::{ActionOutcome, PluginError};

/// An action's outcome as the store keeps it (the contract's `action-outcome`, which has no serde).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    /// The id of what the action created on the platform, if anything.
    pub id: Option<String>,
    /// A link a person can open, if the platform has one.
    pub url: Option<String>,
}

impl From<Sent> for ActionOutcome {
    fn from(sent: Sent) -> Self {
        ActionOutcome { id: sent.id, url: sent.url }
    }
}

impl From<&ActionOutcome> for Sent {
    fn from(outcome: &ActionOutcome) -> Self {
        Sent { id: outcome.id.clone(), url: outcome.url.clone() }
    }
}

/// The store key of the outcome of the action sent under `idempotency_key`.
fn key(idempotency_key: &str) -> String {
    format!("sent:{idempotency_key}")
}

/// The outcome of the action already sent under `idempotency_key`, if one was recorded.
pub fn recall<E: Env>(env: &E, idempotency_key: &str) -> Option<ActionOutcome> {
    env.kv_get_json::<Sent>(&key(idempotency_key)).map(ActionOutcome::from)
}

/// Records `outcome` as that of the action sent under `idempotency_key`.
pub fn record<E: Env>(
    env: &mut E,
    idempotency_key: &str,
    outcome: &ActionOutcome,
) -> Result<(), PluginError> {
    env.kv_set_json(&key(idempotency_key), &Sent::from(outcome))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::fake::Scripted;

    #[test]
    fn a_recorded_outcome_is_recalled_under_its_key_only() {
        let mut env = Scripted::at(0);
        let outcome = ActionOutcome { id: Some("1".into()), url: None };
        assert_eq!(recall(&env, "task-1"), None);
        assert!(record(&mut env, "task-1", &outcome).is_ok());
        assert_eq!(recall(&env, "task-1"), Some(outcome));
        assert_eq!(recall(&env, "task-2"), None);
        assert_eq!(env.kv_text("sent:task-1").as_deref(), Some(r#"{"id":"1","url":null}"#));
    }

    #[test]
    fn a_record_with_both_fields_reads_back() {
        let mut env = Scripted::at(0);
        env.kv.insert("sent:t".into(), br#"{"id":"9","url":"https://x.com/a/status/9"}"#.to_vec());
        let recalled = recall(&env, "t");
        assert_eq!(
            recalled,
            Some(ActionOutcome { id: Some("9".into()), url: Some("https://x.com/a/status/9".into()) })
        );
    }
}
