//! The Mastodon platform plugin for rapport.
