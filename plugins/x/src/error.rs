//! How X's answers become the contract's [`PluginError`] cases.
//!
//! X reports failures as RFC 7807 problem documents (`title`, `detail`, `type`, and for a tier
//! refusal `reason: "client-not-enrolled"`), and refuses work the account's API tier does not pay
//! for with 402 or 403. Those cases differ from the SDK's generic mapping; a 429's wait (X's
//! `x-rate-limit-reset`) is read by [`rapport_sdk::retry_after`], and everything else defers to
//! [`rapport_sdk::http::status_error`].

use rapport_sdk::http::{Response, status_error};
use rapport_sdk::types::PluginError;
use serde::Deserialize;

/// An RFC 7807 problem document as X sends it; every field is optional in practice.
#[derive(Debug, Default, Deserialize)]
pub struct Problem {
    /// A short summary, e.g. `Client Forbidden`.
    #[serde(default)]
    pub title: String,
    /// The explanation, e.g. why the tier does not allow the endpoint.
    #[serde(default)]
    pub detail: String,
    /// A machine-readable reason, e.g. `client-not-enrolled`.
    #[serde(default)]
    pub reason: String,
    /// The problem type URI, e.g. `https://api.twitter.com/2/problems/client-forbidden`.
    #[serde(default, rename = "type")]
    pub kind: String,
}

impl Problem {
    /// The problem in `body`, or an empty one when the body is not a problem document.
    pub fn parse(body: &[u8]) -> Problem {
        serde_json::from_slice(body).unwrap_or_default()
    }

    /// The most specific human text the problem carries.
    fn message(&self) -> &str {
        if !self.detail.is_empty() { &self.detail } else { &self.title }
    }

    /// Whether X refused because the app's API tier (or its credit balance) does not cover the call.
    pub fn is_tier_refusal(&self) -> bool {
        self.reason == "client-not-enrolled"
            || self.kind.ends_with("/client-forbidden")
            || self.kind.ends_with("/credits")
    }
}

/// `Ok(response)` for a 2xx answer, else the error it stands for; `now` is Unix seconds.
pub fn check(response: Response, now: i64) -> Result<Response, PluginError> {
    if (200..300).contains(&response.status()) {
        return Ok(response);
    }
    Err(classify(response.status(), response.headers(), response.body(), response.url(), now))
}

/// The [`PluginError`] for an unsuccessful answer from X.
pub fn classify(status: u16, headers: &[(String, String)], body: &[u8], url: &str, now: i64) -> PluginError {
    let problem = Problem::parse(body);
    match status {
        402 => PluginError::Denied(format!(
            "X answered 402 Payment Required for {url}: the app's API tier or credit balance does not cover \
             this call ({}); upgrade the tier or top up credits in the X developer portal",
            problem.message()
        )),
        403 if problem.is_tier_refusal() => PluginError::Denied(format!(
            "X refused {url} for this app's API access level ({}); the endpoint needs a higher tier in the X \
             developer portal",
            problem.message()
        )),
        403 => PluginError::Denied(format!("X refused {url}: {}", problem.message())),
        429 => PluginError::RateLimited(rapport_sdk::retry_after::seconds(headers, now)),
        _ => status_error(status, headers, body, url, now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_714_567_725;

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn payment_required_is_denied_with_the_tier_named() {
        let body = include_bytes!("../tests/fixtures/error_402_credits.json");
        let PluginError::Denied(msg) = classify(402, &[], body, "https://api.x.com/2/tweets", NOW) else {
            unreachable!("402 must be denied")
        };
        assert!(msg.contains("402") && msg.contains("tier"), "{msg}");
        assert!(msg.contains("does not have any credits"), "carries X's detail: {msg}");
    }

    #[test]
    fn client_not_enrolled_is_a_tier_refusal() {
        let body = include_bytes!("../tests/fixtures/error_403_client_not_enrolled.json");
        assert!(Problem::parse(body).is_tier_refusal());
        let err = classify(403, &[], body, "https://api.x.com/2/users/1/followers", NOW);
        assert!(matches!(err, PluginError::Denied(msg) if msg.contains("access level")));
        let plain = br#"{"title":"Forbidden","detail":"You are not allowed to reply to this Tweet.","type":"about:blank","status":403}"#;
        assert!(!Problem::parse(plain).is_tier_refusal());
        assert!(
            matches!(classify(403, &[], plain, "u", NOW), PluginError::Denied(m) if m.contains("not allowed to reply"))
        );
    }

    #[test]
    fn too_many_requests_waits_until_the_window_resets() {
        let body = include_bytes!("../tests/fixtures/error_429.json");
        let h = headers(&[
            ("x-rate-limit-limit", "300"),
            ("x-rate-limit-remaining", "0"),
            ("x-rate-limit-reset", &(NOW + 412).to_string()),
        ]);
        assert_eq!(classify(429, &h, body, "u", NOW), PluginError::RateLimited(412));
        let past = headers(&[("x-rate-limit-reset", &(NOW - 5).to_string())]);
        assert_eq!(classify(429, &past, body, "u", NOW), PluginError::RateLimited(1));
        let retry = headers(&[("retry-after", "30")]);
        assert_eq!(classify(429, &retry, body, "u", NOW), PluginError::RateLimited(30));
        assert_eq!(classify(429, &[], body, "u", NOW), PluginError::RateLimited(60));
    }

    #[test]
    fn other_statuses_follow_the_sdk_mapping() {
        let unauthorized =
            br#"{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}"#;
        assert!(matches!(classify(401, &[], unauthorized, "u", NOW), PluginError::Auth(_)));
        assert!(matches!(classify(503, &[], b"<html>", "u", NOW), PluginError::Transient(_)));
        assert!(matches!(classify(404, &[], b"", "u", NOW), PluginError::Permanent(_)));
        assert!(matches!(classify(400, &[], b"", "u", NOW), PluginError::Permanent(_)));
    }
}
