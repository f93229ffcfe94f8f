//! bedrock-lite: call Claude (and any model) on Amazon Bedrock without the AWS SDK.
//!
//! Two protocols are implemented here by hand, both pure (no IO): the AWS SigV4 request signer
//! ([`sigv4`]) and the AWS event-stream codec ([`eventstream`]). The [`Client`] puts them on
//! top of `reqwest`.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod cassette;
pub mod client;
mod config;
pub mod credentials;
pub mod error;
pub mod eventstream;
#[cfg(feature = "fake-server")]
pub mod fake;
mod record;
mod retry;
pub mod sigv4;
pub mod stream;

pub use bytes::Bytes;
pub use client::{
    Client, ClientBuilder, Environment, FoundationModelSummary, InvokeModelOutput, InvokeRequest,
    ListFoundationModelsOutput, ListFoundationModelsRequest,
};
pub use credentials::Credentials;
pub use error::{Error, ErrorKind, Result};
pub use stream::{Appended, InvocationMetrics, ResponseStream, StreamEvent};
