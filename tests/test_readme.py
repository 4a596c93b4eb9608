"""The README's examples run as written and show what they print; its section on the
command names every kind and flag; .ci/run runs the README's test command.

Every ```python block of README.md is executed. A comment that follows an expression
statement shows that expression's value, and is checked with ``==``:

    losses   # [Loss(path='seed', kind='dropped', detail='no twin in the anthropic dialect')]

    msgspec.to_builtins(chat)
    # {'model': 'claude-sonnet-4-5',
    #  'max_completion_tokens': 1024}

that is, a comment on the statement's last line, or else the comment lines right below it
at its indentation, read as one Python expression in the block's own names (``Loss``
above is the block's import). A comment that does not read as an expression is prose
(``await llm(...)  # closes its connections``), unless it starts like a value (a bracket,
a quote, a digit, or ``Name(``): then it must read, so a value shown wrong cannot pass for
prose. Comments after assignments, imports or inside a call are prose.
"""

from __future__ import annotations

import ast
import io
import re
import subprocess
import tokenize
from pathlib import Path
from typing import Any

import pytest

from translate import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
_LOOKS_LIKE_A_VALUE = re.compile(r"""[\[{('"0-9-]|[A-Za-z_][\w.]*\(""")


def _comments(source: str) -> dict[int, tuple[int, str, bool]]:
    """``{line: (column, text without '# ', whether the line is only that comment)}``."""
    found = {}
    lines = source.splitlines()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            line, col = tok.start
            text = tok.string[1:].removeprefix(" ")
            found[line] = (col, text, not lines[line - 1][:col].strip())
    return found


def shown_values(source: str) -> list[tuple[ast.Expr, int, str]]:
    """``(statement, last line of its comment, the value's source)`` for each expression
    statement of ``source`` that is followed by a comment that reads as an expression."""
    comments = _comments(source)
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Expr) or node.end_lineno is None:
            continue
        end = node.end_lineno
        if end in comments and not comments[end][2]:
            last, text = end, comments[end][1]
        else:
            below = []
            while (c := comments.get(end + 1 + len(below))) and c[2] and c[0] == node.col_offset:
                below.append(c[1])
            if not below:
                continue
            last, text = end + len(below), "\n".join(below)
        try:
            ast.parse(text.strip(), mode="eval")
        except SyntaxError as err:
            if _LOOKS_LIKE_A_VALUE.match(text.strip()):
                raise AssertionError(
                    f"line {end}: a shown value that does not read: {text!r}"
                ) from err
            continue
        found.append((node, last, text))
    return found


def checked(source: str) -> str:
    """``source`` with each shown value turned into ``__shown__((expression), (value), line)``
    on the same lines, so that a traceback's line is the README block's."""
    lines = source.splitlines()

    def cut(line: int, byte: int) -> tuple[str, str]:  # ast columns count UTF-8 bytes
        raw = lines[line - 1].encode()
        return raw[:byte].decode(), raw[byte:].decode()

    for node, last, text in sorted(shown_values(source), key=lambda s: -s[0].lineno):
        assert node.end_lineno is not None and node.end_col_offset is not None
        first, end = node.lineno, node.end_lineno
        value = text.split("\n")
        close = f"), {end})"
        if last == end:  # the comment is on the statement's last line
            lines[end - 1] = cut(end, node.end_col_offset)[0] + f"), ({value[0]}{close}"
        else:  # the comment lines below it
            lines[end - 1] = cut(end, node.end_col_offset)[0] + "), ("
            lines[end:last] = value[:-1] + [value[-1] + close]
        head, rest = cut(first, node.col_offset)
        lines[first - 1] = f"{head}__shown__(({rest}"
    return "\n".join(lines) + "\n"


def _shown(actual: Any, expected: Any, line: int) -> None:
    assert actual == expected, f"line {line} of the block shows {expected!r}, it is {actual!r}"


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_python_examples_run_and_show_what_they_print(index: int) -> None:
    source = checked(BLOCKS[index])
    assert source.count("\n") == BLOCKS[index].count("\n")
    exec(compile(source, f"README.md[python block {index}]", "exec"), {"__shown__": _shown})


def test_shown_values_are_found_and_checked() -> None:
    shown = [text for block in BLOCKS for _, _, text in shown_values(block)]
    assert len(shown) >= 4, shown  # the request, the loss, the error path, the custom target
    assert any(text.startswith("{'model'") for text in shown)
    with pytest.raises(AssertionError, match="shows 2"):
        exec(compile(checked("x = 1\nx   # 2\n"), "t", "exec"), {"__shown__": _shown})
    with pytest.raises(AssertionError, match="does not read"):
        shown_values("x = 1\nx   # {'a': \n")
    original = "d = {'a': [1,\n  2]}\nd\n# {'a': [1,\n#       2]}\nprint(d)  # prose, as prose\n"
    source = checked(original)
    assert source.count("\n") == original.count("\n") and "__shown__((d)" in source
    exec(compile(source, "t", "exec"), {"__shown__": _shown})


def _section(heading: str) -> str:
    return README.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def _flags(*argv: str, capsys: pytest.CaptureFixture[str]) -> set[str]:
    with pytest.raises(SystemExit):
        cli.main([*argv, "--help"])
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", capsys.readouterr().out)) - {"--help"}


def test_the_command_section_names_every_kind_and_every_flag(capsys) -> None:
    section = _section("The command")
    for kind in ("request", "response", "stream", "error"):
        assert f"`{kind}`" in section, kind
    for command in ("convert", "schemas"):
        flags = _flags(command, capsys=capsys)
        assert flags, command
        for flag in flags:
            assert f"`{flag}" in section, f"translate {command} {flag}"
    assert "--version" in _flags(capsys=capsys) and "`--version`" in section
    gateway = _section("The gateway")
    for flag in _flags("serve", capsys=capsys):
        assert f"`{flag}`" in gateway, f"translate serve {flag}"


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
    assert f"awk '{_AWK}' README.md" in (ROOT / ".ci" / "run").read_text()


_AWK = r"/\.ci\/run runs the next command/{found=1; next} found && /^```sh/{getline; print; exit}"
