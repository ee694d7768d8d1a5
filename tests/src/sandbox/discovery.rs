//! Finding people: the hashtag timeline, search, follow suggestions, familiar followers, and the
//! own account's lists and their timelines, as Mastodon 4.3 answers them.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::page::{self, Limits, paged, paginate};
use super::text::hashtags;
use super::world::{Answer, Call, OWN_ID, Status, Visibility, World};

/// `Api::V2::SearchController::RESULTS_LIMIT`, and twice it at most.
const SEARCH: Limits = Limits { default: 20, max: 40 };
/// Days of history a Tag entity carries.
const TAG_HISTORY_DAYS: i64 = 7;

impl World {
    /// Whether the own account has asked not to see `account` (blocked or muted), as feeds and
    /// search leave such accounts out.
    fn hidden(&self, account: u64) -> bool {
        self.blocking.contains(&account) || self.muting.contains(&account)
    }

    /// `GET /api/v1/timelines/tag/:hashtag`: public, original statuses carrying the tag (any
    /// case), newest first; `local`, `remote` and `only_media` narrow it.
    pub(super) fn tag_timeline(&self, raw: &str, call: &Call<'_>) -> Answer {
        let tag = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
        let tag = tag.trim_start_matches('#').to_lowercase();
        let (local, remote, only_media) = (call.flag("local"), call.flag("remote"), call.flag("only_media"));
        let matching: Vec<(u64, u64)> = self
            .statuses
            .iter()
            .filter(|(_, s)| {
                s.visibility == Visibility::Public && s.reblog_of.is_none() && !self.hidden(s.account)
            })
            .filter(|(_, s)| hashtags(&s.text).contains(&tag))
            .filter(|(_, s)| {
                let is_remote = self.account(s.account).is_some_and(|a| a.acct.contains('@'));
                let origin = if local { !is_remote } else { !remote || is_remote };
                origin && (!only_media || !s.media.is_empty())
            })
            .map(|(&id, _)| (id, id))
            .collect();
        let page = paginate(matching.into_iter(), call.query, page::STATUSES);
        let items = page.items.iter().map(|&(id, _)| self.render_status(id)).collect();
        paged(items, &page, &self.url(&format!("/api/v1/timelines/tag/{raw}")))
    }

    /// `GET /api/v2/search`: accounts whose acct, display name or bio contain `q`; statuses whose
    /// text has every word of `q` (only with full-text search on; without it only a status's URL
    /// finds it); hashtags starting with `q`. `type` picks one kind (an unknown one finds
    /// nothing, as Mastodon's `SearchService`); `limit` and `offset` page each kind. `resolve` is
    /// accepted: every account the sandbox has is already known.
    pub(super) fn search(&self, call: &Call<'_>) -> Answer {
        let Some(q) = call.param("q").map(str::trim).filter(|q| !q.is_empty()) else {
            return Answer::error(400, "param is missing or the value is empty: q");
        };
        let kind = call.param("type").filter(|t| !t.is_empty());
        let wants = |name: &str| kind.is_none_or(|k| k == name);
        let limit = SEARCH.of(call.query);
        let offset = call.param("offset").and_then(|o| o.parse::<usize>().ok()).unwrap_or(0);
        let window =
            |found: Vec<Value>| -> Vec<Value> { found.into_iter().skip(offset).take(limit).collect() };
        let accounts =
            if wants("accounts") { window(self.search_accounts(q, call.flag("following"))) } else { vec![] };
        let statuses = if wants("statuses") {
            window(self.search_statuses(q, call.param("account_id")))
        } else {
            vec![]
        };
        let hashtags = if wants("hashtags") { window(self.search_hashtags(q, call.now)) } else { vec![] };
        Answer::ok(json!({ "accounts": accounts, "statuses": statuses, "hashtags": hashtags }))
    }

