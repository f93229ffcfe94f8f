//! Cassettes: recorded HTTP exchanges that the fake Bedrock replays and record mode writes.
//!
//! A cassette is JSON. Each interaction pairs a request matcher with a response; a streamed
//! response keeps its original network chunk boundaries (and optional delays) so replay
//! reproduces how the bytes arrived. Scripted faults (a dropped connection, a stall) and
//! synthetic stream events sit beside recorded bytes.
//!
//! Matching: the fake serves the first interaction whose matcher fits and that is not used up.
//! An interaction is used once unless `repeat` is true; so `[429, 503, 200]` under the same
//! matcher plays a status sequence.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A set of recorded exchanges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cassette {
    /// Short name.
    pub name: String,
    /// What this cassette shows.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Where the response bytes came from (see `fixtures/README.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The exchanges.
    pub interactions: Vec<Interaction>,
}

impl Cassette {
    /// Parses a cassette from JSON.
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// Serialises to pretty JSON.
    pub fn to_json(&self) -> String {
        // Serialising these plain types cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// One request/response pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interaction {
    /// Which requests this answers.
    pub request: RequestMatcher,
    /// What to answer.
    pub response: RecordedResponse,
    /// Serve this interaction for every matching request instead of once.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub repeat: bool,
}

/// Matches a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestMatcher {
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Path after percent-decoding, e.g. `/model/anthropic.claude-v2/invoke`.
    pub path: String,
    /// Query parameters that must be present with these (decoded) values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, String>,
    /// A substring the request body must contain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_contains: Option<String>,
}

/// A response to replay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers in order (a name may repeat).
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body.
    #[serde(default)]
    pub body: Body,
}

/// A response body.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// UTF-8 text, sent as is.
    Text(String),
    /// Bytes, base64 (standard alphabet).
    Base64(String),
    /// A streamed body, piece by piece.
    Chunks(Vec<Piece>),
}

/// One piece of a streamed body, sent after `delay_ms`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Piece {
    /// Milliseconds to wait before sending this piece.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub delay_ms: u64,
    /// What to send.
    #[serde(flatten)]
    pub kind: PieceKind,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(v: &u64) -> bool {
    *v == 0
}

/// What a piece sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PieceKind {
    /// Raw bytes as recorded (base64): may hold several frames or part of one.
    Base64(String),
    /// One `chunk` event frame whose decoded `bytes` are this text (encoded at replay time).
    Chunk(String),
    /// One exception frame (encoded at replay time).
    Exception {
        /// `:exception-type`, e.g. `throttlingException`.
        exception_type: String,
        /// JSON payload, e.g. `{"message":"…"}`.
        body: String,
    },
    /// Close the connection abruptly here (no terminating chunk).
    Drop,
    /// Stop sending and hold the connection open for this many milliseconds.
    Stall(u64),
}
