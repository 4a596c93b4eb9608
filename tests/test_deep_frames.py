"""A frame nested deeper than the decoder goes ends a to_anthropic stream like any frame
that cannot be read (issue 10, "Deep frames"); a deep payload through the command is a
TranslationError, not a RecursionError. The to_openai side: tests/test_wild_to_openai.py."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from translate import TranslationError, cli, to_anthropic

OPEN = {
    "id": "c",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "m",
    "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hi"}}],
}
# 2 KB, 1,000 levels deep, in an unknown field of an otherwise plain chunk.
DEEP = b'{"id":"c","choices":[],"x":' + b"[" * 1000 + b"]" * 1000 + b"}"


def _sse(*frames: bytes) -> bytes:
    return b"".join(b"data: " + f + b"\n\n" for f in frames)


def _events(out: bytes) -> list[dict[str, object]]:
    return [json.loads(line[6:]) for line in out.split(b"\n") if line.startswith(b"data: ")]


def test_a_deep_frame_ends_the_stream_with_an_error_however_split() -> None:
    assert 2000 <= len(DEEP) <= 2200
    data = _sse(json.dumps(OPEN).encode(), DEEP, b"[DONE]")
    outs = set()
    for cut in (0, 10, len(data) // 2, len(data) - 5):
        pieces = [data[:cut], data[cut:]] if cut else [data]
        out = b"".join(to_anthropic.sse(pieces))
        events = _events(out)
        assert events[-1]["type"] == "error"
        assert "nested too deeply" in json.dumps(events[-1])
        outs.add(out)
    assert len(outs) == 1

    async def collect() -> bytes:
        async def source() -> AsyncIterator[bytes]:
            yield data

        return b"".join([x async for x in to_anthropic.async_sse(source())])

    assert asyncio.run(collect()) in outs


def test_stream_feed_raises_a_translation_error() -> None:
    s = to_anthropic.Stream()
    s.feed(json.dumps(OPEN))
    with pytest.raises(TranslationError, match="nested too deeply"):
        s.feed(DEEP)
    with pytest.raises(TranslationError, match="nested too deeply"):
        to_anthropic.Stream().feed_data(DEEP)


def test_the_sse_translator_aborts_with_the_kind_it_is_given() -> None:
    t = to_anthropic.SSE()
    t.feed(_sse(json.dumps(OPEN).encode()))
    events = _events(t.abort("the upstream timed out", "timeout_error"))
    assert events[-1] == {
        "type": "error",
        "error": {"type": "timeout_error", "message": "the upstream timed out"},
    }


@pytest.mark.parametrize("kind", [[], ["--kind", "error"]], ids=["any", "error"])
def test_a_deep_payload_through_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: list[str]
) -> None:
    path = tmp_path / "deep.json"
    path.write_bytes(b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    rc = cli.main(["convert", str(path), *kind])
    err = capsys.readouterr().err
    if kind:  # an error body that cannot be read is still an error: a generic one
        assert rc == 0
    else:
        assert rc != 0 and "nested too deeply" in err
