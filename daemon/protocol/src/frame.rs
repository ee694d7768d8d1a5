//! Framing: a 4-byte big-endian length, then that many bytes of JSON; blocking (for the CLI) and
//! tokio (for the daemon) variants over the same checks.
//!
//! The length is checked against [`MAX_FRAME`] before the body buffer exists, so a peer that
//! declares 4 GiB costs nothing; EOF before a frame is a clean close, EOF inside one is reported
//! as truncated.

use std::io::{self, Read, Write};

use serde::Serialize;
use serde::de::DeserializeOwned;
use thiserror::Error;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::{
    Call, ErrorCode, ErrorReply, MAX_FRAME, PROTOCOL_VERSION, Reply, Request, RequestEnvelope, Response,
    ResponseEnvelope,
};

/// Why a frame could not be read or written.
#[derive(Debug, Error)]
pub enum FrameError {
    /// The peer closed the connection between frames.
    #[error("the connection was closed")]
    Closed,
    /// The peer closed the connection in the middle of a frame.
    #[error("the connection was closed in the middle of a frame")]
    Truncated,
    /// The declared length exceeds the limit.
    #[error("a frame of {declared} bytes exceeds the limit of {MAX_FRAME} bytes")]
    TooLarge {
        /// The declared length.
        declared: u64,
    },
    /// The body is not the JSON message expected.
    #[error("the frame is not a valid message: {0}")]
    Malformed(serde_json::Error),
    /// The socket failed.
    #[error("socket I/O failed: {0}")]
    Io(#[from] io::Error),
}

impl FrameError {
    /// The error reply a server sends for this failure, if the peer is still there to read it.
    pub fn reply(&self) -> Option<ErrorReply> {
        match self {
            FrameError::TooLarge { .. } => Some(ErrorReply::new(ErrorCode::FrameTooLarge, self.to_string())),
            FrameError::Malformed(_) => Some(ErrorReply::new(ErrorCode::Malformed, self.to_string())),
            FrameError::Closed | FrameError::Truncated | FrameError::Io(_) => None,
        }
    }
}

/// The body length a header declares, if within the limit.
fn body_len(header: [u8; 4]) -> Result<usize, FrameError> {
    let declared = u32::from_be_bytes(header);
    if declared > MAX_FRAME {
        return Err(FrameError::TooLarge { declared: declared.into() });
    }
    Ok(declared as usize)
}

/// Maps EOF inside a frame to [`FrameError::Truncated`].
fn truncated(e: io::Error) -> FrameError {
    if e.kind() == io::ErrorKind::UnexpectedEof { FrameError::Truncated } else { FrameError::Io(e) }
}

/// Serializes a message into a whole frame (header and body).
pub fn encode_frame<T: Serialize>(message: &T) -> Result<Vec<u8>, FrameError> {
    let mut frame = vec![0; 4];
    serde_json::to_writer(&mut frame, message).map_err(FrameError::Malformed)?;
    let len = frame.len() - 4;
    if len > MAX_FRAME as usize {
        return Err(FrameError::TooLarge { declared: len as u64 });
    }
    frame[..4].copy_from_slice(&(len as u32).to_be_bytes());
    Ok(frame)
}

/// Reads one frame's body; [`FrameError::Closed`] if the peer closed between frames.
pub fn read_frame(reader: &mut impl Read) -> Result<Vec<u8>, FrameError> {
    let mut header = [0u8; 4];
    let mut got = 0;
    while got < header.len() {
        match reader.read(&mut header[got..]) {
            Ok(0) if got == 0 => return Err(FrameError::Closed),
            Ok(0) => return Err(FrameError::Truncated),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(FrameError::Io(e)),
        }
    }
    let mut body = vec![0; body_len(header)?];
    reader.read_exact(&mut body).map_err(truncated)?;
    Ok(body)
}

/// Writes one message as a frame and flushes.
pub fn write_frame<T: Serialize>(writer: &mut impl Write, message: &T) -> Result<(), FrameError> {
    writer.write_all(&encode_frame(message)?)?;
    writer.flush()?;
    Ok(())
}

/// Reads one frame's body from an async stream; [`FrameError::Closed`] between frames.
pub async fn read_frame_async(reader: &mut (impl AsyncRead + Unpin)) -> Result<Vec<u8>, FrameError> {
    let mut header = [0u8; 4];
    let mut got = 0;
    while got < header.len() {
        match reader.read(&mut header[got..]).await? {
            0 if got == 0 => return Err(FrameError::Closed),
            0 => return Err(FrameError::Truncated),
            n => got += n,
        }
    }
    let mut body = vec![0; body_len(header)?];
    reader.read_exact(&mut body).await.map_err(truncated)?;
    Ok(body)
}

/// Writes one message as a frame to an async stream and flushes.
pub async fn write_frame_async<T: Serialize>(
    writer: &mut (impl AsyncWrite + Unpin),
    message: &T,
) -> Result<(), FrameError> {
    writer.write_all(&encode_frame(message)?).await?;
    writer.flush().await?;
    Ok(())
}

/// Parses a request body, checking the protocol version first so that a client from another
/// release gets a version error, not a confusing parse error. The error is the reply to send.
pub fn decode_request(body: &[u8]) -> Result<Request, ErrorReply> {
    /// Just the version, readable whatever else the envelope holds.
    #[derive(serde::Deserialize)]
    struct Version {
        version: u32,
    }
    let malformed =
        |e: serde_json::Error| ErrorReply::new(ErrorCode::Malformed, format!("malformed request: {e}"));
    let Version { version } = serde_json::from_slice(body).map_err(malformed)?;
    if version != PROTOCOL_VERSION {
        return Err(ErrorReply::new(
            ErrorCode::VersionMismatch,
            format!(
                "the client speaks protocol version {version} but rapportd speaks {PROTOCOL_VERSION}; \
                 use the rapport CLI from the same release as the daemon"
            ),
        ));
    }
    let envelope: RequestEnvelope = serde_json::from_slice(body).map_err(malformed)?;
    Ok(envelope.request)
}

/// Parses a message body of any type.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, FrameError> {
    serde_json::from_slice(body).map_err(FrameError::Malformed)
}

