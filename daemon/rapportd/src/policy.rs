//! The compiled policy — gate, schedules, content library — and the gate's view of the store.
//!
//! The core decides (`Gate::decide`, `Library::next_entry`); this module gathers what those pure
//! functions need from the store (the action ledger, the posts that count for the ratio, what each
//! library entry last went out as) and checks the configuration against what each platform's plugin
//! declares, so a budget above a platform's ceiling is refused at load, naming its file, line and
//! key like every other problem of the configuration.

use std::path::Path;

use anyhow::Context;
use rapport_core::UnixSeconds;
use rapport_core::config::{Config, Invalid, KeyedError};
use rapport_core::content_ratio::{PostRecord, RatioScope};
use rapport_core::gate::{Gate, GateDecision, GateInput};
use rapport_core::library::{Library, LibraryEntry, Published, parse_post_file};
use rapport_core::platform::Description;
use rapport_core::reads::ReadKind;
use rapport_core::schedule::Schedule;
use rapport_core::task::{Action, ActionKind, Task};
use rapport_store::{Store, StoreError};

use crate::accounts::Account;
use crate::settings::Settings;

/// How far back the ratio looks when its window is a number of posts.
const RATIO_HISTORY: i64 = 366 * 86_400;

/// The policy in force, compiled from the configuration.
#[derive(Debug)]
pub struct Policy {
    /// Budgets, ceilings and the content ratio.
    pub gate: Gate,
    /// The posting schedules.
    pub schedules: Vec<Schedule>,
    /// The content library, from the config and the post folder.
    pub library: Library,
    /// Whether scheduled posts are queued approved.
    pub approve_scheduled: bool,
    /// Randomness for pacing jitter, fixed per daemon so a decision is stable between passes.
    pub jitter_seed: u64,
}

