"""Rows at scale: one JSON Lines row at a time, in chunks, in worker processes, in order.

The command's engine for JSON Lines and transcripts, and what ``rows.map_batch`` calls per
row. Nothing here holds more than a bounded number of chunks: at most ``2 * jobs + 2`` are
in flight, and each comes back (in input order) as a small :class:`Done`: the loss counts
by (path pattern, kind), the full losses only when a ledger is wanted, the bad rows with
their line numbers, and the encoded output lines unless a worker wrote them itself.

A regular file is cut into byte ranges that end at a line end (:func:`ranges`); each task
names a range, the worker (:class:`Workers`: forked processes, no thread in the command)
reads it, translates its rows and, when its turn comes (the chunks before it written:
:class:`Turns`), writes its output straight to the output file descriptor, shared with the
command since the fork. No row crosses a pipe and the command copies nothing: it waits, and
counts. Standard input is read by the command in chunks of rows (:func:`chunks`) and its
output comes back in the :class:`Done`. With one process, the command runs the same
functions itself.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import msgspec

from . import batch, conversation, to_anthropic, to_openai, to_responses, transcript
from ._errors import Loss, LossError, TranslationError

LINE_KINDS = ("request", "response", "stream", "error", "conversation", "batch")
KINDS = (*LINE_KINDS, "transcript")

CHUNK_ROWS = 256
CHUNK_BYTES = 4 << 20

_INDEX = re.compile(r"\[[^\]]*\]")
_DECODE = msgspec.json.Decoder()
_ENCODE = msgspec.json.Encoder()
_MODULES: dict[str, Any] = {
    "openai": to_openai,
    "anthropic": to_anthropic,
    "responses": to_responses,
}


class Options(msgspec.Struct, frozen=True):
    """How each row is translated (picklable: handed to every worker with its chunk)."""

    kind: str | None = None
    source: str | None = None
    to: str | None = None
    target: str = "compatible"
    strict: bool = False
    request: bytes | None = None
    status: int | None = None
    ledger: bool = False
    fail: bool = False
    """``--on-error fail``: a chunk with a bad row is not written, nor any chunk after it."""


def pattern(path: str) -> str:
    """A loss path with its indexes as ``[*]`` (a transcript's ``line[7]`` and
    ``subagents[agent-<id>.jsonl]`` too): the summary's key."""
    return _INDEX.sub("[*]", path) if "[" in path else path


def sniff(row: Any) -> str:
    """The kind of one decoded JSON Lines row."""
    if isinstance(row, str):
        return "stream"
    if not isinstance(row, dict):
        raise TranslationError("", f"expected a JSON object, got {type(row).__name__}")
    if "custom_id" in row:
        return "batch"
    if "request" in row:
        return "conversation"
    if row.get("type") == "error" or "error" in row or row.get("object") == "error":
        return "error"
    if row.get("object") == "response" or row.get("type") == "message" or "choices" in row:
        return "response"
    return "request"


def _to(source: str, options: Options) -> str:
    to = options.to or ("openai" if source in ("anthropic", "responses") else "anthropic")
    if to == source:
        raise TranslationError("", f"--to {to} is the dialect of the input")
    return to


