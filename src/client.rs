//! The Bedrock client: the only module that does IO.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use zeroize::Zeroizing;

pub use crate::config::Environment;
use crate::config::{self, Auth, Explicit};
use crate::credentials::Credentials;
use crate::error::{Error, ErrorBody, ErrorKind, Result, error_code, error_message};
use crate::record;
use crate::retry::{RetryPolicy, is_retryable_status};
use crate::sigv4::{
    self, Identity, Payload, SignableRequest, Signer, SigningParams, SigningSettings,
};
use crate::stream::ResponseStream;

/// The SigV4 signing name of both Bedrock hosts (not `bedrock-runtime`).
const SIGNING_NAME: &str = "bedrock";
const USER_AGENT: &str = concat!("bedrock-lite/", env!("CARGO_PKG_VERSION"));

/// Builds a [`Client`]; everything is validated in [`build`](Self::build).
#[derive(Debug, Default)]
#[must_use]
pub struct ClientBuilder {
    region: Option<String>,
    credentials: Option<Credentials>,
    bearer_token: Option<Zeroizing<String>>,
    profile: Option<String>,
    endpoint_url: Option<String>,
    environment: Option<Environment>,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    max_attempts: Option<u32>,
    retry_base_delay: Option<Duration>,
    http_client: Option<reqwest::Client>,
    #[cfg(feature = "record")]
    record_to: Option<std::path::PathBuf>,
}

impl ClientBuilder {
    /// Region (else `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`, `us-east-1`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }
    /// Explicit credentials (beat the environment's keys and profiles; an
    /// `AWS_BEARER_TOKEN_BEDROCK` in the environment still wins, as in botocore).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }
    /// A Bedrock API key, sent as `Authorization: Bearer …` (beats everything else).
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.bearer_token = Some(Zeroizing::new(token.into()));
        self
    }
    /// Profile name (beats `AWS_PROFILE`).
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }
    /// Endpoint URL for both hosts (runtime and control plane), e.g. a fake server.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(url.into());
        self
    }
    /// Environment to resolve from (default: the process environment).
    pub fn environment(mut self, env: Environment) -> Self {
        self.environment = Some(env);
        self
    }
    /// Connect timeout (default 10 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = Some(d);
        self
    }
    /// Read timeout: longest wait for the next bytes of a response, streams included
    /// (default 5 minutes, which tolerates long thinking pauses).
    pub fn read_timeout(mut self, d: Duration) -> Self {
        self.read_timeout = Some(d);
        self
    }
    /// Total attempts per operation (default 3, or `AWS_MAX_ATTEMPTS`).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = Some(n);
        self
    }
    /// Base delay of the exponential backoff (default 1 s, capped at 20 s).
    pub fn retry_base_delay(mut self, d: Duration) -> Self {
        self.retry_base_delay = Some(d);
        self
    }
    /// Use this `reqwest::Client` (its connection pool is shared).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }
    /// Record every exchange as a cassette into this directory (credentials stripped;
    /// feature `record`).
    #[cfg(feature = "record")]
    pub fn record_to(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.record_to = Some(dir.into());
        self
    }

    /// Validates and builds: resolves region, endpoints and credentials now, so a missing
    /// credential fails here rather than at the first call.
    ///
    /// # Errors
    /// [`ErrorKind::Build`] for invalid settings, [`ErrorKind::Credentials`] when no credentials
    /// are found.
    pub fn build(self) -> Result<Client> {
        let env = self.environment.unwrap_or_else(Environment::from_process);
        let resolved = config::resolve(
            &env,
            Explicit {
                region: self.region,
                credentials: self.credentials,
                bearer_token: self.bearer_token,
                profile: self.profile,
                endpoint_url: self.endpoint_url,
                max_attempts: self.max_attempts,
            },
        )?;
        let http = match self.http_client {
            Some(c) => c,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout.unwrap_or(Duration::from_secs(10)))
                .build()
                .map_err(|e| {
                    Error::new(ErrorKind::Build, "cannot build the HTTP client").with_source(e)
                })?,
        };
        #[cfg(not(feature = "record"))]
        let recorder: Option<record::Handle> = None;
        #[cfg(feature = "record")]
        let recorder = match self.record_to {
            Some(dir) => Some(Arc::new(record::Recorder::new(dir.clone()).map_err(
                |e| {
                    Error::new(
                        ErrorKind::Build,
                        format!("cannot create the record directory {}", dir.display()),
                    )
                    .with_source(e)
                },
            )?)),
            None => None,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                region: resolved.region,
                runtime_endpoint: resolved.runtime_endpoint.trim_end_matches('/').to_owned(),
                control_endpoint: resolved.control_endpoint.trim_end_matches('/').to_owned(),
                auth: resolved.auth,
                signer: Signer::new(),
                retry: RetryPolicy {
                    max_attempts: resolved.max_attempts,
                    base_delay: self.retry_base_delay.unwrap_or(Duration::from_secs(1)),
                },
                read_timeout: self.read_timeout.or(Some(Duration::from_secs(300))),
                recorder,
            }),
        })
    }
}

