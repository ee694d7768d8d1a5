//! The compile cache: a restart with unchanged plugins compiles nothing, and a corrupt entry is
//! recompiled rather than trusted.

use crate::common::{binding, fixture, host};

#[tokio::test]
async fn second_load_compiles_nothing() {
    let cache = tempfile::tempdir().unwrap();
    let first = host(cache.path()).load(fixture("healthy")).await.unwrap();
    assert!(first.load_report().compiled);
    assert!(first.load_report().cache_file.starts_with(cache.path()));

    // A new host (a daemon restart) reuses the entry.
    let second = host(cache.path()).load(fixture("healthy")).await.unwrap();
    assert!(!second.load_report().compiled);
    assert_eq!(second.load_report().cache_file, first.load_report().cache_file);
    let account = binding("shop", "https://example.social", &[], false, &[], &[]);
    assert_eq!(second.fetch_notifications(&account, None).await.unwrap().items.len(), 1);
}

#[tokio::test]
async fn corrupt_entry_is_recompiled_and_rewritten() {
    let cache = tempfile::tempdir().unwrap();
    let first = host(cache.path()).load(fixture("healthy")).await.unwrap();
    let entry = first.load_report().cache_file.clone();

    let mut bytes = std::fs::read(&entry).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xFF;
    std::fs::write(&entry, &bytes).unwrap();

    let reloaded = host(cache.path()).load(fixture("healthy")).await.unwrap();
    assert!(reloaded.load_report().compiled, "a corrupt entry must be recompiled");
    let account = binding("shop", "https://example.social", &[], false, &[], &[]);
    assert_eq!(reloaded.fetch_notifications(&account, None).await.unwrap().items.len(), 1);

    // The entry was rewritten, so the next start is a cache hit again.
    let third = host(cache.path()).load(fixture("healthy")).await.unwrap();
    assert!(!third.load_report().compiled);

    // A truncated entry is caught the same way.
    std::fs::write(&entry, &bytes[..100]).unwrap();
    assert!(host(cache.path()).load(fixture("healthy")).await.unwrap().load_report().compiled);
}

#[tokio::test]
async fn different_plugins_get_different_entries() {
    let cache = tempfile::tempdir().unwrap();
    let host = host(cache.path());
    let a = host.load(fixture("healthy")).await.unwrap();
    let b = host.load(fixture("trap")).await.unwrap();
    assert_ne!(a.load_report().cache_file, b.load_report().cache_file);
    assert_ne!(a.load_report().wasm_sha256, b.load_report().wasm_sha256);
}
