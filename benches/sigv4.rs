//! Signing a realistic Bedrock InvokeModel request: ours (warm key cache and cold) against
//! `aws-sigv4`, same inputs, in one criterion group. `benches/compare.sh` prints the ratios.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials as AwsCredentials;
use aws_sigv4::http_request::{
    PercentEncodingMode, SessionTokenMode, SignableBody, SignableRequest as AwsRequest,
    SigningSettings as AwsSettings, UriPathNormalizationMode, sign as aws_sign,
};
use aws_sigv4::sign::v4;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

use bedrock_lite::sigv4::{
    self, Identity, Payload, SignableRequest, Signer, SigningParams, SigningSettings,
};

const AKID: &str = "ASIAEXAMPLEEXAMPLE01";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEHYaCXVzLWVhc3QtMSJHMEUCIQDexampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexampleexample==";
const URI: &str = "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke";
const HOST: &str = "bedrock-runtime.us-east-1.amazonaws.com";

fn body() -> Vec<u8> {
    let mut text = String::from("Summarise the following notes for a status update. ");
    while text.len() < 800 {
        text.push_str(
            "The Mars habitat pressure test passed; the greenhouse yield rose again this sol. ",
        );
    }
    serde_json::json!({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 1024,
        "system": "You are a concise assistant.",
        "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}],
    })
    .to_string()
    .into_bytes()
}

fn headers() -> [(&'static str, &'static str); 4] {
    [
        ("host", HOST),
        ("content-type", "application/json"),
        ("accept", "application/json"),
        ("user-agent", "bedrock-lite/0.1.0"),
    ]
}

fn ours<'a>(time: SystemTime) -> SigningParams<'a> {
    SigningParams {
        identity: Identity {
            access_key_id: AKID,
            secret_access_key: SECRET,
            session_token: Some(TOKEN),
        },
        region: "us-east-1",
        service: "bedrock",
        time,
        settings: SigningSettings::BEDROCK,
    }
}

fn aws_settings() -> AwsSettings {
    let mut s = AwsSettings::default();
    s.percent_encoding_mode = PercentEncodingMode::Double;
    s.uri_path_normalization_mode = UriPathNormalizationMode::Enabled;
    s.session_token_mode = SessionTokenMode::Include;
    s
}

fn bench(c: &mut Criterion) {
    let body = body();
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_764_000_000);
    let headers = headers();
    let identity = AwsCredentials::new(AKID, SECRET, Some(TOKEN.to_owned()), None, "bench").into();
    let aws_params: aws_sigv4::http_request::SigningParams<'_> = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("bedrock")
        .time(time)
        .settings(aws_settings())
        .build()
        .unwrap()
        .into();
    let url = format!("https://{HOST}{URI}");

    // Both produce the same Authorization header.
    let req = SignableRequest {
        method: "POST",
        uri: URI,
        headers: &headers,
        payload: Payload::Bytes(&body),
    };
    let mine = sigv4::sign(&req, &ours(time)).unwrap();
    let theirs = aws_sign(
        AwsRequest::new(
            "POST",
            url.as_str(),
            headers.iter().copied(),
            SignableBody::Bytes(&body),
        )
        .unwrap(),
        &aws_params,
    )
    .unwrap()
    .into_parts()
    .0;
    let their_auth = theirs
        .headers()
        .find(|(n, _)| *n == "authorization")
        .unwrap()
        .1
        .to_owned();
    assert_eq!(mine.headers[0].1, their_auth);

    let mut g = c.benchmark_group("sigv4_sign_bedrock_invoke");
    g.measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    let signer = Signer::new();
    g.bench_function("bedrock-lite warm (Signer)", |b| {
        b.iter(|| {
            let req = SignableRequest {
                method: "POST",
                uri: URI,
                headers: &headers,
                payload: Payload::Bytes(black_box(&body)),
            };
            signer.sign(&req, &ours(time)).unwrap()
        })
    });
    g.bench_function("bedrock-lite cold (sign)", |b| {
        b.iter(|| {
            let req = SignableRequest {
                method: "POST",
                uri: URI,
                headers: &headers,
                payload: Payload::Bytes(black_box(&body)),
            };
            sigv4::sign(&req, &ours(time)).unwrap()
        })
    });
    g.bench_function("aws-sigv4", |b| {
        b.iter(|| {
            let req = AwsRequest::new(
                "POST",
                url.as_str(),
                headers.iter().copied(),
                SignableBody::Bytes(black_box(&body)),
            )
            .unwrap();
            aws_sign(req, &aws_params).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
