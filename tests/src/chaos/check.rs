//! The chaos campaign's checker: what the sandboxes received against what the store says, with
//! nothing shared with the daemon's own code. It holds rapport to its promises:
//!
//! - every notification pushed became exactly one task (none lost, none doubled);
//! - every task the platform received was approved, and received once: a done task exactly once,
//!   a needs-check or failed one at most once, anything else never;
//! - every approval the CLI confirmed is still approved, or went on from there (never back to
//!   proposed, never gone);
//! - no window of a budget's length saw more sends of its action than its limit.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::sandbox::RecordedRequest;

/// What the driver made happen on one account's platform: a follower or a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// The configured account.
    pub account: String,
    /// The sandbox's notification id.
    pub notification: String,
}

/// A task as the store holds it at the end, read through `rapport --json queue`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTask {
    /// The task id.
    pub id: u64,
    /// The configured account.
    pub account: String,
    /// The action kind (`follow-back`, `reply`).
    pub kind: String,
    /// The state (`done`, `needs-check`, …).
    pub state: String,
    /// The notification it came from, if it did.
    pub notification: Option<String>,
    /// The platform account a follow-back follows.
    pub follows: Option<String>,
    /// When it was created, part of its idempotency key.
    pub created_at: i64,
}

impl StoredTask {
    /// The key rapport sends with a post, so a platform that honours it never posts twice.
    fn idempotency_key(&self) -> String {
        format!("rapport-{}-{}-{}", self.account, self.id, self.created_at)
    }
}

/// A budget window the configuration sets, to hold the sends against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowBudget {
    /// The action kind.
    pub action: String,
    /// The window's length.
    pub length_secs: i64,
    /// At most this many in any such window, per account.
    pub limit: usize,
}

/// What the checker found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Findings {
    /// Notifications without a task, approvals gone, done tasks the platform never got.
    pub lost: Vec<String>,
    /// Notifications with two tasks, tasks the platform got twice.
    pub duplicated: Vec<String>,
    /// Sends nobody approved, sends no task explains, budgets exceeded.
    pub other: Vec<String>,
    /// Tasks left for a person to check (the daemon died mid-send).
    pub needs_check: usize,
    /// Tasks done.
    pub done: usize,
}

impl Findings {
    /// Whether every promise held.
    pub fn clean(&self) -> bool {
        self.lost.is_empty() && self.duplicated.is_empty() && self.other.is_empty()
    }
}

/// Everything the checker compares.
pub struct Evidence<'a> {
    /// The notifications pushed, in order.
    pub pushed: &'a [Pushed],
    /// Task ids whose approval the CLI confirmed.
    pub approved: &'a HashSet<u64>,
    /// Every task in the store.
    pub tasks: &'a [StoredTask],
    /// Each account's sandbox requests, oldest first.
    pub requests: &'a BTreeMap<String, Vec<RecordedRequest>>,
    /// The budget windows configured.
    pub budgets: &'a [WindowBudget],
    /// How far a send's arrival may trail the start the daemon's ledger counts.
    pub slack_secs: i64,
}

/// Compares the evidence and lists every broken promise.
pub fn check(evidence: &Evidence) -> Findings {
    let mut findings = Findings::default();
    notifications_became_one_task_each(evidence, &mut findings);
    let sends = attribute_sends(evidence, &mut findings);
    for task in evidence.tasks {
        let times = sends.get(&task.id).map_or(&[][..], Vec::as_slice);
        let n = times.len();
        let what = format!("task {} ({} of {}, {})", task.id, task.kind, task.account, task.state);
        match task.state.as_str() {
            "done" if n == 0 => findings.lost.push(format!("{what}: done, but the platform never got it")),
            "done" | "needs-check" | "failed" if n > 1 => {
                findings.duplicated.push(format!("{what}: the platform got it {n} times"))
            }
            "done" | "needs-check" | "failed" | "executing" => {}
            _ if n > 0 => findings.other.push(format!("{what}: the platform got it {n} times unapproved")),
            _ => {}
        }
        findings.needs_check += usize::from(task.state == "needs-check");
        findings.done += usize::from(task.state == "done");
        if evidence.approved.contains(&task.id)
            && matches!(task.state.as_str(), "proposed" | "rejected" | "expired")
        {
            findings.lost.push(format!("{what}: its approval was confirmed, and it is {} now", task.state));
        }
    }
    let known: HashSet<u64> = evidence.tasks.iter().map(|t| t.id).collect();
    for id in evidence.approved.iter().filter(|id| !known.contains(id)) {
        findings.lost.push(format!("task {id}: approved, and not in the store any more"));
    }
    within_budgets(evidence, &sends, &mut findings);
    findings
}

