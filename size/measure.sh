#!/usr/bin/env bash
# Binary size of an app that only invokes and streams with bedrock-lite, against a floor binary
# that only pulls reqwest + tokio + serde_json, for each TLS backend, with a size profile
# (opt-level z, LTO, one codegen unit, panic=abort, stripped). Prints a table; always exits 0.
set -uo pipefail
cd "$(dirname "$0")"
goal=153600 # 150 KB over the floor
printf '%-10s %12s %12s %10s %s\n' backend floor app delta "goal (<= floor + 150 KB)"
for backend in rustls native-tls; do
  for crate in floor app; do
    cargo build -q --manifest-path "$crate/Cargo.toml" --profile size --no-default-features \
      --features "$backend" --target-dir "target/$backend" || { echo "build of $crate ($backend) failed"; continue 2; }
  done
  f=$(stat -c %s "target/$backend/size/size-floor")
  a=$(stat -c %s "target/$backend/size/size-app")
  d=$((a - f))
  verdict=$([ "$d" -le "$goal" ] && echo pass || echo FAIL)
  printf '%-10s %12d %12d %10d %s\n' "$backend" "$f" "$a" "$d" "$verdict"
done
