//! Tests: eventstream.
