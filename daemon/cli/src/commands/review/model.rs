//! The review screen's state machine: keys and the daemon's answers in, commands and the screen
//! model out. Pure: no terminal, no socket, no clock of its own (the driver passes `now`), so
//! every behaviour of the screen is a unit test.
//!
//! Decisions go to the daemon the moment they are made ([`Command`]), so a daemon restart or a
//! closed terminal loses none. An approval is sent `undoable`: the daemon holds it for
//! [`UNDO_WINDOW`] seconds, during which `u` takes it back; the screen offers the undo for a
//! second less than that, so the daemon's window is still open when the undo arrives.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use rapport_core::task::{Task, TaskId, UNDO_WINDOW};
use rapport_protocol::ItemResult;

use crate::view::origin_label;

/// Drafts up to this many characters, on one line, are edited in place; longer ones in `$EDITOR`.
pub const INLINE_EDIT_MAX: usize = 280;

/// How long the screen offers to undo a decision: the daemon's window less a second of margin.
pub fn undo_offer() -> Duration {
    Duration::from_secs(u64::try_from(UNDO_WINDOW).unwrap_or(1).saturating_sub(1))
}

/// A key, as the screen understands it (the driver translates the terminal's events).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A printable character.
    Char(char),
    /// Enter.
    Enter,
    /// Escape.
    Esc,
    /// Backspace.
    Backspace,
    /// Left arrow.
    Left,
    /// Right arrow.
    Right,
    /// Up arrow.
    Up,
    /// Down arrow.
    Down,
    /// Home.
    Home,
    /// End.
    End,
    /// Page up: scrolls the detail pane.
    PageUp,
    /// Page down: scrolls the detail pane.
    PageDown,
    /// Tab: the next group.
    Tab,
    /// Ctrl-C: quit from anywhere.
    Interrupt,
}

/// What the screen asks the driver to do; each but [`Command::Quit`] ends in an [`Outcome`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Approve these tasks (undoable), with new text for a single one.
    Approve {
        /// The tasks.
        ids: Vec<TaskId>,
        /// Replacement text.
        text: Option<String>,
    },
    /// Reject these tasks.
    Reject {
        /// The tasks.
        ids: Vec<TaskId>,
        /// Why, if the person said.
        reason: Option<String>,
    },
    /// Take back the last decision: each task is proposed again.
    Undo {
        /// The tasks.
        ids: Vec<TaskId>,
    },
    /// Mark a by-hand task done (the person did it in the platform's app).
    MarkDone {
        /// The task.
        id: TaskId,
    },
    /// Edit a long draft in `$EDITOR`; the text comes back as [`Outcome::Edited`].
    ExternalEdit {
        /// The task.
        id: TaskId,
        /// Its draft.
        draft: String,
    },
    /// Open a link in the browser.
    Open(String),
    /// Fetch the proposed tasks again.
    Reload,
    /// Leave the screen.
    Quit,
}

/// The answer to a [`Command`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The daemon's result per id of an approve, reject or mark-done.
    Decided(Vec<ItemResult>),
    /// The tasks an undo reopened, as the daemon now holds them, and the ids it refused, why.
    Reopened {
        /// Proposed again.
        tasks: Vec<Task>,
        /// Not reopened.
        refused: Vec<ItemResult>,
    },
    /// What `$EDITOR` left, or why it failed.
    Edited {
        /// The task.
        id: TaskId,
        /// The new text, or what went wrong.
        text: Result<String, String>,
    },
    /// The proposed tasks and the one-line histories of their people.
    Loaded {
        /// Proposed tasks.
        tasks: Vec<Task>,
        /// History lines by task.
        history: HashMap<TaskId, String>,
    },
    /// Nothing to report (a link handed to the browser).
    Nothing,
    /// The command did not reach the daemon (or the browser, or the editor): nothing changed.
    Failed(String),
}

/// What a person decided in this review, for the closing line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Tasks approved (with or without edits).
    pub approved: usize,
    /// Tasks rejected.
    pub rejected: usize,
    /// By-hand tasks marked done.
    pub done: usize,
    /// Tasks left undecided after a skip.
    pub skipped: usize,
}

/// A one-line text editor: the draft in place, a rejection's reason, the search.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineEditor {
    chars: Vec<char>,
    cursor: usize,
}

impl LineEditor {
    /// An editor holding `text`, the cursor at its end.
    pub fn new(text: &str) -> LineEditor {
        let chars: Vec<char> = text.chars().collect();
        LineEditor { cursor: chars.len(), chars }
    }

