"""The ``translate`` command.

    translate convert [FILE ...] [--kind KIND] [--from DIALECT] [--to DIALECT] [--target NAME]
                      [--request FILE] [--status N] [--strict] [--losses text|json|summary]
                      [--losses-file PATH] [--jobs N] [--on-error skip|fail] [--out DIR]
    translate schemas [DIR] [--check]
    translate serve --upstream-url URL --upstream-dialect DIALECT [--target NAME] [--host H] [--port P]

``convert`` reads payloads (files, directories, or stdin), works out the dialect and the kind
of each (request, response, SSE stream, error) unless told, and writes the translation to
stdout and the losses to stderr. One payload gives JSON (or SSE); a ``.jsonl`` file, several
files or a directory give JSON Lines, or files under ``--out``. Exit status: 0 translated,
1 translated with losses under ``--strict``, 2 bad input (the TranslationError message,
naming the JSON path, on stderr).

JSON Lines (and ``--kind conversation|batch|transcript``) go through the row engine
(``_engine``): read and written as a stream, ``--jobs N`` worker processes with the output in
input order, a progress bar on a terminal, a loss summary (or ``--losses text|json`` per
row, ``--losses-file`` for the whole ledger) and bad rows reported with their line numbers.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

import translate as _package

from . import _serve, anthropic, openai, responses, to_anthropic, to_openai, to_responses
from ._errors import Loss, LossError, TranslationError

SCHEMAS: dict[str, Any] = {
    "anthropic.MessagesRequest": anthropic.MessagesRequest,
    "anthropic.MessageResponse": anthropic.MessageResponse,
    "anthropic.StreamEvent": anthropic.StreamEvent,
    "anthropic.ErrorResponse": anthropic.ErrorResponse,
    "openai.ChatCompletionRequest": openai.ChatCompletionRequest,
    "openai.ChatCompletion": openai.ChatCompletion,
    "openai.ChatCompletionChunk": openai.ChatCompletionChunk,
    "openai.ErrorBody": openai.ErrorBody,
    "responses.ResponseCreateParams": responses.ResponseCreateParams,
    "responses.Response": responses.Response,
    "responses.StreamEvent": responses.StreamEvent,
}

# Keys only one dialect's request has; a request with neither is read as anthropic when it
# has max_tokens (required there, deprecated in openai), else as openai.
_OPENAI_ONLY = frozenset(
    (
        "max_completion_tokens",
        "n",
        "logprobs",
        "response_format",
        "reasoning_effort",
        "stop",
        "parallel_tool_calls",
        "stream_options",
        "frequency_penalty",
        "presence_penalty",
        "seed",
        "user",
    )
)
_ANTHROPIC_ONLY = frozenset(("system", "stop_sequences", "output_config", "metadata", "top_k"))
_OPENAI_ROLES = frozenset(("developer", "tool", "function"))
_ANTHROPIC_BLOCKS = frozenset(
    ("tool_use", "tool_result", "image", "document", "thinking", "redacted_thinking")
)


def schema_texts() -> dict[str, str]:
    """``{file name: JSON Schema text}`` for every public struct, as ``schemas/`` holds them.

    The text is the same under every msgspec the project accepts: ``normalize_schema`` takes
    out what msgspec versions render differently, and the keys are sorted.
    """
    return {
        f"{name}.json": json.dumps(
            normalize_schema(msgspec.json.schema(tp)), indent=2, sort_keys=True
        )
        + "\n"
        for name, tp in SCHEMAS.items()
    }


_NULL = {"type": "null"}


def normalize_schema(node: Any) -> Any:
    """A JSON Schema in the one form every msgspec version agrees on, recursively.

    - every ``description`` is cleaned as ``inspect.cleandoc`` does (msgspec before 0.23
      copied a docstring's indentation, later ones strip it; Python 3.13 strips it too);
    - ``{"type": "null"}`` comes last among ``anyOf`` / ``oneOf`` alternatives, the others
      keeping their order (msgspec before 0.22 put it first). Alternatives are a set in
      JSON Schema, so this changes no meaning.
    """
    if isinstance(node, list):
        return [normalize_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: normalize_schema(value) for key, value in node.items()}
    if isinstance(out.get("description"), str):
        out["description"] = inspect.cleandoc(out["description"])
    for key in ("anyOf", "oneOf"):
        alternatives = out.get(key)
        if isinstance(alternatives, list) and _NULL in alternatives:
            out[key] = [a for a in alternatives if a != _NULL] + [_NULL]
    return out


def detect(body: Any) -> str:
    """The dialect of a request body: "openai" or "anthropic"."""
    if not isinstance(body, dict):
        raise TranslationError("", f"expected a JSON object, got {type(body).__name__}")
    keys = body.keys()
    if keys & _OPENAI_ONLY:
        return "openai"
    if keys & _ANTHROPIC_ONLY:
        return "anthropic"
    for m in body.get("messages") or ():
        if not isinstance(m, dict):
            continue
        if m.get("role") in _OPENAI_ROLES or "tool_calls" in m:
            return "openai"
        content = m.get("content")
        if isinstance(content, list) and any(
            isinstance(b, dict) and b.get("type") in _ANTHROPIC_BLOCKS for b in content
        ):
            return "anthropic"
    for tool in body.get("tools") or ():
        if isinstance(tool, dict):
            return "openai" if "function" in tool else "anthropic"
    return "anthropic" if "max_tokens" in keys else "openai"


def kind_of(raw: bytes) -> tuple[str, str]:
    """(kind, dialect) of one payload: kind is request, response, stream or error."""
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:64]
    if head.startswith((b"event:", b"data:", b":")):
        start = raw[:4096]
        if b'"type":"response.' in start or b'"type": "response.' in start:
            return "stream", "responses"
        dialect = "anthropic" if b"event:" in start or b'"message_start"' in start else "openai"
        return "stream", dialect
    try:
        body = msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise TranslationError("", f"neither JSON nor an SSE stream: {exc}") from None
    except RecursionError:  # deeper than any payload: unreadable, not a crash
        raise TranslationError("", "nested too deeply to decode") from None
    if not isinstance(body, dict):
        raise TranslationError("", f"expected a JSON object, got {type(body).__name__}")
    if body.get("object") == "response":  # a Response has "error": null
        return "response", "responses"
    if body.get("type") == "error":
        return "error", "anthropic"
    if "error" in body or body.get("object") == "error":
        return "error", "openai"
    if body.get("type") == "message":
        return "response", "anthropic"
    if "choices" in body or body.get("object") == "chat.completion":
        return "response", "openai"
    if "input" in body and "messages" not in body:
        return "request", "responses"
    return "request", detect(body)


def _error_dialect(raw: bytes) -> str:
    """Which dialect an error body is in, for any bytes: anthropic only when it says so."""
    try:
        body = msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        return "openai"
    return "anthropic" if isinstance(body, dict) and body.get("type") == "error" else "openai"


def convert_one(raw: bytes, args: argparse.Namespace, losses: list[Loss]) -> tuple[str, Any]:
    """Translate one payload: ("json", struct) or ("sse", bytes)."""
    if args.kind == "error":
        kind, source = "error", args.source or _error_dialect(raw)
    else:
        kind, source = kind_of(raw)
        if args.kind and args.kind != kind:
            raise TranslationError("", f"this input reads as a {kind}, not a {args.kind}")
    source = args.source or source
    to = args.to or ("openai" if source in ("anthropic", "responses") else "anthropic")
    if to == source:
        raise TranslationError("", f"--to {to} is the dialect of the input")
    mod: Any = {"openai": to_openai, "anthropic": to_anthropic, "responses": to_responses}[to]
    # A Responses payload is said so (the other dialects are told apart by shape).
    extra: dict[str, Any] = {"source": "responses"} if source == "responses" else {}
    request = Path(args.request).read_bytes() if args.request else None
    if kind == "request":
        return "json", mod.request(
            raw, target=args.target, strict=args.strict, losses=losses, **extra
        )
    if kind == "response":
        return "json", mod.response(
            raw, request=request, strict=args.strict, losses=losses, **extra
        )
    if kind == "error":
        status, body = mod.error(raw, status=args.status)
        sys.stderr.write(f"status: {status}\n")
        return "json", body
    if source == "responses" and not hasattr(mod, "RESPONSES_STREAMS"):
        raise TranslationError("", f"a Responses stream cannot be translated to {to} yet")
    found: list[Loss] = []
    out = b"".join(mod.sse([raw], request=request, losses=found, **extra))
    losses.extend(found)
    if args.strict and found:
        raise LossError(found)
    return "sse", out


def _inputs(names: list[str]) -> list[tuple[str, Path | None]]:
    if not names or names == ["-"]:
        return [("-", None)]
    found: list[tuple[str, Path | None]] = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            found.extend(
                (str(p.relative_to(path)), p)
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix in (".json", ".jsonl", ".sse")
            )
        else:
            found.append((path.name, path))
    return found


def _convert(args: argparse.Namespace) -> int:
    inputs = _inputs(args.files)
    if args.kind in _ROW_KINDS or args.jobs != 1:
        rows, inputs = inputs, []
    else:
        rows = [(n, p) for n, p in inputs if p is not None and p.suffix == ".jsonl"]
        inputs = [(n, p) for n, p in inputs if p is None or p.suffix != ".jsonl"]
    many = len(inputs) + len(rows) > 1 or bool(rows)
    status = _rows(rows, args) if rows else 0
    if args.losses is None:
        args.losses = "text"
    for name, path in inputs:
        raw = sys.stdin.buffer.read() if path is None else path.read_bytes()
        records = (
            [line for line in raw.splitlines() if line.strip()]
            if path is not None and path.suffix == ".jsonl"
            else [raw]
        )
        results = []
        for n, record in enumerate(records, 1):
            where = f"{name}:{n}" if len(records) > 1 else name
            losses: list[Loss] = []
            try:
                results.append(convert_one(record, args, losses))
            except LossError as err:
                _report(err.losses, args.losses, where if many else None)
                status = max(status, 1)
                continue
            except TranslationError as err:
                print(f"translate: {where + ': ' if many else ''}{err}", file=sys.stderr)
                status = 2
                continue
            except OSError as err:
                print(f"translate: {where}: {err}", file=sys.stderr)
                status = 2
                continue
            _report(losses, args.losses, where if many else None)
        _emit(results, name, args, many)
    return status


_ROW_KINDS = frozenset(("conversation", "batch", "transcript"))


def _rows(inputs: list[tuple[str, Path | None]], args: argparse.Namespace) -> int:
    """JSON Lines inputs (and transcripts) through the row engine: streamed, in chunks, in
    ``--jobs`` processes, output in input order; a summary of the losses at the end."""
    import os

    from . import _engine

    style = args.losses or "summary"
    options = _engine.Options(
        kind=None if args.kind == "transcript" else args.kind,
        source=args.source,
        to=args.to,
        target=args.target,
        strict=args.strict,
        request=Path(args.request).read_bytes() if args.request else None,
        status=args.status,
        ledger=bool(args.losses_file) or style != "summary",
        fail=args.on_error == "fail",
    )
    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
    if args.kind == "transcript":
        inputs = _sessions(inputs)
    try:
        return _rows_in(inputs, args, options, jobs)
    except _engine.WorkerFailed as err:
        print(f"translate: --jobs: {err}", file=sys.stderr)
        return 2


def _rows_in(
    inputs: list[tuple[str, Path | None]], args: argparse.Namespace, options: Any, jobs: int
) -> int:
    """:func:`_rows` with its options made."""
    import gc
    import itertools
    import multiprocessing
    from collections import Counter
    from contextlib import ExitStack

    from . import _engine

    style = args.losses or "summary"
    counts: Counter[str] = Counter()
    totals = {"rows": 0, "bad": 0, "lossy": 0}
    status = 0
    numbers = itertools.count()  # the chunks' places in the output, across the inputs
    _engine.keep_heap()  # here as in the workers: chunks come and go
    with ExitStack() as stack:
        workers: _engine.Workers | None = None
        if jobs > 1:
            # Workers write their chunks' output themselves, in turn (_engine.Turns): the
            # command reads nothing but their small results. gc.freeze: the workers' garbage
            # collections then leave the pages they share with the command unwritten.
            gc.freeze()
            context = multiprocessing.get_context("fork")
            workers = stack.enter_context(_engine.Workers(context, jobs))
        ledger = stack.enter_context(open(args.losses_file, "wb")) if args.losses_file else None
        sizes = sum(p.stat().st_size for _, p in inputs if p is not None and p.is_file())
        bar = _progress(stack, sizes)
        for name, path in inputs:
            where = name
            out: Any
            written: _engine.Out = None  # where workers write this input's output themselves
            window = 0  # tasks in flight (0: the default, 2 * jobs + 2)
            if args.out:
                target = Path(args.out) / name
                target.parent.mkdir(parents=True, exist_ok=True)
                out = stack.enter_context(open(target, "wb"))
                written = str(target)
            else:
                out = sys.stdout.buffer
                try:
                    written = out.fileno()
                except (AttributeError, OSError, ValueError):  # not a file (in-process use)
                    written = None
            if args.kind == "transcript":
                # One session a task: its file and its subagents' own files (which are not
                # inputs of their own when their session's file is one: _sessions).
                tasks: Any = [(str(path), options, options.request)] if path else []
                fn: Any = _engine.work_transcript
            elif path is not None and path.is_file():
                # Each worker reads its own byte ranges of the file and writes its output when
                # its turn comes: no row crosses a pipe, the command copies nothing. One
                # process reads the same ranges and writes them the same way.
                out.flush()
                tasks = (
                    (span, options, next(numbers), written) for span in _engine.ranges(str(path))
                )
                fn = _engine.work_range_in_turn if workers is not None else _engine.work_range
            else:
                stream = sys.stdin.buffer if path is None else stack.enter_context(open(path, "rb"))
                tasks = ((chunk, options) for chunk in _engine.chunks(stream))
                fn = _engine.work
                window = jobs  # tasks of 4 MB: one in flight a worker, no more
            base = 0
            for done in _engine.ordered(tasks, fn, workers, window):
                done.shift(base)
                base += done.span
                if done.bad and args.on_error == "fail":
                    # The chunk is not written (nor any after it): its bad row, and stop.
                    number, message = done.bad[0]
                    print(f"translate: {_at(where, number)}: {message}", file=sys.stderr)
                    print(
                        f"translate: {_at(where, number)}: stopped (--on-error fail); the"
                        " rows before this chunk were written",
                        file=sys.stderr,
                    )
                    return 2
                if done.lines:
                    out.write(b"".join(done.lines))
                _report_rows(done, where, style, ledger)
                counts.update(done.counts)
                totals["rows"] += done.rows
                totals["bad"] += len(done.bad)
                totals["lossy"] += len(done.lossy)
                if bar is not None:
                    bar(done.rows, done.size)
                if done.bad:
                    status = 2
            if out is sys.stdout.buffer:
                out.flush()
    if totals["lossy"]:
        status = max(status, 1)
    if style == "summary":
        ok = totals["rows"] - totals["bad"] - totals["lossy"]
        print(
            f"translate: {ok} of {totals['rows']} rows translated"
            + (f", {totals['bad']} bad" if totals["bad"] else "")
            + (f", {totals['lossy']} lossy (not written: --strict)" if totals["lossy"] else "")
            + (f"; {counts.total()} losses:" if counts else "; no loss"),
            file=sys.stderr,
        )
        for line in _engine.summary(counts):
            print(line, file=sys.stderr)
    return status


def _sessions(inputs: list[tuple[str, Path | None]]) -> list[tuple[str, Path | None]]:
    """Transcript inputs without the files that are read with a session's: a subagent's own
    file when its session's file is an input too, and ``agent-*.meta.json`` files."""
    from . import transcript

    paths = {p.resolve() for _, p in inputs if p is not None}
    theirs = {
        f.resolve()
        for _, p in inputs
        if p is not None
        for f in transcript.subagent_files(p)
        if p.resolve() in paths
    }
    return [
        (name, p)
        for name, p in inputs
        if p is None or (not p.name.endswith(".meta.json") and p.resolve() not in theirs)
    ]


def _at(where: str, number: int) -> str:
    """``file:line``; a transcript's losses and errors (number 0) carry their lines in their
    paths (``line[7]...``), so the file alone."""
    return f"{where}:{number}" if number else where


def _report_rows(done: Any, where: str, style: str, ledger: Any) -> None:
    """A chunk's bad rows, notes and (unless only summed up) losses, in line order: what is
    said on stderr and in the ledger does not depend on where the chunks were cut."""
    said: list[tuple[int, int, Any]] = [(n, 0, m) for n, m in done.bad]
    said.extend((n, 1, note) for n, note in done.notes)
    if ledger is not None or style != "summary":
        said.extend((n, 2, loss) for n, loss in done.ledger)
    said.sort(key=lambda x: (x[0], x[1]))
    for number, what, item in said:
        at = _at(where, number)
        if what == 0:
            print(f"translate: {at}: {item}", file=sys.stderr)
        elif what == 1:
            print(f"{at}: {item}", file=sys.stderr)
        else:
            if ledger is not None:
                record = msgspec.to_builtins(item)
                ledger.write(msgspec.json.encode({"input": at, **record}) + b"\n")
            if style != "summary":
                _report([item], style, at)


def _progress(stack: Any, total_bytes: int) -> Callable[[int, int], None] | None:
    """A progress bar on stderr (rows, rows/s, ETA) when it is a terminal and tqdm (the
    ``cli`` extra) is installed; the row total is estimated from the bytes read so far."""
    if not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        return None
    bar = stack.enter_context(tqdm(unit=" rows", file=sys.stderr, dynamic_ncols=True))
    seen = {"rows": 0, "bytes": 0}

    def update(rows: int, size: int) -> None:
        seen["rows"] += rows
        seen["bytes"] += size
        if total_bytes and seen["bytes"]:
            bar.total = max(seen["rows"], round(seen["rows"] * total_bytes / seen["bytes"]))
        bar.update(rows)

    return update


def _emit(results: list[tuple[str, Any]], name: str, args: argparse.Namespace, many: bool) -> None:
    def text(form: str, value: Any, pretty: bool) -> bytes:
        if form == "sse":
            stream: bytes = value  # convert_one gives the SSE bytes with "sse"
            return stream
        if pretty:
            return (
                json.dumps(msgspec.to_builtins(value), indent=2, ensure_ascii=False) + "\n"
            ).encode()
        return msgspec.json.encode(value) + b"\n"

    if args.out:
        target = Path(args.out) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"".join(text(f, v, not many or len(results) == 1) for f, v in results))
        return
    for form, value in results:
        if many and form == "sse":
            sys.stdout.buffer.write(msgspec.json.encode(value.decode()) + b"\n")
        else:
            sys.stdout.buffer.write(text(form, value, not many))
    sys.stdout.flush()


