//! The Facebook Pages platform plugin for rapport, on the Graph API.
//!
//! A Page gets no pollable notification list, so the plugin reads the Page's recent posts with
//! their newest comments and reports each new comment as a reply notification (see
//! [`graph::Cursor`] for how nothing is emitted twice). As the Page it replies to comments,
//! publishes to its feed (with photos, see [`publish`]), likes comments and answers a commenter
//! once privately (see [`private_reply`]); Pages cannot follow people, so no follow action
//! exists. Of contract 0.2's reads it serves its own posts with their counts and itself (see
//! [`reads`]). Throttling is read from Meta's usage headers and error codes (see [`error`]). See
//! `README.md` for the Page token, permissions and limits.

pub mod error;
pub mod graph;
pub mod plugin;
pub mod private_reply;
pub mod publish;
pub mod reads;

use rapport_sdk::types::{
    Access, Account, ActionKind, ActionOutcome, ActionRequest, Description, NotificationPage, OwnPostPage,
    PluginError, ReadKind,
};
use rapport_sdk::{Call, Plugin, account};

use rapport_sdk::env::Host;

/// The plugin, as the component exports it.
pub struct FacebookPlugin;

/// Meta's rules for Pages, in plain words, as `describe` reports them.
pub const RULES: [&str; 5] = [
    "A Page cannot follow people: there is no follow, follow-back or unfollow.",
    "A Page may message a person only as one private reply to a comment of theirs, within 7 days of it.",
    "Meta's spam policy forbids posting, commenting or engaging at very high frequencies, by hand or automatically; \
     replies and likes here are each approved by a person.",
    "Buying, selling or exchanging engagement is forbidden.",
    "Meta throttles by usage percentages rather than fixed counts; the plugin pauses at 95 % of any quota.",
];

/// The plugin's description; pure, as the contract requires.
pub fn description() -> Description {
    Description {
        name: "facebook".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        contract: rapport_sdk::CONTRACT_VERSION.into(),
        platform: "facebook-pages".into(),
        capabilities: vec![ActionKind::Reply, ActionKind::Publish, ActionKind::Like, ActionKind::Message],
        // Meta publishes no per-action counts for Pages, only usage-based throttling (4,800 calls
        // per engaged user a day under Business Use Case limits), which the plugin reads live.
        ceilings: Vec::new(),
        hosts: vec![plugin::DEFAULT_API_BASE.into()],
        rules: RULES.iter().map(|r| (*r).to_owned()).collect(),
        // A Page has no discovery and no relationships, and reads no one else's posts (see
        // `unsupported_reason`).
        reads: vec![ReadKind::Notifications, ReadKind::OwnPosts, ReadKind::LookupSelf],
        // Every action is approved by a person already, and the Graph API bills no reads.
        one_at_a_time: Vec::new(),
        read_costs: Vec::new(),
    }
}

/// Why a Page cannot serve `call`, for the calls the plugin leaves to the SDK's `denied` default.
pub fn unsupported_reason(call: Call) -> Option<&'static str> {
    Some(match call {
        Call::Relationship | Call::Relationships => {
            "a Facebook Page cannot follow or like people or other Pages through the API, so it has no relationship \
             to read"
        }
        Call::Discover => {
            "a Facebook Page has no discovery through the Graph API: it cannot follow or like people or other Pages, \
             and searching Pages needs Meta's Page Public Content Access"
        }
        Call::RecentPosts => {
            "reading the posts of anyone but the Page itself needs Meta's Page Public Content Access, granted only \
             to business-verified apps after App Review, and no token reads a person's posts"
        }
        Call::ListFollowers => "the Graph API does not list who follows a Page",
        Call::ListFollowing => "a Facebook Page cannot follow people",
        _ => return None,
    })
}

/// The Graph endpoint for the account this call acts for.
fn graph() -> Result<plugin::Graph, PluginError> {
    plugin::graph(&account::current())
}

impl Plugin for FacebookPlugin {
    fn describe() -> Description {
        description()
    }

    fn fetch_notifications(cursor: Option<String>) -> Result<NotificationPage, PluginError> {
        plugin::fetch_notifications(&mut Host, &graph()?, cursor.as_deref())
    }

    fn execute(request: ActionRequest) -> Result<ActionOutcome, PluginError> {
        plugin::execute(&mut Host, &graph()?, request)
    }

    fn lookup_account(id: String) -> Result<Account, PluginError> {
        plugin::lookup_account(&mut Host, &graph()?, &id)
    }

    fn check_access() -> Result<Access, PluginError> {
        plugin::check_access(&mut Host, &graph()?)
    }

    fn own_posts(cursor: Option<String>) -> Result<OwnPostPage, PluginError> {
        reads::own_posts(&mut Host, &graph()?, cursor.as_deref())
    }

    fn lookup_self() -> Result<Account, PluginError> {
        reads::lookup_self(&mut Host, &graph()?)
    }

    fn unsupported_reason(call: Call) -> Option<String> {
        unsupported_reason(call).map(str::to_owned)
    }
}

// Only the component exports the contract: natively the export symbols (named like
// `rapport:platform/plugin@0.1.0#describe`) are not valid in a linker version script, and the
// native build exists for unit tests only.
#[cfg(target_arch = "wasm32")]
rapport_sdk::export_plugin!(FacebookPlugin);

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_sdk::types::Action;

    #[test]
    fn describe_declares_no_follow_of_any_kind() {
        let d = description();
        assert_eq!(d.platform, "facebook-pages");
        assert_eq!(
            d.capabilities,
            [ActionKind::Reply, ActionKind::Publish, ActionKind::Like, ActionKind::Message]
        );
        assert_eq!(d.reads, [ReadKind::Notifications, ReadKind::OwnPosts, ReadKind::LookupSelf]);
        assert!(d.one_at_a_time.is_empty() && d.read_costs.is_empty());
        assert_eq!(d.hosts, ["https://graph.facebook.com"]);
        assert!(d.rules.iter().any(|r| r.contains("cannot follow")));
        assert!(plugin::refusal(&Action::FollowBack("1".into())).contains("cannot follow"));
    }

    #[test]
    fn the_reads_a_page_cannot_serve_say_why() {
        for call in [Call::Discover, Call::Relationships, Call::Relationship] {
            assert!(unsupported_reason(call).is_some_and(|r| r.contains("cannot follow or like")), "{call}");
        }
        assert!(
            unsupported_reason(Call::RecentPosts).is_some_and(|r| r.contains("Page Public Content Access"))
        );
        assert_eq!(unsupported_reason(Call::OwnPosts), None);
    }
}
