"""Offline conversion end to end: rows per second (and per CPU-second) of `translate convert`
on JSON Lines, read, translated and written, with --jobs 1 and 2.

Corpora (made in a temporary directory, nothing downloaded):
- requests:      Claude Code requests (fixtures/requests/claude_code_agent/anthropic.json, each
                 row with its own first user message), anthropic -> openai;
- conversations: Claude Code request + response rows (fixtures/conversations/), -> openai.

    python benchmarks/bench_dataset.py [--rows N] [--jobs 1 2]

rows/s is wall time; rows/s/core divides by the CPU time of the command and its workers
(user + system), which is what "per core" means on a machine shared with other work.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def corpus(directory: Path, rows: int) -> dict[str, tuple[Path, list[str]]]:
    body = json.loads((ROOT / "fixtures/requests/claude_code_agent/anthropic.json").read_text())
    requests = directory / "requests.jsonl"
    with requests.open("w") as f:
        for i in range(rows):
            body["messages"][0]["content"] = f"request {i}"
            f.write(json.dumps(body) + "\n")
    lines = (ROOT / "fixtures/conversations/claude_code_2.1.197.jsonl").read_text().splitlines()
    conversations = directory / "conversations.jsonl"
    conversations.write_text("".join(lines[i % len(lines)] + "\n" for i in range(rows)))
    return {
        "requests": (requests, ["--kind", "request", "--from", "anthropic"]),
        "conversations": (conversations, ["--kind", "conversation"]),
    }


def run(path: Path, flags: list[str], jobs: int) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "translate", "convert", str(path), *flags, "--jobs", str(jobs)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--jobs", type=int, nargs="*", default=[1, 2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        made = corpus(Path(tmp), args.rows)
        print(f"{'corpus':<14} {'MB':>6} {'jobs':>4} {'rows/s':>8} {'rows/s/core':>12}")
        for name, (path, flags) in made.items():
            size = path.stat().st_size / 1e6
            for jobs in args.jobs:
                wall, cpu = run(path, flags, jobs)
                print(
                    f"{name:<14} {size:>6.1f} {jobs:>4} {args.rows / wall:>8.0f}"
                    f" {args.rows / cpu:>12.0f}"
                )


if __name__ == "__main__":
    main()
