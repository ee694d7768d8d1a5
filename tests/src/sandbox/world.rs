//! The sandbox's Mastodon world — accounts, statuses, notifications, the follow graph, lists,
//! suggestions and media — built from a seed, and the routing of API calls over it.
//!
//! Synchronous and free of HTTP so that the server module only routes and applies faults. The
//! calls themselves live by area: `posts` (statuses), `graph` (follows and relationships),
//! `discovery` (timelines, search, suggestions, lists), `media` (uploads); `render` turns records
//! into Mastodon's entities.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Value, json};

use super::multipart::Part;
use super::page::{self, paged, paginate};
use super::seed::{SEED_EPOCH, Seed, SeedAccount, SeedEvent, SeedPost, SuggestionSource};

/// The own account's id.
pub const OWN_ID: u64 = 1;

/// An API answer before HTTP: status, extra headers and a JSON body.
#[derive(Debug)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Headers beyond the content type.
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    pub body: Value,
}

impl Answer {
    /// 200 with `body`.
    pub fn ok(body: Value) -> Self {
        Answer { status: 200, headers: Vec::new(), body }
    }

    /// `status` with Mastodon's `{"error": message}` body.
    pub fn error(status: u16, message: &str) -> Self {
        Answer { status, headers: Vec::new(), body: json!({ "error": message }) }
    }

    /// Mastodon's 404 for an id it does not have.
    pub fn not_found() -> Self {
        Answer::error(404, "Record not found")
    }

    /// Mastodon's 422 for a record that fails validation.
    pub fn invalid(message: &str) -> Self {
        Answer::error(422, &format!("Validation failed: {message}"))
    }
}

/// One authenticated API call, decoded.
pub struct Call<'a> {
    /// The method, upper case.
    pub method: &'a str,
    /// The path, without the query.
    pub path: &'a str,
    /// The decoded query pairs, in order.
    pub query: &'a [(String, String)],
    /// The decoded body fields (form, JSON or the text parts of a multipart body).
    pub form: &'a [(String, String)],
    /// The file parts of a multipart body.
    pub files: &'a [Part],
    /// The `Idempotency-Key` header.
    pub idempotency_key: Option<&'a str>,
    /// The wall-clock time for new records.
    pub now: i64,
}

impl Call<'_> {
    /// The first query value of `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Whether query flag `name` is true as Rails casts it (anything but absent, empty, `0`,
    /// `f`, `false`, `off`).
    pub fn flag(&self, name: &str) -> bool {
        self.param(name)
            .is_some_and(|v| !matches!(v.to_ascii_lowercase().as_str(), "" | "0" | "f" | "false" | "off"))
    }

    /// Every query value of array parameter `name` (`name[]=…` or `name=…`), in order.
    pub fn values(&self, name: &str) -> Vec<&str> {
        let array = format!("{name}[]");
        self.query.iter().filter(|(k, _)| *k == array || k == name).map(|(_, v)| v.as_str()).collect()
    }

    /// The first body field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Who may see a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Everyone, and the public and tag timelines.
    Public,
    /// Everyone, but kept out of public and tag timelines.
    Unlisted,
    /// Followers only.
    Private,
    /// The mentioned accounts only: a direct message.
    Direct,
}

impl Visibility {
    /// Mastodon's name for it; `None` for a name it does not have.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "public" => Some(Visibility::Public),
            "unlisted" => Some(Visibility::Unlisted),
            "private" => Some(Visibility::Private),
            "direct" => Some(Visibility::Direct),
            _ => None,
        }
    }

    /// The name in a Status entity.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Private => "private",
            Visibility::Direct => "direct",
        }
    }
}

