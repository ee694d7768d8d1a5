//! The content library: the posts a person wrote ahead, and which one a schedule slot takes next.
//!
//! Entries come from `[[library]]` in config or from a folder of post files; the daemon reads the
//! files and hands their text to [`parse_post_file`], so the core stays free of I/O. A post file is
//! an optional TOML front matter, a line `---`, then the post's text:
//!
//! ```text
//! kind = "sales"
//! accounts = ["shop"]
//! evergreen = true
//! ---
//! Our spring workshop has 5 seats left: https://example.shop/workshop
//! ```
//!
//! A file without front matter is all text, so it must not contain a line of just `---`.
//!
//! A slot takes the first entry, in library order, that targets the account, has a kind the
//! schedule takes, and was never posted to that account — then evergreen entries last posted longer
//! than `recycle_after` ago, oldest first. A sales entry the ratio would hold is passed over for a
//! value entry; a daily cap per account keeps a busy schedule from flooding the audience.
//!
//! [`Library::plan`] previews the coming slots for `rapport schedule` by simulating them in time
//! order: each takes what the library would pick at its time given what the earlier previewed
//! slots took, and the gate says what it would say then. It is pure, so the daemon only gathers
//! each account's history from the store.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::UnixSeconds;
use crate::config::Invalid;
use crate::content_ratio::{PostRecord, RatioConfig};
use crate::gate::{Gate, GateDecision, GateInput};
use crate::localtime;
use crate::platform::{RateCeiling, RateLimitSnapshot};
use crate::schedule::Schedule;
use crate::span::Span;
use crate::task::{ActionKind, MediaFile, PostKind};

/// One `[[library]]` entry, or one post file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibraryEntry {
    /// A stable id (a post file's name without its extension); the post history refers to it.
    pub id: String,
    /// The post's text.
    pub text: String,
    /// Value or sales.
    #[serde(default)]
    pub kind: PostKind,
    /// The configured accounts it may go to; empty for any account a schedule posts to.
    #[serde(default)]
    pub accounts: Vec<String>,
    /// Alt text for the post's media, if it has any.
    #[serde(default)]
    pub media_alt: Option<String>,
    /// An image to attach (png, jpeg, gif or webp), described by `media_alt`; a relative path is
    /// from the config file's folder, or from the post folder for a post file.
    #[serde(default)]
    pub image: Option<PathBuf>,
    /// Whether it may be posted again after `posting.recycle_after`.
    #[serde(default)]
    pub evergreen: bool,
}

/// The `[posting]` section: limits on scheduled posting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostingConfig {
    /// At most this many posts per account per local calendar day, whatever the schedules say.
    #[serde(default = "default_max_posts_per_day")]
    pub max_posts_per_day: u32,
    /// How long before an evergreen entry may be posted again to the same account.
    #[serde(default = "default_recycle_after")]
    pub recycle_after: Span,
    /// A folder of post files, relative to the config file; the daemon reads it.
    #[serde(default)]
    pub folder: Option<String>,
    /// Whether a scheduled post is queued already approved: the person wrote the library, so by
    /// default it only passes the gate. `false` asks for each post's approval in the queue.
    #[serde(default = "default_approve_scheduled")]
    pub approve_scheduled: bool,
}

impl PostingConfig {
    /// What [`Library::new`] would refuse in `[posting]`, for the config check; keys are from
    /// the root.
    pub fn problems(&self) -> Vec<Invalid> {
        match self.max_posts_per_day {
            0 => vec![Invalid::keyed("posting.max_posts_per_day", &LibraryError::ZeroCap)],
            _ => Vec::new(),
        }
    }
}

impl Default for PostingConfig {
    fn default() -> PostingConfig {
        PostingConfig {
            max_posts_per_day: default_max_posts_per_day(),
            recycle_after: default_recycle_after(),
            folder: None,
            approve_scheduled: default_approve_scheduled(),
        }
    }
}

fn default_approve_scheduled() -> bool {
    true
}

fn default_max_posts_per_day() -> u32 {
    3
}

fn default_recycle_after() -> Span {
    Span::from_secs(90 * 86_400)
}

/// A library entry or setting that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LibraryError {
    /// Two entries share an id, so the history could not tell them apart.
    #[error("library entry id `{0}` is used twice; give each entry (and post file) its own id")]
    DuplicateId(String),
    /// An entry with nothing to say.
    #[error("library entry `{0}` has no text")]
    EmptyText(String),
    /// A cap of zero would stop all scheduled posting.
    #[error("posting.max_posts_per_day is 0; it must be at least 1")]
    ZeroCap,
    /// An entry's image cannot be attached.
    #[error("library entry `{id}`: {problem}")]
    Image {
        /// The entry's id.
        id: String,
        /// What is wrong, and what to do.
        problem: String,
    },
    /// A post file's front matter does not parse.
    #[error("post file `{id}`: {problem}")]
    FrontMatter {
        /// The file's entry id.
        id: String,
        /// What is wrong.
        problem: String,
    },
}

/// A post file's front matter.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    kind: Option<String>,
    #[serde(default)]
    accounts: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_alt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    evergreen: bool,
}

/// What a new post file holds, beside its id (its name).
#[derive(Debug, Clone, Copy)]
pub struct PostFile<'a> {
    /// The ratio's label for the entry's kind.
    pub kind_label: &'a str,
    /// The accounts that may post it; empty for all.
    pub accounts: &'a [String],
    /// Alt text for its image, if any.
    pub media_alt: Option<&'a str>,
    /// Its image, if any.
    pub image: Option<&'a Path>,
    /// The post's text.
    pub text: &'a str,
}

