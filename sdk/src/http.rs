//! Outbound HTTP over the host's `http.send` import: a request builder and a response with JSON,
//! header, `Link` and status helpers.
//!
//! The host performs the request under the account's egress policy and substitutes secrets named
//! as `{{secret:NAME}}`, so [`Request::bearer_secret`] is how a plugin authenticates without ever
//! holding a token. [`status_error`] is the one place that turns an HTTP status into the
//! [`PluginError`] case the daemon's retry policy switches on, so every plugin classifies alike.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::bindings::rapport::platform::http as wire;
pub use crate::bindings::rapport::platform::http::{HttpError, Method};
use crate::types::PluginError;

/// An HTTP request under construction; finish it with [`Request::send`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct Request {
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// A builder step that failed (e.g. a body that would not encode), reported by `send` so that
    /// the chain stays free of `?`.
    error: Option<String>,
}

impl Request {
    /// A request with `method` to the absolute `url`.
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Request { method, url: url.into(), headers: Vec::new(), body: Vec::new(), error: None }
    }

    /// A `GET` request.
    pub fn get(url: impl Into<String>) -> Self {
        Self::new(Method::Get, url)
    }

    /// A `POST` request.
    pub fn post(url: impl Into<String>) -> Self {
        Self::new(Method::Post, url)
    }

    /// A `PUT` request.
    pub fn put(url: impl Into<String>) -> Self {
        Self::new(Method::Put, url)
    }

    /// A `PATCH` request.
    pub fn patch(url: impl Into<String>) -> Self {
        Self::new(Method::Patch, url)
    }

    /// A `DELETE` request.
    pub fn delete(url: impl Into<String>) -> Self {
        Self::new(Method::Delete, url)
    }

    /// Adds a header (repeated names are sent repeatedly).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds `Authorization: Bearer {{secret:NAME}}`; the host substitutes the account's secret.
    pub fn bearer_secret(self, secret_name: &str) -> Self {
        self.header("Authorization", format!("Bearer {{{{secret:{secret_name}}}}}"))
    }

    /// Appends a query parameter, percent-encoding both name and value.
    pub fn query(mut self, name: &str, value: impl AsRef<str>) -> Self {
        let separator = if self.url.contains('?') { '&' } else { '?' };
        self.url.push(separator);
        percent_encode_into(&mut self.url, name);
        self.url.push('=');
        percent_encode_into(&mut self.url, value.as_ref());
        self
    }

    /// Sets a JSON body and its `Content-Type`.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.body = bytes,
            Err(err) => self.error = Some(format!("cannot encode the JSON body for {}: {err}", self.url)),
        }
        self.header("Content-Type", "application/json")
    }

    /// Sets an `application/x-www-form-urlencoded` body from name/value pairs.
    pub fn form<K: AsRef<str>, V: AsRef<str>>(mut self, fields: &[(K, V)]) -> Self {
        let mut body = String::new();
        for (i, (name, value)) in fields.iter().enumerate() {
            if i > 0 {
                body.push('&');
            }
            percent_encode_into(&mut body, name.as_ref());
            body.push('=');
            percent_encode_into(&mut body, value.as_ref());
        }
        self.body = body.into_bytes();
        self.header("Content-Type", "application/x-www-form-urlencoded")
    }

    /// Sets a raw body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// The URL as built so far, query included.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The headers as built so far.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The body as built so far.
    pub fn body_bytes(&self) -> &[u8] {
        &self.body
    }

    /// Sends the request through the host and waits for the whole response.
    ///
    /// Any status is a response here; use [`Response::check`] to turn error statuses into a
    /// [`PluginError`].
    pub fn send(self) -> Result<Response, HttpError> {
        if let Some(message) = self.error {
            return Err(HttpError::Invalid(message));
        }
        let url = self.url.clone();
        let request =
            wire::Request { method: self.method, url: self.url, headers: self.headers, body: self.body };
        let response = wire::send(&request)?;
        Ok(Response { url, status: response.status, headers: response.headers, body: response.body })
    }
}

