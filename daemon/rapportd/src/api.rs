//! Answers the CLI's requests from the daemon's state: the one place protocol messages meet the
//! store, the policy and the accounts.

use std::path::{Path, PathBuf};

use rapport_core::UnixSeconds;
use rapport_core::library::{AccountHistory, PlanRequest, SlotVerdict as PlanVerdict};
use rapport_core::task::{ActionKind, PostKind, TaskState, Transition};
use rapport_protocol::{
    AccountRatio, AccountStatus, ContentEntry, ErrorCode, ErrorReply, ItemResult, MAX_PAGE, MissedSlot,
    NewContentEntry, PluginHealth, PostPreview, PreviewTarget, RateHeadroom, Request, Response,
    ScheduleReport, Slot, SlotVerdict, StateCount, StatusReport,
};
use rapport_store::{StoreError, TaskFilter};

use crate::scheduler;
use crate::state::{AccountHealth, State};

/// Failed polls in a row after which a plugin is reported down rather than degraded.
const DOWN_AFTER: u32 = 3;

/// Held tasks listed per account in `status`.
const HELD_SHOWN: usize = 5;

/// Answers one request.
pub async fn handle(daemon: &State, request: Request) -> Response {
    match answer(daemon, request) {
        Ok(response) => response,
        Err(err) => Response::Error(err),
    }
}

fn answer(daemon: &State, request: Request) -> Result<Response, ErrorReply> {
    let now = daemon.now();
    match request {
        Request::Status => status(daemon, now).map(Response::Status),
        Request::Queue { state, account, after, limit } => {
            let filter = TaskFilter { state, account, after, limit: limit.clamp(1, MAX_PAGE) as usize };
            Ok(Response::Tasks(daemon.store.page(&filter).map_err(internal)?))
        }
        Request::Show { id } => match daemon.store.task(id).map_err(internal)? {
            Some(task) => Ok(Response::Task(Box::new(task))),
            None => {
                Err(ErrorReply::new(ErrorCode::NotFound, format!("no task {id}; `rapport queue` lists them")))
            }
        },
        Request::Approve { ids, text } => {
            if text.is_some() && ids.len() != 1 {
                return Err(ErrorReply::new(
                    ErrorCode::BadRequest,
                    "new text can only be given for one task at a time",
                ));
            }
            let result =
                bulk(daemon, ids.into_iter().map(|id| (id, Transition::Approve { text: text.clone() })), now);
            daemon.executor_wake.notify_one();
            result
        }
        Request::Reject { ids, reason } => {
            bulk(daemon, ids.into_iter().map(|id| (id, Transition::Reject { reason: reason.clone() })), now)
        }
        Request::Resend { id } => {
            require_state(daemon, id, TaskState::NeedsCheck, "resend")?;
            let result = bulk(daemon, [(id, Transition::Approve { text: None })], now);
            daemon.executor_wake.notify_one();
            result
        }
        Request::Retry { ids } => {
            let result = bulk(daemon, ids.into_iter().map(|id| (id, Transition::RetryFailed)), now);
            daemon.executor_wake.notify_one();
            result
        }
        Request::MarkDone { id } => bulk(daemon, [(id, Transition::MarkDone)], now),
        Request::Ratio { account } => ratio(daemon, account.as_deref(), now).map(Response::Ratio),
        Request::Schedule { count, report: false } => {
            slots(daemon, count, now).map(|slots| Response::Slots(for_older_clients(slots)))
        }
        Request::Schedule { count, report: true } => schedule(daemon, count, now).map(Response::Schedule),
        Request::PostAdd { entry } => post_add(daemon, entry),
        Request::PostList => post_list(daemon),
        Request::PostRemove { id } => post_remove(daemon, &id),
        Request::PostPreview { target } => preview(daemon, target, now).map(Response::Preview),
    }
}

fn internal(err: StoreError) -> ErrorReply {
    ErrorReply::new(ErrorCode::Internal, format!("store: {err}"))
}

