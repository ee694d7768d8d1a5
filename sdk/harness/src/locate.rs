//! Finding the built plugin components a test or benchmark loads.
//!
//! Plugins are built with `cargo build --profile plugin --target wasm32-wasip2` into the same
//! target directory as the tests that load them, so the path follows from the running test binary
//! (`<target>/<profile>/deps/<test>`), unless `CARGO_TARGET_DIR` says otherwise.

use std::path::PathBuf;

use crate::HarnessError;

/// The Rust target plugins are built for.
pub const WASM_TARGET: &str = "wasm32-wasip2";

/// The cargo target directory: `CARGO_TARGET_DIR`, else three levels above the running binary.
pub fn target_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let exe = std::env::current_exe().ok()?;
    // <target>/<profile>/deps/<binary>, or <target>/<profile>/<binary> for `cargo run`.
    exe.ancestors().skip(1).find(|dir| dir.join("CACHEDIR.TAG").exists()).map(PathBuf::from)
}

/// The component of platform plugin `name` (`plugins/<name>`, package `rapport-plugin-<name>`),
/// or an error carrying the command that builds it.
pub fn platform_plugin(name: &str) -> Result<PathBuf, HarnessError> {
    let file = format!("rapport_plugin_{}.wasm", name.replace('-', "_"));
    let build = format!(
        "cargo build --profile plugin --target {WASM_TARGET} -p rapport-plugin-{name}   (or `cargo xtask plugins` for all)"
    );
    find(&[WASM_TARGET, "plugin", file.as_str()], build)
}

/// The component of fixture plugin `name` (`plugins/fixtures/<name>`).
pub fn fixture_plugin(name: &str) -> Result<PathBuf, HarnessError> {
    let file = format!("fixture_{}.wasm", name.replace('-', "_"));
    let build = format!(
        "cargo build --release --target {WASM_TARGET} --manifest-path plugins/fixtures/Cargo.toml --target-dir <target>   (or `cargo xtask plugins`)"
    );
    find(&[WASM_TARGET, "release", file.as_str()], build)
}

fn find(parts: &[&str], build: String) -> Result<PathBuf, HarnessError> {
    let target = target_dir().ok_or_else(|| HarnessError::PluginNotBuilt {
        path: PathBuf::from(parts.join("/")),
        build: build.clone(),
    })?;
    let path = parts.iter().fold(target, |dir, part| dir.join(part));
    if path.is_file() { Ok(path) } else { Err(HarnessError::PluginNotBuilt { path, build }) }
}
