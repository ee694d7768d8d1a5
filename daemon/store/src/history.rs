//! The account's measured past: daily follower snapshots, its own posts, and every reading of
//! their metrics, each kept with its time so a post's curve can be drawn.
//!
//! Readings follow a decaying cadence ([`next_reading`]): hourly while a post is young, daily to
//! 30 days, then none, so a year of posts stays a few tens of thousands of small records.

use rapport_core::UnixSeconds;
use rapport_core::history::{FollowerSnapshot, MetricReading, PostHistory};
use rapport_core::reads::PostMetrics;
use rapport_core::task::PostKind;
use serde::{Deserialize, Serialize};

use crate::{Store, StoreError, Tx, TxResult, abort, decode, encode, keys};

/// Hourly readings while a post is younger than this.
const HOURLY_FOR: UnixSeconds = 2 * 86_400;
/// Daily readings until a post is this old; none after.
const DAILY_UNTIL: UnixSeconds = 30 * 86_400;

/// When a post made at `posted_at` and last read at `last_read` is due to be read again; `None`
/// once it is past the last daily reading.
pub fn next_reading(posted_at: UnixSeconds, last_read: Option<UnixSeconds>) -> Option<UnixSeconds> {
    let Some(last) = last_read else { return Some(posted_at) };
    let age = last - posted_at;
    let next = if age < HOURLY_FOR { last + 3_600 } else { last + 86_400 };
    (next - posted_at <= DAILY_UNTIL).then_some(next)
}

/// What the store keeps of one own post besides its readings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct OwnPostRecord {
    posted_at: UnixSeconds,
    url: String,
    text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<PostKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_read: Option<UnixSeconds>,
}

/// `account\0 ++ post-id\0`.
fn post_key(account: &str, post: &str) -> Result<Vec<u8>, StoreError> {
    let mut key = keys::name("account", account)?;
    key.extend(keys::name("post", post)?);
    Ok(key)
}

/// Remembers that a publish task done now created the post its result names (an id or a link),
/// so the post's readings know it as rapport's, value or sales; in the transition's transaction.
pub(crate) fn record_published(tx: &Tx<'_>, task: &rapport_core::task::Task) -> TxResult<()> {
    let (rapport_core::task::Action::Publish { post_kind, .. }, Some(result)) = (&task.action, &task.result)
    else {
        return Ok(());
    };
    let key = keys::join(&keys::name("account", &task.account).map_err(abort)?, &[result.as_bytes()]);
    tx.published.insert(key, encode("post kind", post_kind).map_err(abort)?)?;
    Ok(())
}

impl Store {
    /// The kind of the post rapport published as `id` or `url`, if it did.
    fn published_kind(&self, account: &str, id: &str, url: &str) -> Result<Option<PostKind>, StoreError> {
        let prefix = keys::name("account", account)?;
        for name in [id, url].into_iter().filter(|n| !n.is_empty()) {
            if let Some(bytes) = self.trees.published.get(keys::join(&prefix, &[name.as_bytes()]))? {
                return decode("post kind", &bytes).map(Some);
            }
        }
        Ok(None)
    }

    /// Records the account's follower counts; one snapshot per time (a rerun overwrites).
    pub fn record_snapshot(&self, account: &str, snapshot: &FollowerSnapshot) -> Result<(), StoreError> {
        let key = keys::join(&keys::name("account", account)?, &[&keys::time(snapshot.at)]);
        self.trees.snapshots.insert(key, encode("snapshot", snapshot)?)?;
        self.flush()
    }

    /// The account's snapshots, oldest first.
    pub fn snapshots(&self, account: &str) -> Result<Vec<FollowerSnapshot>, StoreError> {
        let prefix = keys::name("account", account)?;
        self.trees.snapshots.scan_prefix(prefix).map(|e| decode("snapshot", &e?.1)).collect()
    }

    /// The latest snapshot's time, to take one a day.
    pub fn last_snapshot(&self, account: &str) -> Result<Option<FollowerSnapshot>, StoreError> {
        let prefix = keys::name("account", account)?;
        self.trees.snapshots.scan_prefix(prefix).next_back().map(|e| decode("snapshot", &e?.1)).transpose()
    }

