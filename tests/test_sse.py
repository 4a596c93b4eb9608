"""The SSE codec: each spec rule, split independence, limits, truncation, round trips."""

from __future__ import annotations

import itertools
import re
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from translate._errors import TranslationError
from translate.sse import (
    DEFAULT_MAX_FRAME_BYTES,
    DONE,
    ServerSentEvent,
    SSEDecoder,
    encode,
    encode_data,
    encode_event_data,
)

from . import canonical

E = ServerSentEvent


def decode(stream: bytes) -> list[ServerSentEvent]:
    """Decode a whole stream in one feed; the stream must end cleanly."""
    decoder = SSEDecoder()
    events = decoder.feed(stream) + decoder.close()
    assert not decoder.truncated
    return events


def outcome(chunks, max_frame_bytes=DEFAULT_MAX_FRAME_BYTES):
    """Everything observable about decoding ``chunks``: events, error, end state."""
    decoder = SSEDecoder(max_frame_bytes)
    events: list[ServerSentEvent] = []
    error = None
    try:
        for chunk in chunks:
            events += decoder.feed(chunk)
        events += decoder.close()
    except TranslationError as exc:
        error = str(exc)
    return events, error, decoder.truncated, decoder.partial, decoder.done


def split_at(stream: bytes, cuts) -> list[bytes]:
    bounds = [0, *sorted(cuts), len(stream)]
    return [stream[a:b] for a, b in itertools.pairwise(bounds)]


def frame_ends(stream: bytes) -> list[int]:
    """Cuts after every LF LF: one chunk per frame, as servers flush them."""
    return [m.end() for m in re.finditer(b"\n\n", stream)]


# --- line ends -------------------------------------------------------------------------


def test_lf():
    assert decode(b"data: a\n\ndata: b\n\n") == [E("a"), E("b")]


def test_crlf():
    assert decode(b"event: e\r\ndata: a\r\ndata: b\r\n\r\n") == [E("a\nb", "e")]


def test_cr():
    assert decode(b"event: e\rdata: a\rdata: b\r\r") == [E("a\nb", "e")]


def test_mixed_line_ends():
    # CR CR LF is two line ends (CR, then CRLF), so it ends the frame.
    assert decode(b"data: a\r\r\ndata: b\n\rdata: c\r\n\n") == [E("a"), E("b"), E("c")]


def test_cr_then_lf_in_next_chunk_is_one_line_end():
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    # Were the LF a line end of its own, it would be a blank line dispatching "a" alone.
    assert decoder.feed(b"\ndata: b\r") == []
    assert decoder.feed(b"\n") == []
    assert decoder.feed(b"\r") == [E("a\nb")]
    assert decoder.feed(b"\n") == []
    assert decoder.close() == []
    assert decoder.truncated is False


def test_cr_at_chunk_end_then_cr_is_a_blank_line():
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\rdata: b\n\n") == [E("a"), E("b")]


def test_extra_blank_lines_dispatch_nothing():
    assert decode(b"\n\n\ndata: a\n\n\n\n\ndata: b\n\n\n") == [E("a"), E("b")]


# --- fields --------------------------------------------------------------------------


def test_comments_are_ignored():
    stream = b": hello\n\ndata: a\n: inside a frame\ndata: b\n\n:\n\n"
    assert decode(stream) == [E("a\nb")]


def test_multi_line_data_and_empty_data_lines():
    assert decode(b"data: a\ndata:\ndata\ndata: \ndata: b\n\n") == [E("a\n\n\n\nb")]
    assert decode(b"data\n\n") == [E("")]
    assert decode(b"data\ndata\n\n") == [E("\n")]


def test_only_one_leading_space_is_removed():
    assert decode(b"data:x\n\ndata:  x \n\nevent:\tt\ndata: y\n\n") == [
        E("x"),
        E(" x "),
        E("y", "\tt"),
    ]


def test_field_without_colon_has_empty_value():
    # "event" alone sets the type to "", which is the default type: None.
    assert decode(b"event: e\nevent\ndata\n\n") == [E("")]
    assert decode(b"id\ndata: a\n\n") == [E("a", id="")]


