//! The built-in cassettes: they parse, match the files on disk, keep the real recorded bytes,
//! and every event-stream body decodes with our codec and with `aws-smithy-eventstream`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bedrock_lite::cassette::{Body, Cassette, Interaction, PieceKind};
use bedrock_lite::eventstream::{self, bedrock};
use bedrock_lite::fake::{builtin_cassettes, load_cassette_dir};
use sha2::{Digest, Sha256};

use super::helpers::decode_all;

fn dir() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cassettes").to_owned()
}

fn all() -> Vec<(String, Interaction)> {
    builtin_cassettes()
        .into_iter()
        .flat_map(|c| {
            let name = c.name;
            c.interactions.into_iter().map(move |i| (name.clone(), i))
        })
        .collect()
}

fn header<'a>(i: &'a Interaction, name: &str) -> Option<&'a str> {
    i.response
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The body bytes a client receives, and whether the script drops the connection.
fn body_bytes(i: &Interaction) -> (Vec<u8>, bool) {
    match &i.response.body {
        Body::Empty => (Vec::new(), false),
        Body::Text(t) => (t.as_bytes().to_vec(), false),
        Body::Base64(b) => (BASE64.decode(b).unwrap(), false),
        Body::Chunks(pieces) => {
            let mut out = bytes::BytesMut::new();
            for p in pieces {
                match &p.kind {
                    PieceKind::Base64(b) => out.extend_from_slice(&BASE64.decode(b).unwrap()),
                    PieceKind::Chunk(text) => {
                        eventstream::encode(&bedrock::chunk_message(text.as_bytes()), &mut out)
                            .unwrap();
                    }
                    PieceKind::Exception {
                        exception_type,
                        body,
                    } => eventstream::encode(
                        &bedrock::exception_message(exception_type, body.as_bytes()),
                        &mut out,
                    )
                    .unwrap(),
                    PieceKind::Drop => return (out.to_vec(), true),
                    PieceKind::Stall(_) => {}
                }
            }
            (out.to_vec(), false)
        }
    }
}

#[test]
fn every_cassette_file_is_built_in_and_parses() {
    let builtin: Vec<Cassette> = builtin_cassettes();
    let on_disk = load_cassette_dir(dir()).unwrap();
    let mut a: Vec<&str> = builtin.iter().map(|c| c.name.as_str()).collect();
    let mut b: Vec<&str> = on_disk.iter().map(|c| c.name.as_str()).collect();
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(
        a, b,
        "a cassette file is not embedded in builtin_cassettes()"
    );
    for c in &builtin {
        assert!(!c.interactions.is_empty(), "{} is empty", c.name);
        assert!(c.source.is_some(), "{} names no source", c.name);
    }
    // Round trip through the serde format.
    for c in builtin {
        assert_eq!(Cassette::from_json(&c.to_json()).unwrap(), c);
    }
}

#[test]
fn every_event_stream_body_decodes_with_both_codecs() {
    let mut streams = 0;
    for (cassette, i) in all() {
        if header(&i, "content-type") != Some("application/vnd.amazon.eventstream") {
            continue;
        }
        streams += 1;
        let what = format!("[{cassette}] {}", i.request.path);
        assert_eq!(
            header(&i, "x-amzn-bedrock-content-type"),
            Some("application/json"),
            "{what}"
        );
        let (body, dropped) = body_bytes(&i);
        let truncated = i.request.path.contains("test.stream-truncated");
        assert_eq!(
            dropped,
            i.request.path.contains("test.stream-drop"),
            "{what}"
        );

        let ours = decode_all(&body);
        let mut rest: &[u8] = &body;
        let mut theirs = Vec::new();
        while !rest.is_empty() {
            match aws_smithy_eventstream::frame::read_message_from(&mut rest) {
                Ok(m) => theirs.push(m),
                Err(e) => {
                    assert!(truncated, "{what}: aws-smithy-eventstream: {e}");
                    break;
                }
            }
        }
        if truncated {
            assert!(
                ours.is_err(),
                "{what}: a truncated body must not decode cleanly"
            );
            continue;
        }
        let ours = ours.unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(ours.len(), theirs.len(), "{what}");
        assert!(!ours.is_empty(), "{what}");
        for (o, t) in ours.iter().zip(&theirs) {
            assert_eq!(&o.payload[..], &t.payload()[..], "{what}");
            assert_eq!(o.headers.len(), t.headers().len(), "{what}");
        }
        // Every frame is a typed event or a typed stream error, never malformed.
        for m in &ours {
            if let Err(bedrock::StreamError::Malformed(r)) = bedrock::parse_event(m) {
                panic!("{what}: malformed frame: {r}");
            }
        }
    }
    assert!(streams >= 18, "only {streams} stream interactions");
}