fn bulk(
    daemon: &State,
    changes: impl IntoIterator<Item = (rapport_core::task::TaskId, Transition)>,
    now: UnixSeconds,
) -> Result<Response, ErrorReply> {
    let outcomes = daemon.store.transition_many(changes, now).map_err(internal)?;
    Ok(Response::Updated(
        outcomes
            .into_iter()
            .map(|(id, result)| match result {
                Ok(_) => ItemResult::ok(id),
                Err(err) => ItemResult::failed(id, err.to_string()),
            })
            .collect(),
    ))
}

fn require_state(
    daemon: &State,
    id: rapport_core::task::TaskId,
    state: TaskState,
    what: &str,
) -> Result<(), ErrorReply> {
    match daemon.store.task(id).map_err(internal)? {
        Some(task) if task.state == state => Ok(()),
        Some(task) => Err(ErrorReply::new(
            ErrorCode::InvalidState,
            format!("task {id} is {}; only a {state} task can be {what}", task.state),
        )),
        None => Err(ErrorReply::new(ErrorCode::NotFound, format!("no task {id}"))),
    }
}

fn status(daemon: &State, now: UnixSeconds) -> Result<StatusReport, ErrorReply> {
    let counts = daemon.store.counts().map_err(internal)?;
    let health = daemon.health();
    let mut accounts = Vec::new();
    for account in daemon.accounts().iter() {
        let name = account.name();
        let description = account.description();
        let polled = health.get(name);
        let plugin_health = match polled {
            Some(h) if h.credential_refused.is_some() => PluginHealth::Down(format!(
                "credential refused: {}",
                h.credential_refused.clone().unwrap_or_default()
            )),
            Some(h) if h.failures >= DOWN_AFTER => {
                PluginHealth::Down(h.last_error.clone().unwrap_or_default())
            }
            Some(h) if h.failures > 0 => PluginHealth::Degraded(h.last_error.clone().unwrap_or_default()),
            _ => PluginHealth::Ok,
        };
        let last_poll = match polled.and_then(|h| h.last_poll) {
            Some(at) => Some(at),
            None => daemon.store.last_poll(name).map_err(internal)?,
        };
        let queue = queue_of(&counts, name);
        let mut headroom = Vec::new();
        for ceiling in &description.ceilings {
            let since = now - i64::from(ceiling.window_seconds);
            let used = daemon.store.actions_since(name, ceiling.action, since).map_err(internal)?.len();
            headroom.push(RateHeadroom {
                action: ceiling.action,
                used: u32::try_from(used).unwrap_or(u32::MAX),
                limit: ceiling.limit,
                window_seconds: ceiling.window_seconds,
                source: format!("{} ceiling", description.platform),
            });
        }
        if let Some(live) = daemon.host.rate_limit(name)
            && let (Some(limit), Some(remaining)) = (live.limit, live.remaining)
        {
            let window = live.reset_at.map(|r| (r - now).max(0)).unwrap_or(0);
            headroom.push(RateHeadroom {
                action: rapport_core::task::ActionKind::Reply,
                used: u32::try_from(limit.saturating_sub(remaining)).unwrap_or(u32::MAX),
                limit: u32::try_from(limit).unwrap_or(u32::MAX),
                window_seconds: u32::try_from(window).unwrap_or(u32::MAX),
                source: "live API requests (all actions)".into(),
            });
        }
        let held = daemon
            .store
            .page(&TaskFilter {
                state: Some(TaskState::Approved),
                account: Some(name.to_owned()),
                after: None,
                limit: MAX_PAGE as usize,
            })
            .map_err(internal)?
            .into_iter()
            .filter(|t| t.not_before.is_some_and(|nb| nb > now))
            .filter_map(|t| t.note.map(|note| format!("task {}: {note}", t.id)))
            .take(HELD_SHOWN)
            .collect();
        accounts.push(AccountStatus {
            name: name.to_owned(),
            platform: description.platform.clone(),
            plugin: format!("{} {}", description.name, description.version),
            plugin_health,
            last_poll,
            queue,
            headroom,
            held,
            attention: polled.map(attention).unwrap_or_default(),
        });
    }
    // An account whose plugin did not load is down with the reason; its tasks wait in the queue.
    for unloaded in daemon.unloaded().iter() {
        let name = unloaded.config.name.as_str();
        accounts.push(AccountStatus {
            name: name.to_owned(),
            platform: unloaded.config.platform.clone(),
            plugin: unloaded.config.plugin.display().to_string(),
            plugin_health: PluginHealth::Down(unloaded.reason.clone()),
            last_poll: daemon.store.last_poll(name).map_err(internal)?,
            queue: queue_of(&counts, name),
            headroom: Vec::new(),
            held: Vec::new(),
            attention: vec![format!("its plugin did not load: {}", unloaded.reason)],
        });
    }
    Ok(StatusReport {
        daemon_version: env!("CARGO_PKG_VERSION").into(),
        started_at: daemon.started_at,
        now,
        accounts,
    })
}

