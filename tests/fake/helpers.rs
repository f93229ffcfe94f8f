//! Signing with the independent `aws-sigv4` crate and small request helpers.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use bedrock_lite::fake::{DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY, FakeBedrock};

/// How a test request is signed.
#[derive(Debug, Clone)]
pub(super) struct Signing<'a> {
    pub(super) access_key_id: &'a str,
    pub(super) secret: &'a str,
    pub(super) session_token: Option<&'a str>,
    pub(super) region: &'a str,
    pub(super) service: &'a str,
    pub(super) time: SystemTime,
}

impl Default for Signing<'_> {
    fn default() -> Self {
        Self {
            access_key_id: DEMO_ACCESS_KEY_ID,
            secret: DEMO_SECRET_ACCESS_KEY,
            session_token: None,
            region: "us-east-1",
            service: "bedrock",
            // 2024-06-11T00:34:41Z: replayed cassettes are old, so the fake must not check the
            // clock strictly.
            time: SystemTime::UNIX_EPOCH + Duration::from_secs(1_718_066_081),
        }
    }
}

/// Headers (name, value) to send: the signed ones plus `authorization` and `x-amz-date`.
pub(super) fn sigv4_headers(
    fake: &FakeBedrock,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    signing: &Signing<'_>,
) -> Vec<(String, String)> {
    let host = fake.addr().to_string();
    let base = [
        ("host", host.as_str()),
        ("content-type", "application/json"),
    ];
    let identity = Credentials::new(
        signing.access_key_id,
        signing.secret,
        signing.session_token.map(str::to_owned),
        None,
        "fake-tests",
    )
    .into();
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Double;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Enabled;
    settings.payload_checksum_kind = PayloadChecksumKind::NoHeader;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(signing.region)
        .name(signing.service)
        .time(signing.time)
        .settings(settings)
        .build()
        .expect("signing params")
        .into();
    let signable = SignableRequest::new(
        method,
        path_and_query,
        base.iter().copied(),
        SignableBody::Bytes(body),
    )
    .expect("signable request");
    let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
    let mut headers: Vec<(String, String)> = base
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    headers.extend(
        instructions
            .headers()
            .map(|(n, v)| (n.to_owned(), v.to_owned())),
    );
    headers
}

/// A request to the fake with exactly these headers.
pub(super) fn request(
    fake: &FakeBedrock,
    method: &str,
    path_and_query: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> reqwest::RequestBuilder {
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("reqwest client");
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut req = client
        .request(method, format!("{}{path_and_query}", fake.endpoint_url()))
        .body(body.to_vec());
    for (n, v) in headers {
        req = req.header(n.as_str(), v.as_str());
    }
    req
}

/// A SigV4-signed request (demo credentials unless `signing` says otherwise).
pub(super) fn signed(
    fake: &FakeBedrock,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    signing: &Signing<'_>,
) -> reqwest::RequestBuilder {
    let headers = sigv4_headers(fake, method, path_and_query, body, signing);
    request(fake, method, path_and_query, &headers, body)
}

/// A request with `Authorization: Bearer <token>`.
pub(super) fn bearer(
    fake: &FakeBedrock,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    token: &str,
) -> reqwest::RequestBuilder {
    let headers = [
        ("authorization".to_owned(), format!("Bearer {token}")),
        ("content-type".to_owned(), "application/json".to_owned()),
    ];
    request(fake, method, path_and_query, &headers, body)
}

/// The fake with the built-in cassettes.
pub(super) fn builtin() -> FakeBedrock {
    FakeBedrock::builder()
        .builtin_cassettes()
        .start()
        .expect("fake starts")
}

/// Status, `x-amzn-ErrorType` code (text before the first `:`) and JSON body of a response.
pub(super) async fn error_parts(resp: reqwest::Response) -> (u16, String, serde_json::Value) {
    let status = resp.status().as_u16();
    let code = resp
        .headers()
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(':').next())
        .unwrap_or_default()
        .to_owned();
    let body = resp.bytes().await.expect("body");
    let json = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("error body is not JSON ({e}): {body:?}"));
    (status, code, json)
}

/// All body pieces as the client read them.
pub(super) async fn chunks(
    mut resp: reqwest::Response,
) -> Result<Vec<bytes::Bytes>, reqwest::Error> {
    let mut out = Vec::new();
    while let Some(c) = resp.chunk().await? {
        out.push(c);
    }
    Ok(out)
}

/// Decodes a whole event-stream body with the crate's codec.
pub(super) fn decode_all(
    body: &[u8],
) -> Result<Vec<bedrock_lite::eventstream::Message>, bedrock_lite::eventstream::DecodeError> {
    let mut buf = bytes::BytesMut::from(body);
    let mut decoder = bedrock_lite::eventstream::Decoder::new();
    let mut out = Vec::new();
    while let Some(m) = decoder.decode(&mut buf)? {
        out.push(m);
    }
    if let Some(m) = decoder.decode_eof(&mut buf)? {
        out.push(m);
    }
    Ok(out)
}

/// The body parsed as JSON.
pub(super) async fn json_body(resp: reqwest::Response) -> serde_json::Value {
    let body = resp.bytes().await.expect("body");
    serde_json::from_slice(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body:?}"))
}
