"""Claude Code session transcripts -> conversations, the session's own and each subagent's.

Claude Code writes one JSON Lines file per session, ``~/.claude/projects/<dir>/<session>.jsonl``.
Each line is one event; ``user`` and ``assistant`` lines carry the API-shaped message in
``message``. A subagent (the ``Agent`` tool, called ``Task`` before 2.1) has a conversation
of its own, kept in one of three places depending on the version, all read here:

- 2.1 and later: its own file, ``<dir>/<session>/subagents/agent-<agentId>.jsonl`` (nested
  folders under ``subagents/`` too), every line ``isSidechain: true`` with its ``agentId``,
  and beside it ``agent-<agentId>.meta.json``: ``{"agentType", "description", "toolUseId",
  "spawnDepth"}``;
- 2.0: its own file beside the session's, ``<dir>/agent-<agentId>.jsonl``, lines with
  ``isSidechain: true``, ``agentId`` and the parent's ``sessionId``;
- 1.x: lines in the session's own file, ``isSidechain: true``, no ``agentId``; several
  subagents' lines interleave, each subagent's a tree of its own (its first line has no
  ``parentUuid``).

The format as read here comes from transcripts written by Claude Code 2.1.197, 2.0.64 and
1.0.128 against a loopback mock (``fixtures/transcripts/``: a plain session, a subagent, two
subagents at once) and agrees with public parsers (alicoding/claude-parser
``docs/JSONL-STRUCTURE.md``, ticpu/claude-conversation-search-mcp ``docs/jsonl-format.md``,
robcodes/claude-history-viewer ``docs/jsonl-data-structure.md``, sonnes/chitragupt
``docs/specs/004-subagents.md``, daaain/claude-code-log PR 80).

What is read, on each line:

- ``type``: ``user`` and ``assistant`` lines are the conversation; every other type
  (``attachment``, ``system``, ``summary``, ``queue-operation``, ``last-prompt``,
  ``file-history-snapshot``, ...) is session bookkeeping: one Loss per transcript, at the
  first such line, counting them;
- ``uuid`` / ``parentUuid``: a conversation is the chain that ends at its last ``user`` or
  ``assistant`` line, walked back through ``parentUuid``, plus what Claude Code sends with
  it that hangs beside the chain: the other lines of an assistant turn on it (the same
  ``message.id``: parallel tool calls are one line each, chained one after the other) and
  the ``tool_result`` lines answering its tool calls. Rewound branches, and what came
  before a compaction, are left out (a Loss at the first such line): that is what the API
  saw;
- ``message``: ``role`` and ``content`` (a string or API content blocks: text, thinking with
  its signature, redacted_thinking, tool_use, tool_result, images, ...); on assistant lines
  ``model`` and ``id``: Claude Code writes one line per content block of a response, and
  consecutive lines of one role are one message, as Claude Code sends them;
- ``isSidechain``: the line is a subagent's, not the session's own conversation;
- ``agentId``: which subagent (2.0 and later); without it (1.x) each sidechain tree is one;
- ``isApiErrorMessage``: an assistant line Claude Code made up for a failed call (model
  ``<synthetic>``) is not a model turn (a Loss at the first such line);
- ``sessionId``: the session the conversation belongs to (a 2.0 ``agent-*.jsonl`` file
  belongs to the session it names);
- on a ``user`` line answering a subagent's tool call, ``toolUseResult.agentId`` (2.0 and
  later; else the tool result's text ``agentId: <id>``): which subagent answered, and so
  which ``tool_use`` started it.

How a subagent's conversation is linked to its parent: by the ``id`` of the ``Agent`` /
``Task`` ``tool_use`` that started it, found (first that applies) in its ``meta.json``
(``toolUseId``), through the parent's ``tool_result`` for it (``toolUseResult.agentId`` or
the ``agentId:`` line of its text), or, for 1.x, as the tool call whose ``input.prompt`` is
the subagent's first user message. Its ``agentType`` and ``description`` are the tool
call's ``input.subagent_type`` and ``input.description`` (else the ``meta.json``'s). A
subagent started by no tool call (2.0's "Warmup" agents) is converted all the same, with
no ``tool_use_id``.

Everything else on a line (``timestamp``, ``cwd``, ``gitBranch``, ``version``,
``requestId``, ``usage``, the rest of ``toolUseResult``, ...) is metadata about the
session, not part of a conversation, and is not read. A transcript has no system prompt
and no tool definitions: ``request=`` (a request Claude Code sent, whose ``tools`` and
``system`` are taken) supplies them for the session's own conversation; a subagent gets the
definitions ``request=`` has of the tools it used, and no system prompt (its own is not
recorded: a Loss). A tool used and not defined gets an open input schema
(``{"type": "object"}``, approximated: a Loss); no ``request=``, no system prompt (a Loss).
``max_tokens`` is not in a transcript either: an anthropic conversation says 32000
(approximated), an openai one leaves it out.

Loss paths name the transcript line: ``line[7].message.content[1].signature`` is the
second content block of the message on line 7 (line numbers as an editor shows them, blank
lines counted); in a subagent's own file, ``subagents[agent-<agentId>.jsonl].line[3]...``.
What no line has is ``transcript.system``, ``transcript.tools[N]`` (a definition made from
the tool's use), ``transcript.max_tokens``; a definition taken from ``request=`` is
``request.tools[N]`` / ``request.system``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import msgspec

from . import to_openai, to_responses
from ._errors import Loss, LossError, TranslationError
from .conversation import load

__all__ = ["MAX_TOKENS", "conversation", "conversations", "session", "subagent_files"]

MAX_TOKENS = 32000
"""The ``max_tokens`` an anthropic conversation from a transcript says (a transcript has none)."""

Dialect = Literal["openai", "anthropic", "responses"]

_DECODE = msgspec.json.Decoder()
_TURNS = frozenset(("user", "assistant"))
_SPAWN = frozenset(("Agent", "Task"))
_AGENT_ID = re.compile(r"agentId: ([\w@.-]+)")
_MESSAGES = re.compile(r"messages\[(\d+)\]")
_BLOCK = re.compile(r"\.content\[(\d+)\]")


class _Line(msgspec.Struct):
    number: int
    event: dict[str, Any]


def _lines(lines: Iterable[Any], where: str) -> list[_Line]:
    out = []
    for n, line in enumerate(lines, 1):
        if isinstance(line, (bytes, bytearray, str)):
            if not line.strip():
                continue
            try:
                value = _DECODE.decode(line)
            except msgspec.DecodeError as exc:
                raise TranslationError(f"{where}line[{n}]", f"not JSON: {exc}") from None
        else:
            value = load(line)
        if not isinstance(value, dict):
            raise TranslationError(f"{where}line[{n}]", "a transcript line is a JSON object")
        out.append(_Line(n, value))
    return out


def _is_turn(line: _Line) -> bool:
    return line.event.get("type") in _TURNS and isinstance(line.event.get("message"), dict)


def _blocks(line: _Line) -> list[Any]:
    content = line.event["message"].get("content")
    return content if isinstance(content, list) else []


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            str(b.get("text", ""))
            for b in content
            if isinstance(b, dict) and b.get("type") == "text"
        )
    return ""


class _Source:
    """One file's lines (the session's, or a subagent's own) and the prefix of its paths."""

    def __init__(self, lines: list[_Line], where: str, name: str | None = None) -> None:
        self.lines = lines
        self.where = where  # "" for the session's file, "subagents[<name>]." for another
        self.name = name
        self.by_uuid = {x.event["uuid"]: x for x in lines if isinstance(x.event.get("uuid"), str)}


