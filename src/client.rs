//! The Bedrock client: the only module that does IO. CONTRACT STUB: the API below is agreed;
//! the implementation fills in the bodies and may add items.

use std::time::Duration;

use bytes::Bytes;

use crate::credentials::Credentials;
use crate::error::Result;

/// A snapshot of the environment the client resolves configuration from (env vars and the home
/// directory). Tests pass their own instead of touching the process environment.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    _private: (),
}

impl Environment {
    /// The real process environment.
    pub fn from_process() -> Self {
        todo!()
    }
    /// Only these variables (and `HOME` taken from them, if given).
    pub fn from_vars<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let _ = vars.into_iter();
        todo!()
    }
}

/// Builds a [`Client`]; everything is validated in [`build`](Self::build).
#[derive(Debug, Default)]
#[must_use]
pub struct ClientBuilder {
    _private: (),
}

impl ClientBuilder {
    /// Region (else `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`, `us-east-1`).
    pub fn region(self, region: impl Into<String>) -> Self {
        let _ = region.into();
        self
    }
    /// Explicit credentials (beat the environment and profiles).
    pub fn credentials(self, credentials: Credentials) -> Self {
        let _ = credentials;
        self
    }
    /// A Bedrock API key, sent as `Authorization: Bearer …`.
    pub fn bearer_token(self, token: impl Into<String>) -> Self {
        let _ = token.into();
        self
    }
    /// Profile name (beats `AWS_PROFILE`).
    pub fn profile(self, profile: impl Into<String>) -> Self {
        let _ = profile.into();
        self
    }
    /// Endpoint URL for both hosts (runtime and control plane), e.g. a fake server.
    pub fn endpoint_url(self, url: impl Into<String>) -> Self {
        let _ = url.into();
        self
    }
    /// Environment to resolve from (default: the process environment).
    pub fn environment(self, env: Environment) -> Self {
        let _ = env;
        self
    }
    /// Connect timeout.
    pub fn connect_timeout(self, d: Duration) -> Self {
        let _ = d;
        self
    }
    /// Read timeout: longest wait for the next bytes of a response (streams included).
    pub fn read_timeout(self, d: Duration) -> Self {
        let _ = d;
        self
    }
    /// Total attempts per operation (default 3, or `AWS_MAX_ATTEMPTS`).
    pub fn max_attempts(self, n: u32) -> Self {
        let _ = n;
        self
    }
    /// Base delay of the exponential backoff (default 100 ms, capped at 20 s).
    pub fn retry_base_delay(self, d: Duration) -> Self {
        let _ = d;
        self
    }
    /// Use this `reqwest::Client` (its connection pool is shared).
    pub fn http_client(self, client: reqwest::Client) -> Self {
        let _ = client;
        self
    }
    /// Record every exchange as a cassette into this directory (credentials stripped).
    pub fn record_to(self, dir: impl Into<std::path::PathBuf>) -> Self {
        let _ = dir.into();
        self
    }
    /// Validates and builds.
    pub fn build(self) -> Result<Client> {
        todo!()
    }
}

/// A Bedrock client. Cheap to clone; clones share one connection pool.
#[derive(Debug, Clone)]
pub struct Client {
    _private: (),
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

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }
    /// Resolved region.
    pub fn region(&self) -> &str {
        todo!()
    }
    /// InvokeModel.
    pub async fn invoke_model(&self, req: InvokeRequest) -> Result<InvokeModelOutput> {
        let _ = req;
        todo!()
    }
    /// InvokeModelWithResponseStream.
    pub async fn invoke_model_with_response_stream(
        &self,
        req: InvokeRequest,
    ) -> Result<crate::stream::ResponseStream> {
        let _ = req;
        todo!()
    }
    /// ListFoundationModels (control plane).
    pub async fn list_foundation_models(
        &self,
        req: ListFoundationModelsRequest,
    ) -> Result<ListFoundationModelsOutput> {
        let _ = req;
        todo!()
    }
}
