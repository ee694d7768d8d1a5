//! The X (Twitter) platform plugin for rapport, on X API v2.
//!
//! X has no notification endpoint, so the plugin reads mentions (`GET /2/users/:id/mentions`,
//! cursor on `since_id`) and, where the account's API tier allows, finds new followers by diffing
//! the follower list against the ids it has seen. It replies (only to posts that summon the
//! account, once per post) and publishes; X's automation rules forbid automated follows,
//! follow-backs, unfollows, likes and reposts, so `describe` declares none of them and the daemon
//! refuses such tasks with the rule as the reason. Authentication is OAuth 2 with refresh tokens
//! (see [`auth`]). See `README.md` for set-up and limits.

pub mod api;
pub mod auth;
pub mod cursor;
pub mod error;
pub mod followers;
pub mod plugin;

use rapport_sdk::types::{
    Access, Account, AccountPage, ActionKind, ActionOutcome, ActionRequest, Description, NotificationPage,
    PluginError, RateCeiling, ReadKind,
};
use rapport_sdk::{Call, Plugin, account};

use rapport_sdk::env::Host;

/// The plugin, as the component exports it.
pub struct XPlugin;

/// X's automation rules, in plain words, as `describe` reports them.
pub const RULES: [&str; 6] = [
    "Replies only to posts that summon the account (@mention it or quote its post), at most one reply per post \
     (X developer guidelines; X API: programmatic replies need the author to have summoned the replier).",
    "No automated following, follow-back or unfollowing: X forbids apps that follow back anyone who follows them, \
     bulk or aggressive following and follow churn; the follow endpoints are gone from self-serve API tiers.",
    "No automated likes: likes must be directly initiated by the authenticated user.",
    "No automated reposts: bulk or automated interactions are against X's rules.",
    "AI-generated replies need X's prior approval; every reply here is written or approved by a person.",
    "Automated accounts must carry X's \"Automated\" label, say so in the bio and name the human who runs them.",
];

/// The plugin's description; pure, as the contract requires.
pub fn description() -> Description {
    let ceiling = |action, limit, window_seconds| RateCeiling { action, limit, window_seconds };
    Description {
        name: "x".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        contract: rapport_sdk::CONTRACT_VERSION.into(),
        platform: "x".into(),
        capabilities: vec![ActionKind::Reply, ActionKind::Publish],
        ceilings: vec![
            // POST /2/tweets: 100 per 15 minutes per user, replies and originals alike.
            ceiling(ActionKind::Reply, 100, 15 * 60),
            ceiling(ActionKind::Publish, 100, 15 * 60),
            // Account-wide daily caps for unverified accounts: 200 replies and 50 originals.
            ceiling(ActionKind::Reply, 200, 24 * 3600),
            ceiling(ActionKind::Publish, 50, 24 * 3600),
        ],
        hosts: vec![plugin::DEFAULT_API_BASE.into()],
        rules: RULES.iter().map(|r| (*r).to_owned()).collect(),
        // Discovery and post reads are billed per item on X; this plugin serves none of them yet.
        reads: vec![ReadKind::Notifications],
        // X's developer terms: a person decides each follow, unfollow and like, never in bulk.
        one_at_a_time: vec![ActionKind::Follow, ActionKind::Unfollow, ActionKind::Like],
        read_costs: Vec::new(),
    }
}

/// The OAuth client for the account this call acts for.
fn client() -> Result<auth::Client, PluginError> {
    plugin::client(&account::current())
}

impl Plugin for XPlugin {
    fn describe() -> Description {
        description()
    }

    fn fetch_notifications(cursor: Option<String>) -> Result<NotificationPage, PluginError> {
        plugin::fetch_notifications(&mut Host, &client()?, cursor.as_deref())
    }

    fn execute(request: ActionRequest) -> Result<ActionOutcome, PluginError> {
        plugin::execute(&mut Host, &client()?, request)
    }

    fn lookup_account(id: String) -> Result<Account, PluginError> {
        plugin::lookup_account(&mut Host, &client()?, &id)
    }

    fn list_followers(cursor: Option<String>) -> Result<AccountPage, PluginError> {
        plugin::list_accounts(&mut Host, &client()?, "followers", cursor.as_deref())
    }

    fn list_following(cursor: Option<String>) -> Result<AccountPage, PluginError> {
        plugin::list_accounts(&mut Host, &client()?, "following", cursor.as_deref())
    }

    fn check_access() -> Result<Access, PluginError> {
        plugin::check_access(&mut Host, &client()?)
    }

    fn unsupported_reason(call: Call) -> Option<String> {
        (call == Call::Relationship).then(|| {
            "X API v2 has no relationship lookup on self-serve tiers; list followers or following instead"
                .into()
        })
    }
}

// Only the component exports the contract: natively the export symbols (named like
// `rapport:platform/plugin@0.1.0#describe`) are not valid in a linker version script, and the
// native build exists for unit tests only.
#[cfg(target_arch = "wasm32")]
rapport_sdk::export_plugin!(XPlugin);

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_sdk::types::Action;

    #[test]
    fn describe_declares_reply_and_publish_only_with_ceilings_for_each() {
        let d = description();
        assert_eq!(d.platform, "x");
        assert_eq!(d.contract, rapport_sdk::CONTRACT_VERSION);
        assert_eq!(d.capabilities, [ActionKind::Reply, ActionKind::Publish]);
        for kind in [
            ActionKind::Follow,
            ActionKind::FollowBack,
            ActionKind::Unfollow,
            ActionKind::Like,
            ActionKind::Repost,
        ] {
            assert!(!d.capabilities.contains(&kind));
        }
        assert!(d.capabilities.iter().all(|c| d.ceilings.iter().any(|r| r.action == *c)));
        assert_eq!(d.hosts, ["https://api.x.com"]);
        assert!(d.rules.iter().any(|r| r.contains("follow back")));
    }

    #[test]
    fn every_undeclared_action_has_a_refusal_naming_the_rule() {
        let reason = plugin::refusal(&Action::FollowBack("1".into()));
        assert!(reason.contains("follows back"), "{reason}");
        assert!(plugin::refusal(&Action::Like("1".into())).contains("directly initiated"));
    }
}
