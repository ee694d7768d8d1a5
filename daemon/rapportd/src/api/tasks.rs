//! The task requests: a page of the queue, one task, and the person's decisions on tasks.

use std::collections::HashSet;

use rapport_core::UnixSeconds;
use rapport_core::platform::Description;
use rapport_core::task::{Task, TaskId, TaskState, Transition, UNDO_WINDOW};
use rapport_protocol::requests::{Approve, Queue, Reject};
use rapport_protocol::{ErrorCode, ErrorReply, ItemResult, MAX_PAGE};
use rapport_store::TaskFilter;

use super::internal;
use crate::state::State;

/// A page of tasks, at most [`MAX_PAGE`].
pub fn page(state: &State, request: Queue) -> Result<Vec<Task>, ErrorReply> {
    let Queue { state: in_state, account, after, limit } = request;
    let filter = TaskFilter { state: in_state, account, after, limit: limit.clamp(1, MAX_PAGE) as usize };
    state.store.page(&filter).map_err(internal)
}

/// One task.
pub fn show(state: &State, id: TaskId) -> Result<Task, ErrorReply> {
    state.store.task(id).map_err(internal)?.ok_or_else(|| {
        ErrorReply::new(ErrorCode::NotFound, format!("no task {id}; `rapport queue` lists them"))
    })
}

/// Approves tasks, with new text for a single one; wakes the executor. A task whose action the
/// account's platform keeps one at a time is approved only when it is the one task named.
pub fn approve(state: &State, request: Approve, now: UnixSeconds) -> Result<Vec<ItemResult>, ErrorReply> {
    let alone = request.ids.iter().collect::<HashSet<_>>().len() == 1;
    approve_together(state, request, alone, now)
}

/// Approves `request`'s tasks and wakes the executor. Unless `alone` (a person named this one
/// task and no other), each task [`one_at_a_time`] refuses gets that reason as its result and
/// the others are approved.
pub fn approve_together(
    state: &State,
    request: Approve,
    alone: bool,
    now: UnixSeconds,
) -> Result<Vec<ItemResult>, ErrorReply> {
    let Approve { ids, text, undoable } = request;
    let hold_until = undoable.then(|| now + UNDO_WINDOW);
    if text.is_some() && ids.len() != 1 {
        return Err(ErrorReply::new(
            ErrorCode::BadRequest,
            "new text can only be given for one task at a time",
        ));
    }
    let accounts = state.accounts();
    let mut results = Vec::with_capacity(ids.len());
    for id in &ids {
        // A task that does not exist is left to the transition, which says so.
        let refusal = match state.store.task(*id).map_err(internal)? {
            Some(task) => {
                let description = accounts.iter().find(|a| a.name() == task.account).map(|a| a.description());
                one_at_a_time(&task, description, alone)
            }
            None => None,
        };
        results.push(refusal.map(|why| ItemResult::failed(id, why)));
    }
    let allowed = ids.iter().zip(&results).filter(|(_, refused)| refused.is_none());
    let approved = bulk(
        state,
        allowed.map(|(id, _)| (*id, Transition::Approve { text: text.clone(), hold_until })),
        now,
    )?;
    // The approved outcomes fill the places of the tasks not refused, in order.
    let mut approved = approved.into_iter();
    for place in results.iter_mut().filter(|r| r.is_none()) {
        *place = approved.next();
    }
    state.executor_wake.notify_one();
    Ok(results.into_iter().flatten().collect())
}

/// Why `task` may not be approved in a request that names other tasks too (`alone`: it is the
/// only one): its platform's rules, from the account plugin's `description`, make its action one
/// person's decision about one person. `None` for the description when the account's plugin did
/// not load: its rules are unknown, so it is treated as if they forbade approving in bulk.
pub fn one_at_a_time(task: &Task, description: Option<&Description>, alone: bool) -> Option<String> {
    let kind = task.action.kind();
    let on_its_own = format!("approve task {id} on its own (rapport approve {id})", id = task.id);
    match description {
        _ if alone => None,
        Some(description) if description.one_at_a_time(kind) => Some(format!(
            "{}'s rules: each {kind} is one person's decision; {on_its_own}",
            description.platform
        )),
        Some(_) => None,
        None => Some(format!(
            "the plugin of account {} did not load, so its platform's rules on approving several {kind} tasks at once are unknown; {on_its_own}",
            task.account
        )),
    }
}

/// Undoes a person's decision of the last seconds; the core refuses once the window closed or
/// a send started. Tells the executor, whose next wake-up may have been this task's hold.
pub fn undo(state: &State, id: TaskId, now: UnixSeconds) -> Result<Vec<ItemResult>, ErrorReply> {
    let result = bulk(state, [(id, Transition::Reopen)], now);
    state.executor_wake.notify_one();
    result
}

/// Rejects tasks.
pub fn reject(state: &State, request: Reject, now: UnixSeconds) -> Result<Vec<ItemResult>, ErrorReply> {
    let Reject { ids, reason } = request;
    bulk(state, ids.into_iter().map(|id| (id, Transition::Reject { reason: reason.clone() })), now)
}

