//! The Mastodon platform plugin for rapport.
//!
//! Built for `wasm32-wasip2` it is the component the daemon loads
//! (`cargo build -p rapport-plugin-mastodon --target wasm32-wasip2 --profile plugin`). Built
//! natively it is a library whose pure parts — [`parse_notifications`], [`own_posts_of`] and
//! [`authors`] (the own-posts and discovery conversions), the [`cursor`], the
//! [`html`] conversion — run in unit tests and in the plugin-call benchmark
//! (`benches/plugin_call.rs`), which compares this very parse natively and inside the plugin.

pub mod api;
mod client;
pub mod convert;
pub mod cursor;
pub mod html;
mod media;
mod reads;
mod scopes;
mod text;

pub use client::{Mastodon, describe};
pub use convert::parse_notifications;
pub use reads::{authors, own_posts_of};

// Exported only in the component: a native build (tests, the benchmark) links this crate as an
// ordinary library and must not define the component's export symbols.
#[cfg(target_arch = "wasm32")]
rapport_sdk::export_plugin!(Mastodon);
