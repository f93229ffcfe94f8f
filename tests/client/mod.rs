//! The library client against the in-process fake Bedrock: operations, retries, stream faults,
//! credentials and endpoints, record mode.

use std::time::{Duration, Instant};

use bedrock_lite::cassette::{
    Body, Cassette, Interaction, Piece, PieceKind, RecordedResponse, RequestMatcher,
};
use bedrock_lite::fake::{
    DEMO_ACCESS_KEY_ID, DEMO_BEARER_TOKEN, DEMO_SECRET_ACCESS_KEY, FakeBedrock,
};
use bedrock_lite::{
    Appended, Client, Credentials, Environment, ErrorKind, InvokeRequest,
    ListFoundationModelsRequest, ResponseStream, StreamEvent,
};

use crate::support::{
    ENVOY_STREAM, SONNET_45, builder, fake, fixture, independent_chunks, temp_dir,
};

const CLAUDE_V2_BODY: &str = r#"{"prompt":"\n\nHuman: Tell me a funny joke about outer space!\n\nAssistant:","max_tokens_to_sample":300}"#;

/// Opens a stream that must start (HTTP 200).
async fn open(client: &Client, model: &str, body: &'static str) -> ResponseStream {
    client
        .invoke_model_with_response_stream(InvokeRequest::new(model, body))
        .await
        .expect("the stream starts")
}

/// A cassette answering every stream request for `model` with these pieces.
fn stream_cassette(model: &str, pieces: Vec<Piece>) -> Cassette {
    Cassette {
        name: model.into(),
        description: String::new(),
        source: None,
        interactions: vec![Interaction {
            request: RequestMatcher {
                method: "POST".into(),
                path: format!("/model/{model}/invoke-with-response-stream"),
                query: Default::default(),
                body_contains: None,
            },
            response: RecordedResponse {
                status: 200,
                headers: vec![(
                    "content-type".into(),
                    "application/vnd.amazon.eventstream".into(),
                )],
                body: Body::Chunks(pieces),
            },
            repeat: true,
        }],
    }
}

async fn collect(stream: &mut ResponseStream) -> (Vec<Vec<u8>>, Option<bedrock_lite::Error>) {
    let mut chunks = Vec::new();
    loop {
        match stream.next_event().await {
            Ok(Some(StreamEvent::Chunk(b))) => chunks.push(b.to_vec()),
            Ok(Some(_)) => {}
            Ok(None) => return (chunks, None),
            Err(e) => return (chunks, Some(e)),
        }
    }
}

#[tokio::test]
async fn invoke_model_returns_body_and_headers() {
    let fake = fake();
    let client = builder(&fake).build().unwrap();
    let out = client
        .invoke_model(InvokeRequest::new("anthropic.claude-v2", CLAUDE_V2_BODY))
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.body).unwrap();
    assert!(
        v["completion"].as_str().is_some_and(|c| !c.is_empty()),
        "{v}"
    );
    assert_eq!(out.content_type, "application/json");
    assert!(out.request_id.is_some());
    assert!(out.input_token_count.is_some() && out.output_token_count.is_some());
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].body, CLAUDE_V2_BODY.as_bytes());
    assert_eq!(reqs[0].header("content-type"), Some("application/json"));
    assert!(
        reqs[0]
            .header("authorization")
            .unwrap()
            .contains("/us-east-1/bedrock/aws4_request")
    );
    assert!(reqs[0].header("x-amz-content-sha256").is_none());
}

#[tokio::test]
async fn stream_yields_recorded_chunks_and_metrics() {
    let fake = fake();
    let client = builder(&fake).build().unwrap();
    let mut stream = open(
        &client,
        SONNET_45,
        r#"{"anthropic_version":"bedrock-2023-05-31","max_tokens":20,"messages":[]}"#,
    )
    .await;
    assert_eq!(stream.content_type(), "application/json");
    let (chunks, err) = collect(&mut stream).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(chunks, independent_chunks(&fixture(ENVOY_STREAM)));
    let m = stream.invocation_metrics().expect("metrics");
    assert_eq!((m.input_token_count, m.output_token_count), (10, 15));
    let req = &fake.requests()[0];
    assert_eq!(
        req.header("x-amzn-bedrock-accept"),
        Some("application/json")
    );
    // The requested type goes in X-Amzn-Bedrock-Accept; Accept keeps the HTTP default.
    assert_eq!(req.header("accept"), Some("*/*"));
}