def test_value_may_contain_colons():
    assert decode(b'event: a:b\ndata: {"k": "v:w"}\n\n') == [E('{"k": "v:w"}', "a:b")]


def test_unknown_and_miscased_fields_are_ignored():
    assert decode(b"foo: bar\nData: no\nDATA: no\ndata: yes\nevent : no\n\n") == [E("yes")]


def test_last_event_line_wins():
    assert decode(b"event: a\nevent: b\ndata: x\n\n") == [E("x", "b")]


def test_id_and_retry():
    decoder = SSEDecoder()
    events = decoder.feed(b"id: 1\nretry: 3000\ndata: a\n\ndata: b\n\n")
    assert events == [E("a", id="1", retry=3000), E("b")]
    # The frame's own id is on the event; the spec's last event ID persists.
    assert decoder.last_event_id == "1"
    assert decoder.reconnection_time == 3000


def test_id_with_nul_is_ignored():
    decoder = SSEDecoder()
    assert decoder.feed(b"id: 5\ndata: a\n\nid: 6\x007\ndata: b\n\n") == [E("a", id="5"), E("b")]
    assert decoder.last_event_id == "5"


def test_empty_id_resets_last_event_id():
    decoder = SSEDecoder()
    assert decoder.feed(b"id: 5\ndata: a\n\nid:\ndata: b\n\n") == [E("a", id="5"), E("b", id="")]
    assert decoder.last_event_id == ""


@pytest.mark.parametrize("value", [b"", b"-1", b"1.5", b" 5", b"5 ", b"5ms", b"\xd9\xa3", b"+5"])
def test_retry_that_is_not_only_ascii_digits_is_ignored(value):
    decoder = SSEDecoder()
    assert decoder.feed(b"retry: 7\n\ndata: a\nretry: " + value + b"\n\n") == [E("a")]
    assert decoder.reconnection_time == 7


def test_retry_with_leading_zeros():
    assert decode(b"retry: 007\ndata: a\n\n") == [E("a", retry=7)]


def test_frames_without_data_are_not_dispatched():
    decoder = SSEDecoder()
    stream = b"event: ping\n\nid: 9\n\nretry: 10\n\nevent: x\nid: 3\n\ndata: a\n\n"
    assert decoder.feed(stream) == [E("a")]
    # Their id and retry still take effect, as in the spec.
    assert decoder.last_event_id == "3"
    assert decoder.reconnection_time == 10


def test_field_order_within_a_frame_does_not_matter():
    assert decode(b"data: a\nid: 1\nevent: e\nretry: 2\ndata: b\n\n") == [E("a\nb", "e", "1", 2)]


# --- BOM and UTF-8 -------------------------------------------------------------------


def test_leading_bom_is_skipped():
    assert decode(b"\xef\xbb\xbfdata: a\n\n") == [E("a")]


def test_bom_split_across_chunks():
    decoder = SSEDecoder()
    assert decoder.feed(b"\xef") == []
    assert decoder.feed(b"\xbb") == []
    assert decoder.feed(b"\xbfdata: a\n\n") == [E("a")]


def test_only_one_bom_is_skipped():
    # The second BOM is part of the first line's field name: an unknown field.
    assert decode(b"\xef\xbb\xbf\xef\xbb\xbfdata: a\n\ndata: b\n\n") == [E("b")]


def test_bom_later_in_the_stream_is_data():
    assert decode(b"data: \xef\xbb\xbfa\n\n") == [E("\ufeffa")]


def test_multibyte_character_split_across_chunks():
    stream = "data: é😀中\n\n".encode()
    decoder = SSEDecoder()
    events = []
    for i in range(len(stream)):
        events += decoder.feed(stream[i : i + 1])
    assert events == [E("é😀中")]


def test_invalid_utf8_names_the_frame():
    # Frames are numbered from 0 and comment-only frames count.
    decoder = SSEDecoder()
    with pytest.raises(TranslationError) as info:
        decoder.feed(b": ping\n\ndata: \xff\n\n")
    assert info.value.path == "sse[frame 1]"
    assert info.value.reason == "the frame's data is not valid UTF-8 (invalid start byte)"


