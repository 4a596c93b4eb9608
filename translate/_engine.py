"""Rows at scale: one JSON Lines row at a time, in chunks, in worker processes, in order.

The command's engine for JSON Lines and transcripts, and what ``rows.map_batch`` calls per
row. Nothing here holds more than a bounded number of chunks: the reader yields chunks of
lines, at most ``2 * jobs + 2`` are in flight, and each comes back (in input order) as the
encoded output lines, the loss counts by (path pattern, kind), the full losses only when a
ledger is wanted, and the bad rows with their line numbers.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any, BinaryIO

import msgspec

from . import batch, conversation, to_anthropic, to_openai, to_responses, transcript
from ._errors import Loss, LossError, TranslationError

LINE_KINDS = ("request", "response", "stream", "error", "conversation", "batch")
KINDS = (*LINE_KINDS, "transcript")

CHUNK_ROWS = 256
CHUNK_BYTES = 4 << 20

_INDEX = re.compile(r"\[\d+\]")
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
    spool: str | None = None
    """A directory for chunks' output (:func:`work_range`); None: output in memory."""


def pattern(path: str) -> str:
    """A loss path with its indexes as ``[*]``: the summary's key."""
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
    counts: dict[str, int] = msgspec.field(default_factory=dict)
    ledger: list[tuple[int, Loss]] = msgspec.field(default_factory=list)
    bad: list[tuple[int, str]] = msgspec.field(default_factory=list)
    lossy: list[int] = msgspec.field(default_factory=list)
    notes: list[tuple[int, str]] = msgspec.field(default_factory=list)
    size: int = 0
    span: int = 0
    spool: str | None = None
    """A file holding the chunk's output lines instead of ``lines`` (see :func:`work_range`)."""
    """Lines the chunk covered, blank ones included (a byte range's rows are numbered from
    1 in the worker; the reader adds the lines before it: :meth:`shift`)."""

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
        done.lines.append(line + b"\n")
    return done


def work_transcript(task: tuple[str, Options, bytes | None]) -> Done:
    """Translate one transcript file into one conversation line."""
    path, options, tools = task
    done = Done(rows=1)
    losses: list[Loss] = []
    try:
        with open(path, "rb") as f:
            done.size = Path(path).stat().st_size
            out = transcript.conversation(
                f,
                to=options.to or "openai",  # type: ignore[arg-type]
                request=tools,
                target=options.target,
                strict=options.strict,
                losses=losses,
            )
    except LossError as err:
        done.lossy.append(1)
        _count(done, 1, err.losses, options.ledger)
        return done
    except TranslationError as err:
        done.bad.append((1, str(err)))
        return done
    except OSError as err:
        done.bad.append((1, str(err)))
        return done
    _count(done, 1, losses, options.ledger)
    done.lines.append(_ENCODE.encode(out) + b"\n")
    return done


def ranges(path: str) -> Iterator[tuple[str, int, int]]:
    """A regular file in byte ranges of about ``CHUNK_BYTES`` that end at a line end, for
    workers that read their own rows: the reader touches one line per chunk, and no row
    crosses a process boundary twice."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        start = 0
        while start < size:
            f.seek(min(start + CHUNK_BYTES, size))
            f.readline()  # to the end of the line the cut fell in
            end = min(f.tell(), size)  # (a seek past the end would tell past it)
            yield path, start, end
            start = end


def work_range(task: tuple[tuple[str, int, int], Options]) -> Done:
    """Read one byte range of a file and translate its rows (numbered from 1)."""
    (path, start, end), options = task
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(end - start)
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    rows = [(n, line.rstrip(b"\r")) for n, line in enumerate(lines, 1) if line.strip()]
    done = work((rows, options))
    done.span = len(lines)
    # The output goes back through a file, not the result pipe: the parent copies it in
    # order with no unpickling, which was the serial part that kept --jobs from scaling.
    if options.spool is not None:
        fd, spool = tempfile.mkstemp(suffix=".jsonl", dir=options.spool)
        with os.fdopen(fd, "wb") as f:
            f.write(b"".join(done.lines))
        done.lines, done.spool = [], spool
    return done


def take(done: Done, out: BinaryIO) -> None:
    """Write a chunk's output lines, from memory or from its spool file (then removed)."""
    if done.spool is None:
        out.write(b"".join(done.lines))
        return
    try:
        with open(done.spool, "rb") as f:
            shutil.copyfileobj(f, out, 1 << 20)
    finally:
        os.unlink(done.spool)


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
    tasks: Iterable[Any], fn: Callable[[Any], Done], jobs: int, pool: Any
) -> Iterator[Done]:
    """``fn`` over ``tasks``, results in input order, at most ``2 * jobs + 2`` in flight
    (``Pool.imap`` would read the whole input ahead: memory would grow with the file)."""
    if pool is None:
        for task in tasks:
            yield fn(task)
        return
    pending: deque[AsyncResult[Done]] = deque()
    for task in tasks:
        pending.append(pool.apply_async(fn, (task,)))
        if len(pending) >= 2 * jobs + 2:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


def summary(counts: Counter[str]) -> list[str]:
    """The loss summary's lines: count, kind and path pattern, most frequent first."""
    lines = []
    for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        path, kind = key.split("\t")
        lines.append(f"{n:>9}  {kind:<12}  {path or '$'}")
    return lines
