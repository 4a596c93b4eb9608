"""Reading an error body of any shape: what both ``error`` converters start from.

An upstream error can be an anthropic body, an openai body, a provider's variant of one
(MiMo's real reason in ``param``, vLLM's flat ``{"object": "error", ...}``, DeepSeek's
``unknown_error`` type, FastAPI's ``{"detail": ...}``, a Google-style ``status`` word), or
no JSON at all (a proxy's HTML page, plain text, an empty body). ``read`` never raises:
whatever it is given, it returns the few facts an error of either dialect is made of.
"""

from __future__ import annotations

import html
import http
import re
from typing import Any

import msgspec

from ._tables import ERROR_BY_STATUS, anthropic_error_type

MESSAGE_LIMIT = 2000
"""Longest message taken from a body that is not an error object (an HTML page, text)."""
_SCAN_LIMIT = 65536  # how much of a non-JSON body is searched for a title
_TAG = re.compile(r"<[^>]*>")


class Facts:
    """What an error body says. ``names`` are the words naming its kind, most telling
    first (its type, its code, a status word); ``status`` is a status the body itself
    states (MiMo's ``code: "400"``, vLLM's ``code: 400``)."""

    __slots__ = ("code", "message", "names", "param", "request_id", "status", "type")

    def __init__(self, message: str = "") -> None:
        self.message = message
        self.type: str | None = None
        self.names: tuple[str, ...] = ()
        self.param: str | None = None
        self.code: str | None = None
        self.status: int | None = None
        self.request_id: str | None = None


def read(body: Any) -> Facts:
    try:
        return _read(body)
    except Exception:
        return Facts()


def status_of(status: Any, facts: Facts, default: int) -> int:
    """The status to answer with: the caller's, else the body's own, else ``default``."""
    if isinstance(status, int) and not isinstance(status, bool):
        return status
    if isinstance(status, str) and _digits(status):
        return int(status)
    if facts.status is not None:
        return facts.status
    return default


def error_type(names: tuple[str, ...], status: int | None) -> str:
    """The anthropic error type of an error called ``names`` that came with ``status``
    (``_tables.anthropic_error_type``), where a generic server-side word (openai's
    ``server_error``, ``internal_error``, ...) gives way to a 5xx status that has a type of
    its own: a 529 with ``server_error`` is ``overloaded_error``, a 504 ``timeout_error``.
    Anthropic's own ``api_error`` stays what it says."""
    found = anthropic_error_type(names, status)
    if (
        found == "api_error"
        and status is not None
        and 500 < status < 600
        and "api_error" not in names
    ):
        return ERROR_BY_STATUS.get(status, found)
    return found


def fallback_message(status: int) -> str:
    """The message of an error whose body said nothing: the status and its phrase."""
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return "529 Overloaded" if status == 529 else f"upstream error with status {status}"


# --- reading -------------------------------------------------------------------------------


def _read(body: Any) -> Facts:
    if isinstance(body, msgspec.Struct):
        return _value(msgspec.to_builtins(body))
    if hasattr(body, "model_dump") and not isinstance(body, type):
        return _value(body.model_dump(mode="json", by_alias=True))
    if isinstance(body, (bytes, bytearray, memoryview)):
        return _text(bytes(body).decode("utf-8", "replace"))
    if isinstance(body, str):
        return _text(body)
    if body is None:
        return Facts()
    return _value(body)


def _text(text: str) -> Facts:
    if not text.strip():
        return Facts()
    try:
        value = msgspec.json.decode(text)
    except (msgspec.DecodeError, RecursionError):
        framed = _sse_data(text)
        if framed is None:
            return Facts(_prose(text))
        value = framed
    return _value(value)


def _sse_data(text: str) -> Any:
    """The JSON of an error body that arrived SSE-framed (``data: {"error": {...}}``, as
    some OpenAI-compatible servers answer a streamed request they refuse): the first
    ``data`` payload that is JSON, else ``None``."""
    head = text.lstrip("\ufeff \t\r\n")[:6]
    if not head.startswith(("data:", "event:", ":")):
        return None
    for line in text[:_SCAN_LIMIT].splitlines():
        if line.startswith("data:"):
            data = line[5:].strip()
            if data and data != "[DONE]":
                try:
                    return msgspec.json.decode(data)
                except (msgspec.DecodeError, RecursionError):
                    continue
    return None