@pytest.mark.parametrize(
    ("chunks", "number"),
    [
        ([b"data: a\n\n\n\n\ndata: \xff\n\n"], 1),
        ([b"data: a\n\n\n", b"\n\n\n\ndata: \xff\n\n"], 1),
        ([b"data: a\n\n\n", b"\n", b"\n", b"\ndata: \xff\n\n"], 1),
        # The comment-only frame in the middle is a frame; the blank lines around it are not.
        ([b"data: a\r\n\r\n\r\n\r", b"\n\r\n:\r\n\r\n\r\n\r\ndata: \xff\n\n"], 2),
    ],
)
def test_extra_blank_lines_do_not_count_as_frames(chunks, number):
    events, error, *_ = outcome(chunks)
    assert events == [E("a")]
    reason = "the frame's data is not valid UTF-8 (invalid start byte)"
    assert error == f"sse[frame {number}]: {reason}"


def test_invalid_utf8_in_event_and_id():
    with pytest.raises(TranslationError, match=r"^sse\[frame 0\]: the frame's event is not valid"):
        SSEDecoder().feed(b"event: \xc3\ndata: a\n\n")
    with pytest.raises(TranslationError, match=r"^sse\[frame 0\]: the frame's id is not valid"):
        SSEDecoder().feed(b"id: \xc3\n\n")


def test_events_before_a_bad_frame_are_returned_then_the_error_sticks():
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n\nevent: e\ndata: b\n\ndata: \xc3(\n\ndata: c\n\n") == [
        E("a"),
        E("b", "e"),
    ]
    with pytest.raises(TranslationError) as first:
        decoder.feed(b"data: d\n\n")
    assert first.value.path == "sse[frame 2]"
    with pytest.raises(TranslationError) as again:
        decoder.close()
    assert again.value is first.value


def test_invalid_utf8_in_ignored_lines_is_not_an_error():
    assert decode(b": \xff\nfoo: \xfe\ndata: a\n\n") == [E("a")]


# --- [DONE] --------------------------------------------------------------------------


def test_done_sentinel():
    decoder = SSEDecoder()
    assert decoder.feed(b'data: {"a":1}\n\n') == [E('{"a":1}')]
    assert decoder.done is False
    assert decoder.feed(b"data: [DONE]\n\n") == [E("[DONE]")]
    assert decoder.done is True


@pytest.mark.parametrize(
    "frame", [b"data: [DONE] \n\n", b"data:  [DONE]\n\n", b"data: [done]\n\n", b"event: x\n\n"]
)
def test_near_misses_are_not_done(frame):
    decoder = SSEDecoder()
    decoder.feed(frame)
    assert decoder.done is False


def test_done_through_the_general_path():
    decoder = SSEDecoder()
    assert decoder.feed(b"data:[DONE]\r\n\r\n") == [E("[DONE]")]
    assert decoder.done is True


# --- frame size limit ----------------------------------------------------------------


def test_frame_at_the_limit_is_accepted_one_byte_more_is_not():
    frame = b"data: " + b"x" * 10  # 16 bytes
    decoder = SSEDecoder(max_frame_bytes=16)
    assert decoder.feed(frame + b"\n\n") == [E("x" * 10)]
    decoder = SSEDecoder(max_frame_bytes=15)
    with pytest.raises(TranslationError) as info:
        decoder.feed(frame + b"\n\n")
    assert str(info.value) == "sse[frame 0]: frame is longer than max_frame_bytes (15 bytes)"


def test_multi_line_frame_counts_all_its_lines():
    frame = b"event: e\ndata: a\n\n"  # 16 bytes without the blank line
    assert SSEDecoder(16).feed(frame) == [E("a", "e")]
    with pytest.raises(TranslationError, match="max_frame_bytes"):
        SSEDecoder(15).feed(frame)


