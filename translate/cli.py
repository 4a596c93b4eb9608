"""The ``translate`` command.

    translate convert [FILE ...] [--from DIALECT] [--to DIALECT] [--target NAME] [--request FILE]
                      [--status N] [--strict] [--losses text|json] [--out DIR]
    translate schemas [DIR] [--check]
    translate serve --upstream-url URL --upstream-dialect DIALECT [--target NAME] [--host H] [--port P]

``convert`` reads payloads (files, directories, or stdin), works out the dialect and the kind
of each (request, response, SSE stream, error) unless told, and writes the translation to
stdout and the losses to stderr. One payload gives JSON (or SSE); a ``.jsonl`` file, several
files or a directory give JSON Lines, or files under ``--out``. Exit status: 0 translated,
1 translated with losses under ``--strict``, 2 bad input (the TranslationError message,
naming the JSON path, on stderr).
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
    many = len(inputs) > 1 or any(p is not None and p.suffix == ".jsonl" for _, p in inputs)
    status = 0
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
        choices=("text", "json"),
        default="text",
        help="how losses are written to stderr",
    )
    convert.add_argument(
        "--kind",
        choices=("request", "response", "stream", "error"),
        help="the input's kind (default: detected; --kind error takes any bytes, an HTML page included)",
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
