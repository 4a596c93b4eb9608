"""Offline conversion end to end: rows per second of `translate convert` on JSON Lines, read,
translated and written, and its scaling with --jobs.

Corpora (made once in a temporary directory, nothing downloaded):
- requests:      Claude Code requests (fixtures/requests/claude_code_agent/anthropic.json, each
                 row with its own first user message), anthropic -> openai;
- conversations: Claude Code request + response rows (fixtures/conversations/), -> openai.

    python benchmarks/bench_dataset.py [--rows N] [--jobs 1 2] [--repeat R] [--dir DIR]

How it measures, so that --jobs 1 and --jobs 2 are compared fairly:
- the same input file for every run, and one untimed run of each corpus first (the file in
  the page cache, the bytecode compiled);
- the output written to a real file (not /dev/null, which costs nothing to write: a real
  file costs the one process 0.35 s of system time per 300 MB), truncated before each run;
  in /dev/shm when there is one, like the corpora, so that the disk's write-back is not
  measured;
- the runs of each --jobs interleaved (1, 2, 1, 2, ...), ``--repeat`` times: each figure is
  the median and the range over the repeats, and the scaling is the ratio of the medians;
- the fixed cost (Python starting and importing translate, the workers forked) measured
  apart, as a run on an empty file, and taken out of the "steady" scaling column;
- rows/s/core divides the rows by the CPU time of the command and its workers (user +
  system), which is what "per core" means on a machine shared with other work; "command
  CPU" is the part of it the command's own process used (reading the results, the progress
  bar, starting up) while its workers translated and wrote;
- the 1-minute load average before and after, and whether --jobs 2 wrote the same bytes as
  --jobs 1.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Runs `translate convert` in this child and reports its own CPU time and its workers' (they
# are reaped before main returns) on the file descriptor named by BENCH_FD.
_CHILD = r"""
import os, resource, sys
from translate.cli import main
status = main(sys.argv[1:])
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
os.write(int(os.environ["BENCH_FD"]), (
    f"{me.ru_utime + me.ru_stime} {kids.ru_utime + kids.ru_stime} {status}").encode())
"""


def corpus(directory: Path, rows: int) -> dict[str, tuple[Path, list[str]]]:
    body = json.loads((ROOT / "fixtures/requests/claude_code_agent/anthropic.json").read_text())
    requests = directory / "requests.jsonl"
    with requests.open("w") as f:
        for i in range(rows):
            body["messages"][0]["content"] = f"request {i}"
            f.write(json.dumps(body) + "\n")
    lines = (ROOT / "fixtures/conversations/claude_code_2.1.197.jsonl").read_text().splitlines()
    conversations = directory / "conversations.jsonl"
    with conversations.open("w") as f:
        for i in range(rows):
            f.write(lines[i % len(lines)] + "\n")
    return {
        "requests": (requests, ["--kind", "request", "--from", "anthropic"]),
        "conversations": (conversations, ["--kind", "conversation"]),
    }


def run(path: Path, flags: list[str], jobs: int, out: Path) -> tuple[float, float, float]:
    """(wall seconds, the command's own CPU seconds, its workers' CPU seconds)."""
    read, write = os.pipe()
    args = [sys.executable, "-c", _CHILD, "convert", str(path), *flags, "--jobs", str(jobs)]
    with out.open("wb") as sink:
        start = time.perf_counter()
        child = subprocess.Popen(
            args,
            stdout=sink,
            stderr=subprocess.DEVNULL,
            pass_fds=(write,),
            env={**os.environ, "BENCH_FD": str(write)},
            cwd=ROOT,
        )
        os.close(write)
        child.wait()
        wall = time.perf_counter() - start
    report = os.read(read, 200).decode().split()
    os.close(read)
    if child.returncode != 0 or len(report) != 3 or report[2] != "0":
        raise SystemExit(f"translate convert failed: {args}")
    return wall, float(report[0]), float(report[1])


def digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def spread(values: list[float], fmt: str = ",.0f") -> str:
    return f"{statistics.median(values):{fmt}} ({min(values):{fmt}}-{max(values):{fmt}})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--jobs", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", nargs="*", default=["requests", "conversations"])
    parser.add_argument(
        "--dir",
        default="/dev/shm" if Path("/dev/shm").is_dir() else None,
        help="where the corpora and the output go (default: /dev/shm when there is one)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="bench-dataset-") as tmp:
        made = corpus(Path(tmp), args.rows)
        out = Path(tmp) / "out.jsonl"
        empty = Path(tmp) / "empty.jsonl"
        empty.write_bytes(b"")
        print(f"load average before: {os.getloadavg()[0]:.2f}; {os.cpu_count()} cores")
        fixed = {
            j: statistics.median(run(empty, [], j, out)[0] for _ in range(3)) for j in args.jobs
        }
        print(
            "fixed cost (an empty file): "
            + ", ".join(f"jobs {j} {s:.3f} s" for j, s in fixed.items())
        )
        print(
            f"{'corpus':<14} {'MB':>6} {'jobs':>4} {'rows/s median (range)':>24}"
            f" {'rows/s/core':>12} {'command CPU':>12} {'scaling':>8} {'steady':>7}"
        )
        for name in args.corpus:
            path, flags = made[name]
            size = path.stat().st_size / 1e6
            run(path, flags, args.jobs[0], out)  # warm-up, untimed
            walls: dict[int, list[float]] = {j: [] for j in args.jobs}
            cpus: dict[int, list[float]] = {j: [] for j in args.jobs}
            mine: dict[int, list[float]] = {j: [] for j in args.jobs}
            digests: dict[int, str] = {}
            for _ in range(args.repeat):
                for jobs in args.jobs:
                    wall, own, workers = run(path, flags, jobs, out)
                    walls[jobs].append(wall)
                    cpus[jobs].append(own + workers)
                    mine[jobs].append(own)
                    digests.setdefault(jobs, digest(out))
            base = args.jobs[0]
            for jobs in args.jobs:
                rate = [args.rows / w for w in walls[jobs]]
                scaling = statistics.median(walls[base]) / statistics.median(walls[jobs])
                steady = (statistics.median(walls[base]) - fixed[base]) / (
                    statistics.median(walls[jobs]) - fixed[jobs]
                )
                print(
                    f"{name:<14} {size:>6.0f} {jobs:>4} {spread(rate):>24}"
                    f" {args.rows / statistics.median(cpus[jobs]):>12,.0f}"
                    f" {statistics.median(mine[jobs]):>10.2f} s {scaling:>7.2f}x {steady:>6.2f}x"
                )
            same = len(set(digests.values())) == 1
            print(f"{'':<14} output of every --jobs identical: {'yes' if same else 'NO'}")
        print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
