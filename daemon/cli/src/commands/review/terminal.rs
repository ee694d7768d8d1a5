//! The review screen on a real terminal: raw mode and the alternate screen, the key loop, and the
//! commands the model asks for, carried out against rapportd, `$EDITOR` and `xdg-open`.
//!
//! The terminal is restored on every way out, a panic included, so a failure never leaves the
//! person's shell in raw mode. Keys are read with a timeout so the undo countdown keeps ticking.

use std::collections::HashMap;
use std::io;
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use rapport_core::task::{Task, TaskId, TaskState};
use rapport_protocol::requests::{Approve, MarkDone, Queue, Reject, Show, Undo};
use rapport_protocol::{ItemResult, MAX_PAGE};
use ratatui::Terminal;
use ratatui::crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::prelude::CrosstermBackend;

use super::model::{Command, Key, Outcome, Review, Tally};
use crate::client::Client;
use crate::commands::{now, show};
use crate::edit;

/// How often the screen redraws while no key comes (the undo countdown).
const TICK: Duration = Duration::from_millis(250);

/// At most this many proposed tasks are loaded into one review.
const MAX_TASKS: usize = 5_000;

/// Runs the review screen until the person quits; the tally of their decisions.
pub fn run(client: &Client) -> anyhow::Result<Tally> {
    let (tasks, history) = load(client)?;
    let mut review = Review::new(tasks, history);
    let mut terminal = Screen::enter()?;
    loop {
        let now_instant = Instant::now();
        let undo_left = review.undo_left(now_instant);
        terminal.draw(|frame| super::screen::draw(frame, &review, now(), undo_left))?;
        if !event::poll(TICK)? {
            continue;
        }
        let key = match event::read()? {
            Event::Key(key) if key.kind != KeyEventKind::Release => translate(key),
            _ => None,
        };
        let Some(key) = key else { continue };
        let mut next = review.key(key, Instant::now());
        while let Some(command) = next.take() {
            if command == Command::Quit {
                return Ok(review.tally());
            }
            let outcome = carry_out(client, &command, &mut terminal);
            next = review.outcome(outcome, Instant::now());
        }
    }
}

/// The terminal in raw mode on the alternate screen, restored when dropped.
struct Screen(Terminal<CrosstermBackend<io::Stdout>>);

impl Screen {
    fn enter() -> anyhow::Result<Screen> {
        enable_raw_mode()?;
        execute!(io::stdout(), EnterAlternateScreen)?;
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        Ok(Screen(Terminal::new(CrosstermBackend::new(io::stdout()))?))
    }

    fn draw(&mut self, render: impl FnOnce(&mut ratatui::Frame)) -> io::Result<()> {
        self.0.draw(render).map(|_| ())
    }

    /// Hands the terminal to another program (`$EDITOR`) for the length of `run`.
    fn suspended<T>(&mut self, run: impl FnOnce() -> T) -> io::Result<T> {
        restore();
        let result = run();
        enable_raw_mode()?;
        execute!(io::stdout(), EnterAlternateScreen)?;
        self.0.clear()?;
        Ok(result)
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        restore();
    }
}

/// Leaves raw mode and the alternate screen; harmless when already left.
fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, ratatui::crossterm::cursor::Show);
}

/// The model's key for a terminal key event, if it has one.
fn translate(key: KeyEvent) -> Option<Key> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return matches!(key.code, KeyCode::Char('c')).then_some(Key::Interrupt);
    }
    Some(match key.code {
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Tab => Key::Tab,
        _ => return None,
    })
}

/// Carries out one command; any failure becomes [`Outcome::Failed`] with what to do next.
fn carry_out(client: &Client, command: &Command, screen: &mut Screen) -> Outcome {
    let sent = |what: &str, e: anyhow::Error| {
        Outcome::Failed(format!("{what} did not reach rapportd ({e:#}); nothing changed, try again"))
    };
    match command {
        Command::Approve { ids, text } => {
            let request = Approve { ids: ids.clone(), text: text.clone(), undoable: true };
            client.call(request).map_or_else(|e| sent("the approval", e), Outcome::Decided)
        }
        Command::Reject { ids, reason } => {
            let request = Reject { ids: ids.clone(), reason: reason.clone() };
            client.call(request).map_or_else(|e| sent("the rejection", e), Outcome::Decided)
        }
        Command::MarkDone { id } => {
            client.call(MarkDone { id: *id }).map_or_else(|e| sent("marking done", e), Outcome::Decided)
        }
        Command::Undo { ids } => undo(client, ids),
        Command::ExternalEdit { id, draft } => match screen.suspended(|| edit::edit(draft)) {
            Ok(text) => Outcome::Edited { id: *id, text: text.map_err(|e| format!("{e:#}")) },
            Err(e) => Outcome::Failed(format!("the terminal could not be taken back from the editor: {e}")),
        },
        Command::Open(url) => open(url),
        Command::Reload => match load(client) {
            Ok((tasks, history)) => Outcome::Loaded { tasks, history },
            Err(e) => Outcome::Failed(format!("could not reload the queue: {e:#}")),
        },
        Command::Quit => Outcome::Nothing,
    }
}

/// Reopens each task, then reads it back as the daemon holds it now.
fn undo(client: &Client, ids: &[TaskId]) -> Outcome {
    let mut tasks = Vec::new();
    let mut refused = Vec::new();
    for &id in ids {
        let result = match client.call(Undo { id }) {
            Ok(results) => results.into_iter().next().unwrap_or_else(|| ItemResult::failed(id, "no answer")),
            Err(e) => ItemResult::failed(id, format!("{e:#}")),
        };
        if result.error.is_some() {
            refused.push(result);
            continue;
        }
        match client.call(Show { id }) {
            Ok(task) if task.state == TaskState::Proposed => tasks.push(task),
            Ok(task) => refused.push(ItemResult::failed(id, format!("it is {} now", task.state))),
            Err(e) => refused.push(ItemResult::failed(id, format!("{e:#}"))),
        }
    }
    Outcome::Reopened { tasks, refused }
}

/// Hands a link to `xdg-open`, which returns at once; the browser's output stays off the screen.
fn open(url: &str) -> Outcome {
    let started = Process::new("xdg-open")
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match started {
        Ok(_) => Outcome::Nothing,
        Err(e) => Outcome::Failed(format!("cannot run xdg-open ({e}); the link is {url}")),
    }
}

/// Every proposed task (up to [`MAX_TASKS`]) and the history lines of their people.
fn load(client: &Client) -> anyhow::Result<(Vec<Task>, HashMap<TaskId, String>)> {
    let mut tasks: Vec<Task> = Vec::new();
    let mut history = HashMap::new();
    let mut after = None;
    while tasks.len() < MAX_TASKS {
        let page =
            client.call(Queue { state: Some(TaskState::Proposed), account: None, after, limit: MAX_PAGE })?;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        let ids: Vec<TaskId> = page.iter().map(|t| t.id).collect();
        history.extend(show::history_lines(client, &ids));
        tasks.extend(page);
    }
    Ok((tasks, history))
}
