//! The real `rapport` binary against a test peer: a Unix socket server built on the protocol
//! crate that answers each request from a script and records what it received.

use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use rapport_core::notification::Profile;
use rapport_core::task::{Action, Origin, Task, TaskContext, TaskId, TaskState};
use rapport_protocol::requests::{Approve, Queue, Reject, Show, TaskHistory};
use rapport_protocol::{
    ErrorCode, ErrorReply, ItemResult, Request, Response, ResponseEnvelope, TaskHistoryLine, decode_request,
    read_frame, write_frame,
};

/// A test peer serving connections one after another until [`Peer::join`].
struct Peer {
    socket: PathBuf,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Vec<Request>>,
}

impl Peer {
    /// Stops serving and returns the requests seen, in order, over all connections.
    fn join(self) -> std::thread::Result<Vec<Request>> {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept so the thread sees the stop.
        let _ = UnixStream::connect(&self.socket);
        self.thread.join()
    }
}

/// Answers each request with `answer`, on as many connections as the CLI opens.
fn peer(socket: &Path, answer: impl FnMut(&Request) -> Response + Send + 'static) -> Peer {
    idle_peer(socket, None, answer)
}

/// Like [`peer`], but drops a connection silent for `idle`, as rapportd does after its idle timeout.
fn idle_peer(
    socket: &Path,
    idle: Option<Duration>,
    mut answer: impl FnMut(&Request) -> Response + Send + 'static,
) -> Peer {
    let listener = UnixListener::bind(socket).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    let thread = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for stream in listener.incoming() {
            if stopped.load(Ordering::SeqCst) {
                break;
            }
            let mut stream = stream.unwrap();
            stream.set_read_timeout(idle).unwrap();
            while let Ok(body) = read_frame(&mut stream) {
                let request = decode_request(&body).unwrap();
                write_frame(&mut stream, &ResponseEnvelope::new(answer(&request))).unwrap();
                seen.push(request);
            }
        }
        seen
    });
    Peer { socket: socket.to_path_buf(), stop, thread }
}

fn rapport(socket: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(args)
        .env("RAPPORT_SOCKET", socket)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn socket_in(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("rapport.sock")
}

fn reply(id: u64, text: &str) -> Task {
    Task::propose(
        TaskId(id),
        "shop",
        Action::Reply { to_post_id: format!("s{id}"), text: text.into(), visibility: "public".into() },
        Origin::Notification { id: format!("n{id}") },
        TaskContext::default(),
        1_700_000_000,
        None,
    )
}

fn follow_back(id: u64, handle: &str) -> Task {
    let profile = Profile {
        id: format!("a{id}"),
        handle: handle.into(),
        display_name: handle.into(),
        ..Profile::default()
    };
    Task::propose(
        TaskId(id),
        "shop",
        Action::FollowBack { account_id: profile.id.clone() },
        Origin::Notification { id: format!("n{id}") },
        TaskContext { profile: Some(profile), ..TaskContext::default() },
        1_700_000_000,
        None,
    )
}

#[test]
fn a_missing_daemon_exits_3_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = rapport(&socket_in(&dir), &["status"], "");
    assert_eq!(out.status.code(), Some(3));
    let err = text(&out.stderr);
    assert!(err.contains("rapportd is not running (no socket at"), "{err}");
    assert!(err.contains("systemctl --user start rapportd"), "{err}");
}

#[test]
fn approving_many_ids_is_one_request_and_a_partial_failure_exits_4() {
    let dir = tempfile::tempdir().unwrap();
    let socket = socket_in(&dir);
    let server = peer(&socket, |request| match request {
        Request::Approve(Approve { ids, .. }) => Response::Updated(
            ids.iter()
                .map(|id| {
                    if id.0 == 404 {
                        ItemResult::failed(id, "there is no task 404")
                    } else {
                        ItemResult::ok(id)
                    }
                })
                .collect(),
        ),
        _ => Response::Error(ErrorReply::new(ErrorCode::BadRequest, "unexpected")),
    });
    let out = rapport(&socket, &["approve", "1", "#2", "404"], "");
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "404: there is no task 404\n2 approved, 1 failed.\n");
    let seen = server.join().unwrap();
    assert_eq!(
        seen,
        vec![Request::Approve(Approve {
            ids: vec![TaskId(1), TaskId(2), TaskId(404)],
            text: None,
            undoable: false
        })]
    );
}

#[test]
fn an_error_reply_exits_1_with_the_daemons_message() {
    let dir = tempfile::tempdir().unwrap();
    let socket = socket_in(&dir);
    let server =
        peer(&socket, |_| Response::Error(ErrorReply::new(ErrorCode::NotFound, "there is no task 9")));
    let out = rapport(&socket, &["show", "9"], "");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stderr), "rapport: rapportd: there is no task 9\n");
    assert_eq!(server.join().unwrap(), vec![Request::Show(Show { id: TaskId(9) })]);
}