def convert_row(raw: bytes, options: Options, losses: list[Loss]) -> tuple[bytes, str | None]:
    """One row's output (encoded JSON) and a note for stderr (an error's status), or raise
    TranslationError (bad row) or LossError (lossy under strict)."""
    from .cli import kind_of

    kind = options.kind
    row: Any = None
    if kind is None or kind in ("conversation", "batch", "stream"):
        try:
            row = _DECODE.decode(raw)
        except msgspec.DecodeError as exc:
            raise TranslationError("", f"not JSON: {exc}") from None
        kind = kind or sniff(row)
    if kind == "conversation":
        out = conversation.conversation(
            row,
            to=options.to,  # type: ignore[arg-type]
            source=options.source,  # type: ignore[arg-type]
            target=options.target,
            strict=options.strict,
            losses=losses,
        )
        return _ENCODE.encode(out), None
    if kind == "batch":
        if not isinstance(row, dict):
            raise TranslationError("", "a batch line is a JSON object")
        if "params" in row or "body" in row:
            out = batch.request(
                row,
                to=options.to,  # type: ignore[arg-type]
                target=options.target,
                strict=options.strict,
                losses=losses,
            )
        else:
            out = batch.result(
                row,
                to=options.to,  # type: ignore[arg-type]
                request=options.request,
                strict=options.strict,
                losses=losses,
            )
        return _ENCODE.encode(out), None
    if kind == "stream":
        if not isinstance(row, str):
            raise TranslationError("", "a stream row is a JSON string holding the SSE text")
        sse = row.encode()
        _, source = kind_of(sse)
        source = options.source or source
        mod = _MODULES[_to(source, options)]
        found: list[Loss] = []
        extra: dict[str, Any] = {"source": "responses"} if source == "responses" else {}
        text = b"".join(mod.sse([sse], request=options.request, losses=found, **extra))
        if options.strict and found:
            raise LossError(found)
        losses.extend(found)
        return _ENCODE.encode(text.decode()), None
    if kind == "error":
        from .cli import _error_dialect

        source = options.source or _error_dialect(raw)
        status, body = _MODULES[_to(source, options)].error(raw, status=options.status)
        return _ENCODE.encode(body), f"status: {status}"
    found_kind, source = kind_of(raw) if options.source is None else (kind, options.source)
    if found_kind != kind and options.kind is not None:
        raise TranslationError("", f"this input reads as a {found_kind}, not a {kind}")
    mod = _MODULES[_to(source, options)]
    extra = {"source": "responses"} if source == "responses" else {}
    if kind == "request":
        result = mod.request(
            raw, target=options.target, strict=options.strict, losses=losses, **extra
        )
    else:
        result = mod.response(
            raw, request=options.request, strict=options.strict, losses=losses, **extra
        )
    return _ENCODE.encode(result), None


class Done(msgspec.Struct):
    """One chunk's results, in input order."""

    rows: int = 0
    lines: list[bytes] = msgspec.field(default_factory=list)
    """The chunk's output, a line and its end at a time; empty when a worker wrote it."""
    counts: dict[str, int] = msgspec.field(default_factory=dict)
    ledger: list[tuple[int, Loss]] = msgspec.field(default_factory=list)
    bad: list[tuple[int, str]] = msgspec.field(default_factory=list)
    lossy: list[int] = msgspec.field(default_factory=list)
    notes: list[tuple[int, str]] = msgspec.field(default_factory=list)
    size: int = 0
    span: int = 0
    """Lines the chunk covered, blank ones included (a byte range's rows are numbered from
    1 in the worker; the reader adds the lines before it: :meth:`shift`)."""
    waited: float = 0.0
    """Seconds the worker waited for the chunks before this one to be written."""

    def shift(self, base: int) -> None:
        """Make the worker's line numbers the file's: ``base`` lines came before."""
        if base:
            self.bad = [(n + base, m) for n, m in self.bad]
            self.lossy = [n + base for n in self.lossy]
            self.notes = [(n + base, m) for n, m in self.notes]
            self.ledger = [(n + base, loss) for n, loss in self.ledger]


def _count(done: Done, number: int, losses: list[Loss], ledger: bool) -> None:
    counts = done.counts
    for loss in losses:
        key = f"{pattern(loss.path)}\t{loss.kind}"
        counts[key] = counts.get(key, 0) + 1
        if ledger:
            done.ledger.append((number, loss))


def work(task: tuple[list[tuple[int, bytes]], Options]) -> Done:
    """Translate one chunk of (line number, line) rows (a worker's whole job)."""
    chunk, options = task
    done = Done(rows=len(chunk))
    lines = done.lines
    for number, raw in chunk:
        done.size += len(raw) + 1
        losses: list[Loss] = []
        try:
            line, note = convert_row(raw, options, losses)
        except LossError as err:
            done.lossy.append(number)
            _count(done, number, err.losses, options.ledger)
            continue
        except TranslationError as err:
            done.bad.append((number, str(err)))
            continue
        if losses:
            _count(done, number, losses, options.ledger)
        if note:
            done.notes.append((number, note))
        lines.append(line)
        lines.append(b"\n")
    return done


