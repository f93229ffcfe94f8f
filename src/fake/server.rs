//! The accept loop and the request handler.

use std::convert::Infallible;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::runtime::Runtime;
use tokio::sync::{mpsc, oneshot};

use super::auth::{AuthConfig, Received};
use super::replay::{ReplyBody, Slots, Target};
use super::{ReceivedRequest, lock};
use crate::cassette::{Body, Interaction, PieceKind};
use crate::eventstream::{self, bedrock};

/// Largest request body read (Bedrock's limit is 25 000 000 bytes).
const MAX_REQUEST_BODY: usize = 25_000_000;

/// What the server thread shares with the [`super::FakeBedrock`] handle.
#[derive(Debug)]
pub(super) struct State {
    pub(super) auth: AuthConfig,
    pub(super) slots: Mutex<Slots>,
    pub(super) requests: Mutex<Vec<ReceivedRequest>>,
    pub(super) failures: Mutex<Vec<String>>,
}

impl State {
    fn fail(&self, what: String) {
        lock(&self.failures).push(what);
    }
}

/// Serves until `stop` fires (or its sender is dropped); dropping the runtime then cancels open
/// connections.
pub(super) fn run(
    runtime: Runtime,
    listener: std::net::TcpListener,
    state: Arc<State>,
    mut stop: oneshot::Receiver<()>,
) -> io::Result<()> {
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        loop {
            tokio::select! {
                _ = &mut stop => return Ok(()),
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let state = Arc::clone(&state);
                        tokio::spawn(async move {
                            let service = service_fn(move |req| serve(Arc::clone(&state), req));
                            // Client-side aborts end connections with errors; nothing to report.
                            let _ = http1::Builder::new()
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        });
                    }
                    // E.g. out of file descriptors: back off instead of spinning.
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                },
            }
        }
    })
}

/// Runs the handler as its own task so a panic is caught, recorded and answered with a 500.
async fn serve(
    state: Arc<State>,
    req: Request<Incoming>,
) -> Result<Response<ReplyBody>, Infallible> {
    let what = format!("{} {}", req.method(), req.uri());
    let handled = tokio::spawn(handle(Arc::clone(&state), req)).await;
    Ok(match handled {
        Ok(response) => response,
        Err(e) => {
            let detail = if e.is_panic() {
                let panic = e.into_panic();
                panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "non-string panic payload".to_owned())
            } else {
                e.to_string()
            };
            state.fail(format!("handler panicked on {what}: {detail}"));
            error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServerException",
                &format!("fake Bedrock handler panicked: {detail}"),
            )
        }
    })
}

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Response<ReplyBody> {
    let (parts, incoming) = req.into_parts();
    let method = parts.method.as_str().to_owned();
    let uri = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.to_string(), |pq| pq.as_str().to_owned());
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = match Limited::new(incoming, MAX_REQUEST_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "ValidationException",
                &format!("could not read the request body: {e}"),
            );
        }
    };
    lock(&state.requests).push(ReceivedRequest {
        method: method.clone(),
        uri: uri.clone(),
        headers: headers.clone(),
        body: body.clone(),
    });

    let received = Received {
        method: &method,
        uri: &uri,
        headers: &headers,
        body: &body,
    };
    if let Err(rejection) = state.auth.check(&received) {
        return json_error(
            StatusCode::FORBIDDEN,
            rejection.code,
            COAL_SERVICE,
            rejection.body,
        );
    }

    if let Some(message) = misplaced_model_id(&uri) {
        return error_response(StatusCode::NOT_FOUND, "UnknownOperationException", &message);
    }

    let target = Target::new(&method, &uri, &body);
    let found = lock(&state.slots).take(&target);
    match found {
        Some(interaction) => match replay(&interaction) {
            Ok(response) => response,
            Err(e) => {
                state.fail(format!("cannot replay {method} {uri}: {e}"));
                error_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalServerException",
                    &e,
                )
            }
        },
        None => {
            let message = lock(&state.slots).describe_miss(&target);
            error_response(StatusCode::NOT_FOUND, "ResourceNotFoundException", &message)
        }
    }
}

/// A model id must be one path segment, with `/` sent as `%2F`: Bedrock routes a raw `/` to
/// no operation (anthropics/claude-code#297).
fn misplaced_model_id(uri: &str) -> Option<String> {
    let path = uri.split('?').next().unwrap_or_default();
    let rest = path.strip_prefix("/model/")?;
    let segments = rest.split('/').count();
    (segments > 2).then(|| {
        format!(
            "fake Bedrock: {path} has {segments} segments after /model/; the model id must be a single percent-encoded segment (write '/' as %2F)"
        )
    })
}