class _Group:
    """The turns of one conversation: the session's own, or one subagent's."""

    def __init__(self, source: _Source, turns: list[_Line], agent: str | None) -> None:
        self.source = source
        self.turns = turns
        self.agent = agent  # the agentId, None for the session's own (and 1.x subagents)
        self.sidechain = False
        self.meta: dict[str, Any] = {}
        self.tool_use_id: str | None = None
        self.parent: _Group | None = None
        self.spawn: dict[str, Any] = {}  # the tool call's input
        self.order = (1 << 62, 0, 0)  # where its tool call is (none: after all that have one)

    def first_prompt(self) -> str:
        for x in self.turns:
            if x.event["type"] == "user":
                return _text(x.event["message"].get("content"))
        return ""


def _chain(group: _Group) -> list[_Line]:
    """The lines of the conversation that ends at the group's last turn, in file order."""
    source, turns = group.source, group.turns
    kept: dict[int, _Line] = {}
    node: _Line | None = turns[-1]
    seen: set[int] = set()
    while node is not None and node.number not in seen:
        seen.add(node.number)
        if _is_turn(node):
            kept[node.number] = node
        parent = node.event.get("parentUuid")
        node = source.by_uuid.get(parent) if isinstance(parent, str) else None
    # What hangs beside the chain: the other lines of an assistant turn on it, and the
    # results of its tool calls (Claude Code chains parallel tool calls one after the
    # other, and each result to its own call).
    ids = {x.event["message"].get("id") for x in kept.values() if x.event["type"] == "assistant"}
    ids.discard(None)
    for x in turns:
        if x.event["type"] == "assistant" and x.event["message"].get("id") in ids:
            kept.setdefault(x.number, x)
    calls = {
        b.get("id")
        for x in kept.values()
        if x.event["type"] == "assistant"
        for b in _blocks(x)
        if isinstance(b, dict) and b.get("type") == "tool_use"
    }
    answered = {
        b.get("tool_use_id")
        for x in kept.values()
        if x.event["type"] == "user"
        for b in _blocks(x)
        if isinstance(b, dict) and b.get("type") == "tool_result"
    }
    uuids = {x.event.get("uuid") for x in kept.values()}
    for x in turns:
        if x.number in kept or x.event["type"] != "user" or x.event.get("parentUuid") not in uuids:
            continue
        results = [b for b in _blocks(x) if isinstance(b, dict) and b.get("type") == "tool_result"]
        if (
            results
            and len(results) == len(_blocks(x))
            and all(b.get("tool_use_id") in calls - answered for b in results)
        ):
            kept[x.number] = x
            answered.update(b.get("tool_use_id") for b in results)
    return [kept[n] for n in sorted(kept)]


