//! The relationship book: one record per person an account has dealt with (handle, name, note,
//! tags), and the interaction ledger in both directions, indexed per person and by time.
//!
//! A task reaching `done` writes its interaction in the transition's own transaction
//! ([`record_ours`], from `write_task`). Notifications come in pages, many times more of them, and
//! writing four records for each inside the ingest would slow the poller threefold; so the ingest
//! transaction writes the page's interactions as one inbox record ([`inbox_theirs`]), and
//! [`Store::drain_book`] files each inbox record into the book in a transaction that also removes
//! it: every interaction is filed exactly once, and a crash leaves it in the inbox or in the book.
//! The poller drains after each poll; the book's readers drain before they read.
//!
//! Interaction keys end with their source (the notification's id, or the task's), so writing one
//! again (the migration's backfill over a store that already has some) overwrites it instead of
//! doubling it, and a person's count grows only when a key is new.

use std::collections::BTreeSet;

use rapport_core::UnixSeconds;
use rapport_core::history::{Interaction, InteractionSource, normalize_handle};
use rapport_core::notification::Profile;
use serde::{Deserialize, Serialize};

use crate::{Store, StoreError, Trees, Tx, TxResult, abort, decode, encode, keys};

/// What the book holds about one person, apart from the interactions.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PersonRecord {
    /// The platform account id.
    pub id: String,
    /// The handle last seen, normalized; empty when never seen (an old notification's sender).
    #[serde(default)]
    pub handle: String,
    /// The display name last seen.
    #[serde(default)]
    pub display_name: String,
    /// The profile link last seen.
    #[serde(default)]
    pub url: String,
    /// The person's own note about them.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// The person's tags.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub tags: BTreeSet<String>,
    /// How many of the accounts the account follows follow them, where a platform said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_followers: Option<u32>,
    /// How many interactions the ledger holds with them, both ways.
    #[serde(default)]
    pub interactions: u32,
    /// The first interaction's time.
    pub first_seen: UnixSeconds,
    /// The latest interaction's time.
    pub last_seen: UnixSeconds,
}

impl PersonRecord {
    /// Merges what a profile says now (handle, name, link) and widens the seen range to `at`.
    fn seen(&mut self, profile_handle: &str, display_name: &str, url: &str, at: UnixSeconds) {
        if !profile_handle.is_empty() {
            self.handle = normalize_handle(profile_handle);
        }
        if !display_name.is_empty() {
            self.display_name = display_name.to_owned();
        }
        if !url.is_empty() {
            self.url = url.to_owned();
        }
        self.first_seen = self.first_seen.min(at);
        self.last_seen = self.last_seen.max(at);
    }
}

/// `account\0 ++ person-id\0`: the prefix of a person's records.
fn person_prefix(account: &str, person: &str) -> Result<Vec<u8>, StoreError> {
    let mut key = keys::name("account", account)?;
    key.extend(keys::name("person", person)?);
    Ok(key)
}

/// The unique tail of an interaction's keys: its source.
fn source_bytes(source: &InteractionSource) -> Vec<u8> {
    match source {
        InteractionSource::Notification(id) => [b"n", id.as_bytes()].concat(),
        InteractionSource::Task(id) => [b"t".as_slice(), &keys::id(*id)].concat(),
    }
}

/// An hour: the by-time index keeps an account's interactions one hour to a record, so a report
/// over a year reads thousands of records, not a hundred thousand (each small record costs sled
/// microseconds to step over), while a busy account's record stays a few kilobytes to rewrite.
const BUCKET: UnixSeconds = 3_600;

/// The by-time index's key of the hour holding `at`: `account\0 ++ hour-start`.
fn bucket_key(account: &[u8], at: UnixSeconds) -> Vec<u8> {
    keys::join(account, &[&keys::time(at - at.rem_euclid(BUCKET))])
}

