//! End to end against Bluesky's reference implementation: the built plugin, run by the real host,
//! reads a follow and a mention from a local PDS + AppView and answers with a reply and a
//! follow-back that then appear on the network; discovers people by hashtag, search and
//! followers; reads a person's posts, its own posts with the counts other accounts made, bulk
//! relationships and itself; and publishes a post with an image whose alt text the AppView shows.
//!
//! Skipped (with a note) unless `RAPPORT_BSKY_DEVNET` names the devnet's PDS; `cargo xtask test`
//! starts the network and sets it. By hand:
//!
//! ```text
//! bash tests/bsky-devnet/bsky-devnet.sh up
//! cargo build -p rapport-plugin-bluesky --target wasm32-wasip2 --profile plugin
//! RAPPORT_BSKY_DEVNET=http://localhost:2583 cargo test -p rapport-plugin-bluesky --test devnet -- --nocapture
//! ```
//!
//! The plugin is looked up at `RAPPORT_BSKY_WASM`, else under `CARGO_TARGET_DIR` (or the
//! workspace's `target/`) at `wasm32-wasip2/plugin/rapport_plugin_bluesky.wasm`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rapport_core::notification::{Notification, NotificationKind};
use rapport_core::reads::{Candidate, DiscoverySource};
use rapport_core::task::{Action, MediaFile, PostKind};
use rapport_host::egress::grant::EgressGrant;
use rapport_host::egress::secrets::Secrets;
use rapport_host::kv::{MemoryKv, PluginKv};
use rapport_host::{AccountBinding, AccountContext, HostConfig, Plugin, PluginHost};
use rapport_tests::bsky_devnet::{Devnet, INDEX_WAIT, Member, eventually};
use serde_json::json;

