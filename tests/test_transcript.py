"""Claude Code transcripts with subagents (issue 14): each subagent's lines are a conversation
of their own, linked to the tool call that started it, in all three places Claude Code has
kept them (fixtures/transcripts/claude_code_<version>_subagents, written by Claude Code
1.0.128, 2.0.64 and 2.1.197 against a loopback mock: one session that starts two subagents
at once, each running one shell command). ``sent.jsonl`` beside each holds the last
request Claude Code sent in each conversation (the session's, then subagent A's and B's):
every conversation read from the transcript is what was sent, plus the final answer."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from translate import Loss, TranslationError, transcript

from .test_requests import validate

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "transcripts"
SESSIONS = {
    "1.0.128": FIXTURES
    / "claude_code_1.0.128_subagents"
    / "1cbbae56-f291-40a8-be07-6cd23868d894.jsonl",
    "2.0.64": FIXTURES
    / "claude_code_2.0.64_subagents"
    / "8bdbd54e-6a7f-40aa-98db-96c24627d791.jsonl",
    "2.1.197": FIXTURES
    / "claude_code_2.1.197_subagents"
    / "cdc839b5-7ac3-42c7-b90c-0e8a07abdaae.jsonl",
}
# Each version's subagents, as (agentId, tool_use_id) in the order they were started; 2.0's
# two "Warmup" agents (started by no tool call) come last. 1.x records no agentId.
AGENTS = {
    "1.0.128": [(None, "toolu_01A"), (None, "toolu_01B")],
    "2.0.64": [
        ("7630a28a", "toolu_01A"),
        ("76086d3c", "toolu_01B"),
        ("2130fe53", None),
        ("dd192908", None),
    ],
    "2.1.197": [("a28bd59133aa309a9", "toolu_01A"), ("acd2cf3f6c4407c6f", "toolu_01B")],
}
CARRIED = ("context_management",)  # Claude Code's beta field, carried by compatible


def _sent(version: str) -> list[dict[str, Any]]:
    lines = (SESSIONS[version].parent / "sent.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def _said(messages: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Messages as the model read them: Claude Code's own additions to what it sends (the
    system-reminder texts, 2.1's role "system" messages, cache hints) left out, turns of
    one role merged."""
    out: list[tuple[str, list[dict[str, Any]]]] = []
    for m in messages:
        if m["role"] == "system":
            continue
        content = m["content"]
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        kept = [
            {k: v for k, v in b.items() if k != "cache_control"}
            for b in blocks
            if not (b.get("type") == "text" and b["text"].startswith("<system-reminder>"))
        ]
        if not kept:
            continue
        if out and out[-1][0] == m["role"]:
            out[-1][1].extend(kept)
        else:
            out.append((m["role"], kept))
    return out


@pytest.mark.parametrize("version", sorted(SESSIONS))
def test_each_subagent_is_a_conversation_of_its_own_linked_to_its_tool_call(version: str) -> None:
    records = transcript.session(SESSIONS[version], to="anthropic")
    assert [r["session_id"] for r in records] == [SESSIONS[version].stem] * len(records)
    assert records[0]["agent"] is None
    got = [(r["agent"]["id"], r["agent"]["tool_use_id"]) for r in records[1:]]
    assert got == AGENTS[version]
    for record in records[1:3]:
        agent = record["agent"]
        assert agent["type"] == "general-purpose" and agent["parent"] is None
        letter = agent["tool_use_id"][-1]
        assert agent["description"] == {"A": "Echo alpha", "B": "Echo beta"}[letter]
    # every conversation is what Claude Code sent in it, then the final answer
    main, alpha, beta = _sent(version)
    for record, sent, answer in (
        (records[0], main, "They printed alpha and beta."),
        (records[1], alpha, "The command printed: alpha"),
        (records[2], beta, "The command printed: beta"),
    ):
        said = _said(record["request"]["messages"])
        assert said[:-1] == _said(sent["messages"])
        assert said[-1] == ("assistant", [{"type": "text", "text": answer}])
        assert record["request"]["model"] == sent["model"]
    for record in records[3:]:  # the warm-up agents: what they were asked, what they said
        assert _said(record["request"]["messages"]) == [
            ("user", [{"type": "text", "text": "Warmup"}]),
            ("assistant", [{"type": "text", "text": "ok"}]),
        ]


@pytest.mark.parametrize("version", sorted(SESSIONS))
def test_every_conversation_of_a_session_validates_in_either_dialect(version: str) -> None:
    main = _sent(version)[0]
    for to in ("openai", "anthropic"):
        losses: list[Loss] = []
        records = transcript.session(SESSIONS[version], to=to, request=main, losses=losses)
        for record in records:
            body = {k: v for k, v in record["request"].items() if k not in CARRIED}
            validate(to, body, "compatible")
        # the session's own conversation has every tool of the request; a subagent the
        # request's definitions of the tools it used (Bash), not open schemas
        assert records[0]["request"]["tools"] == (
            main["tools"] if to == "anthropic" else records[0]["request"]["tools"]
        )
        assert len(records[0]["request"]["tools"]) == len(main["tools"])
        bash = next(t for t in main["tools"] if t["name"] == "Bash")
        if to == "anthropic":
            assert records[1]["request"]["tools"] == [bash]
        assert "transcript.tools" not in {x.path for x in losses}