def test_unfinished_frame_over_the_limit_raises_before_it_ends():
    decoder = SSEDecoder(max_frame_bytes=1000)
    assert decoder.feed(b"data: ok\n\n") == [E("ok")]
    assert decoder.feed(b"data: " + b"x" * 900) == []
    with pytest.raises(TranslationError) as info:
        decoder.feed(b"x" * 200)  # still no line end, let alone a blank line
    assert str(info.value) == "sse[frame 1]: frame is longer than max_frame_bytes (1000 bytes)"
    with pytest.raises(TranslationError):
        decoder.feed(b"\n\n")


def test_limit_is_the_same_however_the_frame_arrives():
    stream = b"data: a\n\n" + b"data: " + b"y" * 20 + b"\n\n"
    for limit in (25, 26, 27):
        whole = outcome([stream], limit)
        for i in range(len(stream) + 1):
            assert outcome([stream[:i], stream[i:]], limit) == whole
        assert outcome([bytes([b]) for b in stream], limit) == whole
    assert outcome([stream], 26)[1] is None
    error = outcome([stream], 25)[1]
    assert error == "sse[frame 1]: frame is longer than max_frame_bytes (25 bytes)"


def test_default_limit_is_16_mib():
    assert DEFAULT_MAX_FRAME_BYTES == 16 * 1024 * 1024
    assert SSEDecoder().max_frame_bytes == 16 * 1024 * 1024


# --- truncation ----------------------------------------------------------------------


def test_clean_end_is_not_truncated():
    decoder = SSEDecoder()
    decoder.feed(b"data: a\n\n\n")
    assert decoder.close() == []
    assert (decoder.truncated, decoder.partial) == (False, None)


def test_stream_ending_inside_a_frame_is_reported():
    decoder = SSEDecoder()
    assert decoder.feed(b'data: a\n\nevent: message_delta\r\ndata: {"x":') == [E("a")]
    assert decoder.close() == []
    assert decoder.truncated is True
    assert decoder.partial == 'event: message_delta\ndata: {"x":'


def test_stream_ending_after_complete_lines_but_before_the_blank_line():
    decoder = SSEDecoder()
    decoder.feed(b"data: a\n")
    decoder.close()
    assert (decoder.truncated, decoder.partial) == (True, "data: a")


def test_truncated_partial_replaces_invalid_utf8():
    decoder = SSEDecoder()
    decoder.feed(b"data: \xe4\xb8")  # the first two bytes of a three-byte character
    decoder.close()
    assert (decoder.truncated, decoder.partial) == (True, "data: \ufffd")


def test_feed_after_close_raises_close_twice_does_not():
    decoder = SSEDecoder()
    decoder.feed(b"data: a\n\n")
    assert decoder.close() == []
    assert decoder.close() == []
    with pytest.raises(TranslationError, match="after close"):
        decoder.feed(b"data: b\n\n")


def test_empty_feed_is_a_no_op():
    decoder = SSEDecoder()
    assert decoder.feed(b"") == []
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"") == []
    assert decoder.feed(b"\n\n") == [E("a")]


def test_bytes_like_input():
    decoder = SSEDecoder()
    assert decoder.feed(bytearray(b"data: a\n\n")) == [E("a")]
    assert decoder.feed(memoryview(b"data: b\n\n")) == [E("b")]


# --- split independence --------------------------------------------------------------

RICH_STREAM = (
    b"\xef\xbb\xbf: comment\r\n\r\n"
    b'event: message_start\r\ndata: {"a": "\xc3\xa9\xf0\x9f\x98\x80"}\r\n\r\n'
    b"id: 7\rretry: 100\rdata: one\rdata: two\r\r"
    b"event: ping\n\n"
    b"data\ndata:x\ndata:  y\n\n\n\n"
    b"foo: bar\nid: 8\x00\ndata: z\r\n\n"
    b"data: [DONE]\n\n"
    b"data: tail"
)
RICH_EVENTS = [
    E('{"a": "é😀"}', "message_start"),
    E("one\ntwo", id="7", retry=100),
    E("\nx\n y"),
    E("z"),
    E("[DONE]"),
]


def test_rich_stream_decodes_exactly():
    assert outcome([RICH_STREAM]) == (RICH_EVENTS, None, True, "data: tail", True)


