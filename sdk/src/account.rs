//! The account a call acts for, as the daemon's configuration describes it (its settings are read
//! in [`crate::settings`]).

pub use crate::bindings::rapport::platform::account::Context;

/// The account this call acts for (name, API base URL, own handle, plugin settings).
pub fn current() -> Context {
    crate::bindings::rapport::platform::account::current()
}

impl Context {
    /// The API base URL without a trailing `/`, ready to have a path appended.
    pub fn api_base(&self) -> &str {
        self.api_base.trim_end_matches('/')
    }
}
