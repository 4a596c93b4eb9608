"""The README's examples run as written, and .ci/run runs the README's test command."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.DOTALL)


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_python_examples_run(index: int) -> None:
    exec(compile(BLOCKS[index], f"README.md[python block {index}]", "exec"), {})


def test_readme_opens_with_the_two_commands() -> None:
    commands = re.findall(r"```sh\n(.*?)\n```", README, re.DOTALL)[:2]
    assert "translate convert fixtures/" in commands[0]
    assert "pytest" in commands[1]
    extracted = subprocess.run(
        [
            "awk",
            r"/\.ci\/run runs the next command/{found=1; next} found && /^```sh/{getline; print; exit}",
            "README.md",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert extracted == commands[1]


def test_custom_target_example_reports_its_loss() -> None:
    import msgspec

    from translate import to_openai
    from translate.targets import PRESETS

    custom = msgspec.structs.replace(PRESETS[("openai", "compatible")], name="my-host", top_k=False)
    losses: list = []
    to_openai.request(
        {"model": "m", "max_tokens": 1, "messages": [], "top_k": 5}, target=custom, losses=losses
    )
    assert [(l.path, l.kind) for l in losses] == [("top_k", "dropped")]