def _report(losses: list[Loss], style: str, where: str | None = None) -> None:
    for loss in losses:
        if style == "json":
            record = msgspec.to_builtins(loss)
            if where:
                record = {"input": where, **record}
            sys.stderr.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            sys.stderr.write(
                f"loss: {where + ': ' if where else ''}{loss.path}: {loss.kind}: {loss.detail}\n"
            )


def _schemas(args: argparse.Namespace) -> int:
    out = Path(args.dir)
    stale = []
    for name, text in schema_texts().items():
        path = out / name
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            out.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if stale:
        print(
            f"translate: stale schemas in {out}: {', '.join(stale)} (run `translate schemas {out}`)",
            file=sys.stderr,
        )
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="translate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {_package.__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    convert = sub.add_parser("convert", help="translate requests, responses, streams and errors")
    convert.add_argument(
        "files", nargs="*", help="JSON, JSON Lines or SSE files, or directories (default: stdin)"
    )
    convert.add_argument(
        "--from",
        dest="source",
        choices=("openai", "anthropic", "responses"),
        help="the input's dialect (default: detected)",
    )
    convert.add_argument(
        "--to",
        choices=("openai", "anthropic", "responses"),
        help="the output's dialect (default: the other one)",
    )
    convert.add_argument(
        "--target", default="compatible", help="a preset name (default: compatible)"
    )
    convert.add_argument(
        "--strict", action="store_true", help="exit 1 instead of translating with losses"
    )
    convert.add_argument(
        "--losses",
        choices=("text", "json", "summary"),
        help="how losses are written to stderr: one line each (text, the default for single"
        " payloads; json), or counts by path pattern and kind (summary, the default for rows)",
    )
    convert.add_argument(
        "--kind",
        choices=("request", "response", "stream", "error", "conversation", "batch", "transcript"),
        help="the input's kind (default: detected; --kind error takes any bytes, an HTML page"
        " included; conversation, batch and transcript read JSON Lines)",
    )
    convert.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="worker processes for JSON Lines (default 1; 0: one per core); output in input order",
    )
    convert.add_argument(
        "--on-error",
        choices=("skip", "fail"),
        default="skip",
        help="a bad row is reported with its line number and skipped (default), or ends the run",
    )
    convert.add_argument(
        "--losses-file", help="write every loss of every row to PATH as JSON Lines (the ledger)"
    )
    convert.add_argument(
        "--request", help="the client's original request, for responses and streams"
    )
    convert.add_argument("--status", type=int, help="the HTTP status of an error body")
    convert.add_argument("--out", help="write each result under this directory instead of stdout")
    convert.set_defaults(run=_convert)
    schemas = sub.add_parser("schemas", help="write the JSON Schema of every public struct")
    schemas.add_argument("dir", nargs="?", default="schemas")
    schemas.add_argument(
        "--check", action="store_true", help="exit 1 if the files differ from the structs"
    )
    schemas.set_defaults(run=_schemas)
    serve = sub.add_parser(
        "serve", help="run the gateway: one dialect in front of an upstream that speaks the other"
    )
    _serve.add_arguments(serve)
    serve.set_defaults(run=_serve.run)
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    return run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
