"""``translate convert`` with the Responses dialect: detected by shape, or ``--from`` /
``--to responses``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from translate import cli

from .responses_streams import accumulate, responses_frames, validate

ROOT = Path(__file__).resolve().parent.parent
CODEX = ROOT / "fixtures" / "responses_api" / "codex_turn" / "responses.json"
CHUNKS = ROOT / "fixtures" / "streams" / "openai_usage_parallel_tools" / "openai.sse"
MESSAGES = ROOT / "fixtures" / "streams" / "anthropic_interleaved_thinking" / "anthropic.sse"


def convert(capsys: Any, *args: str) -> tuple[int, str, str]:
    code = cli.main(["convert", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("to", ["openai", "anthropic"])
def test_a_codex_request_is_detected(capsys: Any, to: str) -> None:
    code, out, err = convert(capsys, str(CODEX), "--to", to)
    assert code == 0, err
    body = json.loads(out)
    assert "messages" in body
    assert "loss: tools[3]: dropped" in err  # the hosted web_search tool
    assert convert(capsys, str(CODEX), "--from", "responses", "--to", to)[1] == out


def test_to_responses_request_and_response(capsys: Any, tmp_path: Path) -> None:
    code, chat, _ = convert(capsys, str(CODEX))
    assert code == 0
    path = tmp_path / "chat.json"
    path.write_text(chat)
    code, back, err = convert(capsys, str(path), "--to", "responses")
    assert code == 0, err
    assert json.loads(back)["input"][0]["role"] == "developer"
    completion = {
        "id": "c1",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
        ],
    }
    path.write_text(json.dumps(completion))
    code, out, _ = convert(capsys, str(path), "--to", "responses")
    response = json.loads(out)
    assert (response["object"], response["status"]) == ("response", "completed")
    path.write_text(out)
    code, out, _ = convert(capsys, str(path))  # a Response is detected: to Chat by default
    assert json.loads(out)["choices"][0]["message"]["content"] == "hi"


@pytest.mark.parametrize("upstream", [CHUNKS, MESSAGES])
def test_streams_to_responses(capsys: Any, upstream: Path) -> None:
    code, out, err = convert(capsys, str(upstream), "--to", "responses")
    assert code == 0, err
    events = responses_frames(out.encode())
    validate(events)
    assert accumulate(events)[0] == "response.completed"
