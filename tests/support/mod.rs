//! Helpers shared by the end-to-end tests.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bedrock_lite::ClientBuilder;
use bedrock_lite::fake::FakeBedrock;

/// A fake with the built-in cassettes.
pub(crate) fn fake() -> FakeBedrock {
    FakeBedrock::builder()
        .builtin_cassettes()
        .start()
        .expect("fake starts")
}

/// A builder pointed at `fake` with the demo keys, an empty environment and fast retries.
pub(crate) fn builder(fake: &FakeBedrock) -> ClientBuilder {
    fake.client_builder()
        .retry_base_delay(Duration::from_millis(5))
}

/// A fresh, empty directory under the system temp dir.
pub(crate) fn temp_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "bedrock-lite-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The chunk payloads of a recorded stream, decoded independently of our codec: smithy's
/// frame decoder, serde_json and the base64 crate.
pub(crate) fn independent_chunks(wire: &[u8]) -> Vec<Vec<u8>> {
    use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder};
    use base64::Engine as _;
    let mut decoder = MessageFrameDecoder::new();
    let mut buf = bytes::BytesMut::from(wire);
    let mut out = Vec::new();
    while let DecodedFrame::Complete(m) = decoder.decode_frame(&mut buf).expect("valid frames") {
        let v: serde_json::Value = serde_json::from_slice(m.payload()).expect("chunk JSON");
        out.push(
            base64::engine::general_purpose::STANDARD
                .decode(v["bytes"].as_str().expect("bytes"))
                .expect("base64"),
        );
    }
    out
}

/// A recorded file under fixtures/.
pub(crate) fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(rel),
    )
    .expect("fixture")
}

/// The envoy recording (Sonnet 4.5 Messages stream) that the built-in cassettes replay for
/// `us.anthropic.claude-sonnet-4-5-20250929-v1:0`.
pub(crate) const ENVOY_STREAM: &str =
    "eventstream/recorded/envoy-aigw_invoke-stream_claude-sonnet-4-5.bin";
pub(crate) const SONNET_45: &str = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
