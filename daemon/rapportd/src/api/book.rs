//! The relationship book's requests: people (a circle's, the most engaged, those the account is
//! losing touch with), one person's timeline, notes, tags, forgetting someone, and the line of
//! history each task view shows.
//!
//! A person is named by handle or platform id; with no account named, every configured account's
//! book is looked in, and a change that would touch several asks for `--account`.

use rapport_core::UnixSeconds;
use rapport_core::book;
use rapport_core::history::normalize_handle;
use rapport_core::task::TaskId;
use rapport_protocol::requests::{Forget, People, Person, PersonNote, PersonTag};
use rapport_protocol::{ErrorCode, ErrorReply, Forgotten, PersonDetail, PersonSummary, TaskHistoryLine};
use rapport_store::PersonRecord;

use super::internal;
use crate::state::State;

/// A person must have interacted this often before going quiet to count as losing touch.
const LOSING_TOUCH_MIN: u32 = 2;

/// The people of the book, filtered as asked, the most interacted with first.
pub fn people(state: &State, request: People, now: UnixSeconds) -> Result<Vec<PersonSummary>, ErrorReply> {
    let settings = state.settings();
    let circle = match &request.circle {
        None => None,
        Some(name) => {
            let Some(config) = settings.config.circles.iter().find(|c| &c.name == name) else {
                let names: Vec<&str> = settings.config.circles.iter().map(|c| c.name.as_str()).collect();
                return Err(ErrorReply::new(
                    ErrorCode::NotFound,
                    format!("no circle `{name}` in the configuration; configured: {}", names.join(", ")),
                ));
            };
            let record = state.store.circle_state(name).map_err(internal)?;
            Some((config.account.clone(), config.effective_members(&record.added, &record.removed)))
        }
    };
    let mut out = Vec::new();
    for account in accounts(state, request.account.as_deref())? {
        if circle.as_ref().is_some_and(|(of, _)| *of != account) {
            continue;
        }
        for record in state.store.people(&account) {
            let record = record.map_err(internal)?;
            if let Some((_, members)) = &circle
                && !members.iter().any(|m| *m == record.handle || *m == record.id)
            {
                continue;
            }
            if let Some(window) = request.losing_touch
                && !book::losing_touch(record.interactions, record.last_seen, now - window, LOSING_TOUCH_MIN)
            {
                continue;
            }
            out.push((account.clone(), record));
        }
    }
    out.sort_by(|(_, a), (_, b)| b.interactions.cmp(&a.interactions).then(b.last_seen.cmp(&a.last_seen)));
    // A reply must fit in a frame, so a listing is at most a page long.
    out.truncate(request.top.unwrap_or(rapport_protocol::MAX_PAGE).min(rapport_protocol::MAX_PAGE) as usize);
    out.into_iter().map(|(account, record)| summary(state, &account, record)).collect()
}

/// One person in full from each book that holds them.
pub fn person(state: &State, request: Person, now: UnixSeconds) -> Result<Vec<PersonDetail>, ErrorReply> {
    let found = find(state, request.account.as_deref(), &request.who)?;
    let zone = state.policy().gate.zone();
    found
        .into_iter()
        .map(|(account, record)| {
            let timeline = state.store.interactions_of(&account, &record.id).map_err(internal)?;
            let history = book::history_line(&timeline, now, zone);
            Ok(PersonDetail { person: summary(state, &account, record)?, history, timeline })
        })
        .collect()
}

/// Sets the note about a person (an empty text clears it).
pub fn note(state: &State, request: PersonNote) -> Result<PersonSummary, ErrorReply> {
    let text = request.text.trim().to_owned();
    change(state, request.account.as_deref(), &request.who, move |r| r.note = text.clone())
}

/// Adds or removes a tag.
pub fn tag(state: &State, request: PersonTag) -> Result<PersonSummary, ErrorReply> {
    let tag = request.tag.trim().to_lowercase();
    if tag.is_empty() || tag.chars().any(char::is_whitespace) {
        return Err(ErrorReply::new(
            ErrorCode::BadRequest,
            format!("tag `{}` must be one word (use - or _ to join words)", request.tag),
        ));
    }
    let remove = request.remove;
    change(state, request.account.as_deref(), &request.who, move |r| {
        if remove {
            r.tags.remove(&tag);
        } else {
            r.tags.insert(tag.clone());
        }
    })
}

