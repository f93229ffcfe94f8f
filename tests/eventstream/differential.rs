//! Differential and property tests: our codec against `aws-smithy-eventstream`, and arbitrary
//! bytes against the decoder and the Bedrock layer (the fuzz properties, run in `cargo test`).

use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder, write_message_to};
use aws_smithy_types::event_stream as smithy;
use bytes::{Bytes, BytesMut};
use proptest::prelude::*;

use bedrock_lite::eventstream::{
    self, ByteStr, DecodeError, Decoder, Header, HeaderValue, Message, bedrock,
};

pub(crate) fn from_smithy(m: &smithy::Message) -> Message {
    let headers = m
        .headers()
        .iter()
        .map(|h| Header {
            name: ByteStr::from(h.name().as_str().to_owned()),
            value: match h.value() {
                smithy::HeaderValue::Bool(b) => HeaderValue::Bool(*b),
                smithy::HeaderValue::Byte(v) => HeaderValue::Byte(*v),
                smithy::HeaderValue::Int16(v) => HeaderValue::Int16(*v),
                smithy::HeaderValue::Int32(v) => HeaderValue::Int32(*v),
                smithy::HeaderValue::Int64(v) => HeaderValue::Int64(*v),
                smithy::HeaderValue::ByteArray(b) => HeaderValue::ByteArray(b.clone()),
                smithy::HeaderValue::String(s) => {
                    HeaderValue::String(ByteStr::from(s.as_str().to_owned()))
                }
                smithy::HeaderValue::Timestamp(t) => HeaderValue::Timestamp(t.to_millis().unwrap()),
                smithy::HeaderValue::Uuid(u) => HeaderValue::Uuid(u.to_be_bytes()),
                other => panic!("unexpected smithy header value {other:?}"),
            },
        })
        .collect();
    Message {
        headers,
        payload: m.payload().clone(),
    }
}

fn to_smithy(m: &Message) -> smithy::Message {
    let headers = m
        .headers
        .iter()
        .map(|h| {
            let value = match &h.value {
                HeaderValue::Bool(b) => smithy::HeaderValue::Bool(*b),
                HeaderValue::Byte(v) => smithy::HeaderValue::Byte(*v),
                HeaderValue::Int16(v) => smithy::HeaderValue::Int16(*v),
                HeaderValue::Int32(v) => smithy::HeaderValue::Int32(*v),
                HeaderValue::Int64(v) => smithy::HeaderValue::Int64(*v),
                HeaderValue::ByteArray(b) => smithy::HeaderValue::ByteArray(b.clone()),
                HeaderValue::String(s) => smithy::HeaderValue::String(s.as_str().to_owned().into()),
                HeaderValue::Timestamp(t) => {
                    smithy::HeaderValue::Timestamp(aws_smithy_types::DateTime::from_millis(*t))
                }
                HeaderValue::Uuid(u) => smithy::HeaderValue::Uuid(u128::from_be_bytes(*u)),
            };
            smithy::Header::new(h.name.as_str().to_owned(), value)
        })
        .collect();
    smithy::Message::new_from_parts(headers, m.payload.clone())
}

/// Decodes a byte stream with smithy's frame decoder.
pub(crate) fn smithy_decode(data: &[u8]) -> Result<Vec<smithy::Message>, String> {
    let mut decoder = MessageFrameDecoder::new();
    let mut buf = BytesMut::from(data);
    let mut out = Vec::new();
    while let DecodedFrame::Complete(m) =
        decoder.decode_frame(&mut buf).map_err(|e| e.to_string())?
    {
        out.push(m);
    }
    Ok(out)
}

fn header_value() -> impl Strategy<Value = HeaderValue> {
    prop_oneof![
        any::<bool>().prop_map(HeaderValue::Bool),
        any::<i8>().prop_map(HeaderValue::Byte),
        any::<i16>().prop_map(HeaderValue::Int16),
        any::<i32>().prop_map(HeaderValue::Int32),
        any::<i64>().prop_map(HeaderValue::Int64),
        proptest::collection::vec(any::<u8>(), 0..300)
            .prop_map(|v| HeaderValue::ByteArray(Bytes::from(v))),
        ".{0,40}".prop_map(|s: String| HeaderValue::String(ByteStr::from(s))),
        (-1_000_000_000_000_000i64..1_000_000_000_000_000).prop_map(HeaderValue::Timestamp),
        any::<[u8; 16]>().prop_map(HeaderValue::Uuid),
    ]
}

