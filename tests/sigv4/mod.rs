//! Tests: sigv4.
