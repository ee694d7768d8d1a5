//! Triage: what one fetched notification asks of the person, decided without any I/O.
//!
//! A new follower becomes a follow-back proposal carrying the follower's legitimacy score; a follow
//! request becomes an accept proposal (with the requester's score, whatever it is: the owner of a
//! locked account asked to decide each one); a mention or reply that asks a question becomes a reply
//! proposal with a draft that greets the person by name, for the person to edit. Everything else
//! (likes, reposts, mentions that ask nothing) is recorded for engagement figures and never queued.
//! When the platform does not permit the action an automated client would take, triage refuses
//! with the platform's reason instead of queueing a task that could never be sent.
//!
//! Followers scoring under [`TriageConfig::min_follow_back_score`] are recorded, not proposed:
//! obvious spam would otherwise bury the real people in the queue. The record keeps the score and
//! its reasons, so nothing is hidden from someone who looks.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::UnixSeconds;
use crate::config::Invalid;
use crate::legitimacy::{self, LegitimacyConfig};
use crate::notification::{Notification, NotificationKind, Post, Profile};
use crate::platform::Description;
use crate::proposal::{Proposal, ProposalKey};
use crate::span::Span;
use crate::task::{Action, ActionKind, Origin, TaskContext};

/// How notifications become proposals (`[triage]`); every field has a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TriageConfig {
    /// Followers scoring under this (0..=100) are recorded, not proposed for a follow-back.
    pub min_follow_back_score: u8,
    /// The reply draft; `{name}` becomes the person's display name, `{handle}` their handle.
    pub reply_template: ReplyTemplate,
    /// Phrases that, opening a sentence or clause, make a post a question even without a `?`.
    /// Lowercase words separated by single spaces; replaces the built-in English list when set.
    pub question_openers: Vec<String>,
    /// How long a proposal waits for review before it expires.
    pub expire_after: Span,
    /// Per-action overrides of `expire_after`, keyed by action kind (`reply`, `follow-back`, …).
    pub expire_after_by_kind: BTreeMap<ActionKind, Span>,
    /// The follower score's thresholds and weights.
    pub legitimacy: LegitimacyConfig,
}

const DEFAULT_OPENERS: [&str; 29] = [
    "how",
    "what",
    "why",
    "when",
    "where",
    "who",
    "which",
    "can",
    "could",
    "would",
    "should",
    "will",
    "is",
    "are",
    "am",
    "do",
    "does",
    "did",
    "have",
    "has",
    "any tips",
    "any idea",
    "any ideas",
    "any advice",
    "any recommendations",
    "anyone know",
    "does anyone",
    "i wonder",
    "i was wondering",
];

impl Default for TriageConfig {
    fn default() -> Self {
        TriageConfig {
            min_follow_back_score: 30,
            reply_template: ReplyTemplate::default(),
            question_openers: DEFAULT_OPENERS.iter().map(|s| s.to_string()).collect(),
            expire_after: Span::from_secs(3 * 86_400),
            expire_after_by_kind: BTreeMap::new(),
            legitimacy: LegitimacyConfig::default(),
        }
    }
}

impl TriageConfig {
    /// Checks values serde cannot; each problem names its key relative to `[triage]`.
    pub fn problems(&self) -> Vec<Invalid> {
        let mut out = Vec::new();
        if self.min_follow_back_score > 100 {
            out.push(Invalid::new(
                "min_follow_back_score",
                format!("is {}; a score runs from 0 to 100", self.min_follow_back_score),
            ));
        }
        for (i, opener) in self.question_openers.iter().enumerate() {
            let normal = words(opener).collect::<Vec<_>>().join(" ");
            if normal.is_empty() || normal != *opener {
                out.push(Invalid::new(
                    format!("question_openers[{i}]"),
                    format!(
                        "`{opener}` must be lowercase words separated by single spaces, like \"any tips\""
                    ),
                ));
            }
        }
        if self.expire_after.as_secs() == 0 {
            out.push(Invalid::new("expire_after", "is 0s; proposals would expire before anyone saw them"));
        }
        for (kind, after) in &self.expire_after_by_kind {
            if after.as_secs() == 0 {
                out.push(Invalid::new(
                    format!("expire_after_by_kind.{kind}"),
                    "is 0s; proposals would expire before anyone saw them",
                ));
            }
        }
        out.extend(self.legitimacy.problems().into_iter().map(|p| p.within("legitimacy")));
        out
    }