/// The interaction's keys: per person (`account\0 person\0 at source`) and its hour's record in
/// the by-time index.
fn interaction_keys(account: &str, i: &Interaction) -> Result<(Vec<u8>, Vec<u8>), StoreError> {
    let source = source_bytes(&i.source);
    let per_person = keys::join(&person_prefix(account, &i.person)?, &[&keys::time(i.at), &source]);
    Ok((per_person, bucket_key(&keys::name("account", account)?, i.at)))
}

/// An interaction waiting in the inbox, with what its notification said of the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct InboxEntry {
    interaction: Interaction,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    display_name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    url: String,
}

/// The most inbox records one drain transaction files: a poll's few pages, so a transaction
/// stays small.
const DRAIN_BATCH: usize = 8;

/// Writes `interaction` and folds `profile` (when it is the person's) into their record, inside
/// the caller's transaction.
fn record_in(
    tx: &Tx<'_>,
    account: &str,
    interaction: &Interaction,
    profile: Option<&Profile>,
) -> TxResult<()> {
    let profile = profile.filter(|p| p.id == interaction.person);
    let (name, url) = profile.map_or(("", ""), |p| (p.display_name.as_str(), p.url.as_str()));
    file_in(tx, account, interaction, name, url)
}

/// [`record_in`] with the person's name and link as strings.
fn file_in(tx: &Tx<'_>, account: &str, interaction: &Interaction, name: &str, url: &str) -> TxResult<()> {
    let (per_person, bucket) = interaction_keys(account, interaction).map_err(abort)?;
    let value = crate::packed::interaction(interaction);
    let rewritten = tx.interactions.insert(per_person, value.as_slice())?.is_some();
    // A rewrite is the same source filed again: its hour already holds it.
    if !rewritten {
        let mut hour = tx.interactions_by_time.get(&bucket)?.map(|v| v.to_vec()).unwrap_or_default();
        crate::packed::push_framed(&mut hour, &value);
        tx.interactions_by_time.insert(bucket, hour)?;
    }
    let key = person_prefix(account, &interaction.person).map_err(abort)?;
    let mut record = match tx.people.get(&key)? {
        Some(bytes) => decode::<PersonRecord>("person", &bytes).map_err(abort)?,
        None => PersonRecord {
            id: interaction.person.clone(),
            first_seen: interaction.at,
            last_seen: interaction.at,
            ..PersonRecord::default()
        },
    };
    let old_handle = record.handle.clone();
    record.seen(&interaction.handle, name, url, interaction.at);
    if !rewritten {
        record.interactions += 1;
    }
    if record.handle != old_handle {
        if !old_handle.is_empty() {
            tx.handles.remove(handle_key(account, &old_handle).map_err(abort)?)?;
        }
        tx.handles
            .insert(handle_key(account, &record.handle).map_err(abort)?, interaction.person.as_bytes())?;
    }
    tx.people.insert(key, encode("person", &record).map_err(abort)?)?;
    Ok(())
}

/// `account\0 ++ handle`: the handle index's key.
fn handle_key(account: &str, handle: &str) -> Result<Vec<u8>, StoreError> {
    Ok(keys::join(&keys::name("account", account)?, &[normalize_handle(handle).as_bytes()]))
}

/// Puts what the people of a page of notifications did to `account` in the book's inbox, as one
/// record, in the ingest's transaction.
pub(crate) fn inbox_theirs<'n>(
    tx: &Tx<'_>,
    account: &str,
    notifications: impl Iterator<Item = &'n rapport_core::notification::Notification>,
) -> TxResult<()> {
    let entries: Vec<InboxEntry> = notifications
        .filter_map(|n| {
            Interaction::of_notification(n).map(|interaction| InboxEntry {
                interaction,
                display_name: n.account.display_name.clone(),
                url: n.account.url.clone(),
            })
        })
        .collect();
    if entries.is_empty() {
        return Ok(());
    }
    let seq = tx.book_inbox.generate_id()?;
    let key = keys::join(&keys::name("account", account).map_err(abort)?, &[&seq.to_be_bytes()]);
    tx.book_inbox.insert(key, encode("book inbox", &entries).map_err(abort)?)?;
    Ok(())
}

