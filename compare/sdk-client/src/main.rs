//! What a Rust user would write with the AWS SDK: the same two commands as bedrock-lite's
//! `invoke-model` and `invoke-model-with-response-stream`, for the end-to-end comparison.
//!
//! `sdk-client --endpoint-url URL invoke-model --model-id ID --body BODY OUTFILE`
//! `sdk-client --endpoint-url URL invoke-model-with-response-stream --model-id ID --body BODY OUTFILE`

use std::io::Write;

use aws_sdk_bedrockruntime::primitives::Blob;
use aws_sdk_bedrockruntime::types::ResponseStream;

fn arg(args: &[String], name: &str) -> String {
    let i = args.iter().position(|a| a == name).unwrap_or_else(|| panic!("{name} is required"));
    args[i + 1].clone()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let endpoint = arg(&args, "--endpoint-url");
    let model = arg(&args, "--model-id");
    let body = arg(&args, "--body");
    let outfile = args.last().expect("OUTFILE").clone();
    let config = aws_config::from_env()
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .load()
        .await;
    let client = aws_sdk_bedrockruntime::Client::new(&config);
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::fs::File::create(&outfile).expect("OUTFILE"));
    if args.iter().any(|a| a == "invoke-model-with-response-stream") {
        let mut resp = client
            .invoke_model_with_response_stream()
            .model_id(model)
            .content_type("application/json")
            .body(Blob::new(body))
            .send()
            .await
            .expect("stream request");
        while let Some(event) = resp.body.recv().await.expect("stream event") {
            if let ResponseStream::Chunk(part) = event {
                out.write_all(part.bytes().map(|b| b.as_ref()).unwrap_or_default()).unwrap();
                out.write_all(b"\n").unwrap();
            }
        }
        println!("{{\"contentType\": \"{}\"}}", resp.content_type);
    } else {
        let resp = client
            .invoke_model()
            .model_id(model)
            .content_type("application/json")
            .body(Blob::new(body))
            .send()
            .await
            .expect("invoke");
        out.write_all(resp.body.as_ref()).unwrap();
        println!("{{\"contentType\": \"{}\"}}", resp.content_type);
    }
    out.flush().unwrap();
}