#[test]
fn usage_errors_exit_2_without_contacting_the_daemon() {
    let dir = tempfile::tempdir().unwrap();
    let out = rapport(&socket_in(&dir), &["approve", "1", "2", "--text", "hi"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("exactly one task id"));
    let out = rapport(&socket_in(&dir), &["queue", "--state", "pending"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown state `pending`"));
}

#[test]
fn queue_json_prints_the_payload_and_sends_the_filters() {
    let dir = tempfile::tempdir().unwrap();
    let socket = socket_in(&dir);
    let tasks = vec![follow_back(7, "ann")];
    let reply = tasks.clone();
    let server = peer(&socket, move |_| Response::Tasks(reply.clone()));
    let out = rapport(
        &socket,
        &["queue", "--json", "--state", "needs-check", "--account", "shop", "--after", "3", "--limit", "20"],
        "",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let printed: Vec<Task> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed, tasks);
    let seen = server.join().unwrap();
    assert_eq!(
        seen,
        vec![Request::Queue(Queue {
            state: Some(TaskState::NeedsCheck),
            account: Some("shop".into()),
            after: Some(TaskId(3)),
            limit: 20
        })]
    );
}

#[test]
fn review_reads_decisions_from_stdin_and_pages_through_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let socket = socket_in(&dir);
    let server = peer(&socket, |request| match request {
        Request::Queue(Queue { after: None, .. }) => {
            Response::Tasks(vec![follow_back(1, "ann"), follow_back(2, "bob")])
        }
        Request::Queue(Queue { after: Some(TaskId(2)), .. }) => Response::Tasks(vec![follow_back(3, "cy")]),
        Request::Queue(Queue { .. }) => Response::Tasks(vec![]),
        Request::Approve(Approve { ids, .. }) | Request::Reject(Reject { ids, .. }) => {
            Response::Updated(ids.iter().map(ItemResult::ok).collect())
        }
        _ => Response::Error(ErrorReply::new(ErrorCode::BadRequest, "unexpected")),
    });
    // Task 1: an invalid key, then approve; task 2: reject with a reason; task 3: edit is refused
    // (a follow-back has no text), then skip; then the queue is empty.
    let out = rapport(&socket, &["review"], "x\na\nr\nlooks like spam\ne\ns\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Person: ann (@ann)"), "{stdout}");
    assert!(stdout.contains("`x` is not a choice."), "{stdout}");
    assert!(stdout.contains("This follow-back task has no text to edit."), "{stdout}");
    assert!(stdout.ends_with("No more proposed tasks.\n1 approved, 1 rejected, 1 skipped.\n"), "{stdout}");
    let seen = server.join().unwrap();
    assert_eq!(seen[1], Request::TaskHistory(TaskHistory { ids: vec![TaskId(1), TaskId(2)] }));
    assert_eq!(seen[2], Request::Approve(Approve { ids: vec![TaskId(1)], text: None, undoable: false }));
    assert_eq!(
        seen[3],
        Request::Reject(Reject { ids: vec![TaskId(2)], reason: Some("looks like spam".into()) })
    );
    assert_eq!(
        seen.len(),
        7,
        "two queue pages with their history lines, two decisions, and the empty page: {seen:?}"
    );
}

#[test]
fn review_quits_at_end_of_input() {
    let dir = tempfile::tempdir().unwrap();
    let socket = socket_in(&dir);
    let server = peer(&socket, |_| Response::Tasks(vec![follow_back(1, "ann")]));
    let out = rapport(&socket, &["review"], "");
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).ends_with("0 approved, 0 rejected, 0 skipped.\n"));
    assert_eq!(server.join().unwrap().len(), 2, "the page and its history lines");
}

/// How long the idle peer waits for a request before it drops the connection.
const IDLE: Duration = Duration::from_millis(200);