def _groups(main: _Source, others: list[_Source]) -> list[_Group]:
    """The session's own conversation first (when the file has one: a subagent's own file
    has none), then each subagent's: its sidechain lines in the session's file by agent (or,
    without ``agentId``, by sidechain tree), then each subagent file's."""
    groups: list[_Group] = []
    turns = [x for x in main.lines if _is_turn(x)]
    own = [x for x in turns if not x.event.get("isSidechain")]
    if own:
        groups.append(_Group(main, own, None))
        turns = [x for x in turns if x.event.get("isSidechain")]
    for source, lines in [(main, turns)] + [
        (other, [x for x in other.lines if _is_turn(x)]) for other in others
    ]:
        by_key: dict[str, list[_Line]] = {}
        for x in lines:
            agent = x.event.get("agentId")
            key = f"agent:{agent}" if isinstance(agent, str) else f"root:{_root(source, x)}"
            by_key.setdefault(key, []).append(x)
        for key, found in by_key.items():
            agent = key[len("agent:") :] if key.startswith("agent:") else None
            if agent is None and source.name is not None:
                agent = _file_agent(source.name)
            group = _Group(source, found, agent)
            group.sidechain = True
            groups.append(group)
    return groups


def _file_agent(name: str) -> str | None:
    stem = Path(name).name
    if stem.startswith("agent-") and stem.endswith(".jsonl"):
        return stem[len("agent-") : -len(".jsonl")]
    return None


