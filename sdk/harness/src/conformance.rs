//! The contract conformance suite every platform plugin must pass.
//!
//! The checks are the same for every plugin; what differs is the platform's wire format, which
//! each plugin supplies as a small [`PlatformScript`]: the exchanges of a notification walk and a
//! follower walk, the request to answer with errors, and one working exchange set per declared
//! action. [`run`] then checks, each scenario in a fresh harness from the same builder:
//!
//! - **pagination**: a notification walk (and a follower walk) reaches its end, returns exactly the
//!   scripted ids with no duplicate, ends caught up, and resuming from the cursor of the first page
//!   (with the kv of that moment, as after a restart) reads the second page again;
//! - **error mapping**: 401 → `auth`; 403 → `denied` or `auth`; 404 → `permanent`; 429 →
//!   `rate-limited` with the server's wait, recorded by the host; 500 and 503 → `transient`; a
//!   malformed body → `transient` or `permanent`; a network failure → `transient`; never a trap;
//! - **idempotent sends**: executing an action twice under one idempotency key either carries the
//!   key to the platform both times or sends nothing the second time and returns the same outcome;
//! - **describe consistency**: the description is well formed, every declared capability works and
//!   every undeclared one is refused with `denied` without a single request;
//! - **reads** (contract 0.2, [`reads`]): every declared read pages to its end, an empty page ends,
//!   errors map as above (a malformed page strictly `permanent`), and every undeclared read is
//!   refused without a request;
//! - **mutated pages** (fuzzing): one answer of the notification walk's first step with a JSON
//!   value made odd, bytes changed or the body cut short, 300 times: each call ends in a page or
//!   a contract error, never a trap, a blown cap or an answer the host refuses.

mod reads;

pub use reads::{ReadCall, ReadScript};

use std::collections::HashSet;
use std::fmt;

use rapport_core::platform::PluginError;
use rapport_core::task::{Action, ActionKind, PostKind};
use rapport_host::SUPPORTED_CONTRACTS;

use crate::{
    Answer, Exchange, ExpectedRequest, Harness, HarnessBuilder, HarnessError, TransportError,
    TransportResponse,
};

/// The idempotency key the suite's sends use.
const KEY: &str = "conformance-7f3a";

/// One call's scripted exchanges and the ids it must return.
#[derive(Clone)]
pub struct Step {
    /// The exchanges the call makes, in order.
    pub exchanges: Vec<Exchange>,
    /// The notification (or account) ids the call returns, in any order.
    pub ids: Vec<String>,
}

/// A walk through pages: the cursor it starts from and one [`Step`] per call until caught up.
#[derive(Clone)]
pub struct Walk {
    /// The cursor of the first call (`None`: a first use).
    pub start: Option<String>,
    /// The calls, the last of which finds nothing new.
    pub steps: Vec<Step>,
}

/// The request the error mapping is probed on, inside a `fetch-notifications` call.
#[derive(Clone)]
pub struct ErrorProbe {
    /// The cursor the call is made with.
    pub cursor: Option<String>,
    /// The exchanges that succeed before the probed request.
    pub before: Vec<Exchange>,
    /// The request answered with each error in turn.
    pub request: ExpectedRequest,
}

/// The failures the error mapping is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCase {
    /// 401: the credentials were refused.
    Unauthorized,
    /// 403: the credentials may not do this.
    Forbidden,
    /// 404: the thing is gone.
    NotFound,
    /// 429 asking to wait this many seconds.
    RateLimited(u32),
    /// A 5xx status.
    ServerError(u16),
    /// 200 with a body that is not what the platform documents.
    Malformed,
    /// No answer: the network failed.
    NetworkFailure,
}

impl ErrorCase {
    /// Every case the suite probes.
    pub const ALL: [ErrorCase; 8] = [
        ErrorCase::Unauthorized,
        ErrorCase::Forbidden,
        ErrorCase::NotFound,
        ErrorCase::RateLimited(120),
        ErrorCase::ServerError(500),
        ErrorCase::ServerError(503),
        ErrorCase::Malformed,
        ErrorCase::NetworkFailure,
    ];