/// Forgets a person in every book that holds them (or the named account's).
pub fn forget(state: &State, request: Forget) -> Result<Vec<Forgotten>, ErrorReply> {
    let found = find(state, request.account.as_deref(), &request.who)?;
    found
        .into_iter()
        .map(|(account, record)| {
            let interactions = state.store.forget(&account, &record.id).map_err(internal)?;
            Ok(Forgotten { account, id: record.id, handle: record.handle, interactions })
        })
        .collect()
}

/// The history line of each task's person; tasks about nobody (a post) get none.
pub fn task_history(
    state: &State,
    ids: Vec<TaskId>,
    now: UnixSeconds,
) -> Result<Vec<TaskHistoryLine>, ErrorReply> {
    let zone = state.policy().gate.zone();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let task = state
            .store
            .task(id)
            .map_err(internal)?
            .ok_or_else(|| ErrorReply::new(ErrorCode::NotFound, format!("there is no task {id}")))?;
        let Some(interaction) = rapport_core::history::Interaction::of_task(&task, now) else { continue };
        let timeline = state.store.interactions_of(&task.account, &interaction.person).map_err(internal)?;
        // A done task is in its own timeline already: its line counts the ones before it.
        let before: Vec<_> = timeline
            .into_iter()
            .filter(|i| i.source != rapport_core::history::InteractionSource::Task(id))
            .collect();
        out.push(TaskHistoryLine { id, line: book::history_line(&before, now, zone) });
    }
    Ok(out)
}

/// Applies `f` to the one record `who` names; several accounts holding them need `--account`.
fn change(
    state: &State,
    account: Option<&str>,
    who: &str,
    f: impl Fn(&mut PersonRecord),
) -> Result<PersonSummary, ErrorReply> {
    let mut found = find(state, account, who)?;
    if found.len() > 1 {
        let accounts: Vec<&str> = found.iter().map(|(a, _)| a.as_str()).collect();
        return Err(ErrorReply::new(
            ErrorCode::BadRequest,
            format!("`{who}` is in the books of {}; pass --account with one of them", accounts.join(", ")),
        ));
    }
    let (account, record) = found.remove(0);
    state.store.update_person(&account, &record.id, f).map_err(internal)?;
    let record =
        state.store.person(&account, &record.id).map_err(internal)?.ok_or_else(|| {
            ErrorReply::new(ErrorCode::NotFound, format!("`{who}` was forgotten meanwhile"))
        })?;
    summary(state, &account, record)
}

/// The records `who` (a handle or an id) names in the books asked; an error when none does.
fn find(state: &State, account: Option<&str>, who: &str) -> Result<Vec<(String, PersonRecord)>, ErrorReply> {
    let handle = normalize_handle(who);
    if handle.is_empty() {
        return Err(ErrorReply::new(ErrorCode::BadRequest, "name the person: a handle or a platform id"));
    }
    let mut found = Vec::new();
    let searched = accounts(state, account)?;
    for account in &searched {
        let id = match state.store.person_by_handle(account, &handle).map_err(internal)? {
            Some(id) => id,
            None => who.trim().to_owned(),
        };
        if let Some(record) = state.store.person(account, &id).map_err(internal)? {
            found.push((account.clone(), record));
        }
    }
    if found.is_empty() {
        return Err(ErrorReply::new(
            ErrorCode::NotFound,
            format!(
                "nobody called `{who}` in the book of {}; `rapport people` lists who is",
                searched.join(", ")
            ),
        ));
    }
    Ok(found)
}

/// The accounts asked for: the one named (which must be configured), else all.
fn accounts(state: &State, named: Option<&str>) -> Result<Vec<String>, ErrorReply> {
    let settings = state.settings();
    let configured: Vec<String> = settings.config.accounts.iter().map(|a| a.name.clone()).collect();
    match named {
        None => Ok(configured),
        Some(name) if configured.iter().any(|c| c == name) => Ok(vec![name.to_owned()]),
        Some(name) => Err(ErrorReply::new(
            ErrorCode::NotFound,
            format!("no account `{name}` in the configuration; configured: {}", configured.join(", ")),
        )),
    }
}

/// A record as the protocol lists it, with the standing its timeline shows.
fn summary(state: &State, account: &str, record: PersonRecord) -> Result<PersonSummary, ErrorReply> {
    let timeline = state.store.interactions_of(account, &record.id).map_err(internal)?;
    Ok(PersonSummary {
        account: account.to_owned(),
        standing: book::standing(&timeline),
        id: record.id,
        handle: record.handle,
        display_name: record.display_name,
        url: record.url,
        interactions: record.interactions,
        first_seen: record.first_seen,
        last_seen: record.last_seen,
        tags: record.tags,
        note: record.note,
        known_followers: record.known_followers,
    })
}
