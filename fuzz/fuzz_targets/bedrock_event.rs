#![no_main]
//! The Bedrock stream layer on every message the decoder accepts.

use bedrock_lite::eventstream::{Decoder, bedrock};
use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut decoder = Decoder::new();
    let mut buf = BytesMut::from(data);
    while let Ok(Some(msg)) = decoder.decode(&mut buf) {
        let _ = bedrock::parse_event(&msg);
    }
});