    /// The answer a platform without its own error format gives: a JSON `error` body, and a
    /// `Retry-After` on 429.
    pub fn generic_response(self) -> TransportResponse {
        let (status, headers, body): (u16, Vec<(String, String)>, &str) = match self {
            ErrorCase::Unauthorized => (401, Vec::new(), r#"{"error":"The access token is invalid"}"#),
            ErrorCase::Forbidden => (403, Vec::new(), r#"{"error":"This action is not allowed"}"#),
            ErrorCase::NotFound => (404, Vec::new(), r#"{"error":"Record not found"}"#),
            ErrorCase::RateLimited(wait) => {
                (429, vec![("retry-after".to_owned(), wait.to_string())], r#"{"error":"Too many requests"}"#)
            }
            ErrorCase::ServerError(status) => (status, Vec::new(), "<html><h1>upstream error</h1></html>"),
            ErrorCase::Malformed | ErrorCase::NetworkFailure => (200, Vec::new(), r#"{"data":[{"id":"#),
        };
        TransportResponse { status, headers, body: body.as_bytes().to_vec() }
    }

    /// Whether `error` is a right answer to this case.
    fn accepts(self, error: &PluginError) -> bool {
        match (self, error) {
            (ErrorCase::Unauthorized, PluginError::Auth(_)) => true,
            (ErrorCase::Forbidden, PluginError::Denied(_) | PluginError::Auth(_)) => true,
            (ErrorCase::NotFound, PluginError::Permanent(_)) => true,
            (ErrorCase::RateLimited(wait), PluginError::RateLimited(got)) => got.abs_diff(wait) <= 1,
            (ErrorCase::ServerError(_) | ErrorCase::NetworkFailure, PluginError::Transient(_)) => true,
            (ErrorCase::Malformed, PluginError::Transient(_) | PluginError::Permanent(_)) => true,
            _ => false,
        }
    }
}

/// What a plugin's conformance test supplies: its platform's exchanges.
pub trait PlatformScript {
    /// Notification pages from `start` until caught up; at least two steps to test resuming.
    fn notification_walk(&self) -> Walk;

    /// Follower pages from the first to the last, or `None` when the platform cannot list
    /// followers (then `list-followers` must be refused with `denied`).
    fn follower_walk(&self) -> Option<Walk>;

    /// Where the error mapping is probed.
    fn error_probe(&self) -> ErrorProbe;

    /// The platform's answer for `case`; defaults to [`ErrorCase::generic_response`].
    fn error_response(&self, case: ErrorCase) -> TransportResponse {
        case.generic_response()
    }

    /// What the plugin legitimately sends after the error answer for `case` before giving up
    /// (e.g. a token refresh and one retry after a 401); defaults to nothing.
    fn after_error(&self, _case: ErrorCase) -> Vec<Exchange> {
        Vec::new()
    }

    /// A working `kind` action and the exchanges that perform it, for every declared capability.
    fn action(&self, kind: ActionKind) -> Option<(Action, Vec<Exchange>)>;

    /// One script per declared 0.2 read (discovery sources, recent and own posts, bulk
    /// relationships, the acting account); defaults to none, for a plugin that declares none.
    fn reads(&self) -> Vec<ReadScript> {
        Vec::new()
    }
}

/// One check and how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// `Err` with the reason when it failed.
    pub outcome: Result<(), String>,
}

/// Every check of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The checks, in the order they ran.
    pub checks: Vec<Check>,
}

impl Report {
    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.outcome.is_ok())
    }

    /// The failed checks.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.outcome.is_err())
    }

    fn record(&mut self, name: impl Into<String>, outcome: Result<(), String>) {
        self.checks.push(Check { name: name.into(), outcome });
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let failed = self.failures().count();
        writeln!(f, "{} checks, {failed} failed", self.checks.len())?;
        for check in &self.checks {
            match &check.outcome {
                Ok(()) => writeln!(f, "  ok    {}", check.name)?,
                Err(why) => writeln!(f, "  FAIL  {}: {why}", check.name)?,
            }
        }
        Ok(())
    }
}

