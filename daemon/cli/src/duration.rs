//! Spans of time as people type them on the command line: `30d`, `8w`, `12h`.

/// `30d`, `8w`, `12h` as seconds.
pub fn parse_span(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let n: i64 =
        digits.parse().map_err(|_| format!("`{text}` is not a span; write it like 30d, 8w or 12h"))?;
    let unit = match unit {
        "h" => 3_600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return Err(format!("`{text}`: the unit must be h, d or w (30d, 8w, 12h)")),
    };
    n.checked_mul(unit).ok_or_else(|| format!("`{text}` is too long a span"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_parse_and_bad_ones_say_how_to_write_them() {
        assert_eq!(parse_span("30d"), Ok(30 * 86_400));
        assert_eq!(parse_span("8w"), Ok(8 * 7 * 86_400));
        assert_eq!(parse_span("12h"), Ok(12 * 3_600));
        assert!(parse_span("30").unwrap_err().contains("h, d or w"));
        assert!(parse_span("d").unwrap_err().contains("30d"));
    }
}