def test_parallel_tool_calls_off_the_parent_chain_are_in_the_conversation() -> None:
    """Claude Code 2.1 chains parallel tool calls one after the other and each result to its
    own call: the last turn's parentUuid chain passes through one call and its result only.
    The other call and its result are the same turn's, and are in the conversation."""
    records = transcript.session(SESSIONS["2.1.197"], to="anthropic")
    turns = _said(records[0]["request"]["messages"])
    assert [b.get("id") for b in turns[1][1] if b["type"] == "tool_use"] == [
        "toolu_01A",
        "toolu_01B",
    ]
    assert [b["tool_use_id"] for b in turns[2][1]] == ["toolu_01B", "toolu_01A"]  # as sent


def test_sidechain_lines_in_the_session_file_are_not_its_own_conversation() -> None:
    lines = SESSIONS["1.0.128"].read_bytes().splitlines()
    losses: list[Loss] = []
    own = transcript.conversation(lines, to="anthropic", losses=losses)
    assert own == transcript.session(SESSIONS["1.0.128"], to="anthropic")[0]["request"]
    side = [x for x in losses if x.path.endswith("isSidechain")]
    assert [(x.path, x.detail) for x in side] == [
        (
            "line[5].isSidechain",
            "10 lines of other conversations (conversations() makes them their own)",
        )
    ]


def test_loss_paths_name_the_transcript_line_and_the_block_in_it() -> None:
    """The session in fixtures/transcripts/claude_code_2.1.197: line 6 holds the thinking
    block, 7 the text, 8 the tool call; they are one assistant message. A loss in that
    message's third block is line 8's first."""
    path = FIXTURES / "claude_code_2.1.197" / "session.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    lines[7]["message"]["content"][0]["cache_control"] = {"type": "ephemeral"}
    losses: list[Loss] = []
    transcript.conversation(lines, target="openai", losses=losses)
    assert sorted((x.path, x.kind, x.detail) for x in losses) == [
        (
            "line[1].type",
            "dropped",
            "5 session bookkeeping lines: attachment, last-prompt, queue-operation",
        ),
        (
            "line[6].message.content[0]",
            "dropped",
            "target openai does not accept replayed reasoning",
        ),
        (
            "line[8].message.content[0].cache_control",
            "dropped",
            "target openai has no cache hint here",
        ),
        ("transcript.system", "dropped", "a transcript has no system prompt"),
        (
            "transcript.tools",
            "approximated",
            "a transcript has no tool definitions: open input schemas for Bash",
        ),
    ]
    lines[7]["message"]["content"][0]["id"] = 7  # not a string: the translation refuses it
    with pytest.raises(TranslationError) as caught:
        transcript.conversation(lines)
    assert caught.value.path.startswith("line[8].message.content[0]")
    with pytest.raises(TranslationError) as caught:
        transcript.conversation([b"{}", b"", b"not json"])
    assert caught.value.path == "line[3]"
    losses = []
    transcript.session(SESSIONS["2.1.197"], losses=losses)
    assert sorted({x.path for x in losses}) == [
        "line[1].type",
        "subagents[agent-a28bd59133aa309a9.jsonl].line[2].type",
        "subagents[agent-acd2cf3f6c4407c6f.jsonl].line[2].type",
        "transcript.system",
        "transcript.tools",
    ]


def test_the_command_converts_a_folder_of_sessions_one_line_a_conversation(tmp_path: Path) -> None:
    for version in ("2.0.64", "2.1.197"):
        shutil.copytree(SESSIONS[version].parent, tmp_path / version)
        (tmp_path / version / "sent.jsonl").unlink()
    ledger = tmp_path / "losses.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "translate", "convert", "--kind", "transcript", str(tmp_path)]
        + ["--losses-file", str(ledger)],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    # each session once, with its subagents' files read with it (not as sessions of their
    # own), the .meta.json files not taken for transcripts
    got = [(r["session_id"][:8], r["agent"] and r["agent"]["id"]) for r in records]
    assert got == [
        ("8bdbd54e", None),
        *[("8bdbd54e", agent) for agent, _ in AGENTS["2.0.64"]],
        ("cdc839b5", None),
        *[("cdc839b5", agent) for agent, _ in AGENTS["2.1.197"]],
    ]
    for record in records:
        validate("openai", record["request"], "compatible")
    assert "8 of 8 rows translated" in done.stderr.decode()
    entries = [json.loads(line) for line in ledger.read_text().splitlines()]
    first = entries[0]
    assert first == {
        "input": "2.0.64/8bdbd54e-6a7f-40aa-98db-96c24627d791.jsonl",
        "path": "line[1].type",
        "kind": "dropped",
        "detail": "1 session bookkeeping lines: queue-operation",
    }
    assert "subagents[*].line[*].type" in done.stderr.decode()  # the summary's pattern
    # a subagent's own file alone: its conversation, linked through its meta.json
    alone = next((tmp_path / "2.1.197").rglob("agent-a28bd59133aa309a9.jsonl"))
    done = subprocess.run(
        [sys.executable, "-m", "translate", "convert", "--kind", "transcript", str(alone)],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    (record,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert record["agent"] == {
        "id": "a28bd59133aa309a9",
        "type": "general-purpose",
        "description": "Echo alpha",
        "tool_use_id": "toolu_01A",
        "parent": None,
    }
