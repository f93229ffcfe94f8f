//! Frame encoder.

use bytes::{BufMut, BytesMut};

use super::{HeaderValue, MAX_FRAME_LEN, MAX_HEADERS_LEN, MESSAGE_CRC_LEN, Message, PRELUDE_LEN};

/// Why a message could not be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A header name is empty or longer than 255 bytes.
    #[error("header name length {0} is outside 1..=255")]
    InvalidHeaderName(usize),
    /// A string or bytes header value is longer than 65535 bytes.
    #[error("header value length {0} exceeds 65535")]
    HeaderValueTooLong(usize),
    /// The headers section is above 128 KiB.
    #[error("headers length {0} exceeds the maximum of 128 KiB")]
    HeadersTooLarge(usize),
    /// The frame is above 16 MiB.
    #[error("frame length {0} exceeds the maximum of 16 MiB")]
    FrameTooLarge(usize),
}

fn value_len(v: &HeaderValue) -> Result<usize, EncodeError> {
    Ok(match v {
        HeaderValue::Bool(_) => 0,
        HeaderValue::Byte(_) => 1,
        HeaderValue::Int16(_) => 2,
        HeaderValue::Int32(_) => 4,
        HeaderValue::Int64(_) | HeaderValue::Timestamp(_) => 8,
        HeaderValue::ByteArray(b) => check_u16(b.len())? + 2,
        HeaderValue::String(s) => check_u16(s.as_bytes().len())? + 2,
        HeaderValue::Uuid(_) => 16,
    })
}

fn check_u16(n: usize) -> Result<usize, EncodeError> {
    if n > usize::from(u16::MAX) {
        Err(EncodeError::HeaderValueTooLong(n))
    } else {
        Ok(n)
    }
}

/// Appends the frame of `msg` to `dst`. On error `dst` is left unchanged.
pub fn encode(msg: &Message, dst: &mut BytesMut) -> Result<(), EncodeError> {
    let mut headers_len = 0usize;
    for h in &msg.headers {
        let n = h.name.as_bytes().len();
        if n == 0 || n > 255 {
            return Err(EncodeError::InvalidHeaderName(n));
        }
        headers_len += 1 + n + 1 + value_len(&h.value)?;
    }
    if headers_len > MAX_HEADERS_LEN {
        return Err(EncodeError::HeadersTooLarge(headers_len));
    }
    let total = PRELUDE_LEN + headers_len + msg.payload.len() + MESSAGE_CRC_LEN;
    if total > MAX_FRAME_LEN {
        return Err(EncodeError::FrameTooLarge(total));
    }
    let start = dst.len();
    dst.reserve(total);
    // Both lengths were bounded above (16 MiB), so they fit in u32.
    dst.put_u32(total as u32);
    dst.put_u32(headers_len as u32);
    let prelude_crc = crc32fast::hash(&dst[start..start + 8]);
    dst.put_u32(prelude_crc);
    for h in &msg.headers {
        let name = h.name.as_bytes();
        dst.put_u8(name.len() as u8);
        dst.put_slice(name);
        match &h.value {
            HeaderValue::Bool(true) => dst.put_u8(0),
            HeaderValue::Bool(false) => dst.put_u8(1),
            HeaderValue::Byte(v) => {
                dst.put_u8(2);
                dst.put_i8(*v);
            }
            HeaderValue::Int16(v) => {
                dst.put_u8(3);
                dst.put_i16(*v);
            }
            HeaderValue::Int32(v) => {
                dst.put_u8(4);
                dst.put_i32(*v);
            }
            HeaderValue::Int64(v) => {
                dst.put_u8(5);
                dst.put_i64(*v);
            }
            HeaderValue::ByteArray(b) => {
                dst.put_u8(6);
                dst.put_u16(b.len() as u16);
                dst.put_slice(b);
            }
            HeaderValue::String(s) => {
                dst.put_u8(7);
                dst.put_u16(s.as_bytes().len() as u16);
                dst.put_slice(s.as_bytes());
            }
            HeaderValue::Timestamp(v) => {
                dst.put_u8(8);
                dst.put_i64(*v);
            }
            HeaderValue::Uuid(u) => {
                dst.put_u8(9);
                dst.put_slice(u);
            }
        }
    }
    dst.put_slice(&msg.payload);
    let crc = crc32fast::hash(&dst[start..]);
    dst.put_u32(crc);
    Ok(())
}
