//! The versioned request/response protocol between the rapport CLI and rapportd over a Unix socket.
//!
//! One connection carries any number of exchanges: the client writes a [`RequestEnvelope`] frame
//! and reads one [`ResponseEnvelope`] frame back. A frame is a 4-byte big-endian length followed by
//! that many bytes of JSON; a declared length above [`MAX_FRAME`] is refused before anything is
//! allocated. Every request carries [`PROTOCOL_VERSION`] so that a CLI and a daemon from different
//! releases get a clear error instead of a misread.

mod frame;
mod messages;

pub use frame::{
    FrameError, call, decode, decode_request, encode_frame, read_frame, read_frame_async, write_frame,
    write_frame_async,
};
pub use messages::*;

/// The protocol version; bump on any incompatible change to the messages.
pub const PROTOCOL_VERSION: u32 = 1;

/// The largest frame body either side accepts, in bytes.
pub const MAX_FRAME: u32 = 1 << 20;

/// The most tasks one `Queue` reply carries, so that a page always fits in a frame.
pub const MAX_PAGE: u32 = 200;

/// Where the CLI and the daemon meet unless configured otherwise:
/// `$XDG_RUNTIME_DIR/rapport/rapport.sock`, else `/run/user/<uid>/rapport/rapport.sock` (where
/// systemd puts the runtime dir when the variable is missing, e.g. under `sudo -u`).
pub fn default_socket_path() -> std::path::PathBuf {
    let runtime = std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|dir| !dir.is_empty())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(format!("/run/user/{}", rustix::process::getuid().as_raw()))
        });
    runtime.join("rapport").join("rapport.sock")
}
