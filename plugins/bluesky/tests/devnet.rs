//! End to end against Bluesky's reference implementation: the built plugin, run by the real host,
//! reads a follow and a mention from a local PDS + AppView and answers with a reply and a
//! follow-back that then appear on the network.
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
use rapport_core::task::Action;
use rapport_host::egress::grant::EgressGrant;
use rapport_host::egress::secrets::Secrets;
use rapport_host::kv::{MemoryKv, PluginKv};
use rapport_host::{AccountBinding, AccountContext, HostConfig, PluginHost};
use rapport_tests::bsky_devnet::{Devnet, INDEX_WAIT, eventually};
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
            api_base: pds.clone(),
            user: me.handle.clone(),
            settings: Vec::new(),
        },
        egress: EgressGrant::new(&[pds.as_str()], true).expect("the PDS URL is a host pattern"),
        secrets: [("app_password", me.password.as_str())].into_iter().collect::<Secrets>(),
        kv: kv.clone(),
    };

    // Poll as the daemon does: keep the cursor, stop at `next_cursor: None`, until the AppView
    // has indexed both.
    let mut cursor: Option<String> = None;
    let mut delivered: Vec<Notification> = Vec::new();
    let deadline = Instant::now() + INDEX_WAIT;
    let find = |all: &[Notification], kind: NotificationKind| all.iter().find(|n| n.kind == kind).cloned();
    let (mention_n, follow_n) = loop {
        let page = plugin.fetch_notifications(&binding, cursor.clone()).await.expect("fetch-notifications");
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
    let again = plugin.fetch_notifications(&binding, cursor.clone()).await.expect("fetch-notifications");
    assert!(again.items.is_empty(), "already delivered: {:#?}", again.items);
    assert_eq!(again.next_cursor, None);

    // The approved reply (with a mention and a link after non-ASCII text) and the follow-back.
    let reply_text = format!("Danke 🙏 @{} — mehr unter https://example.com/über", fan.handle);
    let reply = Action::Reply {
        to_post_id: mentioned_post.id.clone(),
        text: reply_text.clone(),
        visibility: String::new(),
    };
    let replied = plugin.execute(&binding, "rapport-bsky-1", &reply).await.expect("reply");
    let reply_uri = replied.id.clone().expect("the reply's URI");
    assert!(reply_uri.starts_with(&format!("at://{}/app.bsky.feed.post/", me.did)), "{reply_uri}");
    let resent = plugin.execute(&binding, "rapport-bsky-1", &reply).await.expect("resent reply");
    assert_eq!(resent.id, replied.id, "a resend of the same task finds the first reply");

    let follow_back = Action::FollowBack { account_id: fan.did.clone() };
    let followed = plugin.execute(&binding, "rapport-bsky-2", &follow_back).await.expect("follow-back");
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
    let relationship = plugin.relationship(&binding, &fan.did).await.expect("relationship");
    assert!(relationship.following && relationship.followed_by, "{relationship:?}");
    let followers = plugin.list_followers(&binding, None).await.expect("list-followers");
    assert!(followers.items.iter().any(|a| a.id == fan.did));

    eprintln!("devnet test passed in {:.1} s", started.elapsed().as_secs_f64());
}