    fn search_accounts(&self, q: &str, following_only: bool) -> Vec<Value> {
        let needle = q.trim_start_matches('@').to_lowercase();
        let mut found: Vec<(bool, u64)> = (1..=self.accounts.len() as u64)
            .filter(|&id| !self.blocking.contains(&id) && (!following_only || self.is_following(OWN_ID, id)))
            .filter_map(|id| {
                let a = self.account(id)?;
                let acct = a.acct.to_lowercase();
                let hit = acct.contains(&needle)
                    || a.display_name.to_lowercase().contains(&needle)
                    || a.note.to_lowercase().contains(&needle);
                hit.then_some((acct != needle, id))
            })
            .collect();
        // An exact acct comes first, as Mastodon ranks it; the rest in id order.
        found.sort();
        found.into_iter().map(|(_, id)| self.render_account(id)).collect()
    }

    fn search_statuses(&self, q: &str, account: Option<&str>) -> Vec<Value> {
        let by_url = self
            .statuses
            .keys()
            .copied()
            .find(|&id| self.can_see(id) && self.render_status(id)["url"].as_str() == Some(q));
        if let Some(id) = by_url {
            return vec![self.render_status(id)];
        }
        if !self.full_text_search {
            return Vec::new();
        }
        let words: Vec<String> = q.split_whitespace().map(str::to_lowercase).collect();
        let account = account.and_then(|a| self.known_account(a));
        self.statuses
            .iter()
            .rev()
            .filter(|&(&id, s)| self.full_text_searchable(id, s) && account.is_none_or(|a| a == s.account))
            .filter(|(_, s)| {
                let text = s.text.to_lowercase();
                words.iter().all(|w| text.contains(w.as_str()))
            })
            .map(|(&id, _)| self.render_status(id))
            .collect()
    }

    /// What Mastodon's full-text index lets the own account find: public statuses (every seeded
    /// account is `indexable`) and the statuses it wrote or was mentioned in; never reblogs.
    fn full_text_searchable(&self, id: u64, s: &Status) -> bool {
        s.reblog_of.is_none()
            && !self.hidden(s.account)
            && self.can_see(id)
            && (s.visibility == Visibility::Public
                || s.account == OWN_ID
                || self.mentioned(&s.text).contains(&OWN_ID))
    }

    fn search_hashtags(&self, q: &str, now: i64) -> Vec<Value> {
        let prefix = q.trim_start_matches('#').to_lowercase();
        let public: Vec<&Status> = self
            .statuses
            .values()
            .filter(|s| s.visibility == Visibility::Public && s.reblog_of.is_none())
            .collect();
        let mut tags: Vec<(usize, String)> = Vec::new();
        for tag in public.iter().flat_map(|s| hashtags(&s.text)).filter(|t| t.starts_with(&prefix)) {
            match tags.iter_mut().find(|(_, name)| *name == tag) {
                Some((uses, _)) => *uses += 1,
                None => tags.push((1, tag)),
            }
        }
        tags.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let today = now - now.rem_euclid(86_400);
        tags.into_iter()
            .map(|(_, name)| {
                let history: Vec<Value> = (0..TAG_HISTORY_DAYS)
                    .map(|back| {
                        let day = today - back * 86_400;
                        let that_day: Vec<&&Status> = public
                            .iter()
                            .filter(|s| (day..day + 86_400).contains(&s.created_at) && hashtags(&s.text).contains(&name))
                            .collect();
                        let accounts: BTreeSet<u64> = that_day.iter().map(|s| s.account).collect();
                        json!({ "day": day.to_string(), "uses": that_day.len().to_string(), "accounts": accounts.len().to_string() })
                    })
                    .collect();
                json!({ "name": name, "url": self.url(&format!("/tags/{name}")), "history": history, "following": false })
            })
            .collect()
    }