#[test]
fn recorded_bytes_are_the_real_ones() {
    // SHA-256 values published by the source (CopilotKit/aimock `rawSha256`) for its captures.
    let sha = |b: &[u8]| format!("{:x}", Sha256::digest(b));
    let find = |path: &str, body_contains: Option<&str>| {
        all()
            .into_iter()
            .map(|(_, i)| i)
            .find(|i| i.request.path == path && i.request.body_contains.as_deref() == body_contains)
            .unwrap_or_else(|| panic!("no interaction for {path}"))
    };
    let stream = find(
        "/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/invoke-with-response-stream",
        Some("record_numbers"),
    );
    assert_eq!(
        sha(&body_bytes(&stream).0),
        "5ce48f9cd1c48211440b4607e71ae1d8cc1adeba94c51f894a7d754e5eb4dd1e"
    );
    let object = find(
        "/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/invoke",
        None,
    );
    assert_eq!(
        sha(&body_bytes(&object).0),
        "0eddc6c8c6bd176bc50ec0d3d654cb09cabc6e78e6d1a6aa1f1080798baca6dc"
    );
    // The envoy stream keeps its 7 recorded network chunks.
    let envoy = find(
        "/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/invoke-with-response-stream",
        None,
    );
    let Body::Chunks(pieces) = &envoy.response.body else {
        panic!()
    };
    assert_eq!(pieces.len(), 7);
}

#[test]
fn json_bodies_parse_and_errors_are_typed() {
    for (cassette, i) in all() {
        let what = format!("[{cassette}] {} {}", i.request.path, i.response.status);
        for (name, value) in &i.response.headers {
            let lower = name.to_ascii_lowercase();
            assert!(
                ![
                    "connection",
                    "content-length",
                    "transfer-encoding",
                    "keep-alive"
                ]
                .contains(&lower.as_str()),
                "{what}: hop-by-hop header {name}"
            );
            assert!(!value.is_empty(), "{what}: empty {name}");
        }
        if header(&i, "content-type") == Some("application/json") {
            let (body, _) = body_bytes(&i);
            let json: serde_json::Value = serde_json::from_slice(&body)
                .unwrap_or_else(|e| panic!("{what}: body is not JSON: {e}"));
            if i.response.status >= 400 {
                assert!(json.get("message").is_some(), "{what}");
                let error_type = header(&i, "x-amzn-errortype").unwrap_or_default();
                assert!(
                    error_type.ends_with(
                        "Exception:http://internal.amazon.com/coral/com.amazon.bedrock/"
                    ) || error_type.ends_with(
                        "Exception:http://internal.amazon.com/coral/com.amazon.coral.service/"
                    ),
                    "{what}: {error_type}"
                );
            }
        }
    }
}

#[test]
fn demo_scenario_is_present() {
    let all = all();
    let has = |method: &str, path: &str| {
        all.iter()
            .any(|(_, i)| i.request.method == method && i.request.path == path)
    };
    assert!(has("GET", "/foundation-models"));
    assert!(has("POST", "/model/anthropic.claude-v2/invoke"));
    assert!(has(
        "POST",
        "/model/anthropic.claude-v2/invoke-with-response-stream"
    ));
    assert!(has(
        "POST",
        "/model/arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/jf2sje1c0jnb/invoke"
    ));
    let listed = all
        .iter()
        .find(|(_, i)| i.request.query.get("byProvider").map(String::as_str) == Some("anthropic"))
        .unwrap();
    let (body, _) = body_bytes(&listed.1);
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let ids: Vec<&str> = json["modelSummaries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["modelId"].as_str().unwrap())
        .collect();
    for id in [
        "anthropic.claude-v2",
        "anthropic.claude-v2:1",
        "anthropic.claude-instant-v1",
        "anthropic.claude-3-sonnet-20240229-v1:0",
        "anthropic.claude-3-haiku-20240307-v1:0",
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
}