def _root(source: _Source, line: _Line) -> int:
    """The line number of the first line of the sidechain tree ``line`` is in (1.x)."""
    seen: set[int] = set()
    while line.number not in seen:
        seen.add(line.number)
        parent = line.event.get("parentUuid")
        up = source.by_uuid.get(parent) if isinstance(parent, str) else None
        if up is None or not up.event.get("isSidechain"):
            return line.number
        line = up
    return line.number


def _link(groups: list[_Group]) -> None:
    """Find the tool call that started each subagent, and the conversation it is in."""
    calls: dict[str, tuple[_Group, dict[str, Any], tuple[int, int, int]]] = {}
    answers: dict[str, str] = {}  # agentId -> the tool_use_id its result answers
    for g, group in enumerate(groups):
        for x in group.turns:
            blocks = [b for b in _blocks(x) if isinstance(b, dict)]
            for j, b in enumerate(blocks):
                if b.get("type") == "tool_use" and b.get("name") in _SPAWN:
                    given = b.get("input")
                    calls.setdefault(
                        str(b.get("id")),
                        (group, dict(given) if isinstance(given, dict) else {}, (g, x.number, j)),
                    )
            results = [b for b in blocks if b.get("type") == "tool_result"]
            result = x.event.get("toolUseResult")
            if len(results) == 1 and isinstance(result, dict) and result.get("agentId"):
                answers.setdefault(str(result["agentId"]), str(results[0].get("tool_use_id")))
                continue
            for b in results:
                found = _AGENT_ID.search(_text(b.get("content")))
                if found:
                    answers.setdefault(found[1], str(b.get("tool_use_id")))
    taken: set[str] = set()
    for group in groups:
        if not group.sidechain:
            continue
        tool_use_id = group.meta.get("toolUseId")
        if not isinstance(tool_use_id, str) and group.agent is not None:
            tool_use_id = answers.get(group.agent)
        if not isinstance(tool_use_id, str):  # 1.x: the call whose prompt this agent got
            prompt = group.first_prompt()
            tool_use_id = next(
                (
                    i
                    for i, (g, given, _) in calls.items()
                    if g is not group and i not in taken and given.get("prompt") == prompt
                ),
                None,
            )
        if tool_use_id is not None and tool_use_id in calls:
            taken.add(tool_use_id)
            group.tool_use_id = tool_use_id
            group.parent, group.spawn, group.order = calls[tool_use_id]
        elif isinstance(tool_use_id, str):
            group.tool_use_id = tool_use_id


class _Where:
    """Paths in the conversation as built -> paths in the transcript."""

    def __init__(self, where: str, tools_from: list[int] | None, given: bool) -> None:
        self.where = where
        # per message: (its first block's index, the line, whether the line's content was a
        # string, made one text block)
        self.origin: list[list[tuple[int, int, bool]]] = []
        self.tools_from = tools_from  # tools[N] -> request.tools[tools_from[N]]; None: made
        self.given = given  # request= gave the system prompt

    def name(self, path: str) -> str:
        head = _MESSAGES.match(path)
        if head is None:
            key = path.split(".", 1)[0].split("[", 1)[0]
            if key == "tools":
                index = re.match(r"tools\[(\d+)\](.*)", path)
                if index is not None and self.tools_from is not None:
                    n = int(index[1])
                    if n < len(self.tools_from):
                        return f"request.tools[{self.tools_from[n]}]{index[2]}"
                return f"transcript.{path}"
            if key == "system" and self.given:
                return f"request.{path}"
            return f"transcript.{path}" if path else "transcript"
        segments = self.origin[int(head[1])]
        rest = path[head.end() :]
        block = _BLOCK.match(rest)
        if block is None:
            return f"{self.where}line[{segments[0][1]}].message{rest}"
        j = int(block[1])
        start, number, text = next(s for s in reversed(segments) if s[0] <= j)
        if text:
            return f"{self.where}line[{number}].message.content"
        return f"{self.where}line[{number}].message.content[{j - start}]{rest[block.end() :]}"


