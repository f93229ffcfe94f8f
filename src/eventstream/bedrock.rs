//! The Bedrock `InvokeModelWithResponseStream` event layer on top of event-stream messages.
//!
//! CONTRACT STUB.

use bytes::Bytes;

use super::Message;

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
    /// The AWS error code, e.g. `ThrottlingException` (upper-camel, as the HTTP errors use).
    pub fn code(&self) -> &str {
        todo!()
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
    /// A chunk whose JSON or base64 is malformed, or a message missing required headers.
    #[error("malformed event: {0}")]
    Malformed(String),
}

/// Turns one message into a typed event or error.
pub fn parse_event(msg: &Message) -> Result<Event, StreamError> {
    let _ = msg;
    todo!()
}

/// Builds the message Bedrock sends for a chunk: `{"bytes":"<base64>"}` plus `p` padding.
pub fn chunk_message(bytes: &[u8]) -> Message {
    let _ = bytes;
    todo!()
}

/// Builds an exception message of the given `:exception-type` with JSON payload `body`.
pub fn exception_message(exception_type: &str, body: &[u8]) -> Message {
    let _ = (exception_type, body);
    todo!()
}
