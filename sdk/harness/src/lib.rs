//! Runs a rapport plugin's real .wasm on the host against scripted HTTP exchanges.