def test_rich_stream_split_at_every_byte_boundary():
    expected = outcome([RICH_STREAM])
    for i in range(len(RICH_STREAM) + 1):
        assert outcome([RICH_STREAM[:i], RICH_STREAM[i:]]) == expected, i


def test_rich_stream_split_at_every_pair_of_boundaries():
    expected = outcome([RICH_STREAM])
    n = len(RICH_STREAM)
    for i in range(0, n + 1, 3):
        for j in range(i, n + 1):
            assert outcome(split_at(RICH_STREAM, [i, j])) == expected, (i, j)


def test_rich_stream_one_byte_at_a_time():
    assert outcome([bytes([b]) for b in RICH_STREAM]) == outcome([RICH_STREAM])


def test_rich_stream_one_frame_at_a_time():
    assert outcome(split_at(RICH_STREAM, frame_ends(RICH_STREAM))) == outcome([RICH_STREAM])


def test_one_frame_chunks_of_every_shape():
    # Each chunk is one whole frame; several look like the two dialects' usual frames
    # without being them, and must not be mistaken for them.
    chunks = [
        b"event: a\ndata: 1\n\n",  # a new type: decoded and remembered
        b"event: a\ndata: 2\n\n",  # a known type
        b"event: a\ndata:3\n\n",  # no space after the colon
        b"event: a\nid: 4\n\n",  # no data: not dispatched
        b"data: 5\ndata: 6\n\n",  # two data lines
        b"event: a\nevent: b\n\n",
        b"\ndata: 7\n\n",  # an extra blank line first
        b"data: 8\n\n",
        b"event:\ndata: 9\n\n",  # empty type
        b"event: \ndata: 10\n\n",  # empty type, cached
        b"event: \ndata: 11\n\n",
        b"data: [DONE]\n\n",
    ]
    decoder = SSEDecoder()
    events = [e for chunk in chunks for e in decoder.feed(chunk)]
    assert events == [
        E("1", "a"),
        E("2", "a"),
        E("3", "a"),
        E("5\n6"),
        E("7"),
        E("8"),
        E("9"),
        E("10"),
        E("11"),
        E("[DONE]"),
    ]
    assert decoder.last_event_id == "4"
    assert decoder.done is True


def test_many_event_types():
    # More types than the decoder remembers: the ones past its cache still decode.
    stream = b"".join(b"event: t%d\ndata: %d\n\n" % (i, i) for i in range(200)) * 2
    expected = [E(str(i), f"t{i}") for i in range(200)] * 2
    assert outcome(split_at(stream, frame_ends(stream)))[0] == expected
    assert outcome([stream])[0] == expected


@pytest.mark.parametrize(
    "bad", [b"data: \xff\n\n", b"event: a\ndata: \xff\n\n", b"event: \xff\ndata: a\n\n"]
)
def test_invalid_utf8_in_a_one_frame_chunk(bad):
    decoder = SSEDecoder()
    assert decoder.feed(b"event: a\ndata: 1\n\n") == [E("1", "a")]
    assert decoder.feed(b"data: 2\n\n") == [E("2")]
    with pytest.raises(TranslationError) as info:
        decoder.feed(bad)
    assert info.value.path == "sse[frame 2]"


@pytest.mark.parametrize(
    "chunk",
    [
        b"data: a\n\ndata: b\n\ndata: \xff\n\ndata: c\n\n",
        b"event: e\ndata: a\n\nevent: e\ndata: b\n\nevent: e\ndata: \xff\n\n",
        b"event: e\ndata: a\n\nevent: e\ndata: b\n\nevent: \xff\ndata: c\n\n",
    ],
)
def test_bad_frame_inside_a_chunk_of_regular_frames(chunk):
    decoder = SSEDecoder()
    assert decoder.feed(b"data: 0\n\n") == [E("0")]
    events = decoder.feed(chunk)
    assert [e.data for e in events] == ["a", "b"]
    with pytest.raises(TranslationError) as info:
        decoder.close()
    assert info.value.path == "sse[frame 3]"


