//! New followers, found by diffing X's follower list against the follower ids seen before.
//!
//! X has no notification for a new follower. `GET /2/users/:id/followers` lists followers newest
//! first, so the plugin reads its first page at most every [`CHECK_INTERVAL_SECS`] (the endpoint
//! allows 15 calls per 15 minutes) and reports the ids it has not seen, keeping the seen ids in
//! its store. The first read only seeds the store: the account's existing followers are not new.
//! Many API tiers refuse the endpoint (402, or 403 `client-not-enrolled`); the plugin then logs
//! once, carries on with mentions only and asks again after [`REFUSED_RETRY_SECS`], in case the
//! tier changed. A follower notification lets the daemon record the follower; X forbids
//! automated follow-back, which `describe` states, so no follow-back task results from it.

use std::collections::HashSet;

use rapport_sdk::http::Request;
use rapport_sdk::types::{Notification, NotificationKind, PluginError};
use serde::{Deserialize, Serialize};

use crate::api::{ListResponse, USER_FIELDS, User, account};
use crate::auth::{self, Client};
use rapport_sdk::env::Env;

/// The kv key of the seen follower ids.
const KNOWN_KEY: &str = "followers-known";
/// The kv key of the check bookkeeping.
const STATE_KEY: &str = "followers-state";
/// How often the follower list is read.
pub const CHECK_INTERVAL_SECS: i64 = 15 * 60;
/// How long to wait before asking again after the tier refused the endpoint.
pub const REFUSED_RETRY_SECS: i64 = 7 * 24 * 3600;
/// How many follower ids are remembered; enough to recognise everyone on the first pages, small
/// enough for the store (a re-follow by someone older than this is reported again, harmlessly).
const KNOWN_CAP: usize = 5000;
/// Followers per page, X's maximum.
const PAGE_SIZE: &str = "1000";

/// When the follower list was last read, and whether X refused it.
#[derive(Debug, Default, Serialize, Deserialize)]
struct CheckState {
    checked_at: i64,
    refused_at: Option<i64>,
}

/// The followers on `page` not in `known` (newest first) and the ids to remember; with no `known`
/// list yet, nobody is new and the page seeds it.
pub fn diff<'a>(known: Option<&[String]>, page: &'a [User]) -> (Vec<&'a User>, Vec<String>) {
    let Some(known) = known else {
        let seeded = page.iter().map(|u| u.id.clone()).take(KNOWN_CAP).collect();
        return (Vec::new(), seeded);
    };
    let seen: HashSet<&str> = known.iter().map(String::as_str).collect();
    let new: Vec<&User> = page.iter().filter(|u| !seen.contains(u.id.as_str())).collect();
    let remembered = new.iter().map(|u| u.id.clone()).chain(known.iter().cloned()).take(KNOWN_CAP).collect();
    (new, remembered)
}