/// A Bedrock client. Cheap to clone; clones share one connection pool.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    region: String,
    runtime_endpoint: String,
    control_endpoint: String,
    auth: Auth,
    signer: Signer,
    retry: RetryPolicy,
    read_timeout: Option<Duration>,
    recorder: Option<record::Handle>,
}

/// An InvokeModel / InvokeModelWithResponseStream request.
#[derive(Debug, Clone)]
pub struct InvokeRequest {
    /// Model id, inference-profile id or ARN (label-encoded into the path).
    pub model_id: String,
    /// Body bytes, sent byte for byte.
    pub body: Bytes,
    /// `Content-Type` (default `application/json`).
    pub content_type: Option<String>,
    /// `Accept` (invoke) or `X-Amzn-Bedrock-Accept` (stream).
    pub accept: Option<String>,
}

impl InvokeRequest {
    /// A request with the default content type.
    pub fn new(model_id: impl Into<String>, body: impl Into<Bytes>) -> Self {
        Self {
            model_id: model_id.into(),
            body: body.into(),
            content_type: None,
            accept: None,
        }
    }
    /// Sets `Content-Type`.
    #[must_use]
    pub fn content_type(mut self, t: impl Into<String>) -> Self {
        self.content_type = Some(t.into());
        self
    }
    /// Sets `Accept` (or `X-Amzn-Bedrock-Accept` on the streaming operation).
    #[must_use]
    pub fn accept(mut self, t: impl Into<String>) -> Self {
        self.accept = Some(t.into());
        self
    }
}

/// The answer of InvokeModel.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct InvokeModelOutput {
    /// Response body.
    pub body: Bytes,
    /// `Content-Type` of the body.
    pub content_type: String,
    /// `x-amzn-requestid`.
    pub request_id: Option<String>,
    /// `x-amzn-bedrock-input-token-count`.
    pub input_token_count: Option<u64>,
    /// `x-amzn-bedrock-output-token-count`.
    pub output_token_count: Option<u64>,
    /// `x-amzn-bedrock-invocation-latency` (ms).
    pub invocation_latency_ms: Option<u64>,
}

/// Filters of ListFoundationModels.
#[derive(Debug, Clone, Default)]
pub struct ListFoundationModelsRequest {
    /// `byProvider`, e.g. `anthropic`.
    pub by_provider: Option<String>,
    /// `byOutputModality`: `TEXT`, `IMAGE`, `EMBEDDING`.
    pub by_output_modality: Option<String>,
    /// `byInferenceType`: `ON_DEMAND`, `PROVISIONED`.
    pub by_inference_type: Option<String>,
    /// `byCustomizationType`: `FINE_TUNING`, `CONTINUED_PRE_TRAINING`, `DISTILLATION`.
    pub by_customization_type: Option<String>,
}

