//! The X (Twitter) platform plugin for rapport, on X API v2.
//!
//! X has no notification endpoint, so the plugin reads mentions (`GET /2/users/:id/mentions`,
//! cursor on `since_id`) and, where the account's API tier allows, finds new followers by diffing
//! the follower list against the ids it has seen. It replies (only to posts that summon the
//! account, once per post), publishes (with images, see [`media`]) and sends direct messages, one
//! approved message at a time; X's automation rules forbid automated follows, follow-backs,
//! unfollows, likes and reposts, so `describe` declares none of them and the daemon refuses such
//! tasks with the rule as the reason. The contract's 0.2 reads ([`reads`]) are billed per item by
//! X, and `describe` says what each costs. Authentication is OAuth 2 with refresh tokens (see
//! [`auth`]). See `README.md` for set-up and limits.

pub mod api;
pub mod auth;
pub mod cursor;
pub mod error;
pub mod followers;
pub mod media;
pub mod plugin;
pub mod reads;

use rapport_sdk::types::{
    Access, Account, AccountPage, ActionKind, ActionOutcome, ActionRequest, CandidatePage, Description,
    DiscoverySource, NotificationPage, OwnPostPage, PluginError, PostPage, RateCeiling, ReadCost, ReadKind,
    Relationship, RelationshipOf,
};
use rapport_sdk::{Plugin, account};

use rapport_sdk::env::Host;

/// The plugin, as the component exports it.
pub struct XPlugin;

/// X's automation rules, in plain words, as `describe` reports them.
pub const RULES: [&str; 7] = [
    "Replies only to posts that summon the account (@mention it or quote its post), at most one reply per post \
     (X developer guidelines; X API: programmatic replies need the author to have summoned the replier).",
    "No automated following, follow-back or unfollowing: X forbids apps that follow back anyone who follows them, \
     bulk or aggressive following and follow churn; the follow endpoints are gone from self-serve API tiers.",
    "No automated likes: likes must be directly initiated by the authenticated user.",
    "No automated reposts: bulk or automated interactions are against X's rules.",
    "AI-generated replies need X's prior approval; every reply here is written or approved by a person.",
    "No automatic direct messages (X's guidelines forbid auto-DMs, e.g. to new followers): each message goes to one \
     person, approved on its own.",
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
        capabilities: vec![ActionKind::Reply, ActionKind::Publish, ActionKind::Message],
        ceilings: vec![
            // POST /2/tweets: 100 per 15 minutes per user, replies and originals alike.
            ceiling(ActionKind::Reply, 100, 15 * 60),
            ceiling(ActionKind::Publish, 100, 15 * 60),
            // Account-wide daily caps for unverified accounts: 200 replies and 50 originals.
            ceiling(ActionKind::Reply, 200, 24 * 3600),
            ceiling(ActionKind::Publish, 50, 24 * 3600),
            // POST /2/dm_conversations/…/messages: 200 per 15 minutes per user; X's account limit
            // is 500 direct messages a day.
            ceiling(ActionKind::Message, 200, 15 * 60),
            ceiling(ActionKind::Message, 500, 24 * 3600),
        ],
        hosts: vec![plugin::DEFAULT_API_BASE.into()],
        rules: RULES.iter().map(|r| (*r).to_owned()).collect(),
        // X has no follow suggestions, so `discover-suggestions` is the one read left out.
        reads: vec![
            ReadKind::Notifications,
            ReadKind::DiscoverHashtag,
            ReadKind::DiscoverSearch,
            ReadKind::DiscoverFollowersOf,
            ReadKind::DiscoverList,
            ReadKind::RecentPosts,
            ReadKind::OwnPosts,
            ReadKind::Relationships,
            ReadKind::LookupSelf,
        ],
        // X's developer terms: a person decides each follow, unfollow and like, never in bulk; a
        // direct message is one person's decision about one person too.
        one_at_a_time: vec![ActionKind::Follow, ActionKind::Unfollow, ActionKind::Like, ActionKind::Message],
        read_costs: READ_COSTS
            .iter()
            .map(|&(read, micro_usd_per_item)| ReadCost { read, micro_usd_per_item })
            .collect(),
    }
}

