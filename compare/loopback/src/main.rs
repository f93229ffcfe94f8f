//! A fast loopback Bedrock for the end-to-end comparison: no signature check, pre-encoded
//! answers, large writes. `POST …/invoke` gets a small completion; `POST
//! …/invoke-with-response-stream` gets 100,000 `chunk` frames (about 25.7 MB). Prints its URL.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

use bedrock_lite::eventstream::{bedrock, encode};
use bytes::BytesMut;

const FRAMES: usize = 100_000;

fn stream_body() -> Vec<u8> {
    let mut buf = BytesMut::with_capacity(FRAMES * 260);
    for i in 0..FRAMES {
        let words = ["Mars", " has", " two", " small", " moons,", " Phobos", " and", " Deimos."];
        let text = words[i % words.len()];
        let event = format!(
            r#"{{"type":"content_block_delta","index":0,"delta":{{"type":"text_delta","text":"{text}"}},"seq":{i:06}}}"#
        );
        encode(&bedrock::chunk_message(event.as_bytes()), &mut buf).expect("frame");
    }
    buf.to_vec()
}

fn serve(mut conn: TcpStream, stream: &[u8], invoke: &[u8]) -> std::io::Result<()> {
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut length = 0usize;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" {
            break;
        }
        if let Some((n, v)) = h.split_once(':')
            && n.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let (ctype, payload) = if path.ends_with("/invoke-with-response-stream") {
        ("application/vnd.amazon.eventstream", stream)
    } else {
        ("application/json", invoke)
    };
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: {ctype}\r\nx-amzn-bedrock-content-type: application/json\r\n\
         x-amzn-requestid: 00000000-0000-0000-0000-000000000000\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        payload.len()
    );
    conn.write_all(head.as_bytes())?;
    for piece in payload.chunks(64 * 1024) {
        conn.write_all(piece)?;
    }
    conn.flush()
}

fn main() {
    let stream = stream_body();
    let invoke = br#"{"completion":" Why did the astronaut break up with his girlfriend? He needed space.","stop_reason":"stop_sequence","stop":"\n\nHuman:"}"#.to_vec();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    println!("http://{}", listener.local_addr().expect("addr"));
    eprintln!("stream body: {} bytes, {FRAMES} frames", stream.len());
    let _ = std::io::stdout().flush();
    let (stream, invoke) = (&*Box::leak(stream.into_boxed_slice()), &*Box::leak(invoke.into_boxed_slice()));
    for conn in listener.incoming().flatten() {
        std::thread::spawn(move || {
            let _ = serve(conn, stream, invoke);
        });
    }
}