def test_unterminated_line_is_not_mistaken_for_a_frame_boundary():
    decoder = SSEDecoder()
    assert decoder.feed(b"data: 0\n\n") == [E("0")]
    assert decoder.feed(b"data: a") == []
    assert decoder.feed(b"data: b\n\n") == [E("adata: b")]
    assert decoder.feed(b"event: x\ndata: c\n") == []
    assert decoder.feed(b"data: d\n\n") == [E("c\nd", "x")]


def test_unfinished_frame_size_counts_the_line_end_before_the_tail():
    # "data: ab" LF "c" is 10 bytes once the frame is complete.
    decoder = SSEDecoder(max_frame_bytes=9)
    with pytest.raises(TranslationError, match=r"^sse\[frame 0\]: frame is longer"):
        decoder.feed(b"data: ab\nc")
    decoder = SSEDecoder(max_frame_bytes=10)
    assert decoder.feed(b"data: ab\nc") == []
    decoder.close()
    assert (decoder.truncated, decoder.partial) == (True, "data: ab\nc")


def test_one_frame_chunk_over_the_limit():
    decoder = SSEDecoder(max_frame_bytes=10)
    assert decoder.feed(b"data: 1234\n\n") == [E("1234")]
    with pytest.raises(TranslationError) as info:
        decoder.feed(b"data: 12345\n\n")
    assert str(info.value) == "sse[frame 1]: frame is longer than max_frame_bytes (10 bytes)"
    decoder = SSEDecoder(max_frame_bytes=15)  # "event: a" LF "data: " is 15 bytes
    assert decoder.feed(b"event: a\ndata: \n\n") == [E("", "a")]
    with pytest.raises(TranslationError, match=r"^sse\[frame 1\]"):
        decoder.feed(b"event: a\ndata: x\n\n")


TOKENS = [
    b"data", b"data:", b"data: ", b"event:", b"event: ", b"id:", b"id: ", b"retry:",
    b"retry: ", b":", b" ", b"x", b"y", b"7", b"42", b"\x00", b"\r", b"\n", b"\r\n",
    b"\n\n", b"\r\n\r\n", b"[DONE]", "é".encode(), "😀".encode(), b"Data", b"foo:",
]  # fmt: skip


@st.composite
def streams(draw, extra_tokens=()):
    tokens = draw(st.lists(st.sampled_from(TOKENS + list(extra_tokens)), max_size=60))
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    return bom + b"".join(tokens)


@st.composite
def stream_and_cuts(draw, extra_tokens=()):
    stream = draw(streams(extra_tokens))
    cuts = draw(st.lists(st.integers(0, len(stream)), max_size=12))
    return stream, cuts


def reference(stream: bytes):
    """A literal, line-by-line reading of the spec, with this library's documented choices."""
    text = stream.decode()
    text = text.removeprefix("\ufeff")
    lines = re.split(r"\r\n|\r|\n", text)
    remainder = lines.pop()
    events, pending = [], []
    data, event, ident, retry = [], "", None, None
    last_id, reconnect = "", None
    for line in lines:
        if line == "":
            if ident is not None:
                last_id = ident
            if retry is not None:
                reconnect = retry
            if data:
                events.append(E("\n".join(data), event or None, ident, retry))
            data, event, ident, retry, pending = [], "", None, None, []
            continue
        pending.append(line)
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            data.append(value)
        elif name == "event":
            event = value
        elif name == "id" and "\0" not in value:
            ident = value
        elif name == "retry" and value.isascii() and value.isdigit():
            retry = int(value)
    partial = "\n".join([*pending, remainder]).strip("\n") or None
    done = any(e.data == "[DONE]" for e in events)
    return events, None, partial is not None, partial, done, last_id, reconnect


def full_outcome(chunks):
    decoder = SSEDecoder()
    events = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    events += decoder.close()
    return (
        events,
        None,
        decoder.truncated,
        decoder.partial,
        decoder.done,
        decoder.last_event_id,
        decoder.reconnection_time,
    )


@given(stream_and_cuts())
def test_decoder_matches_the_spec_reading_for_any_split(case):
    stream, cuts = case
    expected = reference(stream)
    assert full_outcome([stream]) == expected
    assert full_outcome(split_at(stream, cuts)) == expected
    assert full_outcome(split_at(stream, frame_ends(stream))) == expected


