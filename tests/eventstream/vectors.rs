//! The vectors shipped with aws-smithy-eventstream (fixtures/eventstream/smithy).

use bedrock_lite::eventstream::{DecodeError, HeaderValue};

use super::{decode_in_pieces, fixture};

#[test]
fn valid_vectors_decode() {
    let m = decode_in_pieces(&fixture("smithy/valid_no_headers"), usize::MAX).unwrap();
    assert_eq!(m.len(), 1);
    assert!(m[0].headers.is_empty());
    assert_eq!(&m[0].payload[..], b"another test payload");

    let m = decode_in_pieces(&fixture("smithy/valid_empty_payload"), usize::MAX).unwrap();
    assert_eq!(m.len(), 1);
    assert!(m[0].payload.is_empty());
    assert_eq!(m[0].headers.len(), 1);
    assert_eq!(m[0].headers[0].name.as_str(), "some-header");
    assert_eq!(m[0].headers[0].value, HeaderValue::Int16(500));

    let m = decode_in_pieces(&fixture("smithy/valid_with_all_headers_and_payload"), 7).unwrap();
    assert_eq!(m.len(), 1);
    let msg = &m[0];
    assert_eq!(&msg.payload[..], b"some payload");
    assert_eq!(
        msg.header("str"),
        Some(&HeaderValue::String("some str".into()))
    );
    assert_eq!(msg.header("byte"), Some(&HeaderValue::Byte(b'2' as i8)));
    assert_eq!(msg.header("short"), Some(&HeaderValue::Int16(20000)));
    let names: Vec<&str> = msg.headers.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "true", "false", "byte", "short", "int", "long", "bytes", "str", "time", "uuid"
        ]
    );
    // Every wire type appears once (true and false are separate type codes).
    let mut seen = [false; 10];
    for h in &msg.headers {
        let code = match h.value {
            HeaderValue::Bool(true) => 0,
            HeaderValue::Bool(false) => 1,
            HeaderValue::Byte(_) => 2,
            HeaderValue::Int16(_) => 3,
            HeaderValue::Int32(_) => 4,
            HeaderValue::Int64(_) => 5,
            HeaderValue::ByteArray(_) => 6,
            HeaderValue::String(_) => 7,
            HeaderValue::Timestamp(_) => 8,
            HeaderValue::Uuid(_) => 9,
        };
        seen[code] = true;
    }
    assert_eq!(seen, [true; 10], "{:?}", msg.headers);
    // Cross-check with aws-smithy-eventstream on the same bytes.
    let theirs =
        super::differential::smithy_decode(&fixture("smithy/valid_with_all_headers_and_payload"))
            .unwrap();
    assert_eq!(super::differential::from_smithy(&theirs[0]), *msg);
}

#[test]
fn invalid_vectors_fail_with_their_own_error() {
    type Check = fn(&DecodeError) -> bool;
    let cases: [(&str, Check); 8] = [
        ("invalid_header_name_length", |e| {
            matches!(
                e,
                DecodeError::TruncatedHeader(_) | DecodeError::InvalidUtf8(_)
            )
        }),
        ("invalid_header_name_length_too_long", |e| {
            matches!(e, DecodeError::TruncatedHeader(_))
        }),
        ("invalid_header_string_length_cut_off", |e| {
            matches!(e, DecodeError::TruncatedHeader(_))
        }),
        ("invalid_header_string_value_length", |e| {
            matches!(e, DecodeError::TruncatedHeader(_))
        }),
        ("invalid_header_value_type", |e| {
            matches!(e, DecodeError::UnknownHeaderType(_))
        }),
        ("invalid_headers_length", |e| {
            matches!(e, DecodeError::HeadersLengthMismatch { .. })
        }),
        ("invalid_message_checksum", |e| {
            matches!(e, DecodeError::MessageChecksumMismatch { .. })
        }),
        ("invalid_prelude_checksum", |e| {
            matches!(e, DecodeError::PreludeChecksumMismatch { .. })
        }),
    ];
    let mut failures = Vec::new();
    for (name, check) in cases {
        match decode_in_pieces(&fixture(&format!("smithy/{name}")), usize::MAX) {
            Ok(m) => failures.push(format!("{name}: decoded {} messages", m.len())),
            Err(e) if check(&e) => {}
            Err(e) => failures.push(format!("{name}: unexpected error {e:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
