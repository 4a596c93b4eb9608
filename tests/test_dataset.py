"""Offline conversion at dataset scale (issue 14): conversations, batch files, Claude Code
transcripts, and the command's row engine (order with --jobs, bad rows, losses, memory).

Every output row is checked by the SDKs' types (tests/sdk_strict.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anthropic.types.messages as amb
import pytest

from translate import batch, conversation, rows, transcript

from . import sdk_strict
from .test_requests import validate

ROOT = Path(__file__).resolve().parent.parent
CONVERSATIONS = ROOT / "fixtures" / "conversations" / "claude_code_2.1.197.jsonl"
SESSION = ROOT / "fixtures" / "transcripts" / "claude_code_2.1.197"
CLAUDE_CODE = ROOT / "fixtures" / "requests" / "claude_code_agent" / "anthropic.json"


def _rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in CONVERSATIONS.read_text().splitlines()]


# Claude Code's beta fields, carried unchanged by the compatible form (README, Targets) and
# unknown to the SDKs' types: checked as carried, then the rest is validated.
CARRIED = ("context_management",)


def _validate(dialect: str, body: dict[str, Any], target: str = "compatible") -> None:
    body = {k: v for k, v in body.items() if k not in CARRIED}
    validate(dialect, body, target)


def _validate_anthropic(body: dict[str, Any]) -> None:
    _validate("anthropic", body)


def _message(text: str = "Done.") -> dict[str, Any]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-opus-4-8",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 3, "output_tokens": 2},
    }


# --- conversations ---------------------------------------------------------------------


def test_a_conversation_converts_both_ways_and_keeps_tools_reasoning_and_signatures() -> None:
    for row in _rows():
        n = len(row["request"]["messages"])
        losses: list = []
        chat = conversation.conversation(row, losses=losses)
        assert losses == []
        _validate("openai", chat)
        assert chat["context_management"] == row["request"]["context_management"]
        official = conversation.conversation(row, target="openai")
        _validate("openai", official, target="openai")
        assert len(chat["tools"]) == len(row["request"]["tools"])
        assert chat["messages"][-1]["role"] == "assistant"
        back = conversation.conversation(chat, to="anthropic")
        _validate_anthropic(back)
        assert back["messages"][n]["role"] == "assistant"
        assert back["tools"] == row["request"]["tools"]
    first = conversation.conversation(_rows()[0], to="anthropic")  # appended, nothing translated
    assert first["messages"][-1]["content"] == [
        {"type": "thinking", "thinking": "I should run echo.", "signature": "c2lnbmF0dXJl"},
        {"type": "text", "text": "Running it."},
        {
            "type": "tool_use",
            "id": "toolu_01ABC",
            "name": "Bash",
            "input": {"command": "echo hello", "description": "Print hello"},
        },
    ]
    chat = conversation.conversation(_rows()[0])
    turn = chat["messages"][-1]
    assert turn["tool_calls"][0]["id"] == "toolu_01ABC"
    assert turn["reasoning_details"][0]["signature"] == "c2lnbmF0dXJl"
    # and back: the signature and the tool id come home
    back = conversation.conversation(chat, to="anthropic")
    assert back["messages"][-1]["content"] == first["messages"][-1]["content"]


def test_a_stream_response_gives_the_conversation_its_accumulated_message_gives() -> None:
    row = _rows()[0]
    dialect, message = conversation.accumulate(conversation._events(row["response"]))
    assert dialect == "anthropic"
    sdk_strict.validate_anthropic_message(message)
    as_message = conversation.conversation({"request": row["request"], "response": message})
    assert conversation.conversation(row) == as_message


def test_an_openai_conversation_and_its_chunks_convert_to_anthropic() -> None:
    request = {
        "model": "gpt-5",
        "messages": [{"role": "user", "content": "Weather in Paris?"}],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "weather",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
                },
            }
        ],
    }
    call = {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": ""}}
    chunks = [
        {
            "id": "c",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "gpt-5",
            "choices": [
                {"index": 0, "delta": {"role": "assistant", "tool_calls": [{"index": 0, **call}]}}
            ],
        },
        {
            "id": "c",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "gpt-5",
            "choices": [
                {
                    "index": 0,
                    "delta": {"tool_calls": [{"index": 0, "function": {"arguments": '{"city":'}}]},
                }
            ],
        },
        {
            "id": "c",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "gpt-5",
            "choices": [
                {
                    "index": 0,
                    "delta": {"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}}]},
                    "finish_reason": "tool_calls",
                }
            ],
        },
    ]
    sse = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
    out = conversation.conversation({"request": request, "response": sse})
    _validate_anthropic(out)
    assert out["messages"][-1]["content"] == [
        {"type": "tool_use", "id": "call_1", "name": "weather", "input": {"city": "Paris"}}
    ]
    # an anthropic Message as the response of an openai request is translated first
    mixed = conversation.conversation({"request": request, "response": _message()})
    validate("anthropic", mixed)
    assert mixed["messages"][-1]["content"] in ("Done.", [{"type": "text", "text": "Done."}])


def test_a_turn_cut_short_is_a_loss() -> None:
    row = _rows()[1]
    cut = {**row["response"], "stop_reason": "max_tokens"}
    losses: list = []
    conversation.conversation({"request": row["request"], "response": cut}, losses=losses)
    assert [(x.path, x.kind) for x in losses] == [("response.stop_reason", "dropped")]


# --- batch files -----------------------------------------------------------------------


def _validate_openai_batch_request(line: dict[str, Any]) -> None:
    assert set(line) == {"custom_id", "method", "url", "body"}
    assert line["method"] == "POST" and line["url"] == "/v1/chat/completions"
    _validate("openai", line["body"])


def test_batch_requests_convert_both_ways() -> None:
    params = json.loads(CLAUDE_CODE.read_text())
    params.pop("stream", None)
    line = {"custom_id": "req-1", "params": params}
    sdk_strict.validate(amb.batch_create_params.Request, line)
    openai_line = batch.request(line)
    _validate_openai_batch_request(openai_line)
    assert openai_line["custom_id"] == "req-1"
    back = batch.request(openai_line)
    assert set(back) == {"custom_id", "params"} and back["custom_id"] == "req-1"
    sdk_strict.validate(amb.batch_create_params.Request, back)
    # names over 64 characters were shortened for OpenAI (no request= here to restore them)
    assert [t["input_schema"] for t in back["params"]["tools"]] == [
        t["input_schema"] for t in params["tools"]
    ]
    with pytest.raises(ValueError, match="custom_id"):
        batch.request({**openai_line, "custom_id": "has spaces"})
    losses: list = []
    batch.request({"custom_id": "s", "params": {**params, "stream": True}}, losses=losses)
    assert ("params.stream", "dropped") in [(x.path, x.kind) for x in losses]


def _validate_openai_result(line: dict[str, Any]) -> None:
    assert set(line) == {"id", "custom_id", "response", "error"}
    if line["response"] is not None:
        assert line["error"] is None
        body = line["response"]["body"]
        if line["response"]["status_code"] == 200:
            sdk_strict.validate_chat_completion(body)
        else:
            sdk_strict.validate_openai_error(body)
    else:
        assert set(line["error"]) == {"code", "message"}


RESULTS = [
    {"type": "succeeded", "message": _message()},
    {
        "type": "errored",
        "error": {
            "type": "error",
            "error": {"type": "invalid_request_error", "message": "max_tokens: too large"},
            "request_id": "req_011",
        },
    },
    {"type": "canceled"},
    {"type": "expired"},
]


@pytest.mark.parametrize("result", RESULTS, ids=[r["type"] for r in RESULTS])
def test_batch_results_convert_both_ways(result: dict[str, Any]) -> None:
    line = {"custom_id": "req-7", "result": result}
    sdk_strict.validate(amb.MessageBatchIndividualResponse, line)
    openai_line = batch.result(line)
    _validate_openai_result(openai_line)
    assert openai_line["custom_id"] == "req-7"
    losses: list = []
    back = batch.result(openai_line, losses=losses)
    sdk_strict.validate(amb.MessageBatchIndividualResponse, back)
    assert back["result"]["type"] == result["type"]
    assert [x.path for x in losses] == ["id"]
    if result["type"] == "errored":
        assert openai_line["response"]["status_code"] == 400
        assert back["result"]["error"]["error"] == result["error"]["error"]
    if result["type"] == "succeeded":
        assert back["result"]["message"]["content"] == result["message"]["content"]


# --- transcripts -----------------------------------------------------------------------


def test_a_claude_code_transcript_converts_to_either_dialect() -> None:
    lines = (SESSION / "session.jsonl").read_bytes().splitlines()
    request = (SESSION / "requests.jsonl").read_bytes().splitlines()[-1]
    losses: list = []
    out = transcript.conversation(lines, losses=losses)
    _validate("openai", out)
    assert [m["role"] for m in out["messages"]] == ["user", "assistant", "tool", "assistant"]
    assert out["messages"][1]["tool_calls"][0]["id"] == "toolu_01ABC"
    assert out["tools"][0]["function"]["name"] == "Bash"
    assert {x.path for x in losses} == {"line[1].type", "transcript.system", "transcript.tools"}
    anth = transcript.conversation(lines, to="anthropic", request=request)
    _validate_anthropic(anth)
    assert len(anth["tools"]) == 24 and anth["system"]
    thinking = anth["messages"][1]["content"][0]
    assert thinking == {
        "type": "thinking",
        "thinking": "I should run echo.",
        "signature": "c2lnbmF0dXJl",
    }
    # the conversation is what Claude Code sent: the last request's turns are its prefix
    sent = json.loads(request)
    tool_uses = [
        b["id"]
        for m in sent["messages"]
        if isinstance(m["content"], list)
        for b in m["content"]
        if b.get("type") == "tool_use"
    ]
    assert tool_uses == ["toolu_01ABC"]


def test_a_rewound_branch_and_sidechain_lines_are_losses() -> None:
    lines = [json.loads(line) for line in (SESSION / "session.jsonl").read_text().splitlines()]
    first_user = next(e for e in lines if e.get("type") == "user")
    rewound = {
        **first_user,
        "uuid": "rewound-1",
        "message": {"role": "user", "content": "never mind"},
    }
    side = {**first_user, "uuid": "side-1", "parentUuid": None, "isSidechain": True}
    losses: list = []
    out = transcript.conversation([rewound, *lines, side], losses=losses)
    assert "never mind" not in json.dumps(out)
    # line 1 is the rewound turn, line 13 the sidechain one (the 11 lines between)
    assert {("line[1].parentUuid", "1 lines off the last branch (rewound or compacted)")} == {
        (x.path, x.detail) for x in losses if x.path.endswith("parentUuid")
    }
    assert {"line[13].isSidechain"} == {x.path for x in losses if x.path.endswith("isSidechain")}


# --- map_batch (the datasets / Ray entry point, engine-free) ---------------------------


def test_map_batch_returns_builtins_in_order_with_errors_per_row() -> None:
    good = [json.dumps(r) for r in _rows()]
    out = rows.map_batch({"row": [good[1], "not json", good[0]]}, column="row")
    assert set(out) == {"translated", "error", "losses"}
    assert out["translated"][1] is None and "not JSON" in out["error"][1]
    assert json.loads(out["translated"][0]) == conversation.conversation(_rows()[1])
    assert json.loads(out["translated"][2]) == conversation.conversation(_rows()[0])
    by_columns = rows.map_batch(
        {
            "request": [json.dumps(r["request"]) for r in _rows()],
            "response": [json.dumps(r["response"]) for r in _rows()],
        },
        kind="conversation",
    )
    assert by_columns["translated"] == [out["translated"][2], out["translated"][0]]


# --- the command -----------------------------------------------------------------------


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "translate", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def _requests_file(path: Path, n: int, bad: tuple[int, ...] = ()) -> None:
    body = json.loads(CLAUDE_CODE.read_text())
    with path.open("w") as f:
        for i in range(n):
            if i in bad:
                f.write('{"model": "m", "max_tokens": 1, "messages": [{"role": "robot"}]}\n')
            else:
                body["messages"][0]["content"] = f"row {i}"
                f.write(json.dumps(body) + "\n")


def test_jobs_keep_the_input_order_and_bad_rows_are_reported_with_line_numbers(
    tmp_path: Path,
) -> None:
    data = tmp_path / "requests.jsonl"
    _requests_file(data, 600, bad=(3, 450))
    one = run("convert", str(data), "--target", "openai")
    two = run("convert", str(data), "--target", "openai", "--jobs", "2")
    assert one.returncode == two.returncode == 2
    assert one.stdout == two.stdout
    out = [json.loads(line) for line in two.stdout.splitlines()]
    assert len(out) == 598
    assert [json.dumps(m).count(f'"row {i}"') for m, i in zip(out[:4], (0, 1, 2, 4))] == [1] * 4
    err = two.stderr.decode()
    assert "requests.jsonl:4: messages[0].role" in err and "requests.jsonl:451:" in err
    assert "598 of 600 rows translated, 2 bad" in err
    assert "loss:" not in err  # a summary, not a line per loss
    summary = [line.split() for line in err.splitlines() if line.startswith(" ")]
    assert summary and all(int(c[0]) % 598 == 0 for c in summary)
    assert "\r" not in err  # no progress bar when stderr is not a terminal
    failed = run("convert", str(data), "--on-error", "fail", "--jobs", "2")
    assert failed.returncode == 2 and failed.stdout == b""
    assert "requests.jsonl:4: stopped" in failed.stderr.decode()
    ledger = tmp_path / "losses.jsonl"
    run("convert", str(data), "--target", "openai", "--losses-file", str(ledger))
    entries = [json.loads(line) for line in ledger.read_text().splitlines()]
    assert entries[0]["input"] == "requests.jsonl:1"
    assert len(entries) == sum(int(c[0]) for c in summary)


def test_the_new_kinds_through_the_command(tmp_path: Path) -> None:
    done = run("convert", "--kind", "conversation", str(CONVERSATIONS))
    assert done.returncode == 0, done.stderr
    for line in done.stdout.splitlines():
        _validate("openai", json.loads(line))
    lines = tmp_path / "batch.jsonl"
    lines.write_text(
        "\n".join(json.dumps({"custom_id": f"r{i}", "result": r}) for i, r in enumerate(RESULTS))
    )
    done = run("convert", str(lines), "--jobs", "2")  # detected: batch lines
    assert done.returncode == 0, done.stderr
    for line in done.stdout.splitlines():
        _validate_openai_result(json.loads(line))
    done = run(
        "convert",
        "--kind",
        "transcript",
        str(SESSION / "session.jsonl"),
        "--to",
        "anthropic",
        "--request",
        str(SESSION / "requests.jsonl"),
    )
    assert done.returncode == 2  # --request takes one request, not a JSON Lines file
    request = tmp_path / "request.json"
    request.write_bytes((SESSION / "requests.jsonl").read_bytes().splitlines()[0])
    done = run(
        "convert",
        "--kind",
        "transcript",
        str(SESSION / "session.jsonl"),
        "--to",
        "anthropic",
        "--request",
        str(request),
    )
    assert done.returncode == 0, done.stderr
    (record,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert (
        record["agent"] is None and record["session_id"] == "6e96ff94-cb72-404f-962a-bc991adf63a5"
    )
    _validate_anthropic(record["request"])


def _peak_rss_kib(*args: str) -> int:
    """The peak RSS of one ``translate convert`` run, in KiB (Linux ru_maxrss)."""
    code = (
        "import resource, subprocess, sys;"
        f"subprocess.run([sys.executable, '-m', 'translate', {', '.join(map(repr, args))}],"
        " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, cwd=ROOT, timeout=600, check=True
    )
    return int(done.stdout)


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux only")
def test_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    _requests_file(small, 200)  # ~6 MB
    _requests_file(large, 3000)  # ~62 MB
    assert large.stat().st_size > 60e6
    opts = ("--kind", "request", "--from", "anthropic")
    for jobs in ("1", "2"):  # the largest of the command and its workers
        base = _peak_rss_kib("convert", str(small), *opts, "--jobs", jobs)
        peak = _peak_rss_kib("convert", str(large), *opts, "--jobs", jobs)
        assert peak < base + 30_000, (jobs, base, peak)  # within 30 MB: chunks, not the file
        assert peak < 200_000


def test_jobs_read_byte_ranges_with_the_files_line_numbers(tmp_path: Path) -> None:
    """With --jobs, workers read their own byte ranges of a file (several 4 MB chunks here)
    and write their output themselves, in turn: blank lines, CRLF ends and bad rows in later
    chunks still get the file's line numbers, and the output is the one process's."""
    data = tmp_path / "requests.jsonl"
    _requests_file(data, 600, bad=(520,))
    lines = data.read_bytes().split(b"\n")
    lines[10] = lines[10] + b"\r"
    text = b"\n".join(lines[:5] + [b"", b"  "] + lines[5:])  # two blank lines after row 5
    data.write_bytes(text)
    one = run("convert", str(data), "--target", "openai", "--losses", "json")
    two = run("convert", str(data), "--target", "openai", "--losses", "json", "--jobs", "2")
    assert one.returncode == two.returncode == 2
    assert _differ(one.stdout, two.stdout) is None and len(one.stdout.splitlines()) == 599
    assert one.stderr == two.stderr
    assert "requests.jsonl:523: messages[0].role" in two.stderr.decode()


def _differ(a: bytes, b: bytes) -> str | None:
    """Where two outputs first differ (None: identical); a short message where pytest would
    diff megabytes."""
    if a == b:
        return None
    i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"{len(a)} vs {len(b)} bytes, first difference at {i}: {a[i : i + 80]!r} / {b[i : i + 80]!r}"


def _convert_to_file(out: Path, *args: str) -> subprocess.CompletedProcess:
    with out.open("wb") as sink:
        return subprocess.run(
            [sys.executable, "-m", "translate", "convert", *args],
            stdout=sink,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            timeout=300,
            check=False,
        )


def test_workers_write_in_turn_to_a_file_a_pipe_and_out_dir(tmp_path: Path) -> None:
    """The workers write to the command's standard output themselves: a file (one offset
    shared since the fork) and a pipe give the bytes one process writes; so does --out,
    which each worker opens for appending. --on-error fail in a later chunk (row 520 of
    600, the fourth 4 MB range) writes the chunks before it, as one process does."""
    data = tmp_path / "requests.jsonl"
    _requests_file(data, 600)
    flags = (str(data), "--target", "openai")
    expected = run("convert", *flags).stdout
    assert len(expected.splitlines()) == 600
    for jobs in ("2", "3"):
        out = tmp_path / f"out{jobs}.jsonl"
        done = _convert_to_file(out, *flags, "--jobs", jobs)
        assert done.returncode == 0, done.stderr
        assert _differ(out.read_bytes(), expected) is None
        assert _differ(run("convert", *flags, "--jobs", jobs).stdout, expected) is None
        folder = tmp_path / f"dir{jobs}"
        done = run("convert", *flags, "--jobs", jobs, "--out", str(folder))
        assert done.returncode == 0 and done.stdout == b""
        assert _differ((folder / "requests.jsonl").read_bytes(), expected) is None
    _requests_file(data, 600, bad=(520,))
    one = _convert_to_file(tmp_path / "one.jsonl", *flags, "--on-error", "fail")
    two = _convert_to_file(tmp_path / "two.jsonl", *flags, "--on-error", "fail", "--jobs", "2")
    assert one.returncode == two.returncode == 2
    assert one.stderr == two.stderr
    assert "requests.jsonl:521: stopped" in two.stderr.decode()
    written = (tmp_path / "two.jsonl").read_bytes()
    assert _differ(written, (tmp_path / "one.jsonl").read_bytes()) is None
    kept = len(written.splitlines())
    assert 0 < kept < 520  # the chunks before the bad row's, whole
    assert _differ(written, b"".join(expected.splitlines(keepends=True)[:kept])) is None


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(sys.platform != "linux", reason="finds the workers through /proc")
def test_a_worker_that_dies_ends_the_run_instead_of_hanging_it() -> None:
    """The command waits on its workers' exit as well as on their results: a worker killed
    (say by the OOM killer) is an error, exit status 2, not a wait forever."""
    child = subprocess.Popen(
        [sys.executable, "-m", "translate", "convert", "--jobs", "2", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while len(_children(child.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = _children(child.pid)
        assert len(workers) == 2
        os.kill(workers[0], signal.SIGKILL)
        request = json.dumps({"model": "m", "max_tokens": 1, "messages": []}).encode()
        _, err = child.communicate(request + b"\n", timeout=60)
    finally:
        child.kill()
    assert child.returncode == 2
    assert "translate: --jobs: a worker process died" in err.decode()


@pytest.mark.skipif(sys.platform != "linux", reason="a pseudo-terminal with a size (Linux)")
def test_the_progress_bar_on_a_terminal_with_jobs(tmp_path: Path) -> None:
    """stderr a terminal (a pty, 120 columns) and the cli extra installed: tqdm draws the
    bar (rows, rows/s, the total estimated from the bytes read) while the workers write the
    output themselves, and the output is the one process's."""
    pytest.importorskip("tqdm")
    import fcntl
    import pty
    import struct
    import termios

    data = tmp_path / "requests.jsonl"
    _requests_file(data, 600)
    master, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    out = tmp_path / "out.jsonl"
    with out.open("wb") as sink:
        child = subprocess.Popen(
            [sys.executable, "-m", "translate", "convert", str(data), "--target", "openai"]
            + ["--jobs", "2"],
            stdout=sink,
            stderr=terminal,
            cwd=ROOT,
        )
    os.close(terminal)
    said = b""
    while True:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:  # EIO: the command is gone, and its terminal with it
            break
        if not chunk:
            break
        said += chunk
    os.close(master)
    assert child.wait(timeout=120) == 0
    text = said.decode(errors="replace")
    assert "600/600" in text and "rows/s" in text and "\r" in text, text[-500:]
    assert "600 of 600 rows translated" in text
    assert _differ(out.read_bytes(), run("convert", str(data), "--target", "openai").stdout) is None
