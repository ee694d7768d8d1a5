//! Finding and talking to the daemon's socket.
//!
//! The CLI never opens the store: every command is one request over the Unix socket through the
//! shared protocol, and the typed failures here become the documented exit codes.
//!
//! Each request gets its own connection. The daemon drops a connection that stays silent for a
//! few minutes, and a person may well spend longer than that in `$EDITOR` (`approve --edit`) or
//! deciding at the `review` prompt; a connection per request never outlives the request, so
//! nothing is left to time out between two of them.

use std::io;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;

use rapport_protocol::{Call, CallError, ErrorReply, FrameError, call};
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

/// rapportd at one socket path.
pub struct Client {
    path: PathBuf,
}

impl Client {
    /// A client of the daemon listening at `path`; nothing is opened until a request.
    pub fn new(path: PathBuf) -> Client {
        Client { path }
    }

    /// Connects to the socket; [`NotRunning`] when nothing listens there.
    fn connect(&self) -> anyhow::Result<UnixStream> {
        UnixStream::connect(&self.path).map_err(|e| {
            if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused) {
                NotRunning(self.path.clone()).into()
            } else {
                anyhow::Error::new(e)
                    .context(format!("cannot connect to rapportd at {}", self.path.display()))
            }
        })
    }

    /// Sends one request over a new connection and returns its reply; an error reply becomes
    /// [`DaemonError`].
    pub fn call<C: Call>(&self, request: C) -> anyhow::Result<C::Reply> {
        let mut stream = self.connect()?;
        match call(&mut stream, request) {
            Ok(reply) => Ok(reply),
            Err(CallError::Refused(reply)) => Err(DaemonError(reply).into()),
            Err(CallError::Frame(FrameError::Closed | FrameError::Truncated)) => {
                anyhow::bail!("rapportd closed the connection without answering; see its log")
            }
            Err(e @ CallError::Unexpected(_)) => Err(e.into()),
            Err(CallError::Frame(e)) => Err(anyhow::Error::new(e).context("talking to rapportd")),
        }
    }
}
