//! Charts drawn with Unicode for the terminal: horizontal bars with eighth-block resolution and
//! sparklines. They only lay out characters; colour is the caller's ([`Paint`]).

use std::io::IsTerminal;

/// The eighths of a full block, from empty to full.
const EIGHTHS: [char; 9] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'];

/// The levels of a sparkline, lowest first.
const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A bar `width` cells wide at most, filled to `value / max`; exactly `width` cells long.
pub fn bar(value: f64, max: f64, width: usize) -> String {
    let eighths = if max > 0.0 && value > 0.0 {
        ((value / max).min(1.0) * (width * 8) as f64).round() as usize
    } else {
        0
    };
    let mut out = "█".repeat(eighths / 8);
    if eighths % 8 > 0 {
        out.push(EIGHTHS[eighths % 8]);
    }
    let drawn = out.chars().count();
    out.push_str(&" ".repeat(width.saturating_sub(drawn)));
    out
}

/// One character per value, scaled between the smallest and the largest; a gap (`None`) is a
/// space.
pub fn sparkline(values: &[Option<f64>]) -> String {
    let known = values.iter().flatten();
    let (lo, hi) = known.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    values
        .iter()
        .map(|v| match v {
            None => ' ',
            Some(_) if hi <= lo => LEVELS[LEVELS.len() / 2],
            Some(v) => {
                let level = ((v - lo) / (hi - lo) * (LEVELS.len() - 1) as f64).round() as usize;
                LEVELS[level.min(LEVELS.len() - 1)]
            }
        })
        .collect()
}

/// Whether to colour: stdout is a terminal and `NO_COLOR` is unset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paint(pub bool);

impl Paint {
    /// Colour only on a terminal, and never with `NO_COLOR` set (<https://no-color.org>).
    pub fn for_stdout() -> Paint {
        Paint(std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()))
    }

    /// `text` in bold.
    pub fn bold(self, text: &str) -> String {
        self.wrap("1", text)
    }

    /// `text` in green, the colour of the bars.
    pub fn green(self, text: &str) -> String {
        self.wrap("32", text)
    }

    /// `text` dimmed, for what is absent.
    pub fn dim(self, text: &str) -> String {
        self.wrap("2", text)
    }

    fn wrap(self, code: &str, text: &str) -> String {
        if self.0 { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_always_their_width_with_eighths_at_the_end() {
        assert_eq!(bar(1.0, 2.0, 4), "██  ");
        assert_eq!(bar(1.0, 16.0, 2), "▏ ");
        assert_eq!(bar(5.0, 2.0, 3), "███", "capped at the width");
        assert_eq!(bar(0.0, 0.0, 3), "   ");
        for v in 0..=20 {
            assert_eq!(bar(f64::from(v), 20.0, 10).chars().count(), 10);
        }
    }

    #[test]
    fn sparklines_scale_between_the_extremes_and_leave_gaps() {
        assert_eq!(sparkline(&[Some(0.0), Some(7.0), None, Some(3.5)]), "▁█ ▅");
        assert_eq!(sparkline(&[Some(2.0), Some(2.0)]), "▅▅");
        assert_eq!(sparkline(&[]), "");
    }

    #[test]
    fn paint_off_writes_no_escape_codes() {
        assert_eq!(Paint(false).bold("x"), "x");
        assert_eq!(Paint(true).green("x"), "\x1b[32mx\x1b[0m");
    }
}
