//! Mastodon HTML (status content, profile notes) to the plain text the contract carries.
//!
//! Mastodon sends sanitized HTML with a small tag set (`p`, `br`, `a`, `span`, a few inline tags),
//! so a single pass that drops tags, turns `<br>` into a line break and `</p><p>` into a blank line,
//! and decodes entities is exact for it, and far faster than a full HTML parser: this runs on every
//! notification the plugin reads.

/// The plain text of a fragment of Mastodon HTML.
pub fn to_text(html: &str) -> String {
    if !html.contains(['<', '&']) {
        return html.trim().to_owned();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(pos) = rest.find(['<', '&']) {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        if rest.starts_with('<') {
            let Some(end) = rest.find('>') else {
                // An unclosed `<` is text, not a tag.
                out.push_str(rest);
                rest = "";
                break;
            };
            apply_tag(&rest[1..end], &mut out);
            rest = &rest[end + 1..];
        } else {
            rest = decode_entity(rest, &mut out);
        }
    }
    out.push_str(rest);
    let trimmed = out.trim_end();
    let start = trimmed.len() - trimmed.trim_start().len();
    if start == 0 && trimmed.len() == out.len() { out } else { trimmed[start..].to_owned() }
}

/// Emits the line breaks a tag stands for; every other tag vanishes.
fn apply_tag(tag: &str, out: &mut String) {
    let closing = tag.starts_with('/');
    let name = tag.trim_start_matches('/');
    let name_end = name.find(|c: char| c.is_ascii_whitespace() || c == '/').unwrap_or(name.len());
    let name = &name[..name_end];
    if name.eq_ignore_ascii_case("br") {
        out.push('\n');
    } else if name.eq_ignore_ascii_case("p") && !closing && !out.is_empty() && !out.ends_with("\n\n") {
        // A paragraph after text starts after a blank line; the first one needs none.
        out.push_str(if out.ends_with('\n') { "\n" } else { "\n\n" });
    }
}

/// Decodes the entity at the start of `s` (which starts with `&`) into `out`, returning the rest.
/// Anything that is not a well-formed entity is kept literally.
fn decode_entity<'a>(s: &'a str, out: &mut String) -> &'a str {
    const LONGEST_ENTITY: usize = 10;
    let Some(semi) = s[1..].find(';').map(|i| i + 1).filter(|&i| i <= LONGEST_ENTITY) else {
        out.push('&');
        return &s[1..];
    };
    let name = &s[1..semi];
    let decoded = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{a0}'),
        _ => name.strip_prefix('#').and_then(|num| {
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse::<u32>().ok(),
            };
            code.and_then(char::from_u32)
        }),
    };
    match decoded {
        Some(c) => {
            out.push(c);
            &s[semi + 1..]
        }
        None => {
            out.push('&');
            &s[1..]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::to_text;

    #[test]
    fn paragraphs_and_breaks_become_newlines() {
        assert_eq!(to_text("<p>one<br>two<br />three</p><p>four</p>"), "one\ntwo\nthree\n\nfour");
        assert_eq!(to_text("<p>a</p>\n<p>b</p>"), "a\n\nb");
    }

    #[test]
    fn mentions_and_links_keep_their_text() {
        let html = r#"<p><span class="h-card" translate="no"><a href="https://m.example/@pat" class="u-url mention">@<span>pat</span></a></span> see <a href="https://x.example/a/long/path" rel="nofollow"><span class="invisible">https://</span><span class="ellipsis">x.example/a/</span><span class="invisible">long/path</span></a></p>"#;
        assert_eq!(to_text(html), "@pat see https://x.example/a/long/path");
    }

    #[test]
    fn entities_are_decoded() {
        assert_eq!(
            to_text("<p>a &amp; b &lt;3 &quot;hi&quot; &#39;x&#39; &#x1F980;&nbsp;!</p>"),
            "a & b <3 \"hi\" 'x' 🦀\u{a0}!"
        );
    }

    #[test]
    fn malformed_input_is_kept_as_text() {
        assert_eq!(to_text("fish & chips &bogus; a < b"), "fish & chips &bogus; a < b");
        assert_eq!(to_text("&#xZZ; &#99999999; &"), "&#xZZ; &#99999999; &");
        assert_eq!(to_text("plain text"), "plain text");
        assert_eq!(to_text(""), "");
    }
}