/// A status (a reblog is one with `reblog_of` and no text).
pub struct Status {
    /// Its author.
    pub account: u64,
    /// Plain text.
    pub text: String,
    /// The status it answers.
    pub in_reply_to: Option<u64>,
    /// Who may see it.
    pub visibility: Visibility,
    /// Seconds since the epoch.
    pub created_at: i64,
    /// The status this reblogs.
    pub reblog_of: Option<u64>,
    /// Whether the own account favourited it.
    pub favourited: bool,
    /// Favourites, reblogs and replies by others that the seed gave it.
    pub seeded: (u64, u64, u64),
    /// Its media attachments, in order.
    pub media: Vec<u64>,
}

impl Status {
    /// A status with no reply, reblog, engagement or media.
    pub fn new(account: u64, text: String, visibility: Visibility, created_at: i64) -> Self {
        Status {
            account,
            text,
            in_reply_to: None,
            visibility,
            created_at,
            reblog_of: None,
            favourited: false,
            seeded: (0, 0, 0),
            media: Vec::new(),
        }
    }
}

/// An uploaded image.
pub struct Media {
    /// Its MIME type, as sniffed from its bytes.
    pub mime: &'static str,
    /// Its file extension.
    pub extension: &'static str,
    /// Width and height in pixels.
    pub size: (u32, u32),
    /// The bytes uploaded.
    pub bytes: Vec<u8>,
    /// The alt text.
    pub description: Option<String>,
    /// The status it is attached to, once posted.
    pub status: Option<u64>,
}

/// A list of the own account's.
pub struct List {
    /// Its title.
    pub title: String,
    /// Its members' account ids.
    pub members: Vec<u64>,
}

struct Notification {
    kind: &'static str,
    account: u64,
    status: Option<u64>,
    created_at: i64,
}

/// The sandbox's state.
pub struct World {
    /// `http://127.0.0.1:PORT`, for links.
    pub base_url: String,
    /// Every account; account `n` is at index `n - 1`, the own account first.
    pub accounts: Vec<SeedAccount>,
    /// Statuses by id.
    pub statuses: BTreeMap<u64, Status>,
    notifications: BTreeMap<u64, Notification>,
    /// Follow record id → (follower, followed), for every account.
    pub follows: BTreeMap<u64, (u64, u64)>,
    /// Accounts waiting for the own account to accept their follow request.
    pub follow_requests: Vec<u64>,
    /// Locked accounts the own account asked to follow, not yet accepted.
    pub requested: BTreeSet<u64>,
    /// Accounts the own account blocks.
    pub blocking: BTreeSet<u64>,
    /// Accounts the own account mutes.
    pub muting: BTreeSet<u64>,
    /// Follow suggestions, in order.
    pub suggestions: Vec<(u64, Vec<SuggestionSource>)>,
    /// Lists; list `n` is at index `n - 1`.
    pub lists: Vec<List>,
    /// Uploaded media by id.
    pub media: BTreeMap<u64, Media>,
    /// Whether statuses are full-text searchable.
    pub full_text_search: bool,
    /// Idempotency key → the status it created.
    pub idempotency: HashMap<String, u64>,
    used_ids: BTreeSet<u64>,
}

impl World {
    /// The world a seed describes, serving links under `base_url`; seeded posts are dated back
    /// from `started`.
    pub fn new(seed: &Seed, base_url: String, started: i64) -> Self {
        let mut accounts = vec![seed.own.clone()];
        accounts.extend(seed.accounts.iter().cloned());
        let mut world = World {
            base_url,
            accounts,
            statuses: BTreeMap::new(),
            notifications: BTreeMap::new(),
            follows: BTreeMap::new(),
            follow_requests: Vec::new(),
            requested: BTreeSet::new(),
            blocking: BTreeSet::new(),
            muting: BTreeSet::new(),
            suggestions: Vec::new(),
            lists: Vec::new(),
            media: BTreeMap::new(),
            full_text_search: seed.full_text_search,
            idempotency: HashMap::new(),
            used_ids: BTreeSet::new(),
        };
        let mut clock = SEED_EPOCH;
        for event in &seed.events {
            clock += 60;
            world.seed_event(event, clock, started);
        }
        for suggestion in &seed.suggestions {
            let id = world.ensure_account(&suggestion.acct);
            world.suggestions.push((id, suggestion.sources.clone()));
        }
        for list in &seed.lists {
            let members = list.members.iter().map(|m| world.ensure_account(m)).collect();
            world.lists.push(List { title: list.title.clone(), members });
        }
        world
    }

