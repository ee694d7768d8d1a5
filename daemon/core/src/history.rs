//! What the store remembers of an account's past: daily follower counts, the metric readings of its
//! own posts, and the per-person interaction ledger in both directions.
//!
//! These are the records the report ([`crate::report`]) and the relationship book
//! ([`crate::book`]) are computed from. They are plain data: the store persists them, the daemon
//! collects them (from `lookup-self`, `own-posts`, ingested notifications and executed tasks).

use serde::{Deserialize, Serialize};

use crate::UnixSeconds;
use crate::notification::{Notification, NotificationKind};
use crate::reads::PostMetrics;
use crate::task::{Action, ActionKind, Origin, PostKind, Task, TaskId};

/// The account's follower and following counts on one day, from `lookup-self`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowerSnapshot {
    /// When the counts were read.
    pub at: UnixSeconds,
    /// Followers then.
    pub followers: u64,
    /// Accounts followed then.
    pub following: u64,
}

/// One reading of a post's metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricReading {
    /// When the platform was asked.
    pub at: UnixSeconds,
    /// What it answered.
    pub metrics: PostMetrics,
}

/// One of the account's own posts with every reading of its metrics, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostHistory {
    /// The platform's post id.
    pub id: String,
    /// When it was posted.
    pub posted_at: UnixSeconds,
    /// Its public link.
    pub url: String,
    /// Its text (plain).
    pub text: String,
    /// Value or sales, when rapport posted it (a post made elsewhere has no kind).
    pub kind: Option<PostKind>,
    /// The readings, oldest first.
    pub readings: Vec<MetricReading>,
}

impl PostHistory {
    /// The latest reading, if any.
    pub fn latest(&self) -> Option<&MetricReading> {
        self.readings.last()
    }
}

/// Who acted in an interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// The person did something to the account (from a notification).
    Theirs,
    /// The account did something to the person (an executed task).
    Ours,
}

/// What was done in an interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InteractionKind {
    /// Followed (or asked to follow).
    Followed,
    /// Followed back a follower.
    FollowedBack,
    /// Stopped following.
    Unfollowed,
    /// Liked a post.
    Liked,
    /// Reposted a post.
    Reposted,
    /// Replied to a post.
    Replied,
    /// Mentioned.
    Mentioned,
    /// Quoted a post.
    Quoted,
    /// Sent a direct message.
    Messaged,
}

impl InteractionKind {
    /// What a notification of `kind` records, if it is an interaction with a person.
    pub fn of_notification(kind: NotificationKind) -> Option<InteractionKind> {
        match kind {
            NotificationKind::Follow | NotificationKind::FollowRequest => Some(InteractionKind::Followed),
            NotificationKind::Mention => Some(InteractionKind::Mentioned),
            NotificationKind::Reply => Some(InteractionKind::Replied),
            NotificationKind::Quote => Some(InteractionKind::Quoted),
            NotificationKind::Like => Some(InteractionKind::Liked),
            NotificationKind::Repost => Some(InteractionKind::Reposted),
            NotificationKind::Post | NotificationKind::Other => None,
        }
    }

    /// What an executed action of `kind` records, if it is an interaction with a person.
    pub fn of_action(kind: ActionKind) -> Option<InteractionKind> {
        match kind {
            ActionKind::Reply => Some(InteractionKind::Replied),
            ActionKind::Follow => Some(InteractionKind::Followed),
            ActionKind::FollowBack | ActionKind::AcceptFollowRequest => Some(InteractionKind::FollowedBack),
            ActionKind::Unfollow => Some(InteractionKind::Unfollowed),
            ActionKind::Like => Some(InteractionKind::Liked),
            ActionKind::Repost => Some(InteractionKind::Reposted),
            ActionKind::Message => Some(InteractionKind::Messaged),
            ActionKind::Publish => None,
        }
    }

    /// The past-tense verb, for timelines ("liked", "followed back").
    pub fn verb(self) -> &'static str {
        match self {
            InteractionKind::Followed => "followed",
            InteractionKind::FollowedBack => "followed back",
            InteractionKind::Unfollowed => "unfollowed",
            InteractionKind::Liked => "liked",
            InteractionKind::Reposted => "reposted",
            InteractionKind::Replied => "replied",
            InteractionKind::Mentioned => "mentioned",
            InteractionKind::Quoted => "quoted",
            InteractionKind::Messaged => "messaged",
        }
    }
}

