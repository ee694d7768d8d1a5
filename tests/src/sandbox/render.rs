//! The world's records as Mastodon 4.3's entities: Account, Status (with its counts, mentions,
//! tags and media), MediaAttachment; and Mastodon's time format.

use serde_json::{Value, json};

use super::text::{hashtags, html_paragraphs, mentions};
use super::world::{OWN_ID, World};

/// Mastodon's `small` rendition holds at most this many pixels (`MediaAttachment::IMAGE_STYLES`).
const SMALL_PIXELS: f64 = 230_400.0;

/// Seconds since the epoch as Mastodon writes times: `2024-05-01T12:00:00.000Z`.
pub fn rfc3339(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl World {
    /// The Account entity of account `id` (`null` for none).
    pub fn render_account(&self, id: u64) -> Value {
        let Some(a) = self.account(id) else { return Value::Null };
        let username = a.acct.split('@').next().unwrap_or(&a.acct);
        let host =
            a.acct.split_once('@').map_or_else(|| self.base_url.clone(), |(_, d)| format!("https://{d}"));
        let avatar = if a.has_avatar {
            format!("{host}/system/accounts/avatars/{id}/original/avatar.png")
        } else {
            format!("{host}/avatars/original/missing.png")
        };
        json!({
            "id": id.to_string(),
            "username": username,
            "acct": a.acct,
            "display_name": a.display_name,
            "locked": id == OWN_ID || a.locked,
            "bot": a.bot,
            "discoverable": true,
            "indexable": true,
            "group": false,
            "created_at": rfc3339(a.created_at - a.created_at.rem_euclid(86_400)),
            "note": html_paragraphs(&a.note),
            "url": format!("{host}/@{username}"),
            "uri": format!("{host}/users/{username}"),
            "avatar": avatar,
            "avatar_static": avatar,
            "header": format!("{host}/headers/original/missing.png"),
            "header_static": format!("{host}/headers/original/missing.png"),
            "followers_count": a.followers_count,
            "following_count": a.following_count,
            "statuses_count": a.statuses_count,
            "last_status_at": null,
            "emojis": [],
            "fields": [],
        })
    }

    /// The accounts that status text `text` mentions and the sandbox knows, in order, once each.
    pub fn mentioned(&self, text: &str) -> Vec<u64> {
        let mut ids: Vec<u64> = Vec::new();
        for id in mentions(text).into_iter().filter_map(|m| self.account_id(m)) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    }

    /// The Status entity of status `id` (`null` for none), counts and flags as the own account
    /// sees them: seeded engagement plus what the API did.
    pub fn render_status(&self, id: u64) -> Value {
        let Some(s) = self.statuses.get(&id) else { return Value::Null };
        let author = self.render_account(s.account);
        let url = format!("{}/{}", author["url"].as_str().unwrap_or_default(), id);
        let (favourites, reblogs, replies) = s.seeded;
        let reblogged_by_own = self.statuses.values().any(|r| r.reblog_of == Some(id) && r.account == OWN_ID);
        let reblogs = reblogs + self.statuses.values().filter(|r| r.reblog_of == Some(id)).count() as u64;
        let replies = replies + self.statuses.values().filter(|r| r.in_reply_to == Some(id)).count() as u64;
        let mentions: Vec<Value> = self
            .mentioned(&s.text)
            .into_iter()
            .map(|m| {
                let account = self.render_account(m);
                json!({ "id": account["id"], "username": account["username"], "url": account["url"], "acct": account["acct"] })
            })
            .collect();
        let tags: Vec<Value> = hashtags(&s.text)
            .into_iter()
            .map(|tag| json!({ "name": tag, "url": self.url(&format!("/tags/{tag}")) }))
            .collect();
        json!({
            "id": id.to_string(),
            "created_at": rfc3339(s.created_at),
            "in_reply_to_id": s.in_reply_to.map(|r| r.to_string()),
            "in_reply_to_account_id": s.in_reply_to.and_then(|r| self.statuses.get(&r)).map(|r| r.account.to_string()),
            "sensitive": false,
            "spoiler_text": "",
            "visibility": s.visibility.as_str(),
            "language": "en",
            "uri": format!("{}/statuses/{id}", author["uri"].as_str().unwrap_or_default()),
            "url": url,
            "replies_count": replies,
            "reblogs_count": reblogs,
            "favourites_count": favourites + u64::from(s.favourited),
            "favourited": s.favourited,
            "reblogged": reblogged_by_own,
            "muted": false,
            "bookmarked": false,
            "pinned": false,
            "content": html_paragraphs(&s.text),
            "reblog": s.reblog_of.map(|r| self.render_status(r)),
            "account": author,
            "media_attachments": s.media.iter().map(|&m| self.render_media(m)).collect::<Vec<_>>(),
            "mentions": mentions,
            "tags": tags,
            "emojis": [],
            "card": null,
            "poll": null,
        })
    }

    /// The MediaAttachment entity of upload `id` (`null` for none), processed as Mastodon
    /// processes an image synchronously: both renditions' sizes in `meta`.
    pub fn render_media(&self, id: u64) -> Value {
        let Some(m) = self.media.get(&id) else { return Value::Null };
        let (width, height) = m.size;
        let pixels = f64::from(width) * f64::from(height);
        let scale = if pixels > SMALL_PIXELS { (SMALL_PIXELS / pixels).sqrt() } else { 1.0 };
        // Rounded to whole pixels first, so the cast only drops a zero fraction.
        let small = ((f64::from(width) * scale).round() as u64, (f64::from(height) * scale).round() as u64);
        let rendition = |w: u64, h: u64| {
            let aspect = if h > 0 { w as f64 / h as f64 } else { 0.0 };
            json!({ "width": w, "height": h, "size": format!("{w}x{h}"), "aspect": aspect })
        };
        let file = |style: &str| {
            self.url(&format!("/system/media_attachments/files/{id}/{style}/{id}.{}", m.extension))
        };
        json!({
            "id": id.to_string(),
            "type": "image",
            "url": file("original"),
            "preview_url": file("small"),
            "remote_url": null,
            "preview_remote_url": null,
            "text_url": null,
            "meta": {
                "original": rendition(u64::from(width), u64::from(height)),
                "small": rendition(small.0, small.1),
            },
            "description": m.description,
            "blurhash": null,
        })
    }
}
