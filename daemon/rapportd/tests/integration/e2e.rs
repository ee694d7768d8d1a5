//! End to end: the real `rapportd` process, the real Mastodon plugin (`.wasm`), the real `rapport`
//! CLI over the real socket, against the local Mastodon-API sandbox.
//!
//! Needs the plugins built (`cargo xtask plugins`, which `cargo xtask test` runs first) and the
//! `rapport` binary (`cargo build -p rapport-cli`); each test says so if they are missing.

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::time::Duration;

use rapport_protocol::requests::Status;
use rapport_protocol::{Request, RequestEnvelope};
use rapport_tests::sandbox::{Fault, FaultRule, Seed};
use serde_json::Value;

use crate::common::{id, kind, plugin_path};

const TOKEN: &str = "e2e-token";

type Rig = crate::common::MastodonRig;

fn shop() -> Seed {
    crate::common::shop_seed(TOKEN)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_follower_and_a_question_become_tasks_and_each_is_sent_exactly_once() {
    let seed = shop()
        .follower("ana@ceramics.example")
        .mention("jo@mastodon.example", "Do you ship your mugs to Germany, and how long does it take?");
    let mut rig = Rig::new(TOKEN, seed, "").await;
    rig.start();

    let proposed = rig.wait_tasks("proposed", 2);
    assert_eq!(proposed.len(), 2, "{proposed:#?}");
    let follow = proposed.iter().find(|t| kind(t) == "follow-back").expect("a follow-back task");
    let reply = proposed.iter().find(|t| kind(t) == "reply").expect("a reply task");
    assert!(follow["context"]["legitimacy"]["score"].as_u64().is_some(), "{follow:#}");
    let draft = reply["action"]["text"].as_str().unwrap();
    assert!(draft.starts_with("Hi Jo Okafor"), "the draft addresses the person by name: {draft}");

    let approve = rig.cli(&["approve", &id(follow).to_string(), &id(reply).to_string()]);
    assert!(approve.status.success(), "{}", String::from_utf8_lossy(&approve.stderr));
    rig.wait_tasks("done", 2);

    let ana = rig.sandbox.account_id("ana@ceramics.example").unwrap();
    assert_eq!(rig.sandbox.count("POST", &format!("/api/v1/accounts/{ana}/follow")), 1);
    assert_eq!(rig.sandbox.count("POST", "/api/v1/statuses"), 1);
    let sent = rig
        .sandbox
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path == "/api/v1/statuses")
        .unwrap();
    assert!(sent.header("idempotency-key").is_some_and(|k| k.contains(&id(reply).to_string())));

    // A reload restarts polling at once: the same page comes back and makes nothing new.
    let polls = rig.sandbox.count("GET", "/api/v1/notifications");
    rig.reload();
    rig.wait("a poll after the reload", || {
        (rig.sandbox.count("GET", "/api/v1/notifications") > polls).then_some(())
    });
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(rig.tasks(None).len(), 2, "refetching made no new task");
    assert_eq!(rig.sandbox.count("POST", "/api/v1/statuses"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_approved_task_survives_kill_9_before_execution_and_is_sent_once() {
    let seed = shop().follower("ana@ceramics.example").follower("tomasz@fosstodon.example");
    // One follow-back an hour: the second approved task waits, approved but not executed.
    let mut rig =
        Rig::new(TOKEN, seed, "[[policy.budgets]]\naction = \"follow-back\"\nmin_gap = \"1h\"").await;
    rig.start();
    let proposed = rig.wait_tasks("proposed", 2);
    let ids: Vec<String> = proposed.iter().map(|t| id(t).to_string()).collect();
    assert!(rig.cli(&["approve", &ids[0], &ids[1]]).status.success());
    rig.wait_tasks("done", 1);
    let held = rig.wait("a held task", || {
        rig.tasks(Some("approved")).into_iter().find(|t| t["not_before"].is_i64() && t["note"].is_string())
    });
    assert!(held["note"].as_str().unwrap().contains("follow-back"), "{held:#}");

    rig.kill9();
    rig.write_config("");
    rig.start();
    rig.wait_tasks("done", 2);
    for acct in ["ana@ceramics.example", "tomasz@fosstodon.example"] {
        let account = rig.sandbox.account_id(acct).unwrap();
        assert_eq!(rig.sandbox.count("POST", &format!("/api/v1/accounts/{account}/follow")), 1, "{acct}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_send_interrupted_by_kill_9_needs_a_check_and_nothing_is_sent_twice() {
    let seed = shop().mention("jo@mastodon.example", "What clay body do you use for the speckled mugs?");
    let mut rig = Rig::new(TOKEN, seed, "").await;
    rig.sandbox.inject(FaultRule::new(Fault::Hold).times(1).on("POST", "/api/v1/statuses"));
    rig.start();
    let reply = rig.wait_tasks("proposed", 1).remove(0);
    assert!(rig.cli(&["approve", &id(&reply).to_string()]).status.success());
    assert!(rig.sandbox.wait_held(1, Duration::from_secs(30)).await, "the send reached the sandbox");

    // (b) killed while the platform holds the send open.
    rig.kill9();
    rig.sandbox.release();
    rig.start();
    let checked = rig.wait_tasks("needs-check", 1).remove(0);
    assert_eq!(id(&checked), id(&reply));
    assert!(checked["note"].as_str().unwrap().contains("resend or mark done"), "{checked:#}");
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(rig.sandbox.count("POST", "/api/v1/statuses"), 1, "nothing resent without a person");

    // The person resends: the same idempotency key, so the platform does not post twice.
    assert!(rig.cli(&["resend", &id(&reply).to_string()]).status.success());
    rig.wait("the resend", || (rig.task(id(&reply))["state"] == "done").then_some(()));
    let keys = crate::common::status_idempotency_keys(&rig.sandbox);
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1], "a resend carries the same Idempotency-Key");

    // (c) killed after execution: nothing is sent again.
    rig.kill9();
    rig.start();
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(rig.sandbox.count("POST", "/api/v1/statuses"), 2);
    assert_eq!(rig.task(id(&reply))["state"], "done");
}

#[tokio::test(flavor = "multi_thread")]
async fn garbage_and_other_users_on_the_socket_are_refused_and_the_daemon_stays_up() {
    let mut rig = Rig::new(TOKEN, shop(), "").await;
    rig.start();

    // A well-framed body that is not a request: an error reply, and the connection stays usable.
    let mut stream = UnixStream::connect(rig.socket()).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.write_all(&[0, 0, 0, 5]).unwrap();
    stream.write_all(b"hello").unwrap();
    let reply = read_frame(&mut stream);
    assert_eq!(reply["response"]["response"], "error", "{reply}");

    // A frame that declares 4 GiB: refused before anything is allocated.
    stream.write_all(&[0xff, 0xff, 0xff, 0xff]).unwrap();
    let reply = read_frame(&mut stream);
    assert_eq!(reply["response"]["body"]["code"], "frame-too-large", "{reply}");

    // A client that connects and never writes does not stall the others.
    let _silent = UnixStream::connect(rig.socket()).unwrap();
    assert!(rig.cli(&["status"]).status.success());

    if rustix::process::geteuid().is_root() {
        another_user_is_refused_by_the_daemon_itself(&rig);
    } else {
        eprintln!("not root: the other-uid case needs to switch users and is skipped");
    }
    assert!(rig.cli(&["status"]).status.success(), "the daemon is still up");
}

/// The uid the other-user case connects as (`nobody`).
const NOBODY: u32 = 65534;

/// Connects to the socket in `$ARGV[0]`, says `connected`, sends the frame hex-encoded in
/// `$ARGV[1]`, half-closes and copies everything the daemon sends to stdout until it closes.
///
/// Perl (perl-base, in every Debian system) because the other user must run something that needs
/// nothing from the build folder, which may sit in a private clone it cannot enter. Exit 0: the
/// daemon closed the connection (EOF, or a reset when it closed without reading the request);
/// 3: could not connect; 4: another read error; 5: the daemon kept the connection open.
const RAW_CLIENT: &str = r#"
use strict;
use warnings;
use IO::Socket::UNIX;
use Errno;
$SIG{PIPE} = 'IGNORE';
$SIG{ALRM} = sub { print STDERR "the daemon kept the connection open\n"; exit 5 };
alarm 20;
my $sock = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ARGV[0])
    or do { print STDERR "connect: $!\n"; exit 3 };
binmode STDOUT;
$| = 1;
print "connected\n";
# A daemon that refuses at once may have closed already; what it sent is still readable.
defined syswrite($sock, pack('H*', $ARGV[1])) or print STDERR "write: $!\n";
shutdown($sock, 1);
while (1) {
    my $n = sysread($sock, my $buf, 65536);
    if (!defined $n) {
        if ($!{ECONNRESET}) { print STDERR "reset\n"; last }
        print STDERR "read: $!\n";
        exit 4;
    }
    last if $n == 0;
    print $buf;
}
"#;

/// What [`RAW_CLIENT`] received, as frames, after checking that it ran, connected and saw the
/// daemon close; `who` names the run in failure messages.
fn raw_status_request(rig: &Rig, who: &str, mut command: Command) -> Vec<Value> {
    let frame = rapport_protocol::encode_frame(&RequestEnvelope::new(Request::Status(Status {}))).unwrap();
    let hex: String = frame.iter().map(|b| format!("{b:02x}")).collect();
    let out = command
        .arg("-e")
        .arg(RAW_CLIENT)
        .arg(rig.socket())
        .arg(hex)
        // Nothing from the test's environment or working dir (a private clone) reaches the client.
        .env_clear()
        .current_dir("/")
        .output()
        .expect("/usr/bin/perl runs (perl-base is in every Debian system)");
    let err = String::from_utf8_lossy(&out.stderr);
    let mut received = out
        .stdout
        .strip_prefix(b"connected\n")
        .unwrap_or_else(|| panic!("{who}: the client did not connect ({}): {err}", out.status));
    assert!(out.status.success(), "{who}: the daemon did not close the connection ({}): {err}", out.status);
    let mut frames = Vec::new();
    while !received.is_empty() {
        frames.push(read_frame(&mut received));
    }
    frames
}

/// Another uid reaches the socket (the folder and file let it) and the daemon's own peer check
/// refuses it: the file system must not be what says no, or the check goes untested.
fn another_user_is_refused_by_the_daemon_itself(rig: &Rig) {
    let socket = rig.socket();
    let dir = socket.parent().expect("the socket is in the rig's folder");
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o666)).unwrap();
    for ancestor in dir.ancestors().skip(1) {
        let mode = std::fs::metadata(ancestor).unwrap().permissions().mode();
        assert!(
            mode & 0o001 != 0,
            "{} (mode {mode:o}) keeps other users from the socket: point TMPDIR at a folder they can enter",
            ancestor.display()
        );
    }
    const REFUSED: &str = "refused a connection from another user";

    // The same client and frame as root first: it gets a real answer, so the frame is well formed.
    let own = raw_status_request(rig, "root", Command::new("/usr/bin/perl"));
    assert_eq!(own.len(), 1, "{own:?}");
    assert_eq!(own[0]["response"]["response"], "status", "{}", own[0]);
    assert!(!rig.log().contains(REFUSED), "root is not refused:\n{}", rig.log());

    let mut as_nobody = Command::new("/usr/bin/perl");
    as_nobody.uid(NOBODY).gid(NOBODY);
    let other = raw_status_request(rig, "uid 65534", as_nobody);
    assert_eq!(other.len(), 1, "only the refusal, no status: {other:?}");
    assert_eq!(other[0]["response"]["response"], "error", "{}", other[0]);
    assert_eq!(other[0]["response"]["body"]["code"], "bad-request", "{}", other[0]);
    let message = other[0]["response"]["body"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("only the user running rapportd"), "{}", other[0]);
    rig.wait("the daemon's refusal in its log", || {
        rig.log()
            .lines()
            .any(|line| line.contains(REFUSED) && line.contains(&NOBODY.to_string()))
            .then_some(())
    });
}

