//! How Graph API answers become the contract's [`PluginError`] cases, and how heavy usage is read
//! from Meta's usage headers.
//!
//! The Graph API names its failures by `error.code` in the body, not by HTTP status: throttling
//! is 4 (app), 17 (user), 32 (Page), 613 (custom) and 80001–80099 (Business Use Case); 190 is a
//! token that no longer works; 10 and 200–299 are missing permissions. Usage is reported on every
//! answer in `X-App-Usage`, `X-Page-Usage` and `X-Business-Use-Case-Usage`, as JSON percentages
//! of the quota, the last with `estimated_time_to_regain_access` in minutes. Meta throttles at
//! 100 %, so the plugin stops at [`THROTTLE_PERCENT`] instead of running into the wall.

use rapport_sdk::http::{header, status_error};
use rapport_sdk::types::PluginError;
use serde::Deserialize;
use serde_json::Value;

/// The usage percentage at which the plugin stops calling until Meta's window recovers.
pub const THROTTLE_PERCENT: f64 = 95.0;
/// Seconds to wait when Meta throttles without saying for how long: its windows are rolling
/// hours, so a quarter of one is a fair first wait.
pub const DEFAULT_WAIT_SECS: u32 = 15 * 60;
/// The headers that carry usage, as JSON.
const USAGE_HEADERS: [&str; 3] = ["x-app-usage", "x-page-usage", "x-business-use-case-usage"];
/// The percentage fields of a usage object.
const PERCENT_FIELDS: [&str; 3] = ["call_count", "total_cputime", "total_time"];

/// `{"error": {...}}`, the Graph API's error envelope.
#[derive(Debug, Deserialize)]
struct Envelope {
    error: GraphError,
}

/// The Graph API's error object.
#[derive(Debug, Default, Deserialize)]
struct GraphError {
    #[serde(default)]
    message: String,
    code: Option<i64>,
    error_subcode: Option<i64>,
    #[serde(default)]
    is_transient: bool,
}

/// How heavily the app, Page and business use their quotas, from one answer's headers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usage {
    /// The highest percentage any header reports.
    pub percent: f64,
    /// The longest `estimated_time_to_regain_access`, in minutes, if any header gives one.
    pub regain_minutes: Option<u32>,
}

impl Usage {
    /// The usage the headers report, or `None` when they carry none the plugin can read.
    pub fn from_headers(headers: &[(String, String)]) -> Option<Usage> {
        let mut usage: Option<Usage> = None;
        for name in USAGE_HEADERS {
            let Some(value) = header(headers, name).and_then(|v| serde_json::from_str::<Value>(v).ok())
            else {
                continue;
            };
            visit(&value, &mut usage);
        }
        usage
    }

    /// Seconds to wait before calling again, when usage has reached [`THROTTLE_PERCENT`].
    pub fn wait(&self) -> Option<u32> {
        if self.percent < THROTTLE_PERCENT {
            return None;
        }
        Some(self.regain_minutes.filter(|m| *m > 0).map_or(DEFAULT_WAIT_SECS, |m| m.saturating_mul(60)))
    }
}

