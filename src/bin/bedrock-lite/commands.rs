//! The commands.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use bedrock_lite::{
    Appended, Client, Environment, Error, ErrorKind, InvokeRequest, ListFoundationModelsRequest,
    StreamEvent,
};

use crate::args::{Command, Global, Invoke};
use crate::query::Query;

/// Why a command failed, already worded for stderr.
pub(crate) struct Failure {
    pub(crate) message: String,
    /// The service or the stream reported it (exit 254).
    pub(crate) service: bool,
    /// Standard output went away (exit 0, like other Unix tools).
    pub(crate) broken_pipe: bool,
}

impl Failure {
    fn local(message: impl Into<String>) -> Self {
        Self {
            message: format!("bedrock-lite: error: {}", message.into()),
            service: false,
            broken_pipe: false,
        }
    }

    fn io(what: &str, e: &io::Error) -> Self {
        let mut f = Self::local(format!("{what}: {e}"));
        f.broken_pipe = e.kind() == io::ErrorKind::BrokenPipe;
        f
    }

    /// An error of `operation`, in the AWS CLI's words when the service named it.
    fn api(operation: &str, e: &Error) -> Self {
        match (e.kind(), e.code()) {
            (ErrorKind::Service | ErrorKind::Stream, Some(code)) => Self {
                message: format!(
                    "An error occurred ({code}) when calling the {operation} operation: {}",
                    e.message()
                ),
                service: true,
                broken_pipe: false,
            },
            (ErrorKind::Service | ErrorKind::Stream, None) => Self {
                message: format!(
                    "An error occurred when calling the {operation} operation: {}",
                    e.message()
                ),
                service: true,
                broken_pipe: false,
            },
            (kind, _) => Self::local(format!("{operation}: {kind:?} error: {e}")),
        }
    }
}

type Outcome = Result<(), Failure>;

fn client(global: &Global, env: Environment) -> Result<Client, Failure> {
    let mut b = Client::builder().environment(env.clone());
    if let Some(r) = &global.region {
        b = b.region(r);
    }
    if let Some(u) = &global.endpoint_url {
        b = b.endpoint_url(u);
    }
    if let Some(p) = &global.profile {
        b = b.profile(p);
    }
    let record = global
        .record_dir
        .clone()
        .or_else(|| env.get("BEDROCK_LITE_RECORD_DIR").map(PathBuf::from));
    if let Some(dir) = record {
        b = b.record_to(dir);
    }
    b.build().map_err(|e| Failure::local(e.to_string()))
}

/// `file://` and `fileb://` bodies are read as bytes and sent unchanged; anything else is the
/// literal text.
fn load_body(body: &str) -> Result<Vec<u8>, Failure> {
    let path = body
        .strip_prefix("fileb://")
        .or_else(|| body.strip_prefix("file://"));
    match path {
        Some(p) => {
            std::fs::read(p).map_err(|e| Failure::local(format!("cannot read body file {p}: {e}")))
        }
        None => Ok(body.as_bytes().to_vec()),
    }
}

fn is_stdout(outfile: &str) -> bool {
    outfile == "-" || outfile == "/dev/stdout"
}

fn print_json(value: &serde_json::Value) -> Outcome {
    let text = to_pretty(value);
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("cannot write to stdout", &e))
}

/// JSON with 4-space indentation, as the AWS CLI prints it.
fn to_pretty(value: &serde_json::Value) -> String {
    use serde::Serialize as _;
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    let _ = value.serialize(&mut ser);
    String::from_utf8(buf).unwrap_or_default()
}

fn content_type_json(ct: &str) -> serde_json::Value {
    serde_json::json!({ "contentType": ct })
}

pub(crate) async fn run(global: Global, command: Command) -> Outcome {
    match command {
        Command::InvokeModel(inv) => invoke_model(&global, inv).await,
        Command::InvokeStream(inv) => invoke_stream(&global, inv).await,
        Command::ListModels {
            by_provider,
            by_output_modality,
            by_inference_type,
            by_customization_type,
            query,
            output,
        } => {
            let query = match query.as_deref().map(Query::parse) {
                Some(Ok(q)) => Some(q),
                Some(Err(e)) => return Err(Failure::local(format!("invalid --query: {e}"))),
                None => None,
            };
            let client = client(&global, Environment::from_process())?;
            let req = ListFoundationModelsRequest {
                by_provider,
                by_output_modality,
                by_inference_type,
                by_customization_type,
            };
            let out = client
                .list_foundation_models(req)
                .await
                .map_err(|e| Failure::api("ListFoundationModels", &e))?;
            let value = match &query {
                Some(q) => q
                    .search(&out.raw)
                    .map_err(|e| Failure::local(format!("--query: {e}")))?,
                None => out.raw,
            };
            if output == "text" {
                let mut text = String::new();
                to_text(&value, &mut text);
                let mut o = io::stdout().lock();
                o.write_all(text.as_bytes())
                    .and_then(|()| o.flush())
                    .map_err(|e| Failure::io("cannot write to stdout", &e))
            } else {
                print_json(&value)
            }
        }
        Command::Chat {
            model_id,
            max_tokens,
            prompt,
        } => {
            let client = client(&global, Environment::from_process())?;
            chat(&client, &model_id, max_tokens, &prompt, &mut io::stdout())
                .await
                .map(|_| ())
        }
        Command::Demo => crate_demo().await,
        Command::Help | Command::Version => Ok(()),
    }
}

