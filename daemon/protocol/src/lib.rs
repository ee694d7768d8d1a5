//! The versioned request/response protocol between the rapport CLI and rapportd over a Unix socket.
//!
//! One connection carries any number of exchanges: the client writes a [`RequestEnvelope`] frame
//! and reads one [`ResponseEnvelope`] frame back. Each request is a type of [`requests`] that
//! names its reply type, so the daemon ([`Serve`]) and the client ([`call`]) cannot disagree on
//! which reply answers which request. A frame is a 4-byte big-endian length followed by
//! that many bytes of JSON; a declared length above [`MAX_FRAME`] is refused before anything is
//! allocated. Every request carries [`PROTOCOL_VERSION`] so that a CLI and a daemon from different
//! releases get a clear error instead of a misread.

mod book;
mod frame;
mod messages;
mod relations;
mod reply;
pub mod requests;

pub use book::{Forgotten, PersonDetail, PersonSummary, TaskHistoryLine};
pub use frame::{
    CallError, FrameError, call, decode, decode_request, encode_frame, read_frame, read_frame_async,
    write_frame, write_frame_async,
};
pub use messages::*;
pub use relations::{CampaignDetail, CampaignReport, CircleReport, KeepChange, KeepList, ProposedFollow};
pub use reply::{Reply, ScheduleAnswer};
pub use requests::{Call, PreviewTarget, Request, Serve};

/// The protocol version; bump on any incompatible change to the messages.
pub const PROTOCOL_VERSION: u32 = 1;

/// The largest frame body either side accepts, in bytes.
pub const MAX_FRAME: u32 = 1 << 20;

/// The most tasks one `Queue` reply carries, so that a page always fits in a frame.
pub const MAX_PAGE: u32 = 200;

/// Where the CLI and the daemon meet unless configured otherwise:
/// - `$RUNTIME_DIRECTORY/rapport.sock` when systemd set it (`RuntimeDirectory=rapport` of the system
///   unit makes it `/run/rapport`); the first entry if it names several;
/// - else `$XDG_RUNTIME_DIR/rapport/rapport.sock` (a person's session, the user unit);
/// - else `/run/user/<uid>/rapport/rapport.sock` (where systemd puts the runtime dir when the
///   variable is missing, e.g. under `sudo -u`).
///
/// A person's CLI has no `RUNTIME_DIRECTORY`: it falls back to [`SYSTEM_SOCKET`] when its own
/// socket does not exist (see [`client_socket_path`]), or is pointed elsewhere with `--socket` or
/// `RAPPORT_SOCKET`.
pub fn default_socket_path() -> std::path::PathBuf {
    socket_path_in(
        std::env::var_os("RUNTIME_DIRECTORY"),
        std::env::var_os("XDG_RUNTIME_DIR"),
        rustix::process::getuid().as_raw(),
    )
}

/// The socket of the system service (`config/systemd/rapportd.service`, `RuntimeDirectory=rapport`).
pub const SYSTEM_SOCKET: &str = "/run/rapport/rapport.sock";

/// The socket the CLI talks to when none is named: the person's own daemon's
/// ([`default_socket_path`]), or the system service's when only that one exists, so a member of
/// the service's group needs no flag.
pub fn client_socket_path() -> std::path::PathBuf {
    either_socket(default_socket_path(), std::path::Path::new(SYSTEM_SOCKET))
}

/// `own` unless only `system` exists.
fn either_socket(own: std::path::PathBuf, system: &std::path::Path) -> std::path::PathBuf {
    if !own.exists() && system.exists() { system.to_owned() } else { own }
}

/// [`default_socket_path`] for given values of `RUNTIME_DIRECTORY`, `XDG_RUNTIME_DIR` and the uid;
/// empty variables count as unset.
fn socket_path_in(
    runtime_directory: Option<std::ffi::OsString>,
    xdg_runtime_dir: Option<std::ffi::OsString>,
    uid: u32,
) -> std::path::PathBuf {
    use std::os::unix::ffi::OsStrExt;
    use std::path::PathBuf;
    // systemd joins several RuntimeDirectory= entries with `:`; the first is the service's own.
    let systemd = runtime_directory.as_deref().and_then(|dirs| {
        let first = dirs.as_bytes().split(|&b| b == b':').next().unwrap_or_default();
        (!first.is_empty()).then(|| std::ffi::OsStr::from_bytes(first).to_owned())
    });
    if let Some(dir) = systemd {
        return PathBuf::from(dir).join("rapport.sock");
    }
    let runtime = xdg_runtime_dir
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(format!("/run/user/{uid}")));
    runtime.join("rapport").join("rapport.sock")
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;
    use std::path::Path;

    use super::{either_socket, socket_path_in};

    fn os(s: &str) -> Option<OsString> {
        Some(OsString::from(s))
    }

    #[test]
    fn the_cli_falls_back_to_the_system_socket_only_when_its_own_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let own = dir.path().join("own.sock");
        let system = dir.path().join("system.sock");
        assert_eq!(either_socket(own.clone(), &system), own, "neither exists: say where its own would be");
        std::fs::write(&system, "").unwrap();
        assert_eq!(either_socket(own.clone(), &system), system);
        std::fs::write(&own, "").unwrap();
        assert_eq!(either_socket(own.clone(), &system), own);
    }

    #[test]
    fn a_system_service_uses_its_runtime_directory() {
        // What `RuntimeDirectory=rapport` in config/systemd/rapportd.service sets.
        let path = socket_path_in(os("/run/rapport"), None, 990);
        assert_eq!(path, Path::new("/run/rapport/rapport.sock"));
        // It wins over a runtime dir inherited from a session, and only its first entry counts.
        let path = socket_path_in(os("/run/rapport:/run/other"), os("/run/user/1000"), 1000);
        assert_eq!(path, Path::new("/run/rapport/rapport.sock"));
    }

    #[test]
    fn a_person_uses_the_session_runtime_dir_else_the_per_uid_one() {
        let path = socket_path_in(None, os("/run/user/1000"), 1000);
        assert_eq!(path, Path::new("/run/user/1000/rapport/rapport.sock"));
        let path = socket_path_in(os(""), os(""), 1234);
        assert_eq!(path, Path::new("/run/user/1234/rapport/rapport.sock"));
        let path = socket_path_in(None, None, 1234);
        assert_eq!(path, Path::new("/run/user/1234/rapport/rapport.sock"));
    }
}
