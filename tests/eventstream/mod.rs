//! Tests: the event-stream codec against smithy's vectors, recorded Bedrock bytes and the
//! `aws-smithy-eventstream` crate.

mod differential;
mod recorded;
mod vectors;

use bytes::BytesMut;

use bedrock_lite::eventstream::{DecodeError, Decoder, Message};

pub(crate) fn fixture(rel: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/eventstream")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Decodes everything, feeding `data` in pieces of `piece` bytes.
pub(crate) fn decode_in_pieces(data: &[u8], piece: usize) -> Result<Vec<Message>, DecodeError> {
    let mut decoder = Decoder::new();
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for part in data.chunks(piece.max(1)) {
        buf.extend_from_slice(part);
        while let Some(m) = decoder.decode(&mut buf)? {
            out.push(m);
        }
    }
    if let Some(m) = decoder.decode_eof(&mut buf)? {
        out.push(m);
    }
    Ok(out)
}