/// One entry of `modelSummaries`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FoundationModelSummary {
    /// e.g. `anthropic.claude-v2`.
    pub model_id: String,
    /// ARN.
    #[serde(default)]
    pub model_arn: String,
    /// Display name.
    #[serde(default)]
    pub model_name: String,
    /// e.g. `Anthropic`.
    #[serde(default)]
    pub provider_name: String,
    /// e.g. `["TEXT"]`.
    #[serde(default)]
    pub input_modalities: Vec<String>,
    /// e.g. `["TEXT"]`.
    #[serde(default)]
    pub output_modalities: Vec<String>,
    /// Whether it streams.
    #[serde(default)]
    pub response_streaming_supported: Option<bool>,
    /// e.g. `["ON_DEMAND"]`.
    #[serde(default)]
    pub inference_types_supported: Vec<String>,
    /// e.g. `["FINE_TUNING"]`.
    #[serde(default)]
    pub customizations_supported: Vec<String>,
}

/// The answer of ListFoundationModels.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ListFoundationModelsOutput {
    /// Typed summaries.
    pub model_summaries: Vec<FoundationModelSummary>,
    /// The response JSON as received.
    pub raw: serde_json::Value,
    /// `x-amzn-requestid`.
    pub request_id: Option<String>,
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    header_str(headers, "x-amzn-requestid").or_else(|| header_str(headers, "x-amz-request-id"))
}

/// One prepared operation: everything needed to (re)sign and send it.
struct Operation<'a> {
    name: &'static str,
    method: reqwest::Method,
    endpoint: &'a str,
    /// Path and query exactly as sent and signed.
    path_and_query: String,
    headers: Vec<(&'static str, String)>,
    body: Bytes,
}

/// Reads a whole body with the idle timeout between pieces.
async fn read_body(resp: &mut reqwest::Response, idle: Option<Duration>) -> Result<Bytes> {
    let mut out = BytesMut::new();
    while let Some(piece) = next_piece(resp, idle).await? {
        out.extend_from_slice(&piece);
    }
    Ok(out.freeze())
}

pub(crate) async fn next_piece(
    resp: &mut reqwest::Response,
    idle: Option<Duration>,
) -> Result<Option<Bytes>> {
    let read = resp.chunk();
    let res = match idle {
        Some(t) => tokio::time::timeout(t, read).await.map_err(|_| {
            Error::new(
                ErrorKind::Timeout,
                format!("no response bytes for {} ms", t.as_millis()),
            )
            .retryable(false)
        })?,
        None => read.await,
    };
    res.map_err(|e| transport_error("response body interrupted", e))
}