/// Folds every usage object nested in `value` (the business header nests them by business id in
/// arrays) into `usage`.
fn visit(value: &Value, usage: &mut Option<Usage>) {
    match value {
        Value::Object(fields) => {
            let percents = PERCENT_FIELDS.iter().filter_map(|f| fields.get(*f).and_then(Value::as_f64));
            let eta = fields
                .get("estimated_time_to_regain_access")
                .and_then(Value::as_u64)
                .map(|m| u32::try_from(m).unwrap_or(u32::MAX));
            for percent in percents {
                let current = usage.get_or_insert(Usage { percent, regain_minutes: None });
                current.percent = current.percent.max(percent);
            }
            if let Some(eta) = eta {
                let current = usage.get_or_insert(Usage { percent: 0.0, regain_minutes: None });
                current.regain_minutes = Some(current.regain_minutes.map_or(eta, |m| m.max(eta)));
            }
            for nested in fields.values().filter(|v| v.is_object() || v.is_array()) {
                visit(nested, usage);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| visit(item, usage)),
        _ => {}
    }
}

/// The [`PluginError`] for an unsuccessful Graph API answer.
pub fn classify(status: u16, headers: &[(String, String)], body: &[u8], url: &str) -> PluginError {
    let Ok(Envelope { error }) = serde_json::from_slice::<Envelope>(body) else {
        return status_error(status, headers, body, url, 0);
    };
    let wait = || {
        Usage::from_headers(headers)
            .and_then(|u| u.regain_minutes)
            .map_or(DEFAULT_WAIT_SECS, |m| m.max(1) * 60)
    };
    let code = error.code.unwrap_or(0);
    let subcode = error.error_subcode.map_or(String::new(), |s| format!(", subcode {s}"));
    let message = format!("{url}: Graph API error {code}{subcode}: {}", error.message);
    match code {
        4 | 17 | 32 | 613 | 80_001..=80_099 => PluginError::RateLimited(wait()),
        190 | 102 => PluginError::Auth(format!(
            "{message}; the Page token no longer works: make a new one from a long-lived user token and store it \
             as this account's secret `page_token`"
        )),
        // A missing permission is the credential's fault, fixed once for the whole account: `auth`,
        // so the account's approved work waits for a new token instead of failing task by task.
        10 | 200..=299 => PluginError::Auth(format!(
            "{message}; the Page token lacks a permission (pages_manage_engagement, pages_manage_posts, \
             pages_read_engagement, pages_read_user_engagement, read_insights or pages_messaging): make a new \
             token that has it"
        )),
        // Meta blocked the Page from this action for a while (spam or policy enforcement).
        368 => PluginError::Denied(message),
        1 | 2 => PluginError::Transient(message),
        _ if error.is_transient => PluginError::Transient(message),
        _ => match status_error(status, headers, b"", url, 0) {
            PluginError::Transient(_) => PluginError::Transient(message),
            PluginError::Auth(_) => PluginError::Auth(message),
            PluginError::Denied(_) => PluginError::Denied(message),
            PluginError::RateLimited(secs) => PluginError::RateLimited(secs),
            PluginError::Permanent(_) => PluginError::Permanent(message),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    const URL: &str = "https://graph.facebook.com/v21.0/1/feed";

    #[test]
    fn throttle_codes_are_rate_limited_for_the_time_meta_names() {
        let body = include_bytes!("../tests/fixtures/error_17_user_limit.json");
        assert_eq!(classify(400, &[], body, URL), PluginError::RateLimited(DEFAULT_WAIT_SECS));
        let buc = headers(&[(
            "x-business-use-case-usage",
            r#"{"104857600000001":[{"type":"pages","call_count":100,"total_cputime":12,"total_time":20,"estimated_time_to_regain_access":7}]}"#,
        )]);
        assert_eq!(classify(400, &buc, body, URL), PluginError::RateLimited(420));
        for code in [4, 32, 613, 80_001] {
            let body = format!(
                r#"{{"error":{{"message":"(#{code}) limit","type":"OAuthException","code":{code}}}}}"#
            );
            assert!(
                matches!(classify(400, &[], body.as_bytes(), URL), PluginError::RateLimited(_)),
                "{code}"
            );
        }
    }

    #[test]
    fn an_expired_token_is_auth() {
        let body = include_bytes!("../tests/fixtures/error_190_expired.json");
        let PluginError::Auth(msg) = classify(400, &[], body, URL) else { unreachable!("190 is auth") };
        assert!(msg.contains("190, subcode 463") && msg.contains("page_token"), "{msg}");
    }

    #[test]
    fn missing_permissions_are_an_auth_problem() {
        let body = include_bytes!("../tests/fixtures/error_200_permission.json");
        assert!(
            matches!(classify(403, &[], body, URL), PluginError::Auth(m) if m.contains("pages_manage_engagement"))
        );
        let ten = br#"{"error":{"message":"(#10) Application does not have permission for this action","code":10}}"#;
        assert!(matches!(classify(400, &[], ten, URL), PluginError::Auth(_)));
    }

    #[test]
    fn other_codes_follow_the_body_then_the_status() {
        let deleted = include_bytes!("../tests/fixtures/error_100_deleted.json");
        assert!(
            matches!(classify(400, &[], deleted, URL), PluginError::Permanent(m) if m.contains("does not exist"))
        );
        let unexpected = include_bytes!("../tests/fixtures/error_2_unexpected.json");
        assert!(matches!(classify(500, &[], unexpected, URL), PluginError::Transient(_)));
        assert!(matches!(classify(502, &[], b"<html>Bad Gateway</html>", URL), PluginError::Transient(_)));
        assert!(matches!(classify(401, &[], b"", URL), PluginError::Auth(_)));
    }

    #[test]
    fn usage_headers_are_read_and_the_highest_figure_counts() {
        let h = headers(&[("x-app-usage", r#"{"call_count":28,"total_time":25,"total_cputime":96}"#)]);
        let usage = Usage::from_headers(&h).unwrap_or_else(|| panic!("usage present"));
        assert_eq!(usage.percent, 96.0);
        assert_eq!(usage.wait(), Some(DEFAULT_WAIT_SECS));
        let calm = headers(&[
            ("x-app-usage", r#"{"call_count":3,"total_time":1,"total_cputime":1}"#),
            ("x-page-usage", r#"{"call_count":40,"total_time":10,"total_cputime":2}"#),
        ]);
        let usage = Usage::from_headers(&calm).unwrap_or_else(|| panic!("usage present"));
        assert_eq!(usage.percent, 40.0);
        assert_eq!(usage.wait(), None);
        let buc = headers(&[(
            "X-Business-Use-Case-Usage",
            r#"{"1":[{"type":"pages","call_count":95,"total_cputime":5,"total_time":5,"estimated_time_to_regain_access":0}],
                "2":[{"type":"pages","call_count":10,"total_cputime":5,"total_time":5,"estimated_time_to_regain_access":12}]}"#,
        )]);
        assert_eq!(Usage::from_headers(&buc).and_then(|u| u.wait()), Some(720));
        assert_eq!(Usage::from_headers(&headers(&[("x-app-usage", "not json")])), None);
        assert_eq!(Usage::from_headers(&[]), None);
    }
}
