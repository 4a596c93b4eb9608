"""The real Claude Code through ``translate serve`` to a scripted openai-dialect upstream.

Claude Code is installed from npm when npm is there (``npm install
@anthropic-ai/claude-code`` into a cached folder, then ``node install.cjs`` in its package
folder, which places its native binary); without npm the test is skipped, saying so. It runs
``claude -p`` with a ``HOME`` of its own and ``ANTHROPIC_BASE_URL`` at the gateway, loopback
only. The upstream (tests/fake_upstream.py, ``scripted``) answers with reasoning and a
``Bash`` call (``echo hello``), then, once the tool result comes, a final answer. Asserted:
the upstream got the tool result and the replayed reasoning, and Claude Code printed the
answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import httpx2
import pytest

from .fake_upstream import SCRIPT_ANSWER, SCRIPT_REASONING
from .npm_clients import install
from .test_gateway import Server

VERSION = os.environ.get("TRANSLATE_CLAUDE_CODE_VERSION", "2.1.197")


@pytest.fixture(scope="module")
def claude_binary() -> Path:
    return install("@anthropic-ai/claude-code", VERSION, "claude", "TRANSLATE_CLAUDE_CODE_DIR")


def test_claude_code_tool_loop_with_reasoning_replay(claude_binary: Path) -> None:
    fake = Server(["uvicorn", "tests.fake_upstream:app"], {}, "/stats")
    gateway = None
    try:
        gateway = Server(
            ["translate", "serve"],
            {
                "TRANSLATE_UPSTREAM_URL": fake.url + "/scripted/v1",
                "TRANSLATE_UPSTREAM_DIALECT": "openai",
                "TRANSLATE_TARGET": "deepseek",  # reasoning_content replayed on tool-call turns
                "TRANSLATE_UPSTREAM_API_KEY": "k",
                "TRANSLATE_MODEL_MAP": "*=scripted-model",
            },
            "/v1/models",
        )
        home = tempfile.mkdtemp(prefix="claude-home-")
        work = tempfile.mkdtemp(prefix="claude-work-")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "ANTHROPIC_BASE_URL": gateway.url,
            "ANTHROPIC_API_KEY": "any-key",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "DISABLE_AUTOUPDATER": "1",
            "NO_PROXY": "*",
        }
        result = subprocess.run(
            [
                str(claude_binary),
                "-p",
                "Run the shell command: echo hello",
                "--output-format",
                "json",
                "--allowedTools",
                "Bash(echo:*)",
            ],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
            check=False,  # the assertion below shows the outputs
        )
        assert result.returncode == 0, (
            result.stdout[-3000:],
            result.stderr[-3000:],
            gateway.output(),
        )
        printed: Any = json.loads(result.stdout)
        assert SCRIPT_ANSWER in printed["result"], printed
        seen = httpx2.get(fake.url + "/seen", trust_env=False).json()
        finals = [r for r in seen if r["messages"] and r["messages"][-1]["role"] == "tool"]
        assert finals, [r["messages"][-1] for r in seen]
        final = finals[-1]
        tool = final["messages"][-1]
        assert "hello" in json.dumps(tool["content"])  # the tool ran, its output went up
        assistant = final["messages"][-2]
        assert assistant["role"] == "assistant"
        assert assistant["tool_calls"][0]["function"]["name"] == "Bash"
        assert assistant.get("reasoning_content") == SCRIPT_REASONING  # replayed
        # Claude Code's billing line and device ids do not go up
        assert "x-anthropic-billing-header" not in json.dumps(final["messages"][0])
        assert "user" not in final
    finally:
        if gateway is not None:
            gateway.stop()
        fake.stop()
