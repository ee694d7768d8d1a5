//! The content library through the real `rapport` and `rapportd` binaries: `post add` writes a
//! post file the library reads back whatever the text holds, `post remove` deletes it and says
//! so, and `post preview` measures the text the way the account's platform does.
//!
//! Needs the plugins built (`cargo xtask plugins`, which `cargo xtask test` runs first).

use rapport_tests::sandbox::{Seed, SeedAccount};
use serde_json::Value;

type Rig = crate::common::MastodonRig;

const TOKEN: &str = "posts-token";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn rig() -> Rig {
    let seed = Seed::new(TOKEN).own(SeedAccount::new("shop", "The Shop"));
    let mut rig = Rig::new(TOKEN, seed, "[posting]\nfolder = \"posts\"\n").await;
    std::fs::create_dir(rig.config_path().parent().unwrap().join("posts")).unwrap();
    rig.start();
    rig
}

#[tokio::test(flavor = "multi_thread")]
async fn an_added_post_reads_back_as_written_and_removing_it_says_so() {
    let rig = rig().await;
    // Quotes, a backslash and a family emoji (joined by U+200D, which Rust's debug quoting would
    // write as `\u{200d}`, not TOML) in every field the file holds.
    let words = r#"Our "seconds" sale: C:\kiln prices 👨‍👩‍👧 halved"#;
    let alt = "a \"blue\" mug 👨‍👩‍👧";
    let add = rig.cli(&["post", "add", words, "--sales", "--account", "shop", "--alt", alt]);
    assert!(add.status.success(), "{}", text(&add.stderr));
    let listed = rig.cli(&["--json", "post", "list"]);
    let entries: Vec<Value> = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(entries.len(), 1, "{entries:#?}");
    assert_eq!((entries[0]["text"].as_str(), entries[0]["kind"].as_str()), (Some(words), Some("sales")));
    assert_eq!(entries[0]["accounts"], serde_json::json!(["shop"]));
    let id = entries[0]["id"].as_str().unwrap().to_owned();
    let file = rig.config_path().parent().unwrap().join("posts").join(format!("{id}.md"));
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.contains("media_alt = ") && !written.contains("\\u{"), "{written}");

    let removed = rig.cli(&["post", "remove", &id]);
    assert!(removed.status.success(), "{}", text(&removed.stderr));
    assert_eq!(text(&removed.stdout), "1 removed, 0 failed.\n");
    assert!(!file.exists());
    let listed = rig.cli(&["--json", "post", "list"]);
    assert_eq!(serde_json::from_slice::<Vec<Value>>(&listed.stdout).unwrap(), Vec::<Value>::new());
    let again = rig.cli(&["post", "remove", &id]);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).contains(&format!("no library entry `{id}`")), "{}", text(&again.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_preview_measures_the_text_as_the_accounts_platform_does() {
    let rig = rig().await;
    // 470 characters of words and a long link: Mastodon counts the link as 23, so it fits.
    let link = format!("https://example.shop/{}", "workshop/".repeat(20));
    let fits = format!("{} {link}", "a".repeat(470));
    let out = rig.cli(&["--json", "post", "preview", &fits]);
    let preview: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(preview["warnings"], serde_json::json!([]), "{preview:#}");
    let long = "a".repeat(501);
    let out = rig.cli(&["--json", "post", "preview", &long]);
    let preview: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        preview["warnings"],
        serde_json::json!(["501 characters: over Mastodon's 500 (account shop)"])
    );
}
