//! rapport: the command-line client of rapportd.

fn main() {}