/// A post file that [`parse_post_file`] reads back as this entry (its id is the file's name):
/// TOML front matter, `---`, the text.
pub fn write_post_file(post: PostFile<'_>) -> String {
    let matter = FrontMatter {
        kind: Some(post.kind_label.to_owned()),
        accounts: post.accounts.to_vec(),
        media_alt: post.media_alt.filter(|alt| !alt.is_empty()).map(str::to_owned),
        image: post.image.map(Path::to_path_buf),
        evergreen: false,
    };
    // Plain strings and string lists always serialize; TOML escaping keeps quotes and
    // backslashes in an account name or alt text from breaking the file.
    let front = toml::to_string(&matter).unwrap_or_default();
    format!("{front}---\n{}\n", post.text.trim())
}

/// Reads a post file's text into an entry with id `id`; `kind` may use the ratio's labels.
pub fn parse_post_file(id: &str, content: &str, ratio: &RatioConfig) -> Result<LibraryEntry, LibraryError> {
    let error = |problem: String| LibraryError::FrontMatter { id: id.to_owned(), problem };
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    // An opening `---` (as in Markdown front matter) is allowed but not needed.
    let content =
        content.strip_prefix("---\n").or_else(|| content.strip_prefix("---\r\n")).unwrap_or(content);
    let (front, text) = split_front_matter(content);
    let matter: FrontMatter = toml::from_str(front).map_err(|e| error(e.message().to_owned()))?;
    let kind = match matter.kind {
        Some(name) => ratio.parse_kind(&name).ok_or_else(|| {
            error(format!("kind `{name}` is neither `{}` nor `{}`", ratio.labels[0], ratio.labels[1]))
        })?,
        None => PostKind::Value,
    };
    let text = text.trim();
    if text.is_empty() {
        return Err(LibraryError::EmptyText(id.to_owned()));
    }
    Ok(LibraryEntry {
        id: id.to_owned(),
        text: text.to_owned(),
        kind,
        accounts: matter.accounts,
        media_alt: matter.media_alt,
        image: matter.image,
        evergreen: matter.evergreen,
    })
}

/// Splits at the first line that is exactly `---`: (front matter, text). Without one, it is all text.
fn split_front_matter(content: &str) -> (&str, &str) {
    let mut offset = 0;
    for line in content.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return (&content[..offset], &content[offset + line.len()..]);
        }
        offset += line.len();
    }
    ("", content)
}

/// A library entry that went out to an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    /// The entry's id.
    pub entry: String,
    /// When it went out.
    pub at: UnixSeconds,
}

/// What a slot needs to know to pick an entry for one account.
#[derive(Debug, Clone, Copy)]
pub struct EntryRequest<'a> {
    /// The schedule whose slot it is (kinds it takes, zone of the day cap).
    pub schedule: &'a Schedule,
    /// The configured account posted to.
    pub account: &'a str,
    /// The time of the decision.
    pub now: UnixSeconds,
    /// Library entries already posted to this account, in any order.
    pub published: &'a [Published],
    /// Every post of this account, scheduled or not, sorted ascending: the daily cap counts them all.
    pub account_posts: &'a [UnixSeconds],
    /// The posts counted for the ratio (the account's, or its brand's), sorted by time.
    pub ratio_posts: &'a [PostRecord],
    /// The content ratio.
    pub ratio: &'a RatioConfig,
}

/// What a slot posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryChoice<'a> {
    /// This entry.
    Post(&'a LibraryEntry),
    /// Nothing yet: the day's cap is reached, or only sales entries are left and the ratio holds them.
    Hold {
        /// When to ask again; `None` when only more value posts can help.
        not_before: Option<UnixSeconds>,
        /// Why, for the person.
        reason: String,
    },
    /// Nothing eligible in the library for this slot.
    Nothing {
        /// Why, for the person.
        reason: String,
    },
}

/// The entries and the posting limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Library {
    entries: Vec<LibraryEntry>,
    posting: PostingConfig,
}

/// What is wrong with `entries[index]`, if anything: an id an earlier entry has, or no text; with
/// the entry's field at fault.
fn entry_problem(entries: &[LibraryEntry], index: usize) -> Option<(&'static str, LibraryError)> {
    let entry = &entries[index];
    if entries[..index].iter().any(|e| e.id == entry.id) {
        Some(("id", LibraryError::DuplicateId(entry.id.clone())))
    } else if entry.text.trim().is_empty() {
        Some(("text", LibraryError::EmptyText(entry.id.clone())))
    } else if let Err(problem) = entry.media() {
        Some(("image", LibraryError::Image { id: entry.id.clone(), problem }))
    } else {
        None
    }
}

impl LibraryEntry {
    /// The images the entry's post attaches: none, or its image with its alt text.
    pub fn media(&self) -> Result<Vec<MediaFile>, String> {
        match &self.image {
            None => Ok(Vec::new()),
            Some(path) => Ok(vec![MediaFile::image(path.clone(), self.media_alt.as_deref().unwrap_or(""))?]),
        }
    }
}

/// What [`Library::new`] would refuse among the `[[library]]` entries of the config, for the
/// config check; keys are from the root (`library[2].id`).
pub fn entry_problems(entries: &[LibraryEntry]) -> Vec<Invalid> {
    (0..entries.len())
        .filter_map(|i| {
            entry_problem(entries, i).map(|(field, e)| Invalid::keyed(format!("library[{i}].{field}"), &e))
        })
        .collect()
}

impl Library {
    /// Checks the entries (config entries first, then post files) and the posting limits.
    pub fn new(entries: Vec<LibraryEntry>, posting: PostingConfig) -> Result<Library, LibraryError> {
        if posting.max_posts_per_day == 0 {
            return Err(LibraryError::ZeroCap);
        }
        if let Some((_, error)) = (0..entries.len()).find_map(|i| entry_problem(&entries, i)) {
            return Err(error);
        }
        Ok(Library { entries, posting })
    }

