//! The sandbox's Mastodon world — accounts, statuses, notifications, follows — and the API calls
//! over it, rendered in the entity shapes of the Mastodon documentation.
//!
//! Synchronous and free of HTTP so that the server module only routes and applies faults.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use super::seed::{SEED_EPOCH, Seed, SeedAccount, SeedEvent};

/// The own account's id.
pub const OWN_ID: u64 = 1;

/// Ids of statuses, notifications and follow records start here, so they look like (and sort like)
/// Mastodon's 18-digit snowflake ids.
const FIRST_ID: u64 = 112_000_000_000_000_000;

/// Mastodon's default page size and its maximum (since 4.1.0).
const DEFAULT_LIMIT: usize = 40;
const MAX_LIMIT: usize = 80;

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
    fn ok(body: Value) -> Self {
        Answer { status: 200, headers: Vec::new(), body }
    }

    fn error(status: u16, message: &str) -> Self {
        Answer { status, headers: Vec::new(), body: json!({ "error": message }) }
    }

    fn not_found() -> Self {
        Answer::error(404, "Record not found")
    }
}

struct Status {
    account: u64,
    text: String,
    in_reply_to: Option<u64>,
    visibility: String,
    created_at: i64,
    reblog_of: Option<u64>,
    favourited: bool,
}

struct Notification {
    kind: &'static str,
    account: u64,
    status: Option<u64>,
    created_at: i64,
}

/// The sandbox's state.
pub struct World {
    base_url: String,
    accounts: Vec<SeedAccount>,
    statuses: BTreeMap<u64, Status>,
    notifications: BTreeMap<u64, Notification>,
    /// Follow record id → follower account, for accounts following the own account.
    followers: BTreeMap<u64, u64>,
    /// Follow record id → followed account, for accounts the own account follows.
    following: BTreeMap<u64, u64>,
    follow_requests: Vec<u64>,
    idempotency: HashMap<String, u64>,
    next_id: u64,
    clock: i64,
}

impl World {
    /// The world a seed describes, serving links under `base_url`.
    pub fn new(seed: &Seed, base_url: String) -> Self {
        let mut accounts = vec![seed.own.clone()];
        accounts.extend(seed.accounts.iter().cloned());
        let mut world = World {
            base_url,
            accounts,
            statuses: BTreeMap::new(),
            notifications: BTreeMap::new(),
            followers: BTreeMap::new(),
            following: BTreeMap::new(),
            follow_requests: Vec::new(),
            idempotency: HashMap::new(),
            next_id: FIRST_ID,
            clock: SEED_EPOCH,
        };
        for event in &seed.events {
            world.clock += 60;
            let at = world.clock;
            match event {
                SeedEvent::Follower(acct) => {
                    world.add_follower(acct, at);
                }
                SeedEvent::Following(acct) => {
                    if let Some(id) = world.account_id(acct) {
                        let record = world.fresh_id();
                        world.following.insert(record, id);
                    }
                }
                SeedEvent::FollowRequest(acct) => {
                    world.add_follow_request(acct, at);
                }
                SeedEvent::Mention(acct, text) => {
                    world.add_mention(acct, text, at);
                }
            }
        }
        world
    }

    fn fresh_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// The id of the account `acct` (`me` style or `user@domain`), if known.
    pub fn account_id(&self, acct: &str) -> Option<u64> {
        let acct = acct.trim_start_matches('@');
        self.accounts.iter().position(|a| a.acct.eq_ignore_ascii_case(acct)).map(|i| i as u64 + 1)
    }

    fn account(&self, id: u64) -> Option<&SeedAccount> {
        usize::try_from(id).ok().and_then(|i| i.checked_sub(1)).and_then(|i| self.accounts.get(i))
    }

    fn ensure_account(&mut self, acct: &str) -> u64 {
        match self.account_id(acct) {
            Some(id) => id,
            None => {
                self.accounts.push(SeedAccount::new(acct, acct.split('@').next().unwrap_or(acct)));
                self.accounts.len() as u64
            }
        }
    }

    /// Makes `acct` (created if unknown) a follower, with a `follow` notification; returns the
    /// notification id.
    pub fn add_follower(&mut self, acct: &str, at: i64) -> u64 {
        let id = self.ensure_account(acct);
        let record = self.fresh_id();
        self.followers.insert(record, id);
        self.notify("follow", id, None, at)
    }

    /// Adds a follow request from `acct`, with a `follow_request` notification.
    pub fn add_follow_request(&mut self, acct: &str, at: i64) -> u64 {
        let id = self.ensure_account(acct);
        self.follow_requests.push(id);
        self.notify("follow_request", id, None, at)
    }

