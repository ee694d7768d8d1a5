//! Status text as Mastodon reads it: the `#hashtags` and `@mentions` in it, and its HTML.
//!
//! Mastodon's own patterns are far richer (URLs, unicode normalisation, tags inside words in some
//! scripts); these cover what seeds and plugins write, so tag timelines, search and mentions agree
//! with each other.

/// The hashtags in `text`, lower-cased, in order, without repeats: `#` after a start or a
/// non-word character, then word characters, at least one of them not a digit.
pub fn hashtags(text: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in tokens(text, '#', |c| c.is_alphanumeric() || c == '_') {
        let tag = tag.to_lowercase();
        if !tag.chars().all(|c| c.is_ascii_digit()) && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags
}

/// The `@user` and `@user@domain` mentions in `text`, as written (without the `@`), in order.
pub fn mentions(text: &str) -> Vec<&str> {
    tokens(text, '@', |c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '@'))
        .into_iter()
        .map(|m| m.trim_end_matches(['.', '-']))
        .filter(|m| !m.is_empty())
        .collect()
}

/// The runs of `word` characters that follow `sigil` where the sigil starts a word.
fn tokens(text: &str, sigil: char, word: impl Fn(char) -> bool) -> Vec<&str> {
    let mut out = Vec::new();
    let mut previous: Option<char> = None;
    for (at, c) in text.char_indices() {
        let starts_word = previous.is_none_or(|p| !(p.is_alphanumeric() || p == '_'));
        if c == sigil && starts_word {
            let rest = &text[at + c.len_utf8()..];
            let end = rest.find(|ch: char| !word(ch)).unwrap_or(rest.len());
            if end > 0 {
                out.push(&rest[..end]);
            }
        }
        previous = Some(c);
    }
    out
}

/// Plain text as Mastodon's HTML: escaped, one `<p>` per paragraph, `<br />` for line breaks.
pub fn html_paragraphs(text: &str) -> String {
    if text.is_empty() {
        return String::new();
    }
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;");
    escaped.split("\n\n").map(|p| format!("<p>{}</p>", p.replace('\n', "<br />"))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashtags_are_words_after_a_hash() {
        let text = "New #Pottery! #ceramics,#pottery a#b #123 #2024glaze (#kiln_log)";
        assert_eq!(hashtags(text), ["pottery", "ceramics", "2024glaze", "kiln_log"]);
    }

    #[test]
    fn mentions_keep_their_domain() {
        let text = "@jo@mastodon.example thanks, and @maker_lou. mail me@home not@this";
        assert_eq!(mentions(text), ["jo@mastodon.example", "maker_lou"]);
    }
}