/// What each billed read costs per item returned, in millionths of a US dollar, from X's
/// pay-per-use price list (docs.x.com/x-api/getting-started/pricing): "Posts: Read" $0.005,
/// "User: Read" $0.010, "Following/Followers: Read" $0.010 per resource, and "Owned Reads" (the
/// app owner's own posts, followers, …) $0.001. X charges every resource in the answer, so a
/// candidate found through a post costs the post and its expanded author. X deduplicates a
/// resource fetched twice in one UTC day, so these are upper bounds. Mentions
/// (`fetch-notifications`) were billed before 0.2 and are not priced here.
pub const READ_COSTS: [(ReadKind, u32); 8] = [
    // search/recent: a post ($0.005) and its author ($0.010) per candidate.
    (ReadKind::DiscoverHashtag, 15_000),
    // users/search: a user per candidate.
    (ReadKind::DiscoverSearch, 10_000),
    // users/:id/followers: a follower per candidate.
    (ReadKind::DiscoverFollowersOf, 10_000),
    // lists/:id/tweets: a post and its author per candidate.
    (ReadKind::DiscoverList, 15_000),
    // users/:id/tweets: a post each; the one author is the same user on every page.
    (ReadKind::RecentPosts, 5_000),
    // The account's own timeline: owned reads.
    (ReadKind::OwnPosts, 1_000),
    // users?ids=: a user per relationship.
    (ReadKind::Relationships, 10_000),
    // users/me: the account's own user, an owned read.
    (ReadKind::LookupSelf, 1_000),
];

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

    fn relationship(id: String) -> Result<Relationship, PluginError> {
        plugin::relationship(&mut Host, &client()?, &id)
    }

    fn check_access() -> Result<Access, PluginError> {
        plugin::check_access(&mut Host, &client()?)
    }

    fn discover(source: DiscoverySource, cursor: Option<String>) -> Result<CandidatePage, PluginError> {
        reads::discover(&mut Host, &client()?, source, cursor.as_deref())
    }

    fn recent_posts(id: String, cursor: Option<String>) -> Result<PostPage, PluginError> {
        reads::recent_posts(&mut Host, &client()?, &id, cursor.as_deref())
    }

    fn own_posts(cursor: Option<String>) -> Result<OwnPostPage, PluginError> {
        reads::own_posts(&mut Host, &client()?, cursor.as_deref())
    }

    fn relationships(ids: Vec<String>) -> Result<Vec<RelationshipOf>, PluginError> {
        reads::relationships(&mut Host, &client()?, &ids)
    }

    fn lookup_self() -> Result<Account, PluginError> {
        reads::lookup_self(&mut Host, &client()?)
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
    fn describe_declares_reply_publish_and_message_only_with_ceilings_for_each() {
        let d = description();
        assert_eq!(d.platform, "x");
        assert_eq!(d.contract, rapport_sdk::CONTRACT_VERSION);
        assert_eq!(d.capabilities, [ActionKind::Reply, ActionKind::Publish, ActionKind::Message]);
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
    fn every_billed_read_is_declared_and_priced_and_suggestions_are_not_served() {
        let d = description();
        assert!(!d.reads.contains(&ReadKind::DiscoverSuggestions));
        for read in d.reads.iter().filter(|r| **r != ReadKind::Notifications) {
            let cost = d.read_costs.iter().find(|c| c.read == *read).map(|c| c.micro_usd_per_item);
            // X's prices lie between the owned read ($0.001) and a post with its author ($0.015).
            assert!(cost.is_some_and(|c| (1_000..=15_000).contains(&c)), "{read:?}: {cost:?}");
        }
        assert_eq!(d.read_costs.len(), d.reads.len() - 1);
        for kind in [ActionKind::Follow, ActionKind::Unfollow, ActionKind::Like, ActionKind::Message] {
            assert!(d.one_at_a_time.contains(&kind), "{kind:?}");
        }
    }

    #[test]
    fn every_undeclared_action_has_a_refusal_naming_the_rule() {
        let reason = plugin::refusal(&Action::FollowBack("1".into()));
        assert!(reason.contains("follows back"), "{reason}");
        assert!(plugin::refusal(&Action::Like("1".into())).contains("directly initiated"));
    }
}