/// Records what a task reaching `done` at `at` did to a person, in the transition's transaction.
pub(crate) fn record_ours(tx: &Tx<'_>, task: &rapport_core::task::Task, at: UnixSeconds) -> TxResult<()> {
    match Interaction::of_task(task, at) {
        Some(interaction) => {
            let profile = task.context.profile.as_ref().or(task.context.post.as_ref().map(|p| &p.author));
            record_in(tx, &task.account, &interaction, profile)
        }
        None => Ok(()),
    }
}

/// Writes an interaction outside a transaction, for the migration's backfill (which has no
/// profile: an old notification record keeps only the sender's id).
pub(crate) fn backfill(
    trees: &Trees,
    account: &str,
    interaction: &Interaction,
    profile: Option<&Profile>,
) -> Result<(), StoreError> {
    trees.transaction(|tx| record_in(tx, account, interaction, profile))
}

impl Store {
    /// Files every inbox record into the book, each in a transaction that removes it; returns how
    /// many interactions were filed.
    pub fn drain_book(&self) -> Result<usize, StoreError> {
        let mut filed = 0;
        loop {
            let mut batch = Vec::with_capacity(DRAIN_BATCH);
            for entry in self.trees.book_inbox.iter().take(DRAIN_BATCH) {
                let (key, value) = entry?;
                let split = key
                    .iter()
                    .position(|b| *b == 0)
                    .ok_or_else(|| StoreError::Corrupt("a book inbox key without an account".into()))?;
                let account = String::from_utf8_lossy(&key[..split]).into_owned();
                let entries: Vec<InboxEntry> = decode("book inbox", &value)?;
                batch.push((key, account, entries));
            }
            if batch.is_empty() {
                return Ok(filed);
            }
            self.trees.transaction(|tx| {
                for (key, account, entries) in &batch {
                    for e in entries {
                        file_in(tx, account, &e.interaction, &e.display_name, &e.url)?;
                    }
                    tx.book_inbox.remove(key.as_ref())?;
                }
                Ok(())
            })?;
            filed += batch.iter().map(|(_, _, entries)| entries.len()).sum::<usize>();
        }
    }

    /// The book's record of the person with platform id `person` on `account`.
    pub fn person(&self, account: &str, person: &str) -> Result<Option<PersonRecord>, StoreError> {
        self.drain_book()?;
        self.trees.people.get(person_prefix(account, person)?)?.map(|b| decode("person", &b)).transpose()
    }

    /// The platform id of the person known on `account` by `handle`.
    pub fn person_by_handle(&self, account: &str, handle: &str) -> Result<Option<String>, StoreError> {
        self.drain_book()?;
        Ok(self
            .trees
            .handles
            .get(handle_key(account, handle)?)?
            .map(|id| String::from_utf8_lossy(&id).into_owned()))
    }