/// A whole HTTP response, after any redirects the host followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    url: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    /// A response built by hand, for testing code that consumes responses.
    pub fn new(url: impl Into<String>, status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        Response { url: url.into(), status, headers, body }
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The URL the request was sent to (named in error messages).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The first value of header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// All headers, names in lower case.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The raw body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body as text, with invalid UTF-8 replaced.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The target of the `Link` header's relation `rel` (e.g. `next`), if present.
    pub fn link(&self, rel: &str) -> Option<&str> {
        self.headers
            .iter()
            .filter(|(name, _)| name.eq_ignore_ascii_case("link"))
            .find_map(|(_, value)| link_target(value, rel))
    }

    /// `Ok(self)` for a success status, else the [`PluginError`] that [`status_error`] assigns.
    ///
    /// The host's clock is read only for a 429, to turn a reset timestamp into seconds.
    pub fn check(self) -> Result<Self, PluginError> {
        if is_success(self.status) {
            return Ok(self);
        }
        let now = if self.status == 429 { crate::clock::now() } else { 0 };
        Err(status_error(self.status, &self.headers, &self.body, &self.url, now))
    }

    /// The body parsed as JSON.
    ///
    /// A body that does not parse is `Transient`: it is nearly always a proxy's error page or a
    /// cut-off response, which a later try gets right.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, PluginError> {
        serde_json::from_slice(&self.body).map_err(|err| {
            PluginError::Transient(format!(
                "{} answered {} with a body that is not the expected JSON ({err})",
                self.url, self.status
            ))
        })
    }

    /// The body parsed as the JSON page a read call (`call`, e.g. `own-posts`) expects.
    ///
    /// Unlike [`Response::json`], a page that does not parse is `Permanent`, naming the call: the
    /// 0.2 reads are asked again on their own schedule, so retrying at once gains nothing, and
    /// a proposer must hear that this platform answers this call with what it cannot read.
    pub fn page<T: DeserializeOwned>(&self, call: &str) -> Result<T, PluginError> {
        serde_json::from_slice(&self.body).map_err(|err| {
            PluginError::Permanent(format!(
                "{call}: {} answered {} with a page that is not the expected JSON ({err})",
                self.url, self.status
            ))
        })
    }
}

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// The first value of header `name` (case-insensitive) in `headers`.
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// The [`PluginError`] an unsuccessful HTTP status stands for.
///
/// 401 → `Auth` (a person must fix the token); 403 for a missing OAuth scope (see
/// [`is_insufficient_scope`]) → `Auth` too, since a person fixes it once for the whole account;
/// any other 403 → `Denied` (the token works but may not do this); 404 and 410 → `Permanent` (gone); 408 → `Transient`; 429 → `RateLimited` with the wait
/// from [`crate::retry_after::seconds`]; other 4xx → `Permanent`; 5xx and anything else → `Transient`. The message
/// names the URL and carries the start of the body, which is where platforms put their reason.
/// `now` is seconds since the Unix epoch, used only to read a 429's reset timestamp.
pub fn status_error(
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    url: &str,
    now: i64,
) -> PluginError {
    let reason = body_excerpt(body);
    let message = if reason.is_empty() {
        format!("{url} answered HTTP {status}")
    } else {
        format!("{url} answered HTTP {status}: {reason}")
    };
    match status {
        401 => PluginError::Auth(message),
        403 if is_insufficient_scope(headers, body) => {
            PluginError::Auth(format!("the token lacks a permission (scope) this needs: {message}"))
        }
        403 => PluginError::Denied(message),
        404 | 410 => PluginError::Permanent(message),
        408 => PluginError::Transient(message),
        429 => PluginError::RateLimited(crate::retry_after::seconds(headers, now)),
        400..=499 => PluginError::Permanent(message),
        _ => PluginError::Transient(message),
    }
}