    /// When a proposal of this kind made at `now` expires if nobody reviews it.
    pub fn expires_at(&self, kind: ActionKind, now: UnixSeconds) -> UnixSeconds {
        let after = self.expire_after_by_kind.get(&kind).unwrap_or(&self.expire_after);
        now.saturating_add(after.as_offset())
    }
}

/// A reply draft with `{name}` and `{handle}` placeholders, checked when the config is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReplyTemplate(String);

/// A placeholder in a reply template that triage cannot fill.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the reply template has {found}; use only {{name}} and {{handle}}, and write {{{{ and }}}} for literal braces"
)]
pub struct TemplateError {
    /// The offending placeholder or brace, quoted.
    pub found: String,
}

/// One piece of a template: literal text or a placeholder.
enum Piece<'a> {
    Text(&'a str),
    Name,
    Handle,
}

impl ReplyTemplate {
    /// Fills the placeholders for this person.
    pub fn render(&self, person: &Profile) -> String {
        let mut out = String::with_capacity(self.0.len() + 16);
        // The template was checked at construction, so every piece is known.
        for piece in pieces(&self.0).flatten() {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Name => out.push_str(person.addressable_name()),
                Piece::Handle => out.push_str(&person.handle),
            }
        }
        out
    }
}

impl Default for ReplyTemplate {
    fn default() -> Self {
        ReplyTemplate("Hi {name}, thanks for asking! ".into())
    }
}

impl TryFrom<String> for ReplyTemplate {
    type Error = TemplateError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        for piece in pieces(&value) {
            piece?;
        }
        Ok(ReplyTemplate(value))
    }
}

impl From<ReplyTemplate> for String {
    fn from(value: ReplyTemplate) -> String {
        value.0
    }
}

impl fmt::Display for ReplyTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Splits a template into pieces; `{{` and `}}` are literal braces.
fn pieces(template: &str) -> impl Iterator<Item = Result<Piece<'_>, TemplateError>> {
    let mut rest = template;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        // Braces are ASCII, so these offsets are always on character boundaries.
        let Some(at) = rest.find(['{', '}']) else {
            let text = rest;
            rest = "";
            return Some(Ok(Piece::Text(text)));
        };
        if at > 0 {
            let (text, tail) = rest.split_at(at);
            rest = tail;
            return Some(Ok(Piece::Text(text)));
        }
        for (token, piece) in [("{{", Piece::Text("{")), ("}}", Piece::Text("}"))] {
            if let Some(tail) = rest.strip_prefix(token) {
                rest = tail;
                return Some(Ok(piece));
            }
        }
        for (token, piece) in [("{name}", Piece::Name), ("{handle}", Piece::Handle)] {
            if let Some(tail) = rest.strip_prefix(token) {
                rest = tail;
                return Some(Ok(piece));
            }
        }
        let found = match rest.find('}') {
            Some(end) if rest.starts_with('{') => format!("the unknown placeholder `{}`", &rest[..=end]),
            _ if rest.starts_with('{') => "an unclosed `{`".to_string(),
            _ => "a stray `}`".to_string(),
        };
        rest = "";
        Some(Err(TemplateError { found }))
    })
}

/// What triage decided for one notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "kebab-case")]
pub enum Triage {
    /// Queue this task for a person's review (boxed: it carries a profile and a post).
    Propose(Box<Proposal>),
    /// Keep the notification for the record; nothing to do.
    Record {
        /// Why nothing is proposed, in plain words.
        reason: String,
    },
    /// A task would be called for, but the platform forbids it; never queue it.
    Refuse {
        /// The action the platform forbids.
        action: ActionKind,
        /// Why, in plain words, with the platform's rules.
        reason: String,
    },
}