def _prose(text: str) -> str:
    """A message from a body that is not JSON: an HTML page's title, else its text."""
    text = text.strip()
    if text.startswith("<"):
        head = text[:_SCAN_LIMIT]
        found = _title(head)
        text = html.unescape(_TAG.sub(" ", head if found is None else found))
    text = "".join(
        c if c.isprintable() else " " for c in text
    )  # NULs and the like of a binary body
    return _clip(" ".join(text.split()))


def _title(head: str) -> str | None:
    """The text of the first ``<title>`` (else ``<h1>``) element that is closed: one
    forward scan each (a regex with a lazy ``.*?`` backtracks quadratically on a page of
    thousands of unclosed titles, seconds on the event loop)."""
    lower = head.lower()
    for tag in ("title", "h1"):
        start = lower.find("<" + tag)
        while start >= 0:
            after = start + 1 + len(tag)
            if after < len(lower) and (lower[after] == ">" or lower[after].isspace()):
                gt = lower.find(">", after)
                if gt < 0:
                    break
                end = lower.find("</" + tag, gt + 1)
                if end < 0:
                    break  # no closing tag after the first opening one: none after later ones
                return head[gt + 1 : end]
            start = lower.find("<" + tag, after)
    return None


def _digits(text: str) -> bool:
    text = text.strip()
    return 0 < len(text) <= 9 and text.isascii() and text.isdigit()


def _clip(text: str) -> str:
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "\u2026"


def _json_text(value: Any) -> str:
    try:
        return _clip(msgspec.json.encode(value).decode())
    except (TypeError, ValueError, OverflowError, RecursionError):
        return _clip(repr(value))


def _value(value: Any) -> Facts:
    """A decoded JSON value: an error object, a list holding one, or anything else."""
    if isinstance(value, list):
        first = next((v for v in value if isinstance(v, dict)), None)
        if first is not None:
            return _object(first)
    if isinstance(value, dict):
        return _object(value)
    if value is None:
        return Facts()
    return Facts(value if isinstance(value, str) else _json_text(value))


def _object(d: dict[str, Any]) -> Facts:
    facts = Facts()
    err = d.get("error")
    inner = err if isinstance(err, dict) else d
    message = inner.get("message")
    if message is None:
        message = err if isinstance(err, str) else inner.get("detail", inner.get("msg"))
    facts.message = _message(message)

    kind = inner.get("type")
    if isinstance(kind, str) and kind and kind != "error":
        facts.type = kind
    code = inner.get("code")
    if isinstance(code, bool):
        code = None
    if isinstance(code, int) or (isinstance(code, str) and _digits(code)):
        number = int(code)
        if 100 <= number <= 599:
            facts.status = number
        facts.code = str(code)
    elif isinstance(code, str) and code:
        facts.code = code
    word = inner.get("status")
    names = [
        facts.type,
        facts.code if facts.status is None else None,
        word if isinstance(word, str) else None,
    ]
    facts.names = tuple(n for n in names if n)

    param = inner.get("param")
    if isinstance(param, str) and param:
        if any(c.isspace() for c in param.strip()):
            # Not a parameter's name but a sentence: MiMo's real reason ("Param Incorrect").
            facts.message = f"{facts.message}: {param}" if facts.message else param
        else:
            facts.param = param
    metadata = inner.get("metadata")
    raw = metadata.get("raw") if isinstance(metadata, dict) else None
    if isinstance(raw, str) and raw.strip() and raw not in facts.message:
        # OpenRouter: "Provider returned error", the provider's own reason in metadata.raw.
        facts.message = f"{facts.message}: {raw.strip()}" if facts.message else raw.strip()
    request_id = d.get("request_id")
    if isinstance(request_id, str):
        facts.request_id = request_id
    if not facts.message and not facts.names and d:
        facts.message = _json_text(d)  # nothing says what went wrong: say what the body was
    return facts


def _message(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        # FastAPI's validation detail: [{"loc": [...], "msg": "...", "type": "..."}]
        parts = []
        for v in value:
            loc = v.get("loc")
            where = ".".join(str(p) for p in loc) if isinstance(loc, list) else ""
            msg = v.get("msg", v.get("message"))
            text = msg if isinstance(msg, str) else _json_text(v)
            parts.append(f"{where}: {text}" if where else text)
        return _clip("; ".join(parts))
    return _json_text(value)
