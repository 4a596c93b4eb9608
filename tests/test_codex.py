"""The real Codex CLI through ``translate serve`` to a scripted Chat and a scripted Messages
upstream.

Codex is installed from npm when npm is there (``npm install @openai/codex`` into a cached
folder; the registry package brings its native binary as an optional dependency); without
npm the test is skipped, saying so. It runs ``codex exec`` with a ``HOME`` and a
``CODEX_HOME`` of its own, whose ``config.toml`` names one provider: the gateway on
loopback (``base_url``, ``env_key``, ``wire_api = "responses"``), with analytics, feedback,
update checks, plugins and apps off (``--strict-config``: a key this Codex does not know
fails the run). Shell commands run in Codex's ``workspace-write`` sandbox (its bundled
bubblewrap) inside a temporary working folder, the safest mode that runs a command without
asking; only where ``codex sandbox`` shows that this machine cannot make that sandbox (no
user namespaces) does the test fall back to ``danger-full-access``, in the same temporary
folder, and it prints that it did.

The upstream (tests/fake_upstream.py, ``scripted`` / ``scripted_anthropic``) answers the
first turn with reasoning and an ``exec_command`` call (``echo hello``), then, once its
output comes, a final answer; the resumed second turn (``codex exec resume --last``) asks
for ``echo goodbye``, and gets another call and another answer. Asserted: the upstream got
each command's output, the replayed reasoning of every earlier tool-call turn
(``reasoning_content`` for the Chat upstream, signed ``thinking`` blocks for the Messages
upstream), and Codex printed both answers.
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

from .fake_upstream import (
    SCRIPT_ANSWER,
    SCRIPT_ANSWER_2,
    SCRIPT_REASONING,
    SCRIPT_REASONING_2,
    SCRIPT_SIGNATURES,
)
from .npm_clients import install
from .test_gateway import Server

VERSION = os.environ.get("TRANSLATE_CODEX_VERSION", "0.171.0")
TIMEOUT = 300


@pytest.fixture(scope="module")
def codex_binary() -> Path:
    return install("@openai/codex", VERSION, "codex", "TRANSLATE_CODEX_DIR")


CONFIG = """\
model = "scripted-model"
model_provider = "gateway"
check_for_update_on_startup = false

[analytics]
enabled = false

[feedback]
enabled = false

[features]
plugins = false
remote_plugin = false
plugin_sharing = false
apps = false