/// Decides what a notification asks of the person, for an account on the platform `platform`
/// describes, at time `now`.
pub fn triage(
    notification: &Notification,
    config: &TriageConfig,
    platform: &Description,
    now: UnixSeconds,
) -> Triage {
    let person = &notification.account;
    match notification.kind {
        NotificationKind::Follow => {
            let action = Action::FollowBack { account_id: person.id.clone() };
            if let Some(refusal) = refusal(platform, action.kind(), person) {
                return refusal;
            }
            let legitimacy = legitimacy::score(person, &config.legitimacy, now);
            if legitimacy.score < config.min_follow_back_score {
                return Triage::Record {
                    reason: format!(
                        "@{} scored {} (under {}), not proposed for a follow-back: {}",
                        person.handle,
                        legitimacy.score,
                        config.min_follow_back_score,
                        legitimacy.reasons.join("; ")
                    ),
                };
            }
            let context = TaskContext {
                profile: Some(person.clone()),
                post: None,
                legitimacy: Some(legitimacy),
                by_hand: None,
            };
            propose(notification, config, action, context, now)
        }
        NotificationKind::FollowRequest => {
            let action = Action::AcceptFollowRequest { account_id: person.id.clone() };
            if let Some(refusal) = refusal(platform, action.kind(), person) {
                return refusal;
            }
            let context = TaskContext {
                profile: Some(person.clone()),
                post: None,
                legitimacy: Some(legitimacy::score(person, &config.legitimacy, now)),
                by_hand: None,
            };
            propose(notification, config, action, context, now)
        }
        NotificationKind::Mention | NotificationKind::Reply => {
            let Some(post) = &notification.post else {
                return Triage::Record { reason: "the notification carries no post to answer".into() };
            };
            if !asks_a_question(&post.text, &config.question_openers) {
                return Triage::Record { reason: "the post asks no question".into() };
            }
            let action = reply_to(post, person, config);
            if let Some(refusal) = refusal(platform, action.kind(), person) {
                return refusal;
            }
            let context = TaskContext {
                profile: Some(person.clone()),
                post: Some(post.clone()),
                legitimacy: None,
                by_hand: None,
            };
            propose(notification, config, action, context, now)
        }
        NotificationKind::Like
        | NotificationKind::Repost
        | NotificationKind::Quote
        | NotificationKind::Post
        | NotificationKind::Other => Triage::Record {
            reason: format!("{} notifications are recorded, not queued", kind_name(notification.kind)),
        },
    }
}

fn propose(
    notification: &Notification,
    config: &TriageConfig,
    action: Action,
    context: TaskContext,
    now: UnixSeconds,
) -> Triage {
    let expires_at = config.expires_at(action.kind(), now);
    Triage::Propose(Box::new(Proposal {
        key: ProposalKey::notification(&notification.id),
        action,
        origin: Origin::Notification { id: notification.id.clone() },
        context,
        expires_at: Some(expires_at),
    }))
}

fn reply_to(post: &Post, person: &Profile, config: &TriageConfig) -> Action {
    Action::Reply {
        to_post_id: post.id.clone(),
        text: config.reply_template.render(person),
        visibility: post.visibility.clone(),
    }
}

fn refusal(platform: &Description, kind: ActionKind, person: &Profile) -> Option<Triage> {
    if platform.permits(kind) {
        return None;
    }
    let mut reason = format!(
        "{} does not permit an automated client to {kind} (its plugin {} {} declares no such capability); \
         @{} was recorded, not queued",
        platform.platform, platform.name, platform.version, person.handle
    );
    if !platform.rules.is_empty() {
        reason.push_str(". Platform rules: ");
        reason.push_str(&platform.rules.join(" "));
    }
    Some(Triage::Refuse { action: kind, reason })
}

fn kind_name(kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::Mention => "mention",
        NotificationKind::Reply => "reply",
        NotificationKind::Quote => "quote",
        NotificationKind::Follow => "follow",
        NotificationKind::FollowRequest => "follow request",
        NotificationKind::Like => "like",
        NotificationKind::Repost => "repost",
        NotificationKind::Post => "post",
        NotificationKind::Other => "other",
    }
}

/// Question marks of the scripts people write in: ASCII, fullwidth, Arabic, Greek, inverted Spanish.
const QUESTION_MARKS: [char; 5] = ['?', '？', '؟', '\u{37e}', '¿'];

