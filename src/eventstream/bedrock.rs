//! The Bedrock `InvokeModelWithResponseStream` event layer on top of event-stream messages.
//!
//! A `chunk` event's payload is `{"bytes":"<base64>","p":"<padding>"}`; the decoded `bytes`
//! are the model's own event JSON and are handed on exactly as sent. Exceptions are
//! `:message-type = exception` frames named by `:exception-type`; unmodeled failures are
//! `:message-type = error` frames with `:error-code` / `:error-message`.

use std::borrow::Cow;

use base64::Engine as _;
use bytes::Bytes;

use super::{HeaderValue, Message};

/// The six modeled stream exceptions, plus any other name.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExceptionKind {
    /// `internalServerException`
    InternalServer,
    /// `modelStreamErrorException`
    ModelStreamError,
    /// `validationException`
    Validation,
    /// `throttlingException`
    Throttling,
    /// `modelTimeoutException`
    ModelTimeout,
    /// `serviceUnavailableException`
    ServiceUnavailable,
    /// Any other `:exception-type`, as sent.
    Other(String),
}

impl ExceptionKind {
    /// From the `:exception-type` header value.
    pub fn from_wire(name: &str) -> Self {
        match name {
            "internalServerException" => Self::InternalServer,
            "modelStreamErrorException" => Self::ModelStreamError,
            "validationException" => Self::Validation,
            "throttlingException" => Self::Throttling,
            "modelTimeoutException" => Self::ModelTimeout,
            "serviceUnavailableException" => Self::ServiceUnavailable,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The AWS error code, e.g. `ThrottlingException` (upper-camel, as the HTTP errors use).
    pub fn code(&self) -> Cow<'_, str> {
        Cow::Borrowed(match self {
            Self::InternalServer => "InternalServerException",
            Self::ModelStreamError => "ModelStreamErrorException",
            Self::Validation => "ValidationException",
            Self::Throttling => "ThrottlingException",
            Self::ModelTimeout => "ModelTimeoutException",
            Self::ServiceUnavailable => "ServiceUnavailableException",
            Self::Other(name) => {
                let mut chars = name.chars();
                return match chars.next() {
                    Some(c) => Cow::Owned(c.to_uppercase().chain(chars).collect()),
                    None => Cow::Borrowed("UnknownException"),
                };
            }
        })
    }

    /// Whether the service documents this exception as worth retrying (a new request).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::InternalServer | Self::Throttling | Self::ServiceUnavailable | Self::ModelTimeout
        )
    }
}

/// A typed event from the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A `chunk` event: the base64-decoded `bytes`, exactly as sent.
    Chunk(Bytes),
    /// An event type this crate does not know; surfaced, not dropped.
    Unknown {
        /// `:event-type`.
        event_type: String,
        /// Raw payload.
        payload: Bytes,
    },
}

/// What is wrong with a malformed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MalformedReason {
    /// No `:message-type` header (or not a string).
    MissingMessageType,
    /// A `:message-type` other than event, exception or error.
    UnknownMessageType,
    /// An event without `:event-type`.
    MissingEventType,
    /// An exception without `:exception-type`.
    MissingExceptionType,
    /// A chunk payload that is not the expected JSON object.
    InvalidChunkJson,
    /// A chunk whose `bytes` is not valid base64.
    InvalidBase64,
}

impl std::fmt::Display for MalformedReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::MissingMessageType => "missing :message-type header",
            Self::UnknownMessageType => "unknown :message-type",
            Self::MissingEventType => "missing :event-type header",
            Self::MissingExceptionType => "missing :exception-type header",
            Self::InvalidChunkJson => "chunk payload is not {\"bytes\": \"<base64>\"} JSON",
            Self::InvalidBase64 => "chunk bytes are not valid base64",
        })
    }
}

/// A stream-level failure carried by a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StreamError {
    /// An `exception` message.
    #[error("{}: {message}", kind.code())]
    Exception {
        /// Which exception.
        kind: ExceptionKind,
        /// Its `message`.
        message: String,
        /// `originalStatusCode` (modelStreamErrorException).
        original_status_code: Option<u16>,
        /// `originalMessage` (modelStreamErrorException).
        original_message: Option<String>,
    },
    /// An `error` message (`:error-code` / `:error-message`).
    #[error("{code}: {message}")]
    Error {
        /// `:error-code`.
        code: String,
        /// `:error-message`.
        message: String,
    },
    /// A message that does not follow the Bedrock stream shape.
    #[error("malformed event: {0}")]
    Malformed(MalformedReason),
}

#[derive(serde::Deserialize)]
struct ChunkPayload<'a> {
    #[serde(borrow)]
    bytes: Cow<'a, str>,
}

