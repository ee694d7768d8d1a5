//! Record keys that make a resent action land on the same record.
//!
//! Posts, likes, reposts and follows are keyed by TIDs (timestamp identifiers: 13 characters of
//! base32-sortable encoding a 53-bit microsecond timestamp and a 10-bit clock id). The plugin gives
//! each action a TID of its own: the timestamp of its first attempt and a clock id derived from the
//! daemon's idempotency key, stored in kv under that key. A resend of the same task finds the stored
//! TID, sees whether the record already exists, and creates it only if not — so a crash after the
//! write but before the daemon learned of it never posts twice. A time-based TID (rather than one
//! hashed entirely from the key) keeps the repository in time order as the protocol expects.

/// The base32-sortable alphabet of TIDs.
const ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";
/// The number of characters of a TID.
const TID_LEN: usize = 13;
/// The largest timestamp a TID holds (53 bits).
const MAX_MICROS: u64 = (1 << 53) - 1;

/// The TID for `micros` (microseconds since the epoch; clamped to 53 bits) and `clock_id` (10 bits).
pub fn tid(micros: u64, clock_id: u16) -> String {
    let value = (micros.min(MAX_MICROS) << 10) | u64::from(clock_id & 0x3ff);
    (0..TID_LEN)
        .map(|i| {
            let shift = 5 * (TID_LEN - 1 - i);
            // The top character covers bits 60..64; bit 63 is always 0, so it stays in `2..=j`.
            char::from(ALPHABET[usize::try_from((value >> shift) & 31).unwrap_or(0)])
        })
        .collect()
}

/// Whether `s` is a syntactically valid TID.
pub fn is_tid(s: &str) -> bool {
    s.len() == TID_LEN
        && s.bytes().all(|b| ALPHABET.contains(&b))
        && s.as_bytes().first().is_some_and(|b| b"234567abcdefghij".contains(b))
}

/// A 10-bit clock id derived from the idempotency key (FNV-1a), so that two actions started in
/// the same microsecond still get distinct keys.
pub fn clock_id(idempotency_key: &str) -> u16 {
    let hash = idempotency_key
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3));
    u16::try_from(hash & 0x3ff).unwrap_or(0)
}

/// The kv key under which the record key of the action with `idempotency_key` is kept.
pub fn kv_key(idempotency_key: &str) -> String {
    format!("rkey:{idempotency_key}")
}

/// The record key (last segment) of an AT URI `at://repo/collection/rkey`.
pub fn of_uri(uri: &str) -> Option<&str> {
    let path = uri.strip_prefix("at://")?;
    let mut parts = path.split('/');
    let (_repo, _collection, rkey) = (parts.next()?, parts.next()?, parts.next()?);
    (parts.next().is_none() && !rkey.is_empty()).then_some(rkey)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tids_match_the_reference_encoding() {
        // Zero, one microsecond (bit 10) and one clock tick (bit 0).
        assert_eq!(tid(0, 0), "2222222222222");
        assert_eq!(tid(1, 0), "2222222222322", "one microsecond is 1 << 10");
        assert_eq!(tid(0, 1), "2222222222223");
        // 2024-05-01T12:48:45Z in microseconds.
        let t = tid(1_714_567_725_000_000, 7);
        assert!(is_tid(&t), "{t}");
        assert!(t.starts_with("3k"), "a 2024 TID starts with 3k: {t}");
        assert_eq!(tid(u64::MAX, 0x3ff), tid(MAX_MICROS, 0x3ff));
        assert!(is_tid(&tid(u64::MAX, 0xffff)));
    }

    #[test]
    fn tids_sort_by_time() {
        let a = tid(1_714_567_725_000_000, 1023);
        let b = tid(1_714_567_725_000_001, 0);
        assert!(a < b);
    }

    #[test]
    fn clock_ids_are_stable_ten_bit_and_spread() {
        let a = clock_id("rapport-bsky-41");
        assert_eq!(a, clock_id("rapport-bsky-41"));
        assert!(a < 1024);
        let distinct: std::collections::BTreeSet<u16> =
            (0..100).map(|i| clock_id(&format!("rapport-bsky-{i}"))).collect();
        assert!(distinct.len() > 90, "{} distinct of 100", distinct.len());
    }

    #[test]
    fn rkeys_are_read_from_at_uris() {
        assert_eq!(of_uri("at://did:plc:abc/app.bsky.graph.follow/3kabc"), Some("3kabc"));
        assert_eq!(of_uri("at://did:plc:abc/app.bsky.graph.follow"), None);
        assert_eq!(of_uri("https://bsky.app/x/y/z"), None);
        assert!(!is_tid("3kabc"));
        assert!(!is_tid("zzzzzzzzzzzzz"), "the top bit must be clear");
    }
}