    fn seed_event(&mut self, event: &SeedEvent, at: i64, started: i64) {
        match event {
            SeedEvent::Follower(acct) => {
                self.add_follower(acct, at);
            }
            SeedEvent::Following(acct) => {
                let id = self.ensure_account(acct);
                self.follow(OWN_ID, id, at);
            }
            SeedEvent::FollowRequest(acct) => {
                let id = self.ensure_account(acct);
                self.follow_requests.push(id);
                self.notify("follow_request", id, None, at);
            }
            SeedEvent::Mention(acct, text) => {
                self.add_mention(acct, text, at);
            }
            SeedEvent::Follows(follower, followed) => {
                let (follower, followed) = (self.ensure_account(follower), self.ensure_account(followed));
                self.follow(follower, followed, at);
            }
            SeedEvent::Requested(acct) => {
                let id = self.ensure_account(acct);
                self.requested.insert(id);
            }
            SeedEvent::Blocking(acct) => {
                let id = self.ensure_account(acct);
                self.blocking.insert(id);
            }
            SeedEvent::Muting(acct) => {
                let id = self.ensure_account(acct);
                self.muting.insert(id);
            }
            SeedEvent::Post(post) => self.seed_post(post, started),
        }
    }

    fn seed_post(&mut self, post: &SeedPost, started: i64) {
        let author = self.ensure_account(&post.acct);
        let at = started - i64::from(post.hours_ago) * 3_600;
        // A seed is code, not input: a misspelt visibility is the seed's bug, shown as public
        // rather than as a panic in every test that uses it.
        let visibility = Visibility::parse(&post.visibility).unwrap_or(Visibility::Public);
        let mut status = Status::new(author, post.text.clone(), visibility, at);
        let (likes, reblogs) = (post.liked_by.len() as u64, post.reblogged_by.len() as u64);
        status.seeded = (post.favourites + likes, post.reblogs + reblogs, post.replies);
        let id = self.fresh_id(at);
        self.statuses.insert(id, status);
        // The fans come one every 40 minutes after the post, never after the start.
        let fans = post
            .liked_by
            .iter()
            .map(|a| ("favourite", a))
            .chain(post.reblogged_by.iter().map(|a| ("reblog", a)));
        for (i, (kind, acct)) in fans.enumerate() {
            let fan = self.ensure_account(acct);
            let when = (at + (i as i64 + 1) * 2_400).min(started - 1);
            self.notify(kind, fan, Some(id), when);
        }
    }

    /// A new id for a record made at `at`, shaped like Mastodon's snowflake ids (milliseconds
    /// shifted left 16 bits, plus a sequence), so that ids sort by time whatever order seeds and
    /// calls create records in.
    pub fn fresh_id(&mut self, at: i64) -> u64 {
        let mut id = (u64::try_from(at).unwrap_or(0) * 1_000) << 16;
        while !self.used_ids.insert(id) {
            id += 1;
        }
        id
    }

    /// The id of the account `acct` (`me` style or `user@domain`), if known.
    pub fn account_id(&self, acct: &str) -> Option<u64> {
        let acct = acct.trim_start_matches('@');
        self.accounts.iter().position(|a| a.acct.eq_ignore_ascii_case(acct)).map(|i| i as u64 + 1)
    }

    /// The account with id `id`, if any.
    pub fn account(&self, id: u64) -> Option<&SeedAccount> {
        usize::try_from(id).ok().and_then(|i| i.checked_sub(1)).and_then(|i| self.accounts.get(i))
    }

