//! The relationship requests: follow campaigns (list, show, pause, resume, approve all), circles
//! and the keep-list.
//!
//! Everything here is the configuration in force and what the store kept; nothing calls a
//! platform. A campaign's or circle's tasks are found by their origin, reading the account's
//! tasks page by page, since the store indexes tasks by account and state but not by origin.

use std::collections::BTreeMap;

use rapport_core::UnixSeconds;
use rapport_core::campaign::CampaignConfig;
use rapport_core::circle::CircleConfig;
use rapport_core::history::normalize_handle;
use rapport_core::task::{Action, Origin, Task, TaskId, TaskState};
use rapport_protocol::requests::Approve;
use rapport_protocol::{
    CampaignDetail, CampaignReport, CircleReport, ErrorCode, ErrorReply, ItemResult, KeepChange, KeepList,
    ProposedFollow, StateCount,
};
use rapport_store::TaskFilter;

use super::{internal, tasks};
use crate::state::State;

/// Tasks read per page when looking for a campaign's or circle's tasks.
const SCAN_PAGE: usize = 500;

/// Every configured campaign with its state and task counts.
pub fn campaigns(state: &State) -> Result<Vec<CampaignReport>, ErrorReply> {
    let config = &state.settings().config;
    let mut counts = OriginCounts::default();
    for account in accounts_of(config.campaigns.iter().map(|c| c.account.as_str())) {
        counts.scan(state, account, |origin| match origin {
            Origin::Campaign { campaign, .. } => Some(campaign),
            _ => None,
        })?;
    }
    config.campaigns.iter().map(|c| campaign_report(state, c, counts.of(&c.account, &c.name))).collect()
}

/// One campaign with its proposed tasks.
pub fn campaign(state: &State, name: &str) -> Result<CampaignDetail, ErrorReply> {
    let config = find_campaign(state, name)?;
    let mut counts = OriginCounts::default();
    let mut proposed = Vec::new();
    scan(state, &config.account, None, |task| {
        let Origin::Campaign { campaign, source } = &task.origin else { return };
        if campaign != name {
            return;
        }
        counts.add(&task.account, campaign, task.state);
        if task.state == TaskState::Proposed {
            proposed.push(proposed_follow(task, source));
        }
    })?;
    let campaign = campaign_report(state, &config, counts.of(&config.account, name))?;
    Ok(CampaignDetail { campaign, proposed })
}

/// Pauses or resumes campaign `name`; the campaign after the change.
pub fn set_paused(state: &State, name: &str, paused: bool) -> Result<CampaignReport, ErrorReply> {
    find_campaign(state, name)?;
    // One field changed atomically: a planner's pass writing its cursors at the same moment
    // cannot undo the pause.
    state.store.update_campaign_state(name, |record| record.paused = paused).map_err(internal)?;
    campaign(state, name).map(|detail| detail.campaign)
}

/// Approves every proposed task of campaign `name`, through the same one-at-a-time rule as any
/// approval of several tasks.
pub fn approve_campaign(state: &State, name: &str, now: UnixSeconds) -> Result<Vec<ItemResult>, ErrorReply> {
    let config = find_campaign(state, name)?;
    let mut ids = Vec::new();
    scan(state, &config.account, Some(TaskState::Proposed), |task| {
        if matches!(&task.origin, Origin::Campaign { campaign, .. } if campaign == name) {
            ids.push(task.id);
        }
    })?;
    tasks::approve_together(state, Approve { ids, text: None, undoable: false }, false, now)
}

/// Every configured circle with its task counts.
pub fn circles(state: &State) -> Result<Vec<CircleReport>, ErrorReply> {
    let config = &state.settings().config;
    let mut counts = OriginCounts::default();
    for account in accounts_of(config.circles.iter().map(|c| c.account.as_str())) {
        counts.scan(state, account, |origin| match origin {
            Origin::Circle { circle } => Some(circle),
            _ => None,
        })?;
    }
    config.circles.iter().map(|c| circle_report(state, c, counts.of(&c.account, &c.name))).collect()
}

