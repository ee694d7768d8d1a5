//! The parts of Graph API answers this plugin reads, their translation into the contract's
//! records, and the comment cursor.
//!
//! The 0.2 reads add the Page's own posts with their counts and insights (`published_posts`) and
//! the Page's profile (`GET /{page-id}`); photo uploads answer with the photo and its post.
//!
//! The cursor is the newest comment time seen and the ids of the comments at exactly that
//! second, written `SECONDS:ID,ID`. Graph comment times have one-second resolution, so the ids
//! keep a comment that shares the newest second with ones already emitted from being dropped or
//! emitted twice; anything older than the time was seen before and is never emitted again.

use rapport_sdk::clock::parse_rfc3339;
use rapport_sdk::types::{Account, Notification, NotificationKind, Post, PostMetrics};
use serde::Deserialize;

/// The comment fields read on each post.
pub const COMMENT_FIELDS: &str = "id,message,created_time,from,parent,permalink_url";

/// The `fields` parameter of the feed read: recent posts with their newest comments, replies to
/// comments included (`filter(stream)`), newest first.
pub fn feed_fields(comments_per_post: u32) -> String {
    format!(
        "id,message,created_time,permalink_url,comments.filter(stream).order(reverse_chronological)\
         .limit({comments_per_post}){{{COMMENT_FIELDS}}}"
    )
}

/// A page of an edge: `{"data": [...], "paging": {...}}`.
#[derive(Debug, Deserialize)]
pub struct Paged<T> {
    /// The items.
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    /// Links to neighbouring pages.
    #[serde(default)]
    pub paging: Paging,
}

/// Paging links of an edge.
#[derive(Debug, Default, Deserialize)]
pub struct Paging {
    /// The absolute URL of the next (older) page, absent on the last.
    pub next: Option<String>,
    /// The cursors of this page's ends.
    pub cursors: Option<Cursors>,
}

/// The cursors of a page's ends, for `before=` / `after=`.
#[derive(Debug, Default, Deserialize)]
pub struct Cursors {
    /// The cursor of the page's last item: `after=` it reads the next (older) page.
    pub after: Option<String>,
}

impl Paging {
    /// The cursor of the next page: `after` while Meta links a next page, `None` on the last
    /// (Meta leaves `next` out there, though it still names the cursors).
    pub fn next_cursor(&self) -> Option<String> {
        self.next.as_ref()?;
        self.cursors.as_ref()?.after.clone().filter(|after| !after.is_empty())
    }
}

/// A Page post with its comments.
#[derive(Debug, Deserialize)]
pub struct FeedPost {
    /// `PAGEID_POSTID`.
    pub id: String,
    /// The newest comments, if any.
    pub comments: Option<Paged<Comment>>,
}

/// A comment on a post (or a reply to a comment).
#[derive(Debug, Clone, Deserialize)]
pub struct Comment {
    /// `POSTID_COMMENTID`.
    pub id: String,
    /// The text.
    #[serde(default)]
    pub message: String,
    /// When, as `2024-05-01T12:31:07+0000`.
    #[serde(default)]
    pub created_time: String,
    /// The commenter; Meta leaves it out unless the token may read it (`pages_read_user_engagement`).
    pub from: Option<Commenter>,
    /// The comment this one answers, for a reply to a comment.
    pub parent: Option<Parent>,
    /// The comment's public link.
    #[serde(default)]
    pub permalink_url: String,
}

/// Who wrote a comment.
#[derive(Debug, Clone, Deserialize)]
pub struct Commenter {
    /// The person's (Page-scoped) id.
    pub id: String,
    /// Their name.
    #[serde(default)]
    pub name: String,
}

/// The comment a reply answers.
#[derive(Debug, Clone, Deserialize)]
pub struct Parent {
    /// Its id.
    pub id: String,
}

/// `{"id": "..."}`, the answer to a create call.
#[derive(Debug, Deserialize)]
pub struct Created {
    /// The new object's id.
    pub id: String,
}

/// A person or Page as `GET /{id}?fields=id,name,link` returns them.
#[derive(Debug, Deserialize)]
pub struct Profile {
    /// The id.
    pub id: String,
    /// The name.
    #[serde(default)]
    pub name: String,
    /// The profile link, when the token may read it.
    #[serde(default)]
    pub link: String,
}

