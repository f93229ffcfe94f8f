//! The crate's own client against the fake: its signatures (session token included) verify,
//! and the recorded ARN and stream scenarios come through.

use bedrock_lite::fake::{DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY, FakeBedrock};
use bedrock_lite::{Client, Credentials, InvokeRequest, StreamEvent};

fn client(fake: &FakeBedrock, credentials: Credentials) -> Client {
    fake.client_builder()
        .credentials(credentials)
        .max_attempts(1)
        .build()
        .unwrap()
}

#[tokio::test]
async fn signed_invoke_on_an_arn_and_a_stream() {
    let fake = FakeBedrock::builder()
        .builtin_cassettes()
        .session_credentials("ASIATEMP", "temp-secret", "tok")
        .start()
        .unwrap();
    let demo = client(
        &fake,
        Credentials::new(DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY, None),
    );
    let arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/jf2sje1c0jnb";
    let out = demo
        .invoke_model(InvokeRequest::new(arn, r#"{"messages":[]}"#))
        .await
        .unwrap();
    assert!(std::str::from_utf8(&out.body).unwrap().contains("Hobbits"));
    // The label went out percent-encoded, as the AWS SDKs send it.
    let uri = fake.requests().pop().unwrap().uri;
    assert!(
        uri.contains("application-inference-profile%2Fjf2sje1c0jnb"),
        "{uri}"
    );

    let temp = client(
        &fake,
        Credentials::new("ASIATEMP", "temp-secret", Some("tok".into())),
    );
    let mut stream = temp
        .invoke_model_with_response_stream(InvokeRequest::new(
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "{}",
        ))
        .await
        .unwrap();
    let mut chunks = 0;
    while let Some(event) = stream.next_event().await.unwrap() {
        assert!(matches!(event, StreamEvent::Chunk(_)), "{event:?}");
        chunks += 1;
    }
    assert_eq!(chunks, 10);
    assert_eq!(stream.invocation_metrics().unwrap().output_token_count, 15);
}