/// AWS CLI `--output text`: scalars as they are, a list of scalars on one tab-separated line,
/// lists of lists or objects one row per line.
fn to_text(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    fn scalar(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Null => "None".to_owned(),
            other => other.to_string(),
        }
    }
    match v {
        Value::Array(items) if items.iter().all(|i| !i.is_array() && !i.is_object()) => {
            out.push_str(&items.iter().map(scalar).collect::<Vec<_>>().join("\t"));
            out.push('\n');
        }
        Value::Array(items) => items.iter().for_each(|i| to_text(i, out)),
        Value::Object(map) => {
            let scalars: Vec<String> = map
                .values()
                .filter(|v| !v.is_array() && !v.is_object())
                .map(scalar)
                .collect();
            if !scalars.is_empty() {
                out.push_str(&scalars.join("\t"));
                out.push('\n');
            }
            map.values()
                .filter(|v| v.is_array() || v.is_object())
                .for_each(|i| to_text(i, out));
        }
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn request(inv: &Invoke) -> Result<InvokeRequest, Failure> {
    let mut req = InvokeRequest::new(inv.model_id.clone(), load_body(&inv.body)?);
    req.content_type.clone_from(&inv.content_type);
    req.accept.clone_from(&inv.accept);
    Ok(req)
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so
/// the file is either whole or untouched.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

async fn invoke_model(global: &Global, inv: Invoke) -> Outcome {
    let client = client(global, Environment::from_process())?;
    let out = client
        .invoke_model(request(&inv)?)
        .await
        .map_err(|e| Failure::api("InvokeModel", &e))?;
    if is_stdout(&inv.outfile) {
        let mut o = io::stdout().lock();
        o.write_all(&out.body)
            .and_then(|()| o.write_all(b"\n"))
            .map_err(|e| Failure::io("cannot write to stdout", &e))?;
    } else {
        write_atomically(Path::new(&inv.outfile), &out.body)
            .map_err(|e| Failure::local(format!("cannot write {}: {e}", inv.outfile)))?;
    }
    print_json(&content_type_json(&out.content_type))
}

async fn invoke_stream(global: &Global, inv: Invoke) -> Outcome {
    let client = client(global, Environment::from_process())?;
    let req = request(&inv)?;
    let mut sink: Box<dyn Write> = if is_stdout(&inv.outfile) {
        Box::new(io::stdout())
    } else {
        Box::new(
            std::fs::File::create(&inv.outfile)
                .map_err(|e| Failure::local(format!("cannot create {}: {e}", inv.outfile)))?,
        )
    };
    // Chunks are decoded straight into this buffer, each followed by a newline, and written
    // out whenever what the network delivered is used up (or the buffer is large).
    let mut out: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut stream = client
        .invoke_model_with_response_stream(req)
        .await
        .map_err(|e| Failure::api("InvokeModelWithResponseStream", &e))?;
    let write_err = |e: io::Error| Failure::io(&format!("cannot write {}", inv.outfile), &e);
    let emit = |sink: &mut Box<dyn Write>, out: &mut Vec<u8>| {
        let r = sink.write_all(out).and_then(|()| sink.flush());
        out.clear();
        r.map_err(write_err)
    };
    let result = loop {
        // Drain what the network already delivered, write it out, then wait for more.
        let mut failed = None;
        loop {
            match stream.next_buffered_into(&mut out) {
                Ok(Some(Appended::Chunk(_))) => {
                    out.push(b'\n');
                    if out.len() >= 64 * 1024 {
                        emit(&mut sink, &mut out)?;
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        emit(&mut sink, &mut out)?;
        if let Some(e) = failed {
            break Err(e);
        }
        match stream.next_event().await {
            Ok(Some(StreamEvent::Chunk(bytes))) => {
                out.extend_from_slice(&bytes);
                out.push(b'\n');
            }
            Ok(Some(_)) => {}
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    // Every exit from the loop comes right after a write: nothing is left in `out`.
    drop(sink);
    result.map_err(|e| Failure::api("InvokeModelWithResponseStream", &e))?;
    print_json(&content_type_json(stream.content_type()))
}

/// Whether a model takes the legacy text-completions body.
fn is_text_completion_model(model_id: &str) -> bool {
    let base = model_id.rsplit('/').next().unwrap_or(model_id);
    base.starts_with("anthropic.claude-v2") || base.starts_with("anthropic.claude-instant")
}

/// The request body for a one-turn prompt: text completions for Claude 2 / Instant, the
/// Messages API (`anthropic_version: bedrock-2023-05-31`) for everything newer.
pub(crate) fn chat_body(model_id: &str, max_tokens: u32, prompt: &str) -> String {
    if is_text_completion_model(model_id) {
        serde_json::json!({
            "prompt": format!("\n\nHuman: {prompt}\n\nAssistant:"),
            "max_tokens_to_sample": max_tokens,
        })
        .to_string()
    } else {
        serde_json::json!({
            "anthropic_version": "bedrock-2023-05-31",
            "max_tokens": max_tokens,
            "messages": [{"role": "user", "content": [{"type": "text", "text": prompt}]}],
        })
        .to_string()
    }
}

/// The text a chunk adds: `completion` (text completions) or a `content_block_delta`'s text
/// (Messages). An in-band `{"type":"error"}` chunk is an error.
fn chunk_text(bytes: &[u8]) -> Result<Option<String>, Failure> {
    let v: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| Failure::local(format!("chunk is not JSON: {e}")))?;
    if let Some(t) = v.get("completion").and_then(|c| c.as_str()) {
        return Ok(Some(t.to_owned()));
    }
    match v.get("type").and_then(|t| t.as_str()) {
        Some("content_block_delta") => Ok(v["delta"]["text"].as_str().map(str::to_owned)),
        Some("error") => {
            let kind = v["error"]["type"].as_str().unwrap_or("error");
            let msg = v["error"]["message"].as_str().unwrap_or_default();
            Err(Failure {
                message: format!("An error occurred ({kind}) in the model stream: {msg}"),
                service: true,
                broken_pipe: false,
            })
        }
        _ => Ok(None),
    }
}

/// Streams a prompt's answer to `out`, flushing as text arrives; returns the text.
async fn chat(
    client: &Client,
    model_id: &str,
    max_tokens: u32,
    prompt: &str,
    out: &mut dyn Write,
) -> Result<String, Failure> {
    let req = InvokeRequest::new(model_id, chat_body(model_id, max_tokens, prompt));
    let mut stream = client
        .invoke_model_with_response_stream(req)
        .await
        .map_err(|e| Failure::api("InvokeModelWithResponseStream", &e))?;
    let mut all = String::new();
    while let Some(ev) = stream
        .next_event()
        .await
        .map_err(|e| Failure::api("InvokeModelWithResponseStream", &e))?
    {
        if let StreamEvent::Chunk(bytes) = ev
            && let Some(text) = chunk_text(&bytes)?
        {
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| Failure::io("cannot write", &e))?;
            all.push_str(&text);
        }
    }
    out.write_all(b"\n")
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("cannot write", &e))?;
    Ok(all)
}

/// The README's main job: the seed guide's walk-through against the built-in fake Bedrock.
async fn crate_demo() -> Outcome {
    use bedrock_lite::fake::FakeBedrock;
    let fake = FakeBedrock::builder()
        .builtin_cassettes()
        .start()
        .map_err(|e| Failure::local(format!("cannot start the local fake Bedrock: {e}")))?;
    let client = fake
        .client_builder()
        .build()
        .map_err(|e| Failure::local(e.to_string()))?;
    let mut out = io::stdout();
    let say = |out: &mut io::Stdout, s: &str| -> Outcome {
        out.write_all(s.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| Failure::io("cannot write to stdout", &e))
    };
    say(
        &mut out,
        &format!(
            "bedrock-lite demo: a local fake Bedrock is answering on {} (no AWS account, no network).\n\
             Requests are SigV4-signed and checked by the fake; answers are replayed from cassettes.\n\n",
            fake.endpoint_url()
        ),
    )?;

    say(
        &mut out,
        "1. Anthropic foundation models (ListFoundationModels, byProvider=anthropic)\n",
    )?;
    let models = client
        .list_foundation_models(ListFoundationModelsRequest {
            by_provider: Some("anthropic".into()),
            ..Default::default()
        })
        .await
        .map_err(|e| Failure::api("ListFoundationModels", &e))?;
    for m in &models.model_summaries {
        say(
            &mut out,
            &format!("   {:<48} {}\n", m.model_id, m.model_name),
        )?;
    }

    let prompt = "Tell me a funny joke about outer space!";
    say(
        &mut out,
        &format!("\n2. InvokeModel anthropic.claude-v2: {prompt:?}\n"),
    )?;
    let body = chat_body("anthropic.claude-v2", 300, prompt);
    let answer = client
        .invoke_model(InvokeRequest::new("anthropic.claude-v2", body))
        .await
        .map_err(|e| Failure::api("InvokeModel", &e))?;
    let v: serde_json::Value = serde_json::from_slice(&answer.body).unwrap_or_default();
    let text = v["completion"].as_str().map_or_else(
        || String::from_utf8_lossy(&answer.body).into_owned(),
        str::to_owned,
    );
    say(&mut out, &format!("  {}\n", text.trim()))?;
    if let (Some(i), Some(o)) = (answer.input_token_count, answer.output_token_count) {
        say(
            &mut out,
            &format!("   ({i} input tokens, {o} output tokens)\n"),
        )?;
    }

    let prompt = "Write an essay about living on Mars in 1000 words.";
    say(
        &mut out,
        &format!("\n3. InvokeModelWithResponseStream anthropic.claude-v2: {prompt:?}\n\n"),
    )?;
    let req = InvokeRequest::new(
        "anthropic.claude-v2",
        chat_body("anthropic.claude-v2", 1000, prompt),
    );
    let mut stream = client
        .invoke_model_with_response_stream(req)
        .await
        .map_err(|e| Failure::api("InvokeModelWithResponseStream", &e))?;
    let mut chunks = 0;
    while let Some(ev) = stream
        .next_event()
        .await
        .map_err(|e| Failure::api("InvokeModelWithResponseStream", &e))?
    {
        if let StreamEvent::Chunk(bytes) = ev {
            chunks += 1;
            if let Some(text) = chunk_text(&bytes)? {
                say(&mut out, &text)?;
            }
        }
    }
    say(&mut out, &format!("\n\n   ({chunks} chunks"))?;
    if let Some(m) = stream.invocation_metrics() {
        say(
            &mut out,
            &format!(
                "; {} input tokens, {} output tokens, first byte after {} ms, {} ms in all",
                m.input_token_count,
                m.output_token_count,
                m.first_byte_latency,
                m.invocation_latency
            ),
        )?;
    }
    say(&mut out, ")\n")?;
    say(
        &mut out,
        "\nAgainst real Bedrock: drop the fake, set AWS credentials, and run for example\n  bedrock-lite bedrock-runtime invoke-model --model-id anthropic.claude-v2 --body '{...}' /dev/stdout\n",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_per_family() {
        let v: serde_json::Value =
            serde_json::from_str(&chat_body("anthropic.claude-v2", 5, "hi")).unwrap();
        assert_eq!(v["prompt"], "\n\nHuman: hi\n\nAssistant:");
        assert_eq!(v["max_tokens_to_sample"], 5);
        for id in [
            "anthropic.claude-3-5-sonnet-20240620-v1:0",
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "arn:aws:bedrock:us-east-1:1:application-inference-profile/x",
        ] {
            let v: serde_json::Value = serde_json::from_str(&chat_body(id, 7, "hi")).unwrap();
            assert_eq!(v["anthropic_version"], "bedrock-2023-05-31", "{id}");
            assert_eq!(v["messages"][0]["content"][0]["text"], "hi");
            assert!(v.get("model").is_none() && v.get("stream").is_none());
        }
        assert!(is_text_completion_model("anthropic.claude-instant-v1"));
        assert!(is_text_completion_model("anthropic.claude-v2:1"));
    }

    #[test]
    fn chunk_texts() {
        assert_eq!(
            chunk_text(br#"{"completion":" Hi","stop_reason":null}"#)
                .ok()
                .flatten()
                .as_deref(),
            Some(" Hi")
        );
        assert_eq!(
            chunk_text(br#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Yo"}}"#).ok().flatten().as_deref(),
            Some("Yo")
        );
        assert!(
            chunk_text(br#"{"type":"message_stop"}"#)
                .ok()
                .flatten()
                .is_none()
        );
        assert!(
            chunk_text(br#"{"type":"error","error":{"type":"overloaded_error","message":"busy"}}"#)
                .is_err()
        );
    }

    #[test]
    fn text_output() {
        let mut s = String::new();
        to_text(&serde_json::json!(["a", "b"]), &mut s);
        assert_eq!(s, "a\tb\n");
        let mut s = String::new();
        to_text(
            &serde_json::json!([{"id": "x", "n": 1}, {"id": "y", "n": 2}]),
            &mut s,
        );
        assert_eq!(s, "x\t1\ny\t2\n");
    }
}
