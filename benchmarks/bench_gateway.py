"""The gateway measured the way users compare gateways: against an instant mock upstream,
with the real Claude Code request (fixtures/requests/claude_code_agent/anthropic.json).

- **added latency** at one request at a time: p50 and p99 of (via the gateway) minus the
  p50 of (straight to the mock), non-streamed and streamed (to the last byte);
- **requests per second** at 16 and 64 concurrent requests;
- **CPU time per request** of the gateway process (user + system, from /proc).

The mock upstream and the load generator run in other processes than the gateway, so the
gateway's CPU is its own. Every answer is checked (a tool call to Bash, the stream whole):
a gateway that answers fast with an error is not measured. ``translate serve`` runs with
uvloop and httptools when installed (the ``gateway`` extra).

``--client`` chooses the gateway's upstream client: its own (the default, what ``translate
serve`` runs), ``httpx2`` (what it runs behind a proxy), or ``aiohttp`` (an adapter below,
for the measurement only: ``pip install -e '.[gateway,bench]'``).

LiteLLM's proxy (``litellm[proxy]``, best in a venv of its own: it pins many packages) is
measured the same way in the same run when its ``litellm`` command is found on PATH or
given with ``--litellm``: the same mock upstream as an ``openai/`` model, Anthropic
``/v1/messages`` translated to chat completions (``LITELLM_USE_CHAT_COMPLETIONS_URL_FOR_
ANTHROPIC_MESSAGES``; by default LiteLLM sends OpenAI models' ``/v1/messages`` to the
Responses API), a master key (it refuses to start without one), and its logs at ERROR.

    python benchmarks/bench_gateway.py [--requests 2000] [--workers 1]
        [--client own|httpx2|aiohttp] [--litellm PATH | --no-litellm]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from translate._upstream import Client, H1Client, Response, UpstreamError, Url  # noqa: E402

REQUEST = json.loads((ROOT / "fixtures/requests/claude_code_agent/anthropic.json").read_bytes())

# -- the mock upstream (its own process) ----------------------------------------------------

MOCK = r"""
import asyncio, json, re, sys
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
missing = b'{"error": {"message": "the mock serves /chat/completions only"}}'
MISSING = b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s" % (len(missing), missing)
STREAMING = re.compile(rb'"stream"\s*:\s*true')  # json.dumps writes a space, msgspec none

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
            if not head.split(b" ", 2)[1].endswith(b"/chat/completions"):
                self.t.write(MISSING)  # only chat completions: another API is an error, seen
            else:
                self.t.write(SSE if STREAMING.search(req) else JSON)

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


# -- aiohttp as the gateway's upstream client (--client aiohttp: measured, not shipped) --------


class AiohttpClient(Client):
    """The gateway's ``Client`` on an ``aiohttp.ClientSession``, set up for its best: one
    session made at startup, no connection limit, keep-alive, no decompression nor headers
    of its own, URLs and header lists converted once. aiohttp's C parser is used when its
    wheel has it (the manylinux wheels do)."""

    def __init__(self, *, connect_timeout: float = 10.0, read_timeout: float = 600.0) -> None:
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.session: Any = None
        self._urls: dict[str, Any] = {}
        self._headers: dict[int, tuple[list[tuple[bytes, bytes]], Any]] = {}
        self._error: type[Exception] = Exception

    async def start(self) -> None:
        import aiohttp

        self._error = aiohttp.ClientError
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, keepalive_timeout=60),
            timeout=aiohttp.ClientTimeout(
                total=None, sock_connect=self.connect_timeout, sock_read=self.read_timeout
            ),
            auto_decompress=False,
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
        )

    async def send(
        self, method: str, url: Url, headers: list[tuple[bytes, bytes]], body: bytes | None
    ) -> Response:
        target = self._urls.get(url.url)
        if target is None:
            import yarl

            target = self._urls[url.url] = yarl.URL(url.url)
        known = self._headers.get(id(headers))
        if known is None or known[0] is not headers:  # the gateway's lists live as long as it
            import multidict

            known = self._headers[id(headers)] = (
                headers,
                multidict.CIMultiDict((k.decode(), v.decode()) for k, v in headers),
            )
        try:
            resp = await self.session.request(method, target, data=body, headers=known[1])
        except TimeoutError:
            raise UpstreamError("Timeout", timeout=True) from None
        except self._error as exc:
            raise UpstreamError(type(exc).__name__) from None
        return _AiohttpResponse(resp, self._error)

    async def aclose(self) -> None:
        if self.session is not None:
            await self.session.close()


