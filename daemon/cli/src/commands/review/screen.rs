//! Drawing the review screen from its model: the title bar, the list of tasks by group, the
//! detail pane (the task as `rapport show` prints it), the message or prompt line and the keys.
//!
//! Wide terminals put the list beside the detail; narrow ones (under 100 columns) above it.
//! Nothing here decides anything: the same model always draws the same cells.

use rapport_core::UnixSeconds;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::model::{LineEditor, Mode, Review, Row};
use crate::commands::show;
use crate::view::excerpt;

/// Below this width the list goes above the detail instead of beside it.
const SIDE_BY_SIDE: u16 = 100;

/// The keys, most used first, as the bottom line shows them.
const HINTS: &[(&str, &str)] = &[
    ("a", "approve"),
    ("e", "edit"),
    ("r", "reject"),
    ("s", "skip"),
    ("u", "undo"),
    ("?", "help"),
    ("q", "quit"),
    ("j/k", "move"),
    ("/", "search"),
    ("f", "account"),
    ("o", "open"),
];

/// The help overlay's lines.
const HELP: &[(&str, &str)] = &[
    ("a", "approve the task (sent once the undo window closes)"),
    ("A", "approve the whole group, where its platform allows it"),
    ("e", "edit the draft here (E: in $EDITOR); Enter approves it"),
    ("r", "reject, with a reason if you like"),
    ("s", "skip: leave it for later"),
    ("u", "undo the last decision, for a few seconds"),
    ("d", "mark done a task you did by hand in the app"),
    ("j k ↑ ↓", "move; g/G first/last; Tab next group"),
    ("PgUp PgDn", "scroll the detail"),
    ("/", "search people, posts and drafts; Esc clears"),
    ("f", "show one account, the next, then all"),
    ("o / p", "open the post / the profile in the browser"),
    ("R", "reload the queue from rapportd"),
    ("q, Ctrl-C", "quit: every decision is already with rapportd"),
];

