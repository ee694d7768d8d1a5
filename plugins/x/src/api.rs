//! The parts of X API v2 responses this plugin reads, and their translation into the contract's
//! records.
//!
//! Every field X may leave out is optional here: a missing `public_metrics` or `includes` must
//! not make a whole page of mentions unreadable.

use rapport_sdk::clock::parse_rfc3339;
use rapport_sdk::types::{Account, Notification, NotificationKind, Post, PostMetrics, Relationship};
use serde::Deserialize;

/// The user fields requested wherever an account is read (`user.fields`).
pub const USER_FIELDS: &str = "created_at,description,public_metrics,profile_image_url,verified,url";
/// The tweet fields requested for mentions (`tweet.fields`).
pub const TWEET_FIELDS: &str = "created_at,conversation_id,in_reply_to_user_id,referenced_tweets";
/// The tweet fields requested for the 0.2 post reads: enough for the contract's post (`author_id`
/// names the author in `includes`, `referenced_tweets` the post answered).
pub const POST_FIELDS: &str = "author_id,created_at,referenced_tweets";
/// [`POST_FIELDS`] with the counts, for the account's own posts. `public_metrics` carries
/// `impression_count` for every post; `non_public_metrics` is left out on purpose: requesting it
/// makes X return only posts of the last 30 days, which would cut the account's own timeline short.
pub const OWN_POST_FIELDS: &str = "author_id,created_at,referenced_tweets,public_metrics";

/// `{"data": [...], "includes": {...}, "meta": {...}}`, the envelope of list endpoints.
#[derive(Debug, Deserialize)]
pub struct ListResponse<T> {
    /// The page's items; absent when the page is empty.
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    /// Objects the `expansions` parameter pulled in.
    #[serde(default)]
    pub includes: Includes,
    /// Paging and range information.
    #[serde(default)]
    pub meta: Meta,
}

/// `{"data": {...}}` or, for a missing object, `{"errors": [...]}` with status 200.
#[derive(Debug, Deserialize)]
pub struct ObjectResponse<T> {
    /// The object, if X found it.
    pub data: Option<T>,
    /// Objects the `expansions` parameter pulled in.
    #[serde(default)]
    pub includes: Includes,
    /// Per-object errors (X answers 200 with these for a deleted or hidden post).
    #[serde(default)]
    pub errors: Vec<PartialError>,
}

/// One per-object error in an otherwise successful response.
#[derive(Debug, Deserialize)]
pub struct PartialError {
    /// What went wrong, e.g. `Could not find tweet with id: [1].`
    #[serde(default)]
    pub detail: String,
}

/// Objects pulled in by `expansions`.
#[derive(Debug, Default, Deserialize)]
pub struct Includes {
    /// Users, e.g. the authors of the tweets in `data`.
    #[serde(default)]
    pub users: Vec<User>,
    /// Tweets, e.g. the posts the tweets in `data` quote.
    #[serde(default)]
    pub tweets: Vec<Tweet>,
}

/// Paging and range information of a list response.
#[derive(Debug, Default, Deserialize)]
pub struct Meta {
    /// The id of the newest tweet on this page.
    pub newest_id: Option<String>,
    /// The token for the next (older) page, absent on the last page.
    pub next_token: Option<String>,
}

/// A tweet, with the fields this plugin requests.
#[derive(Debug, Clone, Deserialize)]
pub struct Tweet {
    /// The tweet id.
    pub id: String,
    /// The text.
    #[serde(default)]
    pub text: String,
    /// Who wrote it.
    pub author_id: Option<String>,
    /// When, as RFC 3339.
    pub created_at: Option<String>,
    /// The account this tweet answers, if it is a reply.
    pub in_reply_to_user_id: Option<String>,
    /// The tweets this one replies to, quotes or retweets.
    #[serde(default)]
    pub referenced_tweets: Vec<Reference>,
    /// Entities parsed out of the text (mentions).
    #[serde(default)]
    pub entities: Entities,
    /// The post's counts, when requested (`tweet.fields=public_metrics`).
    pub public_metrics: Option<TweetMetrics>,
}

