//! rapport's local Mastodon-API sandbox and end-to-end tests.
