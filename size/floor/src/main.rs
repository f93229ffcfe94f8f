//! The floor: what any Bedrock client built on reqwest + tokio + serde_json costs before any
//! Bedrock code. It POSTs JSON and reads the answer piece by piece, so those paths are linked.

fn main() {
    let url = std::env::args().nth(1).unwrap_or_else(|| "https://127.0.0.1:1/".to_owned());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async {
        let body = serde_json::json!({"prompt": "hi", "max_tokens_to_sample": 10}).to_string();
        let client = reqwest::Client::new();
        match client.post(&url).header("content-type", "application/json").body(body).send().await {
            Ok(mut resp) => {
                let mut n = 0;
                while let Ok(Some(piece)) = resp.chunk().await {
                    n += piece.len();
                }
                let v: serde_json::Value = serde_json::from_slice(b"{}").unwrap_or_default();
                println!("{n} bytes {v}");
            }
            Err(e) => eprintln!("{e}"),
        }
    });
}
