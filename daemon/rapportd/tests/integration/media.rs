//! Posts with images through the real daemon, the real Mastodon plugin and the sandbox: a
//! library entry's image is read from disk when its slot's post goes out and arrives as an
//! attachment with its alt text; an image that is missing or lacks alt text stops the daemon at
//! start, named by file, line and key, instead of failing the post on the day it is due.
//!
//! Needs the plugins built (`cargo xtask plugins`, which `cargo xtask test` runs first).

use std::sync::Arc;

use rapport_core::task::{Action, TaskState};
use rapport_tests::sandbox::{MastodonSandbox, Seed, SeedAccount};
use rapportd::scheduler;
use rapportd::settings::Settings;
use rapportd::state::State;

const TOKEN: &str = "media-token";
/// Monday 2026-12-07, 08:00 in Berlin (07:00 UTC).
const MONDAY_8: i64 = 1_796_626_800;
const HOUR: i64 = 3600;

/// A 640×480 PNG's first bytes: enough for the sandbox to sniff its type and size.
fn png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend_from_slice(&[0, 0, 2, 128, 0, 0, 1, 224]);
    png
}

fn rig(sandbox: &MastodonSandbox, entry: &str) -> crate::common::Rig {
    crate::common::Rig::new(
        |rig| crate::common::mastodon_account(rig, "shop", &sandbox.base_url(), TOKEN),
        &format!(
            r#"[[schedules]]
name = "mornings"
cron = "0 0 9 * * *"
timezone = "Europe/Berlin"
accounts = ["shop"]

[[library]]
id = "new-mugs"
text = "New mugs are out of the kiln."
{entry}
"#
        ),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_library_image_goes_out_as_an_attachment_with_its_alt_text() {
    let sandbox = MastodonSandbox::start(Seed::new(TOKEN).own(SeedAccount::new("shop", "The Shop")))
        .await
        .expect("sandbox starts");
    let rig = rig(&sandbox, "image = \"pictures/mug.png\"\nmedia_alt = \"A blue mug, still warm\"");
    let config = rig.config_path();
    let pictures = config.parent().unwrap().join("pictures");
    std::fs::create_dir(&pictures).unwrap();
    std::fs::write(pictures.join("mug.png"), png()).unwrap();
    let clock = Arc::new(crate::common::TestClock::at(MONDAY_8));
    let daemon: Arc<State> =
        State::start(Settings::load(&config).unwrap(), clock.clone()).await.expect("daemon starts");

    assert_eq!(scheduler::pass(&daemon).unwrap(), Some(MONDAY_8 + HOUR));
    clock.set(MONDAY_8 + HOUR);
    scheduler::pass(&daemon).unwrap();
    let queued = daemon.store.in_state(TaskState::Approved).map(Result::unwrap).next().expect("a post");
    // The task keeps the image's absolute path, not its bytes.
    assert!(
        matches!(&queued.action, Action::Publish { media, .. }
            if media.len() == 1 && media[0].path == pictures.join("mug.png") && media[0].mime_type == "image/png"),
        "{:?}",
        queued.action
    );
    let (_, started) = crate::common::executor_pass(&daemon).await;
    assert_eq!(started, 1);
    assert_eq!(daemon.store.in_state(TaskState::Done).count(), 1);
    let uploaded = sandbox.uploaded_media();
    assert_eq!(uploaded.len(), 1, "one upload");
    assert_eq!(
        (uploaded[0].mime.as_str(), uploaded[0].bytes.clone(), uploaded[0].description.as_deref()),
        ("image/png", png(), Some("A blue mug, still warm"))
    );
    assert!(uploaded[0].status_id.is_some(), "the image is attached to the post");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_image_or_one_without_alt_text_stops_the_start_naming_its_line_and_key() {
    let sandbox = MastodonSandbox::start(Seed::new(TOKEN).own(SeedAccount::new("shop", "The Shop")))
        .await
        .expect("sandbox starts");
    let missing = rig(&sandbox, "image = \"pictures/gone.png\"\nmedia_alt = \"A blue mug\"");
    let clock = Arc::new(crate::common::TestClock::at(MONDAY_8));
    let settings = Settings::load(&missing.config_path()).expect("the config itself is fine");
    let err = State::start(settings, clock.clone()).await.map(drop).unwrap_err();
    let text = format!("{err:#}");
    assert!(text.contains("library[0].image") && text.contains("gone.png"), "{text}");
    assert!(text.contains("put the image there or fix the path"), "{text}");

    let no_alt = rig(&sandbox, "image = \"mug.png\"");
    std::fs::write(no_alt.config_path().parent().unwrap().join("mug.png"), png()).unwrap();
    let err = Settings::load(&no_alt.config_path()).map(drop).unwrap_err();
    let text = format!("{err:#}");
    assert!(text.contains("library[0].image") && text.contains("has no alt text"), "{text}");
}
