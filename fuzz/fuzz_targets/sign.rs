#![no_main]
//! The signer and the Authorization/x-amz-date parsers on arbitrary text.

use std::time::{Duration, SystemTime};

use bedrock_lite::sigv4::{self, Identity, Payload, SignableRequest, SigningParams, SigningSettings};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(4, '\n');
    let (method, uri, name, value) =
        (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let headers = [("host", "example.com"), (name, value)];
    let req = SignableRequest { method, uri, headers: &headers, payload: Payload::Bytes(data) };
    let params = SigningParams {
        identity: Identity { access_key_id: "AKID", secret_access_key: "secret", session_token: None },
        region: "us-east-1",
        service: "bedrock",
        time: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        settings: SigningSettings::BEDROCK,
    };
    let _ = sigv4::sign(&req, &params);
    let _ = sigv4::parse_authorization(&text);
    let _ = sigv4::parse_amz_date(&text);
});
