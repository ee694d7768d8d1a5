//! The control socket: where the `rapport` CLI talks to the daemon.
//!
//! Only the daemon's own user (or root, or members of the configured group when the socket is
//! shared) may connect: the file mode gates the path and SO_PEERCRED gates each connection. A stale
//! socket left by a dead daemon is replaced; a live daemon's socket is never taken over. Each
//! connection is its own task with read and write deadlines, so a slow or stuck client cannot
//! stall the others, and a malformed, unknown or oversized frame gets an error reply.

use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use rapport_core::config::SocketConfig;
use rapport_protocol::{ErrorCode, ErrorReply, FrameError, Response, ResponseEnvelope};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::watch;

use crate::service::{Lifecycle, Running, Service};
use crate::state::State;

/// A client that sends nothing for this long is disconnected.
const IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// A reply the client does not read within this long is dropped with the connection.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Binds the socket at `path`, replacing a stale one and refusing to take over a live one.
pub fn bind(path: &Path, config: Option<&SocketConfig>) -> anyhow::Result<UnixListener> {
    if let Some(dir) = path.parent()
        && !dir.exists()
    {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        // The directory is private unless a group shares the socket.
        let mode = if config.and_then(|c| c.group.as_ref()).is_some() { 0o750 } else { 0o700 };
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode))?;
    }
    match std::os::unix::net::UnixStream::connect(path) {
        Ok(_) => bail!("another rapportd is already listening on {}; stop it first", path.display()),
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) if e.kind() == ErrorKind::ConnectionRefused => {
            tracing::info!(socket = %path.display(), "replacing the stale socket of a daemon that is gone");
            std::fs::remove_file(path)
                .with_context(|| format!("removing stale socket {}", path.display()))?;
        }
        Err(e) => bail!(
            "{} exists and is not a usable socket ({e}); remove it or choose another `socket.path`",
            path.display()
        ),
    }
    let listener = UnixListener::bind(path).with_context(|| format!("binding {}", path.display()))?;
    let mode = config.map(SocketConfig::effective_mode).unwrap_or(0o600);
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    if let Some(group) = config.and_then(|c| c.group.as_deref()) {
        let gid = group_id(group)?;
        std::os::unix::fs::chown(path, None, Some(gid))
            .with_context(|| format!("giving {} to group `{group}`", path.display()))?;
    }
    Ok(listener)
}

/// Removes the socket file at shutdown.
pub fn remove(path: &Path) {
    if let Err(err) = std::fs::remove_file(path)
        && err.kind() != ErrorKind::NotFound
    {
        tracing::warn!(socket = %path.display(), %err, "could not remove the socket");
    }
}

/// The id of a group from `/etc/group`.
fn group_id(name: &str) -> anyhow::Result<u32> {
    let groups = std::fs::read_to_string("/etc/group").context("reading /etc/group")?;
    groups
        .lines()
        .filter_map(|line| {
            let mut fields = line.split(':');
            let group = fields.next()?;
            let gid = fields.nth(1)?.parse().ok()?;
            (group == name).then_some(gid)
        })
        .next()
        .with_context(|| format!("`socket.group`: no group named `{name}`; create it or fix the name"))
}

/// The socket server as a service of the daemon, on a socket [`bind`] bound at start.
pub struct Server {
    listener: UnixListener,
}

impl Server {
    /// Serves on `listener`.
    pub fn new(listener: UnixListener) -> Server {
        Server { listener }
    }
}

impl Service for Server {
    fn name(&self) -> &'static str {
        "socket"
    }

    fn run(self: Box<Self>, state: Arc<State>, lifecycle: Lifecycle) -> Running {
        Box::pin(serve(state, self.listener, lifecycle.shutdown))
    }
}

/// Accepts connections until shutdown.
async fn serve(daemon: Arc<State>, listener: UnixListener, mut shutdown: watch::Receiver<bool>) {
    let own_uid = rustix::process::geteuid().as_raw();
    let shared = daemon.settings().config.socket.as_ref().and_then(|s| s.group.clone()).is_some();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let uid = stream.peer_cred().map(|c| c.uid()).ok();
                    // With a shared group the file mode already limits who can connect.
                    if !matches!(uid, Some(u) if u == own_uid || u == 0 || shared) {
                        tracing::warn!(peer_uid = ?uid, "refused a connection from another user");
                        tokio::spawn(refuse(stream));
                        continue;
                    }
                    tokio::spawn(connection(Arc::clone(&daemon), stream));
                }
                Err(err) => {
                    tracing::warn!(%err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            _ = shutdown.changed() => return,
        }
    }
}

/// Tells another user's client why it is refused. Its request is read first (within a second,
/// and never past the frame cap): a client writes before it reads, and closing on it unread
/// would show it a broken pipe instead of the reason.
async fn refuse(mut stream: UnixStream) {
    let _ =
        tokio::time::timeout(Duration::from_secs(1), rapport_protocol::read_frame_async(&mut stream)).await;
    let reply = Response::Error(ErrorReply::new(
        ErrorCode::BadRequest,
        "only the user running rapportd may use its socket",
    ));
    let _ = reply_with(&mut stream, reply).await;
}

/// Writes one reply within [`WRITE_TIMEOUT`]; `false` if the client is gone or stuck.
async fn reply_with(stream: &mut UnixStream, response: Response) -> bool {
    let envelope = ResponseEnvelope::new(response);
    matches!(
        tokio::time::timeout(WRITE_TIMEOUT, rapport_protocol::write_frame_async(stream, &envelope)).await,
        Ok(Ok(()))
    )
}

/// Serves one client: request, reply, until it hangs up, idles out or stalls.
async fn connection(daemon: Arc<State>, mut stream: UnixStream) {
    loop {
        let body =
            match tokio::time::timeout(IDLE_TIMEOUT, rapport_protocol::read_frame_async(&mut stream)).await {
                Err(_) | Ok(Err(FrameError::Closed)) => return,
                Ok(Ok(body)) => body,
                Ok(Err(err)) => {
                    // An oversized or truncated frame leaves the stream out of step: answer, then close.
                    let reply =
                        err.reply().unwrap_or_else(|| ErrorReply::new(ErrorCode::Malformed, err.to_string()));
                    let _ = reply_with(&mut stream, Response::Error(reply)).await;
                    return;
                }
            };
        let response = match rapport_protocol::decode_request(&body) {
            Ok(request) => crate::api::handle(&daemon, request),
            Err(reply) => Response::Error(reply),
        };
        if !reply_with(&mut stream, response).await {
            return;
        }
    }
}