/// One circle.
pub fn circle(state: &State, name: &str) -> Result<CircleReport, ErrorReply> {
    let settings = state.settings();
    let Some(config) = settings.config.circles.iter().find(|c| c.name == name) else {
        let names: Vec<&str> = settings.config.circles.iter().map(|c| c.name.as_str()).collect();
        return Err(not_configured("circle", name, &names, "[[circles]]"));
    };
    let mut counts = OriginCounts::default();
    counts.scan(state, &config.account, |origin| match origin {
        Origin::Circle { circle } if circle == name => Some(circle),
        _ => None,
    })?;
    circle_report(state, config, counts.of(&config.account, name))
}

/// `account`'s keep-list (the only account when none is named).
pub fn keep_list(state: &State, account: Option<&str>) -> Result<KeepList, ErrorReply> {
    let account = keep_account(state, account)?;
    read_keep_list(state, account)
}

/// Adds `who` to `account`'s keep-list.
pub fn keep_add(state: &State, account: Option<&str>, who: &str) -> Result<KeepChange, ErrorReply> {
    let account = keep_account(state, account)?;
    let who = person(who)?;
    let changed = state.store.keep_add(&account, who).map_err(internal)?;
    Ok(KeepChange { who: who.to_owned(), changed, list: read_keep_list(state, account)? })
}

/// Removes `who` from `account`'s keep-list; someone not on it is an error, so a misspelt handle
/// is not taken for a removal.
pub fn keep_remove(state: &State, account: Option<&str>, who: &str) -> Result<KeepChange, ErrorReply> {
    let account = keep_account(state, account)?;
    let who = person(who)?;
    if !state.store.keep_remove(&account, who).map_err(internal)? {
        return Err(ErrorReply::new(
            ErrorCode::NotFound,
            format!(
                "`{who}` is not on the keep-list of {account}; `rapport keep list --account {account}` shows it"
            ),
        ));
    }
    Ok(KeepChange { who: who.to_owned(), changed: true, list: read_keep_list(state, account)? })
}

/// A handle or id as given, refused when blank.
fn person(who: &str) -> Result<&str, ErrorReply> {
    let trimmed = who.trim();
    if trimmed.trim_start_matches('@').is_empty() {
        return Err(ErrorReply::new(
            ErrorCode::BadRequest,
            "name someone: a handle (@ann@garden.social) or a platform id",
        ));
    }
    Ok(trimmed)
}

/// The keep-list as stored.
fn read_keep_list(state: &State, account: String) -> Result<KeepList, ErrorReply> {
    let people = state.store.keep_list(&account).map_err(internal)?.into_iter().collect();
    Ok(KeepList { account, people })
}

/// The account a keep-list request is for: the one named, or the only one configured.
fn keep_account(state: &State, named: Option<&str>) -> Result<String, ErrorReply> {
    let settings = state.settings();
    let names: Vec<&str> = settings.config.accounts.iter().map(|a| a.name.as_str()).collect();
    choose_account(named, &names)
}

/// `named` if it is one of `configured`, or the only configured account when none is named.
fn choose_account(named: Option<&str>, configured: &[&str]) -> Result<String, ErrorReply> {
    match (named, configured) {
        (Some(name), _) if configured.contains(&name) => Ok(name.to_owned()),
        (Some(name), _) => Err(not_configured("account", name, configured, "[[accounts]]")),
        (None, [only]) => Ok((*only).to_owned()),
        (None, _) => Err(ErrorReply::new(
            ErrorCode::BadRequest,
            format!(
                "several accounts are configured ({}); pass --account with one of them",
                configured.join(", ")
            ),
        )),
    }
}