    /// Adds a public status by `acct` mentioning the own account, with a `mention` notification.
    pub fn add_mention(&mut self, acct: &str, text: &str, at: i64) -> u64 {
        let id = self.ensure_account(acct);
        let own = self.accounts[0].acct.clone();
        let status = self.fresh_id();
        let text = format!("@{own} {text}");
        self.statuses.insert(
            status,
            Status {
                account: id,
                text,
                in_reply_to: None,
                visibility: "public".into(),
                created_at: at,
                reblog_of: None,
                favourited: false,
            },
        );
        self.notify("mention", id, Some(status), at)
    }

    fn notify(&mut self, kind: &'static str, account: u64, status: Option<u64>, at: i64) -> u64 {
        let id = self.fresh_id();
        self.notifications.insert(id, Notification { kind, account, status, created_at: at });
        id
    }

    /// Answers one authenticated API call; `query` holds the decoded query pairs in order,
    /// `form` the decoded body fields, `now` the wall-clock time for new records.
    pub fn answer(
        &mut self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        form: &[(String, String)],
        idempotency_key: Option<&str>,
        now: i64,
    ) -> Answer {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let id = |s: &str| s.parse::<u64>().ok();
        match (method, segments.as_slice()) {
            ("GET", ["api", "v1", "notifications"]) => self.list_notifications(query),
            ("GET", ["api", "v1", "accounts", "verify_credentials"]) => {
                let mut account = self.render_account(OWN_ID);
                account["source"] =
                    json!({ "privacy": "public", "sensitive": false, "note": self.accounts[0].note });
                Answer::ok(account)
            }
            ("GET", ["api", "v1", "accounts", "relationships"]) => {
                let ids: Vec<Value> = query
                    .iter()
                    .filter(|(k, _)| k == "id[]" || k == "id")
                    .filter_map(|(_, v)| id(v))
                    .filter(|&i| self.account(i).is_some())
                    .map(|i| self.render_relationship(i))
                    .collect();
                Answer::ok(Value::Array(ids))
            }
            ("GET", ["api", "v1", "accounts", account]) => {
                match id(account).filter(|&i| self.account(i).is_some()) {
                    Some(i) => Answer::ok(self.render_account(i)),
                    None => Answer::not_found(),
                }
            }
            ("GET", ["api", "v1", "accounts", account, list @ ("followers" | "following")]) => {
                if id(account) != Some(OWN_ID) {
                    return Answer::ok(json!([]));
                }
                let records = if *list == "followers" { &self.followers } else { &self.following };
                let path = format!("/api/v1/accounts/{OWN_ID}/{list}");
                let page = paginate(records.iter().map(|(&r, &a)| (r, a)), query);
                let items = page.items.iter().map(|&(_, a)| self.render_account(a)).collect();
                self.paged(items, &page, &path)
            }
            ("GET", ["api", "v1", "statuses", status]) => {
                match id(status).filter(|i| self.statuses.contains_key(i)) {
                    Some(i) => Answer::ok(self.render_status(i)),
                    None => Answer::not_found(),
                }
            }
            ("POST", ["api", "v1", "statuses"]) => self.post_status(form, idempotency_key, now),
            ("POST", ["api", "v1", "statuses", status, action @ ("favourite" | "reblog")]) => {
                let Some(target) = id(status).filter(|i| self.statuses.contains_key(i)) else {
                    return Answer::not_found();
                };
                if *action == "favourite" {
                    if let Some(s) = self.statuses.get_mut(&target) {
                        s.favourited = true;
                    }
                    return Answer::ok(self.render_status(target));
                }
                let existing =
                    self.statuses.iter().find(|(_, s)| s.account == OWN_ID && s.reblog_of == Some(target));
                let reblog = match existing {
                    Some((&rid, _)) => rid,
                    None => {
                        let rid = self.fresh_id();
                        let status = Status {
                            account: OWN_ID,
                            text: String::new(),
                            in_reply_to: None,
                            visibility: "public".into(),
                            created_at: now,
                            reblog_of: Some(target),
                            favourited: false,
                        };
                        self.statuses.insert(rid, status);
                        rid
                    }
                };
                Answer::ok(self.render_status(reblog))
            }
            ("POST", ["api", "v1", "accounts", account, action @ ("follow" | "unfollow")]) => {
                let Some(target) = id(account).filter(|&i| i != OWN_ID && self.account(i).is_some()) else {
                    return Answer::not_found();
                };
                let existing: Vec<u64> =
                    self.following.iter().filter(|&(_, &a)| a == target).map(|(&r, _)| r).collect();
                if *action == "follow" && existing.is_empty() {
                    let record = self.fresh_id();
                    self.following.insert(record, target);
                } else if *action == "unfollow" {
                    for record in existing {
                        self.following.remove(&record);
                    }
                }
                Answer::ok(self.render_relationship(target))
            }
            ("POST", ["api", "v1", "follow_requests", account, "authorize"]) => {
                let Some(target) = id(account).filter(|i| self.follow_requests.contains(i)) else {
                    return Answer::not_found();
                };
                self.follow_requests.retain(|&r| r != target);
                let record = self.fresh_id();
                self.followers.insert(record, target);
                Answer::ok(self.render_relationship(target))
            }
            _ => Answer::not_found(),
        }
    }

