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

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

mod canonical_request;

pub(crate) use canonical_request::percent_decode_text;

use canonical_request::{
    canonical_query, canonical_uri, collect_headers, hex_array, write_headers,
};

type HmacSha256 = Hmac<Sha256>;

/// SHA-256 of the empty string, the payload hash of a request without a body.
pub const EMPTY_PAYLOAD_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const ALGORITHM: &str = "AWS4-HMAC-SHA256";

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
    /// Sign `x-amz-security-token` (true for every service but a few legacy STS-style ones; when
    /// false the token is still added, after signing).
    pub sign_session_token: bool,
}

impl SigningSettings {
    /// What Bedrock (and its SDKs) use: double encoding, normalised path, no content-sha header.
    pub const BEDROCK: Self = Self {
        uri_encoding: UriEncoding::Double,
        normalize_path: true,
        content_sha256_header: false,
        sign_session_token: true,
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
}

impl SigningOutput {
    /// Lowercase hex signature (the end of the `authorization` header).
    pub fn signature(&self) -> &str {
        let auth = self.headers.first().map_or("", |(_, v)| v.as_str());
        auth.get(auth.len().saturating_sub(64)..)
            .unwrap_or_default()
    }
}

impl std::fmt::Debug for SigningOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningOutput")
            .field("canonical_request", &self.canonical_request)
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &self.signature())
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

/// Signs one request, deriving the signing key (four HMACs) on the spot.
pub fn sign(
    req: &SignableRequest<'_>,
    params: &SigningParams<'_>,
) -> Result<SigningOutput, SigningError> {
    let amz = DateTime::from_system_time(params.time)?.amz_date_bytes();
    let amz_date = amz_text(&amz);
    let key = derive_signing_key(
        params.identity.secret_access_key,
        day_of(amz_date),
        params.region,
        params.service,
    );
    sign_with_key(req, params, amz_date, &key)
}

/// The `YYYYMMDDTHHMMSSZ` bytes as text (they are ASCII digits, `T` and `Z`).
fn amz_text(amz: &[u8; 16]) -> &str {
    std::str::from_utf8(amz).unwrap_or_default()
}

/// `YYYYMMDD` of an `x-amz-date` value: the date of the credential scope.
fn day_of(amz_date: &str) -> &str {
    amz_date.get(..8).unwrap_or_default()
}

/// kSecret = secret; kDate = HMAC("AWS4" + kSecret, Date); kRegion = HMAC(kDate, Region);
/// kService = HMAC(kRegion, Service); kSigning = HMAC(kService, "aws4_request").
/// Returned as a keyed MAC ready to be cloned for each signature.
fn derive_signing_key(secret: &str, date: &str, region: &str, service: &str) -> HmacSha256 {
    let mut k_secret = Zeroizing::new(Vec::with_capacity(secret.len() + 4));
    k_secret.extend_from_slice(b"AWS4");
    k_secret.extend_from_slice(secret.as_bytes());
    let k_date = hmac(&k_secret, date.as_bytes());
    let k_region = hmac(k_date.as_slice(), region.as_bytes());
    let k_service = hmac(k_region.as_slice(), service.as_bytes());
    let k_signing = hmac(k_service.as_slice(), b"aws4_request");
    keyed(k_signing.as_slice())
}

fn keyed(key: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length; this cannot fail.
    match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable_hmac(),
    }
}

#[cold]
fn unreachable_hmac() -> ! {
    unreachable!("HMAC-SHA256 takes keys of any length")
}

fn hmac(key: &[u8], data: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut mac = keyed(key);
    mac.update(data);
    Zeroizing::new(mac.finalize().into_bytes().into())
}

