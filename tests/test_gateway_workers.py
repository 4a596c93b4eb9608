"""``translate serve`` as a process: ``--workers 2`` really serves with two processes, and
the server falls back to asyncio and h11 when uvloop and httptools are absent.

Real subprocesses on free loopback ports: the fake upstream (tests/fake_upstream.py) on
uvicorn, and ``translate serve`` in front of it. With several workers, each log line names
the process that wrote it (``[pid]``, as uvicorn's own ``Started server process [pid]``
does), so a request's line says which worker served it: that is the observable.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip(
    "uvicorn", reason="translate serve needs the gateway extra: pip install '.[gateway]'"
)

import anthropic
import httpx2

from .fake_upstream import MODEL, UPSTREAM_KEY, tagged_text

ROOT = Path(__file__).resolve().parent.parent
CLAUDE = "claude-sonnet-4-6"
CONCURRENT = 16
ROUNDS = 12  # at most: rounds of CONCURRENT requests until both workers have served
REQUEST_LINE = re.compile(
    r"^INFO: +\[(\d+)\] translate\.gateway: POST /v1/messages (\S+) -> \S+ (\d{3}) ", re.MULTILINE
)
WORKER_STARTED = re.compile(r"Started server process \[(\d+)\]")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Process:
    """A server subprocess on a free loopback port, its output in a file, stopped whole
    (its workers too) by ``stop()`` whatever happened."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115  # closed in stop()
        clean = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        self.proc = subprocess.Popen(
            [*argv, "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT,
            env={**clean, "PYTHONPATH": str(ROOT), "NO_PROXY": "*", **env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            # its own process group: stop() can end the workers even if the parent is gone
            start_new_session=hasattr(os, "killpg"),
        )

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def wait_for(self, pattern: str, count: int = 1, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(re.findall(pattern, self.output(), re.MULTILINE)) < count:
            if self.proc.poll() is not None:
                raise RuntimeError(f"exited ({self.proc.returncode}):\n{self.output()[-4000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"no {pattern!r} x{count} in {timeout} s:\n{self.output()}")
            time.sleep(0.05)

    def stop(self) -> None:
        try:
            if self.proc.poll() is None:
                self.proc.terminate()  # uvicorn's supervisor stops its workers, then itself
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(timeout=10)
            if hasattr(os, "killpg"):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)  # whatever is left of the group
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=10)
        finally:
            self.log.close()


@contextlib.contextmanager
def running(argv: list[str], env: dict[str, str] | None = None) -> Iterator[Process]:
    process = Process(argv, env or {})
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def upstream() -> Iterator[Process]:
    with running(
        [sys.executable, "-m", "uvicorn", "tests.fake_upstream:app", "--log-level", "warning"]
    ) as fake:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx2.get(fake.url + "/stats", timeout=1, trust_env=False)
                break
            except httpx2.TransportError:
                if fake.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the fake upstream did not start:\n{fake.output()}"
                    ) from None
                time.sleep(0.05)
        yield fake


def _serve(upstream: Process, *flags: str, python: list[str] | None = None) -> Any:
    return running(
        [*(python or [sys.executable, "-m", "translate"]), "serve", "--log-level", "info", *flags],
        {
            "TRANSLATE_UPSTREAM_API_KEY": UPSTREAM_KEY,
            "TRANSLATE_UPSTREAM_URL": upstream.url + "/openai/v1",
            "TRANSLATE_UPSTREAM_DIALECT": "openai",
            "TRANSLATE_TARGET": "mimo",
            "TRANSLATE_MODEL_MAP": f"claude-*={MODEL}",
        },
    )


async def _round(url: str, tags: list[str]) -> list[str]:
    """One streamed request per tag, concurrent, each on a connection of its own (no
    keep-alive: every request is a new accept, for whichever worker takes it). They start
    5 ms apart, so that each connection is its own race between the workers (in one burst,
    the first worker awake may accept them all); each stream lasts longer than that."""
    limits = httpx2.Limits(max_keepalive_connections=0)
    async with httpx2.AsyncClient(trust_env=False, timeout=30, limits=limits) as http:
        client = anthropic.AsyncAnthropic(
            api_key="unused", base_url=url, http_client=http, max_retries=0
        )

        async def one(i: int, tag: str) -> str:
            await asyncio.sleep(i * 0.005)
            async with client.messages.stream(
                model=CLAUDE,
                max_tokens=256,
                messages=[{"role": "user", "content": tag}],
            ) as stream:
                message = await stream.get_final_message()
            assert message.model == CLAUDE and message.stop_reason == "end_turn"
            return "".join(b.text for b in message.content if b.type == "text")

        return await asyncio.gather(*(one(i, tag) for i, tag in enumerate(tags)))


def test_two_workers_share_the_requests_and_every_answer_is_right(upstream: Process) -> None:
    t0 = time.monotonic()
    with _serve(upstream, "--workers", "2") as gw:
        gw.wait_for(r"Application startup complete", count=2)
        workers = set(WORKER_STARTED.findall(gw.output()))
        assert len(workers) == 2 and str(gw.proc.pid) not in workers, gw.output()
        sent = 0
        served: set[str] = set()
        for r in range(ROUNDS):
            tags = [f"w{r:02d}-{i:02d}" for i in range(CONCURRENT)]
            texts = asyncio.run(asyncio.wait_for(_round(gw.url, tags), 60))
            for tag, text in zip(tags, texts, strict=True):
                assert text == "".join(tagged_text(tag))  # its own answer, whole, in order
            sent += len(tags)
            gw.wait_for(REQUEST_LINE.pattern, count=sent, timeout=10)  # each line written
            lines = REQUEST_LINE.findall(gw.output())
            served = {pid for pid, _, _ in lines}
            if len(served) == 2:
                break
        # one line per request, every one a 200 for the model asked, each from a worker
        assert len(lines) == sent
        assert {(model, status) for _, model, status in lines} == {(CLAUDE, "200")}
        assert served == workers, f"{sent} requests, all served by {served} of {workers}"
        share = {pid: sum(1 for p, _, _ in lines if p == pid) for pid in sorted(served)}
    # the supervisor and both workers are gone once stop() returns
    for pid in workers:
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid), 0)
    print(f"\n--workers 2: {sent} requests, per worker {share}, {time.monotonic() - t0:.1f} s")


def test_serve_falls_back_to_asyncio_and_h11_without_uvloop_and_httptools(
    upstream: Process,
) -> None:
    # An interpreter where neither can be imported (None in sys.modules: ImportError), as on
    # Windows, where the gateway extra installs no uvloop.
    hide = (
        "import sys; sys.modules['uvloop'] = sys.modules['httptools'] = None; "
        "from translate.cli import main; sys.exit(main())"
    )
    with _serve(upstream, python=[sys.executable, "-c", hide]) as gw:
        gw.wait_for(r"Application startup complete")
        assert "(1 worker, asyncio, h11)" in gw.output()
        texts = asyncio.run(asyncio.wait_for(_round(gw.url, ["no-uvloop"]), 30))
        assert texts == ["".join(tagged_text("no-uvloop"))]
