//! Incremental frame decoder.
//!
//! ```text
//! | total_len u32 | headers_len u32 | prelude_crc u32 | headers … | payload … | message_crc u32 |
//! ```
//! `prelude_crc` is the CRC32 of the first 8 bytes, `message_crc` the CRC32 of everything before it.

use bytes::{Buf, Bytes, BytesMut};

use super::{
    ByteStr, Header, HeaderValue, Headers, MAX_FRAME_LEN, MAX_HEADERS_LEN, MESSAGE_CRC_LEN,
    MIN_FRAME_LEN, Message, PRELUDE_LEN,
};

/// The header section Bedrock sends on every `chunk` frame, byte for byte (as in every recorded
/// stream under `fixtures/eventstream/recorded/`), and the headers it decodes to. Matching the
/// section as a whole replaces the parse of three headers per frame by one comparison.
const CHUNK_HEADERS_WIRE: &[u8] = b"\x0b:event-type\x07\x00\x05chunk\
\x0d:content-type\x07\x00\x10application/json\
\x0d:message-type\x07\x00\x05event";

pub(super) static CHUNK_HEADERS: [Header; 3] = [
    Header {
        name: ByteStr::from_static(":event-type"),
        value: HeaderValue::String(ByteStr::from_static("chunk")),
    },
    Header {
        name: ByteStr::from_static(":content-type"),
        value: HeaderValue::String(ByteStr::from_static("application/json")),
    },
    Header {
        name: ByteStr::from_static(":message-type"),
        value: HeaderValue::String(ByteStr::from_static("event")),
    },
];

/// Why bytes could not be decoded into a message. Each variant carries its evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The CRC32 of the first 8 bytes does not match the prelude CRC.
    #[error("prelude checksum mismatch: expected {expected:#010x}, computed {actual:#010x}")]
    PreludeChecksumMismatch {
        /// CRC carried by the frame.
        expected: u32,
        /// CRC computed over the prelude.
        actual: u32,
    },
    /// The CRC32 of the frame does not match the trailing message CRC.
    #[error("message checksum mismatch: expected {expected:#010x}, computed {actual:#010x}")]
    MessageChecksumMismatch {
        /// CRC carried by the frame.
        expected: u32,
        /// CRC computed over the frame.
        actual: u32,
    },
    /// The total length is below the 16-byte minimum.
    #[error("frame length {0} is below the minimum of 16 bytes")]
    FrameTooShort(u32),
    /// The total length is above the 16 MiB maximum.
    #[error("frame length {0} exceeds the maximum of 16 MiB")]
    FrameTooLarge(u32),
    /// The headers length is above the 128 KiB maximum.
    #[error("headers length {0} exceeds the maximum of 128 KiB")]
    HeadersTooLarge(u32),
    /// The headers do not fit in the frame.
    #[error("headers length {headers_len} does not fit in a frame of {total_len} bytes")]
    HeadersLengthMismatch {
        /// Total length from the prelude.
        total_len: u32,
        /// Headers length from the prelude.
        headers_len: u32,
    },
    /// A header ends before its declared size.
    #[error("header truncated at offset {0} of the headers section")]
    TruncatedHeader(usize),
    /// A header has an empty name.
    #[error("empty header name at offset {0} of the headers section")]
    EmptyHeaderName(usize),
    /// A header name or string value is not UTF-8.
    #[error("header at offset {0} of the headers section is not valid UTF-8")]
    InvalidUtf8(usize),
    /// A header value type code outside 0..=9.
    #[error("unknown header value type {0}")]
    UnknownHeaderType(u8),
    /// The same header name appears twice.
    #[error("duplicate header name at offset {0} of the headers section")]
    DuplicateHeader(usize),
    /// Input ended inside a frame.
    #[error("{0} bytes remain after the last complete frame")]
    TrailingBytes(usize),
}

/// What [`Decoder::peek_bedrock_chunk`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Peek {
    /// The frame is not all there yet.
    Incomplete,
    /// A checked chunk frame of `total` bytes; its payload is `buf[payload]`.
    Chunk {
        total: usize,
        payload: std::ops::Range<usize>,
    },
    /// Some other frame: decode it as a message.
    Other,
}

/// Incremental frame decoder (the tokio-util `Decoder` contract).
///
/// The prelude is checked as soon as its 12 bytes are present, so a corrupt or hostile length
/// fails without buffering toward it.
#[derive(Debug, Default)]
pub struct Decoder {
    /// Total length of the frame whose prelude was already validated.
    pending: Option<usize>,
}

