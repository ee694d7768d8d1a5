//! The `message` action as Facebook allows it to a Page: a private reply to a person's comment,
//! `POST /{page-id}/messages` with `recipient: {comment_id}` and `message: {text}`, sent **once
//! per comment, within 7 days** of it (Meta's Private Replies rules; the Page token needs
//! `pages_messaging`).
//!
//! The contract's `message` names a person (`account-id`), not a comment, so the plugin learns
//! the comment itself: every comment `fetch-notifications` reports is remembered in the plugin's
//! store as its author's latest comment, with its time ([`Commenters`], one kv entry for all,
//! pruned of comments past the window so it stays as small as a week of commenters). A message
//! to a person goes as the private reply to their latest comment; it is refused `permanent`,
//! naming the rule, when no comment of theirs within 7 days was seen or their latest was already
//! answered privately. A newer comment by the same person opens a new chance, as Meta's rule is
//! per comment.

use std::collections::BTreeMap;

use rapport_sdk::env::Env;
use rapport_sdk::http::Request;
use rapport_sdk::types::{ActionOutcome, Message, PluginError};
use serde::{Deserialize, Serialize};

use crate::graph::MessageSent;
use crate::plugin::{Graph, Kind, send};

/// How long after a comment Meta accepts a private reply to it: 7 days, in seconds.
pub const WINDOW_SECS: i64 = 7 * 24 * 60 * 60;
/// The kv key of the commenters remembered.
pub const COMMENTERS_KEY: &str = "private-replies";

/// A person's latest comment seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Latest {
    /// The comment's id, the private reply's `recipient.comment_id`.
    pub comment: String,
    /// When it was written, Unix seconds.
    pub at: i64,
    /// Whether the Page already answered it privately.
    #[serde(default)]
    pub answered: bool,
}

/// The latest comment of each person seen, by their (Page-scoped) id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commenters(BTreeMap<String, Latest>);

impl Commenters {
    /// What the store holds; nothing (or an unreadable value) remembers no one.
    pub fn load<E: Env>(env: &E) -> Commenters {
        env.kv_get_json(COMMENTERS_KEY).unwrap_or_default()
    }

    /// Stores the commenters, leaving out those whose latest comment is past the window at `now`:
    /// no private reply can go to them any more.
    pub fn save<E: Env>(&mut self, env: &mut E, now: i64) -> Result<(), PluginError> {
        self.0.retain(|_, latest| now - latest.at <= WINDOW_SECS);
        env.kv_set_json(COMMENTERS_KEY, self)
    }

    /// Remembers that `person` wrote `comment` at `at`, if it is their latest; whether that
    /// changed anything.
    pub fn saw(&mut self, person: &str, comment: &str, at: i64) -> bool {
        if let Some(known) = self.0.get(person)
            && (known.at > at || known.comment == comment)
        {
            return false;
        }
        self.0.insert(person.to_owned(), Latest { comment: comment.to_owned(), at, answered: false });
        true
    }

    /// The comment of `person` a private reply may answer at `now`, or why none may.
    pub fn answerable(&self, person: &str, now: i64) -> Result<&Latest, String> {
        let rule = "a Page may write to a person only as a private reply to one of their comments, once per \
                    comment, within 7 days of it";
        let Some(latest) = self.0.get(person) else {
            return Err(format!("no comment by {person} on the Page's posts was seen within 7 days; {rule}"));
        };
        if now - latest.at > WINDOW_SECS {
            let days = (now - latest.at) / (24 * 60 * 60);
            return Err(format!(
                "the latest comment by {person} ({}) is {days} days old; {rule}",
                latest.comment
            ));
        }
        if latest.answered {
            return Err(format!(
                "the latest comment by {person} ({}) was already answered privately; {rule}",
                latest.comment
            ));
        }
        Ok(latest)
    }

    /// Marks the latest comment of `person` answered.
    fn answered(&mut self, person: &str) {
        if let Some(latest) = self.0.get_mut(person) {
            latest.answered = true;
        }
    }
}