/// Whether a post's plain text asks something: a question mark outside links and mentions, or a
/// line, sentence or clause that opens with one of `openers` and does not end in `!`.
pub fn asks_a_question(text: &str, openers: &[String]) -> bool {
    let is_text = |t: &&str| !is_link_or_mention(t);
    if text.split_whitespace().filter(is_text).any(has_question_mark) {
        return true;
    }
    let openers: Vec<Vec<&str>> = openers.iter().map(|o| o.split(' ').collect()).collect();
    let longest = openers.iter().map(Vec::len).max().unwrap_or(0);
    // Mentions and links stay in the token list so that their punctuation still ends a clause
    // ("Hey @shop, how…"), but they are never read as words.
    text.lines().any(|line| {
        let tokens: Vec<&str> = line.split_whitespace().collect();
        sentences(&tokens).filter(|s| !ends_with_exclamation(s)).any(|sentence| {
            clauses(sentence).any(|clause| {
                let clause_words: Vec<String> =
                    clause.iter().copied().filter(is_text).flat_map(words).take(longest).collect();
                openers.iter().any(|opener| {
                    opener.len() <= clause_words.len()
                        && opener.iter().zip(&clause_words).all(|(o, w)| o == w)
                })
            })
        })
    })
}

fn is_link_or_mention(token: &str) -> bool {
    let token = token.trim_start_matches(['(', '<', '[', '"', '\'']);
    token.starts_with('@') || token.contains("://") || token.starts_with("www.")
}

/// A question mark counts when nothing word-like follows it in the token: in `page?id=3` it is a
/// query string of a link written without its scheme, in `really?!` or `ok?)` it asks.
fn has_question_mark(token: &str) -> bool {
    token.char_indices().any(|(at, c)| {
        c == '¿'
            || (QUESTION_MARKS.contains(&c) && !token[at + c.len_utf8()..].chars().any(char::is_alphanumeric))
    })
}

/// Groups tokens into sentences, each ending at a token ending in `.`, `!`, `;` or the text's end.
fn sentences<'t, 'a>(tokens: &'t [&'a str]) -> impl Iterator<Item = &'t [&'a str]> {
    tokens.split_inclusive(|t| t.ends_with(['.', '!', ';', '…'])).filter(|s| !s.is_empty())
}

fn ends_with_exclamation(sentence: &[&str]) -> bool {
    sentence.last().is_some_and(|t| t.trim_end_matches(['"', '\'', ')', '”', '’']).ends_with(['!', '！']))
}

/// Splits a sentence at commas and colons: "Hey Ann, how do you…" asks in its second clause.
fn clauses<'t, 'a>(sentence: &'t [&'a str]) -> impl Iterator<Item = &'t [&'a str]> {
    sentence.split_inclusive(|t| t.ends_with([',', ':', '，', '：'])).filter(|c| !c.is_empty())
}