/// The `fields` of the own-posts read: the counts as edge summaries with no items
/// (`limit(0)`), shares, and views. Meta replaced the `post_impressions` insight with the
/// `post_media_view` ("views") metric on 2025-11-15.
pub const OWN_POST_FIELDS: &str = "id,message,created_time,permalink_url,from,\
    reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),shares,\
    insights.metric(post_media_view)";

/// One of the Page's own posts with its counts, as `published_posts` answers it.
#[derive(Debug, Deserialize)]
pub struct OwnPost {
    /// `PAGEID_POSTID`.
    pub id: String,
    /// The text; absent for a photo posted without one.
    #[serde(default)]
    pub message: String,
    /// When, as `2024-05-01T12:31:07+0000`.
    #[serde(default)]
    pub created_time: String,
    /// The post's public link.
    #[serde(default)]
    pub permalink_url: String,
    /// The Page, as author.
    pub from: Option<Commenter>,
    /// The reactions edge, read for its summary only.
    pub reactions: Option<Counted>,
    /// The comments edge, read for its summary only.
    pub comments: Option<Counted>,
    /// The share count; Meta leaves the field out when nobody shared the post.
    pub shares: Option<Shares>,
    /// The insights asked for, when Meta has them (it keeps none for Pages under 100 likes).
    pub insights: Option<Paged<Insight>>,
}

/// An edge read as `edge.summary(total_count).limit(0)`.
#[derive(Debug, Deserialize)]
pub struct Counted {
    /// The totals.
    pub summary: Option<Summary>,
}

/// An edge's summary.
#[derive(Debug, Deserialize)]
pub struct Summary {
    /// How many items the edge holds.
    #[serde(default)]
    pub total_count: u64,
}

/// `{"count": N}`, a post's shares.
#[derive(Debug, Deserialize)]
pub struct Shares {
    /// How many times it was shared.
    #[serde(default)]
    pub count: u64,
}

/// One insight metric of a post.
#[derive(Debug, Deserialize)]
pub struct Insight {
    /// The metric's name, e.g. `post_media_view`.
    pub name: String,
    /// Its values, one per period; a lifetime metric has one.
    #[serde(default)]
    pub values: Vec<InsightValue>,
}

/// One value of an insight; a number for the counts read here, an object for breakdowns.
#[derive(Debug, Deserialize)]
pub struct InsightValue {
    /// The value.
    #[serde(default)]
    pub value: serde_json::Value,
}

impl OwnPost {
    /// The contract's counts: likes are all reactions, reposts shares, replies comments; Facebook
    /// has no quotes; views when the `post_media_view` insight answered with a number.
    pub fn metrics(&self) -> PostMetrics {
        let total = |edge: &Option<Counted>| {
            edge.as_ref().and_then(|e| e.summary.as_ref()).map_or(0, |s| s.total_count)
        };
        let views = self.insights.as_ref().and_then(|i| {
            i.data
                .iter()
                .filter(|metric| metric.name == VIEWS_METRIC)
                .flat_map(|metric| &metric.values)
                .find_map(|v| v.value.as_u64())
        });
        PostMetrics {
            likes: total(&self.reactions),
            reposts: self.shares.as_ref().map_or(0, |s| s.count),
            replies: total(&self.comments),
            quotes: None,
            views,
        }
    }

    /// The contract's post, written by the Page `page_id`; `None` when its time is unreadable.
    pub fn post(&self, page_id: &str) -> Option<Post> {
        let created = parse_time(&self.created_time)?;
        let author = match &self.from {
            Some(from) => account(&from.id, &from.name, ""),
            None => account(page_id, "", ""),
        };
        Some(Post {
            id: self.id.clone(),
            text: self.message.clone(),
            url: self.permalink_url.clone(),
            author,
            in_reply_to: None,
            created,
            visibility: String::new(),
        })
    }
}

/// The insight that counts a post's views.
const VIEWS_METRIC: &str = "post_media_view";

/// The fields of the lookup-self read.
pub const PAGE_FIELDS: &str = "id,name,username,link,about,followers_count,fan_count,picture";

/// The Page as `GET /{page-id}?fields=…` answers it.
#[derive(Debug, Deserialize)]
pub struct PageProfile {
    /// The Page id.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// Its vanity name (`facebook.com/USERNAME`), if it chose one.
    pub username: Option<String>,
    /// Its public link.
    #[serde(default)]
    pub link: String,
    /// Its "about" text.
    #[serde(default)]
    pub about: String,
    /// How many follow it.
    pub followers_count: Option<u64>,
    /// How many like it: a classic Page's audience, where Meta reports no followers count.
    pub fan_count: Option<u64>,
    /// Its profile picture.
    pub picture: Option<Picture>,
}