    fn list_notifications(&self, query: &[(String, String)]) -> Answer {
        let types: Vec<&str> =
            query.iter().filter(|(k, _)| k == "types[]").map(|(_, v)| v.as_str()).collect();
        let excluded: Vec<&str> =
            query.iter().filter(|(k, _)| k == "exclude_types[]").map(|(_, v)| v.as_str()).collect();
        let matching = self
            .notifications
            .iter()
            .filter(|(_, n)| (types.is_empty() || types.contains(&n.kind)) && !excluded.contains(&n.kind))
            .map(|(&id, _)| (id, id));
        let page = paginate(matching, query);
        let items = page.items.iter().map(|&(id, _)| self.render_notification(id)).collect();
        self.paged(items, &page, "/api/v1/notifications")
    }

    /// An array answer with Mastodon's `Link` header: `next` (older, `max_id`) when the page is
    /// full, `prev` (newer, `min_id`) whenever it is not empty.
    fn paged(&self, items: Vec<Value>, page: &Page, path: &str) -> Answer {
        let mut links = Vec::new();
        if let (Some(oldest), true) = (page.items.last(), page.full) {
            links.push(format!(
                "<{}{path}?limit={}&max_id={}>; rel=\"next\"",
                self.base_url, page.limit, oldest.0
            ));
        }
        if let Some(newest) = page.items.first() {
            links.push(format!(
                "<{}{path}?limit={}&min_id={}>; rel=\"prev\"",
                self.base_url, page.limit, newest.0
            ));
        }
        let mut answer = Answer::ok(Value::Array(items));
        if !links.is_empty() {
            answer.headers.push(("Link".into(), links.join(", ")));
        }
        answer
    }

    fn post_status(&mut self, form: &[(String, String)], key: Option<&str>, now: i64) -> Answer {
        if let Some(existing) = key.and_then(|k| self.idempotency.get(k)) {
            return Answer::ok(self.render_status(*existing));
        }
        let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let text = field("status").unwrap_or_default().trim();
        if text.is_empty() {
            return Answer::error(422, "Validation failed: Text can't be blank");
        }
        let in_reply_to = match field("in_reply_to_id").filter(|v| !v.is_empty()) {
            Some(raw) => match raw.parse::<u64>().ok().filter(|i| self.statuses.contains_key(i)) {
                Some(i) => Some(i),
                None => return Answer::not_found(),
            },
            None => None,
        };
        let visibility = field("visibility").filter(|v| !v.is_empty()).unwrap_or("public").to_owned();
        let id = self.fresh_id();
        let status = Status {
            account: OWN_ID,
            text: text.to_owned(),
            in_reply_to,
            visibility,
            created_at: now,
            reblog_of: None,
            favourited: false,
        };
        self.statuses.insert(id, status);
        if let Some(k) = key {
            self.idempotency.insert(k.to_owned(), id);
        }
        Answer::ok(self.render_status(id))
    }

    fn render_account(&self, id: u64) -> Value {
        let Some(a) = self.account(id) else { return Value::Null };
        let username = a.acct.split('@').next().unwrap_or(&a.acct);
        let host =
            a.acct.split_once('@').map_or_else(|| self.base_url.clone(), |(_, d)| format!("https://{d}"));
        let avatar = if a.has_avatar {
            format!("{host}/system/accounts/avatars/{id}/original/avatar.png")
        } else {
            format!("{host}/avatars/original/missing.png")
        };
        json!({
            "id": id.to_string(),
            "username": username,
            "acct": a.acct,
            "display_name": a.display_name,
            "locked": id == OWN_ID,
            "bot": a.bot,
            "discoverable": true,
            "group": false,
            "created_at": rfc3339(a.created_at - a.created_at.rem_euclid(86_400)),
            "note": html_paragraphs(&a.note),
            "url": format!("{host}/@{username}"),
            "uri": format!("{host}/users/{username}"),
            "avatar": avatar,
            "avatar_static": avatar,
            "header": format!("{host}/headers/original/missing.png"),
            "header_static": format!("{host}/headers/original/missing.png"),
            "followers_count": a.followers_count,
            "following_count": a.following_count,
            "statuses_count": a.statuses_count,
            "last_status_at": null,
            "emojis": [],
            "fields": [],
        })
    }

