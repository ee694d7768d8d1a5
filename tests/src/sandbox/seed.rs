//! What a sandbox starts with: its tokens and their OAuth scopes, its own account, other accounts
//! and what they did.

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
}

/// 2024-05-01T12:00:00Z: seeded events are dated from here, so a seed renders the same every run.
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

    /// A small shop's account with a few realistic followers — three genuine, one spammy — two
    /// question mentions, a thank-you, and one follow request; token `sandbox-token`.
    pub fn demo() -> Self {
        let year = 365 * 86_400;
        Seed::new("sandbox-token")
            .own(
                SeedAccount::new("kiln", "Kiln & Glaze Pottery")
                    .note("Small-batch stoneware from Leeds. Studio updates, firing logs, shop news.")
                    .counts(860, 310, 1_240),
            )
            .account(
                SeedAccount::new("ana@ceramics.example", "Ana Ribeiro")
                    .note("Potter and glaze nerd. Teaching wheel classes in Porto.")
                    .counts(1_480, 620, 3_900)
                    .created_at(SEED_EPOCH - 4 * year),
            )
            .account(
                SeedAccount::new("tomasz@fosstodon.example", "Tomasz")
                    .note("Backend dev by day, hobby woodworker by night. he/him")
                    .counts(310, 280, 1_020)
                    .created_at(SEED_EPOCH - 2 * year),
            )
            .account(
                SeedAccount::new("maker_lou", "Lou Martin")
                    .note("Makes things out of clay, sometimes on purpose.")
                    .counts(95, 140, 260),
            )
            .account(
                SeedAccount::new("growth_guru_8812@spam.example", "💰 FOLLOWERS FAST 💰")
                    .note("Get 10k followers in 24h!!! DM for promo. Crypto. Giveaways.")
                    .counts(3, 7_400, 12)
                    .created_at(SEED_EPOCH - 2 * 86_400)
                    .avatar(false),
            )
            .account(
                SeedAccount::new("jo@mastodon.example", "Jo Okafor")
                    .note("Collector of mugs. Too many mugs.")
                    .counts(210, 190, 800)
                    .created_at(SEED_EPOCH - 3 * year),
            )
            .following("ana@ceramics.example")
            .follower("ana@ceramics.example")
            .follower("tomasz@fosstodon.example")
            .follower("growth_guru_8812@spam.example")
            .follower("maker_lou")
            .mention(
                "jo@mastodon.example",
                "Do you ship your mugs to Germany, and roughly how long does it take?",
            )
            .mention("maker_lou", "Loved the firing log! Which cone do you fire the speckled glaze to?")
            .mention("tomasz@fosstodon.example", "Thanks for the follow-up on my order, it arrived safely.")
            .follow_request("jo@mastodon.example")
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