/// Runs every check against harnesses from `builder`, with the platform's `script`.
pub async fn run(builder: &HarnessBuilder, script: &dyn PlatformScript) -> Report {
    let mut report = Report::default();
    report.record("describe is well formed", describe(builder).await);
    report.record("notifications: walk to the end and resume", notification_walk(builder, script).await);
    report.record("followers: walk to the end and resume, or denied", follower_walk(builder, script).await);
    for case in ErrorCase::ALL {
        report.record(format!("error mapping: {case:?}"), error_case(builder, script, case).await);
    }
    report.record("idempotent send", idempotent_send(builder, script).await);
    for kind in ActionKind::ALL {
        report
            .record(format!("capability {kind:?} matches describe"), capability(builder, script, kind).await);
    }
    reads::run(builder, script, &mut report).await;
    report.record(
        "notifications: mutated pages fail as errors, never traps",
        mutated_pages(builder, script).await,
    );
    report
}

/// How many mutated pages [`mutated_pages`] feeds a plugin.
const MUTATED_PAGES: u32 = 300;

/// The first step of the notification walk with one answer's body mutated ([`mutate`]), each
/// time in a fresh harness (so a cursor one page saved does not steer the next request off the
/// script): a call may fail, as a contract error, but a plugin stopped by the sandbox (a trap,
/// the CPU or memory cap) crashed on bad input, and one whose answer the host refused (an empty
/// id) would stall its account on that page.
async fn mutated_pages(builder: &HarnessBuilder, script: &dyn PlatformScript) -> Result<(), String> {
    let walk = script.notification_walk();
    let step = walk.steps.first().ok_or("the notification walk has no step")?;
    // A fixed seed: the same pages every run, so a failure is replayed by running the suite again.
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    for case in 0..MUTATED_PAGES {
        let harness = fresh(builder).await?;
        // One answer of the step is mutated, so the others (a session, a first page) still lead
        // the plugin to it.
        let mutated = (u64::from(case) % step.exchanges.len().max(1) as u64) as usize;
        for (at, exchange) in step.exchanges.iter().enumerate() {
            let mut exchange = exchange.clone();
            if let (true, Answer::Respond(response)) = (at == mutated, &mut exchange.answer) {
                mutate(&mut response.body, &mut state);
            }
            harness.expect(exchange);
        }
        if let Err(HarnessError::Sandbox(error)) = harness.fetch_notifications(walk.start.as_deref()).await {
            return Err(format!(
                "mutated page {case} (of the suite's fixed sequence) stopped the plugin: {error}"
            ));
        }
    }
    Ok(())
}

/// Values a platform should never send where a page has a value, each a test of the parser
/// beyond its JSON syntax.
const ODD_VALUES: [&str; 9] =
    ["null", "\"\"", "-1", "1e308", "18446744073709551616", "[]", "{}", "true", "\"\\u0000\""];