#[test]
fn a_decision_after_the_daemon_dropped_an_idle_connection_still_goes_through() {
    let dir = tempfile::tempdir().unwrap();
    let socket = socket_in(&dir);
    let server = idle_peer(&socket, Some(IDLE), |request| match request {
        Request::Queue(Queue { after: None, .. }) => Response::Tasks(vec![follow_back(1, "ann")]),
        Request::Queue(Queue { .. }) => Response::Tasks(vec![]),
        Request::TaskHistory(TaskHistory { ids }) => Response::HistoryLines(
            ids.iter().map(|&id| TaskHistoryLine { id, line: "first interaction".into() }).collect(),
        ),
        Request::Approve(Approve { ids, .. }) => Response::Updated(ids.iter().map(ItemResult::ok).collect()),
        _ => Response::Error(ErrorReply::new(ErrorCode::BadRequest, "unexpected")),
    });
    let mut child = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .arg("review")
        .env("RAPPORT_SOCKET", &socket)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The person thinks for longer than the daemon keeps a silent connection.
    std::thread::sleep(IDLE * 4);
    child.stdin.take().unwrap().write_all(b"a\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).ends_with("1 approved, 0 rejected, 0 skipped.\n"), "{}", text(&out.stdout));
    let seen = server.join().unwrap();
    assert!(text(&out.stdout).contains("history: first interaction"), "{}", text(&out.stdout));
    assert_eq!(
        seen[2],
        Request::Approve(Approve { ids: vec![TaskId(1)], text: None, undoable: false }),
        "{seen:?}"
    );
}

#[test]
fn approve_edit_sends_the_text_the_editor_saved() {
    let dir = tempfile::tempdir().unwrap();
    let socket = socket_in(&dir);
    let server = idle_peer(&socket, Some(IDLE), |request| match request {
        Request::Show(Show { id }) => Response::Task(Box::new(reply(id.0, "Hi Ann, yes we ship."))),
        Request::Approve(Approve { ids, .. }) => Response::Updated(ids.iter().map(ItemResult::ok).collect()),
        _ => Response::Error(ErrorReply::new(ErrorCode::BadRequest, "unexpected")),
    });
    // An editor that takes its time (longer than the daemon's idle timeout) and rewrites the
    // draft it was given.
    let editor = dir.path().join("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nsleep 1\ndraft=$(cat \"$1\")\nprintf '%s See you soon!\\n' \"$draft\" > \"$1\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(["approve", "--edit", "5"])
        .env("RAPPORT_SOCKET", &socket)
        .env_remove("VISUAL")
        .env("EDITOR", &editor)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        server.join().unwrap(),
        vec![
            Request::Show(Show { id: TaskId(5) }),
            Request::Approve(Approve {
                ids: vec![TaskId(5)],
                text: Some("Hi Ann, yes we ship. See you soon!".into()),
                undoable: false,
            }),
        ]
    );
}

/// The man pages and completions under `daemon/cli/generated/` are what `rapport generate` makes
/// from the current definitions; `RAPPORT_RECORD_GENERATED=1` rewrites them after a change.
#[test]
fn the_generated_man_pages_and_completions_match_the_command_line() {
    let generated = Path::new(env!("CARGO_MANIFEST_DIR")).join("generated");
    let record = std::env::var_os("RAPPORT_RECORD_GENERATED").is_some();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_rapport")).args(args).output().unwrap();
        assert!(out.status.success(), "rapport {args:?}: {}", text(&out.stderr));
        out.stdout
    };
    let mut made: Vec<(String, Vec<u8>)> = Vec::new();
    for shell in ["bash", "zsh", "fish"] {
        made.push((format!("rapport.{shell}"), run(&["generate", shell])));
    }
    let pages = tempfile::tempdir().unwrap();
    run(&["generate", "man", pages.path().to_str().unwrap()]);
    let mut names: Vec<String> = std::fs::read_dir(pages.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert!(
        names.contains(&"rapport.1".to_string()) && names.contains(&"rapport-review.1".to_string()),
        "{names:?}"
    );
    for name in names {
        made.push((format!("man/{name}"), std::fs::read(pages.path().join(&name)).unwrap()));
    }
    if record {
        let _ = std::fs::remove_dir_all(generated.join("man"));
        std::fs::create_dir_all(generated.join("man")).unwrap();
        for (name, content) in &made {
            std::fs::write(generated.join(name), content).unwrap();
        }
    }
    let mut recorded: Vec<String> = std::fs::read_dir(generated.join("man"))
        .unwrap()
        .map(|e| format!("man/{}", e.unwrap().file_name().into_string().unwrap()))
        .collect();
    recorded.sort();
    let mut expected: Vec<String> =
        made.iter().filter(|(n, _)| n.starts_with("man/")).map(|(n, _)| n.clone()).collect();
    expected.sort();
    assert_eq!(recorded, expected, "the man pages changed; record them with RAPPORT_RECORD_GENERATED=1");
    for (name, content) in &made {
        let on_disk = std::fs::read(generated.join(name)).unwrap_or_default();
        assert!(
            on_disk == *content,
            "daemon/cli/generated/{name} is out of date; run the CLI tests with RAPPORT_RECORD_GENERATED=1"
        );
    }
    let bash = String::from_utf8_lossy(&made[0].1).into_owned();
    assert!(
        bash.contains("review") && bash.contains("--plain"),
        "the completions know the commands and flags"
    );
}
