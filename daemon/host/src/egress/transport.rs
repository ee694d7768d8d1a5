//! The seam between egress policy and the network: [`HttpTransport`], and its reqwest implementation.
//!
//! Everything that makes egress safe (grants, redirect checks, secret substitution, caps, rate-limit
//! recording) runs in the policy layer above this trait, so a scripted transport (the SDK harness)
//! gets the same checks as production. A transport performs exactly one exchange and never follows
//! redirects itself.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use thiserror::Error;

/// An HTTP method the contract allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// PATCH.
    Patch,
    /// DELETE.
    Delete,
}

/// One request, already checked against the grant and with secrets substituted.
#[derive(Debug, Clone)]
pub struct TransportRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL.
    pub url: String,
    /// Header name/value pairs.
    pub headers: Vec<(String, String)>,
    /// The body, empty for none.
    pub body: Vec<u8>,
    /// Give up after this long.
    pub timeout: Duration,
    /// Stop reading and fail once the body exceeds this many bytes.
    pub max_response_body: usize,
    /// Whether host names may resolve to loopback, private or link-local addresses.
    pub allow_private_addresses: bool,
}

/// One response, redirects not followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportResponse {
    /// Status code.
    pub status: u16,
    /// Header name/value pairs, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// Why a transport delivered no response.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransportError {
    /// The address the name resolved to is not allowed.
    #[error("{0}")]
    Denied(String),
    /// The response body exceeded `max_response_body`.
    #[error("{0}")]
    TooLarge(String),
    /// No response within the timeout.
    #[error("timed out")]
    Timeout,
    /// DNS, connect, TLS or protocol failure.
    #[error("{0}")]
    Connection(String),
}

/// The future a transport returns.
pub type TransportFuture<'a> =
    Pin<Box<dyn Future<Output = Result<TransportResponse, TransportError>> + Send + 'a>>;

/// Performs one HTTP exchange. Implementations must not follow redirects.
pub trait HttpTransport: Send + Sync {
    /// Sends `request` and reads the whole response, within its timeout and body cap.
    fn send(&self, request: TransportRequest) -> TransportFuture<'_>;
}

/// Whether an address is loopback, private, link-local, unspecified or otherwise not public.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                // 100.64.0.0/10: carrier-grade NAT, routinely internal.
                || (a == 100 && (64..128).contains(&b))
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_private(IpAddr::V4(v4)),
            None => {
                let first = v6.segments()[0];
                v6.is_loopback()
                    || v6.is_unspecified()
                    || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                    || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
            }
        },
    }
}

/// A resolver that drops non-public addresses, so a public-looking name cannot reach the LAN.
struct PublicOnly;

/// The resolver's refusal, found again in reqwest's error chain to report `denied`.
#[derive(Debug, Error)]
#[error("{0} resolves only to loopback/private/link-local addresses, which this account does not allow")]
struct PrivateOnly(String);

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found.into_iter().filter(|a| !is_private(a.ip())).collect();
            if public.is_empty() {
                return Err(Box::new(PrivateOnly(host)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

/// The production transport: reqwest with rustls, no redirects, and a filtering resolver unless
/// the account allows private addresses.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    public_only: reqwest::Client,
    any_address: reqwest::Client,
}

impl ReqwestTransport {
    /// Builds the two clients (public-only and any-address).
    pub fn new() -> Result<Self, reqwest::Error> {
        let base = || {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("rapport/", env!("CARGO_PKG_VERSION")))
        };
        Ok(Self {
            public_only: base().dns_resolver(std::sync::Arc::new(PublicOnly)).build()?,
            any_address: base().build()?,
        })
    }
}

impl HttpTransport for ReqwestTransport {
    fn send(&self, request: TransportRequest) -> TransportFuture<'_> {
        Box::pin(async move {
            let client = if request.allow_private_addresses { &self.any_address } else { &self.public_only };
            let method = match request.method {
                Method::Get => reqwest::Method::GET,
                Method::Post => reqwest::Method::POST,
                Method::Put => reqwest::Method::PUT,
                Method::Patch => reqwest::Method::PATCH,
                Method::Delete => reqwest::Method::DELETE,
            };
            let mut builder = client.request(method, &request.url).timeout(request.timeout);
            for (name, value) in &request.headers {
                builder = builder.header(name, value);
            }
            if !request.body.is_empty() {
                builder = builder.body(request.body);
            }
            let mut response = builder.send().await.map_err(classify)?;
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect();
            let mut body = Vec::new();
            // Read chunk by chunk so an endless body is cut off at the cap, not buffered whole.
            while let Some(chunk) = response.chunk().await.map_err(classify)? {
                if body.len() + chunk.len() > request.max_response_body {
                    return Err(TransportError::TooLarge(format!(
                        "the response body exceeds the cap of {} bytes",
                        request.max_response_body
                    )));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(TransportResponse { status, headers, body })
        })
    }
}

fn classify(err: reqwest::Error) -> TransportError {
    if err.is_timeout() {
        return TransportError::Timeout;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&err);
    while let Some(cause) = source {
        if let Some(private) = cause.downcast_ref::<PrivateOnly>() {
            return TransportError::Denied(private.to_string());
        }
        source = cause.source();
    }
    let mut text = err.to_string();
    let mut cause = std::error::Error::source(&err);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    TransportError::Connection(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.1.1",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "100.128.0.1", "2606:4700::1111"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }
}
