//! rapportd: the daemon that turns notifications into tasks a person approves, and sends exactly
//! what was approved.
//!
//! Module map: [`settings`] reads the config and its secrets; [`accounts`] loads plugins and binds
//! them to accounts; [`poller`] fetches and triages; [`executor`] sends approved tasks through the
//! [`policy`] gate; [`scheduler`] turns schedule slots into posts; [`socket`] and [`api`] serve the
//! CLI; [`daemon`] wires it all and handles signals; [`systemd`] tells the service manager.

pub mod accounts;
pub mod api;
pub mod daemon;
pub mod executor;
pub mod policy;
pub mod poller;
pub mod scheduler;
pub mod settings;
pub mod socket;
pub mod systemd;