    fn render_status(&self, id: u64) -> Value {
        let Some(s) = self.statuses.get(&id) else { return Value::Null };
        let author = self.render_account(s.account);
        let url = format!("{}/{}", author["url"].as_str().unwrap_or_default(), id);
        json!({
            "id": id.to_string(),
            "created_at": rfc3339(s.created_at),
            "in_reply_to_id": s.in_reply_to.map(|r| r.to_string()),
            "in_reply_to_account_id": s.in_reply_to.and_then(|r| self.statuses.get(&r)).map(|r| r.account.to_string()),
            "sensitive": false,
            "spoiler_text": "",
            "visibility": s.visibility,
            "language": "en",
            "uri": format!("{}/statuses/{id}", author["uri"].as_str().unwrap_or_default()),
            "url": url,
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": u32::from(s.favourited),
            "favourited": s.favourited,
            "reblogged": false,
            "content": html_paragraphs(&s.text),
            "reblog": s.reblog_of.map(|r| self.render_status(r)),
            "account": author,
            "media_attachments": [],
            "mentions": [],
            "tags": [],
            "emojis": [],
            "card": null,
            "poll": null,
        })
    }

    fn render_notification(&self, id: u64) -> Value {
        let Some(n) = self.notifications.get(&id) else { return Value::Null };
        let mut value = json!({
            "id": id.to_string(),
            "type": n.kind,
            "created_at": rfc3339(n.created_at),
            "group_key": format!("ungrouped-{id}"),
            "account": self.render_account(n.account),
        });
        if let Some(status) = n.status {
            value["status"] = self.render_status(status);
        }
        value
    }

    fn render_relationship(&self, id: u64) -> Value {
        json!({
            "id": id.to_string(),
            "following": self.following.values().any(|&a| a == id),
            "followed_by": self.followers.values().any(|&a| a == id),
            "requested": false,
            "requested_by": self.follow_requests.contains(&id),
            "showing_reblogs": true,
            "notifying": false,
            "blocking": false,
            "blocked_by": false,
            "muting": false,
            "muting_notifications": false,
            "domain_blocking": false,
            "endorsed": false,
            "note": "",
        })
    }
}

/// One page of `(cursor id, item)` pairs, newest first.
struct Page {
    items: Vec<(u64, u64)>,
    limit: usize,
    full: bool,
}

/// Mastodon's id pagination: `max_id` (older than), `since_id` (newer than, newest page),
/// `min_id` (newer than, the page right after it), `limit` (default 40, at most 80).
fn paginate(all: impl DoubleEndedIterator<Item = (u64, u64)>, query: &[(String, String)]) -> Page {
    let param = |name: &str| query.iter().find(|(k, _)| k == name).and_then(|(_, v)| v.parse::<u64>().ok());
    let limit =
        param("limit").map_or(DEFAULT_LIMIT, |l| usize::try_from(l).unwrap_or(MAX_LIMIT).clamp(1, MAX_LIMIT));
    let in_range = |&(id, _): &(u64, u64)| {
        param("max_id").is_none_or(|m| id < m)
            && param("since_id").is_none_or(|s| id > s)
            && param("min_id").is_none_or(|m| id > m)
    };
    let items: Vec<(u64, u64)> = if param("min_id").is_some() {
        let mut oldest_first: Vec<_> = all.filter(in_range).take(limit).collect();
        oldest_first.reverse();
        oldest_first
    } else {
        all.rev().filter(in_range).take(limit).collect()
    };
    Page { full: items.len() == limit, items, limit }
}

/// Seconds since the epoch as Mastodon writes times: `2024-05-01T12:00:00.000Z`.
pub fn rfc3339(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Plain text as Mastodon's HTML: escaped, one `<p>` per paragraph, `<br />` for line breaks.
fn html_paragraphs(text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;");
    escaped.split("\n\n").map(|p| format!("<p>{}</p>", p.replace('\n', "<br />"))).collect()
}
