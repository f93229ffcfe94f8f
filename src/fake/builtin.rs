//! The cassettes embedded into the crate, in serving order (see `fixtures/cassettes/README.md`).

pub(super) const FILES: &[(&str, &str)] = &[
    (
        "foundation-models.json",
        include_str!("../../fixtures/cassettes/foundation-models.json"),
    ),
    (
        "claude-v2.json",
        include_str!("../../fixtures/cassettes/claude-v2.json"),
    ),
    (
        "messages.json",
        include_str!("../../fixtures/cassettes/messages.json"),
    ),
    (
        "faults.json",
        include_str!("../../fixtures/cassettes/faults.json"),
    ),
    (
        "stream-faults.json",
        include_str!("../../fixtures/cassettes/stream-faults.json"),
    ),
];
