//! An app that only invokes and streams with bedrock-lite: the size of a real embedder.

use bedrock_lite::{Client, InvokeRequest, StreamEvent};

fn main() {
    let model = std::env::args().nth(1).unwrap_or_else(|| "anthropic.claude-v2".to_owned());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let client = match Client::builder().build() {
            Ok(c) => c,
            Err(e) => return eprintln!("{e}"),
        };
        let body = r#"{"prompt":"\n\nHuman: Hello\n\nAssistant:","max_tokens_to_sample":50}"#;
        match client.invoke_model(InvokeRequest::new(model.clone(), body)).await {
            Ok(out) => println!("{}", String::from_utf8_lossy(&out.body)),
            Err(e) => eprintln!("{e}"),
        }
        match client.invoke_model_with_response_stream(InvokeRequest::new(model, body)).await {
            Ok(mut stream) => loop {
                match stream.next_event().await {
                    Ok(Some(StreamEvent::Chunk(b))) => println!("{}", String::from_utf8_lossy(&b)),
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(e) => break eprintln!("{e}"),
                }
            },
            Err(e) => eprintln!("{e}"),
        }
    });
}
