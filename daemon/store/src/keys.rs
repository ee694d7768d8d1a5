//! Byte encodings of store keys, chosen so that sled's lexicographic order is the order we scan in.
//!
//! Integers are big-endian (times with the sign bit flipped so negative times sort first), and
//! names end in a NUL so that one name's prefix never matches another name (`ann` vs `anna`).

use rapport_core::UnixSeconds;
use rapport_core::notification::NotificationKind;
use rapport_core::task::{ActionKind, TaskId};

use crate::StoreError;

/// A task id as an 8-byte key that sorts numerically.
pub(crate) fn id(id: TaskId) -> [u8; 8] {
    id.0.to_be_bytes()
}

/// Decodes the 8 trailing bytes of an index key back into a task id.
pub(crate) fn trailing_id(key: &[u8]) -> Result<TaskId, StoreError> {
    let tail = key.len().checked_sub(8).and_then(|start| key.get(start..)).ok_or_else(|| {
        StoreError::Corrupt(format!("index key of {} bytes is too short for a task id", key.len()))
    })?;
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(tail);
    Ok(TaskId(u64::from_be_bytes(bytes)))
}

/// A time as an 8-byte key that sorts chronologically, negative times included.
pub(crate) fn time(at: UnixSeconds) -> [u8; 8] {
    ((at as u64) ^ (1 << 63)).to_be_bytes()
}

/// Decodes an 8-byte time key.
pub(crate) fn decode_time(bytes: &[u8]) -> Result<UnixSeconds, StoreError> {
    let arr: [u8; 8] = bytes
        .try_into()
        .map_err(|_| StoreError::Corrupt(format!("time field of {} bytes, expected 8", bytes.len())))?;
    Ok((u64::from_be_bytes(arr) ^ (1 << 63)) as i64)
}

/// A u64 value (counters, timestamps' companions) as 8 bytes.
pub(crate) fn decode_u64(bytes: &[u8]) -> Result<u64, StoreError> {
    let arr: [u8; 8] = bytes
        .try_into()
        .map_err(|_| StoreError::Corrupt(format!("counter of {} bytes, expected 8", bytes.len())))?;
    Ok(u64::from_be_bytes(arr))
}

/// `name\0`: the prefix of every key owned by an account, plugin, schedule or entry.
///
/// A NUL inside the name would let one name's keys alias another's, so it is refused.
pub(crate) fn name(what: &'static str, name: &str) -> Result<Vec<u8>, StoreError> {
    if name.as_bytes().contains(&0) {
        return Err(StoreError::InvalidName { what, name: name.escape_debug().to_string() });
    }
    let mut key = Vec::with_capacity(name.len() + 17);
    key.extend_from_slice(name.as_bytes());
    key.push(0);
    Ok(key)
}

/// `prefix ++ parts…`, the common shape of composite keys.
pub(crate) fn join(prefix: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut key = Vec::with_capacity(prefix.len() + parts.iter().map(|p| p.len()).sum::<usize>());
    key.extend_from_slice(prefix);
    for part in parts {
        key.extend_from_slice(part);
    }
    key
}

/// The stable one-byte code of an action kind in ledger keys. Independent of `ActionKind::ALL`'s
/// order so that reordering the core's list never reinterprets stored ledgers.
pub(crate) fn action_code(kind: ActionKind) -> u8 {
    match kind {
        ActionKind::Reply => 1,
        ActionKind::Publish => 2,
        ActionKind::Follow => 3,
        ActionKind::FollowBack => 4,
        ActionKind::Unfollow => 5,
        ActionKind::Like => 6,
        ActionKind::Repost => 7,
        ActionKind::AcceptFollowRequest => 8,
        ActionKind::Message => 9,
    }
}

/// Every notification kind with its stable one-byte code in engagement counter keys.
pub(crate) const NOTIFICATION_KINDS: [(NotificationKind, u8); 9] = [
    (NotificationKind::Mention, 1),
    (NotificationKind::Reply, 2),
    (NotificationKind::Quote, 3),
    (NotificationKind::Follow, 4),
    (NotificationKind::FollowRequest, 5),
    (NotificationKind::Like, 6),
    (NotificationKind::Repost, 7),
    (NotificationKind::Post, 8),
    (NotificationKind::Other, 9),
];

/// The stable code of a notification kind. The exhaustive match makes a new core variant fail to
/// compile here, and a test keeps [`NOTIFICATION_KINDS`] in step with it.
pub(crate) fn notification_code(kind: NotificationKind) -> u8 {
    match kind {
        NotificationKind::Mention => 1,
        NotificationKind::Reply => 2,
        NotificationKind::Quote => 3,
        NotificationKind::Follow => 4,
        NotificationKind::FollowRequest => 5,
        NotificationKind::Like => 6,
        NotificationKind::Repost => 7,
        NotificationKind::Post => 8,
        NotificationKind::Other => 9,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_sort_chronologically_across_zero() {
        let times = [i64::MIN, -5, -1, 0, 1, 1_700_000_000, i64::MAX];
        for pair in times.windows(2) {
            assert!(time(pair[0]) < time(pair[1]), "{} should sort before {}", pair[0], pair[1]);
        }
        for t in times {
            assert_eq!(decode_time(&time(t)).unwrap(), t);
        }
    }

    #[test]
    fn names_with_nul_are_refused_and_prefixes_do_not_alias() {
        assert!(matches!(name("account", "a\0b"), Err(StoreError::InvalidName { .. })));
        let ann = name("account", "ann").unwrap();
        let anna = name("account", "anna").unwrap();
        assert!(!anna.starts_with(&ann));
    }

    #[test]
    fn notification_codes_match_the_decoding_table() {
        for (kind, code) in NOTIFICATION_KINDS {
            assert_eq!(notification_code(kind), code);
        }
    }

    #[test]
    fn trailing_id_reads_the_last_eight_bytes() {
        let key = join(b"acct\0", &[&[2], &id(TaskId(42))]);
        assert_eq!(trailing_id(&key).unwrap(), TaskId(42));
        assert!(trailing_id(&[1, 2]).is_err());
    }
}
