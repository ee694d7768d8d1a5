//! Host patterns: the scheme, host and port a plugin may reach, the one grammar both sides use.
//!
//! A plugin declares the hosts it needs (`describe().hosts`) and an account grants hosts
//! (`api_base`'s origin and `allowed_hosts`); a request must match both. Both are read here, by
//! one parser, so the config check and the host's egress grant cannot disagree on what a pattern
//! means: a pattern the config accepts is one the grant accepts.
//!
//! The full form is `scheme://host[:port]`: `https://api.example.com`, `https://*.example.com`,
//! `http://localhost:*`. The port defaults to the scheme's and `:*` is any port. A plugin must
//! write the full form ([`HostPattern::parse`]); an account may leave out the scheme
//! ([`HostPattern::parse_granted`]): `media.example.com` is `https://media.example.com`, because
//! a person naming a host means the web's usual HTTPS, and plain HTTP must be asked for by name.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

use thiserror::Error;
use url::Url;

/// Why a host pattern was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("`{pattern}` is not a host pattern: {reason}; {expected}")]
pub struct PatternError {
    /// The pattern as written.
    pub pattern: String,
    /// What is wrong with it.
    pub reason: &'static str,
    /// What to write instead, for the side that wrote it.
    pub expected: &'static str,
}

/// What a plugin's declared hosts must look like.
const DECLARED: &str = "write `scheme://host[:port]`, e.g. `https://*.example.com` or `http://localhost:*`";

/// What an account's granted hosts may look like.
const GRANTED: &str = "write a host like \"media.example.com\" or \"*.example.com\" (HTTPS), or \
                       `scheme://host[:port]` like \"http://localhost:8080\"";

/// The URL schemes a pattern may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP (local development, test servers).
    Http,
    /// HTTPS.
    Https,
}

impl Scheme {
    fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// Which hosts a pattern matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostMatch {
    /// `*`: any host (a federated platform whose instance the account's config names).
    Any,
    /// `*.example.com`: any subdomain of `example.com`, not `example.com` itself.
    Subdomains(String),
    /// One host name or IP literal, lower case.
    Exact(String),
}

/// Which ports a pattern matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortMatch {
    /// `:*`: any port.
    Any,
    /// One port (the scheme's default when the pattern names none).
    Exact(u16),
}

/// One parsed host pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPattern {
    /// The scheme, which must match exactly.
    pub scheme: Scheme,
    /// The hosts matched.
    pub host: HostMatch,
    /// The ports matched.
    pub port: PortMatch,
}

impl HostPattern {
    /// Parses a plugin's declared `scheme://host[:port]`; paths, queries, user info and partial
    /// wildcards are refused.
    pub fn parse(pattern: &str) -> Result<Self, PatternError> {
        Self::parse_as(pattern, pattern, DECLARED)
    }

    /// Parses a host an account grants: the full form, or a host without a scheme, which is
    /// HTTPS (`media.example.com`, `*.example.com`, `media.example.com:8443`).
    pub fn parse_granted(pattern: &str) -> Result<Self, PatternError> {
        if pattern.contains("://") {
            Self::parse_as(pattern, pattern, GRANTED)
        } else {
            Self::parse_as(pattern, &format!("https://{pattern}"), GRANTED)
        }
    }