@given(stream_and_cuts(extra_tokens=[b"\xff", b"\xe4\xb8", b"\xad"]), st.integers(4, 40))
def test_errors_and_limits_do_not_depend_on_the_split(case, limit):
    stream, cuts = case
    whole = outcome([stream], limit)
    assert outcome(split_at(stream, cuts), limit) == whole
    assert outcome(split_at(stream, frame_ends(stream)), limit) == whole


# --- real-looking streams ------------------------------------------------------------

ANTHROPIC_STREAM = (
    b"event: message_start\n"
    b'data: {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant",'
    b'"model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,'
    b'"usage":{"input_tokens":12,"output_tokens":1}}}\n\n'
    b"event: content_block_start\n"
    b'data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n'
    b"event: ping\n"
    b'data: {"type": "ping"}\n\n'
    b"event: content_block_delta\n"
    b'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n'
    b"event: content_block_stop\n"
    b'data: {"type":"content_block_stop","index":0}\n\n'
    b"event: message_delta\n"
    b'data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},'
    b'"usage":{"output_tokens":5}}\n\n'
    b"event: message_stop\n"
    b'data: {"type":"message_stop"}\n\n'
)


def test_anthropic_stream():
    assert decode(ANTHROPIC_STREAM) == [
        E(
            '{"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant",'
            '"model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,'
            '"usage":{"input_tokens":12,"output_tokens":1}}}',
            "message_start",
        ),
        E(
            '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
            "content_block_start",
        ),
        E('{"type": "ping"}', "ping"),
        E(
            '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}',
            "content_block_delta",
        ),
        E('{"type":"content_block_stop","index":0}', "content_block_stop"),
        E(
            '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},'
            '"usage":{"output_tokens":5}}',
            "message_delta",
        ),
        E('{"type":"message_stop"}', "message_stop"),
    ]


def openai_chunk(delta: str, finish: str = "null") -> str:
    return (
        '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m",'
        f'"choices":[{{"index":0,"delta":{delta},"finish_reason":{finish}}}]}}'
    )


OPENAI_PAYLOADS = [
    openai_chunk('{"role":"assistant","content":""}'),
    openai_chunk('{"content":"Hel"}'),
    openai_chunk('{"content":"lo\\n"}'),
    openai_chunk("{}", '"stop"'),
    '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],'
    '"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}',
]
OPENAI_STREAM = (
    b"".join(encode_data(p.encode()) for p in OPENAI_PAYLOADS) + b": keep-alive\n\n" + DONE
)


def test_openai_stream():
    decoder = SSEDecoder()
    events = decoder.feed(OPENAI_STREAM)
    assert events == [E(p) for p in OPENAI_PAYLOADS] + [E("[DONE]")]
    assert decoder.done is True
    assert decoder.close() == []
    assert decoder.truncated is False


def test_streams_one_frame_per_chunk():
    for stream in (ANTHROPIC_STREAM, OPENAI_STREAM):
        assert outcome(split_at(stream, frame_ends(stream))) == outcome([stream])


def test_openai_stream_in_small_network_pieces():
    for size in (1, 2, 7, 64, 100, 1024):
        pieces = [OPENAI_STREAM[i : i + size] for i in range(0, len(OPENAI_STREAM), size)]
        events = [E(p) for p in OPENAI_PAYLOADS] + [E("[DONE]")]
        assert outcome(pieces) == (events, None, False, None, True)


# --- memory --------------------------------------------------------------------------