/// The campaign named `name`, or an error listing the configured ones.
fn find_campaign(state: &State, name: &str) -> Result<CampaignConfig, ErrorReply> {
    let settings = state.settings();
    settings.config.campaigns.iter().find(|c| c.name == name).cloned().ok_or_else(|| {
        let names: Vec<&str> = settings.config.campaigns.iter().map(|c| c.name.as_str()).collect();
        not_configured("campaign", name, &names, "[[campaigns]]")
    })
}

/// "no campaign `x` in the configuration; the campaigns are a, b".
fn not_configured(what: &str, name: &str, configured: &[&str], section: &str) -> ErrorReply {
    let known = if configured.is_empty() {
        format!("none is configured (add a {section} section)")
    } else {
        format!("configured: {}", configured.join(", "))
    };
    ErrorReply::new(ErrorCode::NotFound, format!("no {what} `{name}` in the configuration; {known}"))
}

/// A campaign's report from its config, its stored state and its task counts.
fn campaign_report(
    state: &State,
    config: &CampaignConfig,
    tasks: Vec<StateCount>,
) -> Result<CampaignReport, ErrorReply> {
    let record = state.store.campaign_state(&config.name).map_err(internal)?;
    // The campaign's measure: of the people it followed, who followed back.
    let made = state.store.follows_made(&config.account).map_err(internal)?;
    let followers = state.store.followers_seen(&config.account).map_err(internal)?;
    let ours: Vec<_> = made.iter().filter(|f| f.campaign.as_deref() == Some(config.name.as_str())).collect();
    let followed_back = ours.iter().filter(|f| followers.contains(&f.account_id)).count();
    Ok(CampaignReport {
        name: config.name.clone(),
        account: config.account.clone(),
        sources: config.sources.clone(),
        weekly_goal: config.weekly_goal,
        daily_share: config.daily_share(),
        paused: record.paused,
        last_pass: record.last_pass,
        tasks,
        followed: u32::try_from(ours.len()).unwrap_or(u32::MAX),
        followed_back: u32::try_from(followed_back).unwrap_or(u32::MAX),
    })
}

/// Adds `member` to circle `name` (or, with `add` false, takes them out); the circle after it.
/// Taking out someone who is not a member is an error, so a misspelt handle is noticed.
pub fn set_member(state: &State, name: &str, member: &str, add: bool) -> Result<CircleReport, ErrorReply> {
    let settings = state.settings();
    let Some(config) = settings.config.circles.iter().find(|c| c.name == name) else {
        let names: Vec<&str> = settings.config.circles.iter().map(|c| c.name.as_str()).collect();
        return Err(not_configured("circle", name, &names, "[[circles]]"));
    };
    let who = normalize_handle(member);
    if who.is_empty() {
        return Err(ErrorReply::new(ErrorCode::BadRequest, "name the person: a handle or a platform id"));
    }
    let record = state.store.circle_state(name).map_err(internal)?;
    let members = config.effective_members(&record.added, &record.removed);
    let is_member = members.iter().any(|m| normalize_handle(m) == who);
    if !add && !is_member {
        return Err(ErrorReply::new(
            ErrorCode::BadRequest,
            format!("`{member}` is not in circle {name}; its members: {}", members.join(", ")),
        ));
    }
    let configured = config.members.iter().any(|m| normalize_handle(m) == who);
    state
        .store
        .update_circle_state(name, |r| {
            if add {
                r.removed.remove(&who);
                if !configured {
                    r.added.insert(who.clone());
                }
            } else {
                r.added.remove(&who);
                if configured {
                    r.removed.insert(who.clone());
                }
            }
        })
        .map_err(internal)?;
    circle(state, name)
}

/// A circle's report from its config, its stored state and its task counts.
fn circle_report(
    state: &State,
    config: &CircleConfig,
    tasks: Vec<StateCount>,
) -> Result<CircleReport, ErrorReply> {
    let record = state.store.circle_state(&config.name).map_err(internal)?;
    let settings = state.settings();
    let timezone = config
        .timezone
        .clone()
        .or_else(|| settings.config.policy.timezone.clone())
        .unwrap_or_else(|| "UTC".into());
    Ok(CircleReport {
        name: config.name.clone(),
        account: config.account.clone(),
        members: config.effective_members(&record.added, &record.removed),
        likes: config.likes,
        reposts: config.reposts,
        replies: config.replies,
        at: config.at.clone(),
        timezone,
        last_day: record.last_day,
        tasks,
    })
}

