//! Protocol tests: no features, no IO.

mod eventstream;
mod sigv4;
