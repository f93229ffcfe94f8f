//! AWS Signature Version 4 request signing.
//!
//! In scope: header-based signing of one HTTP request (canonical request, string to sign,
//! signing key, `Authorization` header), the URI rules Bedrock needs (double encoding,
//! dot-segment normalisation), a signing-key cache, and the model-id label encoder.
//!
//! Out of scope: presigned URLs, chunked (streaming) payload signing, SigV4a. This module does
//! no IO: it never reads the clock, the environment or the network; time and credentials are
//! passed in.
//!
//! CONTRACT STUB: the signatures below are the agreed API; bodies are filled in by the
//! implementation.

use std::time::SystemTime;

/// How the path of the URI is encoded into the canonical URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UriEncoding {
    /// Encode the (already encoded) wire path once more: what every AWS service but S3 uses.
    #[default]
    Double,
    /// Use the wire path as it is (S3 style).
    Single,
}

/// Knobs of the signing algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigningSettings {
    /// Canonical URI encoding mode.
    pub uri_encoding: UriEncoding,
    /// Remove `.`/`..` segments and merge repeated `/` before encoding.
    pub normalize_path: bool,
    /// Add (and sign) an `x-amz-content-sha256` header.
    pub content_sha256_header: bool,
}

impl SigningSettings {
    /// What Bedrock (and its SDKs) use: double encoding, normalised path, no content-sha header.
    pub const BEDROCK: Self = Self {
        uri_encoding: UriEncoding::Double,
        normalize_path: true,
        content_sha256_header: false,
    };
}

impl Default for SigningSettings {
    fn default() -> Self {
        Self::BEDROCK
    }
}

/// The identity a request is signed with. `Debug` never shows the secret or the token.
#[derive(Clone, Copy)]
pub struct Identity<'a> {
    /// Access key id (`AKIA…`/`ASIA…`).
    pub access_key_id: &'a str,
    /// Secret access key.
    pub secret_access_key: &'a str,
    /// Session token of temporary credentials; sent and signed as `x-amz-security-token`.
    pub session_token: Option<&'a str>,
}

impl std::fmt::Debug for Identity<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.map(|_| "** redacted **"),
            )
            .finish()
    }
}

/// Everything besides the request that goes into a signature.
#[derive(Debug, Clone, Copy)]
pub struct SigningParams<'a> {
    /// Credentials.
    pub identity: Identity<'a>,
    /// Region, e.g. `us-east-1`.
    pub region: &'a str,
    /// Signing name of the service: `bedrock` for both Bedrock hosts.
    pub service: &'a str,
    /// Signing time (becomes `x-amz-date`).
    pub time: SystemTime,
    /// Algorithm settings.
    pub settings: SigningSettings,
}

/// The payload, or its hash.
#[derive(Debug, Clone, Copy)]
pub enum Payload<'a> {
    /// The exact body bytes; the signer hashes them.
    Bytes(&'a [u8]),
    /// A precomputed lowercase hex SHA-256 of the body.
    Hash(&'a str),
    /// `UNSIGNED-PAYLOAD`.
    Unsigned,
}

/// A request to sign, as it goes on the wire.
#[derive(Debug, Clone, Copy)]
pub struct SignableRequest<'a> {
    /// HTTP method, e.g. `POST`.
    pub method: &'a str,
    /// Path and query exactly as sent, e.g. `/model/anthropic.claude-v2/invoke`.
    pub uri: &'a str,
    /// Request headers (must include `host`). Headers the signer sets itself
    /// (`x-amz-date`, `x-amz-security-token`, `x-amz-content-sha256` when enabled) are replaced
    /// by the signer's values; `authorization` and the other never-signed headers are skipped.
    pub headers: &'a [(&'a str, &'a str)],
    /// Body or its hash.
    pub payload: Payload<'a>,
}

/// The result of signing.
#[derive(Clone)]
pub struct SigningOutput {
    /// Headers to add to the request: `authorization`, `x-amz-date`, and
    /// `x-amz-security-token` / `x-amz-content-sha256` when they apply.
    pub headers: Vec<(&'static str, String)>,
    /// The canonical request (for tests and debugging).
    pub canonical_request: String,
    /// The string to sign (for tests and debugging).
    pub string_to_sign: String,
    /// Lowercase hex signature.
    pub signature: String,
}

impl std::fmt::Debug for SigningOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningOutput")
            .field("canonical_request", &self.canonical_request)
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &self.signature)
            .finish_non_exhaustive()
    }
}

/// Why a request could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SigningError {
    /// The URI is not an origin-form path (`/…`).
    #[error("invalid request uri: {0}")]
    InvalidUri(String),
    /// A header name or value cannot be signed.
    #[error("invalid header {0}")]
    InvalidHeader(String),
    /// The signing time is before 1970 or after 9999.
    #[error("signing time out of range")]
    InvalidTime,
}

/// Signs one request (derives the signing key; no cache).
pub fn sign(
    req: &SignableRequest<'_>,
    params: &SigningParams<'_>,
) -> Result<SigningOutput, SigningError> {
    let _ = (req, params);
    todo!("sigv4::sign")
}

/// A signer that caches the derived signing key (it only changes with secret, date, region and
/// service). Cheap to share behind an `Arc`; `Debug` shows no key material.
#[derive(Default)]
pub struct Signer {
    _private: (),
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").finish_non_exhaustive()
    }
}

impl Signer {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Signs like [`sign`], reusing the cached signing key when it still applies.
    pub fn sign(
        &self,
        req: &SignableRequest<'_>,
        params: &SigningParams<'_>,
    ) -> Result<SigningOutput, SigningError> {
        sign(req, params)
    }
}

/// Percent-encodes a path label (e.g. a model id) as the AWS SDKs do: everything outside the
/// unreserved set `A-Z a-z 0-9 - . _ ~` is encoded, so `:` → `%3A` and `/` → `%2F`.
pub fn encode_label(label: &str) -> String {
    let _ = label;
    todo!("encode_label")
}

/// Formats a time as `YYYYMMDDTHHMMSSZ` (the `x-amz-date` form).
pub fn format_amz_date(time: SystemTime) -> String {
    let _ = time;
    todo!("format_amz_date")
}

/// Parses an `x-amz-date` value (`YYYYMMDDTHHMMSSZ`).
pub fn parse_amz_date(value: &str) -> Option<SystemTime> {
    let _ = value;
    todo!("parse_amz_date")
}

/// The parts of an `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`
/// header (used by the fake server to verify requests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuthorization {
    /// Access key id from the credential scope.
    pub access_key_id: String,
    /// `YYYYMMDD` from the credential scope.
    pub date: String,
    /// Region from the credential scope.
    pub region: String,
    /// Service from the credential scope.
    pub service: String,
    /// Lower-case signed header names, in order.
    pub signed_headers: Vec<String>,
    /// Hex signature.
    pub signature: String,
}

/// Parses a SigV4 `Authorization` header value; `None` if it is not one.
pub fn parse_authorization(value: &str) -> Option<ParsedAuthorization> {
    let _ = value;
    todo!("parse_authorization")
}
