//! The compiled-plugin cache: compile a component once, reuse the machine code on every start.
//!
//! Entries are keyed by `sha256(wasm bytes)` and the engine's compatibility hash, so a changed
//! plugin or a changed wasmtime/config never reuses stale code. Each entry carries a checksum of
//! its payload; an entry that fails the check (or that wasmtime refuses) is recompiled and
//! rewritten, never trusted. Writes go to a temporary file renamed into place, so a crash mid-write
//! leaves no half entry under the real name.

mod trusted;

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

use crate::error::HostError;

/// Marks a file as a rapport cache entry, format 1.
const MAGIC: &[u8; 8] = b"RPRTCWA1";
const HEADER: usize = MAGIC.len() + 32;

/// A component, and whether it had to be compiled (a cache miss).
pub(crate) struct Loaded {
    pub component: Component,
    pub compiled: bool,
    pub cache_file: PathBuf,
    pub wasm_sha256: String,
}

/// Feeds `Hash` output into SHA-256, for a stable digest of the engine's compatibility hash.
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        u64::from_le_bytes([
            digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
        ])
    }
}

/// The cache file name for `wasm` under `engine`.
fn entry_name(engine: &Engine, wasm_sha256: &str) -> String {
    let mut hasher = ShaHasher(Sha256::new());
    engine.precompile_compatibility_hash().hash(&mut hasher);
    let engine_hash = hex::encode(hasher.0.finalize());
    format!("{wasm_sha256}-{}.cwasm", &engine_hash[..16])
}

/// Loads `wasm` (read from `path`) through the cache in `cache_dir`.
pub(crate) async fn load(
    engine: &Engine,
    cache_dir: &Path,
    path: &Path,
    wasm: Vec<u8>,
) -> Result<Loaded, HostError> {
    let wasm_sha256 = hex::encode(Sha256::digest(&wasm));
    let cache_file = cache_dir.join(entry_name(engine, &wasm_sha256));

    if let Some(component) = read_entry(engine, &cache_file).await {
        return Ok(Loaded { component, compiled: false, cache_file, wasm_sha256 });
    }

    let compile_engine = engine.clone();
    let (component, serialized) = tokio::task::spawn_blocking(move || {
        let component = Component::new(&compile_engine, &wasm)?;
        let serialized = component.serialize()?;
        wasmtime::Result::Ok((component, serialized))
    })
    .await
    .map_err(|e| HostError::Invalid {
        path: path.to_owned(),
        reason: format!("the compiler task failed: {e}"),
    })?
    .map_err(|e| HostError::Invalid { path: path.to_owned(), reason: crate::error_chain(&e) })?;

    if let Err(source) = write_entry(&cache_file, &serialized).await {
        // The plugin still runs; only the next start pays for compiling again.
        tracing::warn!(cache_file = %cache_file.display(), error = %source, "cannot write the compiled-plugin cache entry");
    }
    Ok(Loaded { component, compiled: true, cache_file, wasm_sha256 })
}

/// The cached component, or `None` (and a log line saying why) when it must be recompiled.
async fn read_entry(engine: &Engine, cache_file: &Path) -> Option<Component> {
    let bytes = match tokio::fs::read(cache_file).await {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            tracing::warn!(cache_file = %cache_file.display(), error = %e, "cannot read cache entry; recompiling");
            return None;
        }
    };
    let Some(payload) = verified_payload(&bytes) else {
        tracing::warn!(cache_file = %cache_file.display(), "cache entry is corrupt (bad header or checksum); recompiling");
        return None;
    };
    let engine = engine.clone();
    let payload = payload.to_vec();
    match tokio::task::spawn_blocking(move || trusted::deserialize_verified(&engine, &payload)).await {
        Ok(Ok(component)) => Some(component),
        Ok(Err(e)) => {
            tracing::warn!(cache_file = %cache_file.display(), error = %crate::error_chain(&e), "cache entry refused by wasmtime; recompiling");
            None
        }
        Err(e) => {
            tracing::warn!(cache_file = %cache_file.display(), error = %e, "cache loader task failed; recompiling");
            None
        }
    }
}

/// The payload of a cache file whose magic and checksum are right.
fn verified_payload(bytes: &[u8]) -> Option<&[u8]> {
    let (header, payload) = bytes.split_at_checked(HEADER)?;
    let (magic, checksum) = header.split_at(MAGIC.len());
    (magic == MAGIC && checksum == Sha256::digest(payload).as_slice()).then_some(payload)
}

async fn write_entry(cache_file: &Path, serialized: &[u8]) -> std::io::Result<()> {
    let mut bytes = Vec::with_capacity(HEADER + serialized.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&Sha256::digest(serialized));
    bytes.extend_from_slice(serialized);
    // Unique per writer, so two loads of the same plugin never interleave bytes in one file.
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let unique = WRITES.fetch_add(1, Ordering::Relaxed);
    let temporary = cache_file.with_extension(format!("tmp{}-{unique}", std::process::id()));
    tokio::fs::write(&temporary, &bytes).await?;
    tokio::fs::rename(&temporary, cache_file).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(payload: &[u8]) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&Sha256::digest(payload));
        bytes.extend_from_slice(payload);
        bytes
    }

    #[test]
    fn verified_payload_accepts_only_intact_entries() {
        let good = entry(b"machine code");
        assert_eq!(verified_payload(&good), Some(&b"machine code"[..]));

        let mut flipped = good.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert_eq!(verified_payload(&flipped), None);

        assert_eq!(verified_payload(&good[..good.len() - 1]), None);
        assert_eq!(verified_payload(&good[..10]), None);

        let mut wrong_magic = good;
        wrong_magic[0] = b'X';
        assert_eq!(verified_payload(&wrong_magic), None);
    }
}