/// The lowercase words of a token, without surrounding punctuation; `what's` reads as `what`.
fn words(token: &str) -> impl Iterator<Item = String> + '_ {
    token
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w = w.trim_matches(['\'', '’']);
            let stem = ["'s", "’s"].iter().find_map(|suffix| w.strip_suffix(suffix)).unwrap_or(w);
            stem.to_lowercase()
        })
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: UnixSeconds = 1_800_000_000;
    const DAY: i64 = 86_400;

    pub(super) fn mastodon() -> Description {
        Description {
            name: "rapport-mastodon".into(),
            version: "0.1.0".into(),
            contract: "0.1.0".into(),
            platform: "mastodon".into(),
            capabilities: ActionKind::ALL.to_vec(),
            ceilings: vec![],
            hosts: vec![],
            rules: vec![],
            reads: vec![],
            one_at_a_time: vec![],
            read_costs: vec![],
        }
    }

    fn x_platform() -> Description {
        Description {
            name: "rapport-x".into(),
            platform: "x".into(),
            capabilities: vec![ActionKind::Reply, ActionKind::Publish],
            rules: vec!["Automated following is prohibited.".into()],
            reads: vec![],
            one_at_a_time: vec![],
            read_costs: vec![],
            ..mastodon()
        }
    }

    fn ann() -> Profile {
        Profile {
            id: "109".into(),
            handle: "ann@bakery.social".into(),
            display_name: "Ann Lee".into(),
            bio: "Sourdough baker in Lyon.".into(),
            followers: Some(300),
            following: Some(250),
            posts: Some(900),
            created: Some(NOW - 800 * DAY),
            has_avatar: true,
            bot: false,
            url: "https://bakery.social/@ann".into(),
        }
    }

    fn spammer() -> Profile {
        Profile {
            id: "666".into(),
            handle: "deals4u".into(),
            followers: Some(2),
            following: Some(5000),
            posts: Some(0),
            created: Some(NOW - DAY),
            ..Profile::default()
        }
    }

    fn note(kind: NotificationKind, account: Profile, text: Option<&str>) -> Notification {
        let post = text.map(|text| Post {
            id: "post-1".into(),
            text: text.into(),
            url: "https://bakery.social/@ann/1".into(),
            author: account.clone(),
            in_reply_to: None,
            created: NOW - 60,
            visibility: "unlisted".into(),
        });
        Notification { id: "n-1".into(), kind, at: NOW - 30, account, post }
    }

    fn run(n: &Notification) -> Triage {
        triage(n, &TriageConfig::default(), &mastodon(), NOW)
    }

    fn asks(text: &str) -> bool {
        asks_a_question(text, &TriageConfig::default().question_openers)
    }

    #[test]
    fn new_follower_becomes_a_follow_back_with_legitimacy() {
        let Triage::Propose(p) = run(&note(NotificationKind::Follow, ann(), None)) else {
            panic!("not proposed")
        };
        assert_eq!(p.action, Action::FollowBack { account_id: "109".into() });
        assert_eq!(p.context.profile, Some(ann()));
        let legitimacy = p.context.legitimacy.expect("legitimacy");
        assert!(legitimacy.score >= 90, "{legitimacy:?}");
        assert!(!legitimacy.reasons.is_empty());
        assert_eq!(p.expires_at, Some(NOW + 3 * DAY));
    }

    #[test]
    fn spam_follower_is_recorded_with_its_score_not_queued() {
        let Triage::Record { reason } = run(&note(NotificationKind::Follow, spammer(), None)) else {
            panic!("spam proposed")
        };
        assert!(
            reason.starts_with("@deals4u scored 0 (under 30), not proposed for a follow-back: "),
            "{reason}"
        );
        assert!(reason.contains("declares") || reason.contains("account is 1 day old"), "{reason}");
    }

    #[test]
    fn the_minimum_score_is_configurable() {
        let config = TriageConfig { min_follow_back_score: 0, ..TriageConfig::default() };
        let t = triage(&note(NotificationKind::Follow, spammer(), None), &config, &mastodon(), NOW);
        assert!(matches!(t, Triage::Propose(_)));
    }

    #[test]
    fn forbidden_follow_back_is_refused_with_the_platform_reason() {
        let t = triage(
            &note(NotificationKind::Follow, ann(), None),
            &TriageConfig::default(),
            &x_platform(),
            NOW,
        );
        let Triage::Refuse { action, reason } = t else { panic!("not refused: {t:?}") };
        assert_eq!(action, ActionKind::FollowBack);
        assert!(reason.starts_with("x does not permit an automated client to follow-back"), "{reason}");
        assert!(reason.ends_with("Platform rules: Automated following is prohibited."), "{reason}");
    }

    #[test]
    fn follow_request_becomes_an_accept() {
        let Triage::Propose(p) = run(&note(NotificationKind::FollowRequest, ann(), None)) else { panic!() };
        assert_eq!(p.action, Action::AcceptFollowRequest { account_id: "109".into() });
        assert!(p.context.legitimacy.is_some());
        let t = triage(
            &note(NotificationKind::FollowRequest, ann(), None),
            &TriageConfig::default(),
            &x_platform(),
            NOW,
        );
        assert!(matches!(t, Triage::Refuse { action: ActionKind::AcceptFollowRequest, .. }));
    }

    #[test]
    fn question_mention_becomes_a_reply_draft_that_names_the_person() {
        let n = note(
            NotificationKind::Mention,
            ann(),
            Some("@shop how long does the starter keep in the fridge"),
        );
        let Triage::Propose(p) = run(&n) else { panic!("not proposed") };
        assert_eq!(
            p.action,
            Action::Reply {
                to_post_id: "post-1".into(),
                text: "Hi Ann Lee, thanks for asking! ".into(),
                visibility: "unlisted".into(),
            }
        );
        assert_eq!(p.context.post, n.post);
        assert_eq!(p.context.profile, Some(ann()));
    }

    #[test]
    fn question_reply_uses_the_handle_when_there_is_no_display_name() {
        let person = Profile { display_name: " ".into(), ..ann() };
        let config = TriageConfig {
            reply_template: "@{handle} Hi {name} {{thanks}}! ".to_string().try_into().unwrap(),
            ..TriageConfig::default()
        };
        let n = note(NotificationKind::Reply, person, Some("Does it ship to Canada?"));
        let Triage::Propose(p) = triage(&n, &config, &mastodon(), NOW) else { panic!() };
        assert_eq!(p.action.text(), Some("@ann@bakery.social Hi ann {thanks}! "));
    }

    #[test]
    fn mentions_that_ask_nothing_likes_and_reposts_are_recorded() {
        for (kind, text) in [
            (NotificationKind::Mention, Some("@shop loved the croissants today!")),
            (NotificationKind::Reply, Some("Thanks, that helped.")),
            (NotificationKind::Mention, None),
            (NotificationKind::Like, None),
            (NotificationKind::Repost, None),
            (NotificationKind::Quote, Some("What a bakery?")),
            (NotificationKind::Other, None),
        ] {
            let t = run(&note(kind, ann(), text));
            assert!(matches!(t, Triage::Record { .. }), "{kind:?} {text:?}: {t:?}");
        }
    }

    #[test]
    fn reply_on_a_platform_without_replies_is_refused() {
        let platform = Description { capabilities: vec![ActionKind::FollowBack], ..mastodon() };
        let n = note(NotificationKind::Mention, ann(), Some("when do you open?"));
        let t = triage(&n, &TriageConfig::default(), &platform, NOW);
        assert!(matches!(t, Triage::Refuse { action: ActionKind::Reply, .. }), "{t:?}");
    }

    #[test]
    fn expiry_is_per_kind_or_global() {
        let config = TriageConfig {
            expire_after: "2d".parse().unwrap(),
            expire_after_by_kind: BTreeMap::from([(ActionKind::Reply, "6h".parse().unwrap())]),
            ..TriageConfig::default()
        };
        assert_eq!(config.expires_at(ActionKind::Reply, NOW), NOW + 6 * 3600);
        assert_eq!(config.expires_at(ActionKind::FollowBack, NOW), NOW + 2 * DAY);
        let n = note(NotificationKind::Mention, ann(), Some("Any tips for a beginner"));
        let Triage::Propose(p) = triage(&n, &config, &mastodon(), NOW) else { panic!() };
        assert_eq!(p.expires_at, Some(NOW + 6 * 3600));
    }

    #[test]
    fn question_marks_count_outside_links_and_mentions() {
        assert!(asks("@shop@bakery.social Do you ship to Canada?"));
        assert!(asks("Seriously?! That's the price"));
        assert!(asks("you mean this one (the rye?)"));
        assert!(!asks("Look at https://bakery.social/search?q=rye&page=2 great stuff."));
        assert!(!asks("Saw it on bakery.social/shop?item=3 — love it."));
        assert!(!asks("@what? loved it."));
        assert!(!asks("thanks @shop, see www.example.com/?ref=1."));
    }

    #[test]
    fn openers_count_at_sentence_or_clause_start() {
        assert!(asks("@shop how do I feed the starter"));
        assert!(asks("Loved the class. What's the best flour for rye"));
        assert!(asks("Hey Ann, where can I buy your book"));
        assert!(asks("Quick question: any tips for a wetter dough"));
        assert!(asks("ANY IDEAS on keeping the crust crisp"));
        assert!(!asks("What a loaf!"));
        assert!(!asks("Thanks for the recipe, it worked great."));
        assert!(!asks("I don't know how you do it."), "an opener mid-sentence does not ask");
        assert!(!asks("Can't wait for the next class."));
    }

    #[test]
    fn html_stripped_texts() {
        // What a plugin's HTML stripping leaves of Mastodon's <p> and <span class="h-card"> markup.
        assert!(asks("@shop\nIs the bakery open on Sunday\n#bread"));
        assert!(asks("@shop Is the bakery open on Sunday ?"));
        assert!(!asks("@shop\nThank you!\nhttps://bakery.social/tags/bread?x=1"));
    }

    #[test]
    fn multilingual_text_is_safe() {
        assert!(asks("@shop 日曜日は営業していますか？"));
        assert!(asks("@shop هل تشحنون إلى المغرب؟"));
        assert!(asks("@shop ¿Envían a México"));
        assert!(asks("@shop Τι ώρα ανοίγετε\u{37e}"));
        assert!(asks("Hey @shop, how do I order"), "a mention's comma still ends the greeting");
        assert!(asks("@shop\nThanks for yesterday\nHow do I order more"), "a line break ends a sentence");
        assert!(!asks("@shop Merci beaucoup, c'était délicieux 🥐!"));
        assert!(!asks("🥐🥐🥐"));
        assert!(!asks(""));
        let german = vec!["wie".to_string(), "kann man".to_string()];
        assert!(asks_a_question("@shop Wie lange hält der Sauerteig", &german));
        assert!(asks_a_question("Hallo, kann man bei euch bestellen", &german));
        assert!(!asks_a_question("Danke, der Kuchen war großartig.", &german));
    }

    #[test]
    fn templates_are_checked() {
        let bad = |t: &str| ReplyTemplate::try_from(t.to_string()).unwrap_err().found;
        assert_eq!(bad("Hi {nmae}!"), "the unknown placeholder `{nmae}`");
        assert_eq!(bad("Hi {name"), "an unclosed `{`");
        assert_eq!(bad("Hi name}"), "a stray `}`");
        let t: ReplyTemplate = "Salut {name} 🥐 {{x}}".to_string().try_into().unwrap();
        assert_eq!(t.render(&ann()), "Salut Ann Lee 🥐 {x}");
    }

    #[test]
    fn config_problems_are_named() {
        let config = TriageConfig {
            min_follow_back_score: 101,
            question_openers: vec!["How".into(), "any  tips".into(), "why".into()],
            expire_after_by_kind: BTreeMap::from([(ActionKind::Reply, Span::from_secs(0))]),
            ..TriageConfig::default()
        };
        let keys: Vec<String> = config.problems().into_iter().map(|p| p.key).collect();
        assert_eq!(
            keys,
            vec![
                "min_follow_back_score",
                "question_openers[0]",
                "question_openers[1]",
                "expire_after_by_kind.reply"
            ]
        );
        assert!(TriageConfig::default().problems().is_empty());
    }
}