def _first(lines: list[_Line]) -> int:
    return min(x.number for x in lines)


def _build(
    group: _Group,
    to: Dialect,
    given: dict[str, Any] | None,
    target: str,
    found: list[Loss],
) -> dict[str, Any]:
    """One conversation as a request body of ``to``."""
    where = group.source.where
    chain = _chain(group)
    if len(chain) < len(group.turns):
        off = [x for x in group.turns if x not in chain]
        found.append(
            Loss(
                f"{where}line[{_first(off)}].parentUuid",
                "dropped",
                f"{len(off)} lines off the last branch (rewound or compacted)",
            )
        )
    messages: list[dict[str, Any]] = []
    origin: list[list[tuple[int, int, bool]]] = []
    model = ""
    used: dict[str, None] = {}
    synthetic: list[_Line] = []
    for x in chain:
        message = x.event["message"]
        role = message.get("role", x.event["type"])
        if x.event.get("isApiErrorMessage") or message.get("model") == "<synthetic>":
            synthetic.append(x)
            continue
        content = message.get("content")
        text = isinstance(content, str)
        blocks = [{"type": "text", "text": content}] if text else content
        if not isinstance(blocks, list):
            raise TranslationError(
                f"{where}line[{x.number}].message.content", "expected str or list"
            )
        for b in blocks:
            if isinstance(b, dict) and b.get("type") == "tool_use":
                used.setdefault(str(b.get("name")), None)
        if role == "assistant" and isinstance(message.get("model"), str):
            model = message["model"]
        if messages and messages[-1]["role"] == role:
            origin[-1].append((len(messages[-1]["content"]), x.number, text))
            messages[-1]["content"].extend(blocks)
        else:
            messages.append({"role": role, "content": list(blocks)})
            origin.append([(0, x.number, text)])
    if synthetic:
        found.append(
            Loss(
                f"{where}line[{_first(synthetic)}].isApiErrorMessage",
                "dropped",
                f"{len(synthetic)} made-up error turns",
            )
        )
    body: dict[str, Any] = {"model": model or "unknown", "max_tokens": MAX_TOKENS}
    if to == "anthropic":
        found.append(Loss("transcript.max_tokens", "approximated", f"not recorded: {MAX_TOKENS}"))
    defined = given.get("tools") if given is not None else None
    if not isinstance(defined, list):
        defined = None
    tools_from: list[int] | None = None
    if not group.sidechain and defined is not None:
        body["tools"] = defined
        tools_from = list(range(len(defined)))
    elif used:
        # A subagent (or no request=): the definitions request= has of the tools it used,
        # an open one for each other.
        known = {t.get("name"): i for i, t in enumerate(defined or ()) if isinstance(t, dict)}
        tools_from = [known[n] for n in used if n in known]
        missing = [n for n in used if n not in known]
        body["tools"] = [(defined or [])[i] for i in tools_from]
        body["tools"].extend({"name": n, "input_schema": {"type": "object"}} for n in missing)
        if missing:
            found.append(
                Loss(
                    "transcript.tools",
                    "approximated",
                    "a transcript has no tool definitions: open input schemas for "
                    + ", ".join(missing),
                )
            )
    system = not group.sidechain and given is not None and given.get("system") is not None
    if system and given is not None:
        body["system"] = given["system"]
    else:
        found.append(Loss("transcript.system", "dropped", "a transcript has no system prompt"))
    body["messages"] = messages
    if to == "anthropic":
        return body
    names_of = _Where(where, tools_from, system)
    names_of.origin = origin
    mod: Any = to_openai if to == "openai" else to_responses
    said: list[Loss] = []
    try:
        out: dict[str, Any] = msgspec.to_builtins(mod.request(body, target=target, losses=said))
    except TranslationError as err:
        if err.path == "target":
            raise
        raise TranslationError(names_of.name(err.path), err.reason) from None
    found.extend(Loss(names_of.name(x.path), x.kind, x.detail) for x in said)
    for key in ("max_completion_tokens", "max_tokens", "max_output_tokens"):
        out.pop(key, None)
    return out


