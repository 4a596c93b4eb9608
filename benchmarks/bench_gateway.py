"""The gateway measured the way users compare gateways: against an instant mock upstream,
with the real Claude Code request (fixtures/requests/claude_code_agent/anthropic.json).

- **added latency** at one request at a time: p50 and p99 of (via the gateway) minus the
  p50 of (straight to the mock), non-streamed and streamed (to the last byte);
- **requests per second** at 16 and 64 concurrent requests;
- **CPU time per request** of the gateway process (user + system, from /proc).

The mock upstream and the load generator run in other processes than the gateway, so the
gateway's CPU is its own. ``translate serve`` runs with uvloop and httptools when installed
(the ``gateway`` extra). With LiteLLM's proxy installed (``pip install 'litellm[proxy]'``),
it is measured the same way in the same run.

    python benchmarks/bench_gateway.py [--requests 2000] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from translate._upstream import H1Client, Url  # noqa: E402

REQUEST = json.loads((ROOT / "fixtures/requests/claude_code_agent/anthropic.json").read_bytes())

# -- the mock upstream (its own process) ----------------------------------------------------

MOCK = r"""
import asyncio, json, sys
body = json.dumps({
    "id": "chatcmpl-bench", "object": "chat.completion", "created": 1780036512, "model": "m",
    "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
        "role": "assistant", "content": "I'll look at the failing test first.",
        "reasoning_content": "The user wants the test fixed. " * 8,
        "tool_calls": [{"id": "call_0", "type": "function", "function": {
            "name": "Bash", "arguments": "{\"command\": \"pytest -x tests/test_gateway.py\"}"}}]}}],
    "usage": {"prompt_tokens": 9000, "completion_tokens": 120, "total_tokens": 9120}}).encode()
def frame(delta, finish=None, **extra):
    return b"data: " + json.dumps({"id": "chatcmpl-bench", "object": "chat.completion.chunk",
        "created": 1780036512, "model": "m", "choices": [{"index": 0, "delta": delta,
        "finish_reason": finish}], **extra}).encode() + b"\n\n"
frames = [frame({"role": "assistant", "content": ""})]
frames += [frame({"reasoning_content": "The user wants "}) for _ in range(10)]
frames += [frame({"content": "word "}) for _ in range(15)]
frames += [frame({"tool_calls": [{"index": 0, "id": "call_0", "type": "function",
    "function": {"name": "Bash", "arguments": ""}}]})]
frames += [frame({"tool_calls": [{"index": 0, "function": {"arguments": p}}]})
    for p in ("{\"command\": ", "\"pytest -x\"}")]
frames += [frame({}, "tool_calls"), b"data: " + json.dumps({"id": "chatcmpl-bench",
    "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [],
    "usage": {"prompt_tokens": 9000, "completion_tokens": 120, "total_tokens": 9120}}).encode()
    + b"\n\n", b"data: [DONE]\n\n"]
stream = b"".join(b"%x\r\n%s\r\n" % (len(f), f) for f in frames) + b"0\r\n\r\n"
JSON = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body)
SSE = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n" + stream

class P(asyncio.Protocol):
    def connection_made(self, t): self.t = t; self.buf = b""
    def data_received(self, d):
        self.buf += d
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0: return
            head = self.buf[:end].lower()
            n = 0
            i = head.find(b"content-length:")
            if i >= 0: n = int(head[i + 15:head.find(b"\r\n", i) if head.find(b"\r\n", i) > 0 else None])
            if len(self.buf) < end + 4 + n: return
            req = self.buf[end + 4:end + 4 + n]
            self.buf = self.buf[end + 4 + n:]
            self.t.write(SSE if b'"stream":true' in req else JSON)

async def main():
    srv = await asyncio.get_running_loop().create_server(P, "127.0.0.1", int(sys.argv[1]))
    print("ready", flush=True)
    await srv.serve_forever()
asyncio.run(main())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"port {port} never opened")


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def tree(pid: int) -> list[int]:
    out = [pid]
    for child in Path(f"/proc/{pid}/task").glob("*/children"):
        for c in child.read_text().split():
            out += tree(int(c))
    return out


# -- the load --------------------------------------------------------------------------------


async def one(client: H1Client, url: Url, body: bytes, headers: list[tuple[bytes, bytes]]) -> float:
    t = time.perf_counter()
    resp = await client.send("POST", url, headers, body)
    async for _ in resp.chunks():
        pass
    await resp.aclose()
    if resp.status != 200:
        raise RuntimeError(f"status {resp.status}")
    return time.perf_counter() - t


async def latencies(
    url: Url, body: bytes, headers: list[tuple[bytes, bytes]], n: int
) -> list[float]:
    client = H1Client()
    for _ in range(50):
        await one(client, url, body, headers)
    out = [await one(client, url, body, headers) for _ in range(n)]
    await client.aclose()
    return out


