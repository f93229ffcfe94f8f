//! Replay: matching, status sequences, streamed pieces with their boundaries, scripted faults
//! and the descriptive catch-all.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use bedrock_lite::cassette::{
    Body, Cassette, Interaction, Piece, PieceKind, RecordedResponse, RequestMatcher,
};
use bedrock_lite::eventstream::bedrock::{Event, StreamError, parse_event};
use bedrock_lite::fake::{DEMO_BEARER_TOKEN, FakeBedrock};

use super::helpers::{bearer, builtin, chunks, decode_all, error_parts, json_body, request};

fn post(fake: &FakeBedrock, path: &str, body: &str) -> reqwest::RequestBuilder {
    bearer(fake, "POST", path, body.as_bytes(), DEMO_BEARER_TOKEN)
}

fn invoke(model: &str) -> String {
    format!("/model/{model}/invoke")
}

fn stream(model: &str) -> String {
    format!("/model/{model}/invoke-with-response-stream")
}

#[tokio::test]
async fn throttle_then_ok_plays_its_status_sequence() {
    let fake = builtin();
    let mut seen = Vec::new();
    for _ in 0..4 {
        let resp = post(&fake, &invoke("test.throttle-then-ok"), "{}")
            .send()
            .await
            .unwrap();
        let code = resp
            .headers()
            .get("x-amzn-errortype")
            .map(|v| v.to_str().unwrap().split(':').next().unwrap().to_owned());
        seen.push((resp.status().as_u16(), code));
    }
    let throttled = Some("ThrottlingException".to_owned());
    assert_eq!(
        seen,
        [
            (429, throttled.clone()),
            (429, throttled),
            (200, None),
            (200, None)
        ]
    );
    assert_eq!(fake.requests().len(), 4);
}

#[tokio::test]
async fn other_status_sequences() {
    let fake = builtin();
    let statuses = |model: &'static str, n: usize| {
        let fake = &fake;
        async move {
            let mut out = Vec::new();
            for _ in 0..n {
                let resp = post(fake, &invoke(model), "{}").send().await.unwrap();
                out.push(resp.status().as_u16());
            }
            out
        }
    };
    assert_eq!(statuses("test.unavailable", 4).await, [503, 503, 503, 503]);
    assert_eq!(statuses("test.model-not-ready", 3).await, [429, 200, 200]);
    assert_eq!(statuses("test.internal-then-ok", 2).await, [500, 200]);

    let resp = post(&fake, &invoke("test.retry-after"), "{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["x-amz-retry-after"], "200");
    let resp = post(&fake, &invoke("test.retry-after"), "{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn recorded_errors_keep_their_real_shape() {
    let fake = builtin();
    let resp = post(&fake, &invoke("does-not-exist"), "{}")
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.headers()["x-amzn-errortype"],
        "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/"
    );
    assert_eq!(
        resp.headers()["x-amzn-requestid"],
        "3df0e828-5c24-46cc-8dbc-8b282bfc5146"
    );
    let (status, code, json) = error_parts(resp).await;
    assert_eq!((status, code.as_str()), (400, "ValidationException"));
    assert_eq!(json["message"], "The provided model identifier is invalid.");

    let resp = post(&fake, &invoke("test.expired-token"), "{}")
        .send()
        .await
        .unwrap();
    let (status, code, json) = error_parts(resp).await;
    assert_eq!((status, code.as_str()), (403, "ExpiredTokenException"));
    assert_eq!(
        json["message"],
        "The security token included in the request is expired"
    );
}

#[tokio::test]
async fn json_bodies_get_content_length_and_a_current_date() {
    let fake = builtin();
    let resp = post(
        &fake,
        &invoke("anthropic.claude-v2"),
        r#"{"prompt":"\n\nHuman: Tell me a joke\n\nAssistant:"}"#,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(resp.status(), 200);
    let h = resp.headers().clone();
    assert_eq!(h["x-amzn-bedrock-input-token-count"], "18");
    assert_eq!(h["x-amzn-bedrock-output-token-count"], "87");
    assert_eq!(
        h["x-amzn-requestid"],
        "44c596e2-2d68-4036-b072-b821e40ed8d7"
    );
    // The recorded date (2024) is not replayed: clients may estimate clock skew from it.
    let date = h["date"].to_str().unwrap();
    assert!(!date.contains("2024"), "{date}");
    let body = resp.bytes().await.unwrap();
    assert_eq!(h["content-length"], body.len().to_string().as_str());
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["stop_reason"], "stop_sequence");
    assert!(json["completion"].as_str().unwrap().contains("joke"));
}

