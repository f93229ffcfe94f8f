//! An in-process fake Bedrock (feature `fake-server`). CONTRACT STUB.
//!
//! Binds `127.0.0.1:0` on its own thread and runtime, verifies each request's SigV4 signature
//! (or bearer token) and answers from cassettes.

use std::net::SocketAddr;

use crate::cassette::Cassette;

/// Access key id the fake accepts by default (the AWS documentation example key).
pub const DEMO_ACCESS_KEY_ID: &str = "AKIDEXAMPLE";
/// Secret of [`DEMO_ACCESS_KEY_ID`].
pub const DEMO_SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// Bearer token the fake accepts by default.
pub const DEMO_BEARER_TOKEN: &str = "bedrock-api-key-demo";

/// A request the fake received (for tests that count calls).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReceivedRequest {
    /// Method.
    pub method: String,
    /// Path and query as received.
    pub uri: String,
    /// Headers (lower-case names).
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: bytes::Bytes,
}

/// Configures a [`FakeBedrock`].
#[derive(Debug, Default)]
#[must_use]
pub struct FakeBedrockBuilder {
    _private: (),
}

impl FakeBedrockBuilder {
    /// Adds a cassette.
    pub fn cassette(self, cassette: Cassette) -> Self {
        let _ = cassette;
        self
    }
    /// Adds the cassettes built into the crate (the demo and fixture scenarios).
    pub fn builtin_cassettes(self) -> Self {
        self
    }
    /// Accepts this key pair (besides the demo pair).
    pub fn credentials(self, access_key_id: &str, secret_access_key: &str) -> Self {
        let _ = (access_key_id, secret_access_key);
        self
    }
    /// Accepts this bearer token (besides the demo token).
    pub fn bearer_token(self, token: &str) -> Self {
        let _ = token;
        self
    }
    /// Starts the server on `127.0.0.1:0`.
    pub fn start(self) -> std::io::Result<FakeBedrock> {
        todo!()
    }
}

/// A running fake; stops when dropped.
#[derive(Debug)]
pub struct FakeBedrock {
    _private: (),
}

impl FakeBedrock {
    /// A builder.
    pub fn builder() -> FakeBedrockBuilder {
        FakeBedrockBuilder::default()
    }
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        todo!()
    }
    /// `http://127.0.0.1:PORT`.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr())
    }
    /// Requests received so far.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        todo!()
    }
}
