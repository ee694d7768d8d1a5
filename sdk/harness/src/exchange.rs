//! Scripted HTTP exchanges: what request a plugin is expected to send, and what it gets back.
//!
//! An [`Exchange`] pairs an [`ExpectedRequest`] (method, URL and optional header and body checks)
//! with a canned [`Answer`]. URLs are compared by scheme, host, port and path; the expected URL's
//! query parameters must all be present with the same (decoded) values, in any order, so a test
//! names the parameters it cares about and not every field list a plugin appends.

use std::fmt;
use std::sync::Arc;

use rapport_host::egress::transport::{Method, TransportError, TransportRequest, TransportResponse};
use url::Url;

/// A predicate over a request body.
type BodyPredicate = Arc<dyn Fn(&[u8]) -> bool + Send + Sync>;

/// A check on a request body, with the words that describe it in a mismatch report.
#[derive(Clone)]
struct BodyCheck {
    description: String,
    check: BodyPredicate,
}

/// The request a plugin is expected to send next; finish it with [`respond`](Self::respond) and friends.
#[derive(Clone)]
pub struct ExpectedRequest {
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    absent_query: Vec<String>,
    body: Vec<BodyCheck>,
}

/// What the scripted server does with a matching request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Answers with this response.
    Respond(TransportResponse),
    /// Fails the exchange as the network would (timeout, connection reset, …).
    Fail(TransportError),
}

/// One scripted exchange: an expected request and its canned answer.
#[derive(Clone)]
pub struct Exchange {
    /// The request that must come next.
    pub request: ExpectedRequest,
    /// What the plugin gets back.
    pub answer: Answer,
}

impl Exchange {
    /// Expects a `GET` of `url`.
    pub fn get(url: impl Into<String>) -> ExpectedRequest {
        ExpectedRequest::new(Method::Get, url)
    }

    /// Expects a `POST` to `url`.
    pub fn post(url: impl Into<String>) -> ExpectedRequest {
        ExpectedRequest::new(Method::Post, url)
    }

    /// Expects a `PUT` to `url`.
    pub fn put(url: impl Into<String>) -> ExpectedRequest {
        ExpectedRequest::new(Method::Put, url)
    }

    /// Expects a `PATCH` to `url`.
    pub fn patch(url: impl Into<String>) -> ExpectedRequest {
        ExpectedRequest::new(Method::Patch, url)
    }

    /// Expects a `DELETE` of `url`.
    pub fn delete(url: impl Into<String>) -> ExpectedRequest {
        ExpectedRequest::new(Method::Delete, url)
    }
}

impl fmt::Debug for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} → ", self.request)?;
        match &self.answer {
            Answer::Respond(response) => write!(f, "HTTP {}", response.status),
            Answer::Fail(error) => write!(f, "failure {error:?}"),
        }
    }
}

impl ExpectedRequest {
    /// Expects `method` on `url`.
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Self { method, url: url.into(), headers: Vec::new(), absent_query: Vec::new(), body: Vec::new() }
    }

    /// Also requires header `name` (case-insensitive) with exactly `value`, as sent after the
    /// host substituted secrets.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into().to_ascii_lowercase(), value.into()));
        self
    }

    /// Also requires that the query has no parameter `name` (e.g. no cursor on a first read).
    pub fn without_query(mut self, name: impl Into<String>) -> Self {
        self.absent_query.push(name.into());
        self
    }

    /// Also requires the body to contain `text` (after secret substitution).
    pub fn with_body_contains(self, text: impl Into<String>) -> Self {
        let text = text.into();
        let needle = text.clone().into_bytes();
        self.with_body_matching(format!("body contains {text:?}"), move |body| {
            needle.is_empty() || body.windows(needle.len()).any(|w| w == needle.as_slice())
        })
    }

    /// Also requires `check` to accept the body; `description` names the check in a mismatch report.
    pub fn with_body_matching(
        mut self,
        description: impl Into<String>,
        check: impl Fn(&[u8]) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.body.push(BodyCheck { description: description.into(), check: Arc::new(check) });
        self
    }

    /// Answers with `status` and `body`, no headers.
    pub fn respond(self, status: u16, body: impl Into<Vec<u8>>) -> Exchange {
        self.respond_with_headers(status, &[], body)
    }

    /// Answers with `status`, `headers` (names are lower-cased, as the host delivers them) and `body`.
    pub fn respond_with_headers(
        self,
        status: u16,
        headers: &[(&str, &str)],
        body: impl Into<Vec<u8>>,
    ) -> Exchange {
        let headers = headers.iter().map(|(n, v)| (n.to_ascii_lowercase(), (*v).to_owned())).collect();
        self.answer(Answer::Respond(TransportResponse { status, headers, body: body.into() }))
    }

    /// Fails the exchange as the network would, e.g. `TransportError::Timeout`.
    pub fn fail(self, error: TransportError) -> Exchange {
        self.answer(Answer::Fail(error))
    }

    /// Answers with `answer`.
    pub fn answer(self, answer: Answer) -> Exchange {
        Exchange { request: self, answer }
    }

    /// Why `request` does not match, or `None` when it does.
    pub(crate) fn mismatch(&self, request: &TransportRequest) -> Option<String> {
        if self.method != request.method {
            return Some(format!(
                "method {} instead of {}",
                method_name(request.method),
                method_name(self.method)
            ));
        }
        let Ok(expected) = Url::parse(&self.url) else {
            return Some(format!("the script's URL {:?} does not parse; fix the test", self.url));
        };
        let Ok(actual) = Url::parse(&request.url) else {
            return Some(format!("the request URL {:?} does not parse", request.url));
        };
        if expected.scheme() != actual.scheme()
            || expected.host_str() != actual.host_str()
            || expected.port_or_known_default() != actual.port_or_known_default()
            || expected.path() != actual.path()
        {
            return Some("a different URL".to_owned());
        }
        let sent: Vec<(String, String)> = actual.query_pairs().into_owned().collect();
        for (name, value) in expected.query_pairs() {
            if !sent.iter().any(|(n, v)| *n == *name && *v == *value) {
                return Some(format!("query parameter {name}={value} missing"));
            }
        }
        if let Some(name) = self.absent_query.iter().find(|name| sent.iter().any(|(n, _)| n == *name)) {
            return Some(format!("query parameter {name} present but expected absent"));
        }
        for (name, value) in &self.headers {
            match header(&request.headers, name) {
                Some(sent) if sent == value => {}
                Some(sent) => return Some(format!("header {name}: {sent:?} instead of {value:?}")),
                None => return Some(format!("header {name} missing")),
            }
        }
        self.body
            .iter()
            .find(|check| !(check.check)(&request.body))
            .map(|check| format!("{} does not hold", check.description))
    }
}