fn read_u32(b: &[u8], at: usize) -> u32 {
    let mut word = [0u8; 4];
    if let Some(s) = b.get(at..at + 4) {
        word.copy_from_slice(s);
    }
    u32::from_be_bytes(word)
}

/// Validates a 12-byte prelude and returns the total frame length.
fn check_prelude(prelude: &[u8]) -> Result<usize, DecodeError> {
    let total_len = read_u32(prelude, 0);
    let headers_len = read_u32(prelude, 4);
    let expected = read_u32(prelude, 8);
    let actual = crc32fast::hash(prelude.get(..8).unwrap_or_default());
    if expected != actual {
        return Err(DecodeError::PreludeChecksumMismatch { expected, actual });
    }
    let total = total_len as usize;
    if total < MIN_FRAME_LEN {
        return Err(DecodeError::FrameTooShort(total_len));
    }
    if total > MAX_FRAME_LEN {
        return Err(DecodeError::FrameTooLarge(total_len));
    }
    if headers_len as usize > MAX_HEADERS_LEN {
        return Err(DecodeError::HeadersTooLarge(headers_len));
    }
    if headers_len as usize > total - MIN_FRAME_LEN {
        return Err(DecodeError::HeadersLengthMismatch {
            total_len,
            headers_len,
        });
    }
    Ok(total)
}

impl Decoder {
    /// A decoder with the default limits.
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes one message from the front of `buf`. `Ok(None)`: need more bytes.
    ///
    /// After an error the stream is unusable: framing is lost.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Message>, DecodeError> {
        match self.frame_len(buf)? {
            Some(total) => {
                self.pending = None;
                parse_frame(buf.split_to(total).freeze()).map(Some)
            }
            None => {
                if let Some(total) = self.pending {
                    buf.reserve(total.saturating_sub(buf.len()));
                }
                Ok(None)
            }
        }
    }

    /// Like [`decode`](Self::decode), but splits the frame off a received piece without
    /// copying it. `Ok(None)`: what is left of `buf` is the start of a frame; append it to the
    /// buffer given to [`decode`](Self::decode) and go on from there (the prelude already
    /// checked is not checked again).
    pub fn decode_bytes(&mut self, buf: &mut Bytes) -> Result<Option<Message>, DecodeError> {
        match self.frame_len(buf)? {
            Some(total) => {
                self.pending = None;
                parse_frame(buf.split_to(total)).map(Some)
            }
            None => Ok(None),
        }
    }

    /// Recognises, in place, a complete Bedrock `chunk` frame at the front of `buf` (the exact
    /// header section every chunk carries) and checks its CRC, without creating a message:
    /// for readers that copy the payload out anyway. Any other frame is left to
    /// [`decode_bytes`](Self::decode_bytes) / [`decode`](Self::decode), which continue from
    /// the prelude checked here.
    pub(crate) fn peek_bedrock_chunk(&mut self, buf: &[u8]) -> Result<Peek, DecodeError> {
        let Some(total) = self.frame_len(buf)? else {
            return Ok(Peek::Incomplete);
        };
        let headers_end = headers_end(buf);
        if !is_chunk_section(buf, headers_end) {
            return Ok(Peek::Other);
        }
        let crc_at = total - MESSAGE_CRC_LEN;
        check_message_crc(buf, crc_at)?;
        self.pending = None;
        Ok(Peek::Chunk {
            total,
            payload: headers_end..crc_at,
        })
    }

    /// The total length of a frame whose prelude was validated but whose remaining bytes have
    /// not arrived yet.
    pub fn pending_frame_len(&self) -> Option<usize> {
        self.pending
    }

    /// The length of the frame at the front of `buf` once all of it is there; the prelude is
    /// validated as soon as its 12 bytes are.
    #[inline(always)]
    fn frame_len(&mut self, buf: &[u8]) -> Result<Option<usize>, DecodeError> {
        let total = match self.pending {
            Some(t) => t,
            None => {
                let Some(prelude) = buf.get(..PRELUDE_LEN) else {
                    return Ok(None);
                };
                let t = check_prelude(prelude)?;
                self.pending = Some(t);
                t
            }
        };
        Ok((buf.len() >= total).then_some(total))
    }

    /// Like [`decode`](Self::decode) at end of input: leftover bytes are an error.
    pub fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<Message>, DecodeError> {
        match self.decode(buf)? {
            Some(m) => Ok(Some(m)),
            None if buf.is_empty() => Ok(None),
            None => Err(DecodeError::TrailingBytes(buf.len())),
        }
    }
}