fn transport_error(what: &str, e: reqwest::Error) -> Error {
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Transport
    };
    // Connection failures are retried; a timeout after the request went out is not (the model
    // may still be generating, and a second attempt would be paid twice).
    let retryable = !e.is_timeout() || e.is_connect();
    // The URL holds no secret, but keep messages short: the source carries the details.
    Error::new(kind, format!("{what}: {}", e.without_url())).retryable(retryable)
}

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Resolved region.
    pub fn region(&self) -> &str {
        &self.inner.region
    }

    /// InvokeModel: sends `body` to the model and returns its whole answer.
    ///
    /// # Example
    /// ```no_run
    /// # async fn run() -> bedrock_lite::Result<()> {
    /// use bedrock_lite::{Client, InvokeRequest};
    /// let client = Client::builder().region("us-east-1").build()?;
    /// let body = r#"{"prompt":"\n\nHuman: Tell me a joke\n\nAssistant:","max_tokens_to_sample":200}"#;
    /// let out = client.invoke_model(InvokeRequest::new("anthropic.claude-v2", body)).await?;
    /// println!("{}", String::from_utf8_lossy(&out.body));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Service errors (after the retries the policy allows), transport and timeout errors.
    pub async fn invoke_model(&self, req: InvokeRequest) -> Result<InvokeModelOutput> {
        let op = self.invoke_operation("InvokeModel", "invoke", &req, "accept", None);
        let (mut resp, attempt_path) = self.send(&op).await?;
        let body = read_body(&mut resp, self.inner.read_timeout).await?;
        let h = resp.headers();
        if let Some(rec) = &self.inner.recorder {
            rec.write(
                &format!("invoke-{}", req.model_id),
                record::matcher("POST", &attempt_path, None),
                resp.status().as_u16(),
                record::keep_headers(h),
                crate::cassette::Body::Base64(base64_encode(&body)),
            );
        }
        Ok(InvokeModelOutput {
            content_type: header_str(h, "content-type")
                .unwrap_or_else(|| "application/json".to_owned()),
            request_id: request_id(h),
            input_token_count: header_u64(h, "x-amzn-bedrock-input-token-count"),
            output_token_count: header_u64(h, "x-amzn-bedrock-output-token-count"),
            invocation_latency_ms: header_u64(h, "x-amzn-bedrock-invocation-latency"),
            body,
        })
    }

    /// InvokeModelWithResponseStream: returns as soon as the response headers arrive; chunks
    /// are decoded as their bytes come in.
    ///
    /// # Example
    /// ```no_run
    /// # async fn run() -> bedrock_lite::Result<()> {
    /// use bedrock_lite::{Client, InvokeRequest, StreamEvent};
    /// let client = Client::builder().build()?;
    /// let body = r#"{"anthropic_version":"bedrock-2023-05-31","max_tokens":256,
    ///   "messages":[{"role":"user","content":"Write a haiku about Mars"}]}"#;
    /// let req = InvokeRequest::new("anthropic.claude-3-5-sonnet-20240620-v1:0", body);
    /// let mut stream = client.invoke_model_with_response_stream(req).await?;
    /// while let Some(StreamEvent::Chunk(bytes)) = stream.next_event().await? {
    ///     println!("{}", String::from_utf8_lossy(&bytes));
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Like [`invoke_model`](Self::invoke_model) for the initial exchange. Once the stream is
    /// open, errors come from [`ResponseStream::next_event`] and are never retried.
    pub async fn invoke_model_with_response_stream(
        &self,
        req: InvokeRequest,
    ) -> Result<ResponseStream> {
        // The requested type goes in X-Amzn-Bedrock-Accept; Accept keeps the HTTP default.
        let op = self.invoke_operation(
            "InvokeModelWithResponseStream",
            "invoke-with-response-stream",
            &req,
            "x-amzn-bedrock-accept",
            Some("application/json"),
        );
        let (resp, attempt_path) = self.send(&op).await?;
        let recording = self.inner.recorder.as_ref().map(|rec| {
            record::StreamRecording::start(
                rec,
                format!("stream-{}", req.model_id),
                record::matcher("POST", &attempt_path, None),
                resp.status().as_u16(),
                record::keep_headers(resp.headers()),
            )
        });
        Ok(ResponseStream::new(
            resp,
            self.inner.read_timeout,
            recording,
        ))
    }

    /// A POST to `/model/{modelId}/{action}` on the runtime host (the model id label-encoded):
    /// the body's content type (JSON unless given) and the wanted response type in
    /// `accept_header` (the request's, else `default_accept`, else none).
    fn invoke_operation(
        &self,
        name: &'static str,
        action: &str,
        req: &InvokeRequest,
        accept_header: &'static str,
        default_accept: Option<&str>,
    ) -> Operation<'_> {
        let mut headers = vec![(
            "content-type",
            req.content_type
                .clone()
                .unwrap_or_else(|| "application/json".to_owned()),
        )];
        if let Some(a) = req
            .accept
            .clone()
            .or_else(|| default_accept.map(str::to_owned))
        {
            headers.push((accept_header, a));
        }
        Operation {
            name,
            method: reqwest::Method::POST,
            endpoint: &self.inner.runtime_endpoint,
            path_and_query: format!("/model/{}/{action}", sigv4::encode_label(&req.model_id)),
            headers,
            body: req.body.clone(),
        }
    }

    /// ListFoundationModels on the control-plane host (`bedrock.{region}…`).
    ///
    /// # Errors
    /// Service, transport, timeout errors; [`ErrorKind::Decode`] when the answer is not JSON.
    pub async fn list_foundation_models(
        &self,
        req: ListFoundationModelsRequest,
    ) -> Result<ListFoundationModelsOutput> {
        let mut query = Vec::new();
        for (k, v) in [
            ("byCustomizationType", &req.by_customization_type),
            ("byInferenceType", &req.by_inference_type),
            ("byOutputModality", &req.by_output_modality),
            ("byProvider", &req.by_provider),
        ] {
            if let Some(v) = v {
                query.push(format!("{k}={}", sigv4::encode_label(v)));
            }
        }
        let mut path = "/foundation-models".to_owned();
        if !query.is_empty() {
            path.push('?');
            path.push_str(&query.join("&"));
        }
        let op = Operation {
            name: "ListFoundationModels",
            method: reqwest::Method::GET,
            endpoint: &self.inner.control_endpoint,
            path_and_query: path.clone(),
            headers: Vec::new(),
            body: Bytes::new(),
        };
        let (mut resp, _) = self.send(&op).await?;
        let body = read_body(&mut resp, self.inner.read_timeout).await?;
        let rid = request_id(resp.headers());
        if let Some(rec) = &self.inner.recorder {
            let (p, q) = path
                .split_once('?')
                .map_or((path.as_str(), None), |(p, q)| (p, Some(q)));
            rec.write(
                "list-foundation-models",
                record::matcher("GET", p, q),
                resp.status().as_u16(),
                record::keep_headers(resp.headers()),
                crate::cassette::Body::Text(String::from_utf8_lossy(&body).into_owned()),
            );
        }
        let raw: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
            Error::new(ErrorKind::Decode, "ListFoundationModels answer is not JSON")
                .with_source(e)
                .with_request_id(rid.clone())
        })?;
        let model_summaries = match raw.get("modelSummaries") {
            Some(v) => serde_json::from_value(v.clone()).map_err(|e| {
                Error::new(ErrorKind::Decode, "unexpected modelSummaries shape")
                    .with_source(e)
                    .with_request_id(rid.clone())
            })?,
            None => Vec::new(),
        };
        Ok(ListFoundationModelsOutput {
            model_summaries,
            raw,
            request_id: rid,
        })
    }

    /// Sends with retries; returns a 2xx response (body unread) and the path it used.
    async fn send(&self, op: &Operation<'_>) -> Result<(reqwest::Response, String)> {
        let policy = self.inner.retry;
        let mut attempt = 1;
        loop {
            let (outcome, retry_after) = match self.send_once(op).await {
                Ok(resp) if resp.status().is_success() => {
                    return Ok((resp, op.path_and_query.clone()));
                }
                Ok(mut resp) => {
                    let retry_after = header_u64(resp.headers(), "x-amz-retry-after");
                    (self.service_error(op, &mut resp).await, retry_after)
                }
                Err(e) => (e, None),
            };
            if !outcome.is_retryable() || attempt >= policy.max_attempts {
                return Err(outcome);
            }
            tokio::time::sleep(policy.delay(attempt, retry_after)).await;
            attempt += 1;
        }
    }

    /// Signs (with the current time) and sends one attempt.
    async fn send_once(&self, op: &Operation<'_>) -> Result<reqwest::Response> {
        let url_text = format!("{}{}", op.endpoint, op.path_and_query);
        let url = reqwest::Url::parse(&url_text).map_err(|e| {
            Error::new(
                ErrorKind::Build,
                format!("invalid request URL {url_text:?}: {e}"),
            )
        })?;
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            (None, _) => return Err(Error::new(ErrorKind::Build, "endpoint URL has no host")),
        };
        // What goes on the wire after the endpoint's own path prefix, if any.
        let wire_path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        let mut headers: Vec<(&'static str, String)> = Vec::with_capacity(op.headers.len() + 5);
        headers.push(("host", host));
        headers.extend(op.headers.iter().cloned());
        match &self.inner.auth {
            Auth::Bearer(token) => {
                headers.push(("authorization", format!("Bearer {}", token.as_str())))
            }
            Auth::SigV4(creds) => {
                let signable: Vec<(&str, &str)> =
                    headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
                let params = SigningParams {
                    identity: Identity {
                        access_key_id: creds.access_key_id(),
                        secret_access_key: creds.secret_access_key(),
                        session_token: creds.session_token(),
                    },
                    region: &self.inner.region,
                    service: SIGNING_NAME,
                    time: SystemTime::now(),
                    settings: SigningSettings::BEDROCK,
                };
                let req = SignableRequest {
                    method: op.method.as_str(),
                    uri: &wire_path,
                    headers: &signable,
                    payload: Payload::Bytes(&op.body),
                };
                let signed = self.inner.signer.sign(&req, &params).map_err(|e| {
                    Error::new(ErrorKind::Build, format!("cannot sign the request: {e}"))
                })?;
                headers.extend(signed.headers);
            }
        }
        let mut map = HeaderMap::with_capacity(headers.len() + 1);
        for (name, value) in headers {
            let mut v = HeaderValue::from_str(&value).map_err(|_| {
                Error::new(
                    ErrorKind::Build,
                    format!("header {name} has a value that cannot be sent"),
                )
            })?;
            if matches!(name, "authorization" | "x-amz-security-token") {
                v.set_sensitive(true);
            }
            map.insert(HeaderName::from_static(name), v);
        }
        map.insert(
            reqwest::header::USER_AGENT,
            HeaderValue::from_static(USER_AGENT),
        );
        let request = self
            .inner
            .http
            .request(op.method.clone(), url)
            .headers(map)
            .body(op.body.clone());
        let send = request.send();
        let resp = match self.inner.read_timeout {
            Some(t) => tokio::time::timeout(t, send).await.map_err(|_| {
                Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "{}: no response headers within {} ms",
                        op.name,
                        t.as_millis()
                    ),
                )
                // The model may still be generating: another attempt would be paid twice.
                .retryable(false)
            })?,
            None => send.await,
        };
        resp.map_err(|e| transport_error(&format!("{} request failed", op.name), e))
    }

    async fn service_error(&self, op: &Operation<'_>, resp: &mut reqwest::Response) -> Error {
        let status = resp.status().as_u16();
        let rid = request_id(resp.headers());
        let code_header = header_str(resp.headers(), "x-amzn-errortype");
        let body = match read_body(resp, self.inner.read_timeout).await {
            Ok(b) => b,
            Err(e) => return e,
        };
        if let Some(rec) = &self.inner.recorder {
            let (p, q) = op
                .path_and_query
                .split_once('?')
                .map_or((op.path_and_query.as_str(), None), |(p, q)| (p, Some(q)));
            rec.write(
                &format!("{}-error", op.name),
                record::matcher(op.method.as_str(), p, q),
                status,
                record::keep_headers(resp.headers()),
                crate::cassette::Body::Text(String::from_utf8_lossy(&body).into_owned()),
            );
        }
        let text = String::from_utf8_lossy(&body).into_owned();
        let json = ErrorBody::parse(&body);
        let code = error_code(code_header.as_deref(), &json);
        let message = error_message(&json).unwrap_or_else(|| {
            if text.trim().is_empty() {
                format!("HTTP {status} from {}", op.name)
            } else {
                text.clone()
            }
        });
        let retryable = is_retryable_status(status, code.as_deref());
        Error::service(status, code, message, rid, text).retryable(retryable)
    }
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}