[model_providers.gateway]
name = "translate gateway"
base_url = "{url}/v1"
env_key = "TRANSLATE_GATEWAY_KEY"
wire_api = "responses"
"""


class Codex:
    """One Codex home (config, sessions) and working folder, for a session of turns."""

    def __init__(self, binary: Path, gateway_url: str) -> None:
        self.binary = binary
        self.home = tempfile.mkdtemp(prefix="codex-home-")
        self.codex_home = tempfile.mkdtemp(prefix="codex-config-")
        self.work = tempfile.mkdtemp(prefix="codex-work-")
        Path(self.codex_home, "config.toml").write_text(CONFIG.format(url=gateway_url))
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.home,
            "CODEX_HOME": self.codex_home,
            "TRANSLATE_GATEWAY_KEY": "any-key",
            "NO_PROXY": "*",
            "RUST_LOG": "error",
        }
        self.sandbox = "workspace-write" if self._sandbox_works() else "danger-full-access"
        if self.sandbox != "workspace-write":
            print("codex sandbox does not run here: danger-full-access in", self.work)

    def _sandbox_works(self) -> bool:
        try:
            probe = subprocess.run(
                [str(self.binary), "sandbox", "--", "echo", "sandbox-ok"],
                cwd=self.work,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=60,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return False
        return probe.returncode == 0 and "sandbox-ok" in probe.stdout

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.binary), "exec", *args],
            cwd=self.work,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            stdin=subprocess.DEVNULL,
            check=False,  # the assertions show the outputs
        )

    def turn(self, prompt: str, resume: bool = False) -> str:
        """One turn (``resume``: of the last session); what Codex printed as its answer."""
        answer = Path(self.work, "answer.txt")
        answer.unlink(missing_ok=True)
        head = ["resume", "--last"] if resume else []
        # ``exec resume`` takes no -s: the sandbox is the config's (sandbox_mode).
        sandbox = ["-c", f'sandbox_mode="{self.sandbox}"'] if resume else ["-s", self.sandbox]
        result = self.run(
            *head, "--skip-git-repo-check", "--strict-config", *sandbox, "-o", str(answer), prompt
        )
        assert result.returncode == 0, (result.stdout[-3000:], result.stderr[-3000:])
        return answer.read_text() if answer.exists() else result.stdout


def _upstream_requests(fake: Server) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = httpx2.get(fake.url + "/seen", trust_env=False).json()
    return seen


def _session(
    codex_binary: Path, path: str, dialect: str, target: str
) -> tuple[list[dict[str, Any]], list[str], str]:
    """Two turns of Codex through the gateway: (what the upstream got, the two answers,
    the gateway's log)."""
    fake = Server(["uvicorn", "tests.fake_upstream:app"], {}, "/stats")
    gateway = None
    try:
        gateway = Server(
            ["translate", "serve"],
            {
                "TRANSLATE_UPSTREAM_URL": fake.url + path,
                "TRANSLATE_UPSTREAM_DIALECT": dialect,
                "TRANSLATE_TARGET": target,
                "TRANSLATE_UPSTREAM_API_KEY": "k",
                "TRANSLATE_MODEL_MAP": "*=scripted-model",
            },
            "/v1/models",
        )
        codex = Codex(codex_binary, gateway.url)
        first = codex.turn("Run the shell command: echo hello")
        second = codex.turn("Now run the shell command: echo goodbye", resume=True)
        return _upstream_requests(fake), [first, second], gateway.output()
    finally:
        if gateway is not None:
            gateway.stop()
        fake.stop()


def test_codex_tool_loop_and_resumed_turn_over_a_chat_upstream(codex_binary: Path) -> None:
    seen, answers, log = _session(codex_binary, "/scripted/v1", "openai", "deepseek")
    assert SCRIPT_ANSWER in answers[0], (answers, log)
    assert SCRIPT_ANSWER_2 in answers[1], (answers, log)
    finals = [r for r in seen if r["messages"] and r["messages"][-1]["role"] == "tool"]
    assert len(finals) == 2, [r["messages"][-1] for r in seen]
    for final, word in zip(finals, ("hello", "goodbye"), strict=True):
        assert word in json.dumps(final["messages"][-1]["content"])  # the command's output
    # The second turn's last request holds the whole session, reasoning replayed on each
    # tool-call turn (DeepSeek answers 400 without it).
    history = finals[1]["messages"]
    calls = [m for m in history if m["role"] == "assistant" and m.get("tool_calls")]
    assert [m["tool_calls"][0]["function"]["name"] for m in calls] == ["exec_command"] * 2
    assert [json.loads(m["tool_calls"][0]["function"]["arguments"])["cmd"] for m in calls] == [
        "echo hello",
        "echo goodbye",
    ]
    assert [m.get("reasoning_content") for m in calls] == [SCRIPT_REASONING, SCRIPT_REASONING_2]
    texts = [m for m in history if m["role"] == "assistant" and not m.get("tool_calls")]
    assert SCRIPT_ANSWER in json.dumps(texts)  # the first turn's answer, replayed


def test_codex_tool_loop_and_resumed_turn_over_a_messages_upstream(codex_binary: Path) -> None:
    seen, answers, log = _session(codex_binary, "/scripted-anthropic", "anthropic", "anthropic")
    assert SCRIPT_ANSWER in answers[0], (answers, log)
    assert SCRIPT_ANSWER_2 in answers[1], (answers, log)

    def results(request: dict[str, Any]) -> list[Any]:
        last = request["messages"][-1]
        content = last["content"] if isinstance(last["content"], list) else []
        return [b for b in content if b.get("type") == "tool_result"]

    finals = [r for r in seen if r["messages"][-1]["role"] == "user" and results(r)]
    assert len(finals) == 2, [r["messages"][-1] for r in seen]
    for final, word in zip(finals, ("hello", "goodbye"), strict=True):
        assert word in json.dumps(results(final))  # the command's output
    history = finals[1]["messages"]
    turns = [
        m
        for m in history
        if m["role"] == "assistant"
        and isinstance(m["content"], list)
        and any(b["type"] == "tool_use" for b in m["content"])
    ]
    assert len(turns) == 2, history
    for turn, reasoning, signature in zip(
        turns, (SCRIPT_REASONING, SCRIPT_REASONING_2), SCRIPT_SIGNATURES, strict=True
    ):
        thinking = turn["content"][0]
        # replayed signed, as it came: real Anthropic checks the signature
        assert thinking == {"type": "thinking", "thinking": reasoning, "signature": signature}
        (use,) = [b for b in turn["content"] if b["type"] == "tool_use"]
        assert use["name"] == "exec_command"