class _AiohttpResponse(Response):
    def __init__(self, resp: Any, error: type[Exception]) -> None:
        self._resp = resp
        self._error = error
        self.status = resp.status

    @property  # type: ignore[override]  # made when asked: the gateway asks on errors only
    def headers(self) -> list[tuple[str, str]]:
        return [(k.lower(), v) for k, v in self._resp.headers.items()]

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for data in self._resp.content.iter_any():
                yield data
        except TimeoutError:
            raise UpstreamError("ReadTimeout", timeout=True) from None
        except self._error as exc:
            raise UpstreamError(type(exc).__name__) from None

    async def read(self, limit: int) -> bytes:
        size = self._resp.content_length
        if size is None or size > limit:
            return await super().read(limit)
        try:
            return bytes(await self._resp.read())
        except TimeoutError:
            raise UpstreamError("ReadTimeout", timeout=True) from None
        except self._error as exc:
            raise UpstreamError(type(exc).__name__) from None

    async def aclose(self) -> None:
        self._resp.release()  # back to the pool when read to the end, else closed


def serve_with_aiohttp(argv: list[str]) -> int:
    """``translate serve`` exactly, but for the one name its gateway makes its client from."""
    import aiohttp

    from translate import gateway
    from translate.cli import main as translate

    gateway.H1Client = AiohttpClient  # type: ignore[misc,assignment]
    print(f"bench: the gateway's upstream client is aiohttp {aiohttp.__version__}", file=sys.stderr)
    return translate(["serve", *argv])


# -- the load --------------------------------------------------------------------------------

TOOL_USE = re.compile(rb'"stop_reason":\s*"tool_use"')
TOOL_CALLS = re.compile(rb'"finish_reason":\s*"tool_calls"')


def answered(streaming: bool) -> Any:
    """Whether one answer of the gateway is right (cheap: it runs on every request)."""

    def right(data: bytes) -> bool:
        if streaming:
            return b"event: error" not in data and b"message_stop" in data[-256:]
        return TOOL_USE.search(data) is not None

    return right


def verify(name: str, url: Url, headers: list[tuple[bytes, bytes]]) -> None:
    """Before timing: both answers read in full, the tool call there (not an error)."""

    async def get(streaming: bool) -> bytes:
        client = H1Client()
        body = json.dumps({**REQUEST, "stream": streaming}).encode()
        resp = await client.send("POST", url, headers, body)
        data = b"".join([c async for c in resp.chunks()])
        await client.aclose()
        if resp.status != 200:
            raise RuntimeError(f"{name}: status {resp.status}: {data[:500]!r}")
        return data

    message = json.loads(asyncio.run(get(False)))
    blocks = [(b.get("type"), b.get("name")) for b in message.get("content") or []]
    if ("tool_use", "Bash") not in blocks or message.get("stop_reason") != "tool_use":
        raise RuntimeError(f"{name}: a wrong answer: {json.dumps(message)[:500]}")
    events = []
    for frame in asyncio.run(get(True)).decode().split("\n\n"):
        data = [line[5:] for line in frame.splitlines() if line.startswith("data:")]
        if data:
            events.append(json.loads("\n".join(data)))
    types = [e.get("type") for e in events]
    tools = [
        e["content_block"].get("name") for e in events if e.get("type") == "content_block_start"
    ]
    if types[:1] != ["message_start"] or types[-1:] != ["message_stop"] or "Bash" not in tools:
        raise RuntimeError(f"{name}: a wrong stream: {types}")


async def one(
    client: H1Client, url: Url, body: bytes, headers: list[tuple[bytes, bytes]], right: Any
) -> float:
    t = time.perf_counter()
    resp = await client.send("POST", url, headers, body)
    data = b"".join([c async for c in resp.chunks()])
    await resp.aclose()
    elapsed = time.perf_counter() - t
    if resp.status != 200 or not right(data):
        raise RuntimeError(f"a wrong answer, status {resp.status}: {data[:300]!r}")
    return elapsed


async def latencies(
    url: Url, body: bytes, headers: list[tuple[bytes, bytes]], n: int, right: Any
) -> list[float]:
    client = H1Client()
    for _ in range(50):
        await one(client, url, body, headers, right)
    out = [await one(client, url, body, headers, right) for _ in range(n)]
    await client.aclose()
    return out


