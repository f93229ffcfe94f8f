//! End-to-end tests against the in-process fake Bedrock.

mod cli;
mod client;
mod fake;
mod support;
