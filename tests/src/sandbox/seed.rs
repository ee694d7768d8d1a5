//! What a sandbox starts with: its tokens and their OAuth scopes, its own account, other accounts,
//! what they did and posted, the own account's lists and follow suggestions.

use super::scopes::DEFAULT_SCOPES;

/// A further access token the sandbox accepts, with the OAuth scopes it was granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedToken {
    /// The bearer token.
    pub token: String,
    /// The granted scopes, e.g. `read:notifications` or `write`.
    pub scopes: Vec<String>,
}

/// An account the sandbox knows, as a seed describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedAccount {
    /// `user` for a local account, `user@domain` for a remote one; the account's name in seeds.
    pub acct: String,
    /// The display name.
    pub display_name: String,
    /// Profile text, plain (the sandbox renders it as Mastodon's HTML).
    pub note: String,
    /// Followers count reported.
    pub followers_count: u64,
    /// Following count reported.
    pub following_count: u64,
    /// Statuses count reported.
    pub statuses_count: u64,
    /// Creation time, seconds since the Unix epoch.
    pub created_at: i64,
    /// The bot flag.
    pub bot: bool,
    /// Whether the avatar is custom (else Mastodon's `missing.png`).
    pub has_avatar: bool,
    /// Whether follows need the account's approval (the own account always reports `locked`).
    pub locked: bool,
}

impl SeedAccount {
    /// An ordinary-looking account: a year old, an avatar, a short bio, modest counts.
    pub fn new(acct: impl Into<String>, display_name: impl Into<String>) -> Self {
        SeedAccount {
            acct: acct.into(),
            display_name: display_name.into(),
            note: String::new(),
            followers_count: 120,
            following_count: 150,
            statuses_count: 340,
            created_at: SEED_EPOCH - 365 * 86_400,
            bot: false,
            has_avatar: true,
            locked: false,
        }
    }

    /// Sets the bio.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = note.into();
        self
    }

    /// Sets followers, following and statuses counts.
    pub fn counts(mut self, followers: u64, following: u64, statuses: u64) -> Self {
        (self.followers_count, self.following_count, self.statuses_count) = (followers, following, statuses);
        self
    }

    /// Sets the creation time (seconds since the Unix epoch).
    pub fn created_at(mut self, unix: i64) -> Self {
        self.created_at = unix;
        self
    }

    /// Sets the bot flag.
    pub fn bot(mut self, bot: bool) -> Self {
        self.bot = bot;
        self
    }

    /// Sets whether the avatar is custom.
    pub fn avatar(mut self, has_avatar: bool) -> Self {
        self.has_avatar = has_avatar;
        self
    }

    /// Sets whether follows need approval: following a locked account through the API leaves a
    /// pending request (`requested`), not a follow.
    pub fn locked(mut self, locked: bool) -> Self {
        self.locked = locked;
        self
    }
}

/// A status someone posted before the sandbox started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedPost {
    /// The author's `acct` (the own account's too); created if unknown.
    pub acct: String,
    /// Plain text; `#tags` and `@mentions` in it are rendered as Mastodon does.
    pub text: String,
    /// How long before the sandbox started it was posted, so discovery sees recent posts as recent.
    pub hours_ago: u32,
    /// `public`, `unlisted`, `private` or `direct`.
    pub visibility: String,
    /// Favourites by other people, before any made through the API.
    pub favourites: u64,
    /// Reblogs by other people, before any made through the API.
    pub reblogs: u64,
    /// Replies by other people, before any posted through the API.
    pub replies: u64,
    /// People who favourited it, each with a `favourite` notification in the hours after it was
    /// posted; counted in its favourites.
    pub liked_by: Vec<String>,
    /// People who reblogged it, each with a `reblog` notification; counted in its reblogs.
    pub reblogged_by: Vec<String>,
}

impl SeedPost {
    /// A public status by `acct`, `hours_ago` hours before the start, with no engagement yet.
    pub fn new(acct: &str, text: &str, hours_ago: u32) -> Self {
        SeedPost {
            acct: acct.to_owned(),
            text: text.to_owned(),
            hours_ago,
            visibility: "public".to_owned(),
            favourites: 0,
            reblogs: 0,
            replies: 0,
            liked_by: Vec::new(),
            reblogged_by: Vec::new(),
        }
    }

    /// `accts` favourite it, one after another in the hours after it was posted.
    pub fn liked_by(mut self, accts: &[&str]) -> Self {
        self.liked_by = accts.iter().map(|a| (*a).to_owned()).collect();
        self
    }

