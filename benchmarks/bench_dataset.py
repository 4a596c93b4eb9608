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
  only the runs during which other processes used at most ``--quiet`` CPU seconds count,
  when there are two of each (else all do, and the output says the machine was busy);
- the fixed cost (Python starting and importing translate, the workers forked) measured
  apart, as a run on an empty file, and taken out of the "steady" scaling column;
- rows/s/core divides the rows by the CPU time of the command and its workers (user +
  system), which is what "per core" means on a machine shared with other work; "command
  CPU" is the part of it the command's own process used (reading the results, the progress
  bar, starting up) while its workers translated and wrote; "waited", the seconds its
  workers spent waiting for the chunks before theirs to be written (idle, summed);
- how busy the machine was: the CPU time other processes used during each run (from
  /proc/stat, less the command's and its workers'), and whether --jobs 2 wrote the same
  bytes as --jobs 1.
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

# Runs `translate convert` in this child and reports its own CPU time, its workers' (they
# are reaped before main returns) and the seconds the workers waited for their turn to write
# (the chunks' Done.waited, summed as the command reads them) on the file descriptor BENCH_FD.
_CHILD = r"""
import os, resource, sys
from translate import _engine
from translate.cli import main
waited = [0.0]
_ordered = _engine.ordered
def ordered(*args, **kwargs):
    for done in _ordered(*args, **kwargs):
        waited[0] += done.waited
        yield done
_engine.ordered = ordered
status = main(sys.argv[1:])
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
os.write(int(os.environ["BENCH_FD"]), (
    f"{me.ru_utime + me.ru_stime} {kids.ru_utime + kids.ru_stime} {waited[0]} {status}").encode())
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


def busy() -> float:
    """CPU seconds the machine has spent not idle (all cores; 0 where /proc/stat is not)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    ticks = [int(x) for x in fields]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # less idle, iowait


def run(
    path: Path, flags: list[str], jobs: int, out: Path
) -> tuple[float, float, float, float, float]:
    """(wall seconds, the command's own CPU seconds, its workers' CPU seconds, seconds its
    workers waited for their turn to write, CPU seconds other processes used meanwhile)."""
    read, write = os.pipe()
    before = busy()
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
    others = busy() - before
    report = os.read(read, 200).decode().split()
    os.close(read)
    if child.returncode != 0 or len(report) != 4 or report[3] != "0":
        raise SystemExit(f"translate convert failed: {args}")
    own, workers, waited = float(report[0]), float(report[1]), float(report[2])
    return wall, own, workers, waited, max(0.0, others - own - workers)


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
    parser.add_argument("--verbose", action="store_true", help="print every run")
    parser.add_argument(
        "--quiet",
        type=float,
        default=0.25,
        help="a run is on a quiet machine when other processes used at most this CPU time",
    )
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
        print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} before")
        fixed = {
            j: statistics.median(run(empty, [], j, out)[0] for _ in range(5)) for j in args.jobs
        }
        print(
            "fixed cost (an empty file): "
            + ", ".join(f"jobs {j} {s:.3f} s" for j, s in fixed.items())
        )
        print(
            f"{'corpus':<14} {'MB':>6} {'jobs':>4} {'runs':>5} {'rows/s median (range)':>24}"
            f" {'rows/s/core':>12} {'command CPU':>12} {'waited':>7} {'scaling':>8} {'steady':>7}"
        )
        for name in args.corpus:
            path, flags = made[name]
            size = path.stat().st_size / 1e6
            run(path, flags, args.jobs[0], out)  # warm-up, untimed
            runs: dict[int, list[tuple[float, float, float, float, float]]] = {
                j: [] for j in args.jobs
            }
            digests: dict[int, str] = {}
            for _ in range(args.repeat):
                for jobs in args.jobs:
                    wall, own, workers, waited, other = run(path, flags, jobs, out)
                    runs[jobs].append((wall, own, workers, waited, other))
                    digests.setdefault(jobs, digest(out))
                    if args.verbose:
                        print(
                            f"  jobs {jobs}: {wall:.3f} s; CPU: command {own:.2f} s, workers"
                            f" {workers:.2f} s (waited {waited:.3f} s), others {other:.2f} s"
                        )
            # The figures are the runs during which other processes used at most QUIET CPU
            # seconds, when there are two such runs of each --jobs; else all of them.
            quiet = {j: [r for r in rs if r[4] <= args.quiet] for j, rs in runs.items()}
            kept = quiet if all(len(q) >= 2 for q in quiet.values()) else runs
            wall = {j: statistics.median(r[0] for r in rs) for j, rs in kept.items()}
            base = args.jobs[0]
            for jobs in args.jobs:
                rs = kept[jobs]
                rate = [args.rows / r[0] for r in rs]
                cpu = statistics.median(r[1] + r[2] for r in rs)
                steady = (wall[base] - fixed[base]) / (wall[jobs] - fixed[jobs])
                print(
                    f"{name:<14} {size:>6.0f} {jobs:>4} {len(rs):>5} {spread(rate):>24}"
                    f" {args.rows / cpu:>12,.0f}"
                    f" {statistics.median(r[1] for r in rs):>10.2f} s"
                    f" {statistics.median(r[3] for r in rs):>5.2f} s"
                    f" {wall[base] / wall[jobs]:>7.2f}x {steady:>6.2f}x"
                )
            same = len(set(digests.values())) == 1
            busy_runs = sum(len(rs) - len(quiet[j]) for j, rs in runs.items())
            print(
                f"{'':<14} output of every --jobs identical: {'yes' if same else 'NO'};"
                f" {busy_runs} of {sum(map(len, runs.values()))} runs had other processes"
                f" using more than {args.quiet} CPU s"
                + ("" if kept is quiet else " (too many: all runs counted, the machine was busy)")
            )
        print(f"load average {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
