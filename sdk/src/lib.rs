//! The SDK for writing rapport platform plugins.
//!
//! A plugin is a WebAssembly component (`wasm32-wasip2`) that implements [`Plugin`] (only the
//! calls its platform supports: the rest default to `denied`) and exports itself with
//! [`export_plugin!`]. This crate holds the generated bindings of the contract in
//! `sdk/wit/platform.wit` and thin, safe helpers over its host imports: an HTTP request builder
//! ([`http`]), log macros ([`info!`] and friends), a JSON key-value store ([`kv`]), the host's
//! clock ([`clock`]) and the acting account ([`account`], its [`settings`]). Above them sit what
//! every plugin would otherwise write again: the wait a 429 asks for ([`retry_after`]), the
//! outcome of a sent action kept under its idempotency key ([`sent`]), and the host behind a
//! trait ([`env`](mod@crate::env)) for plugins whose flows are tested natively. The helpers exist so that plugin
//! code reads like ordinary Rust and never has to handle secrets, status codes or malformed bodies
//! by hand. See `sdk/README.md` for a walk-through from an empty crate to a tested plugin.
//!
//! The crate also compiles natively (the host imports then abort if called), so that a plugin's
//! pure logic can be unit-tested with a plain `cargo test`.

// Lets the generated code name this crate as `rapport_sdk` both here and in a plugin crate that
// expands `export_plugin!`, so plugins need no direct `wit-bindgen` dependency.
extern crate self as rapport_sdk;

pub mod account;
pub mod clock;
pub mod env;
pub mod http;
pub mod kv;
pub mod log;
pub mod media;
pub mod plugin;
pub mod retry_after;
pub mod sent;
pub mod settings;

/// The generated bindings of the `platform` world; use the re-exports in [`types`] instead.
#[doc(hidden)]
#[allow(unsafe_code, missing_docs, clippy::all)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "platform",
        pub_export_macro: true,
        export_macro_name: "__export_platform",
        default_bindings_module: "rapport_sdk::bindings",
        runtime_path: "rapport_sdk::bindings::__rt",
        additional_derives: [PartialEq, Eq],
    });

    /// The `wit-bindgen` runtime, re-exported so that generated code expanded in a plugin crate
    /// finds it through this crate.
    pub use wit_bindgen::rt as __rt;
}

/// The records and enums of the contract (`rapport:platform/types`), for plugin authors.
pub mod types {
    pub use crate::bindings::rapport::platform::types::{
        Access, Account, AccountPage, Action, ActionKind, ActionOutcome, ActionRequest, Candidate,
        CandidatePage, Description, DiscoverySource, Media, Message, MissingPermission, Notification,
        NotificationKind, NotificationPage, OwnPost, OwnPostPage, PluginError, Post, PostMetrics, PostPage,
        Publish, RateCeiling, ReadCost, ReadKind, Relationship, RelationshipOf, Reply,
    };
}

pub use crate::plugin::{Call, Plugin};

/// The contract version this SDK was generated from; plugins report it in `describe`.
pub const CONTRACT_VERSION: &str = "0.2.0";

/// Exports a type implementing [`Plugin`] as this component's `plugin` interface.
///
/// Invoke it once, at the root of the plugin's `cdylib` crate: `rapport_sdk::export_plugin!(MyPlugin);`
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ident) => {
        $crate::bindings::__export_platform!($plugin with_types_in $crate::bindings);
    };
}