/// Mutates `body`: half the time one value of a JSON page becomes an odd one (valid JSON the
/// parser must still judge), else one to eight bytes change, or one time in four it is cut short.
fn mutate(body: &mut Vec<u8>, state: &mut u64) {
    let mut next = || {
        // xorshift64*: enough to scatter the changes, and no dependency for plugin authors.
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    if body.is_empty() {
        return;
    }
    if next() % 2 == 0
        && let Ok(mut page) = serde_json::from_slice::<serde_json::Value>(body)
    {
        let leaves = count_values(&page);
        let mut target = (next() % leaves.max(1)) as usize;
        let odd = ODD_VALUES[(next() % ODD_VALUES.len() as u64) as usize];
        replace_value(&mut page, &mut target, odd);
        *body = page.to_string().into_bytes();
        return;
    }
    if next() % 4 == 0 {
        let cut = (next() % body.len() as u64) as usize;
        body.truncate(cut);
        return;
    }
    for _ in 0..1 + next() % 8 {
        let at = (next() % body.len() as u64) as usize;
        body[at] = next() as u8;
    }
}

/// A sample action of `kind`, used to check that an undeclared kind is refused.
pub fn sample_action(kind: ActionKind) -> Action {
    let id = "1".to_owned();
    match kind {
        ActionKind::Reply => {
            Action::Reply { to_post_id: id, text: "Thanks!".to_owned(), visibility: String::new() }
        }
        ActionKind::Publish => Action::Publish {
            text: "Hello from the conformance suite".to_owned(),
            post_kind: PostKind::Value,
            media_alt: String::new(),
            media: Vec::new(),
        },
        ActionKind::Follow => Action::Follow { account_id: id },
        ActionKind::FollowBack => Action::FollowBack { account_id: id },
        ActionKind::Unfollow => Action::Unfollow { account_id: id },
        ActionKind::Like => Action::Like { post_id: id },
        ActionKind::Repost => Action::Repost { post_id: id },
        ActionKind::AcceptFollowRequest => Action::AcceptFollowRequest { account_id: id },
        ActionKind::Message => {
            Action::Message { account_id: id, text: "Thanks for the kind words!".to_owned() }
        }
    }
}

fn ensure(ok: bool, why: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(why()) }
}

async fn fresh(builder: &HarnessBuilder) -> Result<Harness, String> {
    builder.build().await.map_err(|e| e.to_string())
}

fn unused(harness: &Harness, what: &str) -> Result<(), String> {
    let unused = harness.unused();
    ensure(unused.is_empty(), || format!("{what} did not send the scripted {}", unused.join("; ")))
}

async fn describe(builder: &HarnessBuilder) -> Result<(), String> {
    let harness = fresh(builder).await?;
    let d = harness.describe();
    ensure(!d.name.trim().is_empty(), || "the name is empty".to_owned())?;
    ensure(!d.platform.trim().is_empty(), || "the platform is empty".to_owned())?;
    // A plugin under test is built against the current SDK, so it speaks the newest contract.
    let current = SUPPORTED_CONTRACTS.last().copied().unwrap_or_default();
    ensure(d.contract == current, || format!("contract {} is not the current {current}", d.contract))?;
    ensure(!d.hosts.is_empty(), || {
        "no API hosts are declared, so no request could ever be granted".to_owned()
    })?;
    if let Some(c) = d.ceilings.iter().find(|c| !d.permits(c.action)) {
        return Err(format!("a rate ceiling names {:?}, which is not a declared capability", c.action));
    }
    let mut kinds = HashSet::new();
    if let Some(dup) = d.capabilities.iter().find(|k| !kinds.insert(**k)) {
        return Err(format!("capability {dup:?} is declared twice"));
    }
    Ok(())
}

/// Which listing a walk pages through.
#[derive(Clone, Copy)]
enum Listing {
    Notifications,
    Followers,
}

/// One page: the ids returned and the next cursor.
async fn page(
    harness: &Harness,
    listing: Listing,
    cursor: Option<&str>,
) -> Result<(Vec<String>, Option<String>), HarnessError> {
    Ok(match listing {
        Listing::Notifications => {
            let page = harness.fetch_notifications(cursor).await?;
            (page.items.into_iter().map(|n| n.id).collect(), page.next_cursor)
        }
        Listing::Followers => {
            let page = harness.list_followers(cursor).await?;
            (page.items.into_iter().map(|a| a.id).collect(), page.next_cursor)
        }
    })
}

fn sorted(ids: &[String]) -> Vec<String> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids
}