fn read_frame(stream: &mut impl Read) -> Value {
    let mut len = [0u8; 4];
    stream.read_exact(&mut len).unwrap();
    let mut body = vec![0u8; u32::from_be_bytes(len) as usize];
    stream.read_exact(&mut body).unwrap();
    serde_json::from_slice(&body).unwrap()
}

#[test]
fn a_broken_config_names_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rapport.toml");
    std::fs::write(
        &file,
        "[[accounts]]\nname = \"shop\"\nplatform = \"mastodon\"\nplugin = \"m.wasm\"\napi_base = \"https://example.social\"\nuser = \"shop\"\npoll_intervall = \"5m\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rapportd"))
        .arg("--check-config")
        .arg("--config")
        .arg(&file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("{}:7:", file.display())), "names file and line: {err}");
    assert!(err.contains("poll_intervall"), "names the key: {err}");
}

#[test]
fn check_config_loads_the_plugins_and_refuses_a_budget_above_the_platform_ceiling() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rapport.toml");
    let config = |per_day: u32| {
        format!(
            "data_dir = \"{data}\"\n\n[[accounts]]\nname = \"shop\"\nplatform = \"mastodon\"\nplugin = \"{plugin}\"\n\
             api_base = \"https://example.social\"\nuser = \"shop\"\n\n[[policy.budgets]]\naction = \"follow\"\n\
             per_day = {per_day}\n",
            data = dir.path().join("data").display(),
            plugin = plugin_path("mastodon").display(),
        )
    };
    let check = || {
        Command::new(env!("CARGO_BIN_EXE_rapportd"))
            .arg("--check-config")
            .arg("--config")
            .arg(&file)
            .output()
            .unwrap()
    };

    std::fs::write(&file, config(100)).unwrap();
    let out = check();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("valid") && stdout.contains("account `shop`: mastodon"), "{stdout}");
    assert!(!dir.path().join("data/rapport.lock").exists(), "a check does not open the store");

    // Mastodon allows 400 follows a day; a budget above that can only get the account limited.
    std::fs::write(&file, config(1000)).unwrap();
    let out = check();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(&file.display().to_string()) && err.contains("account `shop`"), "{err}");
    assert!(err.contains("policy.budgets[0].per_day") && err.contains("400"), "names key and ceiling: {err}");
}

