//! How XRPC answers become the contract's [`PluginError`] cases.
//!
//! XRPC reports failures as `{"error": "Name", "message": "…"}`. One thing differs from the SDK's
//! generic status mapping: an expired access token comes back as 400 *or* 401 with
//! `ExpiredToken`, which the client answers by refreshing the session rather than giving up. The
//! wait after a 429 (the PDS sends `ratelimit-reset` as a Unix timestamp) is read by
//! [`rapport_sdk::retry_after`].

use rapport_sdk::types::PluginError;
use serde::Deserialize;

/// An XRPC error body; both fields are optional in practice.
#[derive(Debug, Default, Deserialize)]
pub struct XrpcError {
    /// The error name, e.g. `ExpiredToken`, `RecordNotFound`, `InvalidRequest`.
    #[serde(default)]
    pub error: String,
    /// The human explanation.
    #[serde(default)]
    pub message: String,
}

impl XrpcError {
    /// The error in `body`, or an empty one when the body is not an XRPC error.
    pub fn parse(body: &[u8]) -> XrpcError {
        serde_json::from_slice(body).unwrap_or_default()
    }
}

/// What an unsuccessful XRPC answer means to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The access token expired: refresh the session and try once more.
    ExpiredToken,
    /// The token was not accepted at all (revoked, malformed, missing): refresh, then log in again.
    BadToken(PluginError),
    /// Anything else, final for this call.
    Error(PluginError),
}

impl Failure {
    /// The contract error this failure ends as when retrying did not help.
    pub fn into_error(self, url: &str) -> PluginError {
        match self {
            Failure::ExpiredToken => {
                PluginError::Auth(format!("{url}: the Bluesky session expired and could not be renewed"))
            }
            Failure::BadToken(err) | Failure::Error(err) => err,
        }
    }
}

/// Classifies an unsuccessful answer; `now` is Unix seconds (read only for a 429).
///
/// `ExpiredToken` → refresh; 401, `AuthRequired`, `InvalidToken`, `AuthenticationRequired` →
/// `auth` (after a refresh); 403 → `denied`; 429 → `rate-limited`; 408 and 5xx → `transient`;
/// other 4xx (`RecordNotFound`, `InvalidRequest`, 404) → `permanent`.
pub fn classify(status: u16, headers: &[(String, String)], body: &[u8], url: &str, now: i64) -> Failure {
    let xrpc = XrpcError::parse(body);
    let message = if xrpc.error.is_empty() && xrpc.message.is_empty() {
        format!("{url} answered HTTP {status}")
    } else {
        format!("{url} answered HTTP {status}: {} {}", xrpc.error, xrpc.message).trim_end().to_owned()
    };
    if xrpc.error == "ExpiredToken" {
        return Failure::ExpiredToken;
    }
    if status == 401
        || matches!(xrpc.error.as_str(), "AuthRequired" | "InvalidToken" | "AuthenticationRequired")
    {
        return Failure::BadToken(PluginError::Auth(message));
    }
    Failure::Error(match status {
        403 => PluginError::Denied(message),
        408 => PluginError::Transient(message),
        429 => PluginError::RateLimited(rapport_sdk::retry_after::seconds(headers, now)),
        400..=499 => PluginError::Permanent(message),
        _ => PluginError::Transient(message),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn error_of(status: u16, body: &str) -> Failure {
        classify(status, &[], body.as_bytes(), "https://pds/xrpc/x", 0)
    }

    #[test]
    fn expired_tokens_ask_for_a_refresh_whatever_the_status() {
        let body = r#"{"error":"ExpiredToken","message":"Token has expired"}"#;
        assert_eq!(error_of(400, body), Failure::ExpiredToken);
        assert_eq!(error_of(401, body), Failure::ExpiredToken);
    }

    #[test]
    fn refused_tokens_are_auth_errors() {
        for body in [
            r#"{"error":"AuthRequired","message":"Authentication Required"}"#,
            r#"{"error":"InvalidToken","message":"Token could not be verified"}"#,
            "",
        ] {
            assert!(matches!(error_of(401, body), Failure::BadToken(PluginError::Auth(_))), "{body}");
        }
        assert!(matches!(
            error_of(400, r#"{"error":"InvalidToken"}"#),
            Failure::BadToken(PluginError::Auth(_))
        ));
    }

    #[test]
    fn missing_records_and_bad_requests_are_permanent_and_say_why() {
        let Failure::Error(PluginError::Permanent(msg)) =
            error_of(400, r#"{"error":"RecordNotFound","message":"Could not locate record"}"#)
        else {
            panic!("RecordNotFound must be permanent")
        };
        assert_eq!(msg, "https://pds/xrpc/x answered HTTP 400: RecordNotFound Could not locate record");
        assert!(matches!(
            error_of(400, r#"{"error":"InvalidRequest"}"#),
            Failure::Error(PluginError::Permanent(_))
        ));
        assert!(matches!(error_of(404, "not found"), Failure::Error(PluginError::Permanent(_))));
    }

    #[test]
    fn server_faults_are_transient_and_403_denied() {
        assert!(matches!(error_of(502, "<html>bad gateway"), Failure::Error(PluginError::Transient(_))));
        assert!(matches!(
            error_of(500, r#"{"error":"InternalServerError"}"#),
            Failure::Error(PluginError::Transient(_))
        ));
        assert!(matches!(error_of(403, r#"{"error":"Forbidden"}"#), Failure::Error(PluginError::Denied(_))));
    }

    #[test]
    fn rate_limits_read_the_reset_timestamp() {
        let now = 1_714_567_725;
        let limited = |h: &[(&str, &str)]| classify(429, &headers(h), b"", "u", now);
        assert_eq!(
            limited(&[
                ("ratelimit-limit", "30"),
                ("ratelimit-remaining", "0"),
                ("ratelimit-reset", "1714567845")
            ]),
            Failure::Error(PluginError::RateLimited(120))
        );
        assert_eq!(
            limited(&[("retry-after", "7"), ("ratelimit-reset", "1714567845")]),
            Failure::Error(PluginError::RateLimited(7))
        );
        assert_eq!(limited(&[("ratelimit-reset", "30")]), Failure::Error(PluginError::RateLimited(30)));
        assert_eq!(
            limited(&[("ratelimit-reset", "1714567000")]),
            Failure::Error(PluginError::RateLimited(1))
        );
        assert_eq!(limited(&[]), Failure::Error(PluginError::RateLimited(60)));
    }
}
