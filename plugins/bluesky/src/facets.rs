//! Rich-text facets: finding mentions and links in a post's text, with UTF-8 byte offsets.
//!
//! Bluesky does not parse post text: a mention notifies and a link is clickable only when the
//! record carries a facet saying so, indexed by UTF-8 *byte* offsets (not characters, not UTF-16
//! units). Rust strings are UTF-8, so the offsets are the string's own byte indices; the tests pin
//! that down with emoji, accents and CJK before the span. Detection follows the reference client's
//! rules (`@atproto/api` `detectFacets`): a mention or link starts the text or follows whitespace or
//! `(`, trailing punctuation is not part of it, and a mention is a domain-like handle.

use serde_json::{Value, json};

/// What a span of the text refers to, before handles are resolved to DIDs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feature {
    /// `@handle`: the handle without the `@`.
    Mention(String),
    /// A `http://` or `https://` link.
    Link(String),
}

/// A detected span: `[byte_start, byte_end)` of the text and what it refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// The first byte of the span (for a mention, the `@`).
    pub byte_start: usize,
    /// One past the last byte of the span.
    pub byte_end: usize,
    /// What the span refers to.
    pub feature: Feature,
}

/// The mentions and links in `text`, in order.
pub fn detect(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut start = 0;
    for (index, ch) in text.char_indices() {
        if index < start {
            continue;
        }
        let boundary = index == 0 || text[..index].ends_with(|c: char| c.is_whitespace() || c == '(');
        if !boundary {
            continue;
        }
        let rest = &text[index..];
        let span = if ch == '@' {
            mention(rest).map(|handle| (1 + handle.len(), Feature::Mention(handle.to_owned())))
        } else if rest.starts_with("https://") || rest.starts_with("http://") {
            link(rest).map(|uri| (uri.len(), Feature::Link(uri.to_owned())))
        } else {
            None
        };
        if let Some((len, feature)) = span {
            spans.push(Span { byte_start: index, byte_end: index + len, feature });
            start = index + len;
        }
    }
    spans
}

/// The handle after the `@` at the start of `rest`, if it is domain-like (`name.tld`).
fn mention(rest: &str) -> Option<&str> {
    let body = &rest[1..];
    let len = body.find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-')).unwrap_or(body.len());
    let handle = body[..len].trim_end_matches(['.', '-']);
    let labels: Vec<&str> = handle.split('.').collect();
    let valid = labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'))
        && labels.last().is_some_and(|tld| tld.starts_with(|c: char| c.is_ascii_alphabetic()));
    valid.then_some(handle)
}

/// The link at the start of `rest`, without trailing punctuation (and without a closing `)` that
/// has no opening one inside the link, as in "(see https://x.org)").
fn link(rest: &str) -> Option<&str> {
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let mut uri = rest[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', '"', '\'']);
    while uri.ends_with(')') && uri.matches(')').count() > uri.matches('(').count() {
        uri = uri[..uri.len() - 1].trim_end_matches(['.', ',', ';', ':', '!', '?', '"', '\'']);
    }
    let host = uri.split_once("://").map_or("", |(_, after)| after);
    (!host.is_empty()).then_some(uri)
}

/// The `app.bsky.richtext.facet` records for `spans`; `did_of` resolves a mentioned handle and a
/// mention it cannot resolve is left as plain text (it would not notify anyone anyway).
pub fn to_records(spans: &[Span], mut did_of: impl FnMut(&str) -> Option<String>) -> Vec<Value> {
    spans
        .iter()
        .filter_map(|span| {
            let feature = match &span.feature {
                Feature::Mention(handle) => {
                    json!({"$type": "app.bsky.richtext.facet#mention", "did": did_of(handle)?})
                }
                Feature::Link(uri) => json!({"$type": "app.bsky.richtext.facet#link", "uri": uri}),
            };
            Some(json!({
                "index": {"byteStart": span.byte_start, "byteEnd": span.byte_end},
                "features": [feature],
            }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mention(start: usize, end: usize, handle: &str) -> Span {
        Span { byte_start: start, byte_end: end, feature: Feature::Mention(handle.into()) }
    }

    fn link(start: usize, end: usize, uri: &str) -> Span {
        Span { byte_start: start, byte_end: end, feature: Feature::Link(uri.into()) }
    }

    /// The text a span covers, by byte offsets, as the AppView will slice it.
    fn covered(text: &str, span: &Span) -> String {
        String::from_utf8(text.as_bytes()[span.byte_start..span.byte_end].to_vec())
            .expect("span on char boundaries")
    }

    #[test]
    fn ascii_mentions_and_links() {
        let text = "hi @alice.test see https://example.com/a?b=c.";
        let spans = detect(text);
        assert_eq!(spans, vec![mention(3, 14, "alice.test"), link(19, 44, "https://example.com/a?b=c")]);
        assert_eq!(covered(text, &spans[0]), "@alice.test");
    }

    #[test]
    fn offsets_count_utf8_bytes_after_emoji_accents_and_cjk() {
        // "🎉" is 4 bytes (2 UTF-16 units), "é" 2 bytes, each CJK character 3 bytes.
        let text = "🎉 merci Zoé! 你好 @bob.bsky.social → https://bsky.app/profile/bob 👋";
        let spans = detect(text);
        let at = text.find('@').expect("has a mention");
        assert_eq!(at, 4 + 1 + 5 + 1 + 5 + 1 + 6 + 1, "the emoji, accent and CJK bytes are counted");
        assert_eq!(at, 24);
        let url = text.find("https").expect("has a link");
        assert_eq!(
            spans,
            vec![
                mention(24, 24 + 16, "bob.bsky.social"),
                link(url, url + "https://bsky.app/profile/bob".len(), "https://bsky.app/profile/bob"),
            ]
        );
        for span in &spans {
            let expected = match &span.feature {
                Feature::Mention(h) => format!("@{h}"),
                Feature::Link(u) => u.clone(),
            };
            assert_eq!(covered(text, span), expected);
        }
        // The character index would be wrong: the mention starts at char 16, byte 24.
        assert_eq!(text.chars().take_while(|c| *c != '@').count(), 16);
    }

    #[test]
    fn mentions_need_a_boundary_and_a_domain() {
        assert_eq!(detect("mail me@example.com"), vec![]);
        assert_eq!(detect("@nodomain and @-bad.x and @ok.test."), vec![mention(26, 34, "ok.test")]);
        assert_eq!(detect("(@carol.test)"), vec![mention(1, 12, "carol.test")]);
        assert_eq!(detect("@a.1"), vec![], "a numeric TLD is not a handle");
    }

    #[test]
    fn links_drop_trailing_punctuation_and_unbalanced_parens() {
        let text = "(see https://en.wikipedia.org/wiki/Rust_(language)), ok?";
        let spans = detect(text);
        assert_eq!(spans, vec![link(5, 50, "https://en.wikipedia.org/wiki/Rust_(language)")]);
        assert_eq!(detect("go to http:// now"), vec![]);
        assert_eq!(detect("nohttps://x.org"), vec![]);
    }

    #[test]
    fn records_carry_byte_indexes_and_skip_unresolved_mentions() {
        let text = "café @alice.test @ghost.test https://x.org";
        let records =
            to_records(&detect(text), |handle| (handle == "alice.test").then(|| "did:plc:alice".to_owned()));
        assert_eq!(
            records,
            vec![
                json!({"index": {"byteStart": 6, "byteEnd": 17},
                   "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:alice"}]}),
                json!({"index": {"byteStart": 30, "byteEnd": 43},
                   "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://x.org"}]}),
            ]
        );
    }
}
