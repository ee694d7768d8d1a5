//! rapport's local Mastodon-API sandbox and end-to-end tests.
//!
//! [`sandbox::MastodonSandbox`] is an HTTP server on 127.0.0.1 that answers the calls the
//! Mastodon plugin makes, in the shapes of the Mastodon documentation, with seedable data,
//! switchable faults and a record of every request; the `mastodon-sandbox` binary runs it for the
//! README demo. [`bsky_devnet`] is a client for Bluesky's reference network run on loopback, to
//! play the people who engage with an account under test. [`chaos`] is the kill -9 campaign that
//! holds the daemon to its crash promises against several sandboxes. Nothing here reaches the
//! internet.

pub mod bsky_devnet;
pub mod chaos;
pub mod sandbox;