    /// Every person in `account`'s book, in id order.
    pub fn people(&self, account: &str) -> impl Iterator<Item = Result<PersonRecord, StoreError>> + '_ {
        let drained = self.drain_book().err().map(Err).into_iter();
        let prefix = keys::name("account", account);
        let scan = prefix.map(|p| self.trees.people.scan_prefix(p));
        drained.chain(scan.into_iter().flatten().map(|entry| decode("person", &entry?.1)))
    }

    /// A person's interactions with `account`, oldest first.
    pub fn interactions_of(&self, account: &str, person: &str) -> Result<Vec<Interaction>, StoreError> {
        self.drain_book()?;
        let prefix = person_prefix(account, person)?;
        self.trees
            .interactions
            .scan_prefix(prefix)
            .map(|entry| crate::packed::unpack_interaction(&entry?.1))
            .collect()
    }

    /// `account`'s interactions in `[since, until)`, oldest first.
    pub fn interactions_between(
        &self,
        account: &str,
        since: UnixSeconds,
        until: UnixSeconds,
    ) -> Result<Vec<Interaction>, StoreError> {
        self.drain_book()?;
        let prefix = keys::name("account", account)?;
        let mut window = Vec::new();
        if until <= since {
            return Ok(window);
        }
        let hours = bucket_key(&prefix, since)..=bucket_key(&prefix, until - 1);
        for entry in self.trees.interactions_by_time.range(hours) {
            let (_, hour) = entry?;
            for value in crate::packed::framed(&hour, "interaction") {
                let interaction = crate::packed::unpack_interaction(value?)?;
                if (since..until).contains(&interaction.at) {
                    window.push(interaction);
                }
            }
        }
        // An hour's record holds its interactions as they were filed, not in time order.
        window.sort_by(|a, b| (a.at, &a.person).cmp(&(b.at, &b.person)));
        Ok(window)
    }

    /// Changes a person's record with `change` (note, tags), atomically; `false` if the book
    /// has no such person.
    pub fn update_person(
        &self,
        account: &str,
        person: &str,
        change: impl Fn(&mut PersonRecord),
    ) -> Result<bool, StoreError> {
        let key = person_prefix(account, person)?;
        let changed = self.trees.transaction(|tx| {
            let Some(bytes) = tx.people.get(&key)? else { return Ok(false) };
            let mut record: PersonRecord = decode("person", &bytes).map_err(abort)?;
            change(&mut record);
            tx.people.insert(key.as_slice(), encode("person", &record).map_err(abort)?)?;
            Ok(true)
        })?;
        self.flush()?;
        Ok(changed)
    }

    /// Deletes everything the book holds about a person on `account`: a keep-list entry, then
    /// in one transaction the record, the handle index and every interaction in both indexes.
    /// Returns how many interactions went. What stays is what the daemon needs never to act twice:
    /// the ids in notification records (so a refetch is not taken for new) and the tasks' audit
    /// trail of what was sent.
    pub fn forget(&self, account: &str, person: &str) -> Result<usize, StoreError> {
        let handle = self.person(account, person)?.map(|r| r.handle).unwrap_or_default();
        // First, while the record still names the handle: a crash after it leaves a forget that a
        // second run completes.
        if !handle.is_empty() {
            self.keep_remove(account, &handle)?;
        }
        let interactions = self.interactions_of(account, person)?;
        let mut per_person = Vec::with_capacity(interactions.len());
        let mut hours = std::collections::BTreeSet::new();
        for interaction in &interactions {
            let (key, hour) = interaction_keys(account, interaction)?;
            per_person.push(key);
            hours.insert(hour);
        }
        let record_key = person_prefix(account, person)?;
        let handle_key = (!handle.is_empty()).then(|| handle_key(account, &handle)).transpose()?;
        self.trees.transaction(|tx| {
            tx.people.remove(record_key.as_slice())?;
            if let Some(key) = &handle_key {
                tx.handles.remove(key.as_slice())?;
            }
            for key in &per_person {
                tx.interactions.remove(key.as_slice())?;
            }
            for hour in &hours {
                let Some(list) = tx.interactions_by_time.get(hour)? else { continue };
                let mut kept = Vec::with_capacity(list.len());
                for value in crate::packed::framed(&list, "interaction") {
                    let value = value.map_err(abort)?;
                    if crate::packed::unpack_interaction(value).map_err(abort)?.person != person {
                        crate::packed::push_framed(&mut kept, value);
                    }
                }
                if kept.is_empty() {
                    tx.interactions_by_time.remove(hour.as_slice())?;
                } else {
                    tx.interactions_by_time.insert(hour.as_slice(), kept)?;
                }
            }
            Ok(())
        })?;
        self.flush()?;
        Ok(interactions.len())
    }
}
