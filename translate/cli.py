"""The ``translate`` command.

    translate convert [FILE] [--from DIALECT] [--to DIALECT] [--target NAME] [--strict] [--losses text|json]
    translate schemas [DIR] [--check]

``convert`` reads a request (FILE or stdin), works out its dialect unless ``--from`` says,
writes the translation to stdout and the losses to stderr. Exit status: 0 translated,
1 translated with losses under ``--strict``, 2 bad input (the TranslationError message,
naming the JSON path, on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import msgspec

from . import anthropic, openai, to_anthropic, to_openai
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
}

# Keys only one dialect's request has; a request with neither is read as anthropic when it
# has max_tokens (required there, deprecated in openai), else as openai.
_OPENAI_ONLY = frozenset(
    ("max_completion_tokens", "n", "logprobs", "response_format", "reasoning_effort", "stop",
     "parallel_tool_calls", "stream_options", "frequency_penalty", "presence_penalty", "seed", "user")
)
_ANTHROPIC_ONLY = frozenset(("system", "stop_sequences", "output_config", "metadata", "top_k"))
_OPENAI_ROLES = frozenset(("developer", "tool", "function"))
_ANTHROPIC_BLOCKS = frozenset(("tool_use", "tool_result", "image", "document", "thinking", "redacted_thinking"))


def schema_texts() -> dict[str, str]:
    """``{file name: JSON Schema text}`` for every public struct, as ``schemas/`` holds them."""
    return {
        f"{name}.json": json.dumps(msgspec.json.schema(tp), indent=2, sort_keys=True) + "\n"
        for name, tp in SCHEMAS.items()
    }


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
        if isinstance(content, list) and any(isinstance(b, dict) and b.get("type") in _ANTHROPIC_BLOCKS for b in content):
            return "anthropic"
    for tool in body.get("tools") or ():
        if isinstance(tool, dict):
            return "openai" if "function" in tool else "anthropic"
    return "anthropic" if "max_tokens" in keys else "openai"


def _convert(args: argparse.Namespace) -> int:
    raw = Path(args.file).read_bytes() if args.file and args.file != "-" else sys.stdin.buffer.read()
    losses: list[Loss] = []
    try:
        source = args.source or detect(msgspec.json.decode(raw))
        to = args.to or ("openai" if source == "anthropic" else "anthropic")
        if to == source:
            raise TranslationError("", f"--to {to} is the dialect of the input")
        fn = to_openai.request if to == "openai" else to_anthropic.request
        result = fn(raw, target=args.target, strict=args.strict, losses=losses)
    except LossError as err:
        _report(err.losses, args.losses)
        return 1
    except (TranslationError, msgspec.DecodeError) as err:
        print(f"translate: {err}", file=sys.stderr)
        return 2
    sys.stdout.write(json.dumps(msgspec.to_builtins(result), indent=2, ensure_ascii=False) + "\n")
    _report(losses, args.losses)
    return 0


def _report(losses: list[Loss], style: str) -> None:
    if style == "json":
        for loss in losses:
            sys.stderr.write(msgspec.json.encode(loss).decode() + "\n")
    else:
        for loss in losses:
            sys.stderr.write(f"loss: {loss.path}: {loss.kind}: {loss.detail}\n")


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
        print(f"translate: stale schemas in {out}: {', '.join(stale)} (run `translate schemas {out}`)", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="translate", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    convert = sub.add_parser("convert", help="translate a request to the other dialect")
    convert.add_argument("file", nargs="?", help="a JSON file (default: stdin)")
    convert.add_argument("--from", dest="source", choices=("openai", "anthropic"), help="the input's dialect (default: detected)")
    convert.add_argument("--to", choices=("openai", "anthropic"), help="the output's dialect (default: the other one)")
    convert.add_argument("--target", default="compatible", help="a preset name (default: compatible)")
    convert.add_argument("--strict", action="store_true", help="exit 1 instead of translating with losses")
    convert.add_argument("--losses", choices=("text", "json"), default="text", help="how losses are written to stderr")
    convert.set_defaults(run=_convert)
    schemas = sub.add_parser("schemas", help="write the JSON Schema of every public struct")
    schemas.add_argument("dir", nargs="?", default="schemas")
    schemas.add_argument("--check", action="store_true", help="exit 1 if the files differ from the structs")
    schemas.set_defaults(run=_schemas)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