#[derive(serde::Deserialize, Default)]
struct ExceptionPayload {
    #[serde(alias = "Message")]
    message: Option<String>,
    #[serde(rename = "originalStatusCode")]
    original_status_code: Option<u16>,
    #[serde(rename = "originalMessage")]
    original_message: Option<String>,
}

/// The base64 text of a payload in exactly the shape Bedrock sends,
/// `{"bytes":"<base64>"}` or `{"bytes":"<base64>","p":"<letters and digits>"}`: a strict subset
/// of JSON recognised without a JSON parser. Anything else goes to the full parser.
fn chunk_base64_fast(payload: &[u8]) -> Option<&[u8]> {
    let body = payload
        .strip_prefix(b"{\"bytes\":\"")?
        .strip_suffix(b"\"}")?;
    // The padding is short and alphanumeric, so look for its opening quote from the end. The
    // base64 text itself is not scanned here: the decoder rejects `"` and `\` (a JSON escape),
    // and on any rejection the full JSON parser decides.
    match memchr::memrchr(b'"', body) {
        None => Some(body),
        Some(q) => {
            let pad = body.get(q + 1..)?;
            let b64 = body.get(..q)?.strip_suffix(b"\",\"p\":")?;
            // Checked without an early exit, so many bytes are checked per instruction.
            let alphanumeric = pad
                .iter()
                .fold(true, |ok, b| ok & b.is_ascii_alphanumeric());
            alphanumeric.then_some(b64)
        }
    }
}

/// Decodes a chunk payload `{"bytes":"<base64>", …}` into the bytes it carries.
pub fn decode_chunk_payload(payload: &[u8]) -> Result<Bytes, StreamError> {
    with_chunk_base64(payload, |b64| super::b64::decode(b64).map(Bytes::from))
}

/// Like [`decode_chunk_payload`], but appends the bytes to `out` instead of allocating; on an
/// error `out` is left as it was.
pub fn decode_chunk_payload_into(payload: &[u8], out: &mut Vec<u8>) -> Result<(), StreamError> {
    with_chunk_base64(payload, |b64| {
        super::b64::decode_into(b64, out).then_some(())
    })
}

/// Runs `decode` on the base64 text of a chunk payload: found without a JSON parser when the
/// payload has Bedrock's exact shape and that text decodes, else through serde_json (which
/// also undoes JSON escapes).
fn with_chunk_base64<T>(
    payload: &[u8],
    mut decode: impl FnMut(&[u8]) -> Option<T>,
) -> Result<T, StreamError> {
    if let Some(b64) = chunk_base64_fast(payload)
        && let Some(decoded) = decode(b64)
    {
        return Ok(decoded);
    }
    let chunk: ChunkPayload<'_> = serde_json::from_slice(payload)
        .map_err(|_| StreamError::Malformed(MalformedReason::InvalidChunkJson))?;
    decode(chunk.bytes.as_bytes()).ok_or(StreamError::Malformed(MalformedReason::InvalidBase64))
}

/// Turns one message into a typed event or error.
pub fn parse_event(msg: &Message) -> Result<Event, StreamError> {
    if msg.headers.is_bedrock_chunk() {
        return decode_chunk_payload(&msg.payload).map(Event::Chunk);
    }
    let message_type = msg
        .header_str(":message-type")
        .ok_or(StreamError::Malformed(MalformedReason::MissingMessageType))?;
    match message_type {
        "event" => {
            let event_type = msg
                .header_str(":event-type")
                .ok_or(StreamError::Malformed(MalformedReason::MissingEventType))?;
            if event_type == "chunk" {
                decode_chunk_payload(&msg.payload).map(Event::Chunk)
            } else {
                Ok(Event::Unknown {
                    event_type: event_type.to_owned(),
                    payload: msg.payload.clone(),
                })
            }
        }
        "exception" => {
            let name = msg
                .header_str(":exception-type")
                .ok_or(StreamError::Malformed(
                    MalformedReason::MissingExceptionType,
                ))?;
            let body: ExceptionPayload = serde_json::from_slice(&msg.payload).unwrap_or_default();
            let message = body
                .message
                .unwrap_or_else(|| String::from_utf8_lossy(&msg.payload).into_owned());
            Err(StreamError::Exception {
                kind: ExceptionKind::from_wire(name),
                message,
                original_status_code: body.original_status_code,
                original_message: body.original_message,
            })
        }
        "error" => Err(StreamError::Error {
            code: msg
                .header_str(":error-code")
                .unwrap_or("UnknownError")
                .to_owned(),
            message: msg
                .header_str(":error-message")
                .unwrap_or_default()
                .to_owned(),
        }),
        _ => Err(StreamError::Malformed(MalformedReason::UnknownMessageType)),
    }
}

