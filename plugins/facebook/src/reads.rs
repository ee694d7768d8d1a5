//! The contract 0.2 reads a Page can serve: its own posts with their counts, and itself.
//!
//! | call | Graph API |
//! |---|---|
//! | `own-posts` | `GET /{page-id}/published_posts?fields=…` (reactions, comments, shares, views) |
//! | `lookup-self` | `GET /{page-id}?fields=id,name,username,link,about,followers_count,fan_count,picture` |
//!
//! `published_posts` is the edge of the posts the Page itself published (the feed also holds
//! visitors' posts and the Page's tags). Counts come as edge summaries and views as the
//! `post_media_view` insight, which replaced `post_impressions` on 2025-11-15; Meta keeps no
//! insights for a Page under 100 likes, so views are then unknown. Pages follow Graph's
//! cursors: the next page is read `after=` the last one's `paging.cursors.after`, and a page
//! without `paging.next` is the last.
//!
//! The other reads are refused (see `unsupported_reason` in the crate root): a Page cannot
//! follow or like people or other Pages through the API, so it has no discovery and no
//! relationships, and reading anyone else's posts needs Meta's Page Public Content Access,
//! granted only to business-verified apps after App Review.

use rapport_sdk::env::Env;
use rapport_sdk::http::Request;
use rapport_sdk::types::{Account, OwnPost, OwnPostPage, PluginError};

use crate::graph::{self, PageProfile, Paged};
use crate::plugin::{Graph, Kind, send};

/// Posts per own-posts page: Graph's usual page size for posts with summaries.
const OWN_POSTS_PER_PAGE: &str = "25";

/// One page of the Page's own posts, newest first, with their counts.
pub fn own_posts<E: Env>(
    env: &mut E,
    graph: &Graph,
    cursor: Option<&str>,
) -> Result<OwnPostPage, PluginError> {
    let url = format!("{}/{}/published_posts", graph.api, graph.page_id);
    let page: Paged<graph::OwnPost> = send(env, Kind::Read, || {
        let request =
            Request::get(&url).query("fields", graph::OWN_POST_FIELDS).query("limit", OWN_POSTS_PER_PAGE);
        match cursor {
            Some(after) => request.query("after", after),
            None => request,
        }
    })?
    .page("own-posts")?;
    let mut items = Vec::with_capacity(page.data.len());
    for wire in &page.data {
        let Some(post) = wire.post(&graph.page_id) else {
            env.warn(&format!(
                "own-posts: post {} has an unreadable time {:?}; leaving it out",
                wire.id, wire.created_time
            ));
            continue;
        };
        items.push(OwnPost { post, metrics: wire.metrics() });
    }
    // An empty page is the end whatever its paging says, so a walk cannot loop on nothing.
    let next_cursor = if page.data.is_empty() { None } else { page.paging.next_cursor() };
    Ok(OwnPostPage { items, next_cursor })
}

