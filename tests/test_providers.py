"""Provider presets: golden translations, each provider's rules as a property, the README table."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings

from translate import Loss, to_anthropic, to_openai
from translate.targets import PRESETS, table

from . import providers
from .test_request_properties import anthropic_requests, openai_requests

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "providers"
AGENT_ANTHROPIC = json.loads((FIXTURES / "_agent" / "anthropic.json").read_text())
AGENT_OPENAI = json.loads((FIXTURES / "_agent" / "openai.json").read_text())
GOLDEN = sorted(
    (d.name, p.name)
    for d in FIXTURES.iterdir()
    if d.is_dir() and d.name != "_agent"
    for p in d.glob("*@*.json")
)


def _dict(x) -> dict:
    return msgspec.to_builtins(x)


@pytest.mark.parametrize(("provider", "name"), GOLDEN)
def test_golden_translation_for_each_preset(provider: str, name: str) -> None:
    dialect, target = name[: -len(".json")].split("@")
    losses: list[Loss] = []
    if dialect == "openai":
        out = _dict(to_openai.request(AGENT_ANTHROPIC, target=target, losses=losses))
        providers.OPENAI_DIALECT[target](out)
    else:
        out = _dict(to_anthropic.request(AGENT_OPENAI, target=target, losses=losses))
        providers.ANTHROPIC_DIALECT[target](out)
    assert out == json.loads((FIXTURES / provider / name).read_text())
    meta = json.loads((FIXTURES / provider / "meta.json").read_text())
    assert [[l.path, l.kind] for l in losses] == meta["losses"][name[: -len(".json")]]


def test_every_provider_preset_has_a_golden_fixture_and_a_validator() -> None:
    covered = {name[: -len(".json")].split("@")[1] for _, name in GOLDEN}
    providers_presets = {n for (_, n) in PRESETS} - {
        "compatible",
        "openai",
        "anthropic",
        "anthropic-2023-06-01",
    }
    assert providers_presets <= covered
    assert {n for (d, n) in PRESETS if d == "openai"} - {"compatible"} <= set(
        providers.OPENAI_DIALECT
    )
    assert {n for (d, n) in PRESETS if d == "anthropic"} - {"compatible"} <= set(
        providers.ANTHROPIC_DIALECT
    )


# The two properties below run once per provider preset (11 of them), over the generators
# test_request_properties already runs at the full count: half the profile's examples per
# preset keeps them from being a third of the suite's time.
PER_PRESET = settings(max_examples=settings.default.max_examples // 2)


@pytest.mark.parametrize("target", sorted(providers.OPENAI_DIALECT))
def test_any_anthropic_request_satisfies_the_openai_provider(target: str) -> None:
    @PER_PRESET
    @given(anthropic_requests())
    def check(req: dict) -> None:
        providers.OPENAI_DIALECT[target](_dict(to_openai.request(req, target=target)))

    check()


@pytest.mark.parametrize("target", sorted(providers.ANTHROPIC_DIALECT))
def test_any_openai_request_satisfies_the_anthropic_provider(target: str) -> None:
    @PER_PRESET
    @given(openai_requests())
    def check(req: dict) -> None:
        providers.ANTHROPIC_DIALECT[target](_dict(to_anthropic.request(req, target=target)))

    check()


def test_missing_reasoning_is_filled_and_reported() -> None:
    body = {
        "model": "m",
        "max_tokens": 100,
        "messages": [
            {"role": "user", "content": "q"},
            {
                "role": "assistant",
                "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}],
            },
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "r"}],
            },
        ],
    }
    for target in ("mimo", "deepseek", "kimi"):
        losses: list[Loss] = []
        out = _dict(to_openai.request(body, target=target, losses=losses))
        assert out["messages"][1]["reasoning_content"] == ""
        assert [[l.path, l.kind] for l in losses] == [["messages[1]", "approximated"]]
    losses = []
    out = _dict(to_openai.request(body, target="compatible", losses=losses))
    assert "reasoning_content" not in out["messages"][1] and losses == []


def test_deepseek_never_gets_disabled_thinking_beside_an_effort() -> None:
    body = {
        "model": "m",
        "max_tokens": 1,
        "messages": [],
        "thinking": {"type": "disabled"},
        "output_config": {"effort": "medium"},
    }
    losses: list[Loss] = []
    out = _dict(to_openai.request(body, target="deepseek", losses=losses))
    assert out["thinking"] == {"type": "disabled"} and "reasoning_effort" not in out
    # the opt-out wins: the effort is dropped, not first said as DeepSeek's nearest level
    assert [[l.path, l.kind] for l in losses] == [["output_config.effort", "dropped"]]


def test_mimo_anthropic_strips_foreign_signatures() -> None:
    body = {
        "model": "m",
        "messages": [
            {"role": "user", "content": "q"},
            {
                "role": "assistant",
                "content": "a",
                "reasoning_details": [{"type": "reasoning.text", "text": "t", "signature": "Eq=="}],
            },
            {"role": "user", "content": "more"},
        ],
    }
    losses: list[Loss] = []
    out = _dict(to_anthropic.request(body, target="mimo-anthropic", losses=losses))
    assert out["messages"][1]["content"][0] == {
        "type": "thinking",
        "thinking": "t",
        "signature": "",
    }
    assert [[l.path, l.kind] for l in losses] == [["messages[1].reasoning_details", "dropped"]]


def test_readme_table_is_the_presets_table() -> None:
    """The README's table of targets is generated from the presets (translate.targets.table)."""
    readme = (ROOT / "README.md").read_text()
    assert table() in readme


def test_real_anthropic_never_gets_foreign_or_unsigned_thinking() -> None:
    body = {
        "model": "m",
        "messages": [
            {"role": "user", "content": "q"},
            {
                "role": "assistant",
                "content": "a",
                "reasoning_details": [
                    {
                        "type": "reasoning.text",
                        "text": "mine",
                        "signature": "EqQB",
                        "format": "anthropic-claude-v1",
                    },
                    {
                        "type": "reasoning.encrypted",
                        "data": "gAAAAB",
                        "format": "openai-responses-v1",
                    },
                    {
                        "type": "reasoning.text",
                        "text": "theirs",
                        "signature": "sig",
                        "format": "google-gemini-v1",
                    },
                    {"type": "reasoning.text", "text": "unsigned"},
                ],
            },
            {"role": "user", "content": "more"},
        ],
    }
    losses: list[Loss] = []
    out = _dict(to_anthropic.request(body, target="anthropic", losses=losses))
    assert out["messages"][1]["content"] == [
        {"type": "thinking", "thinking": "mine", "signature": "EqQB"},
        {"type": "text", "text": "a"},
    ]
    assert [[l.path, l.kind] for l in losses] == [
        ["messages[1].reasoning_details[1]", "dropped"],
        ["messages[1].reasoning_details[2]", "dropped"],
        ["messages[1].reasoning", "dropped"],
    ]
    providers.anthropic_official(out)