    /// The text.
    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }

    /// The cursor, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Applies an editing key; false for a key that is not one.
    fn key(&mut self, key: Key) -> bool {
        match key {
            Key::Char(c) => {
                self.chars.insert(self.cursor, c);
                self.cursor += 1;
            }
            Key::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                self.chars.remove(self.cursor);
            }
            Key::Left => self.cursor = self.cursor.saturating_sub(1),
            Key::Right => self.cursor = (self.cursor + 1).min(self.chars.len()),
            Key::Home => self.cursor = 0,
            Key::End => self.cursor = self.chars.len(),
            Key::Backspace => {}
            _ => return false,
        }
        true
    }
}

/// What the keys do right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Moving through the list and deciding.
    Browse,
    /// Editing the selected task's draft in place; Enter approves it.
    Edit(LineEditor),
    /// Typing the reason for rejecting the selected task; Enter rejects.
    Reason(LineEditor),
    /// Typing the search; the list narrows as one types.
    Search(LineEditor),
    /// The help overlay; any key closes it.
    Help,
}

/// A decision that can still be taken back.
#[derive(Debug, Clone)]
struct Undoable {
    /// The tasks as they were before the decision, with their places in the list.
    tasks: Vec<(usize, Task)>,
    /// Approved (else rejected), for the tally.
    approved: bool,
    at: Instant,
}

/// A decision sent and not answered yet: which tasks, and how they were decided.
#[derive(Debug, Clone)]
struct Pending {
    ids: Vec<TaskId>,
    verdict: Verdict,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Approved,
    Rejected,
    Done,
}

/// One row of the list: a group's heading or a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row<'a> {
    /// A group: its account, where its tasks came from, how many are shown.
    Group {
        /// The account.
        account: &'a str,
        /// Where the tasks came from (`notification`, `campaign potters`).
        origin: String,
        /// Tasks shown in it.
        count: usize,
    },
    /// A task, whether it is the selected one, and whether the person skipped it.
    Task {
        /// The task.
        task: &'a Task,
        /// The selected task.
        selected: bool,
        /// Skipped in this review.
        skipped: bool,
    },
}

/// The review screen.
#[derive(Debug)]
pub struct Review {
    /// Undecided tasks, grouped: by account, then origin, then id.
    tasks: Vec<Task>,
    history: HashMap<TaskId, String>,
    /// The selected task's id; kept across reloads and filters.
    selected: Option<TaskId>,
    account_filter: Option<String>,
    search: String,
    mode: Mode,
    skipped: HashSet<TaskId>,
    undo: Option<Undoable>,
    pending: Option<Pending>,
    detail_scroll: u16,
    message: String,
    tally: Tally,
}

impl Review {
    /// A screen over `tasks` (the proposed ones) and their people's history lines.
    pub fn new(tasks: Vec<Task>, history: HashMap<TaskId, String>) -> Review {
        let mut review = Review {
            tasks: Vec::new(),
            history: HashMap::new(),
            selected: None,
            account_filter: None,
            search: String::new(),
            mode: Mode::Browse,
            skipped: HashSet::new(),
            undo: None,
            pending: None,
            detail_scroll: 0,
            message: String::new(),
            tally: Tally::default(),
        };
        review.load(tasks, history);
        review
    }

    /// The key modes' state.
    pub fn mode(&self) -> &Mode {
        &self.mode
    }

    /// The line that says what just happened.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What was decided so far; skipped counts the skipped tasks still undecided.
    pub fn tally(&self) -> Tally {
        Tally { skipped: self.skipped.len(), ..self.tally }
    }

    /// Undecided tasks in all.
    pub fn remaining(&self) -> usize {
        self.tasks.len()
    }

    /// The filter in words, if one narrows the list.
    pub fn filter_label(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(account) = &self.account_filter {
            parts.push(format!("account {account}"));
        }
        if !self.search.is_empty() {
            parts.push(format!("\"{}\"", self.search));
        }
        (!parts.is_empty()).then(|| parts.join(" · "))
    }

    /// Seconds left to undo the last decision, if it can still be undone at `now`.
    pub fn undo_left(&self, now: Instant) -> Option<u64> {
        let undo = self.undo.as_ref()?;
        let left = undo_offer().checked_sub(now.saturating_duration_since(undo.at))?;
        (!left.is_zero()).then(|| left.as_secs() + u64::from(left.subsec_nanos() > 0))
    }