def work_transcript(task: tuple[str, Options, bytes | None]) -> Done:
    """Translate one Claude Code session (its file and its subagents' own files) into one
    line per conversation (:func:`transcript.session`). Losses and errors are numbered 0:
    their paths name the transcript lines."""
    path, options, tools = task
    done = Done(rows=1)
    losses: list[Loss] = []
    try:
        done.size = Path(path).stat().st_size
        records = transcript.session(
            path,
            to=options.to or "openai",  # type: ignore[arg-type]
            request=tools,
            target=options.target,
            strict=options.strict,
            losses=losses,
        )
    except LossError as err:
        done.lossy.append(0)
        _count(done, 0, err.losses, options.ledger)
        return done
    except (TranslationError, OSError) as err:
        done.bad.append((0, str(err)))
        return done
    _count(done, 0, losses, options.ledger)
    done.rows = len(records)
    for record in records:
        done.lines.append(_ENCODE.encode(record))
        done.lines.append(b"\n")
    return done


def ranges(
    path: str, size: int = CHUNK_BYTES, least: int = 256 << 10
) -> Iterator[tuple[str, int, int]]:
    """A regular file in byte ranges that end at a line end, for workers that read their own
    rows: the reader touches one line per range. Ranges are about ``size`` bytes, smaller
    towards the end (an eighth of what is left, at least ``least``): the last ones end
    together instead of one worker finishing a whole range while the others wait. The cuts
    do not depend on the number of workers, so neither does anything said per chunk."""
    with open(path, "rb") as f:
        total = os.fstat(f.fileno()).st_size
        start = 0
        while start < total:
            step = min(size, max(least, (total - start) // 8))
            f.seek(min(start + step, total))
            f.readline()  # to the end of the line the cut fell in
            end = min(f.tell(), total)  # (a seek past the end would tell past it)
            yield path, start, end
            start = end


Out = int | str | None
"""Where a worker writes a chunk's output: an inherited file descriptor (the command's
standard output), the path of a file it appends to, or None (back in :attr:`Done.lines`)."""


def work_range(task: tuple[tuple[str, int, int], Options, int, Out]) -> Done:
    """Read one byte range of a file and translate its rows (numbered from 1). Given where
    to write (``out``), write the output there: in a worker (:class:`Workers`) when the
    chunks before it are written (``seq``: the chunk's place in the command's output); not
    at all under ``fail`` when the chunk has a bad row. Else it is in :attr:`Done.lines`."""
    (path, start, end), options, seq, out = task
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(end - start)
    lines = data.split(b"\n")
    del data
    if lines and not lines[-1]:
        lines.pop()
    span = len(lines)
    rows = [(n, line.rstrip(b"\r")) for n, line in enumerate(lines, 1) if line.strip()]
    del lines
    done = work((rows, options))
    del rows
    done.span = span
    if out is None:
        return done
    if _TURNS is not None:
        _TURNS.write(done, seq, out, options.fail)
    elif not (options.fail and done.bad):  # (one process: the chunks come in order)
        lines, done.lines = done.lines, []
        write_all(_fd(out), lines)
    return done


def work_range_in_turn(task: tuple[tuple[str, int, int], Options, int, Out]) -> Done:
    """:func:`work_range` in a worker: whatever happens, the chunk's turn is passed on (an
    exception stops the writing: no later chunk is written after a missing one)."""
    try:
        return work_range(task)
    except BaseException:
        if _TURNS is not None:
            _TURNS.stop(task[2])
        raise


def chunks(stream: BinaryIO) -> Iterator[list[tuple[int, bytes]]]:
    """(line number, line) rows of a JSON Lines stream in chunks; blank lines skipped."""
    chunk: list[tuple[int, bytes]] = []
    size = 0
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        chunk.append((number, line.rstrip(b"\r\n")))
        size += len(line)
        if len(chunk) >= CHUNK_ROWS or size >= CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def ordered(
    tasks: Iterable[Any], fn: Callable[[Any], Done], workers: Workers | None, window: int = 0
) -> Iterator[Done]:
    """``fn`` over ``tasks``, results in input order: in this process, or in ``workers``
    with at most ``window`` tasks in flight (default ``2 * jobs + 2``)."""
    if workers is None:
        for task in tasks:
            yield fn(task)
        return
    yield from workers.ordered(tasks, fn, window or 2 * workers.jobs + 2)


class WorkerFailed(RuntimeError):
    """A worker process raised (the exception's traceback is the message) or died."""


class Workers:
    """``jobs`` forked worker processes, and nothing else: no thread in the command.

    Tasks go down one pipe as ``(seq, fn, task)``, results come back up another as
    ``(seq, Done)`` or ``(seq, WorkerFailed)``; the command sends a task, reads a result,
    and waits in between (on the result pipe and the workers' exit sentinels, so a worker
    that dies ends the run instead of hanging it). The workers share :class:`Turns`, to
    write their chunks' output themselves in input order.
    """

    def __init__(self, context: Any, jobs: int) -> None:
        self.jobs = jobs
        self.turns = Turns(context)
        self._tasks_out, self._tasks_in = context.Pipe(duplex=False)
        self._results_out, self._results_in = context.Pipe(duplex=False)
        self._take = context.Lock()  # one worker reads a task at a time
        self._give = context.Lock()  # one worker writes a result at a time
        self._processes = [
            context.Process(target=self._serve, name=f"translate-worker-{n}", daemon=True)
            for n in range(jobs)
        ]
        for process in self._processes:
            process.start()
        self._tasks_out.close()  # (the workers' end)
        self._results_in.close()

    def _serve(self) -> None:
        """A worker's loop: a task, its result, until told to stop (``None``)."""
        global _TURNS
        _TURNS = self.turns
        keep_heap()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the command stops its workers
        self._tasks_in.close()
        self._results_out.close()
        while True:
            with self._take:
                message = self._tasks_out.recv()
            if message is None:
                return
            seq, fn, task = message
            try:
                result: Any = fn(task)
            except BaseException:
                import traceback

                result = WorkerFailed(traceback.format_exc())
            with self._give:
                self._results_in.send((seq, result))

    def ordered(
        self, tasks: Iterable[Any], fn: Callable[[Any], Done], window: int
    ) -> Iterator[Done]:
        """``fn`` over ``tasks`` in the workers, results in input order, at most ``window``
        in flight (their results, come early, are held until their turn)."""
        from multiprocessing.connection import wait

        sentinels = [p.sentinel for p in self._processes]
        held: dict[int, Done] = {}
        sent = done = 0
        source = iter(tasks)
        more = True
        while more or done < sent:
            while more and sent - done < window:
                task = next(source, None)
                if task is None:
                    more = False
                    break
                self._tasks_in.send((sent, fn, task))
                sent += 1
            if done == sent:
                break
            while done not in held:
                ready = wait([self._results_out, *sentinels])
                if self._results_out in ready:
                    seq, result = self._results_out.recv()
                    if isinstance(result, WorkerFailed):
                        raise result
                    held[seq] = result
                else:
                    raise WorkerFailed("a worker process died")
            yield held.pop(done)
            done += 1
        # Every result is in; a worker that died meanwhile (its sentinel not yet looked at
        # when the last result came) still ends the run as an error, not as a success.
        if any(p.exitcode not in (None, 0) for p in self._processes):
            raise WorkerFailed("a worker process died")

    def close(self) -> None:
        """Stop the workers: at once (they may be waiting for a turn that will not come)."""
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        for process in self._processes:
            process.join()
        self._tasks_in.close()
        self._results_out.close()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_TURNS: Turns | None = None
"""In a worker process: the :class:`Turns` of the command that forked it."""


def keep_heap() -> None:
    """Keep this process's freed heap instead of handing it back to the kernel at once.

    glibc trims the top of the heap as soon as 128 KB of it is free (its threshold adapts
    only when a block it had mapped on its own is freed, which a chunk's many rows never
    are): translating 4 MB chunks, a process faulted about 2,000 pages back in per chunk
    (8 MB), 15% of its CPU time in the kernel (measured: 0.27 s of system time over 311 MB,
    0.03 s with this). With a 64 MB threshold the heap stays at its high-water mark, a few
    chunks' worth. glibc only; elsewhere nothing changes."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # pragma: no cover - a libc without mallopt
        return
    mallopt(-1, 64 << 20)  # M_TRIM_THRESHOLD


class Turns:
    """Workers that write their chunks' output themselves, in input order.

    Chunk ``seq`` (numbered by the command across all its inputs) is written once chunks
    ``0 .. seq - 1`` are: one condition and two shared integers, the next chunk to write
    and a stop flag, inherited by every worker at the fork. A worker waits for its turn
    only after its chunk is translated, and the chunk before it was handed out before it,
    so the wait is short; ``Done.waited`` says how short.
    """

    def __init__(self, ctx: Any) -> None:
        self.cond = ctx.Condition()
        self.state = ctx.RawArray("q", 2)  # [next chunk to write, stopped]

    def write(self, done: Done, seq: int, out: int | str, fail: bool) -> None:
        """Write ``done``'s lines to ``out`` when it is chunk ``seq``'s turn; not at all when
        the run stopped, or when ``fail`` and the chunk has a bad row (then stop it)."""
        lines, done.lines = done.lines, []
        fd = _fd(out)
        begin = time.perf_counter()
        with self.cond:
            while self.state[0] != seq:
                self.cond.wait()
            done.waited = time.perf_counter() - begin
            try:
                if self.state[1]:
                    pass
                elif fail and done.bad:
                    self.state[1] = 1
                else:
                    write_all(fd, lines)
            except BaseException:
                self.state[1] = 1
                raise
            finally:
                self.state[0] = seq + 1
                self.cond.notify_all()

    def stop(self, seq: int) -> None:
        """Chunk ``seq`` failed: stop the run at its turn (unless its turn is over)."""
        with self.cond:
            while self.state[0] < seq:
                self.cond.wait()
            if self.state[0] == seq:
                self.state[1] = 1
                self.state[0] = seq + 1
                self.cond.notify_all()


_FDS: dict[str, int] = {}


def _fd(out: int | str) -> int:
    """The file descriptor to write to: ``out`` itself, or the file it names opened for
    appending (one open at a time: the inputs' outputs come one after the other)."""
    if isinstance(out, int):
        return out
    fd = _FDS.get(out)
    if fd is None:
        for old in _FDS.values():
            os.close(old)
        _FDS.clear()
        fd = _FDS[out] = os.open(out, os.O_WRONLY | os.O_APPEND)
    return fd


_IOV_MAX = 1024


def write_all(fd: int, pieces: list[bytes]) -> None:
    """Write every piece to ``fd`` in order, ``writev`` at a time (no joined copy); a short
    write (a pipe) goes on from where it stopped."""
    for i in range(0, len(pieces), _IOV_MAX):
        batch = pieces[i : i + _IOV_MAX]
        left = sum(map(len, batch))
        n = os.writev(fd, batch)
        if n == left:
            continue
        rest = memoryview(b"".join(batch))[n:]
        while rest:
            rest = rest[os.write(fd, rest) :]


def summary(counts: Counter[str]) -> list[str]:
    """The loss summary's lines: count, kind and path pattern, most frequent first."""
    lines = []
    for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        path, kind = key.split("\t")
        lines.append(f"{n:>9}  {kind:<12}  {path or '$'}")
    return lines
