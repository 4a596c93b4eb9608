"""Claude Code session transcripts -> conversations.

Claude Code writes one JSON Lines file per session (``~/.claude/projects/<dir>/<session>.jsonl``;
subagents in ``<session>/subagents/agent-*.jsonl`` or, in older versions, lines with
``isSidechain: true``). Each line is one event; ``user`` and ``assistant`` lines carry the
API-shaped message in ``message``. The format as read here was checked against a transcript
written by Claude Code 2.1.197 (``fixtures/transcripts/``) and public parsers
(alicoding/claude-parser ``docs/JSONL-STRUCTURE.md``, ticpu/claude-conversation-search-mcp
``docs/jsonl-format.md``, robcodes/claude-history-viewer ``docs/jsonl-data-structure.md``).

What is read:

- ``type``: ``user`` and ``assistant`` lines are the conversation; every other type
  (``attachment``, ``system``, ``summary``, ``queue-operation``, ``last-prompt``,
  ``file-history-snapshot``, ...) is session bookkeeping, counted in one Loss when present;
- ``uuid`` / ``parentUuid``: the conversation is the chain that ends at the last ``user`` or
  ``assistant`` line, walked back through ``parentUuid`` (so rewound branches and whatever
  came before a compaction boundary are not in it: that is what the API saw);
- ``message``: ``role`` and ``content`` (a string or API content blocks: text, thinking with
  its signature, redacted_thinking, tool_use, tool_result, images, ...); on assistant lines
  ``model`` and ``id``: Claude Code writes one line per content block of a response, and
  the lines of one ``message.id`` are one assistant turn; consecutive turns of one role are
  one message, as Claude Code sends them;
- ``isSidechain``: sidechain lines (a subagent's conversation) are not this conversation
  (a Loss);
- ``isApiErrorMessage``: an assistant line Claude Code made up for a failed call (model
  ``<synthetic>``) is not a model turn (a Loss).

Everything else on a line (``timestamp``, ``cwd``, ``gitBranch``, ``version``,
``sessionId``, ``requestId``, ``toolUseResult``, ``usage``, ...) is metadata about the
session, not part of the conversation, and is not read. The transcript has no system prompt
and no tool definitions: ``request=`` (a request Claude Code sent, whose ``tools`` and
``system`` are taken) supplies them; without it each tool the session used gets a definition
with an open input schema (``{"type": "object"}``, approximated: a Loss), and there is no
system prompt (a Loss). ``max_tokens`` is not in a transcript either: the anthropic
conversation says 32000 (approximated), the openai one leaves it out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import msgspec

from . import to_openai, to_responses
from ._errors import Loss, LossError, TranslationError
from .conversation import load

__all__ = ["MAX_TOKENS", "conversation"]

MAX_TOKENS = 32000
"""The ``max_tokens`` an anthropic conversation from a transcript says (a transcript has none)."""

_DECODE = msgspec.json.Decoder()
_TURNS = frozenset(("user", "assistant"))


def _lines(lines: Iterable[Any]) -> list[dict[str, Any]]:
    out = []
    for n, line in enumerate(lines, 1):
        if isinstance(line, (bytes, bytearray, str)):
            if not line.strip():
                continue
            try:
                value = _DECODE.decode(line)
            except msgspec.DecodeError as exc:
                raise TranslationError(f"line {n}", f"not JSON: {exc}") from None
        else:
            value = load(line)
        if not isinstance(value, dict):
            raise TranslationError(f"line {n}", "a transcript line is a JSON object")
        out.append(value)
    return out


def conversation(
    lines: Iterable[Any],
    *,
    to: Literal["openai", "anthropic", "responses"] = "openai",
    request: Any = None,
    target: str = "compatible",
    strict: bool = False,
    losses: list[Loss] | None = None,
) -> dict[str, Any]:
    """The conversation of one Claude Code session transcript, as a request body of ``to``.

    ``lines``: the transcript's lines (bytes, str or dicts), in file order. ``request``: a
    request Claude Code sent in that session (any form ``request`` takes), whose ``tools``
    and ``system`` are used. Loss paths are ``transcript.<what>`` for what the transcript
    lacks and ``messages[N]...`` for the translation of the built conversation.
    """
    events = _lines(lines)
    found: list[Loss] = []
    by_uuid = {e["uuid"]: e for e in events if isinstance(e.get("uuid"), str)}
    turns = [e for e in events if e.get("type") in _TURNS and isinstance(e.get("message"), dict)]
    if not turns:
        raise TranslationError("", "a transcript without user or assistant lines")
    # A subagent's own file (agent-*.jsonl) is all sidechain: then that is the conversation.
    main = [e for e in turns if not e.get("isSidechain")] or turns
    sidechain = len(turns) - len(main)
    if sidechain:
        found.append(Loss("transcript.isSidechain", "dropped", f"{sidechain} subagent lines"))
    other = sorted({str(e.get("type")) for e in events if e.get("type") not in _TURNS})
    if other:
        found.append(
            Loss("transcript.type", "dropped", f"session bookkeeping lines: {', '.join(other)}")
        )
    chain: list[dict[str, Any]] = []
    seen: set[str] = set()
    node: dict[str, Any] | None = main[-1]
    while node is not None and node.get("uuid") not in seen:
        seen.add(node.get("uuid", ""))
        if node.get("type") in _TURNS and isinstance(node.get("message"), dict):
            chain.append(node)
        parent = node.get("parentUuid")
        node = by_uuid.get(parent) if isinstance(parent, str) else None
    chain.reverse()
    if len(chain) < len(main):
        found.append(
            Loss(
                "transcript.parentUuid",
                "dropped",
                f"{len(main) - len(chain)} lines off the last branch (rewound or compacted)",
            )
        )
    messages: list[dict[str, Any]] = []
    model = ""
    used: dict[str, None] = {}
    synthetic = 0
    for e in chain:
        message = e["message"]
        role = message.get("role", e["type"])
        if e.get("isApiErrorMessage") or message.get("model") == "<synthetic>":
            synthetic += 1
            continue
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        if not isinstance(blocks, list):
            raise TranslationError(f"{e.get('uuid')}.message.content", "expected str or list")
        for block in blocks:
            if isinstance(block, dict) and block.get("type") == "tool_use":
                used.setdefault(str(block.get("name")), None)
        if role == "assistant" and isinstance(message.get("model"), str):
            model = message["model"]
        if messages and messages[-1]["role"] == role:
            messages[-1]["content"].extend(blocks)
        else:
            messages.append({"role": role, "content": list(blocks)})
    if synthetic:
        found.append(
            Loss("transcript.isApiErrorMessage", "dropped", f"{synthetic} made-up error turns")
        )
    body: dict[str, Any] = {"model": model or "unknown", "max_tokens": MAX_TOKENS}
    if to == "anthropic":
        found.append(Loss("transcript.max_tokens", "approximated", f"not recorded: {MAX_TOKENS}"))
    given = load(request) if request is not None else None
    if isinstance(given, dict):
        if given.get("system") is not None:
            body["system"] = given["system"]
        if given.get("tools") is not None:
            body["tools"] = given["tools"]
    else:
        found.append(Loss("transcript.system", "dropped", "a transcript has no system prompt"))
        if used:
            body["tools"] = [{"name": name, "input_schema": {"type": "object"}} for name in used]
            found.append(
                Loss(
                    "transcript.tools",
                    "approximated",
                    "a transcript has no tool definitions: open input schemas",
                )
            )
    body["messages"] = messages
    if to == "anthropic":
        out = body
    else:
        mod: Any = to_openai if to == "openai" else to_responses
        out = msgspec.to_builtins(mod.request(body, target=target, losses=found))
        for key in ("max_completion_tokens", "max_tokens", "max_output_tokens"):
            out.pop(key, None)
    if found:
        if strict:
            raise LossError(found)
        if losses is not None:
            losses.extend(found)
    return out
