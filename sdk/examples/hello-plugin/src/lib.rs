//! hello-plugin: the smallest working rapport plugin, the example `sdk/README.md` walks through.
//!
//! It reads notifications from a Mastodon-compatible `GET /api/v1/notifications` and knows how to
//! favourite a post; every other call is left to the SDK's default, which says plainly that it is
//! not supported.

use rapport_sdk::http::Request;
use rapport_sdk::types::{
    Access, Account, Action, ActionKind, ActionOutcome, ActionRequest, Description, Notification,
    NotificationKind, NotificationPage, PluginError, ReadKind,
};
use rapport_sdk::{Plugin, account, clock};
use serde::Deserialize;

struct Hello;

/// The part of a Mastodon notification this plugin reads.
#[derive(Deserialize)]
struct ApiNotification {
    id: String,
    r#type: String,
    created_at: String,
    account: ApiAccount,
}

/// The part of a Mastodon account this plugin reads.
#[derive(Deserialize)]
struct ApiAccount {
    id: String,
    acct: String,
    display_name: String,
    url: String,
}

impl Plugin for Hello {
    fn describe() -> Description {
        Description {
            name: "hello".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            contract: rapport_sdk::CONTRACT_VERSION.into(),
            platform: "mastodon".into(),
            capabilities: vec![ActionKind::Like],
            ceilings: Vec::new(),
            // `scheme://host[:port]` patterns: any HTTPS host on any port, since the instance is
            // whatever the account's `api_base` names; the account's `allowed_hosts` narrows it.
            hosts: vec!["https://*:*".into()],
            rules: vec!["Only like posts a person chose.".into()],
            reads: vec![ReadKind::Notifications],
            one_at_a_time: Vec::new(),
            read_costs: Vec::new(),
        }
    }

    fn fetch_notifications(cursor: Option<String>) -> Result<NotificationPage, PluginError> {
        let base = account::current().api_base().to_owned();
        let mut request = Request::get(format!("{base}/api/v1/notifications")).bearer_secret("token");
        if let Some(since) = &cursor {
            request = request.query("min_id", since);
        }
        let page: Vec<ApiNotification> = request.send()?.check()?.json()?;
        rapport_sdk::info!("fetched {} notifications", page.len());
        // Mastodon pages newest first: the first id is where the next call starts.
        let next_cursor = page.first().map(|n| n.id.clone()).or(cursor);
        // An item without an id can be neither deduplicated nor answered, and the host refuses
        // a page that holds one: leave it out.
        let items = page
            .into_iter()
            .filter(|n| !n.id.is_empty() && !n.account.id.is_empty())
            .map(normalize)
            .collect();
        Ok(NotificationPage { items, next_cursor })
    }

    fn execute(request: ActionRequest) -> Result<ActionOutcome, PluginError> {
        let Action::Like(post_id) = request.action else {
            return Err(PluginError::Denied("hello-plugin only likes posts".into()));
        };
        let base = account::current().api_base().to_owned();
        Request::post(format!("{base}/api/v1/statuses/{post_id}/favourite"))
            .bearer_secret("token")
            .header("Idempotency-Key", request.idempotency_key)
            .send()?
            .check()?;
        Ok(ActionOutcome { id: Some(post_id), url: None })
    }

    fn check_access() -> Result<Access, PluginError> {
        // The example's API has no way to tell what a token may do; the first refused call says.
        Ok(Access { acting_as: String::new(), granted: Vec::new(), missing: Vec::new() })
    }
}

fn normalize(n: ApiNotification) -> Notification {
    let kind = match n.r#type.as_str() {
        "mention" => NotificationKind::Mention,
        "follow" => NotificationKind::Follow,
        "favourite" => NotificationKind::Like,
        "reblog" => NotificationKind::Repost,
        _ => NotificationKind::Other,
    };
    Notification {
        id: n.id,
        kind,
        at: clock::parse_rfc3339(&n.created_at).unwrap_or_else(clock::now),
        account: Account {
            id: n.account.id,
            handle: n.account.acct,
            display_name: n.account.display_name,
            bio: String::new(),
            followers: None,
            following: None,
            posts: None,
            created: None,
            has_avatar: false,
            bot: false,
            url: n.account.url,
        },
        post: None,
    }
}

rapport_sdk::export_plugin!(Hello);
