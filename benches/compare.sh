#!/usr/bin/env bash
# Reruns the criterion benchmarks (ours side by side with aws-sigv4 and aws-smithy-eventstream
# in the same run) and prints the ratios from criterion's estimates.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench sigv4 >/dev/null 2>&1
cargo bench --bench eventstream >/dev/null 2>&1
python3 - <<'PY'
import json, os
base = os.path.join("target", "criterion")
def est(group, name):
    path = os.path.join(base, group, name, "new", "estimates.json")
    return json.load(open(path))["median"]["point_estimate"]  # nanoseconds
g = "sigv4_sign_bedrock_invoke"
aws = est(g, "aws-sigv4")
for name in ("bedrock-lite warm (Signer)", "bedrock-lite cold (sign)"):
    t = est(g, name)
    print(f"sigv4 {name}: {t/1000:.2f} us, aws-sigv4 {aws/1000:.2f} us, ratio {aws/t:.2f}x")
BYTES, MSGS = 2_613_750, 10_000
for g, label in (("eventstream_frames", "frames only"), ("eventstream_full_path", "frame+JSON+base64+inner JSON")):
    for feed in ("4KiB pieces", "one buffer"):
        ours, theirs = est(g, f"bedrock-lite_{feed}"), est(g, f"aws-smithy-eventstream_{feed}")
        print(f"eventstream {label}, {feed}: bedrock-lite {BYTES/ours*1e3:.0f} MB/s ({MSGS/ours*1e9/1e6:.2f} M msgs/s), "
              f"smithy {BYTES/theirs*1e3:.0f} MB/s ({MSGS/theirs*1e9/1e6:.2f} M msgs/s), ratio {theirs/ours:.2f}x")
        if g == "eventstream_full_path":
            shared = est(g, "inner JSON to Value only (shared by both)")
            print(f"  of which the inner JSON parse both sides share: {shared/1e6:.2f} ms of ours {ours/1e6:.2f} ms "
                  f"and smithy's {theirs/1e6:.2f} ms; ceiling on the ratio even if everything else were free: {theirs/shared:.2f}x")
PY