fn message() -> impl Strategy<Value = Message> {
    (
        proptest::collection::btree_map("[:a-zA-Z0-9_-]{1,20}|.{1,10}", header_value(), 0..8),
        proptest::collection::vec(any::<u8>(), 0..2000),
    )
        .prop_map(|(headers, payload)| Message {
            headers: headers
                .into_iter()
                .map(|(name, value)| Header {
                    name: ByteStr::from(name),
                    value,
                })
                .collect(),
            payload: Bytes::from(payload),
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn smithy_encoded_messages_decode_equal(msg in message()) {
        let mut wire = Vec::new();
        write_message_to(&to_smithy(&msg), &mut wire).unwrap();
        let mut buf = BytesMut::from(&wire[..]);
        let ours = Decoder::new().decode_eof(&mut buf).unwrap().unwrap();
        prop_assert_eq!(&ours, &msg);
        // And our encoding is byte-identical to smithy's.
        let mut mine = BytesMut::new();
        eventstream::encode(&msg, &mut mine).unwrap();
        prop_assert_eq!(&mine[..], &wire[..]);
    }

    #[test]
    fn our_frames_decode_equal_in_smithy(msg in message()) {
        let mut wire = BytesMut::new();
        eventstream::encode(&msg, &mut wire).unwrap();
        let theirs = smithy_decode(&wire).unwrap();
        prop_assert_eq!(theirs.len(), 1);
        prop_assert_eq!(from_smithy(&theirs[0]), msg);
    }

    #[test]
    fn round_trip_in_any_piece_size(msgs in proptest::collection::vec(message(), 1..4), piece in 1usize..600) {
        let mut wire = BytesMut::new();
        for m in &msgs {
            eventstream::encode(m, &mut wire).unwrap();
        }
        prop_assert_eq!(super::decode_in_pieces(&wire, piece).unwrap(), msgs);
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..4096), piece in 1usize..64) {
        if let Ok(msgs) = super::decode_in_pieces(&data, piece) {
            for m in &msgs {
                let _ = bedrock::parse_event(m);
            }
        }
    }

    #[test]
    fn garbage_after_a_valid_prelude_never_panics(total in 16u32..2048, headers in 0u32..2048, rest in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut data = Vec::new();
        data.extend_from_slice(&total.to_be_bytes());
        data.extend_from_slice(&headers.to_be_bytes());
        let crc = crc32fast::hash(&data);
        data.extend_from_slice(&crc.to_be_bytes());
        data.extend_from_slice(&rest);
        // Make the message CRC right too, so the header parser sees the garbage.
        if let Some(end) = (total as usize).checked_sub(4).filter(|e| *e <= data.len().saturating_sub(4) && *e >= 12) {
            let c = crc32fast::hash(&data[..end]);
            data[end..end + 4].copy_from_slice(&c.to_be_bytes());
        }
        if let Ok(msgs) = super::decode_in_pieces(&data, 5) {
            for m in &msgs {
                let _ = bedrock::parse_event(m);
            }
        }
    }

    #[test]
    fn bedrock_layer_never_panics(headers in proptest::collection::vec((":message-type|:event-type|:exception-type|:error-code|x", ".{0,12}"), 0..4), payload in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut m = Message::new(Bytes::from(payload));
        let mut seen = std::collections::HashSet::new();
        for (n, v) in headers {
            if seen.insert(n.clone()) {
                m = m.with_header(ByteStr::from(n), HeaderValue::String(ByteStr::from(v)));
            }
        }
        let _ = bedrock::parse_event(&m);
    }
}

#[test]
fn four_gib_length_is_rejected_with_twelve_bytes_buffered() {
    let mut prelude = Vec::new();
    prelude.extend_from_slice(&u32::MAX.to_be_bytes());
    prelude.extend_from_slice(&16u32.to_be_bytes());
    let crc = crc32fast::hash(&prelude);
    prelude.extend_from_slice(&crc.to_be_bytes());
    let mut buf = BytesMut::from(&prelude[..]);
    assert_eq!(
        Decoder::new().decode(&mut buf),
        Err(DecodeError::FrameTooLarge(u32::MAX))
    );
    // smithy, by contrast, waits for the 4 GiB to arrive.
    assert!(smithy_decode(&prelude).unwrap().is_empty());
}

#[test]
fn truncated_frame_is_an_error_at_eof() {
    let mut wire = BytesMut::new();
    eventstream::encode(&bedrock::chunk_message(b"{}"), &mut wire).unwrap();
    let cut = wire.len() - 3;
    let mut buf = BytesMut::from(&wire[..cut]);
    assert_eq!(
        Decoder::new().decode_eof(&mut buf),
        Err(DecodeError::TrailingBytes(cut))
    );
}