    /// Parses `full`, reporting errors against `written` (what the person or plugin wrote).
    fn parse_as(written: &str, full: &str, expected: &'static str) -> Result<Self, PatternError> {
        let fail = |reason| PatternError { pattern: written.to_owned(), reason, expected };
        let (scheme, rest) = full.split_once("://").ok_or_else(|| fail("no `://` after the scheme"))?;
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            _ => return Err(fail("the scheme must be `http` or `https`")),
        };
        if rest.contains(['/', '?', '#', '@']) {
            return Err(fail("a pattern names a host and port only, no path, query or user"));
        }
        let (host, port) = split_port(rest).map_err(fail)?;
        let port = match port {
            None => PortMatch::Exact(scheme.default_port()),
            Some("*") => PortMatch::Any,
            Some(digits) => {
                PortMatch::Exact(digits.parse().map_err(|_| fail("the port must be `*` or 1-65535"))?)
            }
        };
        if port == PortMatch::Exact(0) {
            return Err(fail("the port must be `*` or 1-65535"));
        }
        let host = host.to_ascii_lowercase();
        let host = if host == "*" {
            HostMatch::Any
        } else if let Some(suffix) = host.strip_prefix("*.") {
            if suffix.is_empty() || suffix.contains('*') || !is_host_name(suffix) {
                return Err(fail("`*.` must be followed by a plain domain, e.g. `*.example.com`"));
            }
            HostMatch::Subdomains(suffix.to_owned())
        } else if host.contains('*') {
            return Err(fail("`*` stands alone or starts `*.domain`; partial wildcards are not supported"));
        } else if host.parse::<IpAddr>().is_ok() || is_host_name(&host) {
            HostMatch::Exact(host)
        } else {
            return Err(fail("the host is empty or not a valid name"));
        };
        Ok(Self { scheme, host, port })
    }

    /// Whether `url` (its scheme, host and effective port) matches this pattern.
    pub fn matches(&self, url: &Url) -> bool {
        if url.scheme() != self.scheme.as_str() {
            return false;
        }
        let Some(port) = url.port_or_known_default() else { return false };
        if let PortMatch::Exact(want) = self.port
            && want != port
        {
            return false;
        }
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.trim_end_matches('.').to_ascii_lowercase(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            None => return false,
        };
        match &self.host {
            HostMatch::Any => true,
            HostMatch::Subdomains(suffix) => {
                host.len() > suffix.len() + 1
                    && host.ends_with(suffix.as_str())
                    && host.as_bytes()[host.len() - suffix.len() - 1] == b'.'
            }
            HostMatch::Exact(exact) => host == *exact,
        }
    }
}

impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://", self.scheme.as_str())?;
        match &self.host {
            HostMatch::Any => f.write_str("*")?,
            HostMatch::Subdomains(s) => write!(f, "*.{s}")?,
            HostMatch::Exact(h) if h.contains(':') => write!(f, "[{h}]")?,
            HostMatch::Exact(h) => f.write_str(h)?,
        }
        match self.port {
            PortMatch::Any => f.write_str(":*"),
            PortMatch::Exact(p) => write!(f, ":{p}"),
        }
    }
}

/// Splits `host[:port]`, understanding bracketed IPv6 literals.
fn split_port(rest: &str) -> Result<(&str, Option<&str>), &'static str> {
    if let Some(v6) = rest.strip_prefix('[') {
        let (ip, after) = v6.split_once(']').ok_or("an IPv6 literal needs its closing `]`")?;
        if ip.parse::<Ipv6Addr>().is_err() {
            return Err("the bracketed host is not an IPv6 address");
        }
        return match after {
            "" => Ok((ip, None)),
            _ => after.strip_prefix(':').map(|p| (ip, Some(p))).ok_or("only `:port` may follow `]`"),
        };
    }
    Ok(match rest.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (rest, None),
    })
}

