//! The content ratio: value (non-sales) posts must far outnumber sales posts, 10 to 1 by default.
//!
//! An audience trusts an account that gives more than it asks. Every publish is a value or a sales
//! post; a sales post that would break the ratio is held (never dropped) until enough value posts
//! have gone out, and `rapport ratio` shows how many that is.
//!
//! The rule, with `r` value posts required per sales post: a sales post is allowed iff both
//! 1. at least `r` value posts went out since the previous sales post (or ever, if there was none),
//!    so sales posts never come in a run; and
//! 2. in the rolling window — the last `posts` posts including the new one, or the posts of the last
//!    `duration` — counting the new post, `sales * r <= value`.
//!
//! With a post-count window, (2) holds for every window of that many consecutive posts, not only
//! those ending at a sales post: a window ending at a value post is the previous window with a value
//! post in place of its oldest post, which can only help. The ratio is kept per account or across
//! the accounts of one brand: the caller passes the history of whichever applies ([`RatioConfig::scope`]).

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::UnixSeconds;
use crate::config::KeyedError;
use crate::span::Span;
use crate::task::PostKind;

/// The `[ratio]` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatioConfig {
    /// Value posts required for each sales post.
    #[serde(default = "default_value_per_sales")]
    pub value_per_sales: u32,
    /// The rolling window: `{ posts = 55 }` or `{ duration = "30d" }`.
    #[serde(default)]
    pub window: RatioWindow,
    /// What the two kinds are called in reasons and post files, value first: `["tip", "offer"]`.
    #[serde(default = "default_labels")]
    pub labels: [String; 2],
    /// Groups of accounts that share one ratio.
    #[serde(default)]
    pub brands: Vec<BrandConfig>,
}

impl Default for RatioConfig {
    fn default() -> RatioConfig {
        RatioConfig {
            value_per_sales: default_value_per_sales(),
            window: RatioWindow::default(),
            labels: default_labels(),
            brands: Vec::new(),
        }
    }
}

fn default_value_per_sales() -> u32 {
    10
}

fn default_labels() -> [String; 2] {
    ["value".into(), "sales".into()]
}

/// The rolling window the ratio is kept over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RatioWindow {
    /// The last this many posts, the new one included.
    Posts(u32),
    /// The posts of this long a time before now.
    Duration(Span),
}

impl Default for RatioWindow {
    fn default() -> RatioWindow {
        RatioWindow::Posts(55)
    }
}

/// `[[ratio.brands]]`: accounts whose posts count together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrandConfig {
    /// The brand's name.
    pub name: String,
    /// The configured accounts of the brand.
    pub accounts: Vec<String>,
}

/// A ratio setting that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RatioError {
    /// A ratio of zero would make every post a possible sales post.
    #[error("ratio.value_per_sales is 0; it must be at least 1 (10 is the usual)")]
    ZeroRatio,
    /// The window cannot hold enough value posts for even one sales post.
    #[error(
        "ratio.window holds {posts} posts but one sales post needs {needed}; make it at least {needed} posts"
    )]
    WindowTooSmall {
        /// The window's post count.
        posts: u32,
        /// Posts needed for one sales post.
        needed: u32,
    },
    /// An empty duration window.
    #[error("ratio.window.duration is 0s; give it a length such as \"30d\"")]
    ZeroDuration,
    /// The two labels are the same, so a post file's kind would be ambiguous.
    #[error("ratio.labels are both `{0}`; give value and sales posts different names")]
    SameLabels(String),
    /// An account in two brands has no single ratio.
    #[error(
        "ratio.brands[{index}].accounts lists `{account}`, which is already in brand `{other}`; an account belongs to one brand"
    )]
    TwoBrands {
        /// The brand entry at fault.
        index: usize,
        /// The account.
        account: String,
        /// The brand that already has it.
        other: String,
    },
}