def _bookkeeping(source: _Source, found: list[Loss]) -> None:
    other = [x for x in source.lines if x.event.get("type") not in _TURNS]
    if other:
        kinds = sorted({str(x.event.get("type")) for x in other})
        found.append(
            Loss(
                f"{source.where}line[{other[0].number}].type",
                "dropped",
                f"{len(other)} session bookkeeping lines: {', '.join(kinds)}",
            )
        )


def _session_id(sources: list[_Source]) -> str | None:
    for source in sources:
        for x in source.lines:
            value = x.event.get("sessionId")
            if isinstance(value, str):
                return value
    return None


def conversations(
    lines: Iterable[Any],
    *,
    name: str | None = None,
    subagents: Mapping[str, Iterable[Any]] | None = None,
    meta: Mapping[str, Any] | None = None,
    to: Dialect = "openai",
    request: Any = None,
    target: str = "compatible",
    strict: bool = False,
    losses: list[Loss] | None = None,
) -> list[dict[str, Any]]:
    """Every conversation of one Claude Code session, each a record (builtins)::

        {"session_id": "...", "agent": None, "request": {...}}           # the session's own
        {"session_id": "...",
         "agent": {"id": "a28bd...", "type": "general-purpose", "description": "...",
                   "tool_use_id": "toolu_01A", "parent": None},        # a subagent's
         "request": {...}}

    ``request`` in each is the conversation as a request body of ``to``; ``agent.parent``
    is the ``agent.id`` of the conversation holding the tool call that started it (None:
    the session's own). The session's own comes first, then the subagents' in the order
    of their first line.

    ``lines``: the session file's lines (bytes, str or dicts), in file order; ``name``:
    its file name (a subagent's own file, ``agent-<agentId>.jsonl``, given alone: the
    agent's id when its lines have none, and its ``meta``). ``subagents``: its subagents'
    own files, ``{file name: lines}`` (as :func:`session` finds them; the file name names
    their losses' paths); ``meta``: ``{file name: the agent-<agentId>.meta.json beside
    it}``, where there is one. ``request``, ``target``, ``strict`` and ``losses`` as in :func:`conversation`.
    """
    main = _Source(_lines(lines, ""), "", name)
    others = []
    for file, file_lines in (subagents or {}).items():
        others.append(
            _Source(_lines(file_lines, f"subagents[{file}]."), f"subagents[{file}].", file)
        )
    groups = _groups(main, others)
    if not groups:
        raise TranslationError("", "a transcript without user or assistant lines")
    for group in groups:
        if group.source.name is not None and meta and group.source.name in meta:
            data = load(meta[group.source.name])
            group.meta = data if isinstance(data, dict) else {}
    _link(groups)
    own = 0 if groups[0].sidechain else 1
    groups[own:] = sorted(groups[own:], key=lambda g: g.order)  # as they were started
    given = load(request) if request is not None else None
    given = given if isinstance(given, dict) else None
    found: list[Loss] = []
    for source in [main, *others]:
        _bookkeeping(source, found)
    session_id = _session_id([main, *others])
    records = []
    for group in groups:
        body = _build(group, to, given, target, found)
        agent: dict[str, Any] | None = None
        if group.sidechain:
            kind = group.spawn.get("subagent_type", group.meta.get("agentType"))
            description = group.spawn.get("description", group.meta.get("description"))
            agent = {
                "id": group.agent,
                "type": kind if isinstance(kind, str) else None,
                "description": description if isinstance(description, str) else None,
                "tool_use_id": group.tool_use_id,
                "parent": group.parent.agent if group.parent is not None else None,
            }
        records.append({"session_id": session_id, "agent": agent, "request": body})
    if found:
        if strict:
            raise LossError(found)
        if losses is not None:
            losses.extend(found)
    return records


