//! The grant: what an account lets its plugin reach, and the check that a request lies in it.
//!
//! Patterns are parsed once, by the core's one parser ([`HostPattern`]), so every request is
//! checked against typed data, never by string matching on the fly, and the config check accepts
//! exactly what the grant accepts. A request is granted only when it matches one of the plugin's
//! declared patterns *and* one of the account's granted patterns: the effective grant is the
//! intersection, and an empty side denies everything.

use rapport_core::host_pattern::{HostPattern, PatternError};
use reqwest::Url;

/// Parses a plugin's declared patterns, naming the first bad one.
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
    /// Parses the hosts the account grants (its `api_base` origin and `allowed_hosts`), as the
    /// config check reads them: `scheme://host[:port]`, or a host without a scheme for HTTPS.
    pub fn new<S: AsRef<str>>(
        allowed_hosts: &[S],
        allow_private_addresses: bool,
    ) -> Result<Self, PatternError> {
        let allowed_hosts =
            allowed_hosts.iter().map(|p| HostPattern::parse_granted(p.as_ref())).collect::<Result<_, _>>()?;
        Ok(Self { allowed_hosts, allow_private_addresses })
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
    fn a_plugin_must_declare_the_scheme() {
        assert!(parse_patterns(&["https://*:*", "http://localhost:*"]).is_ok());
        let err = parse_patterns(&["https://*", "api.example.com"]).unwrap_err();
        assert_eq!(err.pattern, "api.example.com");
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

    /// Regression: a host as the config accepts it (no scheme) took the account down at start,
    /// because the grant demanded `scheme://host`.
    #[test]
    fn an_allowed_host_as_the_config_writes_it_is_granted() {
        let plugin = parse_patterns(&["https://*:*"]).unwrap();
        let account = EgressGrant::new(&["https://bakery.social", "media.example.social"], false)
            .expect("the config's form of allowed_hosts");
        assert!(is_granted(&plugin, &account, &url("https://media.example.social/a.png")));
        assert!(!is_granted(&plugin, &account, &url("https://other.example.social/a.png")));
    }
}