/// A tweet's public counts; X leaves a count out rather than send zero in some answers.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TweetMetrics {
    /// Likes.
    #[serde(default)]
    pub like_count: u64,
    /// Retweets (reposts).
    #[serde(default)]
    pub retweet_count: u64,
    /// Replies.
    #[serde(default)]
    pub reply_count: u64,
    /// Quote posts.
    pub quote_count: Option<u64>,
    /// Views, public since 2023.
    pub impression_count: Option<u64>,
}

/// A reference from one tweet to another.
#[derive(Debug, Clone, Deserialize)]
pub struct Reference {
    /// `replied_to`, `quoted` or `retweeted`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The referenced tweet's id.
    pub id: String,
}

/// Entities of a tweet's text.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Entities {
    /// The accounts the text @mentions.
    #[serde(default)]
    pub mentions: Vec<MentionEntity>,
}

/// One @mention in a tweet's text.
#[derive(Debug, Clone, Deserialize)]
pub struct MentionEntity {
    /// The mentioned handle, without `@`.
    #[serde(default)]
    pub username: String,
    /// The mentioned account's id, when X resolved it.
    pub id: Option<String>,
}

/// A user, with the fields in [`USER_FIELDS`].
#[derive(Debug, Clone, Deserialize)]
pub struct User {
    /// The account id.
    pub id: String,
    /// The display name.
    #[serde(default)]
    pub name: String,
    /// The handle, without `@`.
    #[serde(default)]
    pub username: String,
    /// When the account was created, as RFC 3339.
    pub created_at: Option<String>,
    /// The profile text.
    #[serde(default)]
    pub description: String,
    /// Follower, following and tweet counts.
    pub public_metrics: Option<PublicMetrics>,
    /// The avatar's URL; X's default avatars live under `default_profile_images`.
    pub profile_image_url: Option<String>,
    /// How the acting account stands to this one (`following`, `followed_by`,
    /// `follow_request_sent`, `follow_request_received`, `blocking`, `muting`), when requested
    /// with `user.fields=connection_status`; X leaves it out when there is no connection at all.
    #[serde(default)]
    pub connection_status: Vec<String>,
}

/// A user's public counts.
#[derive(Debug, Clone, Deserialize)]
pub struct PublicMetrics {
    /// Followers.
    pub followers_count: Option<u64>,
    /// Accounts followed.
    pub following_count: Option<u64>,
    /// Tweets.
    pub tweet_count: Option<u64>,
}

/// The answer to `POST /2/tweets`.
#[derive(Debug, Deserialize)]
pub struct Created {
    /// The new tweet.
    pub data: CreatedTweet,
}

/// The new tweet in a [`Created`] answer.
#[derive(Debug, Deserialize)]
pub struct CreatedTweet {
    /// Its id.
    pub id: String,
}

/// The answer to `POST /2/media/upload`.
#[derive(Debug, Deserialize)]
pub struct Uploaded {
    /// The uploaded media.
    pub data: UploadedMedia,
}

/// The media in an [`Uploaded`] answer.
#[derive(Debug, Deserialize)]
pub struct UploadedMedia {
    /// The media id a post's `media.media_ids` names.
    pub id: String,
}

/// The answer to `POST /2/dm_conversations/with/:participant_id/messages`.
#[derive(Debug, Deserialize)]
pub struct DmSent {
    /// The message sent.
    pub data: DmEvent,
}

/// The message in a [`DmSent`] answer.
#[derive(Debug, Deserialize)]
pub struct DmEvent {
    /// The message's id.
    pub dm_event_id: String,
    /// The one-to-one conversation it went to (`smaller_id-larger_id`).
    pub dm_conversation_id: String,
}

/// The public page of a tweet.
pub fn tweet_url(username: &str, id: &str) -> String {
    if username.is_empty() {
        format!("https://x.com/i/web/status/{id}")
    } else {
        format!("https://x.com/{username}/status/{id}")
    }
}

/// The contract's account for an X user.
pub fn account(user: &User) -> Account {
    let metrics = user.public_metrics.as_ref();
    Account {
        id: user.id.clone(),
        handle: user.username.clone(),
        display_name: user.name.clone(),
        bio: user.description.clone(),
        followers: metrics.and_then(|m| m.followers_count),
        following: metrics.and_then(|m| m.following_count),
        posts: metrics.and_then(|m| m.tweet_count),
        created: user.created_at.as_deref().and_then(parse_rfc3339),
        has_avatar: user
            .profile_image_url
            .as_deref()
            .is_some_and(|u| !u.is_empty() && !u.contains("default_profile_images")),
        // X's API exposes no "automated" label, so no account can be recognised as a bot here.
        bot: false,
        url: format!("https://x.com/{}", user.username),
    }
}

