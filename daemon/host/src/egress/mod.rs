//! Egress: the host side of the `http.send` import, and the only place the network is reached.
//!
//! A [`Session`] lives for one plugin call. Every request, and every redirect hop, is checked for
//! scheme, host and port against the intersection of the plugin's declared hosts and the account's
//! grant; IP literals and resolved addresses that are loopback/private/link-local are refused
//! unless the account allows them; `{{secret:NAME}}` references are substituted; sizes, request
//! counts and time are capped; and the rate-limit headers of every response are recorded.
//! The exchange itself goes through an [`HttpTransport`], reqwest in production.

pub mod grant;
pub mod ratelimit;
pub mod secrets;
pub mod transport;

use std::sync::Arc;
use std::time::Duration;

use rapport_core::host_pattern::HostPattern;
use reqwest::Url;
use tokio::time::Instant;

use crate::clock::Clock;
use crate::limits::CallLimits;
use grant::EgressGrant;
use ratelimit::RateLimitBook;
use secrets::Secrets;
use transport::{HttpTransport, Method, TransportError, TransportRequest, TransportResponse};

/// Redirect hops followed before giving up.
const MAX_REDIRECTS: usize = 5;

/// Request headers a plugin may not set: the transport owns framing and routing.
const FORBIDDEN_HEADERS: &[&str] = &[
    "host",
    "connection",
    "content-length",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "keep-alive",
    "proxy-authorization",
    "proxy-connection",
];

/// Headers dropped when a redirect leaves the origin, besides those that carried a secret.
const CREDENTIAL_HEADERS: &[&str] = &["authorization", "cookie"];

/// Header name/value pairs.
type Headers = Vec<(String, String)>;

/// A request as the plugin made it (secrets still by reference).
#[derive(Debug, Clone)]
pub(crate) struct PluginRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Why no response was delivered; mirrors the contract's `http-error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HttpFailure {
    Denied(String),
    TooLarge(String),
    Timeout,
    Connection(String),
    Invalid(String),
}

/// Everything egress needs for one call of one plugin for one account.
pub(crate) struct Session {
    pub plugin: Arc<str>,
    pub account: Arc<str>,
    pub plugin_hosts: Arc<[HostPattern]>,
    pub grant: EgressGrant,
    pub secrets: Secrets,
    pub transport: Arc<dyn HttpTransport>,
    pub limits: CallLimits,
    pub deadline: Instant,
    pub rate_limits: Arc<RateLimitBook>,
    pub clock: Arc<dyn Clock>,
    pub requests_made: u32,
}

impl Session {
    /// Performs `request` under the account's policy, following checked redirects.
    pub async fn send(&mut self, request: PluginRequest) -> Result<TransportResponse, HttpFailure> {
        let mut url = Url::parse(&request.url)
            .map_err(|e| HttpFailure::Invalid(format!("`{}` is not an absolute URL: {e}", request.url)))?;
        let (mut headers, mut secret_headers) = self.prepare_headers(request.headers)?;
        let mut body = request.body;
        let body_has_secret = match self.secrets.substitute(&body) {
            Ok(Some(done)) => {
                body = done;
                true
            }
            Ok(None) => false,
            Err(unknown) => return Err(unknown_secret(&unknown.0)),
        };
        if body.len() > self.limits.max_request_body {
            return Err(HttpFailure::TooLarge(format!(
                "the request body of {} bytes exceeds the cap of {} bytes",
                body.len(),
                self.limits.max_request_body
            )));
        }
        let mut method = request.method;
        for hop in 0..=MAX_REDIRECTS {
            self.check_url(&url)?;
            let response = self.exchange(method, &url, &headers, &body).await?;
            let Some(location) = redirect_target(&response) else { return Ok(response) };
            if hop == MAX_REDIRECTS {
                return Err(HttpFailure::Connection(format!(
                    "more than {MAX_REDIRECTS} redirects from {}",
                    request.url
                )));
            }
            let next = url.join(location).map_err(|e| {
                HttpFailure::Invalid(format!("redirect to unparsable location `{location}`: {e}"))
            })?;
            // 303, and 301/302 after a POST, turn into a GET without body (what every client does).
            if response.status == 303 || (matches!(response.status, 301 | 302) && method == Method::Post) {
                method = Method::Get;
                body.clear();
            }
            if next.origin() != url.origin() {
                if body_has_secret && !body.is_empty() {
                    return Err(HttpFailure::Denied(format!(
                        "redirect from {} to another origin {} would resend a body carrying a secret",
                        origin(&url),
                        origin(&next)
                    )));
                }
                headers.retain(|(name, _)| {
                    !CREDENTIAL_HEADERS.contains(&name.as_str()) && !secret_headers.contains(name)
                });
                secret_headers.clear();
            }
            tracing::debug!(plugin = %self.plugin, account = %self.account, from = %origin(&url), to = %origin(&next), status = response.status, "following redirect");
            url = next;
        }
        Err(HttpFailure::Connection(format!("more than {MAX_REDIRECTS} redirects from {}", request.url)))
    }