async fn walk(builder: &HarnessBuilder, walk: Walk, listing: Listing) -> Result<(), String> {
    ensure(walk.steps.len() >= 2, || {
        "the script's walk needs at least two steps to test resuming".to_owned()
    })?;
    let harness = fresh(builder).await?;
    let mut cursor = walk.start.clone();
    let mut seen = HashSet::new();
    let mut after_first = None;
    let mut second_cursor = None;
    for (i, step) in walk.steps.iter().enumerate() {
        harness.expect_all(step.exchanges.clone());
        let (ids, next) = page(&harness, listing, cursor.as_deref())
            .await
            .map_err(|e| format!("page {} (cursor {cursor:?}): {e}", i + 1))?;
        unused(&harness, &format!("page {}", i + 1))?;
        ensure(sorted(&ids) == sorted(&step.ids), || {
            format!("page {} returned ids {ids:?}, the script expects {:?}", i + 1, step.ids)
        })?;
        if let Some(dup) = ids.iter().find(|id| !seen.insert((*id).clone())) {
            return Err(format!("page {} returned {dup:?} again", i + 1));
        }
        let last = i + 1 == walk.steps.len();
        if last {
            let caught_up = match listing {
                // The contract says `none`; an unchanged cursor makes no progress either.
                Listing::Notifications => next.is_none() || next == cursor,
                Listing::Followers => next.is_none(),
            };
            ensure(caught_up, || format!("the last page returned cursor {next:?}, not the end"))?;
        } else {
            ensure(next.is_some() && next != cursor, || {
                format!("page {} returned cursor {next:?} after {cursor:?}: no way on", i + 1)
            })?;
        }
        if i == 0 {
            after_first = Some((harness.kv().snapshot(), next.clone()));
        }
        if i == 1 {
            second_cursor = Some(next.clone());
        }
        cursor = next;
    }
    // Resume: a restarted daemon passes the stored cursor, with the kv as it was then.
    let (kv, cursor) = after_first.ok_or_else(|| "the walk had no first page".to_owned())?;
    let resumed = fresh(builder).await?;
    resumed.kv().restore(kv);
    let step = &walk.steps[1];
    resumed.expect_all(step.exchanges.clone());
    let (ids, next) = page(&resumed, listing, cursor.as_deref())
        .await
        .map_err(|e| format!("resuming from cursor {cursor:?}: {e}"))?;
    unused(&resumed, "resuming")?;
    ensure(sorted(&ids) == sorted(&step.ids), || {
        format!("resuming from {cursor:?} returned {ids:?}, the second page holds {:?}", step.ids)
    })?;
    ensure(Some(&next) == second_cursor.as_ref(), || {
        format!("resuming returned cursor {next:?}, the walk had {second_cursor:?}")
    })
}

async fn notification_walk(builder: &HarnessBuilder, script: &dyn PlatformScript) -> Result<(), String> {
    walk(builder, script.notification_walk(), Listing::Notifications).await
}

async fn follower_walk(builder: &HarnessBuilder, script: &dyn PlatformScript) -> Result<(), String> {
    if let Some(followers) = script.follower_walk() {
        return walk(builder, followers, Listing::Followers).await;
    }
    let harness = fresh(builder).await?;
    match harness.list_followers(None).await {
        Err(HarnessError::Plugin(PluginError::Denied(_))) => {
            ensure(harness.requests().is_empty(), || "a refused listing still sent requests".to_owned())
        }
        other => {
            Err(format!("the script says followers cannot be listed, but list-followers gave {other:?}"))
        }
    }
}

async fn error_case(
    builder: &HarnessBuilder,
    script: &dyn PlatformScript,
    case: ErrorCase,
) -> Result<(), String> {
    let harness = fresh(builder).await?;
    let probe = script.error_probe();
    harness.expect_all(probe.before);
    let exchange = match case {
        ErrorCase::NetworkFailure => {
            probe.request.fail(TransportError::Connection("connection reset by peer".into()))
        }
        _ => probe.request.answer(crate::Answer::Respond(script.error_response(case))),
    };
    harness.expect(exchange);
    harness.expect_all(script.after_error(case));
    let result = harness.fetch_notifications(probe.cursor.as_deref()).await;
    unused(&harness, "the probed call")?;
    match result {
        Err(HarnessError::Plugin(error)) if case.accepts(&error) => {}
        Err(HarnessError::Plugin(error)) => return Err(format!("mapped to {error:?}")),
        Err(other) => return Err(format!("failed outside the contract: {other}")),
        Ok(page) => return Err(format!("succeeded with {} notifications", page.items.len())),
    }
    if let ErrorCase::RateLimited(_) = case {
        ensure(harness.rate_limit().is_some_and(|s| s.remaining == Some(0)), || {
            format!("the host recorded no exhausted rate limit from the 429 ({:?})", harness.rate_limit())
        })?;
    }
    Ok(())
}

