//! Statuses through the API: posting (replies, visibility, direct messages, media), favourites
//! and reblogs, one status, and a person's statuses — with who may see what, as Mastodon's
//! `AccountStatusesFilter` and `StatusPolicy` decide it for the own account.

use serde_json::Value;

use super::page::{self, paged, paginate};
use super::text::hashtags;
use super::world::{Answer, Call, OWN_ID, Status, Visibility, World};

/// `Status::MEDIA_ATTACHMENTS_LIMIT`.
const MAX_ATTACHMENTS: usize = 4;

impl World {
    /// Whether the own account may see status `id`: its own, anything public or unlisted, a
    /// followers-only status of an account it follows, and anything that mentions it.
    pub fn can_see(&self, id: u64) -> bool {
        let Some(s) = self.statuses.get(&id) else { return false };
        s.account == OWN_ID
            || matches!(s.visibility, Visibility::Public | Visibility::Unlisted)
            || (s.visibility == Visibility::Private && self.is_following(OWN_ID, s.account))
            || self.mentioned(&s.text).contains(&OWN_ID)
    }

    /// The own account's direct statuses that mention account `to`, oldest first, as `(id, text)`.
    pub fn direct_messages_to(&self, to: u64) -> Vec<(u64, String)> {
        self.statuses
            .iter()
            .filter(|(_, s)| s.account == OWN_ID && s.visibility == Visibility::Direct)
            .filter(|(_, s)| self.mentioned(&s.text).contains(&to))
            .map(|(&id, s)| (id, s.text.clone()))
            .collect()
    }

    /// `POST /api/v1/statuses`.
    pub(super) fn post_status(&mut self, call: &Call<'_>) -> Answer {
        if let Some(existing) = call.idempotency_key.and_then(|k| self.idempotency.get(k)) {
            return Answer::ok(self.render_status(*existing));
        }
        let asked: Vec<&str> = call
            .form
            .iter()
            .filter(|(k, _)| k == "media_ids[]" || k == "media_ids")
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
            .collect();
        if asked.len() > MAX_ATTACHMENTS {
            return Answer::error(422, "Cannot attach more than 4 files");
        }
        let free = |raw: &&str| {
            raw.parse::<u64>().ok().and_then(|id| self.media.get(&id)).is_some_and(|m| m.status.is_none())
        };
        let missing: Vec<&str> = asked.iter().filter(|raw| !free(raw)).copied().collect();
        if !missing.is_empty() {
            let message =
                format!("Media {} not found or already attached to another post", missing.join(", "));
            return Answer::error(422, &message);
        }
        let media: Vec<u64> = asked.iter().filter_map(|raw| raw.parse().ok()).collect();
        let text = call.field("status").unwrap_or_default().trim();
        if text.is_empty() && media.is_empty() {
            return Answer::invalid("Text can't be blank");
        }
        let in_reply_to = match call.field("in_reply_to_id").filter(|v| !v.is_empty()) {
            Some(raw) => match raw.parse::<u64>().ok().filter(|&i| self.can_see(i)) {
                Some(i) => Some(i),
                None => return Answer::not_found(),
            },
            None => None,
        };
        let visibility = match call.field("visibility").filter(|v| !v.is_empty()) {
            None => Visibility::Public,
            Some(name) => match Visibility::parse(name) {
                Some(v) => v,
                None => return Answer::invalid("Visibility is not included in the list"),
            },
        };
        let id = self.fresh_id(call.now);
        let mut status = Status::new(OWN_ID, text.to_owned(), visibility, call.now);
        status.in_reply_to = in_reply_to;
        status.media = media;
        for m in &status.media {
            if let Some(upload) = self.media.get_mut(m) {
                upload.status = Some(id);
            }
        }
        self.statuses.insert(id, status);
        if let Some(k) = call.idempotency_key {
            self.idempotency.insert(k.to_owned(), id);
        }
        Answer::ok(self.render_status(id))
    }

    /// `POST /api/v1/statuses/:id/favourite`.
    pub(super) fn favourite(&mut self, raw: &str) -> Answer {
        let Some(target) = raw.parse::<u64>().ok().filter(|&i| self.can_see(i)) else {
            return Answer::not_found();
        };
        if let Some(s) = self.statuses.get_mut(&target) {
            s.favourited = true;
        }
        Answer::ok(self.render_status(target))
    }

    /// `POST /api/v1/statuses/:id/reblog`: once per status (again answers the same reblog); a
    /// reblog of a reblog reblogs the original; someone else's private or direct status may not be.
    pub(super) fn reblog(&mut self, raw: &str, now: i64) -> Answer {
        let Some(seen) = raw.parse::<u64>().ok().filter(|&i| self.can_see(i)) else {
            return Answer::not_found();
        };
        let target = self.statuses.get(&seen).and_then(|s| s.reblog_of).unwrap_or(seen);
        let Some(original) = self.statuses.get(&target) else { return Answer::not_found() };
        if original.account != OWN_ID
            && matches!(original.visibility, Visibility::Private | Visibility::Direct)
        {
            return Answer::error(403, "This action is not allowed");
        }
        let existing = self.statuses.iter().find(|(_, s)| s.account == OWN_ID && s.reblog_of == Some(target));
        let reblog = match existing {
            Some((&rid, _)) => rid,
            None => {
                let rid = self.fresh_id(now);
                let mut status = Status::new(OWN_ID, String::new(), Visibility::Public, now);
                status.reblog_of = Some(target);
                self.statuses.insert(rid, status);
                rid
            }
        };
        Answer::ok(self.render_status(reblog))
    }

    /// `GET /api/v1/accounts/:id/statuses`: what the own account may see of the account's
    /// statuses (all of its own, direct ones too, as Mastodon shows an author), newest first.
    pub(super) fn account_statuses(&self, raw: &str, call: &Call<'_>) -> Answer {
        let Some(target) = self.known_account(raw) else { return Answer::not_found() };
        let tagged =
            call.param("tagged").filter(|t| !t.is_empty()).map(|t| t.trim_start_matches('#').to_lowercase());
        let (no_replies, no_reblogs, only_media) =
            (call.flag("exclude_replies"), call.flag("exclude_reblogs"), call.flag("only_media"));
        // Nothing is ever pinned in the sandbox.
        let pinned = call.flag("pinned");
        let matching: Vec<(u64, u64)> = self
            .statuses
            .iter()
            .filter(|&(&id, s)| s.account == target && self.can_see(id) && !pinned)
            .filter(|(_, s)| !no_replies || !self.is_reply_to_other(s))
            .filter(|(_, s)| !no_reblogs || s.reblog_of.is_none())
            .filter(|(_, s)| !only_media || !s.media.is_empty())
            .filter(|(_, s)| tagged.as_ref().is_none_or(|t| hashtags(&s.text).contains(t)))
            .map(|(&id, _)| (id, id))
            .collect();
        let page = paginate(matching.into_iter(), call.query, page::STATUSES);
        let items: Vec<Value> = page.items.iter().map(|&(id, _)| self.render_status(id)).collect();
        paged(items, &page, &self.url(&format!("/api/v1/accounts/{target}/statuses")))
    }

    /// Whether `s` answers someone else: Mastodon's `without_replies` keeps self-replies (threads).
    fn is_reply_to_other(&self, s: &Status) -> bool {
        s.in_reply_to.is_some_and(|r| self.statuses.get(&r).is_none_or(|parent| parent.account != s.account))
    }
}
