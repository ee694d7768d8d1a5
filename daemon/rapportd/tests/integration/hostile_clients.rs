//! The control socket against hostile clients: a thousand connections that never send, a client
//! that connects and hangs up a hundred thousand times, frames at and over the size cap, and a
//! connection from another user. Each time the daemon keeps answering the real CLI, its memory
//! stays bounded (RSS sampled from /proc) and it leaks no file descriptors.

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::process::Command;

use rapport_protocol::{MAX_FRAME, PROTOCOL_VERSION};
use rapport_tests::sandbox::{Seed, SeedAccount};

use crate::common::rss_kib;

const TOKEN: &str = "hostile-token";

async fn daemon() -> crate::common::MastodonRig {
    let seed = Seed::new(TOKEN).own(SeedAccount::new("shop", "The Shop"));
    let mut rig = crate::common::MastodonRig::new(TOKEN, seed, "").await;
    rig.start();
    rig
}

/// The daemon's open file descriptors.
fn fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).expect("/proc fd").count()
}

fn status_answers(rig: &crate::common::Rig) {
    let out = rig.cli(&["status"]);
    assert!(out.status.success(), "rapport status failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// One frame: the length, then the body.
fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = u32::try_from(body.len()).unwrap().to_be_bytes().to_vec();
    out.extend_from_slice(body);
    out
}

/// The error reply's JSON, read back from the stream.
fn reply(stream: &mut UnixStream) -> serde_json::Value {
    let mut header = [0u8; 4];
    stream.read_exact(&mut header).expect("a reply header");
    let mut body = vec![0; u32::from_be_bytes(header) as usize];
    stream.read_exact(&mut body).expect("a reply body");
    serde_json::from_slice(&body).expect("the reply is JSON")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_silent_connections_and_a_hundred_thousand_reconnects_leave_the_daemon_serving() {
    let rig = daemon().await;
    let pid = rig.pid().unwrap();
    status_answers(&rig);
    let (rss_before, fds_before) = (rss_kib(pid), fds(pid));

    let silent: Vec<UnixStream> = (0..1_000).map(|_| UnixStream::connect(rig.socket()).unwrap()).collect();
    rig.wait("the daemon to accept the silent connections", || {
        (fds(pid) >= fds_before + 1_000).then_some(())
    });
    status_answers(&rig);
    let rss_silent = rss_kib(pid);
    drop(silent);

    for _ in 0..100_000 {
        drop(UnixStream::connect(rig.socket()).unwrap());
    }
    status_answers(&rig);
    // The hung-up connections are reaped: back to where it started, give or take the CLI's.
    rig.wait("the daemon to close the hung-up connections", || (fds(pid) <= fds_before + 8).then_some(()));
    let rss_after = rss_kib(pid);
    eprintln!(
        "RSS: {rss_before} KiB at rest, {rss_silent} KiB with 1,000 silent connections, {rss_after} KiB after 100,000 reconnects"
    );
    assert!(
        rss_silent < rss_before + 64 * 1024,
        "1,000 idle connections cost under 64 MiB: {rss_silent} KiB"
    );
    assert!(rss_after < rss_before + 64 * 1024, "reconnects leave no growth past 64 MiB: {rss_after} KiB");
}

#[tokio::test(flavor = "multi_thread")]
async fn frames_at_and_over_the_cap_get_an_error_reply_and_the_daemon_goes_on() {
    let rig = daemon().await;
    // At the cap: read whole, refused as malformed, the connection still usable.
    let mut at_cap = UnixStream::connect(rig.socket()).unwrap();
    at_cap.write_all(&frame(&vec![b'x'; MAX_FRAME as usize])).unwrap();
    let refused = reply(&mut at_cap);
    assert!(refused.to_string().contains("malformed"), "{refused}");
    let status = format!(r#"{{"version":{PROTOCOL_VERSION},"request":{{"request":"status"}}}}"#);
    at_cap.write_all(&frame(status.as_bytes())).unwrap();
    let answer = reply(&mut at_cap);
    assert!(answer.to_string().contains("daemon_version"), "the same connection is answered: {answer}");

    // Over the cap: refused from the header alone, before any body is read or allocated.
    let mut over = UnixStream::connect(rig.socket()).unwrap();
    over.write_all(&(MAX_FRAME + 1).to_be_bytes()).unwrap();
    let refused = reply(&mut over);
    assert!(refused.to_string().contains("exceeds the limit"), "{refused}");
    let mut rest = Vec::new();
    over.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty(), "then the connection is closed");

    // Garbage and a frame cut short.
    let mut garbage = UnixStream::connect(rig.socket()).unwrap();
    garbage.write_all(&frame(b"\xff\xfe not json")).unwrap();
    assert!(reply(&mut garbage).to_string().contains("malformed"));
    let mut short = UnixStream::connect(rig.socket()).unwrap();
    short.write_all(&100u32.to_be_bytes()).unwrap();
    short.write_all(b"{\"ver").unwrap();
    drop(short);
    status_answers(&rig);
}

#[tokio::test(flavor = "multi_thread")]
async fn another_user_is_refused_even_where_the_file_mode_would_let_them_in() {
    if rustix::process::geteuid().as_raw() != 0 {
        eprintln!("skipped: only root can connect as another user here (run the suite as root to cover it)");
        return;
    }
    let rig = daemon().await;
    // A mistaken mode on the socket and its directories: the peer check still stands.
    let socket = rig.socket();
    for dir in socket.ancestors().skip(1).take_while(|d| d.starts_with(std::env::temp_dir())) {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o777)).unwrap();
    let script = format!(
        "import socket,struct,json;s=socket.socket(socket.AF_UNIX);s.connect('{}');\
         b=json.dumps({{'version':{PROTOCOL_VERSION},'request':{{'request':'status'}}}}).encode();\
         s.sendall(struct.pack('>I',len(b))+b);n=struct.unpack('>I',s.recv(4))[0];print(s.recv(n).decode())",
        socket.display()
    );
    let out = Command::new("setpriv")
        .args(["--reuid", "65534", "--regid", "65534", "--clear-groups", "/usr/bin/python3", "-c", &script])
        .output()
        .expect("setpriv runs");
    let answer = String::from_utf8_lossy(&out.stdout);
    assert!(
        answer.contains("only the user running rapportd may use its socket"),
        "{answer} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(rig.log().contains("refused a connection from another user"));
    status_answers(&rig);
}