/// Follow notifications for followers who arrived since the last check, or none when it is not
/// time to check, or X refuses or fails; a failure here never costs the mentions already read.
pub fn check<E: Env>(env: &mut E, client: &Client, me: &str) -> Result<Vec<Notification>, PluginError> {
    let now = env.now();
    let mut state: CheckState = env.kv_get_json(STATE_KEY).unwrap_or_default();
    let due = match state.refused_at {
        Some(refused) => now - refused >= REFUSED_RETRY_SECS,
        None => now - state.checked_at >= CHECK_INTERVAL_SECS,
    };
    if !due {
        return Ok(Vec::new());
    }
    let url = format!("{}/2/users/{me}/followers", client.api_base);
    let build = || Request::get(&url).query("max_results", PAGE_SIZE).query("user.fields", USER_FIELDS);
    let page: ListResponse<User> = match auth::send(env, client, build).and_then(|r| r.json()) {
        Ok(page) => page,
        Err(PluginError::Denied(why)) => {
            if state.refused_at.is_none() {
                env.warn(&format!("new followers cannot be reported; carrying on with mentions only: {why}"));
            }
            state.refused_at = Some(now);
            env.kv_set_json(STATE_KEY, &state)?;
            return Ok(Vec::new());
        }
        Err(PluginError::Auth(why)) => return Err(PluginError::Auth(why)),
        Err(other) => {
            env.warn(&format!("reading the follower list failed; trying again next poll: {other:?}"));
            return Ok(Vec::new());
        }
    };
    let known: Option<Vec<String>> = env.kv_get_json(KNOWN_KEY);
    let (new, remembered) = diff(known.as_deref(), &page.data);
    let notifications = new
        .into_iter()
        .map(|user| Notification {
            id: format!("follow:{}", user.id),
            kind: NotificationKind::Follow,
            // X does not say when someone followed; the check is the best date there is.
            at: now,
            account: account(user),
            post: None,
        })
        .collect();
    env.kv_set_json(KNOWN_KEY, &remembered)?;
    env.kv_set_json(STATE_KEY, &CheckState { checked_at: now, refused_at: None })?;
    Ok(notifications)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rapport_sdk::env::fake::Scripted;

    const NOW: i64 = 1_714_567_725;
    const FOLLOWERS: &str = "https://api.x.com/2/users/42/followers";

    fn users(ids: &[&str]) -> Vec<User> {
        ids.iter()
            .map(|id| User {
                id: (*id).into(),
                name: String::new(),
                username: format!("u{id}"),
                created_at: None,
                description: String::new(),
                public_metrics: None,
                profile_image_url: None,
                connection_status: Vec::new(),
            })
            .collect()
    }

    fn client() -> Client {
        Client { api_base: "https://api.x.com".into(), client_id: "c".into(), confidential: false }
    }

    fn with_session(env: Scripted) -> Scripted {
        let mut env = env;
        let session = auth::Session {
            access_token: "t".into(),
            refresh_token: None,
            expires_at: NOW + 30 * 24 * 3600,
            scopes: Vec::new(),
        };
        env.kv_set_json(auth::SESSION_KEY, &session).unwrap_or_else(|e| panic!("{e:?}"));
        env
    }

    #[test]
    fn the_first_page_seeds_without_reporting_anyone() {
        let page = users(&["3", "2", "1"]);
        let (new, known) = diff(None, &page);
        assert!(new.is_empty());
        assert_eq!(known, ["3", "2", "1"]);
    }

    #[test]
    fn only_unseen_ids_are_new_and_they_are_remembered_first() {
        let known = vec!["2".to_owned(), "1".to_owned()];
        let page = users(&["5", "4", "2", "1"]);
        let (new, remembered) = diff(Some(&known), &page);
        assert_eq!(new.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), ["5", "4"]);
        assert_eq!(remembered, ["5", "4", "2", "1"]);
        let (none, same) = diff(Some(&remembered), &page);
        assert!(none.is_empty());
        assert_eq!(same, remembered);
    }

    #[test]
    fn a_check_reports_new_followers_once_and_waits_for_the_interval() {
        let fixture = include_str!("../tests/fixtures/followers_page.json");
        let mut env = with_session(Scripted::at(NOW).expect(FOLLOWERS, 200, &[], fixture));
        env.kv_set_json(KNOWN_KEY, &["1524876381092638720"]).unwrap_or_else(|e| panic!("{e:?}"));
        let found = check(&mut env, &client(), "42").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, "follow:1600000000000000001");
        assert_eq!(found[0].kind, NotificationKind::Follow);
        assert_eq!(found[0].account.handle, "bea_new");
        assert_eq!(found[0].account.followers, Some(41));
        assert!(env.sent[0].url.contains("max_results=1000"));
        // Within the interval nothing is sent at all.
        assert!(check(&mut env, &client(), "42").unwrap_or_else(|e| panic!("{e:?}")).is_empty());
        assert_eq!(env.sent.len(), 1);
        // After it, the same page reports nobody.
        env.now += CHECK_INTERVAL_SECS;
        let mut env = env.expect(FOLLOWERS, 200, &[], fixture);
        assert!(check(&mut env, &client(), "42").unwrap_or_else(|e| panic!("{e:?}")).is_empty());
    }

    #[test]
    fn a_tier_refusal_is_logged_once_and_not_asked_again_for_a_week() {
        let refusal = include_str!("../tests/fixtures/error_403_client_not_enrolled.json");
        let mut env = with_session(Scripted::at(NOW).expect(FOLLOWERS, 403, &[], refusal));
        assert!(check(&mut env, &client(), "42").unwrap_or_else(|e| panic!("{e:?}")).is_empty());
        assert_eq!(env.warnings.borrow().len(), 1);
        env.now += CHECK_INTERVAL_SECS * 4;
        assert!(check(&mut env, &client(), "42").unwrap_or_else(|e| panic!("{e:?}")).is_empty());
        assert_eq!(env.sent.len(), 1, "not asked again within the week");
        env.now = NOW + REFUSED_RETRY_SECS;
        let payment = include_str!("../tests/fixtures/error_402_credits.json");
        let mut env = env.expect(FOLLOWERS, 402, &[], payment);
        assert!(check(&mut env, &client(), "42").unwrap_or_else(|e| panic!("{e:?}")).is_empty());
        assert_eq!(env.sent.len(), 2);
        assert_eq!(env.warnings.borrow().len(), 1, "the refusal was already logged");
    }

    #[test]
    fn a_passing_failure_costs_nothing_but_this_check() {
        let mut env = with_session(Scripted::at(NOW).expect(FOLLOWERS, 503, &[], "over capacity"));
        assert!(check(&mut env, &client(), "42").unwrap_or_else(|e| panic!("{e:?}")).is_empty());
        let mut env = env.expect(FOLLOWERS, 200, &[], include_str!("../tests/fixtures/followers_page.json"));
        check(&mut env, &client(), "42").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(env.sent.len(), 2, "a failed check does not wait out the interval");
    }
}