fn is_host_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn parses_every_supported_form() {
        let cases = [
            (
                "https://example.com",
                Scheme::Https,
                HostMatch::Exact("example.com".into()),
                PortMatch::Exact(443),
            ),
            (
                "http://example.com",
                Scheme::Http,
                HostMatch::Exact("example.com".into()),
                PortMatch::Exact(80),
            ),
            (
                "HTTPS://Example.COM:8443",
                Scheme::Https,
                HostMatch::Exact("example.com".into()),
                PortMatch::Exact(8443),
            ),
            ("https://*", Scheme::Https, HostMatch::Any, PortMatch::Exact(443)),
            ("http://*:*", Scheme::Http, HostMatch::Any, PortMatch::Any),
            (
                "https://*.example.com",
                Scheme::Https,
                HostMatch::Subdomains("example.com".into()),
                PortMatch::Exact(443),
            ),
            ("http://localhost:*", Scheme::Http, HostMatch::Exact("localhost".into()), PortMatch::Any),
            (
                "http://127.0.0.1:8080",
                Scheme::Http,
                HostMatch::Exact("127.0.0.1".into()),
                PortMatch::Exact(8080),
            ),
            ("http://[::1]:8080", Scheme::Http, HostMatch::Exact("::1".into()), PortMatch::Exact(8080)),
            (
                "https://[2001:db8::1]",
                Scheme::Https,
                HostMatch::Exact("2001:db8::1".into()),
                PortMatch::Exact(443),
            ),
        ];
        for (text, scheme, host, port) in cases {
            let want = Ok(HostPattern { scheme, host, port });
            assert_eq!(HostPattern::parse(text), want, "{text}");
            assert_eq!(HostPattern::parse_granted(text), want, "an account may write {text} too");
        }
    }

    #[test]
    fn refuses_malformed_patterns() {
        for bad in [
            "example.com",
            "ftp://example.com",
            "https://",
            "https://example.com/path",
            "https://example.com?q",
            "https://user@example.com",
            "https://*example.com",
            "https://ex*ample.com",
            "https://*.",
            "https://*.*.com",
            "https://example.com:0",
            "https://example.com:65536",
            "https://example.com:http",
            "https://[::1",
            "https://[::1]x",
            "https://[nothost]",
            "https://exa mple.com",
            "https://a..b",
        ] {
            assert!(HostPattern::parse(bad).is_err(), "accepted {bad}");
        }
    }

    #[test]
    fn an_account_may_name_a_host_without_its_scheme_and_gets_https() {
        let https = |host: HostMatch, port| HostPattern { scheme: Scheme::Https, host, port };
        assert_eq!(
            HostPattern::parse_granted("media.example.social"),
            Ok(https(HostMatch::Exact("media.example.social".into()), PortMatch::Exact(443)))
        );
        assert_eq!(
            HostPattern::parse_granted("*.Example.com"),
            Ok(https(HostMatch::Subdomains("example.com".into()), PortMatch::Exact(443)))
        );
        assert_eq!(
            HostPattern::parse_granted("cdn.example.com:8443"),
            Ok(https(HostMatch::Exact("cdn.example.com".into()), PortMatch::Exact(8443)))
        );
        for bad in ["", "cdn.x/", "*example.com", "exa mple.com", "ftp://cdn.x", "user@cdn.x"] {
            let err = HostPattern::parse_granted(bad).expect_err(bad);
            assert_eq!(err.pattern, bad, "the error shows what was written");
            assert!(err.to_string().contains("\"media.example.com\""), "says what to write: {err}");
        }
    }

    #[test]
    fn display_round_trips() {
        for text in ["https://example.com:443", "http://*:*", "https://*.example.com:443", "http://[::1]:80"]
        {
            assert_eq!(HostPattern::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn matches_scheme_host_and_port() {
        let exact = HostPattern::parse("https://example.com").unwrap();
        assert!(exact.matches(&url("https://example.com/api?x=1")));
        assert!(exact.matches(&url("https://EXAMPLE.com:443/")));
        assert!(!exact.matches(&url("http://example.com/")));
        assert!(!exact.matches(&url("https://example.com:8443/")));
        assert!(!exact.matches(&url("https://www.example.com/")));
        assert!(!exact.matches(&url("https://example.com.evil.net/")));

        let subs = HostPattern::parse("https://*.example.com").unwrap();
        assert!(subs.matches(&url("https://api.example.com/")));
        assert!(subs.matches(&url("https://a.b.example.com/")));
        assert!(!subs.matches(&url("https://example.com/")));
        assert!(!subs.matches(&url("https://badexample.com/")));

        let any_port = HostPattern::parse("http://localhost:*").unwrap();
        assert!(any_port.matches(&url("http://localhost:1234/")));
        assert!(!any_port.matches(&url("http://127.0.0.1:1234/")));

        let v6 = HostPattern::parse("http://[::1]:*").unwrap();
        assert!(v6.matches(&url("http://[::1]:99/")));

        let bare = HostPattern::parse_granted("media.example.social").unwrap();
        assert!(bare.matches(&url("https://media.example.social/a.png")));
        assert!(!bare.matches(&url("http://media.example.social/a.png")), "plain HTTP is asked for by name");
    }
}