/// `{"data": {...}}`, a profile picture.
#[derive(Debug, Deserialize)]
pub struct Picture {
    /// The picture's facts.
    pub data: Option<PictureData>,
}

/// The facts of a profile picture.
#[derive(Debug, Deserialize)]
pub struct PictureData {
    /// Whether it is Facebook's default silhouette.
    #[serde(default)]
    pub is_silhouette: bool,
}

impl PageProfile {
    /// The contract's account for the Page: a Page follows no one and Meta gives no post count or
    /// creation time, so those stay unknown.
    pub fn account(&self) -> Account {
        let has_avatar =
            self.picture.as_ref().and_then(|p| p.data.as_ref()).is_some_and(|d| !d.is_silhouette);
        Account {
            id: self.id.clone(),
            handle: self.username.clone().filter(|u| !u.is_empty()).unwrap_or_else(|| self.id.clone()),
            display_name: self.name.clone(),
            bio: self.about.clone(),
            // Liking a classic Page followed it, so its likes stand in when no followers count came.
            followers: self.followers_count.or(self.fan_count),
            following: None,
            posts: None,
            created: None,
            has_avatar,
            bot: false,
            url: if self.link.is_empty() {
                format!("https://www.facebook.com/{}", self.id)
            } else {
                self.link.clone()
            },
        }
    }
}

/// `POST /{page-id}/photos`: the photo, and the post it made when published at once.
#[derive(Debug, Deserialize)]
pub struct PhotoCreated {
    /// The photo's id (the `media_fbid` a multi-photo post attaches).
    pub id: String,
    /// `PAGEID_POSTID` of the post a published photo made.
    pub post_id: Option<String>,
}

/// `POST /{page-id}/messages`: the message sent.
#[derive(Debug, Deserialize)]
pub struct MessageSent {
    /// The message's id.
    pub message_id: String,
}

/// Parses a Graph API time (`2024-05-01T12:31:07+0000`, an offset without a colon) into Unix
/// seconds.
pub fn parse_time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let n = b.len();
    if n >= 5 && matches!(b[n - 5], b'+' | b'-') && b[n - 4..].iter().all(u8::is_ascii_digit) {
        return parse_rfc3339(&format!("{}:{}", &s[..n - 2], &s[n - 2..]));
    }
    parse_rfc3339(s)
}

/// The contract's account for a person or Page known by id and name. Facebook has no handles, so
/// the id stands in; the other facts are not readable with a Page token.
pub fn account(id: &str, name: &str, url: &str) -> Account {
    Account {
        id: id.to_owned(),
        handle: id.to_owned(),
        display_name: name.to_owned(),
        bio: String::new(),
        followers: None,
        following: None,
        posts: None,
        created: None,
        has_avatar: false,
        bot: false,
        url: url.to_owned(),
    }
}

/// The reply notification for `comment` on post `post_id`; `None` when Meta withheld the
/// commenter (a notification must name who acted) or the time is unreadable.
pub fn reply(comment: &Comment, post_id: &str) -> Option<Notification> {
    // An author without an id cannot be answered or told apart: as good as no author.
    let from = comment.from.as_ref().filter(|from| !from.id.is_empty())?;
    let at = parse_time(&comment.created_time)?;
    let author = account(&from.id, &from.name, "");
    Some(Notification {
        id: comment.id.clone(),
        kind: NotificationKind::Reply,
        at,
        post: Some(Post {
            id: comment.id.clone(),
            text: comment.message.clone(),
            url: comment.permalink_url.clone(),
            author: author.clone(),
            in_reply_to: Some(comment.parent.as_ref().map_or_else(|| post_id.to_owned(), |p| p.id.clone())),
            created: at,
            visibility: String::new(),
        }),
        account: author,
    })
}

/// How far the comments have been read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cursor {
    /// The newest comment time seen, Unix seconds.
    pub time: i64,
    /// The ids of the comments seen at exactly [`Cursor::time`].
    pub ids: Vec<String>,
}

