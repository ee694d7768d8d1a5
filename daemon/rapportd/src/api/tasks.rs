//! The task requests: a page of the queue, one task, and the person's decisions on tasks.

use rapport_core::UnixSeconds;
use rapport_core::task::{Task, TaskId, TaskState, Transition};
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

/// Approves tasks, with new text for a single one; wakes the executor.
pub fn approve(state: &State, request: Approve, now: UnixSeconds) -> Result<Vec<ItemResult>, ErrorReply> {
    let Approve { ids, text } = request;
    if text.is_some() && ids.len() != 1 {
        return Err(ErrorReply::new(
            ErrorCode::BadRequest,
            "new text can only be given for one task at a time",
        ));
    }
    let result = bulk(state, ids.into_iter().map(|id| (id, Transition::Approve { text: text.clone() })), now);
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
    let result = bulk(state, [(id, Transition::Approve { text: None })], now);
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
    bulk(state, [(id, Transition::MarkDone)], now)
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