impl KeyedError for RatioError {
    fn key(&self) -> String {
        match self {
            RatioError::ZeroRatio => "ratio.value_per_sales".into(),
            RatioError::WindowTooSmall { .. } => "ratio.window".into(),
            RatioError::ZeroDuration => "ratio.window.duration".into(),
            RatioError::SameLabels(_) => "ratio.labels".into(),
            RatioError::TwoBrands { index, .. } => format!("ratio.brands[{index}].accounts"),
        }
    }
}

/// One past post, for the ratio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostRecord {
    /// When it went out.
    pub at: UnixSeconds,
    /// Value or sales.
    pub kind: PostKind,
}

/// Where the ratio stands for `rapport ratio`, and whether a sales post may go out now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatioStatus {
    /// Value posts in the window.
    pub value: u32,
    /// Sales posts in the window.
    pub sales: u32,
    /// Value posts since the last sales post, counted up to the ratio.
    pub value_since_last_sales: u32,
    /// Value posts that must go out before the next sales post; 0 when one may go out now.
    pub value_posts_needed_before_next_sales: u32,
}

impl RatioStatus {
    /// Whether a sales post may go out now.
    pub fn allows_sales(&self) -> bool {
        self.value_posts_needed_before_next_sales == 0
    }
}

/// Which posts count toward an account's ratio.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatioScope<'a> {
    /// The account's own posts.
    Account(&'a str),
    /// The posts of every account of this brand.
    Brand(&'a BrandConfig),
}

impl RatioConfig {
    /// Checks the settings; errors name the key at fault.
    pub fn validate(&self) -> Result<(), RatioError> {
        let r = self.value_per_sales;
        if r == 0 {
            return Err(RatioError::ZeroRatio);
        }
        match self.window {
            RatioWindow::Posts(posts) if posts <= r => {
                return Err(RatioError::WindowTooSmall { posts, needed: r.saturating_add(1) });
            }
            RatioWindow::Duration(d) if d.as_secs() == 0 => return Err(RatioError::ZeroDuration),
            _ => {}
        }
        if self.labels[0] == self.labels[1] {
            return Err(RatioError::SameLabels(self.labels[0].clone()));
        }
        for (index, brand) in self.brands.iter().enumerate() {
            for account in &brand.accounts {
                let earlier = self.brands[..index].iter().find(|b| b.accounts.contains(account));
                let again = brand.accounts.iter().filter(|a| *a == account).count() > 1;
                if let Some(other) = earlier.map(|b| b.name.clone()).or(again.then(|| brand.name.clone())) {
                    return Err(RatioError::TwoBrands { index, account: account.clone(), other });
                }
            }
        }
        Ok(())
    }

    /// Whose posts count toward this account's ratio.
    pub fn scope<'a>(&'a self, account: &'a str) -> RatioScope<'a> {
        match self.brands.iter().find(|b| b.accounts.iter().any(|a| a == account)) {
            Some(brand) => RatioScope::Brand(brand),
            None => RatioScope::Account(account),
        }
    }

    /// The configured name of a kind.
    pub fn label(&self, kind: PostKind) -> &str {
        match kind {
            PostKind::Value => &self.labels[0],
            PostKind::Sales => &self.labels[1],
        }
    }

    /// Reads a kind by its configured name or its canonical one (`value`, `sales`).
    pub fn parse_kind(&self, name: &str) -> Option<PostKind> {
        let name = name.trim();
        [PostKind::Value, PostKind::Sales]
            .into_iter()
            .find(|&k| self.label(k).eq_ignore_ascii_case(name) || canonical(k) == name)
    }

    /// The ratio at `now` over `posts` (sorted by time, the account's or its brand's).
    pub fn status(&self, posts: &[PostRecord], now: UnixSeconds) -> RatioStatus {
        let r = self.value_per_sales.max(1);
        let since = value_since_last_sales(posts, r);
        let need_recent = r - since;
        let (window, need_window) = match self.window {
            RatioWindow::Posts(n) => {
                // The new post takes one place, so the last n - 1 posts share the window with it.
                let room = usize::try_from(n.saturating_sub(1)).unwrap_or(usize::MAX);
                let window = &posts[posts.len().saturating_sub(room)..];
                (window, value_posts_to_slide(window, room, r))
            }
            RatioWindow::Duration(d) => {
                let start = now.saturating_sub(d.as_offset());
                let window = &posts[posts.partition_point(|p| p.at <= start)..];
                let (value, sales) = count(window);
                // Assumes the value posts go out now, so nothing leaves the window meanwhile.
                (window, (sales + 1).saturating_mul(r).saturating_sub(value))
            }
        };
        let (value, sales) = count(window);
        RatioStatus {
            value,
            sales,
            value_since_last_sales: since,
            value_posts_needed_before_next_sales: need_recent.max(need_window),
        }
    }

    /// Why a sales post must wait, in words, or `None` if it may go out.
    pub fn hold_reason(&self, status: &RatioStatus) -> Option<String> {
        if status.allows_sales() {
            return None;
        }
        let (v, s, r) = (self.label(PostKind::Value), self.label(PostKind::Sales), self.value_per_sales);
        let needed = status.value_posts_needed_before_next_sales;
        let plural = if needed == 1 { "" } else { "s" };
        let detail = if status.value_since_last_sales < r {
            format!("{} of {r} since the last {s} post", status.value_since_last_sales)
        } else {
            let window = match self.window {
                RatioWindow::Posts(n) => format!("the last {n} posts"),
                RatioWindow::Duration(d) => format!("the last {d}"),
            };
            format!("{window} hold {} {v} and {} {s}; {r} {v} per {s} are kept", status.value, status.sales)
        };
        Some(format!("{s} post needs {needed} more {v} post{plural} first ({detail})"))
    }
}

fn canonical(kind: PostKind) -> &'static str {
    match kind {
        PostKind::Value => "value",
        PostKind::Sales => "sales",
    }
}