/// Draws the whole screen; `now` and `clock` date the detail and the undo countdown.
pub fn draw(frame: &mut Frame, review: &Review, now: UnixSeconds, undo_left: Option<u64>) {
    let [title, body, message, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    frame.render_widget(
        Paragraph::new(title_line(review)).style(Style::new().add_modifier(Modifier::REVERSED)),
        title,
    );
    let (list, detail) = if body.width >= SIDE_BY_SIDE {
        let [list, detail] =
            Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(body);
        (list, detail)
    } else {
        let [list, detail] =
            Layout::vertical([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(body);
        (list, detail)
    };
    draw_list(frame, review, list);
    draw_detail(frame, review, detail, now);
    draw_prompt(frame, review, message, undo_left);
    frame.render_widget(Paragraph::new(hint_line(keys.width)), keys);
    if *review.mode() == Mode::Help {
        draw_help(frame, body);
    }
}

fn title_line(review: &Review) -> Line<'static> {
    let tally = review.tally();
    let mut text = format!(
        " rapport review  {} to decide · {} approved · {} rejected · {} skipped",
        review.remaining(),
        tally.approved,
        tally.rejected,
        tally.skipped
    );
    if tally.done > 0 {
        text.push_str(&format!(" · {} done by hand", tally.done));
    }
    if let Some(filter) = review.filter_label() {
        text.push_str(&format!("  [{filter}]"));
    }
    Line::from(text)
}

fn draw_list(frame: &mut Frame, review: &Review, area: Rect) {
    let block = Block::new().borders(Borders::ALL).title(" queue ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = review.rows();
    if rows.is_empty() {
        let empty = if review.remaining() == 0 {
            "Nothing to decide. q quits."
        } else {
            "Nothing matches the filter. Esc clears it."
        };
        frame.render_widget(Paragraph::new(empty).wrap(Wrap { trim: true }), inner);
        return;
    }
    let width = usize::from(inner.width);
    let lines: Vec<Line> = rows.iter().map(|row| row_line(row, width)).collect();
    // The selected row stays in view, near the middle once the list is longer than the pane.
    let at = rows.iter().position(|r| matches!(r, Row::Task { selected: true, .. })).unwrap_or(0);
    let height = usize::from(inner.height);
    let offset = at.saturating_sub(height / 2).min(lines.len().saturating_sub(height));
    let shown: Vec<Line> = lines.into_iter().skip(offset).take(height).collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

fn row_line(row: &Row, width: usize) -> Line<'static> {
    match row {
        Row::Group { account, origin, count } => Line::from(Span::styled(
            fit(&format!("{account} · {origin} ({count})"), width),
            Style::new().add_modifier(Modifier::BOLD),
        )),
        Row::Task { task, selected, skipped } => {
            let marker = match (selected, skipped) {
                (true, _) => "▸",
                (false, true) => "·",
                (false, false) => " ",
            };
            let who = show::who(task);
            let about = task.action.text().or(task.context.post.as_ref().map(|p| p.text.as_str()));
            let mut text = format!("{marker} #{} {} {who}", task.id, task.action.kind());
            if let Some(about) = about {
                text.push_str(" — ");
                text.push_str(&excerpt(about, width));
            }
            let style = match (selected, skipped) {
                (true, _) => Style::new().add_modifier(Modifier::REVERSED),
                (false, true) => Style::new().add_modifier(Modifier::DIM),
                (false, false) => Style::new(),
            };
            Line::from(Span::styled(fit(&text, width), style))
        }
    }
}

/// The post the task answers and the draft on top, in panes of their own so they are never scrolled
/// out of view, and the rest of the task below.
fn draw_detail(frame: &mut Frame, review: &Review, area: Rect, now: UnixSeconds) {
    let Some(task) = review.selected() else {
        frame.render_widget(Block::new().borders(Borders::ALL).title(" task "), area);
        return;
    };
    let mut rest = area;
    let panes = [show::their_post(task, now), show::draft(task)];
    for (title, text) in panes.into_iter().flatten() {
        let inner_width = usize::from(area.width.saturating_sub(2)).max(1);
        let needed: usize = text.lines().map(|l| l.chars().count().div_ceil(inner_width).max(1)).sum();
        let height = u16::try_from(needed + 2).unwrap_or(u16::MAX).min(area.height / 3).max(3);
        let [top, below] = Layout::vertical([Constraint::Length(height), Constraint::Min(0)]).areas(rest);
        let block = Block::new()
            .borders(Borders::ALL)
            .title(fit(&format!(" {} ", title.to_lowercase()), inner_width));
        frame.render_widget(Paragraph::new(text).block(block).wrap(Wrap { trim: false }), top);
        rest = below;
    }
    let about = show::view_without_post_and_draft(task, review.history(task.id), now);
    let block = Block::new().borders(Borders::ALL).title(" task ");
    let paragraph =
        Paragraph::new(about).block(block).wrap(Wrap { trim: false }).scroll((review.detail_scroll(), 0));
    frame.render_widget(paragraph, rest);
}

fn draw_prompt(frame: &mut Frame, review: &Review, area: Rect, undo_left: Option<u64>) {
    let (label, editor) = match review.mode() {
        Mode::Edit(editor) => ("edit (Enter approves, Esc cancels): ", editor),
        Mode::Reason(editor) => ("reason for rejecting (Enter rejects, Esc cancels): ", editor),
        Mode::Search(editor) => ("search: ", editor),
        Mode::Browse | Mode::Help => {
            let message = review.message();
            let text = match undo_left {
                None => message.to_string(),
                Some(left) if message.is_empty() => format!("u undoes the last decision ({left}s)"),
                Some(left) => format!("{message} · u undoes ({left}s)"),
            };
            frame.render_widget(Paragraph::new(fit(&text, usize::from(area.width))), area);
            return;
        }
    };
    draw_editor(frame, area, label, editor);
}

/// A prompt and its one-line editor, scrolled so the cursor stays in view.
fn draw_editor(frame: &mut Frame, area: Rect, label: &str, editor: &LineEditor) {
    let label_width = label.chars().count();
    let room = usize::from(area.width).saturating_sub(label_width + 1).max(1);
    let chars: Vec<char> = editor.text().chars().collect();
    let start = editor.cursor().saturating_sub(room);
    let visible: String = chars[start..].iter().take(room).collect();
    let line = Line::from(vec![
        Span::styled(label.to_string(), Style::new().add_modifier(Modifier::BOLD)),
        Span::raw(visible),
    ]);
    frame.render_widget(Paragraph::new(line), area);
    let column = label_width + editor.cursor() - start;
    let x =
        area.x.saturating_add(u16::try_from(column).unwrap_or(u16::MAX)).min(area.right().saturating_sub(1));
    frame.set_cursor_position(Position::new(x, area.y));
}

/// As many key hints as fit the width.
fn hint_line(width: u16) -> Line<'static> {
    let mut spans = Vec::new();
    let mut used = 0;
    for (key, what) in HINTS {
        let len = key.chars().count() + what.len() + 3;
        if used + len > usize::from(width) {
            break;
        }
        used += len;
        spans.push(Span::styled(format!(" {key}"), Style::new().add_modifier(Modifier::BOLD)));
        spans.push(Span::raw(format!(" {what} ")));
    }
    Line::from(spans)
}

fn draw_help(frame: &mut Frame, body: Rect) {
    let width = body.width.min(72);
    let height = body.height.min(u16::try_from(HELP.len()).unwrap_or(u16::MAX) + 3);
    let area =
        Rect { x: body.x + (body.width - width) / 2, y: body.y + (body.height - height) / 2, width, height };
    let mut lines: Vec<Line> = HELP
        .iter()
        .map(|(key, what)| {
            Line::from(vec![
                Span::styled(format!("{key:>10}  "), Style::new().add_modifier(Modifier::BOLD)),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::from("  any key closes this"));
    frame.render_widget(Clear, area);
    frame
        .render_widget(Paragraph::new(lines).block(Block::new().borders(Borders::ALL).title(" keys ")), area);
}

/// `text` cut to `width` characters, with an ellipsis when cut.
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::PathBuf;
    use std::time::Instant;

    use rapport_core::task::TaskId;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::commands::review::model::{Key, Outcome};
    use crate::commands::sample::{self, NOW};
    use rapport_protocol::ItemResult;

    /// The screen's text at `width`×`height`, one line per row, trailing blanks kept.
    fn render(review: &Review, width: u16, height: u16, undo_left: Option<u64>) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal.draw(|frame| draw(frame, review, NOW, undo_left)).unwrap();
        let buffer = terminal.backend().buffer();
        let mut out = String::new();
        for y in 0..height {
            for x in 0..width {
                out.push_str(buffer[(x, y)].symbol());
            }
            out.push('\n');
        }
        out
    }

    /// Compares with the recorded screen; `RAPPORT_RECORD_SCREENS=1` records it instead.
    fn matches_recorded(name: &str, screen: &str) {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/commands/review/screens").join(name);
        if std::env::var_os("RAPPORT_RECORD_SCREENS").is_some() {
            std::fs::write(&path, screen).unwrap();
        }
        let recorded = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; record it with RAPPORT_RECORD_SCREENS=1", path.display()));
        assert_eq!(
            screen, recorded,
            "{name} changed; if on purpose, record it with RAPPORT_RECORD_SCREENS=1"
        );
    }

    /// The sample queue with Ann's question selected, Bo's follow-back just approved.
    fn morning() -> Review {
        let history =
            HashMap::from([(TaskId(12), "2nd interaction; follows you since 2026-03-01".to_string())]);
        let mut review = Review::new(sample::queue(), history);
        let now = Instant::now();
        review.key(Key::Tab, now);
        review.key(Key::Char('j'), now);
        review.key(Key::Char('a'), now);
        review.outcome(Outcome::Decided(vec![ItemResult::ok(13)]), now);
        assert_eq!(review.selected().map(|t| t.id), Some(TaskId(30)), "the next after Bo's");
        review.key(Key::Char('k'), now);
        review
    }

    #[test]
    fn the_queue_renders_at_80_by_24_with_the_list_above_the_detail() {
        let screen = render(&morning(), 80, 24, Some(9));
        let lines: Vec<&str> = screen.lines().collect();
        assert!(lines[1].contains("┌ queue") && !lines[1].contains("task"), "list above: {}", lines[1]);
        assert!(lines[0].starts_with(" rapport review  4 to decide · 1 approved · 0 rejected · 0 skipped"));
        assert!(
            lines.iter().any(|l| l.contains("▸ #12 reply @ann@garden.social — Hi Ann, peat-free compost!"))
        );
        assert!(lines.iter().any(|l| l.contains("│Hi Ann, peat-free compost!")), "the draft in its pane");
        assert!(
            lines.iter().any(|l| l.contains("│Which soil do you use?")),
            "the post it answers in its pane"
        );
        assert!(lines.iter().any(|l| l.contains("Person: Ann Example (@ann@garden.social)")));
        assert!(lines[22].starts_with("u undoes the last decision (9s)"), "{}", lines[22]);
        assert!(lines[23].starts_with(" a approve  e edit  r reject"));
        matches_recorded("review-80x24.txt", &screen);
    }

    #[test]
    fn the_queue_renders_at_200_by_50_with_the_list_beside_the_detail() {
        let screen = render(&morning(), 200, 50, None);
        let lines: Vec<&str> = screen.lines().collect();
        assert!(
            lines[1].contains("┌ queue") && lines[1].contains("┌ their post"),
            "side by side: {}",
            lines[1]
        );
        assert!(lines.iter().any(|l| l.contains("▸ #12 reply @ann@garden.social")));
        assert!(lines.iter().any(|l| l.contains("  history: 2nd interaction; follows you since 2026-03-01")));
        assert!(lines[49].contains(" q quit "), "every key hint fits: {}", lines[49]);
        matches_recorded("review-200x50.txt", &screen);
    }

    #[test]
    fn the_editor_keeps_its_cursor_in_view_and_help_overlays_the_list() {
        let mut review = morning();
        let now = Instant::now();
        review.key(Key::Char('e'), now);
        for _ in 0..60 {
            review.key(Key::Char('x'), now);
        }
        let screen = render(&review, 80, 24, None);
        let prompt = screen.lines().nth(22).unwrap();
        assert!(prompt.starts_with("edit (Enter approves, Esc cancels): "), "{prompt}");
        assert!(prompt.trim_end().ends_with("xxxx"), "the end being typed is in view: {prompt}");
        review.key(Key::Esc, now);
        review.key(Key::Char('?'), now);
        let screen = render(&review, 80, 24, None);
        assert!(screen.contains("undo the last decision, for a few seconds"));
        assert!(screen.contains("any key closes this"));
    }

    #[test]
    fn an_empty_queue_says_so() {
        let review = Review::new(Vec::new(), HashMap::new());
        assert!(render(&review, 80, 24, None).contains("Nothing to decide. q quits."));
    }
}
