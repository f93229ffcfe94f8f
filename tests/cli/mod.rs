//! The `bedrock-lite` binary, spawned against the in-process fake: every clause of the CLI
//! contract.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use bedrock_lite::fake::{DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY, FakeBedrock};

use crate::support::{ENVOY_STREAM, SONNET_45, fake, fixture, independent_chunks, temp_dir};

const JOKE: &str = r#"{"prompt":"\n\nHuman: Tell me a funny joke about outer space!\n\nAssistant:","max_tokens_to_sample":300}"#;

/// The binary with a clean AWS environment: demo keys, a region, and a home with no files.
fn cli(fake: &FakeBedrock) -> Command {
    let home = temp_dir("cli-home");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_bedrock-lite"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("AWS_ACCESS_KEY_ID", DEMO_ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", DEMO_SECRET_ACCESS_KEY)
        .env("AWS_REGION", "us-east-1")
        .arg("--endpoint-url")
        .arg(fake.endpoint_url())
        .stdin(Stdio::null());
    cmd
}

fn run(mut cmd: Command, args: &[&str]) -> Output {
    cmd.args(args).output().expect("the binary runs")
}

/// `bedrock-lite OPERATION --model-id MODEL --body BODY OUTFILE` against `fake`.
fn invoke(fake: &FakeBedrock, operation: &str, model: &str, body: &str, outfile: &str) -> Output {
    run(
        cli(fake),
        &[operation, "--model-id", model, "--body", body, outfile],
    )
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn stdout_json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON value ({e}): {}", text(&out.stdout)))
}

#[test]
fn invoke_model_writes_the_body_and_prints_only_the_content_type() {
    let fake = fake();
    let dir = temp_dir("cli-invoke");
    let outfile = dir.join("out.json");
    let out = invoke(
        &fake,
        "invoke-model",
        "anthropic.claude-v2",
        JOKE,
        outfile.to_str().unwrap(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        stdout_json(&out),
        serde_json::json!({"contentType": "application/json"})
    );
    let written = std::fs::read(&outfile).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&written).unwrap();
    assert!(v["completion"].is_string());
    assert_eq!(fake.requests()[0].body, JOKE.as_bytes());
    // Nothing else is left in the directory (no temporary file).
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
}