/// The built plugin component.
fn wasm_path() -> PathBuf {
    if let Some(path) = std::env::var_os("RAPPORT_BSKY_WASM") {
        return PathBuf::from(path);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("wasm32-wasip2/plugin/rapport_plugin_bluesky.wasm")
}

/// The plugin loaded by a real host, acting for one devnet account.
struct Acting {
    plugin: Plugin,
    binding: AccountBinding,
    kv: Arc<MemoryKv>,
    /// The host, kept alive for the plugin's calls.
    _host: PluginHost,
    /// The host's compilation cache.
    _cache: tempfile::TempDir,
}

/// Loads the built plugin to act for `member`, whose password is its app password.
async fn acting_for(devnet: &Devnet, member: &Member) -> Acting {
    let pds = devnet.pds();
    let cache = tempfile::tempdir().expect("temp dir");
    let host = PluginHost::new(HostConfig::new(cache.path())).expect("host starts");
    let wasm = wasm_path();
    assert!(wasm.exists(), "build the plugin first: {} is missing", wasm.display());
    let plugin = host.load(&wasm).await.expect("the plugin loads");
    assert_eq!(plugin.description().platform, "bluesky");
    let kv = Arc::new(MemoryKv::new());
    let binding = AccountBinding {
        context: AccountContext {
            name: "bsky".into(),
            api_base: pds.to_owned(),
            user: member.handle.clone(),
            settings: Vec::new(),
        },
        egress: EgressGrant::new(&[pds], true).expect("the PDS URL is a host pattern"),
        secrets: [("app_password", member.password.as_str())].into_iter().collect::<Secrets>(),
        kv: kv.clone(),
    };
    Acting { plugin, binding, kv, _host: host, _cache: cache }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plugin_answers_a_mention_and_a_follow_on_the_reference_network() {
    let Some(devnet) = Devnet::from_env("devnet") else { return };
    let pds = devnet.pds().to_owned();
    let started = Instant::now();
    let fan = devnet.create_account("fan").await;
    let me = devnet.create_account("me").await;

    // The fan follows the account and mentions it — with a mention facet, or nobody is notified.
    devnet.follow(&fan, &me).await;
    let text = format!("Grüße 🎉 @{} ça va?", me.handle);
    let mention_uri = devnet.mention(&fan, &me, &text).await;

    // The plugin acts for the mentioned account.
    let Acting { plugin, binding, kv, .. } = &acting_for(&devnet, &me).await;

    // Poll as the daemon does: keep the cursor, stop at `next_cursor: None`, until the AppView
    // has indexed both.
    let mut cursor: Option<String> = None;
    let mut delivered: Vec<Notification> = Vec::new();
    let deadline = Instant::now() + INDEX_WAIT;
    let find = |all: &[Notification], kind: NotificationKind| all.iter().find(|n| n.kind == kind).cloned();
    let (mention_n, follow_n) = loop {
        let page = plugin.fetch_notifications(binding, cursor.clone()).await.expect("fetch-notifications");
        for n in &page.items {
            assert!(!delivered.iter().any(|d| d.id == n.id), "{} was delivered twice", n.id);
        }
        delivered.extend(page.items);
        if let Some(next) = page.next_cursor {
            cursor = Some(next);
        }
        if let (Some(m), Some(f)) =
            (find(&delivered, NotificationKind::Mention), find(&delivered, NotificationKind::Follow))
        {
            break (m, f);
        }
        assert!(Instant::now() < deadline, "the follow and the mention never arrived: {delivered:#?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let sessions = ["session:", pds.as_str(), ":", me.handle.as_str()].concat();
    assert!(kv.get(&sessions).expect("kv readable").is_some(), "the session is kept in kv");

    assert_eq!(mention_n.id, mention_uri);
    assert_eq!(mention_n.account.id, fan.did);
    assert_eq!(mention_n.account.handle, fan.handle);
    assert_eq!(mention_n.account.followers, Some(0), "authors come with their detailed profile");
    let mentioned_post = mention_n.post.expect("a mention carries its post");
    assert_eq!(mentioned_post.id, mention_uri);
    assert_eq!(mentioned_post.text, text);
    assert_eq!(follow_n.account.id, fan.did);

    // Nothing new: the plugin says it is caught up and repeats nothing.
    let again = plugin.fetch_notifications(binding, cursor.clone()).await.expect("fetch-notifications");
    assert!(again.items.is_empty(), "already delivered: {:#?}", again.items);
    assert_eq!(again.next_cursor, None);

    // The approved reply (with a mention and a link after non-ASCII text) and the follow-back.
    let reply_text = format!("Danke 🙏 @{} — mehr unter https://example.com/über", fan.handle);
    let reply = Action::Reply {
        to_post_id: mentioned_post.id.clone(),
        text: reply_text.clone(),
        visibility: String::new(),
    };
    let replied = plugin.execute(binding, "rapport-bsky-1", &reply).await.expect("reply");
    let reply_uri = replied.id.clone().expect("the reply's URI");
    assert!(reply_uri.starts_with(&format!("at://{}/app.bsky.feed.post/", me.did)), "{reply_uri}");
    let resent = plugin.execute(binding, "rapport-bsky-1", &reply).await.expect("resent reply");
    assert_eq!(resent.id, replied.id, "a resend of the same task finds the first reply");

    let follow_back = Action::FollowBack { account_id: fan.did.clone() };
    let followed = plugin.execute(binding, "rapport-bsky-2", &follow_back).await.expect("follow-back");
    let follow_uri = followed.id.expect("the follow record's URI");
    assert!(follow_uri.starts_with(&format!("at://{}/app.bsky.graph.follow/", me.did)), "{follow_uri}");

    // On the network: the reply hangs under the mention with a mention facet, and the follow shows.
    let (network, fan_ref, me_ref) = (&devnet, &fan, &me);
    let (question, reply_ref) = (mention_uri.as_str(), reply_uri.as_str());
    let thread = eventually("the reply in the thread", || async move {
        let replies = network.replies(fan_ref, question).await;
        replies.into_iter().find(|r| r["post"]["uri"] == json!(reply_ref))
    })
    .await;
    let record = &thread["post"]["record"];
    assert_eq!(record["text"], json!(reply_text));
    assert_eq!(record["reply"]["parent"]["uri"], json!(mention_uri));
    assert_eq!(record["reply"]["root"]["uri"], json!(mention_uri));
    let at = reply_text.find('@').expect("the reply mentions");
    assert_eq!(record["facets"][0]["index"], json!({"byteStart": at, "byteEnd": at + 1 + fan.handle.len()}));
    assert_eq!(record["facets"][0]["features"][0]["did"], json!(fan.did));
    let link = reply_text.find("https").expect("the reply links");
    assert_eq!(record["facets"][1]["index"], json!({"byteStart": link, "byteEnd": reply_text.len()}));

    eventually("the follow-back in getFollows", || async move {
        network.follows(me_ref, fan_ref).await.then_some(())
    })
    .await;
    let relationship = plugin.relationship(binding, &fan.did).await.expect("relationship");
    assert!(relationship.following && relationship.followed_by, "{relationship:?}");
    let followers = plugin.list_followers(binding, None).await.expect("list-followers");
    assert!(followers.items.iter().any(|a| a.id == fan.did));

    eprintln!("devnet test passed in {:.1} s", started.elapsed().as_secs_f64());
}

/// Every candidate of `source`, page after page until the end.
async fn discover_all(acting: &Acting, source: &DiscoverySource) -> Vec<Candidate> {
    let (mut all, mut cursor) = (Vec::new(), None);
    loop {
        let page = acting.plugin.discover(&acting.binding, source, cursor).await.expect("discover");
        all.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return all,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_finds_people_by_hashtag_search_and_followers() {
    let Some(devnet) = Devnet::from_env("devnet discovery") else { return };
    let started = Instant::now();
    // The word is a handle of its own, so the search finds one account by name too.
    let maker = devnet.create_account("kiln").await;
    let word = maker.handle.trim_end_matches(".test").to_owned();
    let (potter, fan, me) = (
        devnet.create_account("potter").await,
        devnet.create_account("fan").await,
        devnet.create_account("me").await,
    );
    let potter_post = devnet.write_post(&potter, &format!("Fresh out of the #{word} today")).await;
    devnet.write_post(&me, &format!("Mine too, #{word}")).await;
    // Social proof: the acting account follows the fan, who follows the potter.
    devnet.follow(&me, &fan).await;
    devnet.follow(&fan, &potter).await;
    let acting = acting_for(&devnet, &me).await;

    let hashtag = DiscoverySource::Hashtag(word.clone());
    let (acting_ref, potter_did) = (&acting, potter.did.as_str());
    let found = eventually("the potter by hashtag, with the follow indexed", || async {
        let all = discover_all(acting_ref, &hashtag).await;
        all.into_iter().find(|c| c.account.id == potter_did && c.known_followers == Some(1))
    })
    .await;
    assert_eq!(found.account.handle, potter.handle);
    assert_eq!(found.account.followers, Some(1), "the detailed profile's count");
    assert_eq!(found.why, format!("posted #{word}"));
    let post = found.post.expect("the matching post");
    assert_eq!(post.id, potter_post["uri"].as_str().expect("the post's URI"));
    assert_eq!(post.text, format!("Fresh out of the #{word} today"));
    let all = discover_all(&acting, &hashtag).await;
    assert!(all.iter().all(|c| c.account.id != me.did), "the acting account is left out: {all:#?}");

    // A search reads the matching posts, then the matching accounts.
    let search = DiscoverySource::Search(word.clone());
    let found = discover_all(&acting, &search).await;
    let by_post = found.iter().find(|c| c.account.id == potter.did).expect("the potter, by post");
    assert!(by_post.post.is_some(), "{by_post:?}");
    let by_name = found.iter().find(|c| c.account.id == maker.did).expect("the account named like the word");
    assert!(by_name.post.is_none(), "{by_name:?}");
    assert!(found.iter().all(|c| c.account.id != me.did));

    let followers = discover_all(&acting, &DiscoverySource::FollowersOf(potter.did.clone())).await;
    let follower = followers.iter().find(|c| c.account.id == fan.did).expect("the fan follows the potter");
    assert_eq!(follower.why, format!("follows @{}", potter.handle));

    eprintln!("devnet discovery passed in {:.1} s", started.elapsed().as_secs_f64());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_counts_relationships_and_self_as_the_network_has_them() {
    let Some(devnet) = Devnet::from_env("devnet reads") else { return };
    let started = Instant::now();
    let me = devnet.create_account("me").await;
    let (ann, bob, cat) = (
        devnet.create_account("ann").await,
        devnet.create_account("bob").await,
        devnet.create_account("cat").await,
    );
    let acting = acting_for(&devnet, &me).await;
    let (network, plugin, binding) = (&devnet, &acting.plugin, &acting.binding);

    // Ann's own post, her repost of Bob's and her reply to it: only the first is one of her posts.
    let bobs = devnet.write_post(&bob, "Bob's glaze test").await;
    let anns = devnet.write_post(&ann, "Ann's first bowl").await;
    let bobs_uri = bobs["uri"].as_str().expect("a URI").to_owned();
    eventually("Bob's post indexed", || async { network.post_view(&ann, &bobs_uri).await }).await;
    devnet.repost(&ann, &bobs).await;
    devnet.reply(&ann, &bobs, "Lovely").await;

    // The account's own post: two likes, a repost and a reply from others.
    let mine = devnet.write_post(&me, "Our new mugs are out").await;
    let mine_uri = mine["uri"].as_str().expect("a URI").to_owned();
    eventually("the own post indexed", || async { network.post_view(&ann, &mine_uri).await }).await;
    devnet.like(&ann, &mine).await;
    devnet.like(&bob, &mine).await;
    devnet.repost(&bob, &mine).await;
    devnet.reply(&cat, &mine, "Want one!").await;

    let anns_uri = anns["uri"].as_str().expect("a URI");
    let (ann_did, mine_ref) = (ann.did.as_str(), mine_uri.as_str());
    let recent = eventually("Ann's post, repost and reply indexed", || async {
        let page = plugin.recent_posts(binding, ann_did, None).await.expect("recent-posts");
        let reply_seen = network.replies(&ann, &bobs_uri).await.len() == 1;
        (reply_seen && page.items.iter().any(|p| p.id == anns_uri)).then_some(page)
    })
    .await;
    let ids: Vec<&str> = recent.items.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, [anns_uri], "the repost and the reply are left out");
    assert_eq!(recent.items[0].text, "Ann's first bowl");
    assert_eq!(recent.items[0].author.id, ann.did);

    let own = eventually("the likes, the repost and the reply counted", || async {
        let page = plugin.own_posts(binding, None).await.expect("own-posts");
        page.items.into_iter().find(|p| {
            let m = &p.metrics;
            p.post.id == mine_ref && (m.likes, m.reposts, m.replies) == (2, 1, 1)
        })
    })
    .await;
    assert_eq!((own.metrics.quotes, own.metrics.views), (Some(0), None));
    assert_eq!(own.post.text, "Our new mugs are out");

    // Relationships in bulk: more accounts than one request takes, and one that does not exist.
    devnet.follow(&me, &ann).await;
    devnet.follow(&bob, &me).await;
    let mut ids = vec![ann.did.clone(), bob.did.clone(), cat.did.clone()];
    for _ in 0..28 {
        ids.push(devnet.create_account("crowd").await.did);
    }
    // A handle no one has: the AppView answers `notFoundActor` (a well-formed DID it has never
    // seen still gets an empty relationship).
    ids.push(format!("nobody-{}", me.handle));
    let (ids_ref, bob_did) = (&ids, bob.did.as_str());
    let found = eventually("both follows indexed", || async {
        let found = plugin.relationships(binding, ids_ref).await.expect("relationships");
        let of = |id: &str| found.iter().find(|r| r.id == id).map(|r| r.relationship);
        (of(ann_did).is_some_and(|r| r.following) && of(bob_did).is_some_and(|r| r.followed_by))
            .then_some(found)
    })
    .await;
    assert_eq!(found.len(), 31, "every account but the unknown one: {found:#?}");
    let of = |id: &str| found.iter().find(|r| r.id == id).map(|r| r.relationship).expect("known");
    assert!(of(&ann.did).following && !of(&ann.did).followed_by);
    assert!(!of(&bob.did).following && of(&bob.did).followed_by);
    assert!(!of(&cat.did).following && !of(&cat.did).followed_by && !of(&cat.did).requested);

    let me_now = eventually("the account's counts", || async {
        let me_now = plugin.lookup_self(binding).await.expect("lookup-self");
        ((me_now.followers, me_now.following, me_now.posts) == (Some(1), Some(1), Some(1))).then_some(me_now)
    })
    .await;
    assert_eq!((me_now.id.as_str(), me_now.handle.as_str()), (me.did.as_str(), me.handle.as_str()));

    eprintln!("devnet reads passed in {:.1} s", started.elapsed().as_secs_f64());
}

/// A 1×1 PNG (the PDS sniffs the type of what it stores).
const PNG: [u8; 70] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00,
    0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x64, 0x60, 0xf8, 0x5f, 0x0f, 0x00, 0x02,
    0x87, 0x01, 0x80, 0xeb, 0x47, 0xba, 0x92, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42,
    0x60, 0x82,
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_with_an_image_shows_its_alt_text_on_the_network() {
    let Some(devnet) = Devnet::from_env("devnet media") else { return };
    let started = Instant::now();
    let me = devnet.create_account("me").await;
    let acting = acting_for(&devnet, &me).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("mug.png");
    std::fs::write(&path, PNG).expect("the image is written");
    let alt = "A blue mug on a wooden shelf 🏺";
    let post = Action::Publish {
        text: "New mugs in the shop".into(),
        post_kind: PostKind::Value,
        media_alt: String::new(),
        media: vec![MediaFile::image(path, alt).expect("a PNG with alt text")],
    };
    let outcome =
        acting.plugin.execute(&acting.binding, "rapport-bsky-media-1", &post).await.expect("publish");
    let uri = outcome.id.expect("the post's URI");

    let (network, me_ref, uri_ref) = (&devnet, &me, uri.as_str());
    let view =
        eventually("the post with its image", || async { network.post_view(me_ref, uri_ref).await }).await;
    assert_eq!(view["record"]["text"], json!("New mugs in the shop"));
    assert_eq!(view["record"]["embed"]["images"][0]["image"]["mimeType"], json!("image/png"));
    assert_eq!(view["record"]["embed"]["images"][0]["image"]["size"], json!(PNG.len()));
    assert_eq!(view["embed"]["$type"], json!("app.bsky.embed.images#view"));
    assert_eq!(view["embed"]["images"][0]["alt"], json!(alt));
    assert!(view["embed"]["images"][0]["fullsize"].as_str().is_some_and(|u| u.starts_with("http")), "{view}");

    // A resend of the same task finds the post instead of writing (and uploading) it again.
    let again = acting.plugin.execute(&acting.binding, "rapport-bsky-media-1", &post).await.expect("resend");
    assert_eq!(again.id.as_deref(), Some(uri.as_str()));

    eprintln!("devnet media passed in {:.1} s", started.elapsed().as_secs_f64());
}
