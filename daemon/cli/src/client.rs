//! Finding and talking to the daemon's socket.
//!
//! The CLI never opens the store: every command is one request over the Unix socket through the
//! shared protocol, and the typed failures here become the documented exit codes.

use std::io;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use rapport_protocol::{ErrorReply, FrameError, Request, Response, call};
use thiserror::Error;

/// Nothing listens on the socket.
#[derive(Debug, Error)]
#[error(
    "rapportd is not running (no socket at {}). Start it with `rapportd --config ...` or \
     `systemctl --user start rapportd`",
    .0.display()
)]
pub struct NotRunning(pub PathBuf);

/// The daemon answered with an error reply.
#[derive(Debug, Error)]
#[error("rapportd: {0}")]
pub struct DaemonError(pub ErrorReply);

/// A connection to rapportd.
pub struct Client {
    stream: UnixStream,
}

impl Client {
    /// Connects to the socket at `path`; [`NotRunning`] when nothing listens there.
    pub fn connect(path: &Path) -> anyhow::Result<Client> {
        match UnixStream::connect(path) {
            Ok(stream) => Ok(Client { stream }),
            Err(e) if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused) => {
                Err(NotRunning(path.to_path_buf()).into())
            }
            Err(e) => {
                Err(anyhow::Error::new(e)
                    .context(format!("cannot connect to rapportd at {}", path.display())))
            }
        }
    }

    /// Sends one request and returns the response; an error reply becomes [`DaemonError`].
    pub fn call(&mut self, request: Request) -> anyhow::Result<Response> {
        match call(&mut self.stream, request) {
            Ok(Response::Error(reply)) => Err(DaemonError(reply).into()),
            Ok(response) => Ok(response),
            Err(FrameError::Closed | FrameError::Truncated) => {
                anyhow::bail!("rapportd closed the connection without answering; see its log")
            }
            Err(e) => Err(anyhow::Error::new(e).context("talking to rapportd")),
        }
    }
}

/// Names the response a command did not expect, for the error message.
pub fn unexpected(response: &Response) -> anyhow::Error {
    let name = serde_json::to_value(response)
        .ok()
        .and_then(|v| v.get("response").and_then(|r| r.as_str()).map(str::to_string))
        .unwrap_or_else(|| "unknown".into());
    anyhow::anyhow!(
        "rapportd sent an unexpected `{name}` reply; are the CLI and daemon from the same release?"
    )
}