/// The Page itself, with its follower count.
pub fn lookup_self<E: Env>(env: &mut E, graph: &Graph) -> Result<Account, PluginError> {
    let url = format!("{}/{}", graph.api, graph.page_id);
    let profile: PageProfile =
        send(env, Kind::Read, || Request::get(url).query("fields", graph::PAGE_FIELDS))?
            .page("lookup-self")?;
    Ok(profile.account())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::{DEFAULT_API_BASE, DEFAULT_GRAPH_VERSION};
    use rapport_sdk::env::fake::Scripted;

    const NOW: i64 = 1_714_700_000;
    const PAGE: &str = "104857600000001";
    const POSTS: &str = "https://graph.facebook.com/v21.0/104857600000001/published_posts";

    fn page_graph() -> Graph {
        Graph { api: format!("{DEFAULT_API_BASE}/{DEFAULT_GRAPH_VERSION}"), page_id: PAGE.into() }
    }

    #[test]
    fn own_posts_carry_reactions_shares_comments_and_views() {
        let mut env =
            Scripted::at(NOW).expect(POSTS, 200, &[], include_str!("../tests/fixtures/own_posts.json"));
        let page = own_posts(&mut env, &page_graph(), None).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(env.sent[0].url.contains("fields=id%2Cmessage%2Ccreated_time%2Cpermalink_url%2Cfrom%2Creactions.summary%28total_count%29.limit%280%29"));
        assert!(env.sent[0].url.contains("insights.metric%28post_media_view%29"));
        assert!(!env.sent[0].url.contains("after="));
        assert_eq!(env.sent[0].header("authorization"), Some("Bearer {{secret:page_token}}"));
        let ids: Vec<_> = page.items.iter().map(|p| p.post.id.as_str()).collect();
        assert_eq!(ids, ["104857600000001_122100000000000101", "104857600000001_122100000000000100"]);
        let first = &page.items[0];
        assert_eq!(first.post.author.display_name, "Corner Shop");
        assert_eq!(first.post.created, 1_714_554_000);
        assert_eq!(
            (
                first.metrics.likes,
                first.metrics.reposts,
                first.metrics.replies,
                first.metrics.quotes,
                first.metrics.views
            ),
            (14, 2, 3, None, Some(412))
        );
        // No shares field and no insights: no reposts, views unknown.
        let second = &page.items[1].metrics;
        assert_eq!((second.likes, second.reposts, second.replies, second.views), (5, 0, 0, None));
        assert_eq!(page.next_cursor.as_deref(), Some("QVFIUl9hZnRlcg"));

        let mut env = env.expect(POSTS, 200, &[], include_str!("../tests/fixtures/own_posts_last.json"));
        let last =
            own_posts(&mut env, &page_graph(), Some("QVFIUl9hZnRlcg")).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(env.sent[1].url.contains("after=QVFIUl9hZnRlcg"));
        assert_eq!(last.items.len(), 1);
        assert_eq!(last.next_cursor, None, "no `paging.next`: the last page, though cursors are named");
    }

    #[test]
    fn an_empty_or_malformed_page_ends_or_fails_naming_the_call() {
        let empty =
            r#"{"data":[],"paging":{"cursors":{"after":"QQ"},"next":"https://graph.facebook.com/x"}}"#;
        let mut env = Scripted::at(NOW).expect(POSTS, 200, &[], empty);
        let page = own_posts(&mut env, &page_graph(), None).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(page.items.is_empty() && page.next_cursor.is_none());

        let mut env = Scripted::at(NOW).expect(POSTS, 200, &[], r#"{"data":"nope"}"#);
        assert!(
            matches!(own_posts(&mut env, &page_graph(), None), Err(PluginError::Permanent(m)) if m.starts_with("own-posts:"))
        );
    }

    #[test]
    fn the_page_itself_is_read_with_its_followers() {
        let mut env = Scripted::at(NOW).expect(
            "https://graph.facebook.com/v21.0/104857600000001?",
            200,
            &[],
            include_str!("../tests/fixtures/page_profile.json"),
        );
        let me = lookup_self(&mut env, &page_graph()).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(
            env.sent[0].url.ends_with(
                "fields=id%2Cname%2Cusername%2Clink%2Cabout%2Cfollowers_count%2Cfan_count%2Cpicture"
            )
        );
        assert_eq!((me.id.as_str(), me.handle.as_str()), (PAGE, "cornershop"));
        assert_eq!(me.display_name, "Corner Shop");
        assert_eq!(me.bio, "Fresh bread, local milk.");
        assert_eq!((me.followers, me.following, me.posts), (Some(1_250), None, None));
        assert!(me.has_avatar);
        assert_eq!(me.url, "https://www.facebook.com/cornershop");

        let bare = r#"{"id":"42","name":"Classic","fan_count":30,"picture":{"data":{"is_silhouette":true}}}"#;
        let mut env =
            Scripted::at(NOW).expect("https://graph.facebook.com/v21.0/104857600000001", 200, &[], bare);
        let classic = lookup_self(&mut env, &page_graph()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((classic.handle.as_str(), classic.followers), ("42", Some(30)));
        assert!(!classic.has_avatar);
        assert_eq!(classic.url, "https://www.facebook.com/42");

        let mut env =
            Scripted::at(NOW).expect("https://graph.facebook.com/v21.0/104857600000001", 200, &[], "[]");
        assert!(
            matches!(lookup_self(&mut env, &page_graph()), Err(PluginError::Permanent(m)) if m.starts_with("lookup-self:"))
        );
    }
}