/// Parses a complete frame whose prelude was validated.
/// Where the header section of a frame with a validated prelude ends.
fn headers_end(frame: &[u8]) -> usize {
    PRELUDE_LEN + read_u32(frame, 4) as usize
}

/// Whether the header section is, byte for byte, the one of a Bedrock `chunk` frame.
fn is_chunk_section(frame: &[u8], headers_end: usize) -> bool {
    frame.get(PRELUDE_LEN..headers_end) == Some(CHUNK_HEADERS_WIRE)
}

/// Checks the CRC32 of `frame[..crc_at]` against the one stored at `crc_at`.
fn check_message_crc(frame: &[u8], crc_at: usize) -> Result<(), DecodeError> {
    let expected = read_u32(frame, crc_at);
    let actual = crc32fast::hash(frame.get(..crc_at).unwrap_or_default());
    if expected == actual {
        Ok(())
    } else {
        Err(DecodeError::MessageChecksumMismatch { expected, actual })
    }
}

// Inlined into both callers: out of line, the frame handle goes through memory between the
// truncate/advance and the move into the message, and the store-forwarding stalls cost about
// 40% of the frame-decoding time.
#[inline(always)]
fn parse_frame(mut frame: Bytes) -> Result<Message, DecodeError> {
    let crc_at = frame.len() - MESSAGE_CRC_LEN;
    let headers_end = headers_end(&frame);
    // Headers are parsed before the message CRC is checked, as aws-smithy-eventstream and
    // botocore do, so a malformed header is reported as such; parsing is bounds-checked either way.
    let headers = if is_chunk_section(&frame, headers_end) {
        Headers::from_static(&CHUNK_HEADERS)
    } else {
        Headers::from(parse_headers(&frame, PRELUDE_LEN, headers_end)?)
    };
    check_message_crc(&frame, crc_at)?;
    // The frame becomes its payload in place: no second reference to the buffer.
    frame.truncate(crc_at);
    frame.advance(headers_end);
    Ok(Message {
        headers,
        payload: frame,
    })
}

/// The header names and string values Bedrock sends. Matching them yields static strings (no
/// UTF-8 check, no reference counting); the length picks the few candidates to compare.
fn interned(raw: &[u8]) -> Option<&'static str> {
    let candidates: &[&'static str] = match raw.len() {
        5 => &["chunk", "event", "error"],
        9 => &["exception"],
        11 => &[":event-type", ":error-code"],
        13 => &[":content-type", ":message-type"],
        14 => &[":error-message"],
        15 => &[":exception-type"],
        16 => &["application/json"],
        _ => return None,
    };
    candidates.iter().copied().find(|c| c.as_bytes() == raw)
}

/// `frame[start..start + len]` as a `ByteStr`: a static one when interned, else a zero-copy
/// slice of the frame after UTF-8 validation.
fn byte_str(
    frame: &Bytes,
    start: usize,
    len: usize,
    offset: usize,
) -> Result<ByteStr, DecodeError> {
    let raw = frame
        .get(start..start + len)
        .ok_or(DecodeError::TruncatedHeader(offset))?;
    if let Some(s) = interned(raw) {
        return Ok(ByteStr::from(s));
    }
    ByteStr::from_utf8(frame.slice(start..start + len))
        .map_err(|_| DecodeError::InvalidUtf8(offset))
}

