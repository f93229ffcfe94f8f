//! Tests: fake.