/// The notification for a tweet that mentions the account `me`; `None` when the author is not in
/// `includes` (X leaves out suspended or protected authors), because a notification must name who
/// acted. `now` dates a tweet without a readable `created_at`.
pub fn mention(tweet: &Tweet, includes: &Includes, me: &str, now: i64) -> Option<Notification> {
    let post = post(tweet, author(tweet, includes)?, now);
    // A mention that answers one of the account's own posts is a reply to it.
    let kind = if tweet.in_reply_to_user_id.as_deref() == Some(me) {
        NotificationKind::Reply
    } else {
        NotificationKind::Mention
    };
    Some(Notification {
        id: tweet.id.clone(),
        kind,
        at: post.created,
        account: post.author.clone(),
        post: Some(post),
    })
}

/// The author of `tweet` among the users `includes` holds; `None` when X left them out (it does
/// for suspended or protected authors), because a post must name who wrote it.
pub fn author<'a>(tweet: &Tweet, includes: &'a Includes) -> Option<&'a User> {
    let author_id = tweet.author_id.as_deref()?;
    includes.users.iter().find(|u| u.id == author_id)
}

/// The contract's post for `tweet` by `author`; `now` dates a tweet without a readable
/// `created_at`.
pub fn post(tweet: &Tweet, author: &User, now: i64) -> Post {
    Post {
        id: tweet.id.clone(),
        text: tweet.text.clone(),
        url: tweet_url(&author.username, &tweet.id),
        author: account(author),
        in_reply_to: tweet.referenced_tweets.iter().find(|r| r.kind == "replied_to").map(|r| r.id.clone()),
        created: tweet.created_at.as_deref().and_then(parse_rfc3339).unwrap_or(now),
        visibility: String::new(),
    }
}

/// The counts of one of the account's own posts; views only where X gave `impression_count`.
pub fn metrics(tweet: &Tweet) -> PostMetrics {
    let counts = tweet.public_metrics.clone().unwrap_or_default();
    PostMetrics {
        likes: counts.like_count,
        reposts: counts.retweet_count,
        replies: counts.reply_count,
        quotes: counts.quote_count,
        views: counts.impression_count,
    }
}

/// How the acting account stands to `user`, from its `connection_status`. X also reports
/// `blocking`, `muting` and `follow_request_received`, which the contract's record has no field
/// for.
pub fn relationship(user: &User) -> Relationship {
    let has = |status: &str| user.connection_status.iter().any(|s| s == status);
    Relationship {
        following: has("following"),
        followed_by: has("followed_by"),
        requested: has("follow_request_sent"),
    }
}

/// Whether `tweet` summons the account (`me_id`, `me_handle`): it @mentions the account or quotes
/// one of its posts (quoted posts looked up in `includes`). X permits automated replies only then.
pub fn summons(tweet: &Tweet, includes: &Includes, me_id: &str, me_handle: &str) -> bool {
    let mentioned = tweet.entities.mentions.iter().any(|m| {
        m.id.as_deref() == Some(me_id)
            || (!me_handle.is_empty() && m.username.eq_ignore_ascii_case(me_handle))
    });
    let quoted = tweet
        .referenced_tweets
        .iter()
        .filter(|r| r.kind == "quoted")
        .any(|r| includes.tweets.iter().any(|t| t.id == r.id && t.author_id.as_deref() == Some(me_id)));
    mentioned || quoted
}