#[tokio::test]
async fn body_contains_picks_the_interaction() {
    let fake = builtin();
    // Messages-shaped body → the recorded Messages answer; prompt body → the completion answer.
    let resp = post(
        &fake,
        &invoke("anthropic.claude-v2"),
        r#"{"messages":[],"max_tokens":10}"#,
    )
    .send()
    .await
    .unwrap();
    let json = json_body(resp).await;
    assert_eq!(json["type"], "message");
    let resp = post(&fake, &invoke("anthropic.claude-v2"), r#"{"prompt":"x"}"#)
        .send()
        .await
        .unwrap();
    let json = json_body(resp).await;
    assert_eq!(json["type"], "completion");
}

#[tokio::test]
async fn envoy_stream_arrives_in_its_recorded_network_chunks() {
    let fake = builtin();
    let resp = post(
        &fake,
        &stream("us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
        "{}",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"],
        "application/vnd.amazon.eventstream"
    );
    assert!(resp.headers().get("content-length").is_none());
    let pieces = chunks(resp).await.unwrap();
    let sizes: Vec<usize> = pieces.iter().map(bytes::Bytes::len).collect();
    // ai-gateway's recording: 7 network chunks, the first holding 4 frames.
    assert_eq!(sizes, [1395, 255, 263, 303, 188, 279, 316]);
    let body: Vec<u8> = pieces.concat();
    let frames = decode_all(&body).unwrap();
    assert_eq!(frames.len(), 10);
    let last = parse_event(frames.last().unwrap()).unwrap();
    let Event::Chunk(last) = last else {
        panic!("{last:?}")
    };
    assert!(
        std::str::from_utf8(&last)
            .unwrap()
            .contains("amazon-bedrock-invocationMetrics")
    );
}

#[tokio::test]
async fn mars_essay_streams_progressively_as_chunk_events() {
    let fake = builtin();
    let started = Instant::now();
    let mut resp = post(
        &fake,
        &stream("anthropic.claude-v2"),
        r#"{"prompt":"\n\nHuman: Write an essay about life on Mars\n\nAssistant:","max_tokens_to_sample":300}"#,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(resp.status(), 200);
    let mut body = Vec::new();
    let mut reads = 0;
    while let Some(c) = resp.chunk().await.unwrap() {
        body.extend_from_slice(&c);
        reads += 1;
    }
    assert!(
        reads > 20,
        "pieces should arrive separately, got {reads} reads"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let frames = decode_all(&body).unwrap();
    let mut text = String::new();
    let mut last = serde_json::Value::Null;
    for f in &frames {
        let Event::Chunk(bytes) = parse_event(f).unwrap() else {
            panic!()
        };
        last = serde_json::from_slice(&bytes).unwrap();
        text.push_str(last["completion"].as_str().unwrap());
    }
    assert!(text.starts_with("Life on Mars"), "{text}");
    assert_eq!(last["stop_reason"], "stop_sequence");
    assert!(
        last["amazon-bedrock-invocationMetrics"]["outputTokenCount"]
            .as_u64()
            .unwrap()
            > 0
    );
}

#[tokio::test]
async fn stream_exception_follows_real_chunks() {
    let fake = builtin();
    let resp = post(&fake, &stream("test.stream-exception"), "{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body = chunks(resp).await.unwrap().concat();
    let frames = decode_all(&body).unwrap();
    assert_eq!(frames.len(), 4);
    for f in &frames[..3] {
        assert!(matches!(parse_event(f), Ok(Event::Chunk(_))));
    }
    match parse_event(&frames[3]) {
        Err(StreamError::Exception {
            original_status_code,
            original_message,
            ..
        }) => {
            assert_eq!(original_status_code, Some(500));
            assert!(original_message.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        frames[3].header_str(":exception-type"),
        Some("modelStreamErrorException")
    );
}

#[tokio::test]
async fn stream_fault_variants() {
    let fake = builtin();
    let last_of = async |model: &str| {
        let resp = post(&fake, &stream(model), "{}").send().await.unwrap();
        let body = chunks(resp).await.unwrap().concat();
        let frames = decode_all(&body).unwrap();
        (frames.len(), parse_event(frames.last().unwrap()))
    };
    let (n, last) = last_of("test.stream-throttle").await;
    assert_eq!(n, 3);
    assert!(
        matches!(last, Err(StreamError::Exception { .. })),
        "{last:?}"
    );
    let (_, last) = last_of("test.stream-exception-vercel").await;
    assert!(
        matches!(
            last,
            Err(StreamError::Exception {
                original_status_code: Some(500),
                ..
            })
        ),
        "{last:?}"
    );
    let (_, last) = last_of("test.stream-error-frame").await;
    assert!(matches!(last, Err(StreamError::Error { .. })), "{last:?}");
    let (n, _) = last_of("test.stream-unknown-event").await;
    assert_eq!(n, 16);
}

#[tokio::test]
async fn unknown_event_type_is_delivered_between_chunks() {
    let fake = builtin();
    let resp = post(&fake, &stream("test.stream-unknown-event"), "{}")
        .send()
        .await
        .unwrap();
    let body = chunks(resp).await.unwrap().concat();
    let frames = decode_all(&body).unwrap();
    let unknown = parse_event(&frames[2]).unwrap();
    assert!(
        matches!(&unknown, Event::Unknown { event_type, .. } if event_type == "futureEvent"),
        "{unknown:?}"
    );
}

#[tokio::test]
async fn dropped_stream_is_an_error_not_a_clean_end() {
    let fake = builtin();
    let mut resp = post(&fake, &stream("test.stream-drop"), "{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut received = Vec::new();
    let err = loop {
        match resp.chunk().await {
            Ok(Some(c)) => received.extend_from_slice(&c),
            Ok(None) => panic!("clean end after {} bytes", received.len()),
            Err(e) => break e,
        }
    };
    assert!(
        err.is_body() || err.is_decode() || err.is_request(),
        "{err:?}"
    );
    assert_eq!(decode_all(&received).unwrap().len(), 2);
}

#[tokio::test]
async fn truncated_stream_ends_cleanly_mid_frame() {
    let fake = builtin();
    let resp = post(&fake, &stream("test.stream-truncated"), "{}")
        .send()
        .await
        .unwrap();
    let body = chunks(resp).await.unwrap().concat();
    assert!(decode_all(&body).is_err());
}

fn one(pieces: Vec<Piece>) -> Cassette {
    Cassette {
        name: "scripted".into(),
        description: String::new(),
        source: None,
        interactions: vec![Interaction {
            request: RequestMatcher {
                method: "POST".into(),
                path: "/model/m/invoke-with-response-stream".into(),
                query: BTreeMap::new(),
                body_contains: None,
            },
            response: RecordedResponse {
                status: 200,
                headers: vec![(
                    "Content-Type".into(),
                    "application/vnd.amazon.eventstream".into(),
                )],
                body: Body::Chunks(pieces),
            },
            repeat: false,
        }],
    }
}

#[tokio::test]
async fn stall_holds_the_connection_silent() {
    let piece = |kind| Piece { delay_ms: 0, kind };
    let fake = FakeBedrock::builder()
        .cassette(one(vec![
            piece(PieceKind::Base64("AAAA".into())),
            piece(PieceKind::Stall(400)),
            piece(PieceKind::Base64("BBBB".into())),
        ]))
        .start()
        .unwrap();
    let mut resp = post(&fake, &stream("m"), "{}").send().await.unwrap();
    let first = resp.chunk().await.unwrap().unwrap();
    let t = Instant::now();
    let second = resp.chunk().await.unwrap().unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(350),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(
        (&first[..], &second[..]),
        (&[0u8, 0, 0][..], &[4u8, 16, 65][..])
    );
    assert!(resp.chunk().await.unwrap().is_none());
}

#[tokio::test]
async fn builtin_stall_scenario_pauses_three_seconds() {
    let cassettes = bedrock_lite::fake::builtin_cassettes();
    let stall = cassettes
        .iter()
        .flat_map(|c| &c.interactions)
        .find(|i| i.request.path == "/model/test.stream-stall/invoke-with-response-stream")
        .unwrap();
    let Body::Chunks(pieces) = &stall.response.body else {
        panic!()
    };
    assert!(pieces.iter().any(|p| p.kind == PieceKind::Stall(3000)));
}

#[tokio::test]
async fn unmatched_request_gets_a_descriptive_404() {
    let fake = builtin();
    let resp = post(
        &fake,
        "/model/anthropic.claude-unknown%3A9/invoke?trace=1",
        "{}",
    )
    .send()
    .await
    .unwrap();
    let (status, code, json) = error_parts(resp).await;
    assert_eq!((status, code.as_str()), (404, "ResourceNotFoundException"));
    let message = json["message"].as_str().unwrap();
    assert!(
        message.contains("POST /model/anthropic.claude-unknown:9/invoke"),
        "{message}"
    );
    assert!(message.contains("\"trace\": \"1\""), "{message}");
    assert!(
        message.contains("/model/anthropic.claude-v2/invoke"),
        "{message}"
    );

    let empty = FakeBedrock::builder().start().unwrap();
    let resp = post(&empty, &invoke("x"), "{}").send().await.unwrap();
    let (status, _, json) = error_parts(resp).await;
    assert_eq!(status, 404);
    assert!(
        json["message"].as_str().unwrap().contains("No cassettes"),
        "{json}"
    );
}

#[tokio::test]
async fn raw_slash_in_a_model_id_is_an_unknown_operation() {
    let fake = builtin();
    let path = "/model/arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/jf2sje1c0jnb/invoke";
    let resp = post(&fake, path, "{}").send().await.unwrap();
    let (status, code, json) = error_parts(resp).await;
    assert_eq!((status, code.as_str()), (404, "UnknownOperationException"));
    assert!(json["message"].as_str().unwrap().contains("%2F"), "{json}");
}

#[tokio::test]
async fn requests_are_recorded_with_lowercase_headers() {
    let fake = builtin();
    let headers = [("X-Custom".to_owned(), "v".to_owned())];
    let _ = request(
        &fake,
        "POST",
        "/model/a%3Ab/invoke?x=1",
        &headers,
        b"payload",
    )
    .send()
    .await
    .unwrap();
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(
        (r.method.as_str(), r.uri.as_str()),
        ("POST", "/model/a%3Ab/invoke?x=1")
    );
    assert_eq!(r.header("x-custom"), Some("v"));
    assert!(r.headers.iter().all(|(n, _)| n == &n.to_ascii_lowercase()));
    assert_eq!(&r.body[..], b"payload");
}

#[test]
fn broken_cassette_fails_the_request_and_is_raised_on_drop() {
    let fake = FakeBedrock::builder()
        .require_auth(false)
        .cassette(one(vec![Piece {
            delay_ms: 0,
            kind: PieceKind::Base64("not base64!".into()),
        }]))
        .start()
        .unwrap();
    let url = format!("{}{}", fake.endpoint_url(), stream("m"));
    let status = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            reqwest::Client::new()
                .post(url)
                .send()
                .await
                .unwrap()
                .status()
        });
    assert_eq!(status, 500);
    assert_eq!(fake.failures().len(), 1);
    let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(fake)));
    let panic = dropped.expect_err("drop re-raises the failure");
    let text = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(text.contains("invalid base64"), "{text}");
}

#[test]
fn works_from_plain_sync_code_and_shuts_down() {
    use std::io::{Read, Write};
    let fake = builtin();
    let mut tcp = std::net::TcpStream::connect(fake.addr()).unwrap();
    write!(
        tcp,
        "GET /foundation-models HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {DEMO_BEARER_TOKEN}\r\nConnection: close\r\n\r\n",
        fake.addr()
    )
    .unwrap();
    let mut response = String::new();
    tcp.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.contains("\"providerName\": \"Meta\""),
        "{response}"
    );
    let addr = fake.addr();
    fake.shutdown();
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "still listening after shutdown"
    );
}
