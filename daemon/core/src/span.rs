//! Lengths of time as people write them in config: `"90s"`, `"3m"`, `"1h30m"`, `"2d"`, `"1w"`.
//!
//! Budgets, gaps, recycle intervals and late-posting tolerances are all written this way, so one
//! small parser keeps them consistent; a bare integer is read as seconds. Spans print back in the
//! same notation, which is what the gate's hold reasons show.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

/// A non-negative length of time in whole seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span(u64);

/// Seconds per unit letter, longest unit first so that printing picks the largest fitting unit.
const UNITS: [(char, u64); 5] = [('w', 604_800), ('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)];

impl Span {
    /// A span of this many seconds.
    pub const fn from_secs(seconds: u64) -> Span {
        Span(seconds)
    }

    /// The span in seconds.
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// The span in seconds as a signed timestamp offset, saturating for absurdly long spans.
    pub fn as_offset(self) -> i64 {
        i64::try_from(self.0).unwrap_or(i64::MAX)
    }
}

/// A span that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "`{input}` is not a length of time; write a number followed by w, d, h, m or s, e.g. \"90s\", \"3m\" or \"1h30m\""
)]
pub struct SpanError {
    /// What was written.
    pub input: String,
}

impl FromStr for Span {
    type Err = SpanError;

    fn from_str(input: &str) -> Result<Span, SpanError> {
        let error = || SpanError { input: input.to_owned() };
        let text = input.trim();
        if text.is_empty() {
            return Err(error());
        }
        if let Ok(seconds) = text.parse::<u64>() {
            return Ok(Span(seconds));
        }
        let mut total: u64 = 0;
        let mut number: Option<u64> = None;
        for c in text.chars() {
            if let Some(digit) = c.to_digit(10) {
                let n = number.unwrap_or(0).checked_mul(10).and_then(|n| n.checked_add(u64::from(digit)));
                number = Some(n.ok_or_else(error)?);
            } else if c.is_whitespace() {
                continue;
            } else {
                let (_, unit) = UNITS.iter().find(|(letter, _)| *letter == c).ok_or_else(error)?;
                let n = number.take().ok_or_else(error)?;
                total = n.checked_mul(*unit).and_then(|s| total.checked_add(s)).ok_or_else(error)?;
            }
        }
        // A trailing number without a unit ("1h30") is ambiguous: refuse rather than guess.
        if number.is_some() {
            return Err(error());
        }
        Ok(Span(total))
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("0s");
        }
        let mut rest = self.0;
        for (letter, unit) in UNITS {
            if rest >= unit {
                write!(f, "{}{letter}", rest / unit)?;
                rest %= unit;
            }
        }
        Ok(())
    }
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Span, D::Error> {
        /// Config may give a string with units or a plain number of seconds.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Seconds(u64),
            Text(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Seconds(seconds) => Ok(Span(seconds)),
            Raw::Text(text) => text.parse().map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_combinations() {
        assert_eq!("90s".parse(), Ok(Span(90)));
        assert_eq!("3m".parse(), Ok(Span(180)));
        assert_eq!("1h30m".parse(), Ok(Span(5_400)));
        assert_eq!("1w 2d".parse(), Ok(Span(777_600)));
        assert_eq!("45".parse(), Ok(Span(45)));
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        for bad in ["", "3x", "h", "1h30", "-5m", "99999999999999999999w"] {
            assert!(bad.parse::<Span>().is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn prints_in_the_notation_it_reads() {
        for text in ["0s", "3m", "1h30m", "2d", "1w1d1h1m1s"] {
            let span: Span = text.parse().unwrap();
            assert_eq!(span.to_string(), text);
        }
    }

    #[test]
    fn deserializes_from_strings_and_numbers() {
        #[derive(Deserialize)]
        struct T {
            a: Span,
            b: Span,
        }
        let t: T = toml::from_str("a = \"3m\"\nb = 20").unwrap();
        assert_eq!((t.a, t.b), (Span(180), Span(20)));
        assert!(toml::from_str::<T>("a = \"3q\"\nb = 1").is_err());
    }
}