fn notifications_became_one_task_each(evidence: &Evidence, findings: &mut Findings) {
    let mut tasks_of: HashMap<(&str, &str), Vec<u64>> = HashMap::new();
    for task in evidence.tasks {
        if let Some(notification) = &task.notification {
            tasks_of.entry((task.account.as_str(), notification.as_str())).or_default().push(task.id);
        }
    }
    for pushed in evidence.pushed {
        let key = (pushed.account.as_str(), pushed.notification.as_str());
        match tasks_of.get(&key).map_or(0, Vec::len) {
            1 => {}
            0 => findings
                .lost
                .push(format!("notification {} of {}: no task", pushed.notification, pushed.account)),
            n => findings.duplicated.push(format!(
                "notification {} of {}: {n} tasks ({:?})",
                pushed.notification, pushed.account, tasks_of[&key]
            )),
        }
    }
}

/// The arrival times of each task's sends; a send no task explains is a finding.
fn attribute_sends(evidence: &Evidence, findings: &mut Findings) -> HashMap<u64, Vec<i64>> {
    let mut by_follow: HashMap<(&str, String), u64> = HashMap::new();
    let mut by_key: HashMap<(&str, String), u64> = HashMap::new();
    for task in evidence.tasks {
        match (task.kind.as_str(), &task.follows) {
            ("follow-back", Some(target)) => {
                by_follow
                    .insert((task.account.as_str(), format!("/api/v1/accounts/{target}/follow")), task.id);
            }
            ("reply", _) => {
                by_key.insert((task.account.as_str(), task.idempotency_key()), task.id);
            }
            _ => {}
        }
    }
    let mut sends: HashMap<u64, Vec<i64>> = HashMap::new();
    for (account, requests) in evidence.requests {
        for request in requests.iter().filter(|r| r.method == "POST") {
            let task = if request.path == "/api/v1/statuses" {
                let key = request.header("idempotency-key").unwrap_or_default().to_string();
                by_key.get(&(account.as_str(), key)).copied()
            } else if request.path.ends_with("/follow") {
                by_follow.get(&(account.as_str(), request.path.clone())).copied()
            } else {
                continue;
            };
            match task {
                Some(id) => sends.entry(id).or_default().push(request.received_at),
                None => {
                    findings.other.push(format!("{account}: POST {} that no task explains", request.path))
                }
            }
        }
    }
    sends
}