    /// Lower-cases names, refuses transport-owned headers, substitutes secrets, enforces the header cap.
    fn prepare_headers(&self, raw: Vec<(String, String)>) -> Result<(Headers, Vec<String>), HttpFailure> {
        let mut headers = Vec::with_capacity(raw.len());
        let mut secret_headers = Vec::new();
        for (name, value) in raw {
            let name = name.to_ascii_lowercase();
            if FORBIDDEN_HEADERS.contains(&name.as_str()) {
                return Err(HttpFailure::Invalid(format!(
                    "the header `{name}` is set by the host, not the plugin"
                )));
            }
            let value = match self.secrets.substitute_str(&value) {
                Ok(Some(done)) => {
                    secret_headers.push(name.clone());
                    done
                }
                Ok(None) => value,
                Err(unknown) => return Err(unknown_secret(&unknown.0)),
            };
            headers.push((name, value));
        }
        let size = header_bytes(&headers);
        if size > self.limits.max_header_bytes {
            return Err(HttpFailure::TooLarge(format!(
                "the request headers total {size} bytes, over the cap of {} bytes",
                self.limits.max_header_bytes
            )));
        }
        Ok((headers, secret_headers))
    }

    /// Scheme, host and port in the grant; IP literals public unless private addresses are allowed.
    fn check_url(&self, url: &Url) -> Result<(), HttpFailure> {
        if !grant::is_granted(&self.plugin_hosts, &self.grant, url) {
            return Err(HttpFailure::Denied(format!(
                "{} is not granted to plugin `{}` for account `{}` (the plugin declares [{}]; the account allows [{}])",
                origin(url),
                self.plugin,
                self.account,
                join(&self.plugin_hosts),
                join(&self.grant.allowed_hosts),
            )));
        }
        let literal = match url.host() {
            Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
            _ => None,
        };
        if let Some(ip) = literal
            && !self.grant.allow_private_addresses
            && transport::is_private(ip)
        {
            return Err(HttpFailure::Denied(format!(
                "{} is a loopback/private/link-local address and account `{}` does not set allow_private_addresses",
                origin(url),
                self.account
            )));
        }
        Ok(())
    }

    /// One exchange: request budget, time budget, transport, response caps, rate-limit headers.
    async fn exchange(
        &mut self,
        method: Method,
        url: &Url,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<TransportResponse, HttpFailure> {
        if self.requests_made >= self.limits.max_requests {
            return Err(HttpFailure::TooLarge(format!(
                "the call's budget of {} requests is spent",
                self.limits.max_requests
            )));
        }
        self.requests_made += 1;
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(HttpFailure::Timeout);
        }
        let request = TransportRequest {
            method,
            url: url.as_str().to_owned(),
            headers: headers.to_vec(),
            body: body.to_vec(),
            timeout: remaining.min(self.limits.request_timeout),
            max_response_body: self.limits.max_response_body,
            allow_private_addresses: self.grant.allow_private_addresses,
        };
        let sent =
            tokio::time::timeout(request.timeout + Duration::from_millis(50), self.transport.send(request))
                .await;
        let response = match sent {
            Err(_) | Ok(Err(TransportError::Timeout)) => return Err(HttpFailure::Timeout),
            Ok(Err(TransportError::Denied(why))) => return Err(HttpFailure::Denied(why)),
            Ok(Err(TransportError::TooLarge(why))) => return Err(HttpFailure::TooLarge(why)),
            Ok(Err(TransportError::Connection(why))) => return Err(HttpFailure::Connection(why)),
            Ok(Ok(response)) => response,
        };
        tracing::debug!(plugin = %self.plugin, account = %self.account, origin = %origin(url), path = url.path(), status = response.status, "egress");
        if let Some(snapshot) = ratelimit::snapshot(&response.headers, self.clock.now_seconds()) {
            self.rate_limits.record(&self.account, snapshot);
        }
        let size = header_bytes(&response.headers);
        if size > self.limits.max_header_bytes {
            return Err(HttpFailure::TooLarge(format!(
                "the response headers total {size} bytes, over the cap of {} bytes",
                self.limits.max_header_bytes
            )));
        }
        if response.body.len() > self.limits.max_response_body {
            return Err(HttpFailure::TooLarge(format!(
                "the response body exceeds the cap of {} bytes",
                self.limits.max_response_body
            )));
        }
        Ok(response)
    }
}