/// What a person must fix about the account's credential, from its health.
fn attention(health: &AccountHealth) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(why) = &health.credential_refused {
        out.push(format!(
            "the platform refused the credential ({why}); fix the token and reload rapportd (SIGHUP)"
        ));
    }
    for missing in health.access.iter().flat_map(|a| &a.missing) {
        out.push(format!(
            "the token lacks the permission {missing}; those tasks are held until it is added and rapportd reloaded"
        ));
    }
    out
}

/// `account`'s non-empty queue counts.
fn queue_of(counts: &[(String, TaskState, u64)], account: &str) -> Vec<StateCount> {
    counts
        .iter()
        .filter(|(a, _, count)| a == account && *count > 0)
        .map(|(_, state, count)| StateCount { state: *state, count: *count })
        .collect()
}

fn ratio(daemon: &State, only: Option<&str>, now: UnixSeconds) -> Result<Vec<AccountRatio>, ErrorReply> {
    let policy = daemon.policy();
    let ratio = policy.gate.ratio();
    let accounts = daemon.accounts();
    if let Some(name) = only
        && !accounts.iter().any(|a| a.name() == name)
    {
        return Err(ErrorReply::new(
            ErrorCode::NotFound,
            format!("no account `{name}` in the configuration"),
        ));
    }
    let mut out = Vec::new();
    for account in accounts.iter().filter(|a| only.is_none_or(|n| n == a.name())) {
        let posts = policy.ratio_posts(&daemon.store, account.name(), now).map_err(internal)?;
        let status = ratio.status(&posts, now);
        out.push(AccountRatio {
            account: account.name().to_owned(),
            brand: policy.brand(account.name()),
            value_posts: status.value,
            sales_posts: status.sales,
            required: ratio.value_per_sales,
            value_needed: status.value_posts_needed_before_next_sales,
        });
    }
    Ok(out)
}

/// The coming slots and the missed ones, for `rapport schedule`.
fn schedule(daemon: &State, count: u32, now: UnixSeconds) -> Result<ScheduleReport, ErrorReply> {
    let policy = daemon.policy();
    let mut missed = Vec::new();
    let mut missed_earlier = false;
    for schedule in &policy.schedules {
        let config = schedule.config();
        let record = scheduler::missed(daemon, &config.name).map_err(internal)?;
        missed_earlier |= record.earlier;
        missed.extend(record.slots.into_iter().map(|at| MissedSlot {
            schedule: config.name.clone(),
            accounts: config.accounts.clone(),
            at,
            timezone: config.timezone.clone(),
        }));
    }
    // The most recent across the schedules, as many as one schedule keeps.
    missed.sort_by_key(|m| m.at);
    let excess = missed.len().saturating_sub(scheduler::MISSED_KEPT);
    missed.drain(..excess);
    missed_earlier |= excess > 0;
    Ok(ScheduleReport { now, slots: slots(daemon, count, now)?, missed, missed_earlier })
}

