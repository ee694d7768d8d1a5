//! Reply text: making sure a reply addresses the person it answers.

/// `text` with `@acct ` in front unless it already mentions `acct` (case-insensitively, as a whole
/// handle), because Mastodon only notifies the people a status mentions.
pub fn with_mention(text: &str, acct: &str) -> String {
    let acct = acct.trim_start_matches('@');
    if acct.is_empty() || mentions(text, acct) {
        return text.to_owned();
    }
    format!("@{acct} {text}")
}

fn mentions(text: &str, acct: &str) -> bool {
    let lower = text.to_lowercase();
    let needle = format!("@{}", acct.to_lowercase());
    lower.match_indices(&needle).any(|(at, _)| {
        let before_ok = lower[..at].chars().next_back().is_none_or(|c| !is_handle_char(c));
        let after_ok =
            lower[at + needle.len()..].chars().next().is_none_or(|c| !is_handle_char(c) && c != '@');
        before_ok && after_ok
    })
}

fn is_handle_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.' || c == '-'
}

#[cfg(test)]
mod tests {
    use super::with_mention;

    #[test]
    fn prefixes_a_missing_mention() {
        assert_eq!(with_mention("Thanks!", "ann@m.example"), "@ann@m.example Thanks!");
    }

    #[test]
    fn keeps_text_that_already_mentions() {
        assert_eq!(with_mention("Thanks @Ann@M.example!", "ann@m.example"), "Thanks @Ann@M.example!");
        assert_eq!(with_mention("@bob yes", "bob"), "@bob yes");
    }

    #[test]
    fn a_longer_handle_is_not_a_mention() {
        assert_eq!(with_mention("cc @annie", "ann"), "@ann cc @annie");
        assert_eq!(with_mention("cc @ann@other.example", "ann"), "@ann cc @ann@other.example");
    }
}