/// Stable fuzzing (proptest): triage takes any notification record a plugin could hand it —
/// any kind, any text, counts and times at their extremes — without panicking, and never
/// proposes what the platform refuses.
#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    use super::*;
    use crate::notification::Post;

    const KINDS: [NotificationKind; 9] = [
        NotificationKind::Mention,
        NotificationKind::Reply,
        NotificationKind::Quote,
        NotificationKind::Follow,
        NotificationKind::FollowRequest,
        NotificationKind::Like,
        NotificationKind::Repost,
        NotificationKind::Post,
        NotificationKind::Other,
    ];

    fn profile() -> impl Strategy<Value = Profile> {
        (
            ("\\PC{0,20}", "\\PC{0,30}", "\\PC{0,80}"),
            (any::<Option<u64>>(), any::<Option<u64>>(), any::<Option<u64>>(), any::<Option<i64>>()),
            (any::<bool>(), any::<bool>()),
        )
            .prop_map(
                |((id, handle, bio), (followers, following, posts, created), (has_avatar, bot))| Profile {
                    id,
                    handle: handle.clone(),
                    display_name: handle,
                    bio,
                    followers,
                    following,
                    posts,
                    created,
                    has_avatar,
                    bot,
                    url: String::new(),
                },
            )
    }

    fn notification() -> impl Strategy<Value = Notification> {
        let post =
            ("\\PC{0,20}", "\\PC{0,300}", profile(), any::<i64>()).prop_map(|(id, text, author, created)| {
                Post {
                    id,
                    text,
                    url: String::new(),
                    author,
                    in_reply_to: None,
                    created,
                    visibility: "public".into(),
                }
            });
        (0..KINDS.len(), "\\PC{0,20}", any::<i64>(), profile(), proptest::option::of(post)).prop_map(
            |(kind, id, at, account, post)| Notification { id, kind: KINDS[kind], at, account, post },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 5_000, ..ProptestConfig::default() })]

        #[test]
        fn any_notification_is_triaged_without_panicking(n in notification(), now in any::<i64>()) {
            let _ = triage(&n, &TriageConfig::default(), &super::tests::mastodon(), now);
        }

        #[test]
        fn nothing_is_proposed_that_the_platform_cannot_do(n in notification(), now in 0i64..4_000_000_000) {
            let follow_only = Description { capabilities: vec![ActionKind::FollowBack], ..super::tests::mastodon() };
            if let Triage::Propose(proposal) = triage(&n, &TriageConfig::default(), &follow_only, now) {
                prop_assert_eq!(proposal.action.kind(), ActionKind::FollowBack);
            }
        }
    }
}
