//! Every request is authenticated: SigV4 (checked against signatures made by the independent
//! `aws-sigv4` crate) or a bearer token, with the real 403 shapes on failure.

use std::time::{Duration, SystemTime};

use bedrock_lite::fake::{DEMO_BEARER_TOKEN, FakeBedrock};

use super::helpers::{
    Signing, bearer, builtin, error_parts, json_body, request, signed, sigv4_headers,
};

const BODY: &[u8] = br#"{"messages":[{"role":"user","content":"hi"}],"anthropic_version":"bedrock-2023-05-31","max_tokens":50}"#;
const ARN_INVOKE: &str = "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fjf2sje1c0jnb/invoke";
const SIGNATURE_MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/// Sends the ARN invoke signed with `signing`.
async fn invoke_signed(fake: &FakeBedrock, signing: &Signing<'_>) -> reqwest::Response {
    signed(fake, "POST", ARN_INVOKE, BODY, signing)
        .send()
        .await
        .expect("the fake answers")
}

async fn assert_rejected(resp: reqwest::Response, code: &str, message: &str) {
    let headers = resp.headers().clone();
    let (status, got_code, json) = error_parts(resp).await;
    assert_eq!((status, got_code.as_str()), (403, code), "{json}");
    assert_eq!(json["message"], message, "{json}");
    let error_type = headers["x-amzn-errortype"].to_str().unwrap();
    assert_eq!(
        error_type,
        format!("{code}:http://internal.amazon.com/coral/com.amazon.coral.service/")
    );
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["x-amzn-requestid"].len(), 36, "{headers:?}");
}

#[tokio::test]
async fn sigv4_from_aws_sigv4_is_accepted_on_an_encoded_arn_path() {
    let fake = builtin();
    let resp = signed(&fake, "POST", ARN_INVOKE, BODY, &Signing::default())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let json = json_body(resp).await;
    assert_eq!(json["type"], "message", "{json}");
}

