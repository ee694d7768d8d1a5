//! What the contract's read calls answer beyond notifications: people surfaced by discovery,
//! a person's recent posts, the account's own posts with their metrics, how the account stands
//! to many people at once, and the acting account itself.
//!
//! These mirror the 0.2 contract's records as plain Rust types, as [`crate::platform`] does for
//! the rest; the proposers (campaigns, the purge, circle engagement) and the engagement report
//! are rules over them. A plugin built for 0.1 has none of these calls: the host answers
//! [`crate::platform::PluginError::Denied`] for it.

use serde::{Deserialize, Serialize};

use crate::notification::{Post, Profile};
use crate::platform::Relationship;

/// Where discovery looks for people of interest.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "source", content = "value", rename_all = "kebab-case")]
pub enum DiscoverySource {
    /// Recent public posts with this hashtag (without `#`).
    Hashtag(String),
    /// A search query over accounts and posts.
    Search(String),
    /// The platform's own follow suggestions for the account.
    Suggestions,
    /// The followers of the account with this platform id.
    FollowersOf(String),
    /// The members, or the authors of the posts, of the platform list with this id.
    List(String),
}

impl DiscoverySource {
    /// The source as a person reads it: `#sourdough`, `search "kiln"`, `followers of 109`.
    pub fn label(&self) -> String {
        match self {
            DiscoverySource::Hashtag(tag) => format!("#{tag}"),
            DiscoverySource::Search(query) => format!("search \"{query}\""),
            DiscoverySource::Suggestions => "suggestions".into(),
            DiscoverySource::FollowersOf(id) => format!("followers of {id}"),
            DiscoverySource::List(id) => format!("list {id}"),
        }
    }
}

/// A person discovery surfaced, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// The person.
    pub account: Profile,
    /// The post that matched the source (a hashtag or search hit), if one did.
    pub post: Option<Post>,
    /// How many accounts the acting account follows follow them, where the platform says so
    /// cheaply.
    pub known_followers: Option<u32>,
    /// Why the platform surfaced them, in its words ("suggested: similar to who you follow"),
    /// empty when it does not say.
    pub why: String,
}

/// One page of discovery candidates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidatePage {
    /// The candidates.
    pub items: Vec<Candidate>,
    /// The cursor for the next page; `None` at the end.
    pub next_cursor: Option<String>,
}

/// One page of a person's posts, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostPage {
    /// The posts.
    pub items: Vec<Post>,
    /// The cursor for the next (older) page; `None` at the end.
    pub next_cursor: Option<String>,
}

/// How a post of the account's own is doing, as counted by the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PostMetrics {
    /// Likes (favourites, reactions).
    pub likes: u64,
    /// Reposts (boosts, retweets, shares).
    pub reposts: u64,
    /// Replies (comments).
    pub replies: u64,
    /// Quotes, where the platform has them.
    pub quotes: Option<u64>,
    /// Views (impressions), where the platform gives them.
    pub views: Option<u64>,
}

impl PostMetrics {
    /// Interactions of every kind: likes, reposts, replies and quotes.
    pub fn interactions(&self) -> u64 {
        self.likes + self.reposts + self.replies + self.quotes.unwrap_or(0)
    }
}

/// A post of the account's own with its metrics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnPost {
    /// The post.
    pub post: Post,
    /// Its metrics when read.
    pub metrics: PostMetrics,
}

/// One page of the account's own posts, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnPostPage {
    /// The posts.
    pub items: Vec<OwnPost>,
    /// The cursor for the next (older) page; `None` at the end.
    pub next_cursor: Option<String>,
}

/// How the account stands to one account of a bulk relationship check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationshipOf {
    /// The other account's platform id.
    pub id: String,
    /// How the acting account stands to it.
    pub relationship: Relationship,
}

/// The read calls of the contract, for the description's list of what a plugin can read and for
/// errors that name a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReadKind {
    /// `fetch-notifications`.
    Notifications,
    /// `discover` from a hashtag.
    DiscoverHashtag,
    /// `discover` from a search.
    DiscoverSearch,
    /// `discover` from the platform's suggestions.
    DiscoverSuggestions,
    /// `discover` from the followers of an account.
    DiscoverFollowersOf,
    /// `discover` from a list.
    DiscoverList,
    /// `recent-posts`.
    RecentPosts,
    /// `own-posts`.
    OwnPosts,
    /// `relationships`.
    Relationships,
    /// `lookup-self`.
    LookupSelf,
}

impl ReadKind {
    /// The read a discovery source needs.
    pub fn of_source(source: &DiscoverySource) -> ReadKind {
        match source {
            DiscoverySource::Hashtag(_) => ReadKind::DiscoverHashtag,
            DiscoverySource::Search(_) => ReadKind::DiscoverSearch,
            DiscoverySource::Suggestions => ReadKind::DiscoverSuggestions,
            DiscoverySource::FollowersOf(_) => ReadKind::DiscoverFollowersOf,
            DiscoverySource::List(_) => ReadKind::DiscoverList,
        }
    }

    /// The call's name in the contract.
    pub fn as_str(self) -> &'static str {
        match self {
            ReadKind::Notifications => "fetch-notifications",
            ReadKind::DiscoverHashtag => "discover-hashtag",
            ReadKind::DiscoverSearch => "discover-search",
            ReadKind::DiscoverSuggestions => "discover-suggestions",
            ReadKind::DiscoverFollowersOf => "discover-followers-of",
            ReadKind::DiscoverList => "discover-list",
            ReadKind::RecentPosts => "recent-posts",
            ReadKind::OwnPosts => "own-posts",
            ReadKind::Relationships => "relationships",
            ReadKind::LookupSelf => "lookup-self",
        }
    }
}

/// What a billed read costs (X bills reads per item returned), so the daemon can count spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadCost {
    /// The read.
    pub read: ReadKind,
    /// Its price per item returned, in millionths of a US dollar.
    pub micro_usd_per_item: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_name_their_read_and_read_as_people_say_them() {
        let tag = DiscoverySource::Hashtag("sourdough".into());
        assert_eq!(
            (tag.label(), ReadKind::of_source(&tag).as_str()),
            ("#sourdough".into(), "discover-hashtag")
        );
        let json = serde_json::to_value(DiscoverySource::FollowersOf("109".into())).unwrap();
        assert_eq!(json, serde_json::json!({"source": "followers-of", "value": "109"}));
        let metrics = PostMetrics { likes: 4, reposts: 2, replies: 1, quotes: Some(1), views: Some(300) };
        assert_eq!(metrics.interactions(), 8);
    }
}
