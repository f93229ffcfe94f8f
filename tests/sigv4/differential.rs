//! Differential tests against aws-sigv4 (filled below).