    /// The entries, in library order.
    pub fn entries(&self) -> &[LibraryEntry] {
        &self.entries
    }

    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<&LibraryEntry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// Until when and why `account` may post no more today: its posts of the local day in `zone`
    /// (`account_posts`, sorted times) reached `posting.max_posts_per_day`. The scheduler asks
    /// before it queues a slot, and the gate before a post goes out, so posts held for a while
    /// never go out as a burst on one day.
    pub fn daily_cap(
        &self,
        account: &str,
        account_posts: &[UnixSeconds],
        now: UnixSeconds,
        zone: chrono_tz::Tz,
    ) -> Option<(UnixSeconds, String)> {
        let cap = self.posting.max_posts_per_day;
        let day_start = localtime::day_start(now, zone);
        let today = account_posts.len() - account_posts.partition_point(|&t| t < day_start);
        if today < cap as usize {
            return None;
        }
        let next = localtime::next_day_start(now, zone);
        Some((
            next,
            format!(
                "{account} has posted {today} of {cap} posts today (posting.max_posts_per_day); next after {}",
                localtime::label(next, now, zone)
            ),
        ))
    }

    /// The entry a slot should post to `req.account` now, or why none.
    pub fn next_entry(&self, req: &EntryRequest<'_>) -> EntryChoice<'_> {
        self.consider(req).0
    }

    /// [`Library::next_entry`]'s choice, and on a hold the entry it keeps back: the one the slot
    /// would take were it not for the daily cap or the ratio (it stays for a later slot).
    fn consider(&self, req: &EntryRequest<'_>) -> (EntryChoice<'_>, Option<&LibraryEntry>) {
        let candidates = self.candidates(req);
        let status = req.ratio.status(req.ratio_posts, req.now);
        let pick = candidates.iter().copied().find(|e| e.kind == PostKind::Value || status.allows_sales());
        if let Some((next, reason)) =
            self.daily_cap(req.account, req.account_posts, req.now, req.schedule.zone())
        {
            return (
                EntryChoice::Hold { not_before: Some(next), reason },
                pick.or(candidates.first().copied()),
            );
        }
        match (pick, candidates.first()) {
            (Some(entry), _) => (EntryChoice::Post(entry), None),
            (None, Some(&first)) => (
                EntryChoice::Hold {
                    not_before: None,
                    reason: req.ratio.hold_reason(&status).unwrap_or_default(),
                },
                Some(first),
            ),
            (None, None) => (
                EntryChoice::Nothing {
                    reason: format!(
                        "no library entry left for {} on schedule `{}`: every matching entry was posted, and evergreen ones recycle after {}",
                        req.account,
                        req.schedule.config().name,
                        self.posting.recycle_after
                    ),
                },
                None,
            ),
        }
    }

    /// The entries a slot may take for `req.account`, in the order it takes them: never-posted
    /// ones in library order, then evergreen ones due to recycle, oldest first.
    fn candidates(&self, req: &EntryRequest<'_>) -> Vec<&LibraryEntry> {
        let mut last_posted: HashMap<&str, UnixSeconds> = HashMap::new();
        for p in req.published {
            let at = last_posted.entry(p.entry.as_str()).or_insert(p.at);
            *at = (*at).max(p.at);
        }
        let recycle = self.posting.recycle_after.as_offset();
        let fits = |e: &&LibraryEntry| {
            (e.accounts.is_empty() || e.accounts.iter().any(|a| a == req.account))
                && req.schedule.takes(e.kind)
        };
        let fresh = self.entries.iter().filter(fits).filter(|e| !last_posted.contains_key(e.id.as_str()));
        let mut recyclable: Vec<(&LibraryEntry, UnixSeconds)> = self
            .entries
            .iter()
            .filter(fits)
            .filter(|e| e.evergreen)
            .filter_map(|e| last_posted.get(e.id.as_str()).map(|&at| (e, at)))
            .filter(|&(_, at)| req.now.saturating_sub(at) >= recycle)
            .collect();
        recyclable.sort_by_key(|&(_, at)| at);
        fresh.chain(recyclable.into_iter().map(|(e, _)| e)).collect()
    }
}

/// What the store knows of one account, for [`Library::plan`]: the same data the scheduler and
/// the gate read when a slot comes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountHistory {
    /// The configured account.
    pub account: String,
    /// Library entries already taken for it (queued by a slot, or posted), in any order.
    pub published: Vec<Published>,
    /// Its posts, scheduled or not, sorted ascending, at least those of the last two days: the
    /// daily cap counts them.
    pub posts: Vec<UnixSeconds>,
    /// The posts counted for its ratio (its own, or its brand's), sorted by time.
    pub ratio_posts: Vec<PostRecord>,
    /// Its publish actions as the gate's rate ledger has them, sorted ascending.
    pub ledger: Vec<UnixSeconds>,
    /// Its platform's hard ceilings.
    pub ceilings: Vec<RateCeiling>,
    /// Its platform's latest rate-limit headers.
    pub snapshot: Option<RateLimitSnapshot>,
}

/// What [`Library::plan`] previews.
#[derive(Debug, Clone, Copy)]
pub struct PlanRequest<'a> {
    /// The schedules, in config order (slots at the same instant run in this order, as the
    /// scheduler runs them).
    pub schedules: &'a [Schedule],
    /// The gate every post passes.
    pub gate: &'a Gate,
    /// The history of each account a schedule posts to; an account missing here has none.
    pub history: &'a [AccountHistory],
    /// The gate's pacing seed, so a previewed hold is the one the executor would give.
    pub jitter_seed: u64,
    /// The time of the preview; slots strictly after it are previewed.
    pub now: UnixSeconds,
    /// How many slots (one schedule time for one account is one slot).
    pub count: usize,
}