/// The next `count` slots as they would go: the core's simulation over each account's history.
fn slots(daemon: &State, count: u32, now: UnixSeconds) -> Result<Vec<Slot>, ErrorReply> {
    let policy = daemon.policy();
    let accounts = daemon.accounts();
    let mut history: Vec<AccountHistory> = Vec::new();
    for name in policy.schedules.iter().flat_map(|s| &s.config().accounts) {
        if history.iter().any(|h| h.account == *name) {
            continue;
        }
        let store = &daemon.store;
        history.push(AccountHistory {
            account: name.clone(),
            published: policy.published(store, name).map_err(internal)?,
            posts: policy.recent_posts(store, name, now).map_err(internal)?,
            ratio_posts: policy.ratio_posts(store, name, now).map_err(internal)?,
            ledger: store
                .actions_since(name, ActionKind::Publish, now - policy.gate.lookback())
                .map_err(internal)?,
            ceilings: accounts
                .iter()
                .find(|a| a.name() == name)
                .map(|a| a.description().ceilings.clone())
                .unwrap_or_default(),
            snapshot: daemon.host.rate_limit(name),
        });
    }
    let plan = policy.library.plan(&PlanRequest {
        schedules: &policy.schedules,
        gate: &policy.gate,
        history: &history,
        jitter_seed: policy.jitter_seed,
        now,
        count: count.clamp(1, MAX_PAGE) as usize,
    });
    Ok(plan
        .into_iter()
        .map(|p| {
            let (verdict, until, note) = match p.verdict {
                PlanVerdict::Post => (SlotVerdict::Post, None, None),
                PlanVerdict::Held { until, reason } => (SlotVerdict::Held, until, Some(reason)),
                PlanVerdict::Skipped { until, reason } => (SlotVerdict::Skipped, until, Some(reason)),
                PlanVerdict::Nothing { reason } => (SlotVerdict::Nothing, None, Some(reason)),
            };
            Slot {
                schedule: p.schedule.config().name.clone(),
                account: p.account.to_owned(),
                at: p.at,
                entry: p.entry.map(|e| e.id.clone()),
                kind: p.entry.map(|e| e.kind),
                note,
                timezone: p.schedule.config().timezone.clone(),
                verdict: Some(verdict),
                until,
            }
        })
        .collect())
}

/// Slots as a client from before [`SlotVerdict`] reads them: it shows the entry, else the note,
/// so an entry the slot holds back is left out for the note to show why nothing goes.
fn for_older_clients(mut slots: Vec<Slot>) -> Vec<Slot> {
    for slot in &mut slots {
        if matches!(slot.verdict, Some(SlotVerdict::Skipped | SlotVerdict::Nothing)) {
            (slot.entry, slot.kind) = (None, None);
        }
    }
    slots
}

/// The folder `rapport post add` writes to.
fn post_folder(daemon: &State) -> Result<PathBuf, ErrorReply> {
    let settings = daemon.settings();
    let folder = settings.config.posting.folder.as_ref().ok_or_else(|| {
        ErrorReply::new(
            ErrorCode::BadRequest,
            format!(
                "no post folder: set `posting.folder` in {} to add and remove posts from the CLI",
                settings.file.display()
            ),
        )
    })?;
    Ok(settings.file.parent().unwrap_or(Path::new(".")).join(folder))
}

fn post_add(daemon: &State, entry: NewContentEntry) -> Result<Response, ErrorReply> {
    if entry.text.trim().is_empty() {
        return Err(ErrorReply::new(ErrorCode::BadRequest, "a post needs text"));
    }
    let folder = post_folder(daemon)?;
    let policy = daemon.policy();
    let slug: String = entry
        .text
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .split_whitespace()
        .take(5)
        .collect::<Vec<_>>()
        .join("-");
    let mut id = if slug.is_empty() { "post".to_owned() } else { slug };
    let base = id.clone();
    let mut n = 1;
    while policy.library.get(&id).is_some() || folder.join(format!("{id}.md")).exists() {
        n += 1;
        id = format!("{base}-{n}");
    }
    let kind = policy.gate.ratio().label(entry.kind).to_owned();
    let accounts = entry.accounts.iter().map(|a| format!("{a:?}")).collect::<Vec<_>>().join(", ");
    let mut file = format!("kind = {kind:?}\naccounts = [{accounts}]\n");
    if !entry.media_alt.is_empty() {
        file.push_str(&format!("media_alt = {:?}\n", entry.media_alt));
    }
    file.push_str("---\n");
    file.push_str(entry.text.trim());
    file.push('\n');
    let path = folder.join(format!("{id}.md"));
    std::fs::create_dir_all(&folder)
        .and_then(|()| std::fs::write(&path, file))
        .map_err(|e| ErrorReply::new(ErrorCode::Internal, format!("writing {}: {e}", path.display())))?;
    if let Err(err) = daemon.reload_policy() {
        let _ = std::fs::remove_file(&path);
        return Err(ErrorReply::new(ErrorCode::BadRequest, format!("the post was not added: {err:#}")));
    }
    post_list(daemon)
}

