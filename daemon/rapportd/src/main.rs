//! rapportd: the rapport daemon.

fn main() {}