/// What the gate would say of one previewed slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlotVerdict {
    /// The entry is queued and goes out at the slot's time.
    Post,
    /// The entry is queued at the slot, but the gate holds it.
    Held {
        /// When it may go out; `None` when only more value posts can release it.
        until: Option<UnixSeconds>,
        /// Why, for the person.
        reason: String,
    },
    /// The daily cap or the ratio holds the entry back, so the slot queues nothing; the entry
    /// stays in the library for a later slot.
    Skipped {
        /// When the cap lifts; `None` when only more value posts can help.
        until: Option<UnixSeconds>,
        /// Why, for the person.
        reason: String,
    },
    /// No library entry fits the slot.
    Nothing {
        /// Why, for the person.
        reason: String,
    },
}

/// One previewed slot.
#[derive(Debug, Clone)]
pub struct PlannedSlot<'a> {
    /// The schedule whose slot it is.
    pub schedule: &'a Schedule,
    /// The account it posts to.
    pub account: &'a str,
    /// When the slot comes.
    pub at: UnixSeconds,
    /// The entry it takes, or would take were it not held back; `None` when nothing fits.
    pub entry: Option<&'a LibraryEntry>,
    /// What the gate would say.
    pub verdict: SlotVerdict,
}

impl Library {
    /// Previews the next `req.count` slots of every schedule, in time order, as they would go:
    /// each slot picks what the library would pick at its time, given what the earlier previewed
    /// slots took, and asks the gate what it would say then. A previewed post counts as sent at
    /// its slot (or when its hold ends): it counts for the ratio and the daily cap and is no
    /// longer fresh. Scheduled posts are assumed approved when queued, as `approve_scheduled` does.
    pub fn plan<'a>(&'a self, req: &PlanRequest<'a>) -> Vec<PlannedSlot<'a>> {
        let mut slots: Vec<(UnixSeconds, usize, usize)> = Vec::new();
        for (s, schedule) in req.schedules.iter().enumerate() {
            for at in schedule.next_slots(req.now, req.count) {
                slots.extend((0..schedule.config().accounts.len()).map(|a| (at, s, a)));
            }
        }
        slots.sort_unstable();
        slots.truncate(req.count);
        let mut sim: HashMap<&str, AccountHistory> = HashMap::new();
        for schedule in req.schedules {
            for account in &schedule.config().accounts {
                sim.entry(account.as_str()).or_insert_with(|| {
                    req.history.iter().find(|h| h.account == *account).cloned().unwrap_or_default()
                });
            }
        }
        let ratio = req.gate.ratio();
        let mut out = Vec::with_capacity(slots.len());
        for (at, s, a) in slots {
            let schedule = &req.schedules[s];
            let account = schedule.config().accounts[a].as_str();
            let Some(state) = sim.get(account) else { continue };
            let posts = &state.posts[..state.posts.partition_point(|&t| t <= at)];
            let ratio_posts = &state.ratio_posts[..state.ratio_posts.partition_point(|p| p.at <= at)];
            let (choice, held_back) = self.consider(&EntryRequest {
                schedule,
                account,
                now: at,
                published: &state.published,
                account_posts: posts,
                ratio_posts,
                ratio,
            });
            // (entry, verdict, whether the slot takes the entry, when the post goes out)
            let (entry, verdict, taken, sent) = match choice {
                EntryChoice::Post(entry) => {
                    let decision = req.gate.decide(&GateInput {
                        account,
                        action: ActionKind::Publish,
                        post_kind: Some(entry.kind),
                        now: at,
                        ledger: &state.ledger[..state.ledger.partition_point(|&t| t <= at)],
                        posts: ratio_posts,
                        ceilings: &state.ceilings,
                        snapshot: state.snapshot.as_ref(),
                        jitter_seed: req.jitter_seed,
                    });
                    match decision {
                        GateDecision::Allow => (Some(entry), SlotVerdict::Post, true, Some(at)),
                        GateDecision::Hold { not_before, reason } => {
                            (Some(entry), SlotVerdict::Held { until: not_before, reason }, true, not_before)
                        }
                    }
                }
                EntryChoice::Hold { not_before, reason } => {
                    (held_back, SlotVerdict::Skipped { until: not_before, reason }, false, None)
                }
                EntryChoice::Nothing { reason } => (None, SlotVerdict::Nothing { reason }, false, None),
            };
            if let Some(entry) = entry.filter(|_| taken) {
                if let Some(state) = sim.get_mut(account) {
                    state.published.push(Published { entry: entry.id.clone(), at });
                }
                if let Some(sent) = sent {
                    let scope = ratio.scope(account);
                    for (name, state) in sim.iter_mut() {
                        if *name == account {
                            insert_sorted(&mut state.posts, sent, |&t| t);
                            insert_sorted(&mut state.ledger, sent, |&t| t);
                        }
                        if ratio.scope(name) == scope {
                            insert_sorted(
                                &mut state.ratio_posts,
                                PostRecord { at: sent, kind: entry.kind },
                                |p| p.at,
                            );
                        }
                    }
                }
            }
            out.push(PlannedSlot { schedule, account, at, entry, verdict });
        }
        out
    }
}

