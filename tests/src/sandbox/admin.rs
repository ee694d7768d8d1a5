//! The `/_sandbox/` admin endpoints, for a test or the demo that drives a sandbox in another
//! process: faults, releases, the request record, new notifications and statuses, tokens, and
//! the direct messages sent. They are neither authenticated, faulted nor recorded.

use axum::body::Body;
use axum::http::{Method, Response};
use serde::Deserialize;

use super::{FaultRule, Inner, decode_pairs, direct_messages_to, grant, json_response, now};

#[derive(Deserialize)]
struct MentionBody {
    acct: String,
    text: String,
}

#[derive(Deserialize)]
struct FollowBody {
    acct: String,
}

#[derive(Deserialize)]
struct TokenBody {
    token: String,
    scopes: String,
}

#[derive(Deserialize)]
struct PostBody {
    acct: String,
    text: String,
    #[serde(default)]
    in_reply_to_id: Option<String>,
}

/// Answers the admin call `method path` (see the module table in `sandbox`).
pub(super) fn answer(inner: &Inner, method: &Method, path: &str, query: &str, body: &[u8]) -> Response<Body> {
    let bad = |err: serde_json::Error| json_response(400, &serde_json::json!({ "error": err.to_string() }));
    let done = || json_response(200, &serde_json::json!({}));
    match (method.as_str(), path) {
        ("POST", "/_sandbox/faults") => match serde_json::from_slice::<FaultRule>(body) {
            Ok(rule) => {
                inner.lock().faults.push(rule);
                done()
            }
            Err(err) => bad(err),
        },
        ("DELETE", "/_sandbox/faults") => {
            inner.lock().faults.clear();
            done()
        }
        ("POST", "/_sandbox/release") => {
            inner.release.send_modify(|generation| *generation += 1);
            done()
        }
        ("GET", "/_sandbox/requests") => {
            let requests = serde_json::to_value(&inner.lock().requests).unwrap_or_default();
            json_response(200, &requests)
        }
        ("POST", "/_sandbox/mention") => match serde_json::from_slice::<MentionBody>(body) {
            Ok(m) => {
                let id = inner.lock().world.add_mention(&m.acct, &m.text, now());
                json_response(200, &serde_json::json!({ "notification_id": id.to_string() }))
            }
            Err(err) => bad(err),
        },
        ("POST", "/_sandbox/follow") => match serde_json::from_slice::<FollowBody>(body) {
            Ok(f) => {
                let id = inner.lock().world.add_follower(&f.acct, now());
                json_response(200, &serde_json::json!({ "notification_id": id.to_string() }))
            }
            Err(err) => bad(err),
        },
        ("POST", "/_sandbox/post") => match serde_json::from_slice::<PostBody>(body) {
            Ok(p) => {
                let mut shared = inner.lock();
                let parent = match p.in_reply_to_id.as_deref() {
                    None => None,
                    Some(raw) => match raw
                        .parse::<u64>()
                        .ok()
                        .filter(|id| shared.world.statuses.contains_key(id))
                    {
                        Some(id) => Some(id),
                        None => {
                            return json_response(404, &serde_json::json!({ "error": "Record not found" }));
                        }
                    },
                };
                let id = shared.world.add_status(&p.acct, &p.text, parent, now());
                json_response(200, &serde_json::json!({ "status_id": id.to_string() }))
            }
            Err(err) => bad(err),
        },
        ("GET", "/_sandbox/direct") => {
            let acct = decode_pairs(query.as_bytes()).into_iter().find(|(k, _)| k == "acct").map(|(_, v)| v);
            let messages = direct_messages_to(&inner.lock().world, acct.as_deref().unwrap_or_default());
            json_response(200, &serde_json::to_value(messages).unwrap_or_default())
        }
        ("POST", "/_sandbox/tokens") => match serde_json::from_slice::<TokenBody>(body) {
            Ok(t) => match grant(inner, &t.token, &t.scopes) {
                Ok(()) => done(),
                Err(err) => json_response(400, &serde_json::json!({ "error": err.to_string() })),
            },
            Err(err) => bad(err),
        },
        _ => json_response(404, &serde_json::json!({ "error": "no such sandbox endpoint" })),
    }
}
