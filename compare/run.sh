#!/usr/bin/env bash
# End-to-end comparison with a client built on aws-sdk-bedrockruntime: builds bedrock-lite's CLI,
# the SDK client and the loopback server (release), then runs both clients alternately and
# prints the medians and ratios. Not part of CI (the SDK takes minutes to build).
set -euo pipefail
cd "$(dirname "$0")"
cargo build -q --release --features cli --manifest-path ../Cargo.toml
cargo build -q --release --manifest-path sdk-client/Cargo.toml
cargo build -q --release --manifest-path loopback/Cargo.toml
python3 run.py