#[tokio::test]
async fn literal_colon_in_the_model_id_is_accepted_too() {
    // Anthropic's SDKs keep ':' literal; the canonical URI then encodes it once (%3A).
    let fake = builtin();
    let path = "/model/anthropic.claude-3-5-sonnet-20240620-v1:0/invoke";
    let resp = signed(&fake, "POST", path, BODY, &Signing::default())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn control_plane_get_with_query_is_signed_and_served() {
    let fake = builtin();
    let path = "/foundation-models?byProvider=anthropic&byOutputModality=TEXT";
    let resp = signed(&fake, "GET", path, b"", &Signing::default())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let json = json_body(resp).await;
    let ids: Vec<&str> = json["modelSummaries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["modelId"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"anthropic.claude-v2"), "{ids:?}");
    assert!(ids.iter().all(|id| id.starts_with("anthropic.")), "{ids:?}");
}

#[tokio::test]
async fn configured_credentials_and_session_tokens() {
    let fake = FakeBedrock::builder()
        .builtin_cassettes()
        .credentials("AKIAOTHER", "other-secret")
        .session_credentials("ASIATEMP", "temp-secret", "the-session-token")
        .start()
        .unwrap();
    let other = Signing {
        access_key_id: "AKIAOTHER",
        secret: "other-secret",
        ..Signing::default()
    };
    let resp = invoke_signed(&fake, &other).await;
    assert_eq!(resp.status(), 200);

    let temp = Signing {
        access_key_id: "ASIATEMP",
        secret: "temp-secret",
        session_token: Some("the-session-token"),
        ..Signing::default()
    };
    let resp = invoke_signed(&fake, &temp).await;
    assert_eq!(resp.status(), 200);
    let sent = fake.requests().pop().unwrap();
    assert_eq!(
        sent.header("x-amz-security-token"),
        Some("the-session-token")
    );

    let wrong_token = Signing {
        session_token: Some("stolen"),
        ..temp.clone()
    };
    let resp = invoke_signed(&fake, &wrong_token).await;
    assert_rejected(
        resp,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )
    .await;
}

#[tokio::test]
async fn wrong_secret_is_an_invalid_signature() {
    let fake = builtin();
    let signing = Signing {
        secret: "not-the-secret",
        ..Signing::default()
    };
    let resp = invoke_signed(&fake, &signing).await;
    assert_rejected(resp, "InvalidSignatureException", SIGNATURE_MISMATCH).await;
}

#[tokio::test]
async fn unknown_access_key_is_unrecognized() {
    let fake = builtin();
    let signing = Signing {
        access_key_id: "AKIAUNKNOWN",
        ..Signing::default()
    };
    let resp = invoke_signed(&fake, &signing).await;
    assert_rejected(
        resp,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )
    .await;
}

#[tokio::test]
async fn missing_authorization_is_refused() {
    let fake = builtin();
    let headers = [("content-type".to_owned(), "application/json".to_owned())];
    let resp = request(&fake, "POST", ARN_INVOKE, &headers, BODY)
        .send()
        .await
        .unwrap();
    assert_rejected(
        resp,
        "MissingAuthenticationTokenException",
        "Missing Authentication Token",
    )
    .await;
}

#[tokio::test]
async fn bearer_tokens() {
    let fake = FakeBedrock::builder()
        .builtin_cassettes()
        .bearer_token("my-api-key")
        .start()
        .unwrap();
    for token in [DEMO_BEARER_TOKEN, "my-api-key"] {
        let resp = bearer(&fake, "POST", ARN_INVOKE, BODY, token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "token {token}");
    }
    let resp = bearer(&fake, "POST", ARN_INVOKE, BODY, "bedrock-api-key-wrong")
        .send()
        .await
        .unwrap();
    let (status, _, json) = error_parts(resp).await;
    assert_eq!(status, 403);
    assert_eq!(
        json["Message"],
        "Authentication failed: Please make sure your API Key is valid."
    );
}

#[tokio::test]
async fn tampering_after_signing_is_detected() {
    let fake = builtin();
    let headers = sigv4_headers(&fake, "POST", ARN_INVOKE, BODY, &Signing::default());

    // Same signature, different body.
    let resp = request(
        &fake,
        "POST",
        ARN_INVOKE,
        &headers,
        br#"{"max_tokens":9999}"#,
    )
    .send()
    .await
    .unwrap();
    assert_rejected(resp, "InvalidSignatureException", SIGNATURE_MISMATCH).await;

    // Same signature, different path (the model id).
    let other = "/model/anthropic.claude-3-sonnet-20240229-v1%3A0/invoke";
    let resp = request(&fake, "POST", other, &headers, BODY)
        .send()
        .await
        .unwrap();
    assert_rejected(resp, "InvalidSignatureException", SIGNATURE_MISMATCH).await;

    // Same signature, a signed header changed.
    let mut changed = headers.clone();
    for (n, v) in &mut changed {
        if n == "content-type" {
            *v = "text/plain".to_owned();
        }
    }
    let resp = request(&fake, "POST", ARN_INVOKE, &changed, BODY)
        .send()
        .await
        .unwrap();
    assert_rejected(resp, "InvalidSignatureException", SIGNATURE_MISMATCH).await;

    // An unsigned header may be added freely: only SignedHeaders count.
    let mut extra = headers.clone();
    extra.push(("x-amzn-trace-id".to_owned(), "Root=1-abc".to_owned()));
    let resp = request(&fake, "POST", ARN_INVOKE, &extra, BODY)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn scope_service_date_and_region_are_checked() {
    let fake = FakeBedrock::builder()
        .builtin_cassettes()
        .region("us-east-1")
        .start()
        .unwrap();

    let wrong_service = Signing {
        service: "bedrock-runtime",
        ..Signing::default()
    };
    let resp = invoke_signed(&fake, &wrong_service).await;
    let (status, code, json) = error_parts(resp).await;
    assert_eq!((status, code.as_str()), (403, "InvalidSignatureException"));
    assert!(
        json["message"].as_str().unwrap().contains("'bedrock'"),
        "{json}"
    );

    let wrong_region = Signing {
        region: "eu-west-1",
        ..Signing::default()
    };
    let resp = invoke_signed(&fake, &wrong_region).await;
    let (status, code, _) = error_parts(resp).await;
    assert_eq!((status, code.as_str()), (403, "InvalidSignatureException"));

    // x-amz-date from another day than the credential scope.
    let mut headers = sigv4_headers(&fake, "POST", ARN_INVOKE, BODY, &Signing::default());
    for (n, v) in &mut headers {
        if n == "x-amz-date" {
            *v = "20240612T003441Z".to_owned();
        }
    }
    let resp = request(&fake, "POST", ARN_INVOKE, &headers, BODY)
        .send()
        .await
        .unwrap();
    let (status, code, json) = error_parts(resp).await;
    assert_eq!((status, code.as_str()), (403, "InvalidSignatureException"));
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .contains("Credential scope"),
        "{json}"
    );

    // A malformed x-amz-date.
    for (n, v) in &mut headers {
        if n == "x-amz-date" {
            *v = "2024-06-11 00:34:41".to_owned();
        }
    }
    let resp = request(&fake, "POST", ARN_INVOKE, &headers, BODY)
        .send()
        .await
        .unwrap();
    let (status, code, _) = error_parts(resp).await;
    assert_eq!(
        (status, code.as_str()),
        (403, "IncompleteSignatureException")
    );
}

#[tokio::test]
async fn old_and_current_signing_times_are_both_accepted() {
    let fake = builtin();
    for time in [
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000),
        SystemTime::now(),
    ] {
        let signing = Signing {
            time,
            ..Signing::default()
        };
        let resp = invoke_signed(&fake, &signing).await;
        assert_eq!(resp.status(), 200);
    }
}

#[tokio::test]
async fn require_auth_false_serves_anonymous_requests() {
    let fake = FakeBedrock::builder()
        .builtin_cassettes()
        .require_auth(false)
        .start()
        .unwrap();
    let resp = request(&fake, "POST", ARN_INVOKE, &[], BODY)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}