/// Whether a 403 refuses the token for a scope it lacks rather than the request itself: RFC 6750's
/// `WWW-Authenticate: Bearer error="insufficient_scope"`, or the bodies servers send instead
/// (Mastodon's Doorkeeper: "This action is outside the authorized scopes"; others say
/// "insufficient scope").
pub fn is_insufficient_scope(headers: &[(String, String)], body: &[u8]) -> bool {
    if header(headers, "www-authenticate").is_some_and(|v| v.contains("insufficient_scope")) {
        return true;
    }
    let start = &body[..body.len().min(512)];
    let text = String::from_utf8_lossy(start).to_ascii_lowercase();
    text.contains("outside the authorized scopes") || text.contains("insufficient scope")
}

/// The URL of relation `rel` in one `Link` header value (RFC 8288), e.g.
/// `<https://h/api/v1/notifications?max_id=7>; rel="next", <…>; rel="prev"`.
pub fn link_target<'a>(value: &'a str, rel: &str) -> Option<&'a str> {
    value.split(',').find_map(|part| {
        let (target, params) = part.trim().strip_prefix('<')?.split_once('>')?;
        let matches = params.split(';').any(|param| {
            param.trim().strip_prefix("rel=").is_some_and(|rels| {
                rels.trim_matches('"').split_ascii_whitespace().any(|r| r.eq_ignore_ascii_case(rel))
            })
        });
        matches.then_some(target)
    })
}

/// The value of query parameter `name` in `url`, percent-decoded; `None` if absent or not UTF-8.
///
/// For reading pagination ids out of `Link` targets without trusting the rest of the URL.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(key)? == name).then(|| percent_decode(value)).flatten()
    })
}

/// Decodes `%XX` escapes and `+` (a space in query strings); `None` for a malformed escape or a
/// result that is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Appends `s` percent-encoded for a query or form component: everything but RFC 3986's unreserved
/// characters is escaped, which every server decodes alike.
pub fn percent_encode_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in s.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
    }
}

/// The start of an error body, on one line, for an error message.
fn body_excerpt(body: &[u8]) -> String {
    const MAX_CHARS: usize = 200;
    let text = String::from_utf8_lossy(body);
    let mut excerpt: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some((cut, _)) = excerpt.char_indices().nth(MAX_CHARS) {
        excerpt.truncate(cut);
        excerpt.push('…');
    }
    excerpt
}

