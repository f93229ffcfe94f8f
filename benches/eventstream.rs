//! Decoding a 10,000-message Bedrock-like `chunk` stream (~258 B per frame), fed in 4 KiB pieces
//! and as one buffer: (a) frames only, ours vs `aws-smithy-eventstream`'s `MessageFrameDecoder`;
//! (b) the full path (frame, outer JSON, base64, inner JSON to `serde_json::Value`), ours vs
//! smithy + serde_json + base64. `benches/compare.sh` prints the ratios.

use std::hint::black_box;
use std::time::Duration;

use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder};
use base64::Engine as _;
use bytes::{Bytes, BytesMut};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

use bedrock_lite::eventstream::bedrock::{self, Event};
use bedrock_lite::eventstream::{Decoder, encode};

const MESSAGES: usize = 10_000;
const PIECE: usize = 4096;

/// Claude Messages stream events as Bedrock wraps them, padded with `p` like the service.
fn stream() -> Vec<u8> {
    let words = [
        " Mars", " is", " cold,", " dry", " and", " far", " from", " home.",
    ];
    let mut buf = BytesMut::with_capacity(MESSAGES * 260);
    for i in 0..MESSAGES {
        let event = format!(
            r#"{{"type":"content_block_delta","index":0,"delta":{{"type":"text_delta","text":"{}"}}}}"#,
            words[i % words.len()]
        );
        let msg = bedrock::chunk_message(event.as_bytes());
        encode(&msg, &mut buf).unwrap();
    }
    buf.to_vec()
}

fn pieces(data: &[u8], piece: usize) -> Vec<Bytes> {
    data.chunks(piece).map(Bytes::copy_from_slice).collect()
}

fn ours_frames(input: &[Bytes]) -> usize {
    let mut d = Decoder::new();
    let mut buf = BytesMut::new();
    let mut n = 0;
    for p in input {
        buf.extend_from_slice(p);
        while let Some(m) = d.decode(&mut buf).unwrap() {
            black_box(&m);
            n += 1;
        }
    }
    n
}

fn smithy_frames(input: &[Bytes]) -> usize {
    let mut d = MessageFrameDecoder::new();
    let mut buf = BytesMut::new();
    let mut n = 0;
    for p in input {
        buf.extend_from_slice(p);
        while let DecodedFrame::Complete(m) = d.decode_frame(&mut buf).unwrap() {
            black_box(&m);
            n += 1;
        }
    }
    n
}

fn ours_full(input: &[Bytes]) -> usize {
    let mut d = Decoder::new();
    let mut buf = BytesMut::new();
    let mut n = 0;
    for p in input {
        buf.extend_from_slice(p);
        while let Some(m) = d.decode(&mut buf).unwrap() {
            if let Ok(Event::Chunk(bytes)) = bedrock::parse_event(&m) {
                let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                black_box(v);
                n += 1;
            }
        }
    }
    n
}

#[derive(serde::Deserialize)]
struct Outer {
    bytes: String,
}

fn smithy_full(input: &[Bytes]) -> usize {
    let mut d = MessageFrameDecoder::new();
    let mut buf = BytesMut::new();
    let mut n = 0;
    for p in input {
        buf.extend_from_slice(p);
        while let DecodedFrame::Complete(m) = d.decode_frame(&mut buf).unwrap() {
            let is_chunk = m.headers().iter().any(|h| {
                h.name().as_str() == ":event-type"
                    && h.value().as_string().is_ok_and(|s| s.as_str() == "chunk")
            });
            if is_chunk {
                let outer: Outer = serde_json::from_slice(m.payload()).unwrap();
                let raw = base64::engine::general_purpose::STANDARD
                    .decode(outer.bytes)
                    .unwrap();
                let v: serde_json::Value = serde_json::from_slice(&raw).unwrap();
                black_box(v);
                n += 1;
            }
        }
    }
    n
}

/// The inner JSON documents, decoded ahead of time: parsing them to `serde_json::Value` is the
/// part of the full path that both sides share, so it bounds the full-path ratio.
fn inner_documents(input: &[Bytes]) -> Vec<Bytes> {
    let mut d = Decoder::new();
    let mut buf = BytesMut::new();
    let mut docs = Vec::new();
    for p in input {
        buf.extend_from_slice(p);
        while let Some(m) = d.decode(&mut buf).unwrap() {
            if let Ok(Event::Chunk(bytes)) = bedrock::parse_event(&m) {
                docs.push(bytes);
            }
        }
    }
    docs
}

fn inner_json_only(docs: &[Bytes]) -> usize {
    let mut n = 0;
    for doc in docs {
        let v: serde_json::Value = serde_json::from_slice(doc).unwrap();
        black_box(v);
        n += 1;
    }
    n
}

fn bench(c: &mut Criterion) {
    let data = stream();
    let chunked = pieces(&data, PIECE);
    let whole = vec![Bytes::from(data.clone())];
    for input in [&chunked, &whole] {
        assert_eq!(ours_frames(input), MESSAGES);
        assert_eq!(smithy_frames(input), MESSAGES);
        assert_eq!(ours_full(input), MESSAGES);
        assert_eq!(smithy_full(input), MESSAGES);
    }
    println!(
        "stream: {} bytes, {} messages, {:.1} B/frame",
        data.len(),
        MESSAGES,
        data.len() as f64 / MESSAGES as f64
    );

    for (group, ours, theirs) in [
        (
            "eventstream_frames",
            ours_frames as fn(&[Bytes]) -> usize,
            smithy_frames as fn(&[Bytes]) -> usize,
        ),
        ("eventstream_full_path", ours_full, smithy_full),
    ] {
        let mut g = c.benchmark_group(group);
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.measurement_time(Duration::from_secs(3))
            .warm_up_time(Duration::from_secs(1))
            .sample_size(30);
        for (feed, input) in [("4KiB pieces", &chunked), ("one buffer", &whole)] {
            g.bench_function(format!("bedrock-lite/{feed}"), |b| {
                b.iter(|| ours(black_box(input)))
            });
            g.bench_function(format!("aws-smithy-eventstream/{feed}"), |b| {
                b.iter(|| theirs(black_box(input)))
            });
        }
        if group == "eventstream_full_path" {
            let docs = inner_documents(&whole);
            assert_eq!(inner_json_only(&docs), MESSAGES);
            g.bench_function("inner JSON to Value only (shared by both)", |b| {
                b.iter(|| inner_json_only(black_box(&docs)))
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
