//! The follow graph through the API: relationships for many ids, any account's followers and
//! followings, and following — with locked accounts' requests and blocks — as Mastodon 4.3 does.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::page::{self, paged, paginate};
use super::world::{Answer, Call, OWN_ID, World};

impl World {
    /// `GET /api/v1/accounts/relationships`: one per known id, in the order asked, as many as
    /// asked (Mastodon 4.3's controller sets no cap).
    pub(super) fn relationships(&self, call: &Call<'_>) -> Answer {
        let mut seen = BTreeSet::new();
        let items = call
            .values("id")
            .into_iter()
            .filter_map(|raw| self.known_account(raw))
            .filter(|&i| seen.insert(i))
            .map(|i| self.render_relationship(i))
            .collect();
        Answer::ok(Value::Array(items))
    }

    /// The followers or the followings of any account, most recent follow first.
    pub(super) fn follow_list(&self, account: &str, list: &str, call: &Call<'_>) -> Answer {
        let Some(target) = self.known_account(account) else { return Answer::not_found() };
        let records = self.follows.iter().filter_map(|(&record, &(follower, followed))| {
            if list == "followers" && followed == target {
                Some((record, follower))
            } else if list == "following" && follower == target {
                Some((record, followed))
            } else {
                None
            }
        });
        let records: Vec<(u64, u64)> = records.collect();
        let page = paginate(records.into_iter(), call.query, page::ACCOUNTS);
        let items = page.items.iter().map(|&(_, a)| self.render_account(a)).collect();
        paged(items, &page, &self.url(&format!("/api/v1/accounts/{target}/{list}")))
    }

    /// Follows or unfollows: a locked account gets a pending request, a blocked one is refused
    /// as Mastodon's `FollowService` refuses it.
    pub(super) fn follow_call(&mut self, account: &str, action: &str, now: i64) -> Answer {
        let Some(target) = self.known_account(account).filter(|&i| i != OWN_ID) else {
            return Answer::not_found();
        };
        if action == "unfollow" {
            self.follows.retain(|_, pair| *pair != (OWN_ID, target));
            self.requested.remove(&target);
        } else if self.blocking.contains(&target) {
            return Answer::error(403, "This action is not allowed");
        } else if self.account(target).is_some_and(|a| a.locked) {
            if !self.is_following(OWN_ID, target) {
                self.requested.insert(target);
            }
        } else {
            self.follow(OWN_ID, target, now);
        }
        Answer::ok(self.render_relationship(target))
    }

    /// How the own account stands to account `id`.
    pub fn render_relationship(&self, id: u64) -> Value {
        json!({
            "id": id.to_string(),
            "following": self.is_following(OWN_ID, id),
            "followed_by": self.is_following(id, OWN_ID),
            "requested": self.requested.contains(&id),
            "requested_by": self.follow_requests.contains(&id),
            "showing_reblogs": self.is_following(OWN_ID, id),
            "notifying": false,
            "languages": null,
            "blocking": self.blocking.contains(&id),
            "blocked_by": false,
            "muting": self.muting.contains(&id),
            "muting_notifications": self.muting.contains(&id),
            "domain_blocking": false,
            "endorsed": false,
            "note": "",
        })
    }
}
