#![no_main]
//! The frame decoder on arbitrary bytes, fed in pieces sized by the first byte.

use bedrock_lite::eventstream::Decoder;
use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&piece, rest)) = data.split_first() else { return };
    let mut decoder = Decoder::new();
    let mut buf = BytesMut::new();
    for part in rest.chunks(usize::from(piece).max(1)) {
        buf.extend_from_slice(part);
        loop {
            match decoder.decode(&mut buf) {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) => return,
            }
        }
    }
    let _ = decoder.decode_eof(&mut buf);
});