impl Policy {
    /// Compiles the policy sections and checks each account's budgets against what its
    /// platform's plugin declares (`platforms`: account name and description).
    pub fn compile<'a>(
        settings: &Settings,
        platforms: impl IntoIterator<Item = (&'a str, &'a Description)>,
    ) -> anyhow::Result<Policy> {
        let config = &settings.config;
        // The config check refuses what the gate and the schedules would; errors are located all
        // the same, should the two ever drift apart.
        let located = |e: &dyn KeyedError| config.locate(vec![e.invalid()]);
        let gate = Gate::new(&config.policy, &config.ratio).map_err(|e| located(&e))?;
        let platforms: Vec<(&str, &Description)> = platforms.into_iter().collect();
        for (account, description) in &platforms {
            config.policy.check_ceilings(account, &description.ceilings).map_err(|e| located(&e))?;
        }
        let problems = planner_platform_problems(config, &platforms);
        if !problems.is_empty() {
            return Err(config.locate(problems).into());
        }
        let schedules = config
            .schedules
            .iter()
            .enumerate()
            .map(|(i, s)| s.compile(i).map_err(|e| located(&e)))
            .collect::<Result<Vec<_>, _>>()?;
        let base = settings.file.parent().unwrap_or(Path::new("."));
        let mut entries = config.library.clone();
        for (i, entry) in entries.iter_mut().enumerate() {
            resolve_image(entry, base)
                .map_err(|why| config.locate(vec![Invalid::new(format!("library[{i}].image"), why)]))?;
        }
        if let Some(folder) = &config.posting.folder {
            entries.extend(read_post_folder(config, &base.join(folder))?);
        }
        // Past the config check, only a post file can be at fault: its id (its name) is taken.
        let library = Library::new(entries, config.posting.clone())
            .map_err(|e| config.locate(vec![Invalid::new("posting.folder", e.to_string())]))?;
        Ok(Policy {
            gate,
            schedules,
            library,
            approve_scheduled: config.posting.approve_scheduled,
            jitter_seed: fastrand::u64(..),
        })
    }

    /// Whether `task` may go out now for `account`, given what the store knows.
    pub fn decide(
        &self,
        store: &Store,
        account: &Account,
        task: &Task,
        snapshot: Option<&rapport_core::platform::RateLimitSnapshot>,
        now: UnixSeconds,
    ) -> Result<GateDecision, StoreError> {
        if let Action::Publish { .. } = &task.action {
            let recent = self.recent_posts(store, account.name(), now)?;
            if let Some((not_before, reason)) =
                self.library.daily_cap(account.name(), &recent, now, self.post_zone(task))
            {
                return Ok(GateDecision::Hold { not_before: Some(not_before), reason });
            }
        }
        let kind = task.action.kind();
        let ledger = store.actions_since(account.name(), kind, now - self.gate.lookback())?;
        let post_kind = match &task.action {
            Action::Publish { post_kind, .. } => Some(*post_kind),
            _ => None,
        };
        let posts =
            if post_kind.is_some() { self.ratio_posts(store, account.name(), now)? } else { Vec::new() };
        Ok(self.gate.decide(&GateInput {
            account: account.name(),
            action: kind,
            post_kind,
            now,
            ledger: &ledger,
            posts: &posts,
            ceilings: &account.description().ceilings,
            snapshot,
            jitter_seed: self.jitter_seed,
        }))
    }

    /// When `account` posted in the last two days (enough to count any local day's posts).
    pub fn recent_posts(
        &self,
        store: &Store,
        account: &str,
        now: UnixSeconds,
    ) -> Result<Vec<UnixSeconds>, StoreError> {
        Ok(store.posts_since(account, now - 2 * 86_400)?.into_iter().map(|p| p.at).collect())
    }

    /// The zone whose calendar day a post's daily cap counts: its schedule's, else the policy's.
    fn post_zone(&self, task: &Task) -> chrono_tz::Tz {
        task.origin
            .schedule()
            .and_then(|name| self.schedules.iter().find(|s| s.config().name == name))
            .map_or(self.gate.zone(), Schedule::zone)
    }

    /// The posts that count toward `account`'s ratio (its own, or its brand's), sorted by time.
    pub fn ratio_posts(
        &self,
        store: &Store,
        account: &str,
        now: UnixSeconds,
    ) -> Result<Vec<PostRecord>, StoreError> {
        let since = now - RATIO_HISTORY;
        let mut posts: Vec<PostRecord> = match self.gate.ratio().scope(account) {
            RatioScope::Account(name) => store.posts_since(name, since)?,
            RatioScope::Brand(brand) => {
                let mut all = Vec::new();
                for member in &brand.accounts {
                    all.extend(store.posts_since(member, since)?);
                }
                all
            }
        }
        .into_iter()
        .map(|p| PostRecord { at: p.at, kind: p.kind })
        .collect();
        posts.sort_by_key(|p| p.at);
        Ok(posts)
    }

    /// The brand whose ratio `account` shares, if any.
    pub fn brand(&self, account: &str) -> Option<String> {
        match self.gate.ratio().scope(account) {
            RatioScope::Brand(brand) => Some(brand.name.clone()),
            RatioScope::Account(_) => None,
        }
    }

    /// When each library entry was last taken for `account`: queued by a slot, or posted.
    pub fn published(&self, store: &Store, account: &str) -> Result<Vec<Published>, StoreError> {
        let mut published = Vec::new();
        for entry in self.library.entries() {
            if let Some(at) = store.last_posted(&entry.id, account)? {
                published.push(Published { entry: entry.id.clone(), at });
            }
        }
        Ok(published)
    }
}

/// Reads every `*.md` / `*.txt` post file of `config`'s post folder (`folder`, resolved); the file
/// name (without extension) is the id.
fn read_post_folder(config: &Config, folder: &Path) -> anyhow::Result<Vec<LibraryEntry>> {
    let ratio = &config.ratio;
    let mut entries = Vec::new();
    let listing = std::fs::read_dir(folder).map_err(|e| {
        config.locate(vec![Invalid::new(
            "posting.folder",
            format!("cannot read {}: {e}; create the folder or fix the path", folder.display()),
        )])
    })?;
    let mut paths: Vec<_> = listing.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let is_post = matches!(path.extension().and_then(|e| e.to_str()), Some("md" | "txt"));
        let Some(id) = path.file_stem().and_then(|s| s.to_str()).filter(|_| is_post) else { continue };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading post file {}", path.display()))?;
        let mut entry =
            parse_post_file(id, &text, ratio).with_context(|| format!("post file {}", path.display()))?;
        resolve_image(&mut entry, folder)
            .map_err(|why| anyhow::anyhow!("post file {}: image: {why}", path.display()))?;
        entries.push(entry);
    }
    Ok(entries)
}

