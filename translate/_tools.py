"""Tools both directions share: arguments as a string or an object, and names that fit.

openai ``function.arguments`` is a string the model wrote; anthropic ``tool_use.input`` is
an object. Blank arguments are none. Arguments that are not a JSON object (a model's broken
output) are a Loss and travel as ``{"_raw_arguments": "<the string>"}``, which comes back
as the same string; a lone ``_raw_arguments`` whose string is itself a JSON object is a
real parameter, since parsing would have produced that object instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

import msgspec

from ._ledger import Ctx

_arguments_object = msgspec.json.Decoder(dict[str, Any])
_arguments_encoder = msgspec.json.Encoder()


def parse_arguments(text: str, ctx: Ctx, path: str) -> dict[str, Any]:
    """``function.arguments`` -> ``tool_use.input``."""
    if not text.strip():
        return {}
    try:
        value = _arguments_object.decode(text)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        ctx.approx(path, "not a JSON object: kept as _raw_arguments")
        return {"_raw_arguments": text}
    if len(value) == 1 and _raw(value) is not None:
        ctx.approx(path, "a lone _raw_arguments parameter reads back as raw arguments")
    return value


def dump_arguments(value: dict[str, Any]) -> str:
    """``tool_use.input`` -> ``function.arguments``."""
    raw = _raw(value) if len(value) == 1 else None
    return raw if raw is not None else _arguments_encoder.encode(value).decode()


def _raw(value: dict[str, Any]) -> str | None:
    raw = value.get("_raw_arguments")
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        _arguments_object.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return raw
    return None


def short_name(name: str, limit: int) -> str:
    """A name of at most ``limit`` characters standing for ``name``, the same every time.

    The prefix keeps it readable, the digest keeps it unique; the original is recovered
    from the client's request (``request=``), never from a table kept in memory.
    """
    if len(name) <= limit:
        return name
    digest = hashlib.blake2b(name.encode(), digest_size=5).hexdigest()
    return f"{name[: limit - len(digest) - 1]}_{digest}"


def tool_names(names: Iterable[str], limit: int) -> dict[str, str]:
    """``{original: as sent}`` for the names that had to be shortened."""
    return {n: s for n in names if (s := short_name(n, limit)) != n}