/// (value, sales) counts of a slice of posts.
fn count(posts: &[PostRecord]) -> (u32, u32) {
    let sales = posts.iter().filter(|p| p.kind == PostKind::Sales).count();
    let sales = u32::try_from(sales).unwrap_or(u32::MAX);
    (u32::try_from(posts.len()).unwrap_or(u32::MAX).saturating_sub(sales), sales)
}

/// Value posts since the last sales post (all of them if there was none), counted up to `r`: the
/// walk back stops there, so it is short however long the history.
fn value_since_last_sales(posts: &[PostRecord], r: u32) -> u32 {
    let run = posts.iter().rev().take_while(|p| p.kind == PostKind::Value).take(r as usize).count();
    u32::try_from(run).unwrap_or(r)
}

/// How many value posts must be appended before a post-count window of `room` places (before the
/// new sales post) satisfies `(sales + 1) * r <= value`; each appended post pushes out the oldest.
fn value_posts_to_slide(window: &[PostRecord], room: usize, r: u32) -> u32 {
    let (mut value, mut sales) = count(window);
    let mut oldest = window.iter();
    let mut len = window.len();
    let mut added = 0;
    while (sales + 1).saturating_mul(r) > value {
        if len == room {
            // Once every original post has left, the window is all value posts and passes.
            match oldest.next().map(|p| p.kind) {
                Some(PostKind::Sales) => sales -= 1,
                Some(PostKind::Value) => value -= 1,
                None => break,
            }
        } else {
            len += 1;
        }
        value += 1;
        added += 1;
    }
    added
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn posts(kinds: &str) -> Vec<PostRecord> {
        kinds
            .chars()
            .enumerate()
            .map(|(i, c)| PostRecord {
                at: i as i64 * 100,
                kind: if c == 'S' { PostKind::Sales } else { PostKind::Value },
            })
            .collect()
    }

    #[test]
    fn a_sales_post_waits_for_ten_value_posts_since_the_last_one() {
        let ratio = RatioConfig::default();
        let history = posts(&format!("{}S{}", "V".repeat(20), "V".repeat(6)));
        let status = ratio.status(&history, 10_000);
        assert_eq!(status.value_posts_needed_before_next_sales, 4);
        assert_eq!(
            ratio.hold_reason(&status).unwrap(),
            "sales post needs 4 more value posts first (6 of 10 since the last sales post)"
        );
        let history = posts(&format!("{}S{}", "V".repeat(20), "V".repeat(10)));
        let status = ratio.status(&history, 10_000);
        assert!(status.allows_sales());
        assert_eq!((status.value, status.sales), (30, 1));
        assert_eq!(ratio.hold_reason(&status), None);
    }

    #[test]
    fn a_fresh_account_needs_ten_value_posts_first() {
        let ratio = RatioConfig::default();
        assert_eq!(ratio.status(&[], 0).value_posts_needed_before_next_sales, 10);
    }

    #[test]
    fn the_window_counts_sales_posts_that_are_spaced_out() {
        // 3 sales posts, each after 10 value posts, in a window of 34 places: a fourth would need 40.
        let ratio = RatioConfig { window: RatioWindow::Posts(34), ..RatioConfig::default() };
        let history = posts(&"VVVVVVVVVVS".repeat(3));
        let status = ratio.status(&history[..], 0);
        assert_eq!((status.value, status.sales), (30, 3));
        // Appended value posts push the oldest posts out; exactly `needed` of them make room.
        let needed = status.value_posts_needed_before_next_sales;
        let mut more = history.clone();
        more.extend(posts(&"V".repeat(needed as usize)));
        assert!(ratio.status(&more, 0).allows_sales());
        more.pop();
        assert!(!ratio.status(&more, 0).allows_sales());
        let reason = ratio.hold_reason(&ratio.status(&more, 0)).unwrap();
        assert!(reason.contains("the last 34 posts hold"), "{reason}");
    }

    #[test]
    fn a_duration_window_forgets_old_posts() {
        let ratio =
            RatioConfig { window: RatioWindow::Duration(Span::from_secs(1_000)), ..RatioConfig::default() };
        let mut history = posts(&"V".repeat(10));
        history.push(PostRecord { at: 5_500, kind: PostKind::Sales });
        history.extend((0..10).map(|i| PostRecord { at: 6_000 + i, kind: PostKind::Value }));
        // Ten value posts since the sales post, and the old ones are out of the window: 10 V, 1 S.
        let status = ratio.status(&history, 6_100);
        assert_eq!((status.value, status.sales), (10, 1));
        assert_eq!(status.value_posts_needed_before_next_sales, 10);
        // Once the sales post leaves the window, the ten value posts since it are enough.
        assert!(ratio.status(&history, 5_500 + 1_000).allows_sales());
    }

    #[test]
    fn labels_show_in_reasons_and_parse_with_canonical_names() {
        let ratio = RatioConfig { labels: ["tip".into(), "offer".into()], ..RatioConfig::default() };
        let reason = ratio.hold_reason(&ratio.status(&[], 0)).unwrap();
        assert_eq!(reason, "offer post needs 10 more tip posts first (0 of 10 since the last offer post)");
        assert_eq!(ratio.parse_kind("Offer"), Some(PostKind::Sales));
        assert_eq!(ratio.parse_kind("value"), Some(PostKind::Value));
        assert_eq!(ratio.parse_kind("promo"), None);
    }

    #[test]
    fn brands_share_a_scope_and_bad_settings_are_named() {
        let ratio: RatioConfig = toml::from_str(
            "value_per_sales = 5\nwindow = { duration = \"30d\" }\n[[brands]]\nname = \"acme\"\naccounts = [\"shop\", \"blog\"]",
        )
        .unwrap();
        assert_eq!(ratio.validate(), Ok(()));
        assert!(matches!(ratio.scope("blog"), RatioScope::Brand(b) if b.name == "acme"));
        assert_eq!(ratio.scope("solo"), RatioScope::Account("solo"));
        let small = RatioConfig { window: RatioWindow::Posts(10), ..RatioConfig::default() };
        assert_eq!(
            small.validate().unwrap_err().to_string(),
            "ratio.window holds 10 posts but one sales post needs 11; make it at least 11 posts"
        );
        let mut twice = ratio.clone();
        twice.brands.push(BrandConfig { name: "other".into(), accounts: vec!["shop".into()] });
        assert!(twice.validate().unwrap_err().to_string().contains("already in brand `acme`"));
        assert!(toml::from_str::<RatioConfig>("window = { weeks = 3 }").is_err());
    }

    /// Posts every attempt the rule allows and returns what went out.
    fn run(ratio: &RatioConfig, attempts: &[(bool, i64)]) -> Vec<PostRecord> {
        let mut out: Vec<PostRecord> = Vec::new();
        let mut now = 0;
        for &(sales, step) in attempts {
            now += step;
            let kind = if sales { PostKind::Sales } else { PostKind::Value };
            if kind == PostKind::Value || ratio.status(&out, now).allows_sales() {
                out.push(PostRecord { at: now, kind });
            }
        }
        out
    }

    proptest! {
        #[test]
        fn never_a_sales_post_beyond_one_per_ratio_in_any_post_window(
            r in 1u32..12,
            extra in 1u32..40,
            attempts in prop::collection::vec((prop::bool::weighted(0.4), 1i64..1_000), 0..300),
        ) {
            let n = r + extra;
            let ratio = RatioConfig { value_per_sales: r, window: RatioWindow::Posts(n), ..RatioConfig::default() };
            let out = run(&ratio, &attempts);
            let n = n as usize;
            for end in 1..=out.len() {
                let (value, sales) = count(&out[end.saturating_sub(n)..end]);
                prop_assert!(sales * r <= value, "window ending at {end}: {sales} sales, {value} value");
            }
            let mut run_of_value = r;
            for p in &out {
                match p.kind {
                    PostKind::Sales => { prop_assert!(run_of_value >= r); run_of_value = 0; }
                    PostKind::Value => run_of_value += 1,
                }
            }
        }

        #[test]
        fn never_a_sales_post_beyond_one_per_ratio_in_a_time_window(
            r in 1u32..12,
            length in 1i64..20_000,
            attempts in prop::collection::vec((prop::bool::weighted(0.4), 0i64..1_000), 0..300),
        ) {
            let window = RatioWindow::Duration(Span::from_secs(length as u64));
            let ratio = RatioConfig { value_per_sales: r, window, ..RatioConfig::default() };
            let out = run(&ratio, &attempts);
            for (i, p) in out.iter().enumerate().filter(|(_, p)| p.kind == PostKind::Sales) {
                let in_window: Vec<_> = out[..=i].iter().copied().filter(|q| q.at > p.at - length).collect();
                let (value, sales) = count(&in_window);
                prop_assert!(sales * r <= value, "sales post {i}: {sales} sales, {value} value");
            }
        }

        #[test]
        fn the_needed_count_is_exact_for_post_windows(
            r in 1u32..8,
            extra in 1u32..20,
            kinds in prop::collection::vec(prop::bool::weighted(0.3), 0..80),
        ) {
            let ratio = RatioConfig { value_per_sales: r, window: RatioWindow::Posts(r + extra), ..RatioConfig::default() };
            let mut history: Vec<_> = kinds.iter().enumerate().map(|(i, &s)| PostRecord {
                at: i as i64,
                kind: if s { PostKind::Sales } else { PostKind::Value },
            }).collect();
            let needed = ratio.status(&history, 0).value_posts_needed_before_next_sales;
            for k in 0..needed {
                prop_assert!(!ratio.status(&history, 0).allows_sales(), "allowed after only {k}");
                history.push(PostRecord { at: 1_000 + i64::from(k), kind: PostKind::Value });
            }
            prop_assert!(ratio.status(&history, 0).allows_sales());
        }
    }
}
