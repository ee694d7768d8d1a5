//! Project automation: build plugins, run the demo, run the tests.

fn main() {}
