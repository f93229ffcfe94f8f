//! Tests: the SigV4 signer against the AWS test suite and the `aws-sigv4` crate.

mod differential;
mod suite;
