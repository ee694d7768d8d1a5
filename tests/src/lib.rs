//! rapport's local Mastodon-API sandbox and end-to-end tests.
//!
//! [`sandbox::MastodonSandbox`] is an HTTP server on 127.0.0.1 that answers the calls the
//! Mastodon plugin makes, in the shapes of the Mastodon documentation, with seedable data,
//! switchable faults and a record of every request; the `mastodon-sandbox` binary runs it for the
//! README demo. Nothing here reaches the network.

pub mod sandbox;