#[tokio::test]
async fn stream_implements_futures_stream() {
    use futures_core::Stream;
    let fake = fake();
    let client = builder(&fake).build().unwrap();
    let mut stream = open(&client, SONNET_45, "{}").await;
    let mut n = 0;
    while let Some(item) =
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut stream).poll_next(cx)).await
    {
        assert!(matches!(item.unwrap(), StreamEvent::Chunk(_)));
        n += 1;
    }
    assert_eq!(n, 10);
}

#[tokio::test]
async fn list_foundation_models_sends_filters() {
    let fake = fake();
    let client = builder(&fake).build().unwrap();
    let req = ListFoundationModelsRequest {
        by_provider: Some("anthropic".into()),
        ..Default::default()
    };
    let out = client.list_foundation_models(req).await.unwrap();
    assert!(out.model_summaries.len() >= 6);
    assert!(
        out.model_summaries
            .iter()
            .all(|m| m.provider_name == "Anthropic")
    );
    assert!(
        out.model_summaries
            .iter()
            .any(|m| m.model_id == "anthropic.claude-v2")
    );
    assert_eq!(
        out.raw["modelSummaries"].as_array().unwrap().len(),
        out.model_summaries.len()
    );
    let r = &fake.requests()[0];
    assert_eq!(
        (r.method.as_str(), r.uri.as_str()),
        ("GET", "/foundation-models?byProvider=anthropic")
    );
}

#[tokio::test]
async fn inference_profile_arn_is_label_encoded() {
    let fake = fake();
    let client = builder(&fake).build().unwrap();
    let arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/jf2sje1c0jnb";
    client
        .invoke_model(InvokeRequest::new(arn, "{}"))
        .await
        .unwrap();
    assert_eq!(
        fake.requests()[0].uri,
        "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fjf2sje1c0jnb/invoke"
    );
}

#[tokio::test]
async fn throttling_then_success_takes_three_requests() {
    let fake = fake();
    let client = builder(&fake).build().unwrap();
    client
        .invoke_model(InvokeRequest::new("test.throttle-then-ok", "{}"))
        .await
        .unwrap();
    assert_eq!(fake.requests().len(), 3);
    // Each attempt is signed anew.
    let dates: std::collections::HashSet<_> = fake
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert!(!dates.is_empty());
}