/// Why a call got no reply of the type its request names.
#[derive(Debug, Error)]
pub enum CallError {
    /// The exchange itself failed.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// The daemon refused the request as a whole.
    #[error("{0}")]
    Refused(ErrorReply),
    /// The daemon answered with another reply type: it is from another release.
    #[error("rapportd sent an unexpected `{0}` reply; are the CLI and daemon from the same release?")]
    Unexpected(&'static str),
}

/// Sends one request and reads its reply over a blocking stream: the CLI's whole exchange.
pub fn call<C: Call>(stream: &mut (impl Read + Write), request: C) -> Result<C::Reply, CallError> {
    write_frame(stream, &RequestEnvelope::new(request.into()))?;
    let envelope: ResponseEnvelope = decode(&read_frame(stream)?)?;
    match envelope.response {
        Response::Error(reply) => Err(CallError::Refused(reply)),
        response => C::Reply::from_response(response).map_err(|other| CallError::Unexpected(other.name())),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use rapport_core::task::TaskId;

    use super::*;
    use crate::ItemResult;
    use crate::requests::{Approve, Reject, Show, Status};

    fn approve() -> Request {
        Approve { ids: vec![TaskId(1), TaskId(2)], text: Some("Thanks, Ann!".into()), undoable: false }.into()
    }

    #[test]
    fn a_request_round_trips_through_a_frame() {
        let frame = encode_frame(&RequestEnvelope::new(approve())).unwrap();
        assert_eq!(u32::from_be_bytes(frame[..4].try_into().unwrap()) as usize, frame.len() - 4);
        let body = read_frame(&mut Cursor::new(frame)).unwrap();
        assert_eq!(decode_request(&body).unwrap(), approve());
    }

    #[test]
    fn an_oversized_declared_length_is_refused_before_allocating() {
        let mut stream = Cursor::new(u32::MAX.to_be_bytes().to_vec());
        let err = read_frame(&mut stream).unwrap_err();
        assert!(matches!(err, FrameError::TooLarge { declared } if declared == u64::from(u32::MAX)));
        assert_eq!(err.reply().map(|r| r.code), Some(ErrorCode::FrameTooLarge));
    }

    #[test]
    fn an_oversized_message_is_not_sent() {
        let huge = Reject { ids: vec![], reason: Some("x".repeat(MAX_FRAME as usize)) };
        assert!(matches!(encode_frame(&RequestEnvelope::new(huge.into())), Err(FrameError::TooLarge { .. })));
    }

    #[test]
    fn eof_between_frames_is_a_close_and_inside_one_is_truncation() {
        assert!(matches!(read_frame(&mut Cursor::new(Vec::new())), Err(FrameError::Closed)));
        assert!(matches!(read_frame(&mut Cursor::new(vec![0, 0])), Err(FrameError::Truncated)));
        let mut short = 10u32.to_be_bytes().to_vec();
        short.extend_from_slice(b"{\"a\"");
        assert!(matches!(read_frame(&mut Cursor::new(short)), Err(FrameError::Truncated)));
    }

    #[test]
    fn garbage_gets_a_malformed_reply() {
        let err = decode_request(b"\x00\xffnot json").unwrap_err();
        assert_eq!(err.code, ErrorCode::Malformed);
        let err = decode_request(br#"{"version":1,"request":{"request":"launch-rockets"}}"#).unwrap_err();
        assert_eq!(err.code, ErrorCode::Malformed);
        assert!(err.message.contains("launch-rockets"), "{}", err.message);
    }

    #[test]
    fn another_version_is_told_both_versions() {
        let err = decode_request(br#"{"version":99,"request":{"whatever":true}}"#).unwrap_err();
        assert_eq!(err.code, ErrorCode::VersionMismatch);
        assert!(err.message.contains("version 99") && err.message.contains(&PROTOCOL_VERSION.to_string()));
    }

    #[tokio::test]
    async fn async_framing_matches_blocking_framing_and_its_checks() {
        let frame =
            encode_frame(&ResponseEnvelope::new(Response::Updated(vec![ItemResult::ok(TaskId(3))]))).unwrap();
        let mut reader = &frame[..];
        let body = read_frame_async(&mut reader).await.unwrap();
        let envelope: ResponseEnvelope = decode(&body).unwrap();
        assert_eq!(envelope.response, Response::Updated(vec![ItemResult::ok("3")]));
        assert!(matches!(read_frame_async(&mut reader).await, Err(FrameError::Closed)));

        let mut written = Vec::new();
        write_frame_async(&mut written, &RequestEnvelope::new(Status {}.into())).await.unwrap();
        let request = decode_request(&read_frame(&mut Cursor::new(written)).unwrap()).unwrap();
        assert_eq!(request, Request::Status(Status {}));

        let mut huge = &(MAX_FRAME + 1).to_be_bytes()[..];
        assert!(matches!(read_frame_async(&mut huge).await, Err(FrameError::TooLarge { .. })));
        let mut cut = &[0u8, 0, 0, 9, b'{'][..];
        assert!(matches!(read_frame_async(&mut cut).await, Err(FrameError::Truncated)));
    }

    #[test]
    fn call_writes_one_request_and_reads_one_response() {
        /// A stream whose reads come from a prepared reply and whose writes are kept.
        struct Peer {
            reply: Cursor<Vec<u8>>,
            sent: Vec<u8>,
        }
        impl Read for Peer {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                Read::read(&mut self.reply, buf)
            }
        }
        impl Write for Peer {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                Write::write(&mut self.sent, buf)
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let peer = |response: Response| Peer {
            reply: Cursor::new(encode_frame(&ResponseEnvelope::new(response)).unwrap()),
            sent: Vec::new(),
        };
        let refusal = ErrorReply::new(ErrorCode::NotFound, "there is no task 9");
        let mut refused = peer(Response::Error(refusal.clone()));
        assert!(
            matches!(call(&mut refused, Show { id: TaskId(9) }), Err(CallError::Refused(r)) if r == refusal)
        );
        let sent = read_frame(&mut Cursor::new(refused.sent)).unwrap();
        assert_eq!(decode_request(&sent).unwrap(), Show { id: TaskId(9) }.into());
        // A reply of another type than the request names is an error, not a misread.
        let mut confused = peer(Response::Posts(Vec::new()));
        let err = call(&mut confused, Reject { ids: vec![TaskId(9)], reason: None }).unwrap_err();
        assert!(matches!(err, CallError::Unexpected("posts")), "{err}");
        let mut answered = peer(Response::Updated(vec![ItemResult::ok(9)]));
        let results = call(&mut answered, Reject { ids: vec![TaskId(9)], reason: None }).unwrap();
        assert_eq!(results, vec![ItemResult::ok(9)]);
    }
}

/// Stable fuzzing (proptest): the frame reader and the request parser take any bytes a client
/// sends without panicking, allocating past the cap, or accepting what they should not.
#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    use super::*;
    use crate::requests::{Queue, Show};

    /// Requests as clients send them, to mutate from.
    fn valid_frames() -> Vec<Vec<u8>> {
        let requests: Vec<Request> = vec![
            Show { id: rapport_core::task::TaskId(7) }.into(),
            Queue { state: None, account: Some("shop".into()), after: None, limit: 50 }.into(),
        ];
        requests.into_iter().map(|request| encode_frame(&RequestEnvelope::new(request)).unwrap()).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 20_000, ..ProptestConfig::default() })]

        #[test]
        fn any_bytes_are_a_frame_error_or_a_bounded_body(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            match read_frame(&mut bytes.as_slice()) {
                Ok(body) => {
                    prop_assert!(body.len() <= MAX_FRAME as usize);
                    prop_assert!(body.len() + 4 <= bytes.len(), "a body is never longer than what was sent");
                    let _ = decode_request(&body);
                }
                Err(FrameError::TooLarge { declared }) => prop_assert!(declared > u64::from(MAX_FRAME)),
                Err(_) => {}
            }
        }

        #[test]
        fn a_mutated_request_is_parsed_or_refused_with_a_reply(
            which in 0usize..2,
            flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
        ) {
            let mut frame = valid_frames().swap_remove(which);
            for (at, byte) in flips {
                let at = 4 + at % (frame.len() - 4);
                frame[at] = byte;
            }
            if let Ok(body) = read_frame(&mut frame.as_slice()) {
                match decode_request(&body) {
                    Ok(_) => {}
                    Err(reply) => prop_assert!(!reply.message.is_empty()),
                }
            }
        }

        #[test]
        fn any_json_envelope_is_parsed_or_refused(
            version in 0u32..4,
            name in "[a-z-]{0,16}",
            field in "[a-z_]{0,8}",
            value in any::<i64>(),
        ) {
            let body = format!(r#"{{"version":{version},"request":"{name}","{field}":{value}}}"#);
            if let Err(reply) = decode_request(body.as_bytes()) {
                prop_assert!(!reply.message.is_empty());
            }
        }
    }
}