/// Makes `entry`'s image path absolute (relative paths are from `base`) and checks that it is a
/// file rapport can read now, so a missing image is named at start, not when the post is due.
fn resolve_image(entry: &mut LibraryEntry, base: &Path) -> Result<(), String> {
    let Some(image) = &entry.image else { return Ok(()) };
    let path = base.join(image);
    match std::fs::metadata(&path) {
        Ok(meta) if meta.is_file() => {
            entry.image = Some(path);
            Ok(())
        }
        Ok(_) => Err(format!("{} is not a file", path.display())),
        Err(e) => Err(format!("cannot read {}: {e}; put the image there or fix the path", path.display())),
    }
}

/// What the campaigns, purges and circles ask of a platform its plugin does not serve: a campaign
/// on an account that cannot follow (a Facebook Page) or read one of its sources, a purge that
/// cannot unfollow or read relationships in bulk, a circle that cannot read people's posts.
fn planner_platform_problems(config: &Config, platforms: &[(&str, &Description)]) -> Vec<Invalid> {
    let description = |account: &str| platforms.iter().find(|(name, _)| *name == account).map(|(_, d)| *d);
    let cannot = |key: String, d: &Description, what: &str| {
        Invalid::new(
            key,
            format!(
                "the {} plugin cannot {what}; use an account on a platform that can, or remove this entry",
                d.platform
            ),
        )
    };
    let mut out = Vec::new();
    for (i, campaign) in config.campaigns.iter().enumerate() {
        let Some(d) = description(&campaign.account) else { continue };
        if !d.permits(ActionKind::Follow) && by_hand_follows(d).is_none() {
            out.push(cannot(format!("campaigns[{i}].account"), d, "follow anyone through its API"));
            continue;
        }
        for (j, source) in campaign.discovery_sources().iter().enumerate() {
            let read = ReadKind::of_source(source);
            if !d.reads(read) {
                out.push(cannot(
                    format!("campaigns[{i}].sources[{j}]"),
                    d,
                    &format!("serve `{}`", read.as_str()),
                ));
            }
        }
    }
    for (i, purge) in config.purge.iter().enumerate() {
        let Some(d) = description(&purge.account) else { continue };
        if !d.permits(ActionKind::Unfollow) || !d.reads(ReadKind::Relationships) {
            out.push(cannot(format!("purge[{i}].account"), d, "unfollow or read relationships in bulk"));
        }
    }
    for (i, circle) in config.circles.iter().enumerate() {
        let Some(d) = description(&circle.account) else { continue };
        if !d.reads(ReadKind::RecentPosts) {
            out.push(cannot(format!("circles[{i}].account"), d, "read a person's recent posts"));
        }
        if circle.list.is_some() && !d.reads(ReadKind::DiscoverList) {
            out.push(cannot(format!("circles[{i}].list"), d, "read a list's posts"));
        }
        if circle.mutuals_engaged_within.is_some() && !d.reads(ReadKind::Relationships) {
            out.push(cannot(format!("circles[{i}].mutuals_engaged_within"), d, "read relationships in bulk"));
        }
    }
    out
}

/// Why a campaign's follows on this platform are for the person to make in the platform's own
/// app, if they are: X's developer terms forbid automated following, and its plugin offers none,
/// yet following people of interest is still what the person should do there.
pub fn by_hand_follows(description: &Description) -> Option<&'static str> {
    (description.platform == "x" && !description.permits(ActionKind::Follow)).then_some(
        "X's developer terms forbid automated follows: follow them yourself in X (the profile link \
         is on the task), then `rapport mark-done ID`",
    )
}