impl fmt::Display for ExpectedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", method_name(self.method), self.url)?;
        for (name, value) in &self.headers {
            write!(f, " [{name}: {value}]")?;
        }
        for name in &self.absent_query {
            write!(f, " [no ?{name}]")?;
        }
        for check in &self.body {
            write!(f, " [{}]", check.description)?;
        }
        Ok(())
    }
}

/// A request as it reached the scripted server: after grant checks and secret substitution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL.
    pub url: String,
    /// Header names (lower case) and values, secrets substituted.
    pub headers: Vec<(String, String)>,
    /// The body, secrets substituted.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    pub(crate) fn from_transport(request: &TransportRequest) -> Self {
        Self {
            method: request.method,
            url: request.url.clone(),
            headers: request.headers.clone(),
            body: request.body.clone(),
        }
    }

    /// The value of header `name` (case-insensitive), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }

    /// The decoded value of query parameter `name`, if present.
    pub fn query(&self, name: &str) -> Option<String> {
        let url = Url::parse(&self.url).ok()?;
        url.query_pairs().find(|(n, _)| n == name).map(|(_, v)| v.into_owned())
    }

    /// The body as text (lossy UTF-8).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl fmt::Display for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", method_name(self.method), self.url)?;
        if !self.body.is_empty() {
            let body = self.body_text();
            let shown: String = body.chars().take(200).collect();
            write!(f, " body {shown:?}{}", if shown.len() < body.len() { "…" } else { "" })?;
        }
        Ok(())
    }
}

/// The first value of header `name` (case-insensitive).
fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// The method as HTTP spells it.
pub(crate) fn method_name(method: Method) -> &'static str {
    match method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Patch => "PATCH",
        Method::Delete => "DELETE",
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn request(method: Method, url: &str, headers: &[(&str, &str)], body: &str) -> TransportRequest {
        TransportRequest {
            method,
            url: url.to_owned(),
            headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
            body: body.as_bytes().to_vec(),
            timeout: Duration::from_secs(1),
            max_response_body: 1 << 20,
            allow_private_addresses: false,
        }
    }

    #[test]
    fn query_parameters_are_a_subset_in_any_order() {
        let expected = Exchange::get("https://h.example/api?min_id=7").without_query("max_id");
        let sent = request(Method::Get, "https://h.example/api?limit=80&min_id=7", &[], "");
        assert_eq!(expected.mismatch(&sent), None);
        let wrong = request(Method::Get, "https://h.example/api?min_id=8", &[], "");
        assert_eq!(expected.mismatch(&wrong).as_deref(), Some("query parameter min_id=7 missing"));
        let extra = request(Method::Get, "https://h.example/api?min_id=7&max_id=1", &[], "");
        assert!(expected.mismatch(&extra).is_some_and(|m| m.contains("max_id present")));
        let path = request(Method::Get, "https://h.example/other?min_id=7", &[], "");
        assert_eq!(expected.mismatch(&path).as_deref(), Some("a different URL"));
    }

    #[test]
    fn method_headers_and_body_are_checked() {
        let expected = Exchange::post("https://h.example/s")
            .with_header("Idempotency-Key", "k1")
            .with_body_contains("status=hi");
        let good =
            request(Method::Post, "https://h.example/s", &[("idempotency-key", "k1")], "status=hi&x=1");
        assert_eq!(expected.mismatch(&good), None);
        let get = request(Method::Get, "https://h.example/s", &[], "");
        assert_eq!(expected.mismatch(&get).as_deref(), Some("method GET instead of POST"));
        let other_key =
            request(Method::Post, "https://h.example/s", &[("idempotency-key", "k2")], "status=hi");
        assert!(expected.mismatch(&other_key).is_some_and(|m| m.contains("\"k2\" instead of \"k1\"")));
        let no_body = request(Method::Post, "https://h.example/s", &[("idempotency-key", "k1")], "");
        assert!(expected.mismatch(&no_body).is_some_and(|m| m.contains("body contains")));
    }
}