    /// `GET /api/v2/suggestions`: the seeded suggestions the own account does not follow, has
    /// not asked to follow, blocked or muted; `limit` 40 by default, at most 80, no pagination.
    pub(super) fn suggestions(&self, call: &Call<'_>) -> Answer {
        let items = self
            .suggestions
            .iter()
            .filter(|(id, _)| {
                *id != OWN_ID
                    && !self.is_following(OWN_ID, *id)
                    && !self.requested.contains(id)
                    && !self.hidden(*id)
            })
            .take(page::ACCOUNTS.of(call.query))
            .map(|(id, sources)| {
                let names: Vec<&str> = sources.iter().map(|s| s.as_str()).collect();
                let legacy = sources.first().map(|s| s.legacy());
                json!({ "source": legacy, "sources": names, "account": self.render_account(*id) })
            })
            .collect();
        Answer::ok(Value::Array(items))
    }

    /// `GET /api/v1/accounts/familiar_followers`: for each known `id[]`, in order, the accounts
    /// the own account follows that follow it.
    pub(super) fn familiar_followers(&self, call: &Call<'_>) -> Answer {
        let items = call
            .values("id")
            .into_iter()
            .filter_map(|raw| self.known_account(raw))
            .map(|target| {
                let accounts: Vec<Value> = self
                    .follows
                    .values()
                    .filter(|&&(follower, followed)| followed == target && follower != OWN_ID)
                    .filter(|&&(follower, _)| self.is_following(OWN_ID, follower))
                    .map(|&(follower, _)| self.render_account(follower))
                    .collect();
                json!({ "id": target.to_string(), "accounts": accounts })
            })
            .collect();
        Answer::ok(Value::Array(items))
    }

    fn list_index(&self, raw: &str) -> Option<usize> {
        raw.parse::<usize>().ok().and_then(|n| n.checked_sub(1)).filter(|&i| i < self.lists.len())
    }

    fn render_list(&self, index: usize) -> Value {
        let title = self.lists.get(index).map(|l| l.title.as_str()).unwrap_or_default();
        json!({ "id": (index + 1).to_string(), "title": title, "replies_policy": "list", "exclusive": false })
    }

    /// `GET /api/v1/lists`: every list, unpaginated.
    pub(super) fn lists(&self) -> Answer {
        Answer::ok(Value::Array((0..self.lists.len()).map(|i| self.render_list(i)).collect()))
    }

    /// `GET /api/v1/lists/:id`.
    pub(super) fn list(&self, raw: &str) -> Answer {
        match self.list_index(raw) {
            Some(i) => Answer::ok(self.render_list(i)),
            None => Answer::not_found(),
        }
    }

    /// `GET /api/v1/lists/:id/accounts`: the members, paginated (40, at most 80; `limit=0` all).
    pub(super) fn list_accounts(&self, raw: &str, call: &Call<'_>) -> Answer {
        let Some(index) = self.list_index(raw) else { return Answer::not_found() };
        let members = &self.lists[index].members;
        if call.param("limit") == Some("0") {
            return Answer::ok(Value::Array(members.iter().map(|&m| self.render_account(m)).collect()));
        }
        // The position in the list stands in for Mastodon's list-membership record id.
        let cursors = members.iter().enumerate().map(|(i, &m)| (i as u64 + 1, m));
        let page = paginate(cursors, call.query, page::ACCOUNTS);
        let items = page.items.iter().map(|&(_, m)| self.render_account(m)).collect();
        paged(items, &page, &self.url(&format!("/api/v1/lists/{}/accounts", index + 1)))
    }

    /// `GET /api/v1/timelines/list/:id`: what the own account may see of the members' statuses,
    /// reblogs included, newest first.
    pub(super) fn list_timeline(&self, raw: &str, call: &Call<'_>) -> Answer {
        let Some(index) = self.list_index(raw) else { return Answer::not_found() };
        let members = &self.lists[index].members;
        let matching: Vec<(u64, u64)> = self
            .statuses
            .iter()
            .filter(|&(&id, s)| members.contains(&s.account) && self.can_see(id))
            .filter(|(_, s)| s.visibility != Visibility::Direct)
            .map(|(&id, _)| (id, id))
            .collect();
        let page = paginate(matching.into_iter(), call.query, page::STATUSES);
        let items = page.items.iter().map(|&(id, _)| self.render_status(id)).collect();
        paged(items, &page, &self.url(&format!("/api/v1/timelines/list/{}", index + 1)))
    }
}