async def throughput(
    url: Url,
    body: bytes,
    headers: list[tuple[bytes, bytes]],
    n: int,
    right: Any,
    *,
    concurrency: int,
    pids: list[int],
) -> tuple[float, float]:
    client = H1Client(max_idle=concurrency)
    await asyncio.gather(*(one(client, url, body, headers, right) for _ in range(concurrency)))
    left = n

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await one(client, url, body, headers, right)

    cpu0, t0 = cpu_seconds(pids), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall, cpu = time.perf_counter() - t0, cpu_seconds(pids) - cpu0
    await client.aclose()
    return n / wall, cpu / n


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def measure(
    name: str,
    base: str,
    pids: list[int],
    direct: dict[bool, float],
    n: int,
    *,
    key: bytes = b"bench",
) -> dict[str, object]:
    headers = [
        (b"content-type", b"application/json"),
        (b"x-api-key", key),
        (b"anthropic-version", b"2023-06-01"),
    ]
    url = Url(base + "/v1/messages")
    verify(name, url, headers)
    row: dict[str, object] = {"gateway": name}
    for streaming in (False, True):
        body = json.dumps({**REQUEST, "stream": streaming}).encode()
        right = answered(streaming)
        lat = asyncio.run(latencies(url, body, headers, max(200, n // 4), right))
        kind = "stream" if streaming else "json"
        row[f"{kind} added p50 ms"] = round((statistics.median(lat) - direct[streaming]) * 1000, 2)
        row[f"{kind} added p99 ms"] = round((pct(lat, 0.99) - direct[streaming]) * 1000, 2)
        for c in (16, 64):
            rps, cpu = asyncio.run(
                throughput(url, body, headers, n, right, concurrency=c, pids=pids)
            )
            row[f"{kind} rps@{c}"] = round(rps)
            row[f"{kind} cpu ms/req@{c}"] = round(cpu * 1000, 3)
    return row


def direct_latency(mock_port: int, n: int) -> dict[bool, float]:
    url = Url(f"http://127.0.0.1:{mock_port}/v1/chat/completions")
    out = {}
    for streaming in (False, True):
        body = json.dumps({"model": "m", "messages": [], "stream": streaming}).encode()
        right = (lambda d: b"[DONE]" in d[-64:]) if streaming else TOOL_CALLS.search
        headers = [(b"content-type", b"application/json")]
        out[streaming] = statistics.median(asyncio.run(latencies(url, body, headers, n, right)))
    return out


def litellm_version(command: str) -> str:
    """The version of the litellm distribution beside the ``litellm`` command."""
    python = Path(command).with_name("python")
    code = "import importlib.metadata as m; print(m.version('litellm'))"
    try:
        found = subprocess.run(
            [str(python), "-c", code], capture_output=True, text=True, timeout=60, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return "?"
    return found.stdout.strip()


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(10)


def main() -> int:
    if sys.argv[1:2] == ["serve-with-aiohttp"]:  # the gateway process of --client aiohttp
        return serve_with_aiohttp(sys.argv[2:])
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument(
        "--client",
        choices=("own", "httpx2", "aiohttp"),
        default="own",
        help="the gateway's upstream client (aiohttp: one worker only)",
    )
    ap.add_argument(
        "--litellm", metavar="PATH", help="LiteLLM's litellm command (default: found on PATH)"
    )
    ap.add_argument("--no-litellm", action="store_true", help="measure translate serve alone")
    args = ap.parse_args()
    if args.client == "aiohttp" and args.workers != 1:
        ap.error("--client aiohttp runs one worker (the switch lives in this process)")
    litellm = None if args.no_litellm else args.litellm or shutil.which("litellm")
    # loopback only: no proxy between the load, the gateways and the mock
    clean = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
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
        env = {**clean, "TRANSLATE_UPSTREAM_API_KEY": "bench-key"}
        if args.client == "httpx2":
            env["TRANSLATE_UPSTREAM_CLIENT"] = "httpx2"
        command = [sys.executable, "-m", "translate", "serve"]
        if args.client == "aiohttp":
            command = [sys.executable, str(Path(__file__).resolve()), "serve-with-aiohttp"]
        gw = subprocess.Popen(
            [
                *command,
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
        name = "translate serve" + ("" if args.client == "own" else f" ({args.client})")
        rows.append(measure(name, f"http://127.0.0.1:{port}", tree(gw.pid), direct, args.requests))
        gw.terminate()
        gw.wait(15)  # LiteLLM measured alone on the machine, as translate serve was

        if litellm:
            version = litellm_version(litellm)
            port = free_port()
            folder = Path(tempfile.mkdtemp())
            config = folder / "litellm.yaml"
            config.write_text(
                "model_list:\n  - model_name: '*'\n    litellm_params:\n      model: openai/m\n"
                f"      api_base: http://127.0.0.1:{mock_port}/v1\n      api_key: bench-key\n"
                # without this, LiteLLM refuses reasoning effort for a model it does not know
                "    model_info:\n      supports_reasoning: true\n"
                "      supports_function_calling: true\n"
            )
            master = "sk-" + secrets.token_hex(32)  # LiteLLM refuses to start without one
            lp = subprocess.Popen(
                [
                    litellm,
                    "--config",
                    str(config),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--num_workers",
                    str(args.workers),
                ],
                cwd=folder,
                env={
                    **clean,
                    "LITELLM_MASTER_KEY": master,
                    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
                    "LITELLM_USE_CHAT_COMPLETIONS_URL_FOR_ANTHROPIC_MESSAGES": "True",
                    "LITELLM_LOG": "ERROR",
                },
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            procs.append(lp)
            wait_port(port, lp, 180)
            time.sleep(3 if args.workers == 1 else 8)
            rows.append(
                measure(
                    f"litellm proxy {version}",
                    f"http://127.0.0.1:{port}",
                    tree(lp.pid),
                    direct,
                    max(200, args.requests // 10),
                    key=master.encode(),
                )
            )
        elif not args.no_litellm:
            print("LiteLLM's proxy is not installed (pip install 'litellm[proxy]'): measured alone")
    finally:
        stop(procs)
    keys = list(rows[0])
    for k in keys:
        print(f"{k:28}" + "".join(f"{row.get(k)!s:>24}" for row in rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
