"""An estimate of the input tokens of an anthropic Messages request, without a tokenizer:
what the gateway answers on ``POST /v1/messages/count_tokens`` (README: The gateway)."""

from __future__ import annotations

import base64
import binascii
import contextlib
import re
import struct
from collections.abc import Mapping
from typing import Any

import msgspec

CHARS_PER_TOKEN = 3.5
"""ASCII characters per token; other characters (CJK, ...) count one each. A little under
what the last published Claude tokenizer (Claude 2's) gives for English prose (3.7) and
Python (3.8), so the estimate leans high, the safe side for deciding when to compact."""
MESSAGE_TOKENS = 4
"""The role markers around each message."""
TOOLS_TOKENS = 350
"""The tool-use system prompt the API adds when ``tools`` is present (a few hundred tokens,
by model and ``tool_choice``)."""
IMAGE_TOKENS_MAX = 1600
PDF_PAGE_TOKENS = 2250
"""Anthropic documents 1,500 to 3,000 tokens per PDF page (its text plus its image)."""
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_SKIP_KEYS = frozenset(
    ("type", "id", "tool_use_id", "cache_control", "signature", "citations", "media_type")
)


def estimate_tokens(request: Mapping[str, Any]) -> int:
    """An estimate of the input tokens of an anthropic Messages request, with no tokenizer.

    Text: ASCII characters / CHARS_PER_TOKEN, plus one token per other character; tool
    inputs and schemas as their compact JSON. Each message adds MESSAGE_TOKENS, tools the
    tool-use system prompt (TOOLS_TOKENS). Images: Anthropic's formula, width x height / 750
    after fitting the long edge to 1568 px, at most 1600 (the size read from the PNG, GIF
    or JPEG header; 1600 when unreadable). PDFs: PDF_PAGE_TOKENS a page. Thinking blocks of
    earlier turns count nothing, as on the API.
    """
    counter = _Counter()
    counter.visit(request.get("system"))
    messages = request.get("messages") or ()
    for m in messages:
        counter.fixed += MESSAGE_TOKENS
        if isinstance(m, dict):
            counter.visit(m.get("content"))
    tools = request.get("tools")
    if isinstance(tools, list) and tools:
        counter.fixed += TOOLS_TOKENS
        for tool in tools:
            counter.json(tool)
    return max(1, round(counter.ascii / CHARS_PER_TOKEN) + counter.other + counter.fixed)


class _Counter:
    __slots__ = ("ascii", "fixed", "other")

    def __init__(self) -> None:
        self.ascii = 0
        self.other = 0
        self.fixed = 0

    def text(self, s: str) -> None:
        n = len(s)
        if s.isascii():
            self.ascii += n
        else:
            other = len(s.encode("ascii", "ignore"))
            self.ascii += other
            self.other += n - other

    def json(self, value: Any) -> None:
        with contextlib.suppress(TypeError, msgspec.EncodeError):
            self.text(msgspec.json.encode(value).decode())

    def visit(self, value: Any) -> None:
        if isinstance(value, str):
            self.text(value)
        elif isinstance(value, list):
            for v in value:
                self.visit(v)
        elif isinstance(value, dict):
            kind = value.get("type")
            if kind in ("thinking", "redacted_thinking"):
                return
            if kind == "image":
                self.fixed += _image_tokens(value.get("source"))
            elif (
                kind == "document"
                and isinstance(value.get("source"), dict)
                and value["source"].get("type") != "text"
            ):
                self.fixed += _pdf_tokens(value["source"])
                self.visit(value.get("title"))
            elif kind == "tool_use":
                self.visit(value.get("name"))
                self.json(value.get("input"))
            else:
                for key, v in value.items():
                    if key not in _SKIP_KEYS:
                        self.visit(v)


def _b64(source: Any, limit: int | None = None) -> bytes:
    data = (
        source.get("data") if isinstance(source, dict) and source.get("type") == "base64" else None
    )
    if not isinstance(data, str):
        return b""
    if limit is not None:
        data = data[: limit - limit % 4]
    try:
        return base64.b64decode(data)
    except (binascii.Error, ValueError):
        return b""


def _image_tokens(source: Any) -> int:
    size = _image_size(_b64(source, 64 * 1024))
    if size is None:
        return IMAGE_TOKENS_MAX
    w, h = size
    scale = min(1.0, 1568 / max(w, h, 1))
    return max(1, min(IMAGE_TOKENS_MAX, round(w * scale * h * scale / 750)))


def _image_size(head: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG, GIF or JPEG header."""
    if head[:8] == b"\x89PNG\r\n\x1a\n" and len(head) >= 24:
        return struct.unpack(">II", head[16:24])
    if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        return struct.unpack("<HH", head[6:10])
    if head[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(head):
            if head[i] != 0xFF:
                return None
            marker = head[i + 1]
            length = int.from_bytes(head[i + 2 : i + 4], "big")
            if marker in (
                0xC0,
                0xC1,
                0xC2,
                0xC3,
                0xC5,
                0xC6,
                0xC7,
                0xC9,
                0xCA,
                0xCB,
                0xCD,
                0xCE,
                0xCF,
            ):
                h, w = struct.unpack(">HH", head[i + 5 : i + 9])
                return w, h
            i += 2 + length
    return None


def _pdf_tokens(source: Any) -> int:
    pages = len(_PDF_PAGE.findall(_b64(source)))
    return PDF_PAGE_TOKENS * max(1, pages)