def test_memory_is_bounded_by_one_frame():
    frame = encode_event_data(b"content_block_delta", openai_chunk('{"content":"hello"}').encode())
    frames, piece = 100_000, 4096
    total = frames * len(frame)
    # The stream is periodic, so any 4 KiB piece is a slice of a few repeated frames: the
    # stream (18 MB) never exists in memory.
    period = frame * (piece // len(frame) + 2)
    expected = E(openai_chunk('{"content":"hello"}'), "content_block_delta")
    decoder = SSEDecoder()
    count = 0
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        for start in range(0, total, piece):
            offset = start % len(frame)
            chunk = period[offset : offset + min(piece, total - start)]
            for event in decoder.feed(chunk):
                assert event == expected
                count += 1
        decoder.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == frames
    assert decoder.truncated is False
    assert total > 18_000_000
    assert peak < 64 * 1024, peak


# --- encoder -------------------------------------------------------------------------


def test_encode_all_fields_in_order():
    event = E("line 1\nline 2", "message_delta", "42", 1500)
    assert encode(event) == (
        b"event: message_delta\nid: 42\nretry: 1500\ndata: line 1\ndata: line 2\n\n"
    )


def test_encode_plain_data():
    assert encode(E('{"a":1}')) == b'data: {"a":1}\n\n'
    assert encode(E("")) == b"data: \n\n"
    assert encode(E("é")) == "data: é\n\n".encode()


def test_encode_keeps_leading_spaces_and_empty_lines():
    assert encode(E(" a\n\n b ", " e")) == b"event:  e\ndata:  a\ndata: \ndata:  b \n\n"
    assert decode(encode(E(" a\n\n b ", " e"))) == [E(" a\n\n b ", " e")]


def test_encode_normalizes_cr_line_ends_in_data():
    assert encode(E("a\r\nb\rc")) == b"data: a\ndata: b\ndata: c\n\n"


def test_encode_empty_event_type_and_empty_id():
    assert encode(E("x", "", "")) == b"id: \ndata: x\n\n"
    assert decode(encode(E("x", "", ""))) == [E("x", None, "")]


@pytest.mark.parametrize(
    ("event", "path"),
    [
        (E("x", event="a\nb"), "sse.event"),
        (E("x", event="a\rb"), "sse.event"),
        (E("x", id="1\n"), "sse.id"),
        (E("x", id="1\x002"), "sse.id"),
        (E("x", retry=-1), "sse.retry"),
        (E("x", retry=True), "sse.retry"),
    ],
)
def test_encode_refuses_what_a_frame_cannot_carry(event, path):
    with pytest.raises(TranslationError) as info:
        encode(event)
    assert info.value.path == path


@pytest.mark.parametrize(
    "event", [E("\ud800"), E("a\nb\udfff"), E("x", event="\ud800"), E("x", id="\udc00")]
)
def test_encode_refuses_lone_surrogates(event):
    with pytest.raises(TranslationError) as info:
        encode(event)
    assert info.value.path == "sse"
    assert info.value.reason.startswith("not encodable as UTF-8: ")


def test_fast_encoders():
    assert encode_data(b'{"a":1}') == b'data: {"a":1}\n\n'
    frame = b'event: ping\ndata: {"type":"ping"}\n\n'
    assert encode_event_data(b"ping", b'{"type":"ping"}') == frame
    assert DONE == b"data: [DONE]\n\n"
    assert decode(DONE) == [E("[DONE]")]


single_line = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"))
events_strategy = st.builds(
    ServerSentEvent,
    data=st.text(),
    event=st.none() | single_line,
    id=st.none()
    | st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n\x00")),
    retry=st.none() | st.integers(0, 2**63),
)


@given(st.lists(events_strategy, max_size=8), st.lists(st.integers(0, 10_000), max_size=8))
def test_encode_decode_round_trip(events, cuts):
    stream = b"".join(encode(e) for e in events)
    cuts = [c % (len(stream) + 1) for c in cuts]
    decoded, error, truncated, partial, _ = outcome(split_at(stream, cuts))
    assert (error, truncated, partial) == (None, False, None)
    assert decoded == [canonical.sse_event(e) for e in events]


@given(st.lists(st.tuples(single_line.map(str.encode), st.text().map(str.encode)), max_size=8))
def test_fast_encoders_round_trip(pairs):
    # JSON payloads have no raw line ends; escape them as JSON would to stay single-line.
    pairs = [(e, d.replace(b"\r", b"\\r").replace(b"\n", b"\\n")) for e, d in pairs]
    stream = b"".join(encode_event_data(e, d) for e, d in pairs)
    expected = [E(d.decode(), e.decode() or None) for e, d in pairs]
    assert decode(stream) == expected
