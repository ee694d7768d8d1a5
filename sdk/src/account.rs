//! The account a call acts for, as the daemon's configuration describes it.

pub use crate::bindings::rapport::platform::account::Context;

/// The account this call acts for (name, API base URL, own handle, plugin settings).
pub fn current() -> Context {
    crate::bindings::rapport::platform::account::current()
}

impl Context {
    /// The plugin-specific setting `key` from the account's configuration, if set.
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The API base URL without a trailing `/`, ready to have a path appended.
    pub fn api_base(&self) -> &str {
        self.api_base.trim_end_matches('/')
    }
}