/// A campaign's proposed task as `campaign show` lists it.
fn proposed_follow(task: &Task, source: &str) -> ProposedFollow {
    let who = match (&task.context.profile, &task.action) {
        (Some(profile), _) => format!("@{}", profile.handle),
        (None, Action::Follow { account_id }) => account_id.clone(),
        (None, _) => String::new(),
    };
    let legitimacy = task.context.legitimacy.as_ref();
    ProposedFollow {
        id: task.id,
        who,
        source: source.to_owned(),
        score: legitimacy.map(|l| l.score),
        reason: legitimacy.and_then(|l| l.reasons.first().cloned()),
    }
}

/// Each account once, in first-seen order.
fn accounts_of<'a>(accounts: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for account in accounts {
        if !out.contains(&account) {
            out.push(account);
        }
    }
    out
}

/// Task counts per account, origin name and state.
#[derive(Default)]
struct OriginCounts(BTreeMap<(String, String), BTreeMap<TaskState, u64>>);

impl OriginCounts {
    /// Counts `account`'s tasks by the name `name_of` gives their origin (`None`: not counted).
    fn scan(
        &mut self,
        state: &State,
        account: &str,
        name_of: impl Fn(&Origin) -> Option<&String>,
    ) -> Result<(), ErrorReply> {
        scan(state, account, None, |task| {
            if let Some(name) = name_of(&task.origin) {
                self.add(&task.account, name, task.state);
            }
        })
    }

    /// Counts one task.
    fn add(&mut self, account: &str, name: &str, state: TaskState) {
        *self.0.entry((account.to_owned(), name.to_owned())).or_default().entry(state).or_default() += 1;
    }

    /// The counts of `name` on `account`, in state order.
    fn of(&self, account: &str, name: &str) -> Vec<StateCount> {
        self.0
            .get(&(account.to_owned(), name.to_owned()))
            .map(|counts| {
                counts.iter().map(|(state, count)| StateCount { state: *state, count: *count }).collect()
            })
            .unwrap_or_default()
    }
}

/// Calls `each` with every task of `account` (in `in_state`, if given), oldest first.
fn scan(
    state: &State,
    account: &str,
    in_state: Option<TaskState>,
    mut each: impl FnMut(&Task),
) -> Result<(), ErrorReply> {
    let mut after: Option<TaskId> = None;
    loop {
        let filter =
            TaskFilter { state: in_state, account: Some(account.to_owned()), after, limit: SCAN_PAGE };
        let page = state.store.page(&filter).map_err(internal)?;
        let Some(last) = page.last() else { return Ok(()) };
        after = Some(last.id);
        page.iter().for_each(&mut each);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_only_account_needs_no_name_and_several_need_one() {
        assert_eq!(choose_account(None, &["shop"]), Ok("shop".to_owned()));
        assert_eq!(choose_account(Some("kiln"), &["shop", "kiln"]), Ok("kiln".to_owned()));
        let several = choose_account(None, &["shop", "kiln"]).unwrap_err();
        assert_eq!(
            several.message,
            "several accounts are configured (shop, kiln); pass --account with one of them"
        );
        let unknown = choose_account(Some("studio"), &["shop"]).unwrap_err();
        assert_eq!(unknown.code, ErrorCode::NotFound);
        assert_eq!(unknown.message, "no account `studio` in the configuration; configured: shop");
    }

    #[test]
    fn a_blank_person_is_refused() {
        assert_eq!(person(" @ann "), Ok("@ann"));
        assert_eq!(person(" @ ").unwrap_err().code, ErrorCode::BadRequest);
    }
}