#[test]
fn aws_cli_lines_run_with_the_service_word() {
    let fake = fake();
    for outfile in ["/dev/stdout", "-"] {
        let out = run(
            cli(&fake),
            &[
                "bedrock-runtime",
                "invoke-model",
                "--model-id",
                "anthropic.claude-v2",
                "--cli-binary-format",
                "raw-in-base64-out",
                &format!("--body={JOKE}"),
                outfile,
            ],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(
            stdout.starts_with('{') && stdout.contains("\"completion\""),
            "{stdout}"
        );
        assert!(
            stdout
                .trim_end()
                .ends_with("\"contentType\": \"application/json\"\n}"),
            "{stdout}"
        );
    }
    let out = run(
        cli(&fake),
        &[
            "bedrock",
            "list-foundation-models",
            "--by-provider",
            "anthropic",
            "--query",
            "modelSummaries[*].modelId",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let ids = stdout_json(&out);
    assert!(
        ids.as_array()
            .unwrap()
            .iter()
            .any(|v| v == "anthropic.claude-v2"),
        "{ids}"
    );
    assert!(
        text(&out.stdout).contains("\n    \""),
        "4-space indentation like the AWS CLI"
    );
    assert!(
        fake.requests()
            .last()
            .unwrap()
            .uri
            .ends_with("?byProvider=anthropic")
    );
}

#[test]
fn bodies_are_sent_byte_for_byte() {
    let fake = fake();
    let dir = temp_dir("cli-body");
    let text_body =
        "{\"prompt\":\"\\n\\nHuman: hi\\n\\nAssistant:\",\r\n \"max_tokens_to_sample\": 5}\r\n\n";
    std::fs::write(dir.join("body.json"), text_body).unwrap();
    let bin: Vec<u8> = vec![0xff, 0x00, b'{', 0xfe, b'\r', b'\n'];
    std::fs::write(dir.join("body.bin"), &bin).unwrap();
    let out_path = dir.join("o");
    let o = out_path.to_str().unwrap();
    let file_arg = format!("file://{}", dir.join("body.json").display());
    let fileb_arg = format!("fileb://{}", dir.join("body.bin").display());
    for (body, expected) in [
        (file_arg.as_str(), text_body.as_bytes()),
        (fileb_arg.as_str(), &bin[..]),
        ("plain ünïcode\n", "plain ünïcode\n".as_bytes()),
    ] {
        let out = invoke(&fake, "invoke-model", "anthropic.claude-v2", body, o);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(fake.requests().last().unwrap().body, expected, "{body}");
    }
    let out = run(
        cli(&fake),
        &[
            "invoke-model",
            "--model-id",
            "anthropic.claude-v2",
            "--content-type",
            "application/octet-stream",
            "--accept",
            "application/json",
            "--body",
            "x",
            o,
        ],
    );
    assert!(out.status.success());
    let r = fake.requests().last().unwrap().clone();
    assert_eq!(
        (r.header("content-type"), r.header("accept")),
        (Some("application/octet-stream"), Some("application/json"))
    );
}

#[test]
fn stream_writes_each_chunk_and_a_newline() {
    let fake = fake();
    let dir = temp_dir("cli-stream");
    let outfile = dir.join("stream.jsonl");
    let out = invoke(
        &fake,
        "invoke-model-with-response-stream",
        SONNET_45,
        "{}",
        outfile.to_str().unwrap(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        stdout_json(&out),
        serde_json::json!({"contentType": "application/json"})
    );
    let mut expected = Vec::new();
    for chunk in independent_chunks(&fixture(ENVOY_STREAM)) {
        expected.extend_from_slice(&chunk);
        expected.push(b'\n');
    }
    assert_eq!(std::fs::read(&outfile).unwrap(), expected);
    assert_eq!(
        fake.requests()[0].header("x-amzn-bedrock-accept"),
        Some("application/json")
    );
}

#[test]
fn stream_exception_exits_non_zero_and_keeps_the_lines() {
    let fake = fake();
    let dir = temp_dir("cli-exc");
    let outfile = dir.join("partial.jsonl");
    let out = invoke(
        &fake,
        "invoke-model-with-response-stream",
        "test.stream-exception",
        "{}",
        outfile.to_str().unwrap(),
    );
    assert_eq!(out.status.code(), Some(254));
    let err = text(&out.stderr);
    assert!(err.contains("ModelStreamErrorException"), "{err}");
    assert!(out.stdout.is_empty(), "no contentType on failure");
    let written = std::fs::read_to_string(&outfile).unwrap();
    assert_eq!(written.lines().count(), 3, "{written}");
    assert!(written.ends_with('\n'));
    assert_eq!(fake.requests().len(), 1);

    let out = invoke(
        &fake,
        "invoke-model-with-response-stream",
        "test.stream-throttle",
        "{}",
        "-",
    );
    assert_eq!(out.status.code(), Some(254));
    assert!(text(&out.stderr).contains("ThrottlingException"));
    assert_eq!(text(&out.stdout).lines().count(), 2);
}

#[test]
fn service_errors_name_their_type_and_make_only_allowed_requests() {
    let fake = fake();
    let dir = temp_dir("cli-err");
    let outfile = dir.join("never.json");
    let out = invoke(
        &fake,
        "invoke-model",
        "does-not-exist",
        "{}",
        outfile.to_str().unwrap(),
    );
    assert_eq!(out.status.code(), Some(254));
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "An error occurred (ValidationException) when calling the InvokeModel operation"
        ),
        "{err}"
    );
    assert!(err.contains("The provided model identifier is invalid."));
    assert!(out.stdout.is_empty());
    assert!(!outfile.exists(), "no output file on failure");
    assert_eq!(fake.requests().len(), 1);

    let fake = crate::support::fake();
    let start = Instant::now();
    let out = invoke(&fake, "invoke-model", "test.unavailable", "{}", "-");
    assert_eq!(out.status.code(), Some(254));
    assert!(text(&out.stderr).contains("ServiceUnavailableException"));
    assert_eq!(fake.requests().len(), 3, "3 attempts in all");
    assert!(start.elapsed() < Duration::from_secs(30));

    let fake = crate::support::fake();
    let out = invoke(&fake, "invoke-model", "test.throttle-then-ok", "{}", "-");
    assert!(out.status.success());
    assert_eq!(fake.requests().len(), 3);
}

#[test]
fn list_models_query_and_text_output() {
    let fake = fake();
    let out = run(
        cli(&fake),
        &["list-foundation-models", "--by-provider", "anthropic"],
    );
    assert!(out.status.success());
    assert!(
        stdout_json(&out)["modelSummaries"]
            .as_array()
            .unwrap()
            .len()
            >= 6
    );
    let out = run(
        cli(&fake),
        &[
            "list-foundation-models",
            "--by-provider",
            "anthropic",
            "--query",
            "modelSummaries[?starts_with(modelId, 'anthropic.claude-3')].modelId",
            "--output",
            "text",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let line = text(&out.stdout);
    assert_eq!(line.lines().count(), 1);
    assert!(
        line.trim_end()
            .split('\t')
            .all(|id| id.starts_with("anthropic.claude-3")),
        "{line}"
    );
    let out = run(
        cli(&fake),
        &["list-foundation-models", "--query", "modelSummaries[?"],
    );
    assert_eq!(out.status.code(), Some(255));
    assert!(text(&out.stderr).contains("--query"));
}

#[test]
fn chat_streams_both_model_families() {
    let fake = fake();
    let out = run(
        cli(&fake),
        &[
            "chat",
            "--model-id",
            "anthropic.claude-v2",
            "Write about Mars",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Mars"));
    let body: serde_json::Value = serde_json::from_slice(&fake.requests()[0].body).unwrap();
    assert_eq!(body["prompt"], "\n\nHuman: Write about Mars\n\nAssistant:");
    let out = run(
        cli(&fake),
        &[
            "chat",
            "--model-id",
            SONNET_45,
            "--max-tokens",
            "20",
            "Hello",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("How are you"),
        "{}",
        text(&out.stdout)
    );
    let body: serde_json::Value = serde_json::from_slice(&fake.requests()[1].body).unwrap();
    assert_eq!(body["anthropic_version"], "bedrock-2023-05-31");
    assert_eq!(body["max_tokens"], 20);
}

#[test]
fn demo_runs_without_aws() {
    let out = Command::new(env!("CARGO_BIN_EXE_bedrock-lite"))
        .env_clear()
        .env("HOME", temp_dir("demo-home"))
        .arg("demo")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    for needle in [
        "anthropic.claude-v2",
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "InvokeModel",
        "Mars",
        "output tokens",
    ] {
        assert!(s.contains(needle), "{needle} missing from:\n{s}");
    }
}

#[test]
fn record_mode_writes_cassettes_without_secrets() {
    let dir = temp_dir("cli-rec");
    let fake = FakeBedrock::builder()
        .builtin_cassettes()
        .session_credentials(
            DEMO_ACCESS_KEY_ID,
            DEMO_SECRET_ACCESS_KEY,
            "SESSIONTOKENVALUE",
        )
        .start()
        .unwrap();
    let mut cmd = cli(&fake);
    cmd.env("AWS_SESSION_TOKEN", "SESSIONTOKENVALUE");
    let out = run(
        cmd,
        &[
            "--record-cassettes",
            dir.to_str().unwrap(),
            "invoke-model-with-response-stream",
            "--model-id",
            SONNET_45,
            "--body",
            "{}",
            "-",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let saved = std::fs::read_to_string(&files[0]).unwrap();
    for secret in [
        DEMO_SECRET_ACCESS_KEY,
        "SESSIONTOKENVALUE",
        "AWS4-HMAC-SHA256",
    ] {
        assert!(!saved.contains(secret), "{secret} in {saved}");
    }
    assert!(saved.contains("invoke-with-response-stream"));
}

#[test]
fn stream_output_is_flushed_as_chunks_arrive() {
    let fake = fake();
    let dir = temp_dir("cli-flush");
    let outfile = dir.join("live.jsonl");
    let mut child = cli(&fake)
        .args([
            "invoke-model-with-response-stream",
            "--model-id",
            "test.stream-stall",
            "--body",
            "{}",
            outfile.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The fake sends one chunk, then holds the connection for 3 s.
    let deadline = Instant::now() + Duration::from_millis(2500);
    let mut seen = false;
    while Instant::now() < deadline {
        if std::fs::read_to_string(&outfile)
            .is_ok_and(|s| s.lines().count() == 1 && s.ends_with('\n'))
        {
            seen = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        seen,
        "the first chunk was not on disk while the stream stalled"
    );
    assert!(
        child.try_wait().unwrap().is_none(),
        "the process is still waiting for the rest"
    );
    assert!(child.wait().unwrap().success());
    assert!(std::fs::read_to_string(&outfile).unwrap().lines().count() > 1);
}

#[test]
fn usage_errors_exit_252() {
    let fake = fake();
    for args in [
        &["invoke-model", "--body", "x", "out"][..],
        &["nonsense"],
        &["list-foundation-models", "--output", "yaml"],
        &[],
    ] {
        let out = run(cli(&fake), args);
        assert_eq!(out.status.code(), Some(252), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
    assert!(fake.requests().is_empty());
    let out = run(cli(&fake), &["--help"]);
    assert!(
        out.status.success() && text(&out.stdout).contains("invoke-model-with-response-stream")
    );
}

#[test]
fn missing_credentials_are_reported() {
    let fake = fake();
    let mut cmd = cli(&fake);
    cmd.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY");
    let out = run(
        cmd,
        &[
            "invoke-model",
            "--model-id",
            "anthropic.claude-v2",
            "--body",
            "{}",
            "-",
        ],
    );
    assert_eq!(out.status.code(), Some(255));
    assert!(text(&out.stderr).contains("no credentials found"));
    assert!(fake.requests().is_empty());
}

#[test]
fn broken_pipe_is_not_an_error() {
    let fake = fake();
    let mut child = cli(&fake)
        .args([
            "invoke-model-with-response-stream",
            "--model-id",
            "anthropic.claude-v2",
            "--body",
            "Mars",
            "-",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert!(status.success(), "exit {status:?}");
}