#[tokio::test]
async fn model_not_ready_is_retried() {
    let fake = fake();
    builder(&fake)
        .build()
        .unwrap()
        .invoke_model(InvokeRequest::new("test.model-not-ready", "{}"))
        .await
        .unwrap();
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn unavailable_fails_after_exactly_max_attempts() {
    let fake = fake();
    let err = builder(&fake)
        .build()
        .unwrap()
        .invoke_model(InvokeRequest::new("test.unavailable", "{}"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Service);
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.code(), Some("ServiceUnavailableException"));
    assert_eq!(fake.requests().len(), 3);

    let fake = crate::support::fake();
    let env = Environment::from_vars([("AWS_MAX_ATTEMPTS", "5")]);
    let client = builder(&fake).environment(env).build().unwrap();
    client
        .invoke_model(InvokeRequest::new("test.unavailable", "{}"))
        .await
        .unwrap_err();
    assert_eq!(fake.requests().len(), 5);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let fake = fake();
    let client = builder(&fake).build().unwrap();
    let err = client
        .invoke_model(InvokeRequest::new("does-not-exist", "{}"))
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(400), Some("ValidationException"))
    );
    assert_eq!(err.message(), "The provided model identifier is invalid.");
    assert!(err.request_id().is_some());
    assert!(!err.is_retryable());
    assert_eq!(fake.requests().len(), 1);
    let err = client
        .invoke_model(InvokeRequest::new("test.expired-token", "{}"))
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(403), Some("ExpiredTokenException"))
    );
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn retry_after_header_is_honoured() {
    let fake = fake();
    let client = builder(&fake).build().unwrap();
    let start = Instant::now();
    client
        .invoke_model(InvokeRequest::new("test.retry-after", "{}"))
        .await
        .unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(190),
        "waited {:?}",
        start.elapsed()
    );
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn stream_exception_keeps_earlier_chunks_and_is_not_retried() {
    let fake = fake();
    let client = builder(&fake).build().unwrap();
    let mut stream = open(&client, "test.stream-exception", "{}").await;
    let (chunks, err) = collect(&mut stream).await;
    let err = err.expect("an exception");
    assert_eq!(err.kind(), ErrorKind::Stream);
    assert_eq!(err.code(), Some("ModelStreamErrorException"));
    assert!(!chunks.is_empty());
    assert_eq!(fake.requests().len(), 1);
    // The stream stays finished.
    assert!(stream.next_event().await.unwrap().is_none());

    let mut stream = open(&client, "test.stream-throttle", "{}").await;
    let (chunks, err) = collect(&mut stream).await;
    assert_eq!(err.unwrap().code(), Some("ThrottlingException"));
    assert_eq!(chunks.len(), 2);
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn dropped_connection_is_an_error_after_the_chunks_it_delivered() {
    let fake = fake();
    let client = builder(&fake).build().unwrap();
    let mut stream = open(&client, "test.stream-drop", "{}").await;
    let (chunks, err) = collect(&mut stream).await;
    let err = err.expect("the drop is an error");
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
    assert_eq!(chunks.len(), 2);
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn truncated_and_malformed_streams_are_decode_errors() {
    let fake = fake();
    let client = builder(&fake).build().unwrap();
    let mut stream = open(&client, "test.stream-truncated", "{}").await;
    let (_, err) = collect(&mut stream).await;
    assert_eq!(err.expect("cut frame").kind(), ErrorKind::Decode);
    let mut stream = open(&client, "test.stream-error-frame", "{}").await;
    let (_, err) = collect(&mut stream).await;
    assert_eq!(err.expect("error frame").kind(), ErrorKind::Stream);
    let mut stream = open(&client, "test.stream-unknown-event", "{}").await;
    let mut unknown = 0;
    while let Some(ev) = stream.next_event().await.unwrap() {
        if matches!(ev, StreamEvent::Unknown { .. }) {
            unknown += 1;
        }
    }
    assert!(unknown >= 1, "unknown events are surfaced");
}

#[tokio::test]
async fn idle_timeout_ends_a_stalled_stream() {
    let fake = fake();
    let client = builder(&fake)
        .read_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let mut stream = open(&client, "test.stream-stall", "{}").await;
    let (chunks, err) = collect(&mut stream).await;
    assert_eq!(err.expect("timeout").kind(), ErrorKind::Timeout);
    assert_eq!(chunks.len(), 1);
}

#[tokio::test]
async fn bearer_token_is_sent_and_checked() {
    let fake = fake();
    let client = builder(&fake)
        .bearer_token(DEMO_BEARER_TOKEN)
        .build()
        .unwrap();
    client
        .invoke_model(InvokeRequest::new("anthropic.claude-v2", CLAUDE_V2_BODY))
        .await
        .unwrap();
    assert_eq!(
        fake.requests()[0].header("authorization"),
        Some(format!("Bearer {DEMO_BEARER_TOKEN}").as_str())
    );
    // AWS_BEARER_TOKEN_BEDROCK wins over keys.
    let env = Environment::from_vars([("AWS_BEARER_TOKEN_BEDROCK", "wrong-token")]);
    let err = builder(&fake)
        .environment(env)
        .build()
        .unwrap()
        .invoke_model(InvokeRequest::new("anthropic.claude-v2", "{}"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert_eq!(fake.requests().len(), 2, "403 is not retried");
}

#[tokio::test]
async fn wrong_secret_is_rejected_by_the_signature_check() {
    let fake = fake();
    let client = builder(&fake)
        .credentials(Credentials::new(DEMO_ACCESS_KEY_ID, "not-the-secret", None))
        .build()
        .unwrap();
    let err = client
        .invoke_model(InvokeRequest::new("anthropic.claude-v2", "{}"))
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(403), Some("InvalidSignatureException"))
    );
}

#[tokio::test]
async fn session_token_is_signed_and_sent() {
    let fake = FakeBedrock::builder()
        .builtin_cassettes()
        .session_credentials("ASIATEST", "secret", "the-token")
        .start()
        .unwrap();
    let client = builder(&fake)
        .credentials(Credentials::new(
            "ASIATEST",
            "secret",
            Some("the-token".into()),
        ))
        .build()
        .unwrap();
    client
        .invoke_model(InvokeRequest::new("anthropic.claude-v2", CLAUDE_V2_BODY))
        .await
        .unwrap();
    let r = &fake.requests()[0];
    assert_eq!(r.header("x-amz-security-token"), Some("the-token"));
    assert!(
        r.header("authorization")
            .unwrap()
            .contains("x-amz-security-token")
    );
}

#[tokio::test]
async fn environment_drives_credentials_region_and_endpoint() {
    let fake = fake();
    let env = Environment::from_vars([
        ("AWS_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID),
        ("AWS_SECRET_ACCESS_KEY", DEMO_SECRET_ACCESS_KEY),
        ("AWS_REGION", "eu-central-1"),
        (
            "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
            fake.endpoint_url().as_str(),
        ),
    ]);
    let client = Client::builder().environment(env).build().unwrap();
    assert_eq!(client.region(), "eu-central-1");
    client
        .invoke_model(InvokeRequest::new("anthropic.claude-v2", CLAUDE_V2_BODY))
        .await
        .unwrap();
    assert!(
        fake.requests()[0]
            .header("authorization")
            .unwrap()
            .contains("/eu-central-1/bedrock/")
    );
}

#[test]
fn missing_credentials_fail_at_build() {
    let home = temp_dir("nocreds");
    let env = Environment::from_vars([("HOME", home.to_str().unwrap())]);
    let err = Client::builder().environment(env).build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials);
    assert!(err.to_string().contains(".aws/credentials"), "{err}");
}

#[tokio::test]
async fn secrets_never_print() {
    let fake = fake();
    let secret = "VERYSECRETVALUE";
    let client = builder(&fake)
        .credentials(Credentials::new(
            DEMO_ACCESS_KEY_ID,
            secret,
            Some("TOKENTOKEN".into()),
        ))
        .build()
        .unwrap();
    let err = client
        .invoke_model(InvokeRequest::new("anthropic.claude-v2", "{}"))
        .await
        .unwrap_err();
    let bearer = builder(&fake).bearer_token("BEARERSECRET").build().unwrap();
    let text = format!(
        "{client:?} {err:?} {err} {bearer:?} {:?}",
        Credentials::new("A", secret, Some("TOKENTOKEN".into()))
    );
    for s in [secret, "TOKENTOKEN", "BEARERSECRET"] {
        assert!(!text.contains(s), "{s} leaked: {text}");
    }
}

#[tokio::test]
async fn record_mode_writes_replayable_cassettes_without_secrets() {
    let fake = fake();
    let dir = temp_dir("record");
    let client = builder(&fake)
        .credentials(Credentials::new(
            DEMO_ACCESS_KEY_ID,
            DEMO_SECRET_ACCESS_KEY,
            None,
        ))
        .record_to(&dir)
        .build()
        .unwrap();
    let mut stream = open(&client, SONNET_45, "{}").await;
    let (original, _) = collect(&mut stream).await;
    drop(stream);
    client
        .invoke_model(InvokeRequest::new("anthropic.claude-v2", CLAUDE_V2_BODY))
        .await
        .unwrap();
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(
            !text.contains(DEMO_SECRET_ACCESS_KEY)
                && !text.to_lowercase().contains("authorization"),
            "{text}"
        );
        assert!(!text.contains("AWS4-HMAC-SHA256"));
    }
    // Replay the recordings on a fake that knows nothing else.
    let replay = FakeBedrock::builder()
        .cassette_dir(&dir)
        .unwrap()
        .start()
        .unwrap();
    let client = builder(&replay).build().unwrap();
    let mut stream = open(&client, SONNET_45, "{}").await;
    assert_eq!(collect(&mut stream).await.0, original);
}

#[tokio::test]
async fn scripted_cassette_in_the_test() {
    // A cassette written in the test itself: 503, then a two-chunk stream.
    let matcher = RequestMatcher {
        method: "POST".into(),
        path: "/model/my.model/invoke-with-response-stream".into(),
        query: Default::default(),
        body_contains: None,
    };
    let cassette = Cassette {
        name: "scripted".into(),
        description: String::new(),
        source: None,
        interactions: vec![
            Interaction {
                request: matcher.clone(),
                response: RecordedResponse {
                    status: 503,
                    headers: vec![(
                        "x-amzn-ErrorType".into(),
                        "ServiceUnavailableException".into(),
                    )],
                    body: Body::Text(r#"{"message":"busy"}"#.into()),
                },
                repeat: false,
            },
            Interaction {
                request: matcher,
                response: RecordedResponse {
                    status: 200,
                    headers: vec![(
                        "content-type".into(),
                        "application/vnd.amazon.eventstream".into(),
                    )],
                    body: Body::Chunks(vec![
                        Piece {
                            delay_ms: 0,
                            kind: PieceKind::Chunk(r#"{"completion":"a"}"#.into()),
                        },
                        Piece {
                            delay_ms: 5,
                            kind: PieceKind::Chunk(r#"{"completion":"b"}"#.into()),
                        },
                    ]),
                },
                repeat: true,
            },
        ],
    };
    let fake = FakeBedrock::builder().cassette(cassette).start().unwrap();
    let client = builder(&fake).build().unwrap();
    let mut stream = open(&client, "my.model", "{}").await;
    let (chunks, err) = collect(&mut stream).await;
    assert!(err.is_none());
    assert_eq!(
        chunks,
        vec![
            br#"{"completion":"a"}"#.to_vec(),
            br#"{"completion":"b"}"#.to_vec()
        ]
    );
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn a_slow_invoke_times_out_once_without_retrying() {
    let fake = fake();
    let client = builder(&fake)
        .read_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = client
        .invoke_model(InvokeRequest::new("test.slow-invoke", "{}"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(!err.is_retryable());
    assert_eq!(
        fake.requests().len(),
        1,
        "a timed-out generation is not paid for twice"
    );
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    // A client aimed at a fake that then goes away: its port refuses connections.
    let fake = fake();
    let aimed = builder(&fake).retry_base_delay(Duration::from_millis(1));
    drop(fake);
    let client = aimed.build().unwrap();
    let err = client
        .invoke_model(InvokeRequest::new("anthropic.claude-v2", "{}"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn frames_straddling_network_pieces_decode_exactly() {
    // Recorded stream bytes sent in awkward pieces (inside a prelude, right after one, inside
    // headers and payloads, several frames at once), each after a pause so the client reads
    // them separately: chunks come out as an independent decoder sees them.
    use base64::Engine as _;
    let wire = fixture(ENVOY_STREAM);
    let sizes = [1usize, 11, 13, 40, 700, 3, 9, 1500];
    let mut pieces = Vec::new();
    let (mut at, mut i) = (0, 0);
    while at < wire.len() {
        let n = sizes[i % sizes.len()].min(wire.len() - at);
        pieces.push(Piece {
            delay_ms: 2,
            kind: PieceKind::Base64(
                base64::engine::general_purpose::STANDARD.encode(&wire[at..at + n]),
            ),
        });
        at += n;
        i += 1;
    }
    let cassette = stream_cassette("my.model", pieces);
    let fake = FakeBedrock::builder().cassette(cassette).start().unwrap();
    let client = builder(&fake).build().unwrap();
    let mut stream = open(&client, "my.model", "{}").await;
    let (chunks, err) = collect(&mut stream).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(chunks, independent_chunks(&wire));
}

/// Reads a whole stream with `next_buffered_into`, waiting with `next_event` when nothing is
/// buffered: chunk bytes joined by newlines, and the error that ended it.
async fn collect_into(stream: &mut ResponseStream) -> (Vec<u8>, Option<bedrock_lite::Error>) {
    let mut out = Vec::new();
    loop {
        loop {
            match stream.next_buffered_into(&mut out) {
                Ok(Some(Appended::Chunk(_))) => out.push(b'\n'),
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => return (out, Some(e)),
            }
        }
        match stream.next_event().await {
            Ok(Some(StreamEvent::Chunk(b))) => {
                out.extend_from_slice(&b);
                out.push(b'\n');
            }
            Ok(Some(_)) => {}
            Ok(None) => return (out, None),
            Err(e) => return (out, Some(e)),
        }
    }
}

#[tokio::test]
async fn chunks_appended_into_a_buffer_match_and_keep_metrics_and_earlier_bytes() {
    let fake = fake();
    let client = builder(&fake).build().unwrap();
    let mut stream = open(
        &client,
        SONNET_45,
        r#"{"anthropic_version":"bedrock-2023-05-31","max_tokens":20,"messages":[]}"#,
    )
    .await;
    let (out, err) = collect_into(&mut stream).await;
    assert!(err.is_none(), "{err:?}");
    let expected: Vec<u8> = independent_chunks(&fixture(ENVOY_STREAM))
        .into_iter()
        .flat_map(|mut c| {
            c.push(b'\n');
            c
        })
        .collect();
    assert_eq!(out, expected);
    let m = stream.invocation_metrics().expect("metrics");
    assert_eq!((m.input_token_count, m.output_token_count), (10, 15));

    // An in-stream exception: the bytes appended before it stay, exactly.
    let mut stream = open(&client, "test.stream-throttle", "{}").await;
    let (out, err) = collect_into(&mut stream).await;
    assert_eq!(err.unwrap().code(), Some("ThrottlingException"));
    assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 2);
}

#[tokio::test]
async fn appending_reader_reports_bad_frames_and_keeps_what_came_before() {
    use base64::Engine as _;
    use bedrock_lite::eventstream::{HeaderValue, Message, bedrock, encode};
    let wire = fixture(ENVOY_STREAM);
    let first = u32::from_be_bytes(wire[..4].try_into().unwrap()) as usize;
    let good = independent_chunks(&wire[..first]);
    // A recorded frame, then the next one with a payload byte flipped (its CRC no longer
    // matches); and a recorded frame, then a well-formed chunk frame whose base64 is not.
    let mut corrupt = wire.clone();
    corrupt[first + 100] ^= 0x01;
    let chunk_headers = |m: Message| {
        m.with_header(
            ":event-type",
            HeaderValue::String("chunk".to_owned().into()),
        )
        .with_header(
            ":content-type",
            HeaderValue::String("application/json".to_owned().into()),
        )
        .with_header(
            ":message-type",
            HeaderValue::String("event".to_owned().into()),
        )
    };
    let mut bad_b64 = bytes::BytesMut::from(&wire[..first]);
    encode(
        &chunk_headers(Message::new(&br#"{"bytes":"!!!!"}"#[..])),
        &mut bad_b64,
    )
    .unwrap();
    assert!(
        bedrock::parse_event(&chunk_headers(Message::new(&br#"{"bytes":"!!!!"}"#[..]))).is_err()
    );
    for (model, body) in [("my.crc", &corrupt[..]), ("my.b64", &bad_b64[..])] {
        let cassette = stream_cassette(
            model,
            vec![Piece {
                delay_ms: 0,
                kind: PieceKind::Base64(base64::engine::general_purpose::STANDARD.encode(body)),
            }],
        );
        let fake = FakeBedrock::builder().cassette(cassette).start().unwrap();
        let client = builder(&fake).build().unwrap();
        let mut stream = open(&client, model, "{}").await;
        let (out, err) = collect_into(&mut stream).await;
        assert_eq!(
            err.expect("a bad frame").kind(),
            ErrorKind::Decode,
            "{model}"
        );
        assert_eq!(out, [&good[0][..], b"\n"].concat(), "{model}");
        assert!(stream.next_event().await.unwrap().is_none(), "{model}");
    }
}
