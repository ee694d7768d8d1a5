//! The contract 0.2 reads and the direct message, through the daemon's plugin host and the real
//! Mastodon plugin against the sandbox's demo world: discovery by hashtag (the account itself
//! left out, each person with the post that surfaced them), the own posts with their counts,
//! relationships in bulk, the acting account, and a direct message only its recipient sees.
//!
//! Needs the plugins built (`cargo xtask plugins`, which `cargo xtask test` runs first).

use std::sync::Arc;

use rapport_core::platform::PluginError;
use rapport_core::reads::DiscoverySource;
use rapport_core::task::Action;
use rapport_host::CallFailure;
use rapport_tests::sandbox::{MastodonSandbox, Seed};
use rapportd::settings::Settings;
use rapportd::state::State;

const TOKEN: &str = "sandbox-token";

async fn start() -> (MastodonSandbox, crate::common::Rig, Arc<State>) {
    let sandbox = MastodonSandbox::start(Seed::demo()).await.expect("sandbox starts");
    let rig = crate::common::Rig::new(
        |rig| crate::common::mastodon_account(rig, "kiln", &sandbox.base_url(), TOKEN),
        "",
    );
    let clock = Arc::new(crate::common::TestClock::at(1_800_000_000));
    let daemon =
        State::start(Settings::load(&rig.config_path()).unwrap(), clock).await.expect("daemon starts");
    (sandbox, rig, daemon)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hashtag_surfaces_its_posters_with_their_post_but_never_the_account_itself() {
    let (sandbox, _rig, daemon) = start().await;
    let account = daemon.account("kiln").expect("the account loaded");
    let (plugin, binding) = (&account.plugin, &account.binding);
    let page = plugin.discover(binding, &DiscoverySource::Hashtag("pottery".into()), None).await.unwrap();
    let handles: Vec<&str> = page.items.iter().map(|c| c.account.handle.as_str()).collect();
    // Newest first; Mira's #pottery post is unlisted and the account's own is left out.
    assert_eq!(handles, ["ana@ceramics.example", "clay_collective@ceramics.example", "ben_throws"]);
    let ana = &page.items[0];
    assert!(ana.post.as_ref().is_some_and(|p| p.text.contains("celadon test tiles")), "{ana:?}");
    assert_eq!(ana.why, "posted #pottery");
    assert!(page.items.iter().all(|c| c.known_followers.is_some()), "familiar followers asked once per page");

    let suggested = plugin.discover(binding, &DiscoverySource::Suggestions, None).await.unwrap();
    assert!(suggested.items.iter().any(|c| c.why.contains("friends of friends")), "{suggested:?}");

    let own = plugin.own_posts(binding, None).await.unwrap();
    let log = own.items.iter().find(|p| p.post.text.starts_with("Firing log")).expect("the firing log");
    assert_eq!((log.metrics.likes, log.metrics.reposts, log.metrics.replies), (14, 3, 2));

    let hana = sandbox.account_id("hana@studio.example").unwrap();
    let ben = sandbox.account_id("ben_throws").unwrap();
    let relationships = plugin.relationships(binding, &[hana.clone(), ben.clone()]).await.unwrap();
    let following: Vec<(&str, bool)> =
        relationships.iter().map(|r| (r.id.as_str(), r.relationship.following)).collect();
    assert_eq!(following, [(hana.as_str(), true), (ben.as_str(), false)]);

    let me = plugin.lookup_self(binding).await.unwrap();
    assert_eq!(me.handle, "kiln");
    let hana_posts = plugin.recent_posts(binding, &hana, None).await.unwrap();
    assert!(hana_posts.items.iter().all(|p| p.author.id == hana) && !hana_posts.items.is_empty());

    // An empty id is refused before any request.
    let err = plugin.recent_posts(binding, " ", None).await.unwrap_err();
    assert!(matches!(err.failure, CallFailure::Plugin(PluginError::Permanent(_))), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_direct_message_is_a_direct_status_its_recipient_alone_gets() {
    let (sandbox, _rig, daemon) = start().await;
    let account = daemon.account("kiln").expect("the account loaded");
    let ana = sandbox.account_id("ana@ceramics.example").unwrap();
    let message = Action::Message { account_id: ana, text: "Those celadon tiles are lovely!".into() };
    account.plugin.execute(&account.binding, "dm-1", &message).await.expect("the message goes out");
    let sent = sandbox.direct_messages_to("ana@ceramics.example");
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].text.contains("Those celadon tiles are lovely!"), "{sent:?}");
    let tag =
        account.plugin.discover(&account.binding, &DiscoverySource::Hashtag("pottery".into()), None).await;
    assert!(
        tag.unwrap()
            .items
            .iter()
            .all(|c| !c.post.as_ref().is_some_and(|p| p.text.contains("celadon tiles are")))
    );
}