/// The Mastodon scopes the plugin's README tells a person to give the token, read from the README
/// itself so that the documentation and this test cannot drift apart.
fn documented_scopes() -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../plugins/mastodon/README.md"))
            .expect("plugins/mastodon/README.md");
    readme
        .split('`')
        .find(|quoted| quoted.starts_with("read:notifications "))
        .expect("the README lists the scopes as `read:notifications …`")
        .to_owned()
}

/// A question and a follower on a sandbox that enforces OAuth scopes, with a token holding `scopes`.
fn scoped_shop(scopes: &str) -> Seed {
    shop()
        .scopes(scopes)
        .follower("ana@ceramics.example")
        .mention("jo@mastodon.example", "Do you ship your mugs to Germany, and how long does it take?")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_approved_with_the_documented_scopes_lands_on_a_server_that_enforces_them() {
    let mut rig = Rig::new(TOKEN, scoped_shop(&documented_scopes()), "").await;
    rig.start();
    let proposed = rig.wait_tasks("proposed", 2);
    let ids: Vec<String> = proposed.iter().map(|t| id(t).to_string()).collect();
    assert!(rig.cli(&["approve", &ids[0], &ids[1]]).status.success());
    rig.wait_tasks("done", 2);
    assert_eq!(rig.sandbox.count("POST", "/api/v1/statuses"), 1);
    let shop = rig.account_status("shop");
    assert_eq!(shop["attention"], serde_json::json!([]), "{shop:#}");
    assert_eq!(shop["plugin_health"]["health"], "ok", "{shop:#}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_scope_is_named_at_start_and_its_tasks_wait_for_the_fixed_token() {
    let documented = documented_scopes();
    let without_read_statuses: Vec<&str> =
        documented.split_whitespace().filter(|s| *s != "read:statuses").collect();
    let mut rig = Rig::new(TOKEN, scoped_shop(&without_read_statuses.join(" ")), "").await;
    rig.start();

    // Named before any task is approved, in status (JSON and text) and in the log.
    let attention = rig.wait("the missing scope in status", || {
        let shop = rig.account_status("shop");
        let attention = shop["attention"].as_array().cloned().unwrap_or_default();
        (!attention.is_empty()).then_some(attention)
    });
    let named = attention[0].as_str().unwrap_or_default();
    assert!(named.contains("`read:statuses`") && named.contains("reply"), "{named}");
    let text = String::from_utf8_lossy(&rig.cli(&["status"]).stdout).into_owned();
    assert!(text.contains("needs attention") && text.contains("read:statuses"), "{text}");
    assert!(rig.log().contains("read:statuses"), "{}", rig.log());

    // The follow-back needs no missing scope and goes out; the reply is held, not failed.
    let proposed = rig.wait_tasks("proposed", 2);
    let reply = proposed.iter().find(|t| kind(t) == "reply").expect("a reply task");
    let follow = proposed.iter().find(|t| kind(t) == "follow-back").expect("a follow-back task");
    assert!(rig.cli(&["approve", &id(reply).to_string(), &id(follow).to_string()]).status.success());
    rig.wait("the follow-back", || (rig.task(id(follow))["state"] == "done").then_some(()));
    let held = rig.wait("the reply held for the scope", || {
        let task = rig.task(id(reply));
        task["note"].as_str().is_some_and(|n| n.contains("read:statuses")).then_some(task)
    });
    assert_eq!(held["state"], "approved", "{held:#}");
    assert_eq!(rig.sandbox.count("POST", "/api/v1/statuses"), 0);
    assert_eq!(rig.sandbox.count("GET", "/api/v1/statuses"), 0, "nothing was tried with the missing scope");

    // The person authorizes the app again with the scope and reloads: the reply goes out once.
    rig.sandbox.grant(TOKEN, &documented).expect("grant");
    rig.reload();
    rig.wait("the reply after the reload", || (rig.task(id(reply))["state"] == "done").then_some(()));
    assert_eq!(rig.sandbox.count("POST", "/api/v1/statuses"), 1);
    assert_eq!(rig.account_status("shop")["attention"], serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_that_loses_a_scope_later_holds_the_task_instead_of_failing_it() {
    // A server on which the scope check passed at start (or an older one that lists no scopes):
    // the refusal at send time is the first word of it.
    let mut rig = Rig::new(TOKEN, scoped_shop(&documented_scopes()), "").await;
    rig.start();
    let proposed = rig.wait_tasks("proposed", 2);
    let reply = proposed.iter().find(|t| kind(t) == "reply").expect("a reply task");
    rig.sandbox.grant(TOKEN, "read:notifications read:accounts write:statuses").expect("grant");
    assert!(rig.cli(&["approve", &id(reply).to_string()]).status.success());
    let held = rig.wait("the reply held for the credential", || {
        let task = rig.task(id(reply));
        (task["state"] == "approved" && task["note"].as_str().is_some_and(|n| n.contains("read:statuses")))
            .then_some(task)
    });
    assert!(held["note"].as_str().unwrap_or_default().contains("reload"), "{held:#}");
    let shop = rig.account_status("shop");
    assert_eq!(shop["plugin_health"]["health"], "down", "{shop:#}");

    rig.sandbox.grant(TOKEN, &documented_scopes()).expect("grant");
    rig.reload();
    rig.wait("the reply after the reload", || (rig.task(id(reply))["state"] == "done").then_some(()));
    assert_eq!(rig.sandbox.count("POST", "/api/v1/statuses"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_task_is_retried_once_its_cause_is_gone_with_the_same_idempotency_key() {
    let seed = shop().mention("jo@mastodon.example", "Is the blue glaze food safe?");
    let mut rig = Rig::new(TOKEN, seed, "").await;
    rig.sandbox.inject(FaultRule::new(Fault::Status { code: 422 }).times(1).on("POST", "/api/v1/statuses"));
    rig.start();
    let reply = rig.wait_tasks("proposed", 1).remove(0);
    let reply_id = id(&reply).to_string();
    assert!(rig.cli(&["approve", &reply_id]).status.success());
    rig.wait("the refused send", || (rig.task(id(&reply))["state"] == "failed").then_some(()));

    let retry = rig.cli(&["retry", &reply_id]);
    assert!(retry.status.success(), "{}", String::from_utf8_lossy(&retry.stderr));
    rig.wait("the retried send", || (rig.task(id(&reply))["state"] == "done").then_some(()));
    let keys = crate::common::status_idempotency_keys(&rig.sandbox);
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert_eq!(keys[0], keys[1], "a retry carries the same Idempotency-Key");

    // Only a failed task can be retried; the refusal names the task.
    let again = rig.cli(&["retry", &reply_id]);
    assert!(!again.status.success());
    let err = format!("{}{}", String::from_utf8_lossy(&again.stdout), String::from_utf8_lossy(&again.stderr));
    assert!(err.contains(&reply_id) && err.contains("is done") && err.contains("retried"), "{err}");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(rig.sandbox.count("POST", "/api/v1/statuses"), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn check_config_names_a_missing_scope_before_anything_runs() {
    let rig = Rig::new(TOKEN, scoped_shop("read:notifications read:accounts write:statuses"), "").await;
    let out = Command::new(env!("CARGO_BIN_EXE_rapportd"))
        .arg("--check-config")
        .arg("--config")
        .arg(rig.config_path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for scope in ["read:statuses", "write:follows", "write:favourites", "read:follows"] {
        assert!(err.contains(&format!("`{scope}`")), "names {scope}: {err}");
    }
    assert!(err.contains("account `shop`"), "{err}");

    rig.sandbox.grant(TOKEN, &documented_scopes()).expect("grant");
    let out = Command::new(env!("CARGO_BIN_EXE_rapportd"))
        .arg("--check-config")
        .arg("--config")
        .arg(rig.config_path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("credential works as shop"), "{said}");
}
