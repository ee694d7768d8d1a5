//! An account's plugin-specific settings (`[accounts.settings]` in the daemon's configuration),
//! read and parsed the same way by every plugin.
//!
//! A setting the plugin cannot read never fails a call: the person gets a warning naming the
//! setting, and the plugin goes on with its default, as if the setting were unset.

use crate::account::Context;

impl Context {
    /// The plugin-specific setting `key` from the account's configuration, if set.
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The setting `key` as a whole number, or `default` when unset or not a whole number (with a
    /// warning, so a typo does not go unnoticed).
    pub fn setting_u32(&self, key: &str, default: u32) -> u32 {
        match self.setting(key).map(str::parse::<u32>) {
            Some(Ok(value)) => value,
            Some(Err(_)) => {
                crate::warn!("setting {key} is not a whole number; using {default}");
                default
            }
            None => default,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(settings: &[(&str, &str)]) -> Context {
        Context {
            name: "shop".into(),
            api_base: "https://h.example".into(),
            user: String::new(),
            settings: settings.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        }
    }

    #[test]
    fn settings_are_found_by_name_and_whole_numbers_parsed() {
        let ctx = context(&[("graph_version", "v21.0"), ("backfill_pages", "5")]);
        assert_eq!(ctx.setting("graph_version"), Some("v21.0"));
        assert_eq!(ctx.setting("page_id"), None);
        assert_eq!(ctx.setting_u32("backfill_pages", 3), 5);
        assert_eq!(ctx.setting_u32("other_pages", 3), 3);
    }
}