/// The declared kind the idempotency check sends: publish if possible, else the first declared.
fn send_kind(description: &rapport_core::platform::Description) -> Option<ActionKind> {
    let declared = &description.capabilities;
    declared.iter().copied().find(|k| *k == ActionKind::Publish).or_else(|| declared.first().copied())
}

async fn idempotent_send(builder: &HarnessBuilder, script: &dyn PlatformScript) -> Result<(), String> {
    let harness = fresh(builder).await?;
    let Some(kind) = send_kind(harness.describe()) else { return Ok(()) };
    let (action, exchanges) =
        script.action(kind).ok_or_else(|| format!("the script has no exchanges for declared {kind:?}"))?;
    harness.expect_all(exchanges);
    let first = harness.execute(KEY, &action).await.map_err(|e| format!("the first send failed: {e}"))?;
    unused(&harness, "the first send")?;
    let carries =
        |from: usize| harness.requests()[from..].iter().any(|r| r.headers.iter().any(|(_, v)| v == KEY));
    let sent = harness.requests().len();
    if carries(0) {
        let (_, again) = script.action(kind).ok_or_else(|| format!("the script lost {kind:?}"))?;
        harness.expect_all(again);
        harness.execute(KEY, &action).await.map_err(|e| format!("the resend failed: {e}"))?;
        unused(&harness, "the resend")?;
        ensure(carries(sent), || "the resend did not carry the idempotency key".to_owned())
    } else {
        let second = harness.execute(KEY, &action).await.map_err(|e| {
            format!("the key is not sent to the platform, so a resend must answer from memory, but: {e}")
        })?;
        ensure(second == first, || format!("the resend answered {second:?}, the send {first:?}"))
    }
}

async fn capability(
    builder: &HarnessBuilder,
    script: &dyn PlatformScript,
    kind: ActionKind,
) -> Result<(), String> {
    let harness = fresh(builder).await?;
    if harness.describe().permits(kind) {
        let (action, exchanges) = script
            .action(kind)
            .ok_or_else(|| format!("declared, but the script has no exchanges for {kind:?}"))?;
        ensure(action.kind() == kind, || format!("the script's {kind:?} action is a {:?}", action.kind()))?;
        harness.expect_all(exchanges);
        harness
            .execute(&format!("{KEY}-{kind:?}"), &action)
            .await
            .map_err(|e| format!("declared, but {e}"))?;
        return unused(&harness, "the action");
    }
    match harness.execute(KEY, &sample_action(kind)).await {
        Err(HarnessError::Plugin(PluginError::Denied(_))) => {
            ensure(harness.requests().is_empty(), || "refused, but only after sending requests".to_owned())
        }
        other => Err(format!("undeclared, but execute gave {other:?} instead of denied")),
    }
}

/// How many values (of any kind, nested ones included) a JSON page holds.
fn count_values(value: &serde_json::Value) -> u64 {
    1 + match value {
        serde_json::Value::Array(items) => items.iter().map(count_values).sum(),
        serde_json::Value::Object(fields) => fields.values().map(count_values).sum(),
        _ => 0,
    }
}

/// Replaces the `left`-th value, counted depth first, with `odd`.
fn replace_value(value: &mut serde_json::Value, left: &mut usize, odd: &str) -> bool {
    if *left == 0 {
        *value = serde_json::from_str(odd).unwrap_or(serde_json::Value::Null);
        return true;
    }
    *left -= 1;
    match value {
        serde_json::Value::Array(items) => items.iter_mut().any(|item| replace_value(item, left, odd)),
        serde_json::Value::Object(fields) => fields.values_mut().any(|field| replace_value(field, left, odd)),
        _ => false,
    }
}
