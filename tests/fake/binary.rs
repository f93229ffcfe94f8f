//! The `fake-bedrock` binary prints its URL first and serves the built-in cassettes.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use bedrock_lite::fake::DEMO_BEARER_TOKEN;

#[tokio::test]
async fn prints_its_url_first_and_stops_when_stdin_closes() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-bedrock"))
        .arg("--stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn fake-bedrock");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim_end();
    assert!(url.starts_with("http://127.0.0.1:"), "{line:?}");

    let resp = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!("{url}/foundation-models?byProvider=anthropic"))
        .bearer_auth(DEMO_BEARER_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    drop(child.stdin.take());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn rejects_bad_arguments() {
    let out = Command::new(env!("CARGO_BIN_EXE_fake-bedrock"))
        .args(["--port", "not-a-port"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--port"));
}

#[test]
fn loads_a_cassette_directory() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/cassettes");
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-bedrock"))
        .args(["--no-builtin", "--cassette-dir", dir, "--stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("http://127.0.0.1:"), "{line:?}");
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());

    let out = Command::new(env!("CARGO_BIN_EXE_fake-bedrock"))
        .args(["--cassette-dir", "/nonexistent-cassette-dir"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}