async def throughput(
    url: Url,
    body: bytes,
    headers: list[tuple[bytes, bytes]],
    n: int,
    *,
    concurrency: int,
    pids: list[int],
) -> tuple[float, float]:
    client = H1Client(max_idle=concurrency)
    await asyncio.gather(*(one(client, url, body, headers) for _ in range(concurrency)))
    left = n

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await one(client, url, body, headers)

    cpu0, t0 = cpu_seconds(pids), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall, cpu = time.perf_counter() - t0, cpu_seconds(pids) - cpu0
    await client.aclose()
    return n / wall, cpu / n


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def measure(
    name: str, base: str, pids: list[int], direct: dict[bool, float], n: int
) -> dict[str, object]:
    headers = [
        (b"content-type", b"application/json"),
        (b"x-api-key", b"bench"),
        (b"anthropic-version", b"2023-06-01"),
    ]
    url = Url(base + "/v1/messages")
    row: dict[str, object] = {"gateway": name}
    for streaming in (False, True):
        body = json.dumps({**REQUEST, "stream": streaming}).encode()
        lat = asyncio.run(latencies(url, body, headers, max(200, n // 4)))
        kind = "stream" if streaming else "json"
        row[f"{kind} added p50 ms"] = round((statistics.median(lat) - direct[streaming]) * 1000, 2)
        row[f"{kind} added p99 ms"] = round((pct(lat, 0.99) - direct[streaming]) * 1000, 2)
        for c in (16, 64):
            rps, cpu = asyncio.run(throughput(url, body, headers, n, concurrency=c, pids=pids))
            row[f"{kind} rps@{c}"] = round(rps)
            row[f"{kind} cpu ms/req@{c}"] = round(cpu * 1000, 3)
    return row


def direct_latency(mock_port: int, n: int) -> dict[bool, float]:
    url = Url(f"http://127.0.0.1:{mock_port}/v1/chat/completions")
    out = {}
    for streaming in (False, True):
        body = json.dumps({"model": "m", "messages": [], "stream": streaming}).encode()
        lat = asyncio.run(latencies(url, body, [(b"content-type", b"application/json")], n))
        out[streaming] = statistics.median(lat)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument(
        "--client", choices=("own", "httpx2"), default="own", help="the upstream client"
    )
    args = ap.parse_args()
    procs: list[subprocess.Popen[bytes]] = []
    rows = []
    try:
        mock_port = free_port()
        mock = subprocess.Popen(
            [sys.executable, "-c", MOCK, str(mock_port)], stdout=subprocess.PIPE
        )
        procs.append(mock)
        wait_port(mock_port, mock)
        direct = direct_latency(mock_port, 500)
        print(
            f"mock upstream, direct: p50 {direct[False] * 1000:.2f} ms (json), {direct[True] * 1000:.2f} ms (stream)"
        )

        port = free_port()
        env = {**os.environ, "TRANSLATE_UPSTREAM_API_KEY": "bench-key"}
        if args.client == "httpx2":
            env["TRANSLATE_UPSTREAM_CLIENT"] = "httpx2"
        gw = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "translate",
                "serve",
                "--upstream-url",
                f"http://127.0.0.1:{mock_port}/v1",
                "--upstream-dialect",
                "openai",
                "--target",
                "deepseek",
                "--model-map",
                "claude-*=m",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--workers",
                str(args.workers),
            ],
            env=env,
        )
        procs.append(gw)
        wait_port(port, gw)
        time.sleep(0.5 if args.workers == 1 else 3)
        rows.append(
            measure(
                "translate serve", f"http://127.0.0.1:{port}", tree(gw.pid), direct, args.requests
            )
        )

        litellm = shutil.which("litellm")
        if litellm:
            port = free_port()
            config = Path(tempfile.mkdtemp()) / "litellm.yaml"
            config.write_text(
                "model_list:\n  - model_name: '*'\n    litellm_params:\n      model: openai/m\n"
                f"      api_base: http://127.0.0.1:{mock_port}/v1\n      api_key: bench-key\n"
            )
            lp = subprocess.Popen(
                [
                    litellm,
                    "--config",
                    str(config),
                    "--port",
                    str(port),
                    "--num_workers",
                    str(args.workers),
                ],
                env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            procs.append(lp)
            wait_port(port, lp, 120)
            time.sleep(2)
            rows.append(
                measure(
                    "litellm proxy",
                    f"http://127.0.0.1:{port}",
                    tree(lp.pid),
                    direct,
                    max(200, args.requests // 10),
                )
            )
        else:
            print("LiteLLM's proxy is not installed (pip install 'litellm[proxy]'): measured alone")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(10)
    keys = list(rows[0])
    for k in keys:
        print(f"{k:28}" + "".join(f"{row.get(k)!s:>20}" for row in rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
