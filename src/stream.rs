//! The response stream of InvokeModelWithResponseStream. CONTRACT STUB.

use bytes::Bytes;

use crate::error::Result;

/// One event handed to the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamEvent {
    /// A chunk's decoded `bytes`, exactly as sent.
    Chunk(Bytes),
    /// An event type this crate does not know.
    Unknown {
        /// `:event-type`.
        event_type: String,
        /// Raw payload.
        payload: Bytes,
    },
}

/// `amazon-bedrock-invocationMetrics` from the last chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InvocationMetrics {
    /// `inputTokenCount`.
    #[serde(default)]
    pub input_token_count: u64,
    /// `outputTokenCount`.
    #[serde(default)]
    pub output_token_count: u64,
    /// `invocationLatency` (ms).
    #[serde(default)]
    pub invocation_latency: u64,
    /// `firstByteLatency` (ms).
    #[serde(default)]
    pub first_byte_latency: u64,
}

/// A live response stream: events are decoded as bytes arrive.
#[derive(Debug)]
pub struct ResponseStream {
    _private: (),
}

impl ResponseStream {
    /// `X-Amzn-Bedrock-Content-Type` of the chunks.
    pub fn content_type(&self) -> &str {
        todo!()
    }
    /// `x-amzn-requestid`.
    pub fn request_id(&self) -> Option<&str> {
        todo!()
    }
    /// The next event from bytes already received, without waiting on the network.
    pub fn next_buffered(&mut self) -> Result<Option<StreamEvent>> {
        todo!()
    }
    /// The next event, reading from the network as needed; `Ok(None)` at the clean end.
    pub async fn next_event(&mut self) -> Result<Option<StreamEvent>> {
        todo!()
    }
    /// Metrics of the last chunk, once seen.
    pub fn invocation_metrics(&self) -> Option<InvocationMetrics> {
        todo!()
    }
}