fn sign_with_key(
    req: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    amz_date: &str,
    key: &HmacSha256,
) -> Result<SigningOutput, SigningError> {
    let settings = params.settings;
    let (path, query) = req.uri.split_once('?').unwrap_or((req.uri, ""));
    if !path.starts_with('/') && !path.is_empty() {
        return Err(SigningError::InvalidUri(req.uri.to_owned()));
    }
    let mut body_hash = [0u8; 64];
    let payload_hash: &str = match req.payload {
        Payload::Bytes([]) => EMPTY_PAYLOAD_SHA256,
        Payload::Bytes(b) => hex_array(&Sha256::digest(b), &mut body_hash),
        Payload::Hash(h) => h,
        Payload::Unsigned => "UNSIGNED-PAYLOAD",
    };

    // Headers the signer owns replace whatever the request carried.
    let token = params.identity.session_token;
    let owned: [Option<(&'static str, &str)>; 3] = [
        Some(("x-amz-date", amz_date)),
        settings
            .content_sha256_header
            .then_some(("x-amz-content-sha256", payload_hash)),
        token
            .filter(|_| settings.sign_session_token)
            .map(|t| ("x-amz-security-token", t)),
    ];
    let mut extra = [("", ""); 3];
    let mut n = 0;
    for (slot, h) in extra.iter_mut().zip(owned.into_iter().flatten()) {
        *slot = h;
        n += 1;
    }
    let headers = collect_headers(req.headers, extra.get(..n).unwrap_or_default())?;

    // Enough for the usual case without growing: each header appears as `name:value\n` and its
    // name again in the signed list; an encoded path grows little.
    let header_bytes: usize = headers
        .iter()
        .map(|h| 2 * h.name.len() + h.value.len() + 2)
        .sum();
    let mut cr = String::with_capacity(req.method.len() + 2 * req.uri.len() + header_bytes + 80);
    cr.push_str(req.method);
    cr.push('\n');
    canonical_uri(
        &mut cr,
        path,
        settings.uri_encoding,
        settings.normalize_path,
    );
    cr.push('\n');
    canonical_query(&mut cr, query);
    cr.push('\n');
    let signed_at = write_headers(&mut cr, &headers);
    let signed_end = cr.len();
    cr.push('\n');
    cr.push_str(payload_hash);
    let signed_headers = cr.get(signed_at..signed_end).unwrap_or_default();

    // StringToSign = Algorithm + \n + RequestDateTime + \n + CredentialScope + \n + HashedCanonicalRequest
    let day = day_of(amz_date);
    let scope_parts = [
        day,
        "/",
        params.region,
        "/",
        params.service,
        "/aws4_request",
    ];
    let mut sts = String::with_capacity(160 + params.region.len() + params.service.len());
    sts.push_str(ALGORITHM);
    sts.push('\n');
    sts.push_str(amz_date);
    sts.push('\n');
    scope_parts.iter().for_each(|p| sts.push_str(p));
    sts.push('\n');
    let mut cr_hash = [0u8; 64];
    sts.push_str(hex_array(&Sha256::digest(cr.as_bytes()), &mut cr_hash));

    let mut mac = key.clone();
    mac.update(sts.as_bytes());
    let mut sig_buf = [0u8; 64];
    let signature = hex_array(&mac.finalize().into_bytes(), &mut sig_buf);

    let key_id = params.identity.access_key_id;
    let mut authorization = String::with_capacity(160 + key_id.len() + signed_headers.len());
    authorization.push_str(ALGORITHM);
    authorization.push_str(" Credential=");
    authorization.push_str(key_id);
    authorization.push('/');
    scope_parts.iter().for_each(|p| authorization.push_str(p));
    authorization.push_str(", SignedHeaders=");
    authorization.push_str(signed_headers);
    authorization.push_str(", Signature=");
    authorization.push_str(signature);
    let payload_hash = settings
        .content_sha256_header
        .then(|| payload_hash.to_owned());
    let mut out_headers: Vec<(&'static str, String)> = Vec::with_capacity(4);
    out_headers.push(("authorization", authorization));
    out_headers.push(("x-amz-date", amz_date.to_owned()));
    if let Some(t) = token {
        out_headers.push(("x-amz-security-token", t.to_owned()));
    }
    if let Some(h) = payload_hash {
        out_headers.push(("x-amz-content-sha256", h));
    }
    Ok(SigningOutput {
        headers: out_headers,
        canonical_request: cr,
        string_to_sign: sts,
    })
}

struct CachedKey {
    secret: Zeroizing<String>,
    date: String,
    region: String,
    service: String,
    key: HmacSha256,
}

/// A signer that caches the derived signing key (it only changes with secret, date, region and
/// service). Cheap to share behind an `Arc`; `Debug` shows no key material.
#[derive(Default)]
pub struct Signer {
    cache: Mutex<Option<CachedKey>>,
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
        let amz = DateTime::from_system_time(params.time)?.amz_date_bytes();
        let amz_date = amz_text(&amz);
        let day = day_of(amz_date);
        let key = {
            let mut cache = self
                .cache
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let entry = match &mut *cache {
                Some(c)
                    if c.date == day
                        && c.region == params.region
                        && c.service == params.service
                        && c.secret.as_str() == params.identity.secret_access_key =>
                {
                    c
                }
                slot => slot.insert(CachedKey {
                    secret: Zeroizing::new(params.identity.secret_access_key.to_owned()),
                    date: day.to_owned(),
                    region: params.region.to_owned(),
                    service: params.service.to_owned(),
                    key: derive_signing_key(
                        params.identity.secret_access_key,
                        day,
                        params.region,
                        params.service,
                    ),
                }),
            };
            entry.key.clone()
        };
        sign_with_key(req, params, amz_date, &key)
    }
}

/// Percent-encodes a path label (e.g. a model id) as the AWS SDKs do: everything outside the
/// unreserved set `A-Z a-z 0-9 - . _ ~` is encoded, so `:` → `%3A` and `/` → `%2F`.
pub fn encode_label(label: &str) -> String {
    let mut out = String::with_capacity(label.len() + 8);
    canonical_request::uri_encode_into(&mut out, label.as_bytes(), false);
    out
}

/// A UTC civil date-time, enough for `x-amz-date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DateTime {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

impl DateTime {
    fn from_system_time(t: SystemTime) -> Result<Self, SigningError> {
        let secs = t
            .duration_since(UNIX_EPOCH)
            .map_err(|_| SigningError::InvalidTime)?
            .as_secs();
        // 253402300799 = 9999-12-31T23:59:59Z
        if secs > 253_402_300_799 {
            return Err(SigningError::InvalidTime);
        }
        let days = secs / 86_400;
        let rem = secs % 86_400;
        let (year, month, day) = civil_from_days(days);
        Ok(Self {
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            minute: (rem % 3600 / 60) as u32,
            second: (rem % 60) as u32,
        })
    }

    /// `YYYYMMDDTHHMMSSZ` as bytes, written without the formatting machinery.
    fn amz_date_bytes(&self) -> [u8; 16] {
        let mut out = *b"00000000T000000Z";
        let mut put = |at: usize, width: usize, mut v: u32| {
            for i in (at..at + width).rev() {
                out[i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
        };
        put(0, 4, self.year);
        put(4, 2, self.month);
        put(6, 2, self.day);
        put(9, 2, self.hour);
        put(11, 2, self.minute);
        put(13, 2, self.second);
        out
    }

    fn amz_date(&self) -> String {
        String::from_utf8_lossy(&self.amz_date_bytes()).into_owned()
    }
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days` algorithm).
fn civil_from_days(days: u64) -> (u32, u32, u32) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y as u32, m as u32, d as u32)
}

/// (year, month, day) to days since 1970-01-01; `None` before 1970.
fn days_from_civil(y: u64, m: u64, d: u64) -> Option<u64> {
    let y = if m <= 2 { y.checked_sub(1)? } else { y };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).checked_sub(719_468)
}

/// Formats a time as `YYYYMMDDTHHMMSSZ` (the `x-amz-date` form); times outside 1970..=9999
/// are clamped to the epoch.
pub fn format_amz_date(time: SystemTime) -> String {
    DateTime::from_system_time(time)
        .unwrap_or(DateTime {
            year: 1970,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
        })
        .amz_date()
}

/// Parses an `x-amz-date` value (`YYYYMMDDTHHMMSSZ`).
pub fn parse_amz_date(value: &str) -> Option<SystemTime> {
    let b = value.as_bytes();
    if b.len() != 16 || b.get(8) != Some(&b'T') || b.get(15) != Some(&b'Z') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u64> {
        let s = value.get(r)?;
        if !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let (y, mo, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (h, mi, s) = (num(9..11)?, num(11..13)?, num(13..15)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mdays = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let max_day = *mdays.get(usize::try_from(mo).ok()?.checked_sub(1)?)?;
    if d == 0 || d > max_day || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let days = days_from_civil(y, mo, d)?;
    let secs = days
        .checked_mul(86_400)?
        .checked_add(h * 3600 + mi * 60 + s)?;
    UNIX_EPOCH.checked_add(Duration::from_secs(secs))
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
    let rest = value.trim().strip_prefix(ALGORITHM)?;
    if !rest.starts_with(' ') {
        return None;
    }
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        let slot = match k {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => return None,
        };
        if slot.replace(v).is_some() {
            return None;
        }
    }
    let mut scope = credential?.split('/');
    let access_key_id = scope.next().filter(|s| !s.is_empty())?.to_owned();
    let date = scope
        .next()
        .filter(|s| s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()))?
        .to_owned();
    let region = scope.next().filter(|s| !s.is_empty())?.to_owned();
    let service = scope.next().filter(|s| !s.is_empty())?.to_owned();
    if scope.next() != Some("aws4_request") || scope.next().is_some() {
        return None;
    }
    let signed_headers: Vec<String> = signed?.split(';').map(str::to_owned).collect();
    if signed_headers
        .iter()
        .any(|h| h.is_empty() || h.bytes().any(|b| b.is_ascii_uppercase()))
    {
        return None;
    }
    let signature = signature?;
    if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(ParsedAuthorization {
        access_key_id,
        date,
        region,
        service,
        signed_headers,
        signature: signature.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    fn params(time: SystemTime) -> SigningParams<'static> {
        SigningParams {
            identity: Identity {
                access_key_id: "AKIDEXAMPLE",
                secret_access_key: SECRET,
                session_token: None,
            },
            region: "us-east-1",
            service: "iam",
            time,
            settings: SigningSettings {
                normalize_path: true,
                ..SigningSettings::BEDROCK
            },
        }
    }

    /// The worked example of the AWS SigV4 documentation (IAM ListUsers).
    #[test]
    fn aws_documentation_example() {
        let time = parse_amz_date("20150830T123600Z").unwrap();
        let headers = [
            ("Host", "iam.amazonaws.com"),
            (
                "Content-Type",
                "application/x-www-form-urlencoded; charset=utf-8",
            ),
        ];
        let req = SignableRequest {
            method: "GET",
            uri: "/?Action=ListUsers&Version=2010-05-08",
            headers: &headers,
            payload: Payload::Bytes(b""),
        };
        let out = sign(&req, &params(time)).unwrap();
        assert_eq!(
            out.canonical_request,
            "GET\n/\nAction=ListUsers&Version=2010-05-08\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            out.signature(),
            "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        );
        let cached = Signer::new();
        for _ in 0..2 {
            assert_eq!(
                cached.sign(&req, &params(time)).unwrap().signature(),
                out.signature()
            );
        }
    }

    #[test]
    fn cache_follows_date_changes() {
        let signer = Signer::new();
        let headers = [("host", "h")];
        let req = SignableRequest {
            method: "GET",
            uri: "/",
            headers: &headers,
            payload: Payload::Bytes(b""),
        };
        let t1 = parse_amz_date("20150830T235959Z").unwrap();
        let t2 = parse_amz_date("20150831T000001Z").unwrap();
        assert_eq!(
            signer.sign(&req, &params(t1)).unwrap().signature(),
            sign(&req, &params(t1)).unwrap().signature()
        );
        assert_eq!(
            signer.sign(&req, &params(t2)).unwrap().signature(),
            sign(&req, &params(t2)).unwrap().signature()
        );
    }

    #[test]
    fn dates_round_trip() {
        for s in [
            "19700101T000000Z",
            "20000229T120000Z",
            "20150830T123600Z",
            "99991231T235959Z",
        ] {
            assert_eq!(format_amz_date(parse_amz_date(s).unwrap()), s);
        }
        for bad in [
            "20150230T000000Z",
            "2015083T123600Z",
            "20150830T246000Z",
            "2015-08-30T12:36:00Z",
            "",
        ] {
            assert_eq!(parse_amz_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn labels_encode_like_the_sdks() {
        assert_eq!(
            encode_label(
                "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/jf2sje1c0jnb"
            ),
            "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fjf2sje1c0jnb"
        );
        assert_eq!(
            encode_label("anthropic.claude-v2:1"),
            "anthropic.claude-v2%3A1"
        );
        assert_eq!(encode_label("a b@ü"), "a%20b%40%C3%BC");
    }

    #[test]
    fn parses_authorization() {
        let p = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        )
        .unwrap();
        assert_eq!(p.access_key_id, "AKID");
        assert_eq!(p.service, "bedrock");
        assert_eq!(p.signed_headers, ["host", "x-amz-date"]);
        assert!(parse_authorization("Bearer abc").is_none());
        assert!(parse_authorization("AWS4-HMAC-SHA256 Credential=A/2015/x/y/aws4_request, SignedHeaders=host, Signature=00").is_none());
    }

    #[test]
    fn debug_hides_secrets() {
        let id = Identity {
            access_key_id: "AKID",
            secret_access_key: SECRET,
            session_token: Some("TOKENVALUE"),
        };
        let s = format!("{id:?} {:?}", Signer::new());
        assert!(!s.contains(SECRET) && !s.contains("TOKENVALUE"), "{s}");
    }
}