fn unknown_secret(name: &str) -> HttpFailure {
    HttpFailure::Denied(format!("the request names secret `{name}`, which this account does not configure"))
}

fn redirect_target(response: &TransportResponse) -> Option<&str> {
    if !matches!(response.status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    response.headers.iter().find(|(n, _)| n == "location").map(|(_, v)| v.as_str())
}

fn header_bytes(headers: &[(String, String)]) -> usize {
    headers.iter().map(|(n, v)| n.len() + v.len() + 4).sum()
}

fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

fn join(patterns: &[HostPattern]) -> String {
    patterns.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::clock::SystemClock;
    use transport::TransportFuture;

    /// A transport answering from a script, as the SDK harness does; records what reached it.
    struct Scripted {
        answers: Mutex<Vec<TransportResponse>>,
        seen: Mutex<Vec<TransportRequest>>,
    }

    impl HttpTransport for Scripted {
        fn send(&self, request: TransportRequest) -> TransportFuture<'_> {
            self.seen.lock().unwrap().push(request);
            let answer = self.answers.lock().unwrap().remove(0);
            Box::pin(async move { Ok(answer) })
        }
    }

    fn response(status: u16, headers: &[(&str, &str)]) -> TransportResponse {
        TransportResponse {
            status,
            headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
            body: Vec::new(),
        }
    }

    fn session(answers: Vec<TransportResponse>, allowed: &[&str]) -> (Session, Arc<Scripted>) {
        let transport = Arc::new(Scripted { answers: Mutex::new(answers), seen: Mutex::new(Vec::new()) });
        let session = Session {
            plugin: Arc::from("p"),
            account: Arc::from("a"),
            plugin_hosts: grant::parse_patterns(&["https://*"]).unwrap().into(),
            grant: EgressGrant::new(allowed, false).unwrap(),
            secrets: [("token", "t0k")].into_iter().collect(),
            transport: transport.clone(),
            limits: CallLimits::default(),
            deadline: Instant::now() + Duration::from_secs(30),
            rate_limits: Arc::new(RateLimitBook::default()),
            clock: Arc::new(SystemClock),
            requests_made: 0,
        };
        (session, transport)
    }

    fn get(url: &str, headers: &[(&str, &str)]) -> PluginRequest {
        PluginRequest {
            method: Method::Get,
            url: url.to_owned(),
            headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
            body: Vec::new(),
        }
    }

    #[tokio::test]
    async fn scripted_transport_sees_substituted_secrets_and_policy_still_applies() {
        let (mut s, t) =
            session(vec![response(200, &[("ratelimit-remaining", "3")])], &["https://api.example"]);
        let got = s
            .send(get("https://api.example/x", &[("Authorization", "Bearer {{secret:token}}")]))
            .await
            .unwrap();
        assert_eq!(got.status, 200);
        let seen = t.seen.lock().unwrap();
        assert_eq!(seen[0].headers, vec![("authorization".to_owned(), "Bearer t0k".to_owned())]);
        assert!(!seen[0].allow_private_addresses);
        assert_eq!(s.rate_limits.get("a").unwrap().remaining, Some(3));
    }

    #[tokio::test]
    async fn https_downgrade_on_redirect_is_refused() {
        let (mut s, t) =
            session(vec![response(301, &[("location", "http://api.example/x")])], &["https://api.example"]);
        let err = s.send(get("https://api.example/x", &[])).await.unwrap_err();
        assert!(matches!(&err, HttpFailure::Denied(why) if why.contains("http://api.example")), "{err:?}");
        assert_eq!(t.seen.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn transport_owned_headers_are_invalid_and_nothing_is_sent() {
        let (mut s, t) = session(Vec::new(), &["https://api.example"]);
        let err = s.send(get("https://api.example/", &[("Host", "evil.example")])).await.unwrap_err();
        assert!(matches!(&err, HttpFailure::Invalid(why) if why.contains("`host`")), "{err:?}");
        let err = s.send(get("not a url", &[])).await.unwrap_err();
        assert!(matches!(err, HttpFailure::Invalid(_)));
        assert!(t.seen.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn spent_call_budget_times_out_without_sending() {
        let (mut s, t) = session(Vec::new(), &["https://api.example"]);
        s.deadline = Instant::now();
        assert_eq!(s.send(get("https://api.example/", &[])).await.unwrap_err(), HttpFailure::Timeout);
        assert!(t.seen.lock().unwrap().is_empty());
    }
}
