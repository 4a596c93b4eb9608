"""The `translate` command: schemas stay in step with the structs; convert matches the library."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest

from translate import cli, to_anthropic, to_openai

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = ROOT / "fixtures" / "requests"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "translate", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_schemas_are_not_stale() -> None:
    """Fails when a struct changed and `translate schemas` was not run."""
    for name, text in cli.schema_texts().items():
        assert (ROOT / "schemas" / name).read_text() == text, (
            f"schemas/{name} is stale: run `translate schemas`"
        )
    assert sorted(p.name for p in (ROOT / "schemas").glob("*.json")) == sorted(cli.schema_texts())


def _as_older_msgspec_renders(node: Any) -> Any:
    """A schema as msgspec 0.18 to 0.21 render it: docstrings keep their indentation and
    ``{"type": "null"}`` comes first in a union."""
    if isinstance(node, list):
        return [_as_older_msgspec_renders(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _as_older_msgspec_renders(value) for key, value in node.items()}
    if isinstance(out.get("description"), str):
        out["description"] = out["description"].replace("\n", "\n    ")
    if {"type": "null"} in out.get("anyOf", ()):
        out["anyOf"] = [{"type": "null"}] + [a for a in out["anyOf"] if a != {"type": "null"}]
    return out


def test_schema_text_does_not_depend_on_how_msgspec_renders() -> None:
    """The two renderings msgspec versions differ on normalize to the same schema, so the
    files are byte for byte the same under every accepted msgspec (.ci/run checks the
    lowest one for real)."""
    changed = 0
    for tp in cli.SCHEMAS.values():
        raw = msgspec.json.schema(tp)
        older = _as_older_msgspec_renders(raw)
        changed += older != raw
        assert cli.normalize_schema(older) == cli.normalize_schema(raw)
        assert cli.normalize_schema(cli.normalize_schema(raw)) == cli.normalize_schema(raw)
    assert changed == len(cli.SCHEMAS)


def test_schemas_check_flags_a_stale_file(tmp_path: Path) -> None:
    assert cli.main(["schemas", str(tmp_path)]) == 0
    assert cli.main(["schemas", str(tmp_path), "--check"]) == 0
    (tmp_path / "openai.ChatCompletionRequest.json").write_text("{}")
    assert cli.main(["schemas", str(tmp_path), "--check"]) == 1


@pytest.mark.parametrize("case", sorted(p.name for p in REQUESTS.iterdir()))
def test_detect_reads_every_fixture_as_its_dialect(case: str) -> None:
    for path in (REQUESTS / case).glob("*.json"):
        dialect = path.name.split(".")[0].split("@")[0]
        if dialect in ("openai", "anthropic"):
            assert cli.detect(json.loads(path.read_text())) == dialect, path


@pytest.mark.parametrize("case", sorted(p.name for p in REQUESTS.iterdir()))
def test_every_request_fixture_converts_as_the_library_does(case: str, capsysbinary) -> None:
    meta = json.loads((REQUESTS / case / "meta.json").read_text())
    src = meta["source"]
    path = REQUESTS / case / f"{src}.json"
    fn = to_openai.request if src == "anthropic" else to_anthropic.request
    assert cli.main(["convert", str(path)]) == 0
    assert json.loads(capsysbinary.readouterr().out) == msgspec.to_builtins(fn(path.read_bytes()))


@pytest.mark.parametrize("case", ["claude_code_agent", "openai_sdk_agent", "seed_mimo_chat"])
def test_convert_matches_the_library(case: str) -> None:
    meta = json.loads((REQUESTS / case / "meta.json").read_text())
    src = meta["source"]
    raw = (REQUESTS / case / f"{src}.json").read_bytes()
    fn = to_openai.request if src == "anthropic" else to_anthropic.request
    done = run("convert", str(REQUESTS / case / f"{src}.json"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == msgspec.to_builtins(fn(raw))
    piped = run(
        "convert",
        "--target",
        "openai" if src == "anthropic" else "anthropic",
        "--losses",
        "json",
        stdin=raw,
    )
    assert piped.returncode == 0
    losses = [json.loads(line) for line in piped.stderr.decode().splitlines()]
    assert [[l["path"], l["kind"]] for l in losses] == meta["losses"][
        f"to_{'openai@openai' if src == 'anthropic' else 'anthropic@anthropic'}"
    ]


def test_convert_exit_codes() -> None:
    bad = run(
        "convert",
        stdin=b'{"model": "m", "max_tokens": 1, "messages": [{"role": "robot", "content": "x"}]}',
    )
    assert bad.returncode == 2
    assert b"messages[0].role" in bad.stderr
    assert run("convert", stdin=b"not json").returncode == 2
    lossy = run("convert", "--strict", str(REQUESTS / "openai_unsupported_fields" / "openai.json"))
    assert lossy.returncode == 1
    assert b"seed" in lossy.stderr and lossy.stdout == b""
    same = run("convert", "--to", "openai", str(REQUESTS / "minimal_openai" / "openai.json"))
    assert same.returncode == 2


KINDS = ("responses", "streams", "errors")
PAYLOADS = sorted(
    (kind, case.name, path.name)
    for kind in KINDS
    if (ROOT / "fixtures" / kind).is_dir()
    for case in (ROOT / "fixtures" / kind).iterdir()
    if case.is_dir()
    for path in case.iterdir()
    if path.name.split(".")[0] in ("anthropic", "openai") and path.suffix in (".json", ".sse")
)


@pytest.mark.parametrize(("kind", "case", "name"), PAYLOADS)
def test_every_fixture_converts_through_the_command_as_the_library_does(
    kind, case, name, capsysbinary
) -> None:
    path = ROOT / "fixtures" / kind / case / name
    raw = path.read_bytes()
    source = name.split(".")[0]
    mod = to_openai if source == "anthropic" else to_anthropic
    request = path.parent / "request.json"
    target = "openai" if source == "anthropic" else "anthropic"
    # request.json is the client's request, so it belongs to the direction whose target it speaks
    use = (
        request.exists()
        and kind != "errors"
        and cli.detect(json.loads(request.read_text())) == target
    )
    args = ["convert", str(path)] + (["--request", str(request)] if use else [])
    assert cli.main(args) == 0
    out = capsysbinary.readouterr().out
    req = request.read_bytes() if use else None
    if kind == "responses":
        assert json.loads(out) == msgspec.to_builtins(mod.response(raw, request=req))
    elif kind == "streams":
        assert out == b"".join(mod.sse([raw], request=req))
    else:
        assert json.loads(out) == msgspec.to_builtins(mod.error(raw)[1])


def test_jsonl_and_directories_convert_in_one_run(tmp_path: Path, capsysbinary) -> None:
    lines = [
        json.dumps(
            {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": f"q{i}"}]}
        )
        for i in range(3)
    ]
    (tmp_path / "log.jsonl").write_text("\n".join(lines) + "\n")
    assert cli.main(["convert", str(tmp_path / "log.jsonl")]) == 0
    out = capsysbinary.readouterr().out.decode().splitlines()
    assert [json.loads(l)["messages"][0]["content"] for l in out] == ["q0", "q1", "q2"]
    out_dir = tmp_path / "out"
    assert (
        cli.main(["convert", str(REQUESTS / "minimal_anthropic"), "--out", str(out_dir)]) == 2
    )  # meta.json is no payload
    assert json.loads((out_dir / "anthropic.json").read_text())["max_completion_tokens"] == 1024


def test_any_bytes_convert_as_an_error_with_kind_error(tmp_path: Path, capsysbinary) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(b"<html><body><h1>502 Bad Gateway</h1></body></html>")
    assert (
        cli.main(["convert", str(page), "--kind", "error", "--status", "502", "--to", "anthropic"])
        == 0
    )
    captured = capsysbinary.readouterr()
    body = json.loads(captured.out)
    assert body["type"] == "error" and body["error"]["type"] == "api_error"
    assert b"status: 502" in captured.err