/// Parses the headers section `frame[start..end]` with a bounds-checked cursor.
fn parse_headers(frame: &Bytes, start: usize, end: usize) -> Result<Vec<Header>, DecodeError> {
    let mut headers: Vec<Header> = Vec::with_capacity(4);
    let mut at = start;
    let section = frame.get(start..end).unwrap_or_default();
    let take = |at: &mut usize, n: usize, offset: usize| -> Result<&[u8], DecodeError> {
        let from = *at - start;
        let bytes = section
            .get(from..from + n)
            .ok_or(DecodeError::TruncatedHeader(offset))?;
        *at += n;
        Ok(bytes)
    };
    while at < end {
        let offset = at - start;
        let name_len = usize::from(take(&mut at, 1, offset)?[0]);
        if name_len == 0 {
            return Err(DecodeError::EmptyHeaderName(offset));
        }
        take(&mut at, name_len, offset)?;
        let name = byte_str(frame, at - name_len, name_len, offset)?;
        let value_type = take(&mut at, 1, offset)?[0];
        let fixed = |at: &mut usize, n: usize| -> Result<[u8; 8], DecodeError> {
            let mut word = [0u8; 8];
            word[8 - n..].copy_from_slice(take(at, n, offset)?);
            Ok(word)
        };
        let value = match value_type {
            0 => HeaderValue::Bool(true),
            1 => HeaderValue::Bool(false),
            2 => HeaderValue::Byte(i64::from_be_bytes(fixed(&mut at, 1)?) as u8 as i8),
            3 => HeaderValue::Int16(i64::from_be_bytes(fixed(&mut at, 2)?) as u16 as i16),
            4 => HeaderValue::Int32(i64::from_be_bytes(fixed(&mut at, 4)?) as u32 as i32),
            5 => HeaderValue::Int64(i64::from_be_bytes(fixed(&mut at, 8)?)),
            6 | 7 => {
                let n = u64::from_be_bytes(fixed(&mut at, 2)?) as usize;
                take(&mut at, n, offset)?;
                if value_type == 6 {
                    HeaderValue::ByteArray(frame.slice(at - n..at))
                } else {
                    HeaderValue::String(byte_str(frame, at - n, n, offset)?)
                }
            }
            8 => HeaderValue::Timestamp(i64::from_be_bytes(fixed(&mut at, 8)?)),
            9 => {
                let mut uuid = [0u8; 16];
                uuid.copy_from_slice(take(&mut at, 16, offset)?);
                HeaderValue::Uuid(uuid)
            }
            other => return Err(DecodeError::UnknownHeaderType(other)),
        };
        if headers.iter().any(|h| h.name == name) {
            return Err(DecodeError::DuplicateHeader(offset));
        }
        headers.push(Header { name, value });
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_chunk_headers_are_what_the_section_parses_to() {
        let frame = Bytes::from([&[0u8; PRELUDE_LEN][..], CHUNK_HEADERS_WIRE].concat());
        let parsed = parse_headers(&frame, PRELUDE_LEN, frame.len()).unwrap();
        assert_eq!(parsed, CHUNK_HEADERS);
    }

    #[test]
    fn decode_bytes_splits_frames_off_a_piece_and_leaves_a_partial_one() {
        let wire: &[u8] = include_bytes!(
            "../../fixtures/eventstream/recorded/envoy-aigw_invoke-stream_claude-sonnet-4-5.bin"
        );
        let first = read_u32(wire, 0) as usize;
        // One whole frame, then the next one cut after its prelude plus one byte.
        let mut piece = Bytes::copy_from_slice(&wire[..first + PRELUDE_LEN + 1]);
        let mut d = Decoder::new();
        let m = d.decode_bytes(&mut piece).unwrap().unwrap();
        assert_eq!(m.header_str(":event-type"), Some("chunk"));
        assert_eq!(d.decode_bytes(&mut piece), Ok(None));
        assert_eq!(piece.len(), PRELUDE_LEN + 1);
        let second = read_u32(&wire[first..], 0) as usize;
        assert_eq!(d.pending_frame_len(), Some(second));
        // The rest goes through the buffer, as the stream does with a straddling frame.
        let mut buf = BytesMut::from(&piece[..]);
        buf.extend_from_slice(&wire[first + PRELUDE_LEN + 1..first + second]);
        assert!(d.decode(&mut buf).unwrap().is_some());
        assert_eq!(d.pending_frame_len(), None);
    }

    #[test]
    fn pushing_onto_shared_chunk_headers_copies_them_first() {
        let mut headers = Headers::from_static(&CHUNK_HEADERS);
        assert!(headers.is_bedrock_chunk());
        headers.push(Header {
            name: ByteStr::from_static("extra"),
            value: HeaderValue::Bool(true),
        });
        assert!(!headers.is_bedrock_chunk());
        assert_eq!(headers.len(), 4);
        assert_eq!(&headers[..3], &CHUNK_HEADERS[..]);
        assert_eq!(CHUNK_HEADERS.len(), 3, "the shared list is untouched");
    }

    #[test]
    fn needs_the_whole_prelude() {
        let mut buf = BytesMut::from(&[0u8; 11][..]);
        assert_eq!(Decoder::new().decode(&mut buf), Ok(None));
        assert_eq!(
            Decoder::new().decode_eof(&mut buf),
            Err(DecodeError::TrailingBytes(11))
        );
    }
}