/// Sends a needs-check task again; wakes the executor.
pub fn resend(state: &State, id: TaskId, now: UnixSeconds) -> Result<Vec<ItemResult>, ErrorReply> {
    require_state(state, id, TaskState::NeedsCheck, "resent")?;
    let result = bulk(state, [(id, Transition::Approve { text: None, hold_until: None })], now);
    state.executor_wake.notify_one();
    result
}

/// Sends failed tasks again; wakes the executor.
pub fn retry(state: &State, ids: Vec<TaskId>, now: UnixSeconds) -> Result<Vec<ItemResult>, ErrorReply> {
    let result = bulk(state, ids.into_iter().map(|id| (id, Transition::RetryFailed)), now);
    state.executor_wake.notify_one();
    result
}

/// Marks a needs-check task done.
pub fn mark_done(state: &State, id: TaskId, now: UnixSeconds) -> Result<Vec<ItemResult>, ErrorReply> {
    let by_hand = state.store.task(id).map_err(internal)?.filter(|t| t.context.by_hand.is_some());
    let results = bulk(state, [(id, Transition::MarkDone)], now)?;
    // A by-hand task the person did counts like any other action: in the ledger the budgets read.
    if let Some(task) = by_hand
        && results.iter().all(|r| r.error.is_none())
    {
        state.store.record_action(&task.account, task.action.kind(), now).map_err(internal)?;
    }
    Ok(results)
}

/// Applies transitions in one store batch; one result per id, in order.
fn bulk(
    state: &State,
    changes: impl IntoIterator<Item = (TaskId, Transition)>,
    now: UnixSeconds,
) -> Result<Vec<ItemResult>, ErrorReply> {
    let outcomes = state.store.transition_many(changes, now).map_err(internal)?;
    Ok(outcomes
        .into_iter()
        .map(|(id, result)| match result {
            Ok(_) => ItemResult::ok(id),
            Err(err) => ItemResult::failed(id, err.to_string()),
        })
        .collect())
}

/// Refuses the request unless task `id` is in `required`.
fn require_state(state: &State, id: TaskId, required: TaskState, what: &str) -> Result<(), ErrorReply> {
    match state.store.task(id).map_err(internal)? {
        Some(task) if task.state == required => Ok(()),
        Some(task) => Err(ErrorReply::new(
            ErrorCode::InvalidState,
            format!("task {id} is {}; only a {required} task can be {what}", task.state),
        )),
        None => Err(ErrorReply::new(ErrorCode::NotFound, format!("no task {id}"))),
    }
}

#[cfg(test)]
mod tests {
    use rapport_core::task::{Action, ActionKind, Origin, TaskContext};

    use super::*;

    fn follow(id: u64) -> Task {
        let action = Action::Follow { account_id: "109".into() };
        let origin = Origin::Campaign { campaign: "potters".into(), source: "#pottery".into() };
        Task::propose(TaskId(id), "studio", action, origin, TaskContext::default(), 0, None)
    }

    fn platform(platform: &str, one_at_a_time: Vec<ActionKind>) -> Description {
        Description {
            name: format!("rapport-plugin-{platform}"),
            version: "1.0.0".into(),
            contract: "0.2.0".into(),
            platform: platform.into(),
            capabilities: vec![ActionKind::Follow, ActionKind::Reply],
            ceilings: Vec::new(),
            hosts: Vec::new(),
            rules: Vec::new(),
            reads: Vec::new(),
            one_at_a_time,
            read_costs: Vec::new(),
        }
    }

    #[test]
    fn a_one_at_a_time_follow_is_refused_among_others_and_approved_alone() {
        let x = platform("x", vec![ActionKind::Follow, ActionKind::Unfollow, ActionKind::Like]);
        assert_eq!(
            one_at_a_time(&follow(42), Some(&x), false).as_deref(),
            Some(
                "x's rules: each follow is one person's decision; approve task 42 on its own (rapport approve 42)"
            )
        );
        assert_eq!(one_at_a_time(&follow(42), Some(&x), true), None);
        let mastodon = platform("mastodon", Vec::new());
        assert_eq!(one_at_a_time(&follow(42), Some(&mastodon), false), None);
        let mut reply = follow(43);
        reply.action =
            Action::Reply { to_post_id: "p1".into(), text: "Hi".into(), visibility: "public".into() };
        assert_eq!(one_at_a_time(&reply, Some(&x), false), None, "X keeps replies out of the rule");
    }

    #[test]
    fn an_account_whose_plugin_did_not_load_approves_one_at_a_time() {
        let why = one_at_a_time(&follow(7), None, false).unwrap_or_default();
        assert!(why.starts_with("the plugin of account studio did not load"), "{why}");
        assert!(why.ends_with("approve task 7 on its own (rapport approve 7)"), "{why}");
        assert_eq!(one_at_a_time(&follow(7), None, true), None);
    }
}
