//! rapportd: the daemon that turns notifications into tasks a person approves, and sends exactly
//! what was approved.
//!
//! Module map: [`settings`] reads the config and its secrets; [`accounts`] loads plugins and binds
//! them to accounts; [`state`] is what every service shares (store, host, configuration in force,
//! account health). The services, each a [`service::Service`]: [`poller`] fetches and triages;
//! [`executor`] sends approved tasks through the [`policy`] gate; [`scheduler`] turns schedule
//! slots into posts; [`proposers`] runs the follow campaigns, the purge and the circles;
//! [`socket`] (with [`api`]) serves the CLI. [`daemon`] is the lifecycle: it
//! starts the one list of services and handles signals; [`systemd`] tells the service manager.

pub mod accounts;
pub mod api;
pub mod daemon;
pub mod executor;
pub mod policy;
pub mod poller;
pub mod proposers;
pub mod recorder;
pub mod scheduler;
pub mod service;
pub mod settings;
pub mod socket;
pub mod state;
pub mod systemd;
