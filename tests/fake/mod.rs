//! The fake Bedrock: authentication, replay, cassettes and the `fake-bedrock` binary.

mod auth;
mod binary;
mod cassettes;
mod helpers;
mod replay;