/// Sends `message` as the private reply to its recipient's latest comment, and remembers it
/// answered once Meta confirms.
pub fn send_message<E: Env>(
    env: &mut E,
    graph: &Graph,
    message: &Message,
) -> Result<ActionOutcome, PluginError> {
    let now = env.now();
    let mut commenters = Commenters::load(env);
    let comment =
        commenters.answerable(&message.account_id, now).map_err(PluginError::Permanent)?.comment.clone();
    let body = serde_json::json!({
        "recipient": { "comment_id": comment },
        "message": { "text": message.text },
    });
    let url = format!("{}/{}/messages", graph.api, graph.page_id);
    let sent: MessageSent = send(env, Kind::Write, || Request::post(url).json(&body))?.json()?;
    commenters.answered(&message.account_id);
    commenters.save(env, now)?;
    Ok(ActionOutcome { id: Some(sent.message_id), url: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::{DEFAULT_API_BASE, DEFAULT_GRAPH_VERSION};
    use rapport_sdk::env::fake::Scripted;

    const AT: i64 = 1_714_566_667;
    const ANN: &str = "7012345678901234";
    const COMMENT: &str = "122100000000000101_987650000000002";
    const MESSAGES: &str = "https://graph.facebook.com/v21.0/104857600000001/messages";
    const SENT: &str = r#"{"recipient_id":"7012345678901234","message_id":"m_AbCdEf"}"#;

    fn page_graph() -> Graph {
        Graph {
            api: format!("{DEFAULT_API_BASE}/{DEFAULT_GRAPH_VERSION}"),
            page_id: "104857600000001".into(),
        }
    }

    fn to_ann() -> Message {
        Message { account_id: ANN.into(), text: "Here is our price list.".into() }
    }

    fn remembering(now: i64) -> Scripted {
        let mut env = Scripted::at(now);
        let mut commenters = Commenters::default();
        commenters.saw(ANN, COMMENT, AT);
        commenters.save(&mut env, now).unwrap_or_else(|e| panic!("{e:?}"));
        env
    }

    #[test]
    fn a_private_reply_answers_the_latest_comment_once() {
        let mut env = remembering(AT + 3_600).expect(MESSAGES, 200, &[], SENT);
        let outcome = send_message(&mut env, &page_graph(), &to_ann()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(outcome, ActionOutcome { id: Some("m_AbCdEf".into()), url: None });
        let body: serde_json::Value =
            serde_json::from_str(&env.sent[0].body).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            body,
            serde_json::json!({"recipient": {"comment_id": COMMENT}, "message": {"text": "Here is our price list."}})
        );
        assert_eq!(env.sent[0].header("content-type"), Some("application/json"));
        // A second message (another task, another key) to the same comment is refused unsent.
        let again = send_message(&mut env, &page_graph(), &to_ann());
        assert!(matches!(again, Err(PluginError::Permanent(m)) if m.contains("already answered privately")));
        assert_eq!(env.sent.len(), 1);
        // A newer comment by Ann opens a new chance.
        let mut commenters = Commenters::load(&env);
        assert!(commenters.saw(ANN, "122100000000000101_987650000000020", AT + 7_200));
        commenters.save(&mut env, AT + 7_200).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(commenters.answerable(ANN, AT + 7_200).is_ok());
    }

    #[test]
    fn no_private_reply_past_seven_days_or_without_a_comment() {
        let mut env = remembering(AT + WINDOW_SECS);
        assert!(
            Commenters::load(&env).answerable(ANN, AT + WINDOW_SECS).is_ok(),
            "7 days to the second is in time"
        );
        env.now = AT + WINDOW_SECS + 1;
        let late = send_message(&mut env, &page_graph(), &to_ann());
        assert!(
            matches!(late, Err(PluginError::Permanent(m)) if m.contains("is 7 days old") && m.contains("within 7 days"))
        );
        let stranger = Message { account_id: "555".into(), text: "Hi".into() };
        let none = send_message(&mut env, &page_graph(), &stranger);
        assert!(matches!(none, Err(PluginError::Permanent(m)) if m.starts_with("no comment by 555")));
        assert!(env.sent.is_empty());
    }

    #[test]
    fn only_the_latest_comment_counts_and_old_ones_are_pruned() {
        let mut commenters = Commenters::default();
        assert!(commenters.saw(ANN, "c2", AT));
        assert!(!commenters.saw(ANN, "c1", AT - 60), "an older comment read later does not replace it");
        assert!(!commenters.saw(ANN, "c2", AT), "the same comment changes nothing");
        assert!(commenters.saw("bea", "c3", AT - WINDOW_SECS - 10));
        let mut env = Scripted::at(AT);
        commenters.save(&mut env, AT).unwrap_or_else(|e| panic!("{e:?}"));
        let stored = Commenters::load(&env);
        assert_eq!(stored.answerable(ANN, AT).map(|l| l.comment.as_str()), Ok("c2"));
        assert!(stored.answerable("bea", AT).is_err_and(|m| m.starts_with("no comment by bea")), "pruned");
    }

    #[test]
    fn a_refused_send_leaves_the_comment_answerable() {
        let mut env = remembering(AT + 60).expect(
            MESSAGES,
            500,
            &[],
            include_str!("../tests/fixtures/error_2_unexpected.json"),
        );
        assert!(matches!(send_message(&mut env, &page_graph(), &to_ann()), Err(PluginError::Transient(_))));
        assert!(Commenters::load(&env).answerable(ANN, AT + 60).is_ok());
    }
}
