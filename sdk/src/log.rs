//! Log lines to the host, which tags them with the plugin and account and keeps secrets out.
//!
//! Use the macros ([`crate::info!`], [`crate::warn!`], …); they format like `format!` and write one
//! line through the `log` import, so a plugin needs no logger set-up of its own.

pub use crate::bindings::rapport::platform::log::Level;

/// Writes one log line at `level`; the macros call this.
pub fn write(level: Level, message: &str) {
    crate::bindings::rapport::platform::log::write(level, message);
}

/// Logs a line at `trace` level, formatted like `format!`.
#[macro_export]
macro_rules! trace {
    ($($arg:tt)+) => { $crate::log::write($crate::log::Level::Trace, &::std::format!($($arg)+)) };
}

/// Logs a line at `debug` level, formatted like `format!`.
#[macro_export]
macro_rules! debug {
    ($($arg:tt)+) => { $crate::log::write($crate::log::Level::Debug, &::std::format!($($arg)+)) };
}

/// Logs a line at `info` level, formatted like `format!`.
#[macro_export]
macro_rules! info {
    ($($arg:tt)+) => { $crate::log::write($crate::log::Level::Info, &::std::format!($($arg)+)) };
}

/// Logs a line at `warn` level, formatted like `format!`.
#[macro_export]
macro_rules! warn {
    ($($arg:tt)+) => { $crate::log::write($crate::log::Level::Warn, &::std::format!($($arg)+)) };
}

/// Logs a line at `error` level, formatted like `format!`.
#[macro_export]
macro_rules! error {
    ($($arg:tt)+) => { $crate::log::write($crate::log::Level::Error, &::std::format!($($arg)+)) };
}