def conversation(
    lines: Iterable[Any],
    *,
    to: Dialect = "openai",
    request: Any = None,
    target: str = "compatible",
    strict: bool = False,
    losses: list[Loss] | None = None,
) -> dict[str, Any]:
    """The session's own conversation in one Claude Code transcript, as a request body of
    ``to`` (a subagent's own file: the subagent's).

    ``lines``: the transcript's lines (bytes, str or dicts), in file order. ``request``: a
    request Claude Code sent in that session (any form ``request`` takes), whose ``tools``
    and ``system`` are used. Subagent lines in the file are not this conversation (a Loss
    at the first; :func:`conversations` makes each its own).
    """
    main = _Source(_lines(lines, ""), "")
    groups = _groups(main, [])
    if not groups:
        raise TranslationError("", "a transcript without user or assistant lines")
    found: list[Loss] = []
    _bookkeeping(main, found)
    own = groups[0]
    side = [x for g in groups[1:] for x in g.turns]
    if side:
        found.append(
            Loss(
                f"line[{_first(side)}].isSidechain",
                "dropped",
                f"{len(side)} lines of other conversations (conversations() makes them their own)",
            )
        )
    given = load(request) if request is not None else None
    body = _build(own, to, given if isinstance(given, dict) else None, target, found)
    if found:
        if strict:
            raise LossError(found)
        if losses is not None:
            losses.extend(found)
    return body


def subagent_files(path: str | Path) -> list[Path]:
    """The subagents' own files of the session in ``path``, in name order:
    ``<session>/subagents/**/agent-*.jsonl`` beside it (2.1 and later), and the
    ``agent-*.jsonl`` files beside it whose first line names the session (2.0)."""
    path = Path(path)
    folder = path.parent / path.stem / "subagents"
    found = sorted(folder.rglob("agent-*.jsonl")) if folder.is_dir() else []
    if path.name.startswith("agent-"):
        return found
    for other in sorted(path.parent.glob("agent-*.jsonl")):
        if _first_session(other) == path.stem:
            found.append(other)
    return found


def _first_session(path: Path) -> str | None:
    try:
        with path.open("rb") as f:
            for line in f:
                if line.strip():
                    try:
                        value = _DECODE.decode(line)
                    except msgspec.DecodeError:
                        return None
                    session = value.get("sessionId") if isinstance(value, dict) else None
                    return session if isinstance(session, str) else None
    except OSError:
        return None
    return None


def session(
    path: str | Path,
    *,
    to: Dialect = "openai",
    request: Any = None,
    target: str = "compatible",
    strict: bool = False,
    losses: list[Loss] | None = None,
) -> list[dict[str, Any]]:
    """Every conversation of the session in the transcript file ``path`` and its subagents'
    own files (:func:`subagent_files`, with their ``.meta.json``): :func:`conversations`."""
    path = Path(path)
    subagents: dict[str, list[bytes]] = {}
    meta: dict[str, bytes] = {}
    for file in [path, *subagent_files(path)]:
        if file is not path:
            subagents[file.name] = file.read_bytes().splitlines()
        beside = file.with_name(file.name.removesuffix(".jsonl") + ".meta.json")
        if file.name.startswith("agent-") and beside.is_file():
            meta[file.name] = beside.read_bytes()
    return conversations(
        path.read_bytes().splitlines(),
        name=path.name,
        subagents=subagents,
        meta=meta,
        to=to,
        request=request,
        target=target,
        strict=strict,
        losses=losses,
    )
