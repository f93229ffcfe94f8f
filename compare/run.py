"""Runs bedrock-lite and the AWS-SDK client alternately against the loopback server and prints
medians and ratios: stream throughput, cold start of one invoke-model, peak RSS."""
import os, statistics, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.abspath(__file__))
lite = os.path.join(root, "..", "target", "release", "bedrock-lite")
sdk = os.path.join(root, "sdk-client", "target", "release", "sdk-client")
loop = subprocess.Popen([os.path.join(root, "loopback", "target", "release", "loopback")], stdout=subprocess.PIPE, text=True)
url = loop.stdout.readline().strip()
home = tempfile.mkdtemp()
env = {"PATH": os.environ.get("PATH", ""), "HOME": home, "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
       "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "AWS_REGION": "us-east-1",
       "AWS_EC2_METADATA_DISABLED": "true"}
body = '{"prompt":"\\n\\nHuman: Hello\\n\\nAssistant:","max_tokens_to_sample":50}'

def timed(cmd):
    start = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit(f"{cmd[0]} failed: {p.stderr.read().decode()}")
    return elapsed, ru.ru_maxrss  # KiB on Linux

def cmd(tool, op, out):
    if tool == "lite":
        return [lite, "--endpoint-url", url, op, "--model-id", "anthropic.claude-v2", "--body", body, out]
    return [sdk, "--endpoint-url", url, op, "--model-id", "anthropic.claude-v2", "--body", body, out]

stream_rounds, invoke_rounds = int(os.environ.get("STREAM_ROUNDS", 5)), int(os.environ.get("INVOKE_ROUNDS", 30))
res = {t: {"stream": [], "invoke": [], "rss": []} for t in ("lite", "sdk")}
outs = {t: os.path.join(home, f"{t}.jsonl") for t in res}
for _ in range(stream_rounds):
    for t in ("lite", "sdk"):
        dt, rss = timed(cmd(t, "invoke-model-with-response-stream", outs[t]))
        res[t]["stream"].append(os.path.getsize(outs[t]) / dt / 1e6)
        res[t]["rss"].append(rss)
a, b = open(outs["lite"], "rb").read(), open(outs["sdk"], "rb").read()
assert a == b and a.count(b"\n") == 100_000, "outputs differ"
for _ in range(invoke_rounds):
    for t in ("lite", "sdk"):
        dt, rss = timed(cmd(t, "invoke-model", os.path.join(home, f"{t}.json")))
        res[t]["invoke"].append(dt * 1000)
        res[t]["rss"].append(rss)
loop.kill()
m = {t: {k: statistics.median(v) for k, v in r.items()} for t, r in res.items()}
print(f"stream throughput (decoded chunk bytes/s, median of {stream_rounds}): bedrock-lite {m['lite']['stream']:.1f} MB/s, "
      f"SDK {m['sdk']['stream']:.1f} MB/s, ratio {m['lite']['stream'] / m['sdk']['stream']:.2f}x (goal >= 3x)")
print(f"cold invoke-model (median of {invoke_rounds}): bedrock-lite {m['lite']['invoke']:.2f} ms, SDK {m['sdk']['invoke']:.2f} ms, "
      f"ratio {m['lite']['invoke'] / m['sdk']['invoke']:.2f}x (goal <= 0.5x)")
print(f"peak RSS (median over all runs): bedrock-lite {m['lite']['rss'] / 1024:.1f} MiB, SDK {m['sdk']['rss'] / 1024:.1f} MiB, "
      f"ratio {m['lite']['rss'] / m['sdk']['rss']:.2f}x (goal <= 0.5x)")