/// Orders two X ids (decimal snowflakes) numerically without parsing them: longer is larger.
pub fn id_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ME: &str = "1458284524761075714";

    fn page() -> ListResponse<Tweet> {
        serde_json::from_str(include_str!("../tests/fixtures/mentions_page.json"))
            .unwrap_or_else(|e| panic!("fixture: {e}"))
    }

    #[test]
    fn mentions_become_replies_or_mentions_with_their_author() {
        let page = page();
        let items: Vec<_> = page.data.iter().filter_map(|t| mention(t, &page.includes, ME, 0)).collect();
        assert_eq!(items.len(), 2);

        let reply = &items[0];
        assert_eq!(reply.id, "1782461233309417773");
        assert_eq!(reply.kind, NotificationKind::Reply);
        assert_eq!(reply.at, 1_713_807_662);
        assert_eq!(reply.account.handle, "ann_example");
        assert_eq!(reply.account.display_name, "Ann Example");
        assert_eq!(reply.account.followers, Some(312));
        assert_eq!(reply.account.following, Some(198));
        assert_eq!(reply.account.posts, Some(4821));
        assert_eq!(reply.account.created, Some(1_652_393_278));
        assert!(reply.account.has_avatar);
        assert_eq!(reply.account.url, "https://x.com/ann_example");
        let post = reply.post.as_ref().unwrap_or_else(|| panic!("a mention carries its post"));
        assert_eq!(post.in_reply_to.as_deref(), Some("1782450000000000000"));
        assert_eq!(post.url, "https://x.com/ann_example/status/1782461233309417773");
        assert!(post.text.contains("schedule posts"));

        let plain = &items[1];
        assert_eq!(plain.kind, NotificationKind::Mention);
        assert!(!plain.account.has_avatar, "default_profile_images is no avatar");
        assert_eq!(plain.post.as_ref().and_then(|p| p.in_reply_to.clone()), None);
        assert_eq!(page.meta.newest_id.as_deref(), Some("1782461233309417773"));
        assert!(page.meta.next_token.is_some());
    }

    #[test]
    fn a_mention_without_its_author_is_skipped() {
        let mut page = page();
        page.includes.users.retain(|u| u.username != "ann_example");
        let items: Vec<_> = page.data.iter().filter_map(|t| mention(t, &page.includes, ME, 0)).collect();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].account.handle, "TwitterDev");
    }

    #[test]
    fn an_empty_page_parses() {
        let page: ListResponse<Tweet> =
            serde_json::from_str(include_str!("../tests/fixtures/mentions_empty.json"))
                .unwrap_or_else(|e| panic!("{e}"));
        assert!(page.data.is_empty());
        assert_eq!(page.meta.newest_id, None);
    }

    #[test]
    fn summoned_by_mention_or_quote_only() {
        let found: ObjectResponse<Tweet> =
            serde_json::from_str(include_str!("../tests/fixtures/tweet_lookup_mentions_me.json"))
                .unwrap_or_else(|e| panic!("{e}"));
        let tweet = found.data.unwrap_or_else(|| panic!("fixture has data"));
        assert!(summons(&tweet, &found.includes, ME, "rapportdemo"));
        assert!(
            summons(&tweet, &found.includes, "other-id", "RapportDemo"),
            "handles compare case-insensitively"
        );
        assert!(!summons(&tweet, &found.includes, "other-id", "someone_else"));

        let quote: ObjectResponse<Tweet> = serde_json::from_str(&format!(
            r#"{{"data":{{"id":"9","text":"this","author_id":"5","referenced_tweets":[{{"type":"quoted","id":"8"}}]}},
                "includes":{{"tweets":[{{"id":"8","text":"mine","author_id":"{ME}"}}]}}}}"#
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        let tweet = quote.data.unwrap_or_else(|| panic!("has data"));
        assert!(summons(&tweet, &quote.includes, ME, "rapportdemo"));
        assert!(!summons(&tweet, &quote.includes, "other-id", ""));
    }

    #[test]
    fn a_missing_tweet_is_a_partial_error() {
        let missing: ObjectResponse<Tweet> =
            serde_json::from_str(include_str!("../tests/fixtures/tweet_lookup_not_found.json"))
                .unwrap_or_else(|e| panic!("{e}"));
        assert!(missing.data.is_none());
        assert!(missing.errors[0].detail.contains("Could not find tweet"));
    }

    #[test]
    fn ids_order_numerically() {
        use std::cmp::Ordering;
        assert_eq!(id_order("99", "100"), Ordering::Less);
        assert_eq!(id_order("1782461233309417773", "1782455820016656522"), Ordering::Greater);
        assert_eq!(id_order("5", "5"), Ordering::Equal);
    }
}
