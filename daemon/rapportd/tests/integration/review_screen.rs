//! `rapport review`'s full screen in a real pseudo-terminal, against the real daemon and the
//! Mastodon sandbox: a person approves one task, edits and approves one, rejects one, approves and
//! undoes one, with a `kill -9` of the daemon in the middle; the sandbox receives exactly the two
//! approved ones, once each, and the undone one is proposed again.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use rapport_tests::sandbox::{Seed, SeedAccount};

use crate::common::{cli_path, id, kind};

const TOKEN: &str = "review-token";

/// The terminal the review runs in: what the program drew, as a screen, and its keyboard.
struct Pty {
    screen: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    keys: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Pty {
    /// Starts `rapport review` on an 80×24 terminal.
    fn review(socket: &std::path::Path) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize { rows: 24, cols: 80, pixel_width: 0, pixel_height: 0 })
            .expect("a pseudo-terminal");
        let mut command = CommandBuilder::new(cli_path());
        command.args(["--socket".as_ref(), socket.as_os_str(), "review".as_ref()]);
        command.env("TERM", "xterm-256color");
        let child = pair.slave.spawn_command(command).expect("rapport review starts");
        drop(pair.slave);
        let screen =
            Arc::new(Mutex::new(vt100::Parser::new(24.try_into().unwrap(), 80.try_into().unwrap(), 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let (into_screen, into_raw) = (Arc::clone(&screen), Arc::clone(&raw));
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                into_screen.lock().unwrap().process(&buf[..n]);
                into_raw.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let keys = pair.master.take_writer().unwrap();
        // The master must outlive the child's use of the terminal.
        std::mem::forget(pair.master);
        Pty { screen, raw, keys, child }
    }

    fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Waits until the screen shows `text`.
    fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.contents().contains(text) {
            assert!(Instant::now() < deadline, "the screen never showed {text:?}:\n{}", self.contents());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn press(&mut self, keys: &str) {
        self.keys.write_all(keys.as_bytes()).unwrap();
        self.keys.flush().unwrap();
        std::thread::sleep(Duration::from_millis(150));
    }

    /// Narrows the list to the one task matching `needle` (the search), so it is selected.
    fn select(&mut self, needle: &str) {
        self.press("\x1b");
        self.press("/");
        self.press(needle);
        self.press("\r");
        self.wait_for(&format!("[\"{needle}\"]"));
    }
}

fn shop() -> Seed {
    crate::common::shop_seed(TOKEN)
        .account(
            SeedAccount::new("bo@potters.example", "Bo Lindqvist")
                .note("Wood-fired stoneware from a barn in Dalarna.")
                .counts(640, 310, 1_200),
        )
        .follower("ana@ceramics.example")
        .follower("bo@potters.example")
        .mention("jo@mastodon.example", "Do you ship your mugs to Germany?")
        .mention("tomasz@fosstodon.example", "Are your glazes food safe?")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_approves_edits_rejects_and_undoes_on_the_review_screen_and_the_sandbox_gets_the_approved_ones()
 {
    let mut rig = crate::common::MastodonRig::new(TOKEN, shop(), "").await;
    rig.start();
    let proposed = rig.wait_tasks("proposed", 4);
    let task_of = |needle: &str| {
        let task = proposed.iter().find(|t| t.to_string().contains(needle)).expect(needle);
        id(task)
    };
    let (ana, bo, jo, tomasz) =
        (task_of("ana@ceramics"), task_of("bo@potters"), task_of("Germany"), task_of("glazes food"));

    let mut pty = Pty::review(&rig.socket());
    pty.wait_for("4 to decide");

    // Approve Ana's follow-back; rapportd then dies and comes back while the review goes on.
    pty.select("ana@");
    pty.press("a");
    pty.wait_for("1 task approved");
    rig.kill9();
    rig.start();

    // Edit the reply to Jo in place and approve it.
    pty.select("germany");
    pty.press("e");
    pty.wait_for("edit (Enter approves, Esc cancels)");
    pty.press(" Yes, in 3 days!");
    pty.press("\r");
    pty.wait_for("1 task approved");

    // Reject the reply to Tomasz, with a reason.
    pty.select("glazes");
    pty.press("r");
    pty.press("answered by DM");
    pty.press("\r");
    pty.wait_for("1 task rejected");

    // Approve Bo's follow-back, then think better of it.
    pty.select("bo@");
    pty.press("a");
    pty.wait_for("1 task approved");
    pty.press("u");
    pty.wait_for("undone: 1 task back in the queue");
    pty.press("q");
    let status = pty.child.wait().expect("rapport review exits");
    assert!(status.success(), "{status:?}");
    let raw = String::from_utf8_lossy(&pty.raw.lock().unwrap()).into_owned();
    assert!(raw.contains("2 approved, 1 rejected, 0 skipped."), "{raw}");

    // The approved ones go out once their undo window closed; the others never do.
    rig.wait_tasks("done", 2);
    let task = |id: u64| rig.task(id);
    assert_eq!(task(ana)["state"], "done");
    assert_eq!(task(jo)["state"], "done");
    assert_eq!(
        (task(tomasz)["state"].clone(), task(tomasz)["note"].clone()),
        ("rejected".into(), "answered by DM".into())
    );
    assert_eq!(task(bo)["state"], "proposed", "the undone approval waits for a person again");
    assert_eq!(kind(&task(bo)), "follow-back");
    let sandbox = &rig.sandbox;
    let (ana_id, bo_id) = (
        sandbox.account_id("ana@ceramics.example").unwrap(),
        sandbox.account_id("bo@potters.example").unwrap(),
    );
    assert_eq!(sandbox.count("POST", &format!("/api/v1/accounts/{ana_id}/follow")), 1);
    assert_eq!(sandbox.count("POST", &format!("/api/v1/accounts/{bo_id}/follow")), 0);
    let statuses: Vec<_> = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/api/v1/statuses")
        .collect();
    assert_eq!(statuses.len(), 1, "one reply: Jo's");
    let form = statuses[0].form();
    let status = form.iter().find(|(k, _)| k == "status").map(|(_, v)| v.as_str()).unwrap_or_default();
    assert!(status.ends_with("thanks for asking!  Yes, in 3 days!"), "the edited text was sent: {status}");
}