    /// The id of `raw`, if it names a known account.
    pub fn known_account(&self, raw: &str) -> Option<u64> {
        raw.parse::<u64>().ok().filter(|&i| self.account(i).is_some())
    }

    /// The id of `acct`, made an ordinary account first if unknown.
    pub fn ensure_account(&mut self, acct: &str) -> u64 {
        match self.account_id(acct) {
            Some(id) => id,
            None => {
                let acct = acct.trim_start_matches('@');
                self.accounts.push(SeedAccount::new(acct, acct.split('@').next().unwrap_or(acct)));
                self.accounts.len() as u64
            }
        }
    }

    /// Whether `follower` follows `followed`.
    pub fn is_following(&self, follower: u64, followed: u64) -> bool {
        self.follows.values().any(|&pair| pair == (follower, followed))
    }

    /// Records that `follower` follows `followed`, unless it already does.
    pub fn follow(&mut self, follower: u64, followed: u64, at: i64) {
        if !self.is_following(follower, followed) {
            let record = self.fresh_id(at);
            self.follows.insert(record, (follower, followed));
        }
    }

    /// Makes `acct` (created if unknown) a follower, with a `follow` notification; returns the
    /// notification id.
    pub fn add_follower(&mut self, acct: &str, at: i64) -> u64 {
        let id = self.ensure_account(acct);
        self.follow(id, OWN_ID, at);
        self.notify("follow", id, None, at)
    }

    /// Adds a public status by `acct` mentioning the own account, with a `mention` notification.
    pub fn add_mention(&mut self, acct: &str, text: &str, at: i64) -> u64 {
        let own = self.accounts[0].acct.clone();
        let status = self.add_status(acct, &format!("@{own} {text}"), None, at);
        let author = self.statuses.get(&status).map_or(OWN_ID, |s| s.account);
        self.notify("mention", author, Some(status), at)
    }

    /// `acct` (created if unknown) favourites the own account's newest status (one is posted if
    /// there is none), with a `favourite` notification; returns the notification id.
    pub fn add_favourite(&mut self, acct: &str, at: i64) -> u64 {
        let fan = self.ensure_account(acct);
        let newest = self.statuses.iter().rev().find(|(_, s)| s.account == OWN_ID).map(|(id, _)| *id);
        let status = match newest {
            Some(id) => id,
            None => {
                let own = self.accounts[0].acct.clone();
                self.add_status(&own, "Fresh out of the kiln", None, at)
            }
        };
        if let Some(s) = self.statuses.get_mut(&status) {
            s.seeded.0 += 1;
        }
        self.notify("favourite", fan, Some(status), at)
    }

    /// Adds a public status by `acct` (created if unknown), answering `in_reply_to` if given;
    /// returns its id.
    pub fn add_status(&mut self, acct: &str, text: &str, in_reply_to: Option<u64>, at: i64) -> u64 {
        let author = self.ensure_account(acct);
        let mut status = Status::new(author, text.to_owned(), Visibility::Public, at);
        status.in_reply_to = in_reply_to;
        let id = self.fresh_id(at);
        self.statuses.insert(id, status);
        id
    }

    fn notify(&mut self, kind: &'static str, account: u64, status: Option<u64>, at: i64) -> u64 {
        let id = self.fresh_id(at);
        self.notifications.insert(id, Notification { kind, account, status, created_at: at });
        id
    }