    /// `accts` reblog it, one after another in the hours after it was posted.
    pub fn reblogged_by(mut self, accts: &[&str]) -> Self {
        self.reblogged_by = accts.iter().map(|a| (*a).to_owned()).collect();
        self
    }

    /// Sets the visibility (`public`, `unlisted`, `private` or `direct`).
    pub fn visibility(mut self, visibility: &str) -> Self {
        self.visibility = visibility.to_owned();
        self
    }

    /// Sets the favourites, reblogs and replies other people gave it.
    pub fn engagement(mut self, favourites: u64, reblogs: u64, replies: u64) -> Self {
        (self.favourites, self.reblogs, self.replies) = (favourites, reblogs, replies);
        self
    }
}

/// Why Mastodon 4.3 suggests an account (`sources` of a Suggestion).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestionSource {
    /// Picked by the server's staff.
    Featured,
    /// Much followed on the server.
    MostFollowed,
    /// Much interacted with on the server.
    MostInteractions,
    /// Like accounts the own account followed lately.
    SimilarToRecentlyFollowed,
    /// Followed by accounts the own account follows.
    FriendsOfFriends,
}

impl SuggestionSource {
    /// The name in `sources`.
    pub fn as_str(self) -> &'static str {
        match self {
            SuggestionSource::Featured => "featured",
            SuggestionSource::MostFollowed => "most_followed",
            SuggestionSource::MostInteractions => "most_interactions",
            SuggestionSource::SimilarToRecentlyFollowed => "similar_to_recently_followed",
            SuggestionSource::FriendsOfFriends => "friends_of_friends",
        }
    }

    /// The deprecated single `source` 4.3 still sends, derived as its serializer does.
    pub fn legacy(self) -> &'static str {
        match self {
            SuggestionSource::Featured => "staff",
            SuggestionSource::MostFollowed | SuggestionSource::MostInteractions => "global",
            SuggestionSource::SimilarToRecentlyFollowed | SuggestionSource::FriendsOfFriends => {
                "past_interactions"
            }
        }
    }
}

/// A follow suggestion the own account is offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedSuggestion {
    /// The suggested account; created if unknown.
    pub acct: String,
    /// Why, first reason first (at least one).
    pub sources: Vec<SuggestionSource>,
}

/// A list of the own account's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedList {
    /// The list's title.
    pub title: String,
    /// Its members' `acct`s (Mastodon lists hold only accounts the own account follows; the seed
    /// does not check).
    pub members: Vec<String>,
}

/// 2024-05-01T12:00:00Z: seeded events are dated from here, a minute apart, so a seed renders the
/// same every run — except posts ([`SeedPost::hours_ago`]), dated back from the start so that
/// discovery sees them as recent.
pub const SEED_EPOCH: i64 = 1_714_564_800;

/// Something that happened before the sandbox started, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeedEvent {
    /// `acct` follows the sandbox's own account (and a `follow` notification says so).
    Follower(String),
    /// The own account follows `acct`.
    Following(String),
    /// `acct` asked to follow the (locked) own account.
    FollowRequest(String),
    /// `acct` mentioned the own account in a public status with this plain text.
    Mention(String, String),
    /// The first account follows the second (either may be the own account); no notification.
    Follows(String, String),
    /// The own account asked to follow this (locked) account; the request is pending.
    Requested(String),
    /// The own account blocks `acct`.
    Blocking(String),
    /// The own account mutes `acct`.
    Muting(String),
    /// A status posted before the start.
    Post(SeedPost),
}

/// The sandbox's starting state; see [`Seed::demo`] for a realistic one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    /// The bearer token every API call must carry (or one of [`Seed::tokens`]).
    pub token: String,
    /// The OAuth scopes `token` was granted; [`DEFAULT_SCOPES`] unless set.
    pub scopes: Vec<String>,
    /// Further tokens, each with its own scopes, acting for the same account.
    pub tokens: Vec<SeedToken>,
    /// The account the token acts for.
    pub own: SeedAccount,
    /// Every other account, in id order (ids `2`, `3`, … ; the own account is `1`).
    pub accounts: Vec<SeedAccount>,
    /// What happened, oldest first.
    pub events: Vec<SeedEvent>,
    /// `GET /api/v2/suggestions`, in order.
    pub suggestions: Vec<SeedSuggestion>,
    /// The own account's lists, ids `1`, `2`, … in order.
    pub lists: Vec<SeedList>,
    /// Whether statuses are full-text searchable, as on a server with Elasticsearch set up (the
    /// default); without it `GET /api/v2/search` finds no statuses by their text.
    pub full_text_search: bool,
}