/// No window shorter than a budget's by the slack holds more first sends than it allows.
fn within_budgets(evidence: &Evidence, sends: &HashMap<u64, Vec<i64>>, findings: &mut Findings) {
    for budget in evidence.budgets {
        let window = budget.length_secs - evidence.slack_secs;
        let mut per_account: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
        for task in evidence.tasks.iter().filter(|t| t.kind == budget.action) {
            if let Some(first) = sends.get(&task.id).and_then(|t| t.iter().min()) {
                per_account.entry(task.account.as_str()).or_default().push(*first);
            }
        }
        for (account, mut times) in per_account {
            times.sort_unstable();
            let mut start = 0;
            for end in 0..times.len() {
                while times[end] - times[start] >= window {
                    start += 1;
                }
                if end - start + 1 > budget.limit {
                    findings.other.push(format!(
                        "{account}: {} {} sends within {window} s, over its limit of {} in {} s",
                        end - start + 1,
                        budget.action,
                        budget.limit,
                        budget.length_secs
                    ));
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: u64, kind: &str, state: &str, notification: &str) -> StoredTask {
        StoredTask {
            id,
            account: "shop0".into(),
            kind: kind.into(),
            state: state.into(),
            notification: Some(notification.into()),
            follows: (kind == "follow-back").then(|| format!("9{id}")),
            created_at: 1_000,
        }
    }

    fn post(path: &str, key: Option<&str>, at: i64) -> RecordedRequest {
        RecordedRequest {
            method: "POST".into(),
            path: path.into(),
            query: String::new(),
            headers: key.map(|k| vec![("idempotency-key".to_string(), k.to_string())]).unwrap_or_default(),
            body: Vec::new(),
            received_at: at,
        }
    }

    fn pushed(notification: &str) -> Pushed {
        Pushed { account: "shop0".into(), notification: notification.into() }
    }

    fn run(
        tasks: &[StoredTask],
        requests: Vec<RecordedRequest>,
        pushed: &[Pushed],
        approved: &[u64],
    ) -> Findings {
        let approved: HashSet<u64> = approved.iter().copied().collect();
        let requests = BTreeMap::from([("shop0".to_string(), requests)]);
        let budgets = [WindowBudget { action: "reply".into(), length_secs: 3_600, limit: 2 }];
        check(&Evidence {
            pushed,
            approved: &approved,
            tasks,
            requests: &requests,
            budgets: &budgets,
            slack_secs: 10,
        })
    }

    #[test]
    fn a_clean_run_counts_done_and_needs_check() {
        let tasks = [task(1, "follow-back", "done", "n1"), task(2, "reply", "needs-check", "n2")];
        let found = run(
            &tasks,
            vec![post("/api/v1/accounts/91/follow", None, 5)],
            &[pushed("n1"), pushed("n2")],
            &[1, 2],
        );
        assert!(found.clean(), "{found:?}");
        assert_eq!((found.done, found.needs_check), (1, 1));
    }

    #[test]
    fn each_broken_promise_is_named() {
        let tasks = [
            task(1, "follow-back", "done", "n1"),
            task(2, "reply", "done", "n2"),
            task(3, "reply", "proposed", "n3"),
            task(4, "reply", "done", "n3"),
        ];
        let requests = vec![
            post("/api/v1/statuses", Some("rapport-shop0-2-1000"), 10),
            post("/api/v1/statuses", Some("rapport-shop0-2-1000"), 11),
            post("/api/v1/statuses", Some("rapport-shop0-3-1000"), 12),
            post("/api/v1/statuses", Some("rapport-shop0-4-1000"), 13),
            post("/api/v1/accounts/77/follow", None, 14),
        ];
        let found = run(&tasks, requests, &[pushed("n1"), pushed("n2"), pushed("n3"), pushed("n9")], &[3, 8]);
        let all = format!("{found:?}");
        assert!(
            all.contains("task 1 (follow-back of shop0, done): done, but the platform never got it"),
            "{all}"
        );
        assert!(all.contains("task 2 (reply of shop0, done): the platform got it 2 times"), "{all}");
        assert!(
            all.contains("task 3 (reply of shop0, proposed): the platform got it 1 times unapproved"),
            "{all}"
        );
        assert!(all.contains("its approval was confirmed, and it is proposed now"), "{all}");
        assert!(all.contains("task 8: approved, and not in the store any more"), "{all}");
        assert!(all.contains("notification n3 of shop0: 2 tasks"), "{all}");
        assert!(all.contains("notification n9 of shop0: no task"), "{all}");
        assert!(all.contains("POST /api/v1/accounts/77/follow that no task explains"), "{all}");
        assert!(all.contains("3 reply sends within 3590 s, over its limit of 2 in 3600 s"), "{all}");
    }
}
