"""The dataset engines' entry point (issue 14): Hugging Face ``datasets`` and Ray Data call
``translate.rows.map_batch`` in worker processes, on a small dataset the test makes.

Both are optional extras (``pip install 'translate-llm[datasets]'`` / ``[ray]``); a test is
skipped, with the reason, only where its engine is not installed. ``.ci/run`` installs both."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from translate import conversation, rows

ROOT = Path(__file__).resolve().parent.parent
CONVERSATIONS = ROOT / "fixtures" / "conversations" / "claude_code_2.1.197.jsonl"


def _table(tmp_path: Path, copies: int = 20) -> tuple[Path, list[str]]:
    """A JSON Lines dataset with one column, ``row``: each conversation row as JSON text
    (the shape columnar formats store whatever the messages hold), and the expected output."""
    lines = CONVERSATIONS.read_text().splitlines() * copies
    path = tmp_path / "data.jsonl"
    path.write_text("".join(json.dumps({"row": line}) + "\n" for line in lines))
    want = [json.dumps(conversation.conversation(line), separators=(",", ":")) for line in lines]
    return path, want


def _same(got: list[Any], want: list[str]) -> None:
    assert [json.loads(g) for g in got] == [json.loads(w) for w in want]


def test_hugging_face_datasets_map_in_worker_processes(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets", reason="the datasets extra is not installed")
    path, want = _table(tmp_path)
    ds = datasets.load_dataset("json", data_files=str(path), split="train")
    out = ds.map(
        rows.map_batch,
        batched=True,
        batch_size=8,
        num_proc=2,
        fn_kwargs={"column": "row", "kind": "conversation", "to": "openai"},
        remove_columns=["row"],
    )
    assert out.column_names == ["translated", "error", "losses"]
    assert out["error"] == [None] * len(want)
    _same(out["translated"], want)


def test_ray_data_map_batches_in_local_mode(tmp_path: Path) -> None:
    ray = pytest.importorskip("ray", reason="the ray extra is not installed")
    path, want = _table(tmp_path, copies=5)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    try:
        ds = ray.data.read_json(str(path)).map_batches(
            rows.map_batch,
            batch_size=4,
            fn_kwargs={"column": "row", "kind": "conversation"},
        )
        got = ds.take_all()
    finally:
        ray.shutdown()
    assert [g["error"] for g in got] == [None] * len(want)
    _same([g["translated"] for g in got], want)
