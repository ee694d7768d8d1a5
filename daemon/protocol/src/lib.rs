//! The versioned request/response protocol between the rapport CLI and rapportd over a Unix socket.
