//! How long a post may be on each platform, counted the way that platform counts.
//!
//! The platforms disagree on what a "character" is: Mastodon counts code points with every link
//! as 23 and a mention by its local part; Bluesky counts grapheme clusters; X weighs each
//! character (Latin and common punctuation 1, the rest, CJK and emoji, 2) with every link as
//! 23; Facebook counts code points. A preview that applied one platform's rule to all would warn
//! about posts that fit and pass posts that do not.

use unicode_segmentation::UnicodeSegmentation;

/// What a link counts as on the platforms that shorten links (Mastodon and X).
const LINK_LENGTH: usize = 23;

/// How a platform measures a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counting {
    /// Code points; links count [`LINK_LENGTH`], `@user@domain` counts as `@user`.
    Mastodon,
    /// Grapheme clusters, links in full.
    Graphemes,
    /// twitter-text weights: 1 for the Latin and punctuation ranges, 2 otherwise, per grapheme
    /// cluster; links count [`LINK_LENGTH`].
    XWeighted,
    /// Code points.
    CodePoints,
}

/// A platform's limit on a post's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextLimit {
    /// The platform's name for people ("Bluesky").
    pub platform: &'static str,
    /// The most a post may count.
    pub max: usize,
    counting: Counting,
}

impl TextLimit {
    /// The limit of the platform a plugin names (`mastodon`, `bluesky`, `x`, `facebook`); `None`
    /// for a platform this table does not know.
    pub fn of(platform: &str) -> Option<TextLimit> {
        let (name, max, counting) = match platform {
            // The default of a Mastodon server; some servers allow more.
            "mastodon" => ("Mastodon", 500, Counting::Mastodon),
            "bluesky" => ("Bluesky", 300, Counting::Graphemes),
            "x" => ("X", 280, Counting::XWeighted),
            "facebook" | "facebook-pages" => ("Facebook", 63_206, Counting::CodePoints),
            _ => return None,
        };
        Some(TextLimit { platform: name, max, counting })
    }

    /// What `text` counts on the platform.
    pub fn length(&self, text: &str) -> usize {
        match self.counting {
            Counting::CodePoints => text.chars().count(),
            Counting::Graphemes => text.graphemes(true).count(),
            Counting::Mastodon => words(text, |word| {
                if is_link(word) {
                    LINK_LENGTH
                } else if let Some(local) = mention_local_part(word) {
                    local.chars().count()
                } else {
                    word.chars().count()
                }
            }),
            Counting::XWeighted => words(text, |word| {
                if is_link(word) { LINK_LENGTH } else { word.graphemes(true).map(x_weight).sum() }
            }),
        }
    }

    /// Why `text` does not fit, if it does not: "312 characters: over X's 280".
    pub fn excess(&self, text: &str) -> Option<String> {
        let length = self.length(text);
        let unit = if self.counting == Counting::XWeighted { "weighted characters" } else { "characters" };
        (length > self.max).then(|| format!("{length} {unit}: over {}'s {}", self.platform, self.max))
    }
}

/// The sum of `count` over the text's whitespace-separated words, plus the whitespace itself.
fn words(text: &str, count: impl Fn(&str) -> usize) -> usize {
    let mut total = 0;
    let mut word_start = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if let Some(start) = word_start.take() {
                total += count(&text[start..i]);
            }
            total += 1;
        } else if word_start.is_none() {
            word_start = Some(i);
        }
    }
    if let Some(start) = word_start {
        total += count(&text[start..]);
    }
    total
}

/// Whether a word is a link the platform shortens.
fn is_link(word: &str) -> bool {
    (word.starts_with("https://") || word.starts_with("http://")) && word.len() > "https://".len()
}

/// `@user` of a word `@user@domain`: Mastodon counts a remote mention by its local part.
fn mention_local_part(word: &str) -> Option<&str> {
    let rest = word.strip_prefix('@')?;
    let (user, domain) = rest.split_once('@')?;
    (!user.is_empty() && !domain.is_empty()).then(|| &word[..=user.len()])
}

/// A grapheme cluster's weight in twitter-text's default configuration: the ranges below weigh 1,
/// everything else (CJK, emoji sequences, most scripts) 2.
fn x_weight(grapheme: &str) -> usize {
    let first = grapheme.chars().next().map_or(0, u32::from);
    let light = matches!(first, 0..=4351 | 8192..=8205 | 8208..=8223 | 8242..=8247);
    if light { 1 } else { 2 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn length(platform: &str, text: &str) -> usize {
        TextLimit::of(platform).unwrap().length(text)
    }

    #[test]
    fn each_platform_counts_its_own_way() {
        let link = "https://example.shop/a/very/long/path/to/the/spring/workshop/page";
        let text = format!("Seats left {link}");
        assert_eq!(length("mastodon", &text), 11 + 23);
        assert_eq!(length("x", &text), 11 + 23);
        assert_eq!(length("bluesky", &text), text.chars().count());
        assert_eq!(length("facebook", &text), text.chars().count());
        // A remote mention counts by its local part on Mastodon only.
        assert_eq!(length("mastodon", "hi @ann@garden.social"), 3 + 4);
        assert_eq!(length("bluesky", "hi @ann@garden.social"), 21);
        // A family emoji is one grapheme on Bluesky, 2 on X, 7 code points on Mastodon.
        let family = "👨‍👩‍👧‍👦";
        assert_eq!(length("bluesky", family), 1);
        assert_eq!(length("x", family), 2);
        assert_eq!(length("mastodon", family), 7);
        // CJK weighs 2 on X.
        assert_eq!(length("x", "日本語"), 6);
        assert_eq!(length("x", "café, naïve"), 11);
    }

    #[test]
    fn a_post_over_a_limit_says_by_how_much_and_whose() {
        let bluesky = TextLimit::of("bluesky").unwrap();
        assert_eq!(bluesky.excess(&"a".repeat(300)), None);
        assert_eq!(bluesky.excess(&"a".repeat(301)).as_deref(), Some("301 characters: over Bluesky's 300"));
        let x = TextLimit::of("x").unwrap();
        assert_eq!(x.excess(&"日".repeat(141)).as_deref(), Some("282 weighted characters: over X's 280"));
        assert_eq!(TextLimit::of("mastodon").unwrap().excess(&"a".repeat(500)), None);
        assert_eq!(TextLimit::of("myspace"), None);
    }
}
