//! The fake Bedrock: authentication, replay, cassettes and the `fake-bedrock` binary.

mod auth;
mod binary;
mod cassettes;
mod crate_client;
mod helpers;
mod replay;