fn post_remove(daemon: &State, id: &str) -> Result<Response, ErrorReply> {
    let folder = post_folder(daemon)?;
    let policy = daemon.policy();
    if policy.library.get(id).is_none() {
        return Err(ErrorReply::new(
            ErrorCode::NotFound,
            format!("no library entry `{id}`; `rapport post list` lists them"),
        ));
    }
    let removed = ["md", "txt"].iter().map(|ext| folder.join(format!("{id}.{ext}"))).find(|p| p.exists());
    let Some(path) = removed else {
        return Err(ErrorReply::new(
            ErrorCode::BadRequest,
            format!("entry `{id}` is in {}; remove it there", daemon.settings().file.display()),
        ));
    };
    std::fs::remove_file(&path)
        .map_err(|e| ErrorReply::new(ErrorCode::Internal, format!("removing {}: {e}", path.display())))?;
    daemon.reload_policy().map_err(|e| ErrorReply::new(ErrorCode::Internal, format!("{e:#}")))?;
    post_list(daemon)
}

fn post_list(daemon: &State) -> Result<Response, ErrorReply> {
    let policy = daemon.policy();
    let accounts = daemon.accounts();
    let mut out = Vec::new();
    for entry in policy.library.entries() {
        let mut last_posted: Option<UnixSeconds> = None;
        for account in accounts.iter() {
            if let Some(at) = daemon.store.last_posted(&entry.id, account.name()).map_err(internal)? {
                last_posted = Some(last_posted.map_or(at, |l| l.max(at)));
            }
        }
        out.push(ContentEntry {
            id: entry.id.clone(),
            text: entry.text.clone(),
            kind: entry.kind,
            accounts: entry.accounts.clone(),
            last_posted,
        });
    }
    Ok(Response::Posts(out))
}

/// Posts longer than this are refused by Mastodon's default instance settings.
const MASTODON_LIMIT: usize = 500;

fn preview(daemon: &State, target: PreviewTarget, now: UnixSeconds) -> Result<PostPreview, ErrorReply> {
    let policy = daemon.policy();
    let (text, kind, accounts) = match target {
        PreviewTarget::Entry { id } => {
            let entry = policy
                .library
                .get(&id)
                .ok_or_else(|| ErrorReply::new(ErrorCode::NotFound, format!("no library entry `{id}`")))?;
            (entry.text.clone(), entry.kind, entry.accounts.clone())
        }
        PreviewTarget::Text { text, kind } => (text, kind, Vec::new()),
    };
    let length = text.chars().count();
    let mut warnings = Vec::new();
    if text.trim().is_empty() {
        warnings.push("the text is empty".to_owned());
    }
    if length > MASTODON_LIMIT {
        warnings.push(format!("{length} characters: over Mastodon's usual {MASTODON_LIMIT}"));
    }
    if kind == PostKind::Sales {
        for account in
            daemon.accounts().iter().filter(|a| accounts.is_empty() || accounts.iter().any(|n| n == a.name()))
        {
            let posts = policy.ratio_posts(&daemon.store, account.name(), now).map_err(internal)?;
            if let Some(reason) = policy.gate.ratio().hold_reason(&policy.gate.ratio().status(&posts, now)) {
                warnings.push(format!("{}: {reason}", account.name()));
            }
        }
    }
    Ok(PostPreview { text, length: u32::try_from(length).unwrap_or(u32::MAX), warnings })
}
