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

pub(crate) use decoder::Peek;
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
    /// A static string (no copy, no reference counting).
    pub const fn from_static(s: &'static str) -> Self {
        Self(Repr::Static(s))
    }
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

/// The headers of a message, in wire order; reads as a `[Header]` slice.
///
/// Frames whose header section is exactly the one Bedrock puts on every chunk share one static
/// list, so decoding them allocates nothing for headers; the first [`push`](Self::push) makes
/// the list the message's own.
#[derive(Clone)]
pub struct Headers(HeadersRepr);

#[derive(Clone)]
enum HeadersRepr {
    Static(&'static [Header]),
    Owned(Vec<Header>),
}

impl Headers {
    /// No headers.
    pub const fn new() -> Self {
        Self(HeadersRepr::Static(&[]))
    }

    pub(crate) const fn from_static(headers: &'static [Header]) -> Self {
        Self(HeadersRepr::Static(headers))
    }

    /// Whether these are the shared headers of a Bedrock `chunk` frame, as the decoder
    /// recognised them (a shortcut past the header lookups; other lists answer `false` even
    /// when equal).
    pub(crate) fn is_bedrock_chunk(&self) -> bool {
        matches!(self.0, HeadersRepr::Static(s) if std::ptr::eq(s, decoder::CHUNK_HEADERS.as_slice()))
    }

    /// Appends a header.
    pub fn push(&mut self, header: Header) {
        if let HeadersRepr::Static(s) = self.0 {
            self.0 = HeadersRepr::Owned(s.to_vec());
        }
        if let HeadersRepr::Owned(v) = &mut self.0 {
            v.push(header);
        }
    }

    /// The headers as a slice.
    pub fn as_slice(&self) -> &[Header] {
        match &self.0 {
            HeadersRepr::Static(s) => s,
            HeadersRepr::Owned(v) => v,
        }
    }
}

impl Default for Headers {
    fn default() -> Self {
        Self::new()
    }
}

impl std::ops::Deref for Headers {
    type Target = [Header];
    fn deref(&self) -> &[Header] {
        self.as_slice()
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = &'a Header;
    type IntoIter = std::slice::Iter<'a, Header>;
    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl From<Vec<Header>> for Headers {
    fn from(v: Vec<Header>) -> Self {
        Self(HeadersRepr::Owned(v))
    }
}

impl FromIterator<Header> for Headers {
    fn from_iter<I: IntoIterator<Item = Header>>(iter: I) -> Self {
        Self(HeadersRepr::Owned(iter.into_iter().collect()))
    }
}

impl PartialEq for Headers {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Headers {}

impl std::fmt::Debug for Headers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

/// One event-stream message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// Headers in wire order.
    pub headers: Headers,
    /// Payload bytes.
    pub payload: Bytes,
}

impl Message {
    /// A message with no headers.
    pub fn new(payload: impl Into<Bytes>) -> Self {
        Self {
            headers: Headers::new(),
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