impl Cursor {
    /// The cursor the daemon passed; `None` (first use) reads everything the feed shows.
    pub fn parse(raw: Option<&str>) -> Result<Cursor, String> {
        let Some(raw) = raw else { return Ok(Cursor::default()) };
        let refuse = || format!("the Facebook cursor {raw:?} is not one this plugin wrote (SECONDS:ID,ID)");
        let (time, ids) = raw.split_once(':').ok_or_else(refuse)?;
        let time = time.parse().map_err(|_| refuse())?;
        let ids = ids.split(',').filter(|id| !id.is_empty()).map(str::to_owned).collect();
        Ok(Cursor { time, ids })
    }

    /// Whether a comment written at `time` with `id` is new to this cursor.
    pub fn is_new(&self, time: i64, id: &str) -> bool {
        time > self.time || (time == self.time && !self.ids.iter().any(|seen| seen == id))
    }

    /// Moves the cursor past a comment seen at `time` with `id`.
    pub fn see(&mut self, time: i64, id: &str) {
        if time > self.time {
            self.time = time;
            self.ids.clear();
        }
        if time == self.time && !self.ids.iter().any(|seen| seen == id) {
            self.ids.push(id.to_owned());
        }
    }

    /// The cursor as the string returned to the daemon.
    pub fn render(&self) -> String {
        format!("{}:{}", self.time, self.ids.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed() -> Paged<FeedPost> {
        serde_json::from_str(include_str!("../tests/fixtures/feed_page.json"))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn graph_times_parse_with_their_colonless_offset() {
        assert_eq!(parse_time("2024-05-01T12:48:45+0000"), Some(1_714_567_725));
        assert_eq!(parse_time("2024-05-01T14:48:45+0200"), Some(1_714_567_725));
        assert_eq!(parse_time("2024-05-01T12:48:45Z"), Some(1_714_567_725));
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn comments_become_replies_naming_the_commenter() {
        let feed = feed();
        let post = &feed.data[0];
        let comments = &post.comments.as_ref().unwrap_or_else(|| panic!("fixture has comments")).data;
        let items: Vec<_> = comments.iter().filter_map(|c| reply(c, &post.id)).collect();
        assert_eq!(items.len(), 2, "the comment without `from` is skipped");
        let page_reply = &items[0];
        assert_eq!(
            page_reply.post.as_ref().and_then(|p| p.in_reply_to.clone()).as_deref(),
            Some("122100000000000101_987650000000002")
        );
        let ann = &items[1];
        assert_eq!(ann.id, "122100000000000101_987650000000002");
        assert_eq!(ann.kind, NotificationKind::Reply);
        assert_eq!(ann.at, 1_714_566_667);
        assert_eq!(ann.account.id, "7012345678901234");
        assert_eq!(ann.account.display_name, "Ann Example");
        let post_record = ann.post.as_ref().unwrap_or_else(|| panic!("a reply carries its comment"));
        assert_eq!(post_record.text, "Do you have oat milk? 🥛");
        assert_eq!(post_record.in_reply_to.as_deref(), Some("104857600000001_122100000000000101"));
        assert!(post_record.url.ends_with("comment_id=987650000000002"));
        assert!(feed.data[1].comments.is_none());
    }

    #[test]
    fn the_fields_parameter_asks_for_stream_comments_newest_first() {
        assert_eq!(
            feed_fields(50),
            "id,message,created_time,permalink_url,comments.filter(stream).order(reverse_chronological).limit(50)\
             {id,message,created_time,from,parent,permalink_url}"
        );
    }

    #[test]
    fn the_cursor_keeps_ties_at_the_newest_second() {
        let mut cursor = Cursor::parse(None).unwrap_or_else(|e| panic!("{e}"));
        assert!(cursor.is_new(0, "a"));
        cursor.see(100, "a");
        cursor.see(90, "old");
        cursor.see(100, "b");
        assert_eq!(cursor.render(), "100:a,b");
        let back = Cursor::parse(Some(&cursor.render())).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, cursor);
        assert!(!back.is_new(100, "a"));
        assert!(back.is_new(100, "c"), "same second, unseen id");
        assert!(!back.is_new(99, "z"));
        assert!(back.is_new(101, "a"));
        let mut later = back.clone();
        later.see(101, "d");
        assert_eq!(later.render(), "101:d");
        assert_eq!(Cursor::parse(Some("5:")), Ok(Cursor { time: 5, ids: Vec::new() }));
    }

    #[test]
    fn a_foreign_cursor_is_refused() {
        assert!(Cursor::parse(Some("QVFIUl9hZnRlcg")).is_err());
        assert!(Cursor::parse(Some("soon:1")).is_err());
    }
}
