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

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::UnixSeconds;
use crate::content_ratio::{PostRecord, RatioConfig};
use crate::localtime;
use crate::schedule::Schedule;
use crate::span::Span;
use crate::task::PostKind;

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
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    kind: Option<String>,
    #[serde(default)]
    accounts: Vec<String>,
    media_alt: Option<String>,
    #[serde(default)]
    evergreen: bool,
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

impl Library {
    /// Checks the entries (config entries first, then post files) and the posting limits.
    pub fn new(entries: Vec<LibraryEntry>, posting: PostingConfig) -> Result<Library, LibraryError> {
        if posting.max_posts_per_day == 0 {
            return Err(LibraryError::ZeroCap);
        }
        for (i, entry) in entries.iter().enumerate() {
            if entries[..i].iter().any(|e| e.id == entry.id) {
                return Err(LibraryError::DuplicateId(entry.id.clone()));
            }
            if entry.text.trim().is_empty() {
                return Err(LibraryError::EmptyText(entry.id.clone()));
            }
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
        if let Some((next, reason)) =
            self.daily_cap(req.account, req.account_posts, req.now, req.schedule.zone())
        {
            return EntryChoice::Hold { not_before: Some(next), reason };
        }
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
        let candidates: Vec<&LibraryEntry> = fresh.chain(recyclable.into_iter().map(|(e, _)| e)).collect();
        let status = req.ratio.status(req.ratio_posts, req.now);
        let pick = candidates.iter().find(|e| e.kind == PostKind::Value || status.allows_sales());
        match (pick, candidates.first()) {
            (Some(entry), _) => EntryChoice::Post(entry),
            (None, Some(_)) => EntryChoice::Hold {
                not_before: None,
                reason: req.ratio.hold_reason(&status).unwrap_or_default(),
            },
            (None, None) => EntryChoice::Nothing {
                reason: format!(
                    "no library entry left for {} on schedule `{}`: every matching entry was posted, and evergreen ones recycle after {}",
                    req.account,
                    req.schedule.config().name,
                    self.posting.recycle_after
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::{LatePolicy, ScheduleConfig};

    const DAY: i64 = 86_400;

    fn entry(id: &str, kind: PostKind, evergreen: bool) -> LibraryEntry {
        LibraryEntry {
            id: id.into(),
            text: format!("text of {id}"),
            kind,
            accounts: Vec::new(),
            media_alt: None,
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
                evergreen: true,
            }
        );
        let plain = parse_post_file("hello", "Just text, --- not a separator.\n", &ratio).unwrap();
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
}