/// Where an interaction was learned from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InteractionSource {
    /// A notification, by its platform id.
    Notification(String),
    /// An executed (or marked done) task.
    Task(TaskId),
}

/// One interaction between the account and a person, in either direction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interaction {
    /// When it happened (the notification's time, or when the task was done).
    pub at: UnixSeconds,
    /// The person's platform account id: stable where handles change, so the book keys on it.
    pub person: String,
    /// The person's handle when it was recorded ([`normalize_handle`]d); empty when only the id
    /// is known (notifications stored before the book existed keep no handle).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub handle: String,
    /// Who acted.
    pub direction: Direction,
    /// What was done.
    pub kind: InteractionKind,
    /// Where it was learned from.
    pub source: InteractionSource,
    /// The follow campaign that made it, for our follows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
}

impl Interaction {
    /// What `notification` tells of the person who sent it, if it is an interaction.
    pub fn of_notification(notification: &Notification) -> Option<Interaction> {
        let kind = InteractionKind::of_notification(notification.kind)?;
        (!notification.account.id.is_empty()).then(|| Interaction {
            at: notification.at,
            person: notification.account.id.clone(),
            handle: normalize_handle(&notification.account.handle),
            direction: Direction::Theirs,
            kind,
            source: InteractionSource::Notification(notification.id.clone()),
            campaign: None,
        })
    }

    /// What a task done at `at` did to a person, if it acted on one: the account acted on, or
    /// the author of the post liked, reposted or answered.
    pub fn of_task(task: &Task, at: UnixSeconds) -> Option<Interaction> {
        let kind = InteractionKind::of_action(task.action.kind())?;
        let author = task.context.post.as_ref().map(|p| &p.author);
        let profile = task.context.profile.as_ref();
        let (person, handle) = match &task.action {
            Action::Follow { account_id }
            | Action::FollowBack { account_id }
            | Action::Unfollow { account_id }
            | Action::AcceptFollowRequest { account_id }
            | Action::Message { account_id, .. } => {
                let handle = profile.filter(|p| &p.id == account_id).map(|p| p.handle.as_str());
                (account_id.clone(), handle.unwrap_or_default())
            }
            Action::Like { .. } | Action::Repost { .. } | Action::Reply { .. } => {
                let who = author.or(profile)?;
                (who.id.clone(), who.handle.as_str())
            }
            Action::Publish { .. } => return None,
        };
        let campaign = match &task.origin {
            Origin::Campaign { campaign, .. } => Some(campaign.clone()),
            _ => None,
        };
        (!person.is_empty()).then(|| Interaction {
            at,
            person,
            handle: normalize_handle(handle),
            direction: Direction::Ours,
            kind,
            source: InteractionSource::Task(task.id),
            campaign,
        })
    }
}

/// A reply sent to a notification: when the notification came and when the reply went out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseTime {
    /// When the notification arrived (its time on the platform).
    pub notified_at: UnixSeconds,
    /// When the reply was sent.
    pub replied_at: UnixSeconds,
}

/// How many actions of one kind were done on one day, against that day's budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionDay {
    /// The day's start (local midnight), as a time.
    pub day: UnixSeconds,
    /// The action kind.
    pub kind: ActionKind,
    /// Actions done that day.
    pub done: u32,
    /// The day's budget for the kind, if one is configured.
    pub budget: Option<u32>,
}

/// A person's handle in the one form the ledger and the book key on: no leading `@`, lowercase.
pub fn normalize_handle(handle: &str) -> String {
    handle.trim().trim_start_matches('@').to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_person_action_and_notification_is_an_interaction() {
        for kind in ActionKind::ALL {
            assert_eq!(InteractionKind::of_action(kind).is_none(), kind == ActionKind::Publish, "{kind:?}");
        }
        assert_eq!(InteractionKind::of_notification(NotificationKind::Like), Some(InteractionKind::Liked));
        assert_eq!(InteractionKind::of_notification(NotificationKind::Other), None);
    }

    #[test]
    fn handles_normalize_to_one_key() {
        assert_eq!(normalize_handle(" @Ann@Example.Social "), "ann@example.social");
    }
}