    /// The selected task.
    pub fn selected(&self) -> Option<&Task> {
        let id = self.selected?;
        self.tasks.iter().find(|t| t.id == id)
    }

    /// The history line of a task's person.
    pub fn history(&self, id: TaskId) -> Option<&str> {
        self.history.get(&id).map(String::as_str)
    }

    /// How far the detail pane is scrolled, in lines.
    pub fn detail_scroll(&self) -> u16 {
        self.detail_scroll
    }

    /// The list's rows: each group heading, then its shown tasks.
    pub fn rows(&self) -> Vec<Row<'_>> {
        let shown = self.shown();
        let mut rows = Vec::with_capacity(shown.len() + 8);
        let mut start = 0;
        while start < shown.len() {
            let group = group_of(shown[start]);
            let end = start + shown[start..].iter().take_while(|t| group_of(t) == group).count();
            rows.push(Row::Group { account: group.0, origin: group.1, count: end - start });
            for task in &shown[start..end] {
                rows.push(Row::Task {
                    task,
                    selected: Some(task.id) == self.selected,
                    skipped: self.skipped.contains(&task.id),
                });
            }
            start = end;
        }
        rows
    }

    /// Replaces the tasks with a fresh load, keeping the selection where it still exists.
    fn load(&mut self, mut tasks: Vec<Task>, history: HashMap<TaskId, String>) {
        tasks.sort_by(|a, b| group_of(a).cmp(&group_of(b)).then(a.id.cmp(&b.id)));
        self.tasks = tasks;
        self.history = history;
        self.skipped.retain(|id| self.tasks.iter().any(|t| t.id == *id));
        if self.selected().is_none() {
            self.selected = self.shown().first().map(|t| t.id);
        }
    }

    /// The tasks the filter lets through, in list order.
    fn shown(&self) -> Vec<&Task> {
        let needle = self.search.to_lowercase();
        self.tasks
            .iter()
            .filter(|t| self.account_filter.as_ref().is_none_or(|a| &t.account == a))
            .filter(|t| needle.is_empty() || haystack(t).contains(&needle))
            .collect()
    }

    /// Handles a key at `now`; the command, if the key asks the daemon or the driver for one.
    pub fn key(&mut self, key: Key, now: Instant) -> Option<Command> {
        if key == Key::Interrupt {
            return Some(Command::Quit);
        }
        if self.pending.is_some() {
            self.message = "waiting for rapportd's answer…".into();
            return None;
        }
        match std::mem::replace(&mut self.mode, Mode::Browse) {
            Mode::Browse => self.browse(key, now),
            Mode::Help => None,
            Mode::Edit(mut editor) => match key {
                Key::Esc => {
                    self.message = "edit cancelled; nothing was sent".into();
                    None
                }
                Key::Enter => {
                    let text = editor.text();
                    let task = self.selected()?;
                    if text.trim().is_empty() {
                        self.message = "the draft is empty; type a reply or press Esc".into();
                        self.mode = Mode::Edit(editor);
                        return None;
                    }
                    let unchanged = task.action.text() == Some(text.as_str());
                    let ids = vec![task.id];
                    let text = (!unchanged).then_some(text);
                    Some(self.pend(Verdict::Approved, Command::Approve { ids, text }))
                }
                other => {
                    editor.key(other);
                    self.mode = Mode::Edit(editor);
                    None
                }
            },
            Mode::Reason(mut editor) => match key {
                Key::Esc => None,
                Key::Enter => {
                    let ids = vec![self.selected()?.id];
                    let reason = Some(editor.text().trim().to_string()).filter(|r| !r.is_empty());
                    Some(self.pend(Verdict::Rejected, Command::Reject { ids, reason }))
                }
                other => {
                    editor.key(other);
                    self.mode = Mode::Reason(editor);
                    None
                }
            },
            Mode::Search(mut editor) => {
                match key {
                    Key::Esc => self.search.clear(),
                    Key::Enter => {}
                    other => {
                        editor.key(other);
                        self.search = editor.text();
                        self.mode = Mode::Search(editor);
                    }
                }
                self.reselect();
                None
            }
        }
    }

    /// A key while browsing.
    fn browse(&mut self, key: Key, now: Instant) -> Option<Command> {
        self.message.clear();
        match key {
            Key::Down | Key::Char('j') => self.step(1),
            Key::Up | Key::Char('k') => self.step(-1),
            Key::Home | Key::Char('g') => self.select_at(0),
            Key::End | Key::Char('G') => self.select_at(usize::MAX),
            Key::Tab => self.next_group(),
            Key::PageDown => self.detail_scroll = self.detail_scroll.saturating_add(10),
            Key::PageUp => self.detail_scroll = self.detail_scroll.saturating_sub(10),
            Key::Char('?') => self.mode = Mode::Help,
            Key::Char('q') => return Some(Command::Quit),
            Key::Esc => {
                (self.account_filter, self.search) = (None, String::new());
                self.reselect();
            }
            Key::Char('/') => self.mode = Mode::Search(LineEditor::new(&self.search)),
            Key::Char('f') => self.cycle_account(),
            Key::Char('R') => return Some(Command::Reload),
            Key::Char('u') => return self.undo(now),
            Key::Char('s') => self.skip(),
            Key::Char('o') => return self.open(true),
            Key::Char('p') => return self.open(false),
            Key::Char('a') => {
                let task = self.selected()?;
                if let Some(why) = &task.context.by_hand {
                    self.message = format!("{why}: do it in the app, then press d to mark it done");
                    return None;
                }
                let ids = vec![task.id];
                return Some(self.pend(Verdict::Approved, Command::Approve { ids, text: None }));
            }
            Key::Char('A') => return self.approve_group(),
            Key::Char('d') => {
                let task = self.selected()?;
                if task.context.by_hand.is_none() {
                    self.message = "d marks done a task you do by hand; approve this one with a".into();
                    return None;
                }
                let id = task.id;
                return Some(self.pend(Verdict::Done, Command::MarkDone { id }));
            }
            Key::Char('r') => {
                self.selected()?;
                self.mode = Mode::Reason(LineEditor::default());
            }
            Key::Char(c @ ('e' | 'E')) => {
                let task = self.selected()?;
                let Some(draft) = task.action.text() else {
                    self.message = format!("this {} has no text to edit", task.action.kind());
                    return None;
                };
                if c == 'e' && draft.chars().count() <= INLINE_EDIT_MAX && !draft.contains('\n') {
                    self.mode = Mode::Edit(LineEditor::new(draft));
                } else {
                    return Some(Command::ExternalEdit { id: task.id, draft: draft.to_string() });
                }
            }
            _ => {}
        }
        None
    }

    /// Records the decision `command` sends as awaiting the daemon's answer, and returns it.
    fn pend(&mut self, verdict: Verdict, command: Command) -> Command {
        let ids = match &command {
            Command::Approve { ids, .. } | Command::Reject { ids, .. } => ids.clone(),
            Command::MarkDone { id } => vec![*id],
            _ => Vec::new(),
        };
        self.pending = Some(Pending { ids, verdict });
        command
    }

    /// Approves every shown task of the selected task's group the daemon may approve together;
    /// the daemon refuses, with its platform's reason, each action that is one person's decision.
    fn approve_group(&mut self) -> Option<Command> {
        let group = group_of(self.selected()?);
        let ids: Vec<TaskId> = self
            .shown()
            .into_iter()
            .filter(|t| group_of(t) == group && t.context.by_hand.is_none())
            .map(|t| t.id)
            .collect();
        if ids.is_empty() {
            self.message = "nothing in this group can be approved here: do its tasks by hand".into();
            return None;
        }
        Some(self.pend(Verdict::Approved, Command::Approve { ids, text: None }))
    }

    /// Takes back the last decision, if its window is open.
    fn undo(&mut self, now: Instant) -> Option<Command> {
        if self.undo_left(now).is_none() {
            self.undo = None;
            self.message = "nothing to undo: a decision can be undone in its first seconds only".into();
            return None;
        }
        let ids = self.undo.as_ref()?.tasks.iter().map(|(_, t)| t.id).collect();
        Some(Command::Undo { ids })
    }

    /// Moves past the selected task, leaving it undecided.
    fn skip(&mut self) {
        if let Some(task) = self.selected() {
            let id = task.id;
            self.skipped.insert(id);
            self.step(1);
        }
    }

    /// Opens the post the task is about (`post`), else or otherwise the person's profile.
    fn open(&mut self, post: bool) -> Option<Command> {
        let context = &self.selected()?.context;
        let post_url = context.post.as_ref().map(|p| p.url.as_str()).filter(|u| !u.is_empty());
        let profile_url = context.profile.as_ref().map(|p| p.url.as_str()).filter(|u| !u.is_empty());
        let url = if post { post_url.or(profile_url) } else { profile_url };
        match url {
            Some(url) => Some(Command::Open(url.to_string())),
            None => {
                self.message = "this task has no link to open".into();
                None
            }
        }
    }

    /// The daemon's (or the driver's) answer to the last command.
    pub fn outcome(&mut self, outcome: Outcome, now: Instant) -> Option<Command> {
        match outcome {
            Outcome::Decided(results) => self.decided(&results, now),
            Outcome::Reopened { tasks, refused } => {
                let undo = self.undo.take();
                let approved = undo.as_ref().is_some_and(|u| u.approved);
                let places: HashMap<TaskId, usize> =
                    undo.into_iter().flat_map(|u| u.tasks).map(|(place, t)| (t.id, place)).collect();
                let back = tasks.len();
                for task in tasks {
                    let place = places.get(&task.id).copied().unwrap_or(self.tasks.len());
                    self.selected = Some(task.id);
                    self.tasks.insert(place.min(self.tasks.len()), task);
                }
                if approved {
                    self.tally.approved = self.tally.approved.saturating_sub(back);
                } else {
                    self.tally.rejected = self.tally.rejected.saturating_sub(back);
                }
                self.message = match refused.first() {
                    None => format!("undone: {} back in the queue", many(back)),
                    Some(first) => format!(
                        "{} back; {} could not be undone: {}",
                        many(back),
                        refused.len(),
                        first.error.as_deref().unwrap_or_default()
                    ),
                };
                None
            }
            Outcome::Edited { id, text } => match text {
                Ok(text) => {
                    Some(self.pend(Verdict::Approved, Command::Approve { ids: vec![id], text: Some(text) }))
                }
                Err(why) => {
                    self.message = format!("{why}; nothing was sent");
                    None
                }
            },
            Outcome::Loaded { tasks, history } => {
                self.load(tasks, history);
                self.message = format!("{} to decide", self.tasks.len());
                None
            }
            Outcome::Nothing => None,
            Outcome::Failed(why) => {
                self.pending = None;
                self.message = why;
                None
            }
        }
    }

    /// Takes the decided tasks out of the list and keeps them for an undo.
    fn decided(&mut self, results: &[ItemResult], now: Instant) -> Option<Command> {
        let pending = self.pending.take()?;
        let refused: Vec<&ItemResult> = results.iter().filter(|r| r.error.is_some()).collect();
        let accepted: HashSet<TaskId> =
            results.iter().filter(|r| r.error.is_none()).filter_map(|r| r.id.parse().ok()).collect();
        let next = self.next_after(&pending.ids);
        let mut taken = Vec::new();
        let mut place = 0;
        self.tasks.retain(|task| {
            let keep = !accepted.contains(&task.id);
            if !keep {
                taken.push((place, task.clone()));
            } else {
                place += 1;
            }
            keep
        });
        for (_, task) in &taken {
            self.skipped.remove(&task.id);
        }
        let count = taken.len();
        let verb = match pending.verdict {
            Verdict::Approved => {
                self.tally.approved += count;
                "approved"
            }
            Verdict::Rejected => {
                self.tally.rejected += count;
                "rejected"
            }
            Verdict::Done => {
                self.tally.done += count;
                "marked done"
            }
        };
        self.undo = (pending.verdict != Verdict::Done && !taken.is_empty()).then(|| Undoable {
            tasks: taken,
            approved: pending.verdict == Verdict::Approved,
            at: now,
        });
        if accepted.contains(&self.selected.unwrap_or(TaskId(0))) || self.selected().is_none() {
            self.selected = next;
        }
        self.message = match refused.first() {
            None => format!("{} {verb}", many(count)),
            Some(first) => format!(
                "{} {verb}; {} not: #{}: {}",
                many(count),
                refused.len(),
                first.id,
                first.error.as_deref().unwrap_or_default()
            ),
        };
        None
    }

    /// The first shown task after the last of `ids` that is not one of them, else the one before.
    fn next_after(&self, ids: &[TaskId]) -> Option<TaskId> {
        let shown = self.shown();
        let last = shown.iter().rposition(|t| ids.contains(&t.id))?;
        let after = shown[last..].iter().find(|t| !ids.contains(&t.id));
        after.or_else(|| shown[..last].iter().rev().find(|t| !ids.contains(&t.id))).map(|t| t.id)
    }

    fn step(&mut self, by: isize) {
        let shown = self.shown();
        let at = self.selected.and_then(|id| shown.iter().position(|t| t.id == id)).unwrap_or(0);
        let to = at.saturating_add_signed(by).min(shown.len().saturating_sub(1));
        self.selected = shown.get(to).map(|t| t.id);
        self.detail_scroll = 0;
    }

    fn select_at(&mut self, index: usize) {
        let shown = self.shown();
        self.selected = shown.get(index.min(shown.len().saturating_sub(1))).map(|t| t.id);
        self.detail_scroll = 0;
    }

    fn next_group(&mut self) {
        let shown = self.shown();
        let Some(current) = self.selected() else { return };
        let group = group_of(current);
        let at = shown.iter().position(|t| t.id == current.id).unwrap_or(0);
        let next = shown[at..].iter().find(|t| group_of(t) != group).or(shown.first());
        self.selected = next.map(|t| t.id);
        self.detail_scroll = 0;
    }

    /// Keeps the selection on a shown task after the filter changed.
    fn reselect(&mut self) {
        let shown = self.shown();
        if !shown.iter().any(|t| Some(t.id) == self.selected) {
            self.selected = shown.first().map(|t| t.id);
        }
    }

    /// Shows all accounts, then each in turn.
    fn cycle_account(&mut self) {
        let mut accounts: Vec<&str> = self.tasks.iter().map(|t| t.account.as_str()).collect();
        accounts.dedup();
        let next = match &self.account_filter {
            None => accounts.first(),
            Some(current) => accounts.iter().skip_while(|a| *a != current).nth(1),
        };
        self.account_filter = next.map(|a| a.to_string());
        self.reselect();
    }
}

