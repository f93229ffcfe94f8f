//! Real Bedrock stream bytes (fixtures/eventstream/recorded) decode to the expected chunks, in
//! every piece size, and agree with smithy's decoder plus an independent base64/JSON decode.

use base64::Engine as _;
use bytes::{Bytes, BytesMut};

use bedrock_lite::eventstream::bedrock::{self, Event, ExceptionKind, StreamError};
use bedrock_lite::eventstream::{Decoder, Message};

use super::{decode_in_pieces, differential::smithy_decode, fixture};

/// (file, frames, last chunk's inputTokenCount, outputTokenCount)
const STREAMS: [(&str, usize, u64, u64); 4] = [
    (
        "recorded/envoy-aigw_invoke-stream_claude-sonnet-4-5.bin",
        10,
        10,
        15,
    ),
    (
        "recorded/aimock_invoke-stream_claude-sonnet-4-5_tooluse-max-tokens.bin",
        5,
        692,
        32,
    ),
    (
        "recorded/otel-py-contrib_test_invoke_model_with_response_stream_with_content_anthropic.claude.bin",
        15,
        14,
        10,
    ),
    ("recorded/ddtrace-py_anthropic_invoke_stream.bin", 1, 0, 0),
];

fn chunks(msgs: &[Message]) -> Vec<Bytes> {
    msgs.iter()
        .map(|m| match bedrock::parse_event(m) {
            Ok(Event::Chunk(b)) => b,
            other => panic!("expected a chunk, got {other:?}"),
        })
        .collect()
}

/// The chunk bytes as smithy's decoder, serde_json and the base64 crate see them.
fn independent_chunks(data: &[u8]) -> Vec<Vec<u8>> {
    smithy_decode(data)
        .unwrap()
        .iter()
        .map(|m| {
            let v: serde_json::Value = serde_json::from_slice(m.payload()).unwrap();
            base64::engine::general_purpose::STANDARD
                .decode(v["bytes"].as_str().unwrap())
                .unwrap()
        })
        .collect()
}

#[test]
fn recorded_streams_decode_to_the_expected_chunks() {
    for (file, frames, input_tokens, output_tokens) in STREAMS {
        let data = fixture(file);
        let msgs = decode_in_pieces(&data, usize::MAX).unwrap();
        assert_eq!(msgs.len(), frames, "{file}");
        let ours = chunks(&msgs);
        let theirs = independent_chunks(&data);
        assert_eq!(
            ours.iter().map(|b| b.to_vec()).collect::<Vec<_>>(),
            theirs,
            "{file}"
        );
        let last: serde_json::Value = serde_json::from_slice(ours.last().unwrap()).unwrap();
        let metrics = &last["amazon-bedrock-invocationMetrics"];
        assert!(metrics.is_object(), "{file}: no metrics in {last}");
        if input_tokens > 0 {
            assert_eq!(metrics["inputTokenCount"], input_tokens, "{file}");
            assert_eq!(metrics["outputTokenCount"], output_tokens, "{file}");
        }
    }
}

#[test]
fn envoy_stream_text_and_shape() {
    let msgs = decode_in_pieces(&fixture(STREAMS[0].0), usize::MAX).unwrap();
    let events: Vec<serde_json::Value> = chunks(&msgs)
        .iter()
        .map(|b| serde_json::from_slice(b).unwrap())
        .collect();
    assert_eq!(events[0]["type"], "message_start");
    assert_eq!(events[0]["message"]["model"], "claude-sonnet-4-5-20250929");
    let text: String = events
        .iter()
        .filter(|e| e["type"] == "content_block_delta")
        .map(|e| e["delta"]["text"].as_str().unwrap().to_owned())
        .collect();
    assert!(!text.is_empty());
    assert_eq!(events.last().unwrap()["type"], "message_stop");
}

#[test]
fn chunk_size_sweep_and_byte_by_byte() {
    let mut data = Vec::new();
    for (file, ..) in STREAMS {
        data.extend_from_slice(&fixture(file));
    }
    let expected = decode_in_pieces(&data, usize::MAX).unwrap();
    assert_eq!(expected.len(), 31);
    let two_frames = expected[0..2].iter().map(|m| {
        let mut b = BytesMut::new();
        bedrock_lite::eventstream::encode(m, &mut b).unwrap();
        b.len()
    });
    let max = two_frames.sum::<usize>();
    for piece in 1..=max {
        assert_eq!(
            decode_in_pieces(&data, piece).unwrap(),
            expected,
            "piece size {piece}"
        );
    }
}

#[test]
fn envoy_recorded_network_chunks() {
    let pieces: Vec<String> = serde_json::from_slice(&fixture(
        "recorded/envoy-aigw_invoke-stream_claude-sonnet-4-5.chunks.json",
    ))
    .unwrap();
    assert_eq!(pieces.len(), 7);
    let mut decoder = Decoder::new();
    let mut buf = BytesMut::new();
    let mut per_piece = Vec::new();
    let mut all = Vec::new();
    for p in pieces {
        buf.extend_from_slice(&base64::engine::general_purpose::STANDARD.decode(p).unwrap());
        let mut n = 0;
        while let Some(m) = decoder.decode(&mut buf).unwrap() {
            all.push(m);
            n += 1;
        }
        per_piece.push(n);
    }
    assert!(decoder.decode_eof(&mut buf).unwrap().is_none());
    // The first network read carried four frames, each later one a single frame.
    assert_eq!(per_piece, [4, 1, 1, 1, 1, 1, 1]);
    assert_eq!(
        all,
        decode_in_pieces(&fixture(STREAMS[0].0), usize::MAX).unwrap()
    );
}

#[test]
fn model_stream_error_exception_frame() {
    let msgs = decode_in_pieces(
        &fixture("recorded/vercel-ai_model-stream-error-exception.bin"),
        3,
    )
    .unwrap();
    assert_eq!(msgs.len(), 1);
    match bedrock::parse_event(&msgs[0]) {
        Err(StreamError::Exception {
            kind,
            message,
            original_status_code,
            original_message,
        }) => {
            assert_eq!(kind, ExceptionKind::ModelStreamError);
            assert_eq!(message, "Model Stream Error");
            assert_eq!(original_status_code, Some(500));
            assert_eq!(
                original_message.as_deref(),
                Some("The model stream failed.")
            );
        }
        other => panic!("expected an exception, got {other:?}"),
    }
}
