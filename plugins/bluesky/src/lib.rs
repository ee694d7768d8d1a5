//! The Bluesky (AT Protocol) platform plugin for rapport.
//!
//! Built for `wasm32-wasip2` it is the component the daemon loads
//! (`cargo build -p rapport-plugin-bluesky --target wasm32-wasip2 --profile plugin`). Built
//! natively it is a library whose pure parts — rich-text [`facets`] with UTF-8 byte offsets,
//! notification normalization in [`convert`], the notification [`cursor`], record keys in
//! [`rkey`] and XRPC [`error`] mapping, the 0.2 reads' cursors and candidates (`reads`) and the
//! image limits (`media`) — run in unit tests.

pub mod api;
mod client;
pub mod convert;
pub mod cursor;
pub mod error;
pub mod facets;
mod media;
mod plugin;
mod reads;
pub mod rkey;

pub use plugin::{Bluesky, describe};

// Exported only in the component: a native build (tests) links this crate as an ordinary library
// and must not define the component's export symbols.
#[cfg(target_arch = "wasm32")]
rapport_sdk::export_plugin!(Bluesky);
