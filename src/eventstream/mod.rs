//! The AWS event-stream binary framing (`application/vnd.amazon.eventstream`).
//!
//! In scope: message and header types, an incremental [`Decoder`] with size caps, an encoder,
//! and the Bedrock `InvokeModelWithResponseStream` event layer ([`bedrock`]).
//!
//! Out of scope: IO. Bytes go in, messages come out.
//!

use bytes::Bytes;

mod b64;
pub mod bedrock;
mod decoder;
mod encoder;

pub use decoder::{DecodeError, Decoder};
pub use encoder::{EncodeError, encode};

/// Length of the prelude: total length, headers length, prelude CRC.
pub const PRELUDE_LEN: usize = 12;
/// Length of the trailing message CRC.
pub const MESSAGE_CRC_LEN: usize = 4;
/// The smallest valid frame: prelude plus message CRC.
pub const MIN_FRAME_LEN: usize = PRELUDE_LEN + MESSAGE_CRC_LEN;
/// Largest total frame length accepted (16 MiB, as aws-c-event-stream).
pub const MAX_FRAME_LEN: usize = 16 * 1024 * 1024;
/// Largest headers section accepted (128 KiB, as aws-c-event-stream).
pub const MAX_HEADERS_LEN: usize = 128 * 1024;

/// A UTF-8 string backed by [`Bytes`] (zero copy out of a decoded frame), or a static string
/// (the header names and values Bedrock repeats on every frame, which need no validation or
/// reference counting).
#[derive(Clone)]
pub struct ByteStr(Repr);

#[derive(Clone)]
enum Repr {
    Static(&'static str),
    Shared(Bytes),
}

impl ByteStr {
    /// Wraps bytes, checking that they are UTF-8.
    pub fn from_utf8(bytes: Bytes) -> Result<Self, std::str::Utf8Error> {
        std::str::from_utf8(&bytes)?;
        Ok(Self(Repr::Shared(bytes)))
    }
    /// The string.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(s) => s,
            // Checked at construction; an empty string here would be a bug in this module.
            Repr::Shared(b) => std::str::from_utf8(b).unwrap_or_default(),
        }
    }
    /// The bytes of the string.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Static(s) => s.as_bytes(),
            Repr::Shared(b) => b,
        }
    }
}

impl Default for ByteStr {
    fn default() -> Self {
        Self(Repr::Static(""))
    }
}

impl PartialEq for ByteStr {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for ByteStr {}

impl std::hash::Hash for ByteStr {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl From<&'static str> for ByteStr {
    fn from(s: &'static str) -> Self {
        Self(Repr::Static(s))
    }
}

impl From<String> for ByteStr {
    fn from(s: String) -> Self {
        Self(Repr::Shared(Bytes::from(s)))
    }
}

impl std::fmt::Debug for ByteStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A header value: one of the ten wire types (bool true and false are two type codes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderValue {
    /// Types 0 (true) and 1 (false).
    Bool(bool),
    /// Type 2.
    Byte(i8),
    /// Type 3.
    Int16(i16),
    /// Type 4.
    Int32(i32),
    /// Type 5.
    Int64(i64),
    /// Type 6 (u16 length prefix).
    ByteArray(Bytes),
    /// Type 7 (u16 length prefix, UTF-8).
    String(ByteStr),
    /// Type 8: milliseconds since the Unix epoch.
    Timestamp(i64),
    /// Type 9: 16 bytes.
    Uuid([u8; 16]),
}

impl HeaderValue {
    /// The string, for a `String` value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s.as_str()),
            _ => None,
        }
    }
}

/// One header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Name (1..=255 bytes of UTF-8).
    pub name: ByteStr,
    /// Value.
    pub value: HeaderValue,
}

/// One event-stream message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// Headers in wire order.
    pub headers: Vec<Header>,
    /// Payload bytes.
    pub payload: Bytes,
}

impl Message {
    /// A message with no headers.
    pub fn new(payload: impl Into<Bytes>) -> Self {
        Self {
            headers: Vec::new(),
            payload: payload.into(),
        }
    }
    /// Appends a header (builder style).
    #[must_use]
    pub fn with_header(mut self, name: impl Into<ByteStr>, value: HeaderValue) -> Self {
        self.headers.push(Header {
            name: name.into(),
            value,
        });
        self
    }
    /// The value of the header with this name.
    pub fn header(&self, name: &str) -> Option<&HeaderValue> {
        self.headers
            .iter()
            .find(|h| h.name.as_str() == name)
            .map(|h| &h.value)
    }
    /// The value of a string header with this name.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.header(name).and_then(HeaderValue::as_str)
    }
}