fn string(s: &'static str) -> HeaderValue {
    HeaderValue::String(s.into())
}

/// Builds the message Bedrock sends for a chunk: `{"bytes":"<base64>","p":"<padding>"}`.
pub fn chunk_message(bytes: &[u8]) -> Message {
    const PAD: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    // Bedrock pads with a random-length run of letters; a length derived from the input keeps
    // replays deterministic.
    let pad = PAD
        .get(..(bytes.len() * 7 + 3) % PAD.len())
        .unwrap_or_default();
    let payload = format!("{{\"bytes\":\"{encoded}\",\"p\":\"{pad}\"}}");
    Message::new(payload)
        .with_header(":event-type", string("chunk"))
        .with_header(":content-type", string("application/json"))
        .with_header(":message-type", string("event"))
}

/// Builds an exception message of the given `:exception-type` with JSON payload `body`.
pub fn exception_message(exception_type: &str, body: &[u8]) -> Message {
    Message::new(Bytes::copy_from_slice(body))
        .with_header(
            ":exception-type",
            HeaderValue::String(exception_type.to_owned().into()),
        )
        .with_header(":content-type", string("application/json"))
        .with_header(":message-type", string("exception"))
}

/// Builds an unmodeled `error` message.
pub fn error_message(code: &str, message: &str) -> Message {
    Message::new(Bytes::new())
        .with_header(":error-code", HeaderValue::String(code.to_owned().into()))
        .with_header(
            ":error-message",
            HeaderValue::String(message.to_owned().into()),
        )
        .with_header(":message-type", string("error"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_round_trip_keeps_bytes() {
        let raw = br#"{"type":"content_block_delta","delta":{"text":"h\u00e9"}}"#;
        assert_eq!(
            parse_event(&chunk_message(raw)),
            Ok(Event::Chunk(Bytes::from_static(raw)))
        );
    }

    #[test]
    fn exceptions_are_typed() {
        let msg = exception_message(
            "modelStreamErrorException",
            br#"{"message":"boom","originalStatusCode":500,"originalMessage":"x"}"#,
        );
        let err = parse_event(&msg).unwrap_err();
        assert_eq!(
            err,
            StreamError::Exception {
                kind: ExceptionKind::ModelStreamError,
                message: "boom".into(),
                original_status_code: Some(500),
                original_message: Some("x".into())
            }
        );
        assert_eq!(err.to_string(), "ModelStreamErrorException: boom");
        assert_eq!(
            ExceptionKind::from_wire("fooException").code(),
            "FooException"
        );
    }

    #[test]
    fn fast_path_agrees_with_the_json_parser() {
        let cases: [&[u8]; 8] = [
            br#"{"bytes":"aGk=","p":"abc"}"#,
            br#"{"bytes":"aGk="}"#,
            br#"{"p":"abc","bytes":"aGk="}"#,
            br#"{"bytes":"aGk=" ,"p":"abc"}"#,
            br#"{"bytes":"aGk\/","p":"a"}"#,
            br#"{"bytes":"aGk=","p":"a b"}"#,
            br#"{"bytes":"aGk=","p":"abc"} "#,
            br#"{"bytes":"aGk=","p":"abc"}x"#,
        ];
        for c in cases {
            let slow: Result<ChunkPayload<'_>, _> = serde_json::from_slice(c);
            let slow = slow.ok().and_then(|p| {
                base64::engine::general_purpose::STANDARD
                    .decode(p.bytes.as_bytes())
                    .ok()
            });
            assert_eq!(
                decode_chunk_payload(c).ok().map(|b| b.to_vec()),
                slow,
                "{}",
                String::from_utf8_lossy(c)
            );
        }
        assert_eq!(
            chunk_base64_fast(br#"{"bytes":"aGk=","p":"abc"}"#),
            Some(&b"aGk="[..])
        );
        assert_eq!(chunk_base64_fast(br#"{"bytes":"aGk=","p":"abc"}x"#), None);
    }

    #[test]
    fn malformed_chunks_are_errors() {
        let bad = Message::new(&b"{\"bytes\":\"!!\"}"[..])
            .with_header(":message-type", string("event"))
            .with_header(":event-type", string("chunk"));
        assert_eq!(
            parse_event(&bad),
            Err(StreamError::Malformed(MalformedReason::InvalidBase64))
        );
        let bad = Message::new(&b"nope"[..])
            .with_header(":message-type", string("event"))
            .with_header(":event-type", string("chunk"));
        assert_eq!(
            parse_event(&bad),
            Err(StreamError::Malformed(MalformedReason::InvalidChunkJson))
        );
        let err = parse_event(&error_message("InternalFailure", "bad")).unwrap_err();
        assert_eq!(err.to_string(), "InternalFailure: bad");
    }
}