    /// Answers one authenticated API call.
    pub fn answer(&mut self, call: &Call<'_>) -> Answer {
        let segments: Vec<&str> = call.path.trim_matches('/').split('/').collect();
        match (call.method, segments.as_slice()) {
            ("GET", ["api", "v1", "notifications"]) => self.list_notifications(call),
            ("GET", ["api", "v1", "accounts", "verify_credentials"]) => {
                let mut account = self.render_account(OWN_ID);
                account["source"] =
                    json!({ "privacy": "public", "sensitive": false, "note": self.accounts[0].note });
                Answer::ok(account)
            }
            ("GET", ["api", "v1", "accounts", "relationships"]) => self.relationships(call),
            ("GET", ["api", "v1", "accounts", "familiar_followers"]) => self.familiar_followers(call),
            ("GET", ["api", "v1", "accounts", "lookup"]) => {
                match call.param("acct").and_then(|acct| self.account_id(acct)) {
                    Some(i) => Answer::ok(self.render_account(i)),
                    None => Answer::not_found(),
                }
            }
            ("GET", ["api", "v1", "accounts", account]) => match self.known_account(account) {
                Some(i) => Answer::ok(self.render_account(i)),
                None => Answer::not_found(),
            },
            ("GET", ["api", "v1", "accounts", account, list @ ("followers" | "following")]) => {
                self.follow_list(account, list, call)
            }
            ("GET", ["api", "v1", "accounts", account, "statuses"]) => self.account_statuses(account, call),
            ("GET", ["api", "v1", "statuses", status]) => {
                match status.parse::<u64>().ok().filter(|i| self.can_see(*i)) {
                    Some(i) => Answer::ok(self.render_status(i)),
                    None => Answer::not_found(),
                }
            }
            ("POST", ["api", "v1", "statuses"]) => self.post_status(call),
            ("POST", ["api", "v1", "statuses", status, "favourite"]) => self.favourite(status),
            ("POST", ["api", "v1", "statuses", status, "reblog"]) => self.reblog(status, call.now),
            ("POST", ["api", "v1", "accounts", account, action @ ("follow" | "unfollow")]) => {
                self.follow_call(account, action, call.now)
            }
            ("POST", ["api", "v1", "follow_requests", account, "authorize"]) => {
                let Some(target) = account.parse::<u64>().ok().filter(|i| self.follow_requests.contains(i))
                else {
                    return Answer::not_found();
                };
                self.follow_requests.retain(|&r| r != target);
                self.follow(target, OWN_ID, call.now);
                Answer::ok(self.render_relationship(target))
            }
            ("GET", ["api", "v1", "timelines", "tag", tag]) => self.tag_timeline(tag, call),
            ("GET", ["api", "v1", "timelines", "list", list]) => self.list_timeline(list, call),
            ("GET", ["api", "v1", "lists"]) => self.lists(),
            ("GET", ["api", "v1", "lists", list]) => self.list(list),
            ("GET", ["api", "v1", "lists", list, "accounts"]) => self.list_accounts(list, call),
            ("GET", ["api", "v2", "search"]) => self.search(call),
            ("GET", ["api", "v2", "suggestions"]) => self.suggestions(call),
            ("POST", ["api", "v2", "media"]) => self.upload(call),
            _ => Answer::not_found(),
        }
    }

    fn list_notifications(&self, call: &Call<'_>) -> Answer {
        let types = call.values("types");
        let excluded = call.values("exclude_types");
        let matching = self
            .notifications
            .iter()
            .filter(|(_, n)| (types.is_empty() || types.contains(&n.kind)) && !excluded.contains(&n.kind))
            .map(|(&id, _)| (id, id));
        let page = paginate(matching, call.query, page::ACCOUNTS);
        let items = page.items.iter().map(|&(id, _)| self.render_notification(id)).collect();
        paged(items, &page, &self.url("/api/v1/notifications"))
    }

    /// `base_url` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    fn render_notification(&self, id: u64) -> Value {
        let Some(n) = self.notifications.get(&id) else { return Value::Null };
        let mut value = json!({
            "id": id.to_string(),
            "type": n.kind,
            "created_at": super::render::rfc3339(n.created_at),
            "group_key": format!("ungrouped-{id}"),
            "account": self.render_account(n.account),
        });
        if let Some(status) = n.status {
            value["status"] = self.render_status(status);
        }
        value
    }
}