impl Seed {
    /// An empty sandbox whose own account is `me`, accepting `token` with [`DEFAULT_SCOPES`].
    pub fn new(token: impl Into<String>) -> Self {
        let own = SeedAccount::new("me", "Me").note("The account rapport acts for.");
        Seed {
            token: token.into(),
            scopes: split_scopes(DEFAULT_SCOPES),
            tokens: Vec::new(),
            own,
            accounts: Vec::new(),
            events: Vec::new(),
            suggestions: Vec::new(),
            lists: Vec::new(),
            full_text_search: true,
        }
    }

    /// Grants `token` exactly `scopes`, space-separated as in OAuth's `scope` parameter
    /// (`"read:notifications write:statuses"`).
    pub fn scopes(mut self, scopes: &str) -> Self {
        self.scopes = split_scopes(scopes);
        self
    }

    /// Also accepts `token`, granted `scopes` (space-separated), for the same account.
    pub fn with_token(mut self, token: impl Into<String>, scopes: &str) -> Self {
        self.tokens.push(SeedToken { token: token.into(), scopes: split_scopes(scopes) });
        self
    }

    /// Sets the own account.
    pub fn own(mut self, account: SeedAccount) -> Self {
        self.own = account;
        self
    }

    /// Adds an account.
    pub fn account(mut self, account: SeedAccount) -> Self {
        self.accounts.push(account);
        self
    }

    /// `acct` follows the own account.
    pub fn follower(mut self, acct: &str) -> Self {
        self.events.push(SeedEvent::Follower(acct.to_owned()));
        self
    }

    /// The own account follows `acct`.
    pub fn following(mut self, acct: &str) -> Self {
        self.events.push(SeedEvent::Following(acct.to_owned()));
        self
    }

    /// `acct` asks to follow the own account.
    pub fn follow_request(mut self, acct: &str) -> Self {
        self.events.push(SeedEvent::FollowRequest(acct.to_owned()));
        self
    }

    /// `acct` mentions the own account with `text`.
    pub fn mention(mut self, acct: &str, text: &str) -> Self {
        self.events.push(SeedEvent::Mention(acct.to_owned(), text.to_owned()));
        self
    }

    /// `follower` follows `followed` (either may be the own account's `acct`), with no
    /// notification: the followers-of graph behind `…/:id/followers` and familiar followers.
    pub fn follows(mut self, follower: &str, followed: &str) -> Self {
        self.events.push(SeedEvent::Follows(follower.to_owned(), followed.to_owned()));
        self
    }

    /// The own account has asked to follow `acct` (a locked account); the request is pending.
    pub fn requested(mut self, acct: &str) -> Self {
        self.events.push(SeedEvent::Requested(acct.to_owned()));
        self
    }

    /// The own account blocks `acct`.
    pub fn blocking(mut self, acct: &str) -> Self {
        self.events.push(SeedEvent::Blocking(acct.to_owned()));
        self
    }

    /// The own account mutes `acct`.
    pub fn muting(mut self, acct: &str) -> Self {
        self.events.push(SeedEvent::Muting(acct.to_owned()));
        self
    }

    /// `acct` posted `text` publicly `hours_ago` hours before the start.
    pub fn post(self, acct: &str, text: &str, hours_ago: u32) -> Self {
        self.with_post(SeedPost::new(acct, text, hours_ago))
    }

    /// Adds `post` (its visibility and engagement as set).
    pub fn with_post(mut self, post: SeedPost) -> Self {
        self.events.push(SeedEvent::Post(post));
        self
    }

    /// Suggests `acct` to the own account for `sources` (the first is the main reason; none means
    /// [`SuggestionSource::MostFollowed`]).
    pub fn suggestion(mut self, acct: &str, sources: &[SuggestionSource]) -> Self {
        let sources =
            if sources.is_empty() { vec![SuggestionSource::MostFollowed] } else { sources.to_vec() };
        self.suggestions.push(SeedSuggestion { acct: acct.to_owned(), sources });
        self
    }

    /// Adds a list titled `title` holding `members`.
    pub fn list(mut self, title: &str, members: &[&str]) -> Self {
        let members = members.iter().map(|m| (*m).to_owned()).collect();
        self.lists.push(SeedList { title: title.to_owned(), members });
        self
    }

    /// Sets whether statuses are full-text searchable, as the field of that name says.
    pub fn full_text_search(mut self, enabled: bool) -> Self {
        self.full_text_search = enabled;
        self
    }
}

/// Scopes as OAuth writes them, space-separated, in order and without repeats (as Doorkeeper
/// stores them).
pub(crate) fn split_scopes(scopes: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for scope in scopes.split_whitespace() {
        if !out.iter().any(|s| s == scope) {
            out.push(scope.to_owned());
        }
    }
    out
}
