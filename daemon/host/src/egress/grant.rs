//! Host patterns (`scheme://host[:port]`) and the grant they add up to.
//!
//! Patterns are parsed once into [`HostPattern`] so every request is checked against typed data,
//! never by string matching on the fly. A request is granted only when it matches one of the
//! plugin's declared patterns *and* one of the account's configured patterns: the effective grant
//! is the intersection, and an empty side denies everything.

use std::fmt;
use std::net::IpAddr;

use reqwest::Url;
use thiserror::Error;

/// Why a host pattern was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "invalid host pattern `{pattern}`: {reason} (expected `scheme://host[:port]`, e.g. `https://*.example.com` or `http://localhost:*`)"
)]
pub struct PatternError {
    /// The pattern as written.
    pub pattern: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// The URL schemes a grant may name.
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

/// One parsed `scheme://host[:port]` pattern.
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
    /// Parses `scheme://host[:port]`; paths, queries, user info and partial wildcards are refused.
    pub fn parse(pattern: &str) -> Result<Self, PatternError> {
        let fail = |reason| PatternError { pattern: pattern.to_owned(), reason };
        let (scheme, rest) = pattern.split_once("://").ok_or_else(|| fail("no `://` after the scheme"))?;
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
        if ip.parse::<std::net::Ipv6Addr>().is_err() {
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

/// Parses a list of patterns, naming the first bad one.
pub fn parse_patterns<S: AsRef<str>>(patterns: &[S]) -> Result<Vec<HostPattern>, PatternError> {
    patterns.iter().map(|p| HostPattern::parse(p.as_ref())).collect()
}

/// What an account's configuration lets its plugin reach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EgressGrant {
    /// Hosts the account allows, from its `allowed_hosts`.
    pub allowed_hosts: Vec<HostPattern>,
    /// Whether names and literals resolving to loopback/private/link-local addresses are allowed
    /// (a self-hosted instance on the LAN, a local test server).
    pub allow_private_addresses: bool,
}

impl EgressGrant {
    /// Parses the account's `allowed_hosts` patterns.
    pub fn new<S: AsRef<str>>(
        allowed_hosts: &[S],
        allow_private_addresses: bool,
    ) -> Result<Self, PatternError> {
        Ok(Self { allowed_hosts: parse_patterns(allowed_hosts)?, allow_private_addresses })
    }
}

/// Whether `url` lies in both the plugin's declared hosts and the account's grant.
pub fn is_granted(plugin_hosts: &[HostPattern], grant: &EgressGrant, url: &Url) -> bool {
    plugin_hosts.iter().any(|p| p.matches(url)) && grant.allowed_hosts.iter().any(|p| p.matches(url))
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
            assert_eq!(HostPattern::parse(text), Ok(HostPattern { scheme, host, port }), "{text}");
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
    }

    #[test]
    fn grant_is_the_intersection_and_empty_denies() {
        let plugin = parse_patterns(&["https://*"]).unwrap();
        let account = EgressGrant::new(&["https://mastodon.social"], false).unwrap();
        assert!(is_granted(&plugin, &account, &url("https://mastodon.social/api")));
        assert!(!is_granted(&plugin, &account, &url("https://evil.example/")));
        assert!(!is_granted(&plugin, &EgressGrant::default(), &url("https://mastodon.social/")));
        assert!(!is_granted(&[], &account, &url("https://mastodon.social/")));
    }
}
