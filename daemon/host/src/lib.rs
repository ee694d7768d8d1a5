//! The wasmtime host for platform plugins: loading, compile cache, sandbox limits, and egress.
