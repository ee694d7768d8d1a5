//! Readiness and stopping notifications for systemd (`Type=notify`), without a libsystemd dependency.
//!
//! The protocol is one datagram to `$NOTIFY_SOCKET`; outside systemd the variable is unset and every
//! call is a no-op, so the daemon runs the same by hand, in tests and under a service manager.

use std::io;
use std::os::unix::net::UnixDatagram;

/// Tells systemd the socket accepts connections, so `systemctl start` can return.
pub fn ready() {
    send("READY=1");
}

/// Tells systemd a reload is in progress.
pub fn reloading() {
    send("RELOADING=1");
}

/// Tells systemd a reload finished.
pub fn reloaded() {
    send("READY=1");
}

/// Tells systemd the daemon is stopping.
pub fn stopping() {
    send("STOPPING=1");
}

fn send(state: &str) {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else { return };
    if let Err(err) = send_to(&path.to_string_lossy(), state) {
        tracing::warn!(%err, "could not notify systemd ({state})");
    }
}

fn send_to(path: &str, state: &str) -> io::Result<()> {
    let socket = UnixDatagram::unbound()?;
    if let Some(abstract_name) = path.strip_prefix('@') {
        use std::os::linux::net::SocketAddrExt;
        let addr = std::os::unix::net::SocketAddr::from_abstract_name(abstract_name.as_bytes())?;
        socket.send_to_addr(state.as_bytes(), &addr)?;
    } else {
        socket.send_to(state.as_bytes(), path)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sends_the_state_to_a_path_socket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let listener = UnixDatagram::bind(&path).unwrap();
        send_to(path.to_str().unwrap(), "READY=1").unwrap();
        let mut buf = [0u8; 64];
        let n = listener.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"READY=1");
    }
}
