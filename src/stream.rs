//! The response stream of InvokeModelWithResponseStream.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};

use crate::error::{Error, ErrorKind, Result};
use crate::eventstream::bedrock::{self, Event, StreamError};
use crate::eventstream::{DecodeError, Decoder, Message, PRELUDE_LEN, Peek};
use crate::record::StreamRecording;

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

/// What [`ResponseStream::next_buffered_into`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Appended {
    /// A chunk: this many bytes (its decoded `bytes`, exactly as sent) were appended.
    Chunk(usize),
    /// An event type this crate does not know; nothing was appended.
    Unknown {
        /// `:event-type`.
        event_type: String,
        /// Raw payload.
        payload: Bytes,
    },
}

/// A decoded event before it is handed out.
enum Decoded {
    Chunk(Bytes),
    Appended(usize),
    Unknown { event_type: String, payload: Bytes },
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

const METRICS_KEY: &[u8] = b"amazon-bedrock-invocationMetrics";

#[derive(serde::Deserialize)]
struct WithMetrics {
    #[serde(rename = "amazon-bedrock-invocationMetrics")]
    metrics: Option<InvocationMetrics>,
}

type Read = (reqwest::Response, Result<Option<Bytes>>);

/// A live response stream: events are decoded as bytes arrive, never buffered whole.
///
/// Errors after the HTTP 200 (in-stream exceptions, a dropped connection, a malformed frame)
/// end the stream; they are never retried, because chunks may already have been used.
pub struct ResponseStream {
    response: Option<reqwest::Response>,
    pending: Option<Pin<Box<dyn Future<Output = Read> + Send>>>,
    /// The piece the network delivered last, while frames are split off it without copying.
    piece: Bytes,
    /// The start of a frame that straddles pieces.
    buf: BytesMut,
    decoder: Decoder,
    read_timeout: Option<Duration>,
    content_type: String,
    request_id: Option<String>,
    metrics: Option<InvocationMetrics>,
    done: bool,
    recording: Option<StreamRecording>,
}

impl std::fmt::Debug for ResponseStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseStream")
            .field("content_type", &self.content_type)
            .field("request_id", &self.request_id)
            .field("buffered", &(self.buf.len() + self.piece.len()))
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl ResponseStream {
    pub(crate) fn new(
        response: reqwest::Response,
        read_timeout: Option<Duration>,
        recording: Option<StreamRecording>,
    ) -> Self {
        let headers = response.headers();
        let content_type = headers
            .get("x-amzn-bedrock-content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/json")
            .to_owned();
        let request_id = crate::client::request_id(headers);
        Self {
            response: Some(response),
            pending: None,
            piece: Bytes::new(),
            buf: BytesMut::new(),
            decoder: Decoder::new(),
            read_timeout,
            content_type,
            request_id,
            metrics: None,
            done: false,
            recording,
        }
    }

    /// `X-Amzn-Bedrock-Content-Type` of the chunks.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// `x-amzn-requestid`.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// Metrics of the last chunk, once seen.
    pub fn invocation_metrics(&self) -> Option<InvocationMetrics> {
        self.metrics
    }

    /// The next complete frame from what was received. Frames are split off the network piece
    /// without copying; only a frame that straddles two pieces is assembled in `buf`, from the
    /// bytes it needs. After `Ok(None)` the piece is used up.
    fn next_message(&mut self) -> std::result::Result<Option<Message>, DecodeError> {
        loop {
            if self.buf.is_empty() {
                if self.piece.is_empty() {
                    return Ok(None);
                }
                let msg = self.decoder.decode_bytes(&mut self.piece)?;
                if msg.is_none() {
                    self.buf.extend_from_slice(&self.piece);
                    self.piece = Bytes::new();
                }
                return Ok(msg);
            }
            if let Some(msg) = self.decoder.decode(&mut self.buf)? {
                return Ok(Some(msg));
            }
            if self.piece.is_empty() {
                return Ok(None);
            }
            // Top the straddling frame (or first its prelude) up from the piece.
            let want = self
                .decoder
                .pending_frame_len()
                .unwrap_or(PRELUDE_LEN)
                .saturating_sub(self.buf.len());
            let take = self.piece.split_to(want.min(self.piece.len()));
            self.buf.extend_from_slice(&take);
        }
    }

    /// Drops whatever was received but not decoded (after a failure, framing is lost).
    fn discard(&mut self) {
        self.buf.clear();
        self.piece = Bytes::new();
    }

    fn fail(&mut self, e: Error) -> Error {
        self.done = true;
        self.response = None;
        self.pending = None;
        e.with_request_id(self.request_id.clone())
    }

    /// The next event from bytes already received, without waiting on the network.
    ///
    /// # Errors
    /// In-stream exceptions ([`ErrorKind::Stream`], with the exception's code) and malformed
    /// frames ([`ErrorKind::Decode`]).
    pub fn next_buffered(&mut self) -> Result<Option<StreamEvent>> {
        Ok(self.next_decoded(None)?.map(|d| match d {
            Decoded::Chunk(bytes) => StreamEvent::Chunk(bytes),
            // Not produced without a sink.
            Decoded::Appended(_) => StreamEvent::Chunk(Bytes::new()),
            Decoded::Unknown {
                event_type,
                payload,
            } => StreamEvent::Unknown {
                event_type,
                payload,
            },
        }))
    }

    /// Like [`next_buffered`](Self::next_buffered), but a chunk's bytes are appended to `out`
    /// instead of being allocated on their own: for consumers that copy chunks on anyway
    /// (to a file, a socket, a parser's buffer).
    ///
    /// # Errors
    /// As [`next_buffered`](Self::next_buffered); what `out` held before stays.
    pub fn next_buffered_into(&mut self, out: &mut Vec<u8>) -> Result<Option<Appended>> {
        Ok(self.next_decoded(Some(out))?.map(|d| match d {
            Decoded::Chunk(bytes) => {
                out.extend_from_slice(&bytes);
                Appended::Chunk(bytes.len())
            }
            Decoded::Appended(n) => Appended::Chunk(n),
            Decoded::Unknown {
                event_type,
                payload,
            } => Appended::Unknown {
                event_type,
                payload,
            },
        }))
    }

    fn next_decoded(&mut self, sink: Option<&mut Vec<u8>>) -> Result<Option<Decoded>> {
        if self.done && self.buf.is_empty() && self.piece.is_empty() {
            return Ok(None);
        }
        // A chunk frame whole in the network piece goes straight from it into the sink.
        if let Some(out) = sink
            && self.buf.is_empty()
        {
            match self.decoder.peek_bedrock_chunk(&self.piece) {
                Ok(Peek::Chunk { total, payload }) => {
                    let start = out.len();
                    let decoded = bedrock::decode_chunk_payload_into(
                        self.piece.get(payload).unwrap_or_default(),
                        out,
                    );
                    self.piece.advance(total);
                    return match decoded {
                        Ok(()) => {
                            let appended = out.get(start..).unwrap_or_default();
                            self.note_metrics(appended);
                            Ok(Some(Decoded::Appended(appended.len())))
                        }
                        Err(e) => Err(self.stream_error(e)),
                    };
                }
                Ok(Peek::Incomplete | Peek::Other) => {}
                Err(e) => return Err(self.decode_error(e)),
            }
        }
        let msg = match self.next_message() {
            Ok(Some(m)) => m,
            Ok(None) => return Ok(None),
            Err(e) => return Err(self.decode_error(e)),
        };
        // Here (other frames, and chunk frames that straddled two reads) the message is
        // decoded on its own; `next_buffered_into` copies a chunk's bytes on.
        let event = bedrock::parse_event(&msg).map(|ev| match ev {
            Event::Chunk(bytes) => {
                self.note_metrics(&bytes);
                Decoded::Chunk(bytes)
            }
            Event::Unknown {
                event_type,
                payload,
            } => Decoded::Unknown {
                event_type,
                payload,
            },
        });
        event.map(Some).map_err(|e| self.stream_error(e))
    }

    /// A frame that cannot be decoded ends the stream.
    fn decode_error(&mut self, e: DecodeError) -> Error {
        let err = Error::new(
            ErrorKind::Decode,
            format!("malformed event-stream frame: {e}"),
        )
        .with_source(e);
        self.discard();
        self.fail(err)
    }

    /// An in-stream exception, error message or malformed event ends the stream.
    fn stream_error(&mut self, e: StreamError) -> Error {
        let err = match &e {
            StreamError::Exception { kind, message, .. } => {
                Error::new(ErrorKind::Stream, message.clone())
                    .with_code(kind.code().into_owned())
                    .retryable(kind.is_retryable())
            }
            StreamError::Error { code, message } => {
                Error::new(ErrorKind::Stream, message.clone()).with_code(code.clone())
            }
            StreamError::Malformed(reason) => Error::new(
                ErrorKind::Decode,
                format!("malformed stream event: {reason}"),
            ),
        };
        self.discard();
        self.fail(err.with_source(e))
    }

    /// Keeps `amazon-bedrock-invocationMetrics` when a chunk carries it (the last one does).
    fn note_metrics(&mut self, chunk: &[u8]) {
        if has_metrics_key(chunk)
            && let Ok(WithMetrics { metrics: Some(m) }) = serde_json::from_slice(chunk)
        {
            self.metrics = Some(m);
        }
    }

    /// The next event, reading from the network as needed; `Ok(None)` at the clean end.
    ///
    /// # Errors
    /// As [`next_buffered`](Self::next_buffered), plus transport errors and the read timeout;
    /// a body that ends inside a frame is [`ErrorKind::Decode`].
    pub async fn next_event(&mut self) -> Result<Option<StreamEvent>> {
        std::future::poll_fn(|cx| self.poll_event(cx)).await
    }

    fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<StreamEvent>>> {
        loop {
            match self.next_buffered() {
                Ok(Some(ev)) => return Poll::Ready(Ok(Some(ev))),
                Ok(None) => {}
                Err(e) => return Poll::Ready(Err(e)),
            }
            if self.done {
                return Poll::Ready(Ok(None));
            }
            if self.pending.is_none() {
                let Some(mut resp) = self.response.take() else {
                    self.done = true;
                    return Poll::Ready(Ok(None));
                };
                let idle = self.read_timeout;
                self.pending = Some(Box::pin(async move {
                    let r = crate::client::next_piece(&mut resp, idle).await;
                    (resp, r)
                }));
            }
            let Some(fut) = self.pending.as_mut() else {
                continue;
            };
            let (resp, read) = match fut.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(r) => r,
            };
            self.pending = None;
            self.response = Some(resp);
            match read {
                Ok(Some(piece)) => {
                    if let Some(rec) = &mut self.recording {
                        rec.piece(&piece);
                    }
                    self.piece = piece;
                }
                Ok(None) => {
                    self.done = true;
                    self.response = None;
                    // Complete frames were drained above; anything left is a cut frame.
                    if !self.buf.is_empty() {
                        let left = self.buf.len();
                        self.discard();
                        let err = Error::new(
                            ErrorKind::Decode,
                            format!("stream ended inside a frame ({left} bytes left)"),
                        );
                        return Poll::Ready(Err(self.fail(err)));
                    }
                }
                Err(e) => {
                    if let Some(rec) = &mut self.recording {
                        rec.mark_dropped();
                    }
                    self.discard();
                    return Poll::Ready(Err(self.fail(e.retryable(false))));
                }
            }
        }
    }
}

/// Whether `hay` contains `"amazon-bedrock-invocationMetrics"`, found through its `M`, a byte
/// that model text rarely has (a plain substring search would stop at every `a`).
fn has_metrics_key(hay: &[u8]) -> bool {
    const BEFORE: usize = METRICS_KEY.len() - "Metrics".len();
    let mut from = 0;
    while let Some(i) = hay.get(from..).and_then(|h| memchr::memchr(b'M', h)) {
        let at = from + i;
        if at >= BEFORE
            && hay.get(at - BEFORE..at - BEFORE + METRICS_KEY.len()) == Some(METRICS_KEY)
        {
            return true;
        }
        from = at + 1;
    }
    false
}

#[cfg(feature = "stream")]
impl futures_core::Stream for ResponseStream {
    type Item = Result<StreamEvent>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_event(cx).map(Result::transpose)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_the_metrics_key() {
        assert!(super::has_metrics_key(
            br#"{"type":"message_stop","amazon-bedrock-invocationMetrics":{}}"#
        ));
        assert!(!super::has_metrics_key(
            br#"{"text":"Metrics of amazon-bedrock-invocation"}"#
        ));
        assert!(!super::has_metrics_key(b"M"));
    }
}