    /// Records a reading of an own post's metrics at `at`, creating the post's record the first
    /// time (value or sales when rapport published it). `false` when the post was not due (its
    /// cadence asks for no reading yet), so a read of the newest page records only the posts due.
    pub fn record_reading(
        &self,
        account: &str,
        post: &rapport_core::notification::Post,
        metrics: PostMetrics,
        at: UnixSeconds,
    ) -> Result<bool, StoreError> {
        let key = post_key(account, &post.id)?;
        let mut record = match self.trees.own_posts.get(&key)? {
            Some(bytes) => decode::<OwnPostRecord>("own post", &bytes)?,
            None => OwnPostRecord {
                posted_at: post.created,
                url: post.url.clone(),
                text: post.text.clone(),
                kind: self.published_kind(account, &post.id, &post.url)?,
                last_read: None,
            },
        };
        match next_reading(record.posted_at, record.last_read) {
            Some(due) if due <= at => {}
            _ => return Ok(false),
        }
        record.last_read = Some(at);
        let reading = MetricReading { at, metrics };
        self.trees.transaction(|tx| {
            let mut readings = tx.readings.get(&key)?.map(|v| v.to_vec()).unwrap_or_default();
            crate::packed::push_framed(&mut readings, &crate::packed::reading(&reading));
            tx.readings.insert(key.as_slice(), readings)?;
            tx.own_posts.insert(key.as_slice(), encode("own post", &record).map_err(crate::abort)?)?;
            Ok(())
        })?;
        Ok(true)
    }

    /// Whether any own post of `account` is due a reading at `now` (or none is known yet, so the
    /// first read is due).
    pub fn readings_due(&self, account: &str, now: UnixSeconds) -> Result<bool, StoreError> {
        let prefix = keys::name("account", account)?;
        let mut any = false;
        for entry in self.trees.own_posts.scan_prefix(prefix) {
            any = true;
            let record: OwnPostRecord = decode("own post", &entry?.1)?;
            if next_reading(record.posted_at, record.last_read).is_some_and(|due| due <= now) {
                return Ok(true);
            }
        }
        Ok(!any)
    }

    /// The account's own posts made at or after `since`, each with its readings, oldest first.
    pub fn post_histories(&self, account: &str, since: UnixSeconds) -> Result<Vec<PostHistory>, StoreError> {
        let prefix = keys::name("account", account)?;
        let mut posts = Vec::new();
        for entry in self.trees.own_posts.scan_prefix(&prefix) {
            let (key, value) = entry?;
            let record: OwnPostRecord = decode("own post", &value)?;
            if record.posted_at < since {
                continue;
            }
            let id = String::from_utf8_lossy(&key[prefix.len()..key.len().saturating_sub(1)]).into_owned();
            let list = self.trees.readings.get(&key)?.unwrap_or_default();
            let readings = crate::packed::framed(&list, "metric reading")
                .map(|value| crate::packed::unpack_reading(value?))
                .collect::<Result<Vec<_>, _>>()?;
            posts.push(PostHistory {
                id,
                posted_at: record.posted_at,
                url: record.url,
                text: record.text,
                kind: record.kind,
                readings,
            });
        }
        posts.sort_by(|a, b| (a.posted_at, &a.id).cmp(&(b.posted_at, &b.id)));
        Ok(posts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_are_hourly_for_two_days_then_daily_to_thirty_then_none() {
        assert_eq!(next_reading(0, None), Some(0));
        assert_eq!(next_reading(0, Some(3_600)), Some(7_200));
        assert_eq!(next_reading(0, Some(HOURLY_FOR)), Some(HOURLY_FOR + 86_400));
        assert_eq!(next_reading(0, Some(DAILY_UNTIL - 86_400)), Some(DAILY_UNTIL));
        assert_eq!(next_reading(0, Some(DAILY_UNTIL)), None);
    }
}