/// A task's group: its account, and where it came from.
fn group_of(task: &Task) -> (&str, String) {
    (task.account.as_str(), origin_label(&task.origin))
}

/// What the search looks in, lowercased: the person, the draft, the post, the kind.
fn haystack(task: &Task) -> String {
    let mut text = String::from(task.action.kind().as_str());
    if let Some(profile) = &task.context.profile {
        text.extend([" ", &profile.handle, " ", &profile.display_name]);
    }
    if let Some(post) = &task.context.post {
        text.extend([" ", &post.text]);
    }
    if let Some(draft) = task.action.text() {
        text.extend([" ", draft]);
    }
    text.to_lowercase()
}

fn many(n: usize) -> String {
    crate::view::many(n, "task", "tasks")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::sample;

    fn review() -> Review {
        let history = HashMap::from([(TaskId(12), "2nd interaction".to_string())]);
        Review::new(sample::queue(), history)
    }

    fn ids(review: &Review) -> Vec<u64> {
        review
            .rows()
            .iter()
            .filter_map(|r| match r {
                Row::Task { task, .. } => Some(task.id.0),
                Row::Group { .. } => None,
            })
            .collect()
    }

    fn typed(review: &mut Review, text: &str, now: Instant) {
        for c in text.chars() {
            assert_eq!(review.key(Key::Char(c), now), None);
        }
    }

    fn ok(ids: &[u64]) -> Outcome {
        Outcome::Decided(ids.iter().map(|id| ItemResult::ok(*id)).collect())
    }

    #[test]
    fn tasks_are_grouped_by_account_then_origin_and_the_first_is_selected() {
        let review = review();
        let groups: Vec<(String, usize)> = review
            .rows()
            .iter()
            .filter_map(|r| match r {
                Row::Group { account, origin, count } => Some((format!("{account} · {origin}"), *count)),
                Row::Task { .. } => None,
            })
            .collect();
        assert_eq!(
            groups,
            [
                ("shop · campaign potters".to_string(), 2),
                ("shop · notification".to_string(), 2),
                ("studio-x · campaign potters".to_string(), 1)
            ]
        );
        assert_eq!(ids(&review), [20, 21, 12, 13, 30]);
        assert_eq!(review.selected().map(|t| t.id), Some(TaskId(20)));
    }

    #[test]
    fn an_approval_leaves_the_list_when_the_daemon_accepts_it_and_is_undone_within_the_window() {
        let (mut review, t0) = (review(), Instant::now());
        review.key(Key::Char('j'), t0);
        review.key(Key::Char('j'), t0);
        assert_eq!(review.selected().map(|t| t.id), Some(TaskId(12)));
        assert_eq!(
            review.key(Key::Char('a'), t0),
            Some(Command::Approve { ids: vec![TaskId(12)], text: None })
        );
        assert_eq!(ids(&review), [20, 21, 12, 13, 30], "nothing leaves before the daemon answers");
        assert_eq!(review.key(Key::Char('j'), t0), None, "keys wait for the answer");
        review.outcome(ok(&[12]), t0);
        assert_eq!(ids(&review), [20, 21, 13, 30]);
        assert_eq!(review.selected().map(|t| t.id), Some(TaskId(13)), "the next task is selected");
        assert_eq!(review.tally().approved, 1);
        assert!(review.message().contains("1 task approved"), "{}", review.message());
        assert_eq!(review.undo_left(t0 + Duration::from_secs(2)), Some(7));

        let later = t0 + Duration::from_secs(3);
        assert_eq!(review.key(Key::Char('u'), later), Some(Command::Undo { ids: vec![TaskId(12)] }));
        let back = sample::reply_task();
        review.outcome(Outcome::Reopened { tasks: vec![back], refused: vec![] }, later);
        assert_eq!(ids(&review), [20, 21, 12, 13, 30], "back in its place");
        assert_eq!(review.selected().map(|t| t.id), Some(TaskId(12)));
        assert_eq!(review.tally().approved, 0);
        assert_eq!(review.undo_left(later), None, "one undo per decision");
    }

    #[test]
    fn the_undo_is_offered_for_less_than_the_daemons_window_only() {
        let (mut review, t0) = (review(), Instant::now());
        review.key(Key::Char('a'), t0);
        review.outcome(ok(&[20]), t0);
        let closed = t0 + undo_offer();
        assert_eq!(review.undo_left(closed), None);
        assert_eq!(review.key(Key::Char('u'), closed), None);
        assert!(review.message().contains("nothing to undo"), "{}", review.message());
        assert!(undo_offer() < Duration::from_secs(UNDO_WINDOW as u64));
    }

    #[test]
    fn a_draft_is_edited_in_place_and_approved_with_its_new_text_only_when_changed() {
        let (mut review, now) = (review(), Instant::now());
        review.key(Key::Char('j'), now);
        review.key(Key::Char('j'), now);
        review.key(Key::Char('e'), now);
        assert!(matches!(review.mode(), Mode::Edit(e) if e.text() == "Hi Ann, peat-free compost!"));
        // Nothing changed: approved as drafted.
        assert_eq!(review.key(Key::Enter, now), Some(Command::Approve { ids: vec![TaskId(12)], text: None }));
        review.outcome(Outcome::Failed("rapportd is restarting".into()), now);
        assert_eq!(review.message(), "rapportd is restarting");
        assert_eq!(ids(&review), [20, 21, 12, 13, 30], "a decision that did not arrive leaves the task");

        review.key(Key::Char('e'), now);
        review.key(Key::Backspace, now);
        typed(&mut review, " and bark mulch.", now);
        review.key(Key::Home, now);
        typed(&mut review, ">", now);
        let text = Some(">Hi Ann, peat-free compost and bark mulch.".to_string());
        assert_eq!(review.key(Key::Enter, now), Some(Command::Approve { ids: vec![TaskId(12)], text }));
    }

    #[test]
    fn esc_cancels_an_edit_and_a_follow_has_no_text_to_edit() {
        let (mut review, now) = (review(), Instant::now());
        assert_eq!(review.key(Key::Char('e'), now), None);
        assert_eq!(review.message(), "this follow has no text to edit");
        review.key(Key::Tab, now);
        review.key(Key::Char('e'), now);
        typed(&mut review, "xyz", now);
        assert_eq!(review.key(Key::Esc, now), None);
        assert_eq!(review.mode(), &Mode::Browse);
        assert!(review.message().contains("nothing was sent"));
    }

    #[test]
    fn a_long_draft_goes_to_the_editor_and_its_text_is_approved() {
        let mut tasks = sample::queue();
        let long = "word ".repeat(80);
        tasks[0].action = rapport_core::task::Action::Reply {
            to_post_id: "p1".into(),
            text: long.clone(),
            visibility: "public".into(),
        };
        let (mut review, now) = (Review::new(tasks, HashMap::new()), Instant::now());
        review.key(Key::Tab, now);
        assert_eq!(
            review.key(Key::Char('e'), now),
            Some(Command::ExternalEdit { id: TaskId(12), draft: long })
        );
        let edited = Outcome::Edited { id: TaskId(12), text: Ok("Short now.".into()) };
        assert_eq!(
            review.outcome(edited, now),
            Some(Command::Approve { ids: vec![TaskId(12)], text: Some("Short now.".into()) })
        );
        review.outcome(ok(&[12]), now);
        assert_eq!(review.tally().approved, 1);
    }

    #[test]
    fn a_rejection_takes_a_reason_and_is_undone_like_an_approval() {
        let (mut review, now) = (review(), Instant::now());
        review.key(Key::Char('r'), now);
        typed(&mut review, "  not a potter ", now);
        let reason = Some("not a potter".to_string());
        assert_eq!(review.key(Key::Enter, now), Some(Command::Reject { ids: vec![TaskId(20)], reason }));
        review.outcome(ok(&[20]), now);
        assert_eq!((review.tally().rejected, review.remaining()), (1, 4));
        assert_eq!(review.key(Key::Char('u'), now), Some(Command::Undo { ids: vec![TaskId(20)] }));
        review.outcome(Outcome::Reopened { tasks: vec![sample::queue().remove(2)], refused: vec![] }, now);
        assert_eq!((review.tally().rejected, review.remaining()), (0, 5));
        // No reason given: none sent.
        review.key(Key::Char('r'), now);
        assert_eq!(
            review.key(Key::Enter, now),
            Some(Command::Reject { ids: vec![TaskId(20)], reason: None })
        );
    }

    #[test]
    fn approving_a_group_sends_its_tasks_together_and_shows_what_the_platform_refused() {
        let (mut review, now) = (review(), Instant::now());
        let both = vec![TaskId(20), TaskId(21)];
        assert_eq!(review.key(Key::Char('A'), now), Some(Command::Approve { ids: both, text: None }));
        let refused = ItemResult::failed(21, "its rules: each follow is one person's decision");
        review.outcome(Outcome::Decided(vec![ItemResult::ok(20), refused]), now);
        assert_eq!(ids(&review), [21, 12, 13, 30]);
        assert!(review.message().contains("1 not: #21: its rules"), "{}", review.message());
        // A group done by hand is never approved, together or alone.
        review.key(Key::End, now);
        assert_eq!(review.key(Key::Char('A'), now), None);
        assert_eq!(review.key(Key::Char('a'), now), None);
        assert!(review.message().contains("then press d"), "{}", review.message());
        assert_eq!(review.key(Key::Char('d'), now), Some(Command::MarkDone { id: TaskId(30) }));
        review.outcome(ok(&[30]), now);
        assert_eq!(
            (review.tally().done, review.undo_left(now)),
            (1, None),
            "marking done is not undone here"
        );
    }

    #[test]
    fn skip_search_and_the_account_filter_narrow_and_move_the_selection() {
        let (mut review, now) = (review(), Instant::now());
        review.key(Key::Char('s'), now);
        assert_eq!((review.selected().map(|t| t.id), review.tally().skipped), (Some(TaskId(21)), 1));
        review.key(Key::Char('/'), now);
        typed(&mut review, "SOIL", now);
        assert_eq!(ids(&review), [12], "the search reads posts, drafts and people, any case");
        review.key(Key::Enter, now);
        assert_eq!(review.filter_label().as_deref(), Some("\"SOIL\""));
        review.key(Key::Esc, now);
        assert_eq!(ids(&review).len(), 5);
        review.key(Key::Char('f'), now);
        assert_eq!(ids(&review), [20, 21, 12, 13]);
        review.key(Key::Char('f'), now);
        assert_eq!((ids(&review), review.selected().map(|t| t.id)), (vec![30], Some(TaskId(30))));
        review.key(Key::Char('f'), now);
        assert_eq!(review.filter_label(), None);
    }

    #[test]
    fn open_takes_the_post_else_the_profile_and_help_closes_on_any_key() {
        let (mut review, now) = (review(), Instant::now());
        assert_eq!(
            review.key(Key::Char('o'), now),
            Some(Command::Open("https://potters.example/@bo".into()))
        );
        review.key(Key::Tab, now);
        assert_eq!(
            review.key(Key::Char('o'), now),
            Some(Command::Open("https://garden.social/@ann/1".into()))
        );
        assert_eq!(review.key(Key::Char('p'), now), Some(Command::Open("https://garden.social/@ann".into())));
        review.key(Key::Char('?'), now);
        assert_eq!(review.mode(), &Mode::Help);
        assert_eq!(review.key(Key::Char('q'), now), None, "the key closes the help, it does not quit");
        assert_eq!(review.key(Key::Char('q'), now), Some(Command::Quit));
        assert_eq!(review.key(Key::Interrupt, now), Some(Command::Quit));
    }
}
