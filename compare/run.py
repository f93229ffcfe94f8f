"""Runs bedrock-lite and the AWS-SDK client alternately against the loopback server and prints
medians and ratios: stream throughput, cold start of one invoke-model, peak RSS."""
import os, statistics, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.abspath(__file__))
lite = os.environ.get("LITE_BIN") or os.path.join(root, "..", "target", "release", "bedrock-lite")
sdk = os.path.join(root, "sdk-client", "target", "release", "sdk-client")
loop = subprocess.Popen([os.path.join(root, "loopback", "target", "release", "loopback")], stdout=subprocess.PIPE, text=True)
url = loop.stdout.readline().strip()
home = tempfile.mkdtemp()
env = {"PATH": os.environ.get("PATH", ""), "HOME": home, "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
       "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "AWS_REGION": "us-east-1",
       "AWS_EC2_METADATA_DISABLED": "true"}
body = '{"prompt":"\\n\\nHuman: Hello\\n\\nAssistant:","max_tokens_to_sample":50}'

def timed(cmd):
    """Wall time of one process, and its own peak RSS (KiB) from GNU time: the fork from this
    Python process would otherwise count Python's memory as the child's."""
    rss_file = os.path.join(home, "rss")
    start = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss_file] + cmd, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"{cmd[0]} failed: {p.stderr.decode()}")
    return elapsed, int(open(rss_file).read().split()[-1])

def cmd(tool, op, out):
    if tool == "lite":
        return [lite, "--endpoint-url", url, op, "--model-id", "anthropic.claude-v2", "--body", body, out]
    return [sdk, "--endpoint-url", url, op, "--model-id", "anthropic.claude-v2", "--body", body, out]

WIRE_BYTES = 25_400_000  # the loopback's event-stream body (100,000 frames)
stream_rounds, invoke_rounds = int(os.environ.get("STREAM_ROUNDS", 5)), int(os.environ.get("INVOKE_ROUNDS", 30))
res = {t: {"stream": [], "invoke": [], "rss_stream": [], "rss_invoke": []} for t in ("lite", "sdk")}
outs = {t: os.path.join(home, f"{t}.jsonl") for t in res}
for _ in range(stream_rounds):
    for t in ("lite", "sdk"):
        dt, rss = timed(cmd(t, "invoke-model-with-response-stream", outs[t]))
        res[t]["stream"].append(WIRE_BYTES / dt / 1e6)
        res[t]["rss_stream"].append(rss)
a, b = open(outs["lite"], "rb").read(), open(outs["sdk"], "rb").read()
assert a == b and a.count(b"\n") == 100_000, "outputs differ"
for _ in range(invoke_rounds):
    for t in ("lite", "sdk"):
        dt, rss = timed(cmd(t, "invoke-model", os.path.join(home, f"{t}.json")))
        res[t]["invoke"].append(dt * 1000)
        res[t]["rss_invoke"].append(rss)
loop.kill()
m = {t: {k: statistics.median(v) for k, v in r.items()} for t, r in res.items()}
print(f"stream throughput (event-stream bytes/s over the whole process run, median of {stream_rounds}): bedrock-lite {m['lite']['stream']:.1f} MB/s, "
      f"SDK {m['sdk']['stream']:.1f} MB/s, ratio {m['lite']['stream'] / m['sdk']['stream']:.2f}x (goal >= 3x)")
print(f"cold invoke-model (median of {invoke_rounds}): bedrock-lite {m['lite']['invoke']:.2f} ms, SDK {m['sdk']['invoke']:.2f} ms, "
      f"ratio {m['lite']['invoke'] / m['sdk']['invoke']:.2f}x (goal <= 0.5x)")
for k, what in (("rss_invoke", "invoke-model"), ("rss_stream", "stream")):
    print(f"peak RSS of {what} (median): bedrock-lite {m['lite'][k] / 1024:.1f} MiB, SDK {m['sdk'][k] / 1024:.1f} MiB, "
          f"ratio {m['lite'][k] / m['sdk'][k]:.2f}x (goal <= 0.5x)")