/// Builds the response of a cassette interaction. Everything that can fail (base64, frame
/// encoding) happens here, before the status line is sent.
fn replay(interaction: &Interaction) -> Result<Response<ReplyBody>, String> {
    let recorded = &interaction.response;
    let status = StatusCode::from_u16(recorded.status)
        .map_err(|_| format!("invalid status {}", recorded.status))?;
    let body = match &recorded.body {
        Body::Empty => ReplyBody::full(Bytes::new()),
        Body::Text(text) => ReplyBody::full(text.clone()),
        Body::Base64(b64) => ReplyBody::full(decode_base64(b64)?),
        Body::Chunks(pieces) => {
            let steps = pieces
                .iter()
                .map(|p| Ok((Duration::from_millis(p.delay_ms), step(&p.kind)?)))
                .collect::<Result<Vec<_>, String>>()?;
            let (tx, rx) = mpsc::channel(1);
            tokio::spawn(produce(steps, tx));
            ReplyBody::Channel(rx)
        }
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    for (name, value) in &recorded.headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("invalid header name {name:?}"))?;
        if NOT_REPLAYED.contains(&name.as_str()) {
            continue;
        }
        let value =
            HeaderValue::from_str(value).map_err(|_| format!("invalid value of header {name}"))?;
        response.headers_mut().append(name, value);
    }
    Ok(response)
}

/// Recorded headers that are not replayed: hop-by-hop and framing headers (hyper sets
/// `Content-Length` or chunked encoding from the body), and `Date`, which hyper sets to now so
/// that clock-skew logic in clients sees the fake's clock, not the recording's.
const NOT_REPLAYED: &[&str] = &[
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "date",
    "upgrade",
    "te",
    "trailer",
    "proxy-connection",
];

/// One step of a streamed body.
#[derive(Debug)]
enum Step {
    Send(Bytes),
    Drop,
    Stall(Duration),
}

fn step(kind: &PieceKind) -> Result<Step, String> {
    let encode = |msg: &eventstream::Message| {
        let mut buf = BytesMut::new();
        eventstream::encode(msg, &mut buf).map_err(|e| format!("cannot encode frame: {e}"))?;
        Ok::<_, String>(Step::Send(buf.freeze()))
    };
    match kind {
        PieceKind::Base64(b64) => Ok(Step::Send(decode_base64(b64)?)),
        PieceKind::Chunk(text) => encode(&bedrock::chunk_message(text.as_bytes())),
        PieceKind::Exception {
            exception_type,
            body,
        } => encode(&bedrock::exception_message(exception_type, body.as_bytes())),
        PieceKind::Drop => Ok(Step::Drop),
        PieceKind::Stall(ms) => Ok(Step::Stall(Duration::from_millis(*ms))),
    }
}

async fn produce(steps: Vec<(Duration, Step)>, tx: mpsc::Sender<Result<Bytes, io::Error>>) {
    for (delay, step) in steps {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        match step {
            Step::Send(bytes) => {
                if tx.send(Ok(bytes)).await.is_err() {
                    return; // the client went away
                }
            }
            Step::Stall(d) => tokio::time::sleep(d).await,
            Step::Drop => {
                // An error from the body makes hyper close the socket without the final
                // zero-length chunk: the client sees a truncated body, not a clean end.
                let _ = tx
                    .send(Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "cassette: drop connection",
                    )))
                    .await;
                return;
            }
        }
    }
}

fn decode_base64(b64: &str) -> Result<Bytes, String> {
    BASE64
        .decode(b64.trim())
        .map(Bytes::from)
        .map_err(|e| format!("invalid base64 in cassette: {e}"))
}

/// Error namespace of the AWS front end (auth errors and most service errors).
const COAL_SERVICE: &str = "http://internal.amazon.com/coral/com.amazon.coral.service/";

/// An AWS-style JSON error: `{"message": …}` with `x-amzn-ErrorType` and a request id.
fn error_response(status: StatusCode, code: &str, message: &str) -> Response<ReplyBody> {
    json_error(
        status,
        code,
        COAL_SERVICE,
        serde_json::json!({ "message": message }).to_string(),
    )
}

fn json_error(
    status: StatusCode,
    code: &str,
    namespace: &str,
    body: String,
) -> Response<ReplyBody> {
    let mut response = Response::new(ReplyBody::full(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    let mut set = |name: &'static str, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    };
    set("content-type", "application/json".to_owned());
    set("x-amzn-errortype", format!("{code}:{namespace}"));
    set("x-amzn-requestid", request_id());
    response
}

/// A fresh UUID-shaped request id (not cryptographically random; unique per process run).
fn request_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let a = splitmix64(seed ^ n.rotate_left(32));
    let b = splitmix64(a ^ n);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_uuid_shaped_and_distinct() {
        let a = request_id();
        let b = request_id();
        assert_ne!(a, b);
        let lens: Vec<usize> = a.split('-').map(str::len).collect();
        assert_eq!(lens, [8, 4, 4, 4, 12], "{a}");
    }

    #[test]
    fn raw_slash_in_model_id_is_refused() {
        assert!(misplaced_model_id("/model/anthropic.claude-v2/invoke").is_none());
        assert!(misplaced_model_id("/model/arn%3Aaws%3Ax%2Fy/invoke?a=b/c").is_none());
        assert!(misplaced_model_id("/model/arn:aws:x/y/invoke").is_some());
        assert!(misplaced_model_id("/foundation-models").is_none());
    }
}