impl From<HttpError> for PluginError {
    /// A host refusal is `Denied`, an oversized or malformed request `Permanent`, and a timeout or
    /// connection fault `Transient`.
    fn from(err: HttpError) -> Self {
        match err {
            HttpError::Denied(why) => PluginError::Denied(format!("the host refused the request: {why}")),
            HttpError::TooLarge(why) => {
                PluginError::Permanent(format!("request or response too large: {why}"))
            }
            HttpError::Timeout => PluginError::Transient("the request timed out".to_owned()),
            HttpError::Connection(why) => PluginError::Transient(format!("connection failed: {why}")),
            HttpError::Invalid(why) => PluginError::Permanent(format!("invalid request: {why}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn query_appends_and_percent_encodes() {
        let req = Request::get("https://h/api/v1/search").query("q", "a b&c=d/é").query("id[]", "7");
        assert_eq!(req.url(), "https://h/api/v1/search?q=a%20b%26c%3Dd%2F%C3%A9&id%5B%5D=7");
        let req = Request::get("https://h/x?limit=80").query("max_id", "5");
        assert_eq!(req.url(), "https://h/x?limit=80&max_id=5");
    }

    #[test]
    fn bearer_secret_names_the_secret_not_a_value() {
        let req = Request::get("https://h/").bearer_secret("token");
        assert_eq!(req.headers(), &[("Authorization".to_owned(), "Bearer {{secret:token}}".to_owned())]);
    }

    #[test]
    fn form_and_json_set_body_and_content_type() {
        let req = Request::post("https://h/").form(&[("status", "hi @ann!"), ("visibility", "public")]);
        assert_eq!(req.body_bytes(), b"status=hi%20%40ann%21&visibility=public");
        assert_eq!(header(req.headers(), "content-type"), Some("application/x-www-form-urlencoded"));
        let req = Request::post("https://h/").json(&serde_json::json!({"a": 1}));
        assert_eq!(req.body_bytes(), br#"{"a":1}"#);
        assert_eq!(header(req.headers(), "Content-Type"), Some("application/json"));
    }

    #[test]
    fn statuses_map_to_the_error_cases() {
        let none = headers(&[]);
        assert!(matches!(status_error(401, &none, b"", "u", 0), PluginError::Auth(_)));
        assert!(matches!(status_error(403, &none, b"", "u", 0), PluginError::Denied(_)));
        assert!(matches!(status_error(404, &none, b"", "u", 0), PluginError::Permanent(_)));
        assert!(matches!(status_error(422, &none, b"", "u", 0), PluginError::Permanent(_)));
        assert!(matches!(status_error(503, &none, b"", "u", 0), PluginError::Transient(_)));
        assert_eq!(status_error(429, &none, b"", "u", 0), PluginError::RateLimited(60));
        let PluginError::Permanent(msg) =
            status_error(422, &none, br#"{"error":"Text too long"}"#, "https://h/s", 0)
        else {
            unreachable!("422 is permanent, checked above")
        };
        assert_eq!(msg, r#"https://h/s answered HTTP 422: {"error":"Text too long"}"#);
    }

    #[test]
    fn a_missing_scope_is_an_auth_problem_not_a_refused_request() {
        let none = headers(&[]);
        let doorkeeper = br#"{"error":"This action is outside the authorized scopes"}"#;
        assert!(matches!(status_error(403, &none, doorkeeper, "u", 0), PluginError::Auth(_)));
        let rfc6750 = headers(&[("www-authenticate", r#"Bearer error="insufficient_scope", scope="read""#)]);
        assert!(matches!(status_error(403, &rfc6750, b"", "u", 0), PluginError::Auth(_)));
        let blocked = br#"{"error":"You are not allowed to do that"}"#;
        assert!(matches!(status_error(403, &none, blocked, "u", 0), PluginError::Denied(_)));
    }

    #[test]
    fn link_header_relations_are_found() {
        let value = r#"<https://h/api/v1/notifications?max_id=34>; rel="next", <https://h/api/v1/notifications?min_id=50>; rel="prev""#;
        assert_eq!(link_target(value, "next"), Some("https://h/api/v1/notifications?max_id=34"));
        assert_eq!(link_target(value, "prev"), Some("https://h/api/v1/notifications?min_id=50"));
        assert_eq!(link_target(value, "last"), None);
        let resp = Response::new("u", 200, headers(&[("link", value)]), Vec::new());
        assert_eq!(resp.link("next"), Some("https://h/api/v1/notifications?max_id=34"));
    }

    #[test]
    fn query_params_are_read_back_decoded() {
        let url = "https://h/api/v1/notifications?limit=80&max_id=34&q=a%20b+c&types%5B%5D=x#frag";
        assert_eq!(query_param(url, "max_id").as_deref(), Some("34"));
        assert_eq!(query_param(url, "q").as_deref(), Some("a b c"));
        assert_eq!(query_param(url, "types[]").as_deref(), Some("x"));
        assert_eq!(query_param(url, "min_id"), None);
        assert_eq!(query_param("https://h/x?bad=%zz", "bad"), None);
        assert_eq!(query_param("https://h/x", "a"), None);
    }

    #[test]
    fn malformed_json_is_a_transient_error_not_a_panic() {
        let resp = Response::new("https://h/x", 200, Vec::new(), b"<html>oops".to_vec());
        let err = resp.json::<serde_json::Value>().err();
        assert!(matches!(err, Some(PluginError::Transient(msg)) if msg.contains("https://h/x")));
    }

    #[test]
    fn host_errors_map_to_plugin_errors() {
        assert!(matches!(PluginError::from(HttpError::Timeout), PluginError::Transient(_)));
        assert!(matches!(PluginError::from(HttpError::Denied("x".into())), PluginError::Denied(_)));
    }
}