/// Inserts `item` after every element whose key is not greater, keeping `v` sorted by `key`.
fn insert_sorted<T, K: Ord>(v: &mut Vec<T>, item: T, key: impl Fn(&T) -> K) {
    let k = key(&item);
    let at = v.partition_point(|x| key(x) <= k);
    v.insert(at, item);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rate_limit::PolicyConfig;
    use crate::schedule::{LatePolicy, ScheduleConfig};

    const DAY: i64 = 86_400;

    fn entry(id: &str, kind: PostKind, evergreen: bool) -> LibraryEntry {
        LibraryEntry {
            id: id.into(),
            text: format!("text of {id}"),
            kind,
            accounts: Vec::new(),
            media_alt: None,
            image: None,
            evergreen,
        }
    }

    fn schedule(kinds: Vec<PostKind>) -> Schedule {
        ScheduleConfig {
            name: "daily".into(),
            cron: "0 0 9 * * *".into(),
            timezone: "Europe/Berlin".into(),
            accounts: vec!["shop".into()],
            kinds,
            late_policy: LatePolicy::Skip,
        }
        .compile(0)
        .unwrap()
    }

    fn published(ids: &[(&str, UnixSeconds)]) -> Vec<Published> {
        ids.iter().map(|&(entry, at)| Published { entry: entry.into(), at }).collect()
    }

    /// Eleven value posts, well spread: the ratio allows a sales post.
    fn value_history() -> Vec<PostRecord> {
        (0..11).map(|i| PostRecord { at: i, kind: PostKind::Value }).collect()
    }

    fn pick<'a>(
        library: &'a Library,
        schedule: &Schedule,
        now: UnixSeconds,
        published: &[Published],
        ratio_posts: &[PostRecord],
    ) -> EntryChoice<'a> {
        library.next_entry(&EntryRequest {
            schedule,
            account: "shop",
            now,
            published,
            account_posts: &[],
            ratio_posts,
            ratio: &RatioConfig::default(),
        })
    }

    fn id<'a>(choice: &EntryChoice<'a>) -> &'a str {
        match choice {
            EntryChoice::Post(e) => &e.id,
            other => panic!("expected a post, got {other:?}"),
        }
    }

    #[test]
    fn takes_the_first_unposted_entry_for_the_account() {
        let mut other = entry("b", PostKind::Value, false);
        other.accounts = vec!["blog".into()];
        let lib = Library::new(
            vec![entry("a", PostKind::Value, false), other, entry("c", PostKind::Value, false)],
            PostingConfig::default(),
        )
        .unwrap();
        let s = schedule(Vec::new());
        assert_eq!(id(&pick(&lib, &s, 1_000, &[], &[])), "a");
        assert_eq!(id(&pick(&lib, &s, 1_000, &published(&[("a", 10)]), &[])), "c");
    }

    #[test]
    fn evergreen_entries_recycle_oldest_first_after_the_interval() {
        let lib = Library::new(
            vec![
                entry("a", PostKind::Value, true),
                entry("b", PostKind::Value, true),
                entry("c", PostKind::Value, false),
            ],
            PostingConfig { recycle_after: Span::from_secs(30 * DAY as u64), ..PostingConfig::default() },
        )
        .unwrap();
        let s = schedule(Vec::new());
        let history = published(&[("a", 5 * DAY), ("b", 2 * DAY), ("c", DAY)]);
        assert!(matches!(pick(&lib, &s, 20 * DAY, &history, &[]), EntryChoice::Nothing { .. }));
        assert_eq!(id(&pick(&lib, &s, 33 * DAY, &history, &[])), "b");
        assert_eq!(id(&pick(&lib, &s, 40 * DAY, &history, &[])), "b", "b went out longer ago than a");
    }

    #[test]
    fn a_held_sales_entry_gives_way_to_a_value_entry_or_waits() {
        let lib = Library::new(
            vec![entry("offer", PostKind::Sales, false), entry("tip", PostKind::Value, false)],
            PostingConfig::default(),
        )
        .unwrap();
        let s = schedule(Vec::new());
        assert_eq!(id(&pick(&lib, &s, 100, &[], &[])), "tip", "the ratio holds sales on a new account");
        assert_eq!(id(&pick(&lib, &s, 100, &[], &value_history())), "offer");
        let only_sales = published(&[("tip", 50)]);
        assert_eq!(
            pick(&lib, &s, 100, &only_sales, &[]),
            EntryChoice::Hold {
                not_before: None,
                reason: "sales post needs 10 more value posts first (0 of 10 since the last sales post)"
                    .into(),
            }
        );
    }

    #[test]
    fn the_schedule_kind_filter_applies() {
        let lib = Library::new(
            vec![entry("offer", PostKind::Sales, false), entry("tip", PostKind::Value, false)],
            PostingConfig::default(),
        )
        .unwrap();
        let sales_only = schedule(vec![PostKind::Sales]);
        assert_eq!(id(&pick(&lib, &sales_only, 100, &[], &value_history())), "offer");
        let value_only = schedule(vec![PostKind::Value]);
        assert_eq!(id(&pick(&lib, &value_only, 100, &[], &value_history())), "tip");
    }

    #[test]
    fn the_daily_cap_counts_every_post_of_the_local_day() {
        let lib = Library::new(vec![entry("a", PostKind::Value, false)], PostingConfig::default()).unwrap();
        let s = schedule(Vec::new());
        // 2025-01-14 in Berlin starts at 2025-01-13 23:00 UTC.
        let berlin_midnight = 1_736_809_200;
        let posts =
            [berlin_midnight - 60, berlin_midnight + 60, berlin_midnight + 3_600, berlin_midnight + 7_200];
        let req = EntryRequest {
            schedule: &s,
            account: "shop",
            now: berlin_midnight + 36_000,
            published: &[],
            account_posts: &posts,
            ratio_posts: &[],
            ratio: &RatioConfig::default(),
        };
        assert_eq!(
            lib.next_entry(&req),
            EntryChoice::Hold {
                not_before: Some(berlin_midnight + DAY),
                reason: "shop has posted 3 of 3 posts today (posting.max_posts_per_day); next after Wed 15 Jan 00:00 CET"
                    .into(),
            }
        );
        let req = EntryRequest { account_posts: &posts[..3], ..req };
        assert_eq!(id(&lib.next_entry(&req)), "a");
    }

    #[test]
    fn an_image_needs_a_known_type_and_alt_text_and_is_named_with_its_entry() {
        let mut e = entry("mug", PostKind::Value, false);
        e.image = Some("mug.bmp".into());
        e.media_alt = Some("a blue mug".into());
        let err = Library::new(vec![e.clone()], PostingConfig::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "library entry `mug`: image `mug.bmp` is not one of the types rapport attaches (png, jpg, jpeg, gif, webp); convert it to one"
        );
        e.image = Some("mug.webp".into());
        e.media_alt = None;
        let problems = entry_problems(&[e.clone()]);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].key, "library[0].image");
        assert!(problems[0].message.contains("has no alt text; describe it in `media_alt`"), "{problems:?}");
        e.media_alt = Some(" a blue mug ".into());
        assert_eq!(e.media().unwrap()[0].alt, "a blue mug");
    }

    #[test]
    fn post_files_parse_front_matter_and_labels() {
        let ratio = RatioConfig { labels: ["tip".into(), "offer".into()], ..RatioConfig::default() };
        let file = "kind = \"offer\"\naccounts = [\"shop\"]\nevergreen = true\nmedia_alt = \"a mug\"\n---\n\nSpring sale!\n";
        let e = parse_post_file("spring", file, &ratio).unwrap();
        assert_eq!(
            e,
            LibraryEntry {
                id: "spring".into(),
                text: "Spring sale!".into(),
                kind: PostKind::Sales,
                accounts: vec!["shop".into()],
                media_alt: Some("a mug".into()),
                image: None,
                evergreen: true,
            }
        );
        let plain = parse_post_file("hello", "Just text, --- not a separator.\n", &ratio).unwrap();
        let quoted = write_post_file(PostFile {
            kind_label: "offer",
            accounts: &["a \"b\" \\c".into()],
            media_alt: Some("mug \"blue\"\n"),
            image: Some(Path::new("/pics/mug \"blue\".JPG")),
            text: " Sale\n---\nnow ",
        });
        let back = parse_post_file("q", &quoted, &ratio).unwrap();
        assert_eq!(
            (back.kind, back.accounts.clone(), back.media_alt.as_deref(), back.text.as_str()),
            (PostKind::Sales, vec!["a \"b\" \\c".to_owned()], Some("mug \"blue\"\n"), "Sale\n---\nnow")
        );
        let media = back.media().unwrap();
        assert_eq!(
            (media[0].path.to_str(), media[0].mime_type.as_str(), media[0].alt.as_str()),
            (Some("/pics/mug \"blue\".JPG"), "image/jpeg", "mug \"blue\"")
        );
        assert_eq!((plain.kind, plain.text.as_str()), (PostKind::Value, "Just text, --- not a separator."));
        let opened = parse_post_file("o", "---\nkind = \"value\"\n---\nHi", &ratio).unwrap();
        assert_eq!(opened.text, "Hi");
        let err = parse_post_file("x", "kind = \"promo\"\n---\nBuy", &ratio).unwrap_err();
        assert_eq!(err.to_string(), "post file `x`: kind `promo` is neither `tip` nor `offer`");
        assert!(
            parse_post_file("y", "colour = 3\n---\nHi", &ratio)
                .unwrap_err()
                .to_string()
                .starts_with("post file `y`")
        );
        assert_eq!(
            parse_post_file("z", "kind = \"tip\"\n---\n  \n", &ratio),
            Err(LibraryError::EmptyText("z".into()))
        );
    }

    #[test]
    fn duplicate_ids_and_a_zero_cap_are_refused() {
        let two = vec![entry("a", PostKind::Value, false), entry("a", PostKind::Sales, false)];
        assert_eq!(Library::new(two, PostingConfig::default()), Err(LibraryError::DuplicateId("a".into())));
        let zero = PostingConfig { max_posts_per_day: 0, ..PostingConfig::default() };
        assert_eq!(Library::new(Vec::new(), zero), Err(LibraryError::ZeroCap));
        let toml_entry: LibraryEntry =
            toml::from_str("id = \"t\"\ntext = \"Hi\"\nkind = \"sales\"\naccounts = [\"shop\"]").unwrap();
        assert_eq!(toml_entry.kind, PostKind::Sales);
        assert!(toml::from_str::<LibraryEntry>("id = \"t\"\ntext = \"Hi\"\ntags = []").is_err());
    }

    /// Monday 2025-01-13, 00:00 UTC.
    const MONDAY: UnixSeconds = 1_736_726_400;
    const HOUR: i64 = 3_600;

    fn compiled(name: &str, cron: &str, zone: &str, kinds: Vec<PostKind>) -> Schedule {
        ScheduleConfig {
            name: name.into(),
            cron: cron.into(),
            timezone: zone.into(),
            accounts: vec!["shop".into()],
            kinds,
            late_policy: LatePolicy::Skip,
        }
        .compile(0)
        .unwrap()
    }

    fn gate(policy: &str) -> Gate {
        Gate::new(&toml::from_str(policy).unwrap(), &RatioConfig::default()).unwrap()
    }

    fn history(ratio_posts: Vec<PostRecord>, published: Vec<Published>) -> Vec<AccountHistory> {
        vec![AccountHistory {
            account: "shop".into(),
            published,
            posts: ratio_posts.iter().map(|p| p.at).collect(),
            ratio_posts,
            ..AccountHistory::default()
        }]
    }

    fn plan<'a>(
        library: &'a Library,
        schedules: &'a [Schedule],
        gate: &'a Gate,
        history: &'a [AccountHistory],
        now: UnixSeconds,
        count: usize,
    ) -> Vec<PlannedSlot<'a>> {
        library.plan(&PlanRequest { schedules, gate, history, jitter_seed: 7, now, count })
    }

    /// Each slot as (time, entry id or "-", verdict in a word).
    fn summary(plan: &[PlannedSlot<'_>]) -> Vec<(UnixSeconds, String, &'static str)> {
        plan.iter()
            .map(|p| {
                let verdict = match p.verdict {
                    SlotVerdict::Post => "post",
                    SlotVerdict::Held { .. } => "held",
                    SlotVerdict::Skipped { .. } => "skipped",
                    SlotVerdict::Nothing { .. } => "nothing",
                };
                (p.at, p.entry.map_or_else(|| "-".to_owned(), |e| e.id.clone()), verdict)
            })
            .collect()
    }

    fn values(n: usize) -> Vec<LibraryEntry> {
        (1..=n).map(|i| entry(&format!("v{i:02}"), PostKind::Value, false)).collect()
    }

    #[test]
    fn the_plan_takes_a_new_entry_at_each_slot_in_time_order() {
        let lib = Library::new(values(3), PostingConfig::default()).unwrap();
        let schedules = [
            compiled("evening", "0 0 18 * * *", "UTC", Vec::new()),
            compiled("morning", "0 0 9 * * *", "UTC", Vec::new()),
        ];
        let g = gate("");
        let out = plan(&lib, &schedules, &g, &[], MONDAY, 5);
        let day = |d: i64, h: i64| MONDAY + d * DAY + h * HOUR;
        assert_eq!(
            summary(&out),
            [
                (day(0, 9), "v01".into(), "post"),
                (day(0, 18), "v02".into(), "post"),
                (day(1, 9), "v03".into(), "post"),
                (day(1, 18), "-".into(), "nothing"),
                (day(2, 9), "-".into(), "nothing"),
            ]
        );
        assert_eq!(out[0].schedule.config().name, "morning");
        assert_eq!(out[1].schedule.config().name, "evening");
        assert_eq!(out[0].account, "shop");
        // The preview changes nothing: asked again, it says the same.
        assert_eq!(summary(&plan(&lib, &schedules, &g, &[], MONDAY, 5)), summary(&out));
    }

    #[test]
    fn the_ratio_holds_a_sales_slot_until_enough_value_posts_were_simulated() {
        let mut entries = vec![entry("offer", PostKind::Sales, false)];
        entries.extend(values(12));
        let lib = Library::new(entries, PostingConfig::default()).unwrap();
        let schedules = [
            compiled("weekday-tips", "0 0 9 * * Mon-Fri", "Europe/London", vec![PostKind::Value]),
            compiled("saturday-offer", "0 30 10 * * Sat", "Europe/London", vec![PostKind::Sales]),
        ];
        let g = gate("");
        // Three value posts went out last week; a week of tips brings eight, two more make ten.
        let before = (1..=3).map(|i| PostRecord { at: MONDAY - i * DAY, kind: PostKind::Value }).collect();
        let h = history(before, Vec::new());
        let out = plan(&lib, &schedules, &g, &h, MONDAY, 14);
        let saturday = MONDAY + 5 * DAY + 10 * HOUR + 30 * 60;
        let got = summary(&out);
        assert_eq!(got.len(), 14);
        assert_eq!(got[5], (saturday, "offer".into(), "skipped"));
        assert_eq!(
            out[5].verdict,
            SlotVerdict::Skipped {
                until: None,
                reason: "sales post needs 2 more value posts first (8 of 10 since the last sales post)"
                    .into()
            }
        );
        assert_eq!(got[11], (saturday + 7 * DAY, "offer".into(), "post"), "{got:?}");
        let tips: Vec<&str> = got.iter().filter(|g| g.1 != "offer").map(|g| g.1.as_str()).collect();
        assert_eq!(
            tips,
            ["v01", "v02", "v03", "v04", "v05", "v06", "v07", "v08", "v09", "v10", "v11", "v12"]
        );
        // The simulated sales post counts too: the next sales post needs ten new value posts.
        let mut longer = plan(&lib, &schedules, &g, &h, MONDAY, 20);
        let after = longer.split_off(12);
        assert!(after.iter().all(|p| p.entry.is_none_or(|e| e.id != "offer")));
    }

    #[test]
    fn a_schedule_taking_any_kind_passes_over_the_held_sales_entry() {
        let mut entries = vec![entry("offer", PostKind::Sales, false)];
        entries.extend(values(11));
        let lib = Library::new(entries, PostingConfig::default()).unwrap();
        let schedules = [compiled("daily", "0 0 9 * * *", "UTC", Vec::new())];
        let g = gate("");
        let got = summary(&plan(&lib, &schedules, &g, &[], MONDAY, 12));
        let ids: Vec<&str> = got.iter().map(|g| g.1.as_str()).collect();
        assert_eq!(ids[..10], ["v01", "v02", "v03", "v04", "v05", "v06", "v07", "v08", "v09", "v10"]);
        assert_eq!(ids[10..], ["offer", "v11"], "the offer goes once ten value posts were simulated");
    }

    #[test]
    fn the_daily_cap_moves_the_entry_to_the_next_local_day() {
        let posting = PostingConfig { max_posts_per_day: 2, ..PostingConfig::default() };
        let lib = Library::new(values(4), posting).unwrap();
        let schedules = [compiled("thrice", "0 0 9,12,15 * * *", "Europe/Berlin", Vec::new())];
        let g = gate("");
        let out = plan(&lib, &schedules, &g, &[], MONDAY, 4);
        // 09:00 Berlin is 08:00 UTC in January.
        let berlin = |d: i64, h: i64| MONDAY + d * DAY + (h - 1) * HOUR;
        assert_eq!(
            summary(&out),
            [
                (berlin(0, 9), "v01".into(), "post"),
                (berlin(0, 12), "v02".into(), "post"),
                (berlin(0, 15), "v03".into(), "skipped"),
                (berlin(1, 9), "v03".into(), "post"),
            ]
        );
        assert_eq!(
            out[2].verdict,
            SlotVerdict::Skipped {
                until: Some(berlin(1, 0)),
                reason: "shop has posted 2 of 2 posts today (posting.max_posts_per_day); next after Tue 14 Jan 00:00 CET"
                    .into()
            }
        );
    }

    #[test]
    fn the_daily_cap_counts_posts_already_sent_today() {
        let posting = PostingConfig { max_posts_per_day: 2, ..PostingConfig::default() };
        let lib = Library::new(values(2), posting).unwrap();
        let schedules = [compiled("noon", "0 0 12 * * *", "UTC", Vec::new())];
        let g = gate("");
        let sent = vec![
            PostRecord { at: MONDAY + 8 * HOUR, kind: PostKind::Value },
            PostRecord { at: MONDAY + 10 * HOUR, kind: PostKind::Value },
        ];
        let h = history(sent, Vec::new());
        let got = summary(&plan(&lib, &schedules, &g, &h, MONDAY + 11 * HOUR, 2));
        assert_eq!(
            got,
            [(MONDAY + 12 * HOUR, "v01".into(), "skipped"), (MONDAY + DAY + 12 * HOUR, "v01".into(), "post")]
        );
    }

    #[test]
    fn evergreen_entries_recycle_in_the_plan() {
        let posting =
            PostingConfig { recycle_after: Span::from_secs(2 * DAY as u64), ..PostingConfig::default() };
        let lib = Library::new(
            vec![entry("old", PostKind::Value, true), entry("new", PostKind::Value, true)],
            posting,
        )
        .unwrap();
        let schedules = [compiled("daily", "0 0 9 * * *", "UTC", Vec::new())];
        let g = gate("");
        // `old` went out ten days ago: due to recycle. `new` was never posted: it goes first.
        let h = history(Vec::new(), published(&[("old", MONDAY - 10 * DAY)]));
        let got = summary(&plan(&lib, &schedules, &g, &h, MONDAY, 5));
        let ids: Vec<&str> = got.iter().map(|g| g.1.as_str()).collect();
        assert_eq!(ids, ["new", "old", "new", "old", "new"], "each comes back two days after its last slot");
        let posting =
            PostingConfig { recycle_after: Span::from_secs(3 * DAY as u64), ..PostingConfig::default() };
        let lib = Library::new(vec![entry("only", PostKind::Value, true)], posting).unwrap();
        let got = summary(&plan(&lib, &schedules, &g, &[], MONDAY, 4));
        let verdicts: Vec<&str> = got.iter().map(|g| g.2).collect();
        assert_eq!(verdicts, ["post", "nothing", "nothing", "post"]);
    }

    #[test]
    fn a_gate_hold_is_reported_with_its_time_and_the_post_goes_out_then() {
        let lib = Library::new(values(3), PostingConfig::default()).unwrap();
        let schedules = [compiled("twice", "0 0 9,15 * * *", "UTC", Vec::new())];
        let g = gate("[[budgets]]\naction = \"publish\"\nper_day = 1\njitter = 0.0");
        let out = plan(&lib, &schedules, &g, &[], MONDAY, 3);
        let tomorrow_9 = MONDAY + DAY + 9 * HOUR;
        assert_eq!(
            summary(&out),
            [
                (MONDAY + 9 * HOUR, "v01".into(), "post"),
                (MONDAY + 15 * HOUR, "v02".into(), "held"),
                (tomorrow_9, "v03".into(), "held"),
            ]
        );
        match &out[1].verdict {
            SlotVerdict::Held { until, reason } => {
                assert_eq!(*until, Some(tomorrow_9));
                assert!(reason.starts_with("publish budget of shop used 1/1"), "{reason}");
            }
            other => panic!("expected a hold, got {other:?}"),
        }
        // v02 goes out when its hold ends, so the next slot is held a day further.
        assert!(matches!(out[2].verdict, SlotVerdict::Held { until: Some(t), .. } if t == tomorrow_9 + DAY));
    }

    #[test]
    fn a_brand_shares_the_simulated_posts_for_its_ratio() {
        let ratio: RatioConfig = toml::from_str(
            "value_per_sales = 2\n[[brands]]\nname = \"acme\"\naccounts = [\"shop\", \"blog\"]",
        )
        .unwrap();
        let g = Gate::new(&PolicyConfig::default(), &ratio).unwrap();
        let mut offer = entry("offer", PostKind::Sales, false);
        offer.accounts = vec!["shop".into()];
        let mut tips = values(2);
        for tip in &mut tips {
            tip.accounts = vec!["blog".into()];
        }
        tips.push(offer);
        let lib = Library::new(tips, PostingConfig::default()).unwrap();
        let mut blog = compiled("blog-tips", "0 0 9 * * *", "UTC", vec![PostKind::Value]);
        blog = ScheduleConfig { accounts: vec!["blog".into()], ..blog.config().clone() }.compile(0).unwrap();
        let shop = compiled("shop-offer", "0 0 12 * * *", "UTC", vec![PostKind::Sales]);
        let schedules = [blog, shop];
        let got = summary(&plan(&lib, &schedules, &g, &[], MONDAY, 4));
        assert_eq!(
            got,
            [
                (MONDAY + 9 * HOUR, "v01".into(), "post"),
                (MONDAY + 12 * HOUR, "offer".into(), "skipped"),
                (MONDAY + DAY + 9 * HOUR, "v02".into(), "post"),
                (MONDAY + DAY + 12 * HOUR, "offer".into(), "post"),
            ],
            "the blog's tips count for the shop's offer"
        );
    }
}
