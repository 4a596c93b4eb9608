"""Server-Sent Events at the bytes level: an incremental decoder and an encoder, no I/O.

Both dialects stream over SSE (``text/event-stream``): Anthropic sends
``event: <type>\\ndata: <json>\\n\\n`` frames, OpenAI sends ``data: <json>\\n\\n`` frames
ending with ``data: [DONE]\\n\\n``. This module turns bytes into :class:`ServerSentEvent`
values and back, and nothing else: it never reads a socket, so the same code serves
sync and async callers, tests and benchmarks (the "sans-I/O" style of h11 and wsproto).

Decoding follows the WHATWG HTML Living Standard, section "Server-sent events",
subsections "Parsing an event stream" and "Interpreting an event stream"
(https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
Each rule it implements is quoted where it is implemented. Where this decoder chooses
differently from a browser, it says so, and the reason is always the same: a translator
must not change or lose a payload without telling its caller. The differences:

- Invalid UTF-8 raises :class:`~translate.TranslationError` naming the frame
  (``sse[frame 12]``) instead of being replaced by U+FFFD, which would alter JSON text.
  Only what is kept (data, event, id) is decoded; comments and unknown fields are skipped
  as bytes.
- A stream that ends inside a frame is not discarded silently: :meth:`SSEDecoder.close`
  sets ``truncated`` and ``partial`` (see there).
- :attr:`ServerSentEvent.id` is the frame's own ``id`` field (``None`` when it had none),
  so that decoding an encoded event gives it back; the spec's persistent "last event ID"
  is :attr:`SSEDecoder.last_event_id`.

Memory is bounded by one frame: between calls the decoder keeps only the unfinished frame
(its complete lines and the unterminated last one). A frame, measured as its lines joined
by LF (so after line ends are normalized, and without the blank line that ends it), may be
at most ``max_frame_bytes`` long, by default ``DEFAULT_MAX_FRAME_BYTES`` = 16 MiB
(16 * 1024 * 1024 bytes). A longer one raises ``TranslationError`` as soon as the decoder
would have to hold it, not when it ends.

Speed: the whole translation of a stream chunk has a budget of a few microseconds, so the
decoder never loops over characters in Python: it splits each chunk on LF once, with C
code, and then works on lines, in one of three ways, cheapest first.

1. A chunk that is exactly one frame of either dialect's usual shape (``data: X`` or
   ``event: T`` + ``data: X``), at a frame boundary: most chunks, since servers flush a
   frame per token. One split, one slice, one decode, one struct.
2. A chunk of several such frames, all of one shape: recognized for the whole chunk at once
   by C-level ``all`` and ``count`` over strided slices of the line list.
3. Anything else (comments, ``id``, multi-line data, frames split across chunks): the
   spec's rules, line by line.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import Protocol

import msgspec

from translate._errors import TranslationError

__all__ = [
    "DEFAULT_MAX_FRAME_BYTES",
    "DONE",
    "SSEDecoder",
    "ServerSentEvent",
    "encode",
    "encode_data",
    "encode_event_data",
]

DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024

DONE = b"data: [DONE]\n\n"
"""OpenAI's end-of-stream sentinel frame."""

_BOM = b"\xef\xbb\xbf"


class ServerSentEvent(msgspec.Struct, frozen=True, gc=False):
    """One dispatched event: the fields of one frame that had at least one ``data`` line.

    ``data`` is the frame's data lines joined with LF. ``event`` is ``None`` when the frame
    named no type (or an empty one, which the spec treats alike: the type is "message").
    ``id`` and ``retry`` are the frame's own ``id`` and ``retry`` fields, ``None`` if absent.
    """

    # gc=False: the fields are str, int or None, which cannot form a cycle, so the
    # collector need not track one struct per frame.
    data: str
    event: str | None = None
    id: str | None = None
    retry: int | None = None


class _FrameError(Exception):
    """A frame is bad; the caller knows its number and makes the TranslationError."""


class SSEDecoder:
    """Incremental SSE decoder: ``feed(bytes)`` returns the events those bytes completed.

    Chunks may be split anywhere, also between the CR and LF of a CRLF or inside a
    multi-byte UTF-8 character; the events do not depend on how the stream was split.

    Attributes a caller reads:

    - ``done``: a frame whose data is exactly ``[DONE]`` (OpenAI's sentinel) was seen. The
      sentinel is still returned as an event, so the caller sees where it was.
    - ``last_event_id``: the spec's last event ID (what a reconnecting client sends as
      ``Last-Event-ID``), updated only by complete frames.
    - ``reconnection_time``: the last valid ``retry`` value, in milliseconds, or ``None``.
    - ``truncated`` / ``partial``: set by :meth:`close` when the stream ended inside a frame.

    After an error every later call raises the same error: the stream cannot be trusted
    past a frame that could not be decoded.
    """

    __slots__ = (
        "_at_boundary",
        "_bom",
        "_closed",
        "_error",
        "_frames",
        "_lines",
        "_names",
        "_size",
        "_skip_lf",
        "_tail",
        "done",
        "last_event_id",
        "max_frame_bytes",
        "partial",
        "reconnection_time",
        "truncated",
    )

    def __init__(
        self, max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES, event_types: Iterable[str] = ()
    ) -> None:
        self.max_frame_bytes = max_frame_bytes
        self.done = False
        self.last_event_id = ""
        self.reconnection_time: int | None = None
        self.truncated = False
        self.partial: str | None = None
        # All the decoder keeps of the stream: the unterminated last line, and the complete
        # lines of the unfinished frame with their size as a frame counts it (joined by LF).
        # Line ends are normalized to LF before anything is stored. The tail is a bytearray
        # so that a long line arriving in small pieces is appended in amortized O(1)
        # instead of being recopied at every piece.
        self._tail = bytearray()
        self._lines: list[bytes] = []
        self._size = 0
        # The first bytes of the stream while they could still be a split BOM; None once
        # the question is settled.
        self._bom: bytes | None = b""
        # The previous chunk ended with CR: if this one starts with LF, it is the second
        # half of a CRLF, not a line end of its own.
        self._skip_lf = False
        # Frames finished so far (comment-only ones included, extra blank lines not): the
        # number of the frame being decoded, for error messages.
        self._frames = 0
        # Event types already decoded, by their whole "event: ..." line. A stream uses a
        # handful of types, and a dict hit is cheaper than slicing and decoding again.
        # ``event_types``: the types a caller expects, known from the first frame on.
        self._names: dict[bytes, str] = {b"event: " + t.encode(): t for t in event_types}
        # Nothing is held (no tail, no unfinished frame, no CR, BOM settled) and nothing
        # failed or closed: the one condition under which feed() may take its fast path.
        self._at_boundary = False
        self._error: TranslationError | None = None
        self._closed = False

    def feed(self, data: bytes) -> list[ServerSentEvent]:
        """Take the next bytes of the stream; return the events they completed, in order.

        ``feed(b"")`` does nothing: the end of the stream is :meth:`close`.

        If a frame turns out to be bad after others in the same call were completed, those
        events are returned and the error is raised by the next call, so that no event
        decoded before the bad frame is lost.
        """
        # The hot case first: a chunk that is exactly one frame of either dialect's usual
        # shape, arriving at a frame boundary. Servers flush a frame per token, so this is
        # most chunks, and it must not pay for the general path's bookkeeping. The frame is
        # "data: X" or "event: T" then "data: X", then the blank line, so its split on LF
        # ends with two empty strings; a known "event: T" line is a hit in the name cache.
        if self._at_boundary and type(data) is bytes and 13 not in data:
            lines = data.split(b"\n")
            n = len(lines)
            if 3 <= n <= 4 and not lines[-1] and not lines[-2]:
                line = lines[-3]
                name = self._names.get(lines[0]) if n == 4 else ""
                if (
                    name is not None
                    and line[:6] == b"data: "
                    and len(data) - 2 <= self.max_frame_bytes
                ):
                    try:
                        text = line[6:].decode()
                    except UnicodeDecodeError:
                        pass  # the general path reports it, with the frame's number
                    else:
                        self._frames += 1
                        if text == "[DONE]":
                            self.done = True
                        return [ServerSentEvent(text, name or None)]
            return self._take(data, lines)
        return self._feed(data)

    def feed_data(self, data: bytes) -> str | None:
        """The hot case of :meth:`feed` for a translator that needs only the data: if
        ``data`` is exactly one frame of the usual shape at a frame boundary, it is taken
        and its data returned (its ``event`` line, a known one, is only the JSON's echo);
        otherwise nothing is taken and ``None`` says to call :meth:`feed` with it. Saves
        the event value and its list on the path most chunks take."""
        if self._at_boundary and type(data) is bytes and 13 not in data:
            lines = data.split(b"\n")
            n = len(lines)
            if 3 <= n <= 4 and not lines[-1] and not lines[-2]:
                line = lines[-3]
                if (
                    (n == 3 or lines[0] in self._names)
                    and line[:6] == b"data: "
                    and len(data) - 2 <= self.max_frame_bytes
                ):
                    try:
                        text = line[6:].decode()
                    except UnicodeDecodeError:
                        return None  # feed() reports it, with the frame's number
                    self._frames += 1
                    if text == "[DONE]":
                        self.done = True
                    return text
        return None

    def _feed(self, data: bytes) -> list[ServerSentEvent]:
        """The general path: state checks, BOM, CR and CRLF line ends, then :meth:`_take`."""
        if self._error is not None:
            raise self._error
        if self._closed:
            raise TranslationError("sse", "feed() called after close()")
        if type(data) is not bytes:
            data = bytes(data)
        if self._bom is not None:
            data = self._strip_bom(data)
        if not data:
            return []
        if self._skip_lf:
            self._skip_lf = False
            if data[0] == 10:
                data = data[1:]
                if not data:
                    return []
        # Spec, "Parsing an event stream": a line ends with "a U+000D CARRIAGE RETURN
        # U+000A LINE FEED (CRLF) character pair, a single U+000A LINE FEED (LF) character
        # not preceded by a U+000D CARRIAGE RETURN (CR) character, and a single U+000D
        # CARRIAGE RETURN (CR) character not followed by a U+000A LINE FEED (LF)
        # character". Rewriting CRLF then CR to LF maps each line end to exactly one LF
        # (replace never rescans its own output, so CR CR LF becomes LF LF as it should).
        # A CR ending the chunk may be the first half of a CRLF split across chunks.
        if 13 in data:  # an int needle is a memchr; a one-byte bytes needle is far slower
            self._skip_lf = data[-1] == 13
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        return self._take(data, data.split(b"\n"))

    def _take(self, data: bytes, lines: list[bytes]) -> list[ServerSentEvent]:
        """Take a chunk whose line ends are LF, already split on them."""
        self._at_boundary = False
        tail = self._tail
        limit = self.max_frame_bytes
        if len(lines) == 1:  # no line end: the unterminated line just grows
            tail += data
            return self._check_unfinished([]) if self._size + len(tail) >= limit else []
        # Could a frame completed by this chunk be over the limit? Only then is each one
        # measured; otherwise the chunk's own length bounds them all.
        careful = self._size + len(tail) + len(data) >= limit
        if tail:
            tail += lines[0]
            lines[0] = bytes(tail)
            tail.clear()
        tail += lines.pop()  # what follows the last line end: the new unterminated line

        out: list[ServerSentEvent] = []
        try:
            self._take_lines(lines, careful, out)
        except (_FrameError, UnicodeDecodeError) as exc:
            if isinstance(exc, UnicodeDecodeError):
                reason = f"the frame's data is not valid UTF-8 ({exc.reason})"
            else:
                reason = str(exc)
            return self._fail(TranslationError(f"sse[frame {self._frames}]", reason), out)
        if self._size + len(tail) >= limit:
            return self._check_unfinished(out)
        self._at_boundary = not tail and not self._lines and not self._skip_lf
        return out

    def close(self) -> list[ServerSentEvent]:
        """End of stream. Returns the events still to deliver (none: frames end at a blank line).

        Spec: "Once the end of the file is reached, any pending data must be discarded.
        (If the file ends in the middle of an event, before the final empty line, the
        incomplete event is not dispatched.)" The incomplete frame is not dispatched here
        either, but it is not dropped silently: if anything other than line ends followed
        the last blank line, ``truncated`` becomes ``True`` and ``partial`` holds those
        bytes as text (line ends as LF, invalid UTF-8 replaced: it is for a message, not for
        parsing). A translator turns that into an error event of its target dialect; a
        bare upstream disconnect must not look like a clean end. Not raising keeps the
        events delivered so far and lets the caller choose the error's shape.

        Calling ``close()`` again returns ``[]``; ``feed()`` after it raises.
        """
        if self._error is not None:
            raise self._error
        if self._closed:
            return []
        self._closed = True
        self._at_boundary = False
        unfinished = self._lines + [bytes(self._tail)] if self._tail else self._lines
        pending = (self._bom or b"") + b"\n".join(unfinished)
        self._tail = bytearray()
        self._lines = []
        if pending:
            self.truncated = True
            self.partial = pending.decode("utf-8", "replace")
        return []

    def _strip_bom(self, data: bytes) -> bytes:
        # Spec: the stream is decoded with "UTF-8 decode", which drops one leading BOM
        # (and the ABNF: "One leading U+FEFF BYTE ORDER MARK character must be ignored").
        # Its three bytes may arrive in separate chunks, so hold a prefix of it back.
        seen = self._bom + data  # type: ignore[operator]
        if len(seen) < 3 and _BOM.startswith(seen):
            self._bom = seen
            return b""
        self._bom = None
        return seen[3:] if seen.startswith(_BOM) else seen

    def _take_lines(self, lines: list[bytes], careful: bool, out: list[ServerSentEvent]) -> None:
        """Interpret complete lines (without their line ends), appending events to ``out``.

        Spec: "If the line is empty (a blank line): Dispatch the event". Runs of lines
        between blank lines are frames; most chunks hold nothing but frames of one of the
        dialects' two regular shapes, which are recognized for the whole chunk at once by
        C-level ``all`` and ``count`` over strided slices, then decoded without a per-line
        state machine. Anything else goes through :meth:`_frame`, line by line.
        """
        pending = self._lines
        if pending:
            # Earlier chunks began a frame; the first blank line here ends it.
            try:
                end = lines.index(b"")
            except ValueError:
                pending += lines
                self._size += sum(map(len, lines)) + len(lines)
                return
            pending += lines[:end]
            self._dispatch(pending, out)
            del lines[: end + 1]
        n = len(lines)
        if not n:
            pass
        elif careful:
            self._lines_one_by_one(lines, out)
        # OpenAI: "data: <json>", blank, "data: <json>", blank, ... If every second line
        # from the first is non-empty and there are n // 2 empty lines, those are the rest.
        elif lines[0][:6] == b"data: " and all(lines[::2]) and lines.count(b"") == n // 2:
            if n & 1:  # the last frame's blank line has not arrived yet
                pending.append(lines[-1])
            self._data_frames(lines[: n & ~1 : 2], out)
        # Anthropic: "event: <type>", "data: <json>", blank, ... (the same reasoning, by 3s).
        elif (
            lines[0][:7] == b"event: "
            and all(lines[::3])
            and all(lines[1::3])
            and lines.count(b"") == n // 3
        ):
            whole = n - n % 3
            pending += lines[whole:]
            self._event_data_frames(lines[:whole:3], lines[1:whole:3], out)
        else:
            self._lines_one_by_one(lines, out)
        self._size = sum(map(len, pending)) + len(pending) - 1 if pending else 0

    def _lines_one_by_one(self, lines: list[bytes], out: list[ServerSentEvent]) -> None:
        """The spec's loop: collect a frame's lines, dispatch it at the blank line."""
        pending = self._lines
        for line in lines:
            if line:
                pending.append(line)
            elif pending:
                self._dispatch(pending, out)
            # A blank line with no frame before it dispatches an empty data buffer: nothing.

    def _dispatch(self, pending: list[bytes], out: list[ServerSentEvent]) -> None:
        event = self._frame(pending)
        pending.clear()
        self._frames += 1
        if event is not None:
            out.append(event)

    def _data_frames(self, frames: list[bytes], out: list[ServerSentEvent]) -> None:
        """Frames of one line each (OpenAI's shape); ``data: `` ones decoded inline."""
        append = out.append
        line = b""
        try:
            for line in frames:
                if line[:6] == b"data: ":
                    text = line[6:].decode()
                    if text == "[DONE]":
                        self.done = True
                    append(ServerSentEvent(text))
                else:
                    event = self._frame([line])
                    if event is not None:
                        append(event)
        except (_FrameError, UnicodeDecodeError):
            # Decoding depends on nothing but the frame's bytes, so the first frame equal
            # to the failing one is the failing one.
            self._frames += frames.index(line)
            raise
        self._frames += len(frames)

    def _event_data_frames(
        self, first: list[bytes], second: list[bytes], out: list[ServerSentEvent]
    ) -> None:
        """Frames of two lines each (Anthropic's shape); ``event: `` + ``data: `` inline."""
        append = out.append
        names = self._names
        pair = (b"", b"")
        try:
            for pair in zip(first, second):
                event_line, data_line = pair
                name = names.get(event_line)
                if name is None and event_line[:7] == b"event: ":
                    name = self._name(event_line)
                if name is not None and data_line[:6] == b"data: ":
                    text = data_line[6:].decode()
                    if text == "[DONE]":
                        self.done = True
                    # "If the event type buffer has a value other than the empty string,
                    # change the type of the newly created event to equal the value".
                    append(ServerSentEvent(text, name or None))
                else:
                    event = self._frame(list(pair))
                    if event is not None:
                        append(event)
        except (_FrameError, UnicodeDecodeError):
            self._frames += list(zip(first, second)).index(pair)  # as in _data_frames
            raise
        self._frames += len(first)

    def _name(self, event_line: bytes) -> str:
        name = _utf8(event_line[7:], "event")
        if len(self._names) < 64:  # a stream naming endless types gets no cache, not a leak
            self._names[event_line] = name
        return name

    def _check_unfinished(self, out: list[ServerSentEvent]) -> list[ServerSentEvent]:
        # Memory bound: refuse to hold more than one frame's worth of an unfinished frame,
        # measured as it will count when complete (its lines joined by LF).
        size = self._size + len(self._tail) + (1 if self._lines and self._tail else 0)
        if size > self.max_frame_bytes:
            # The same words as for a complete frame: where the stream was split must not
            # change what the caller sees.
            reason = _too_long(self.max_frame_bytes)
            return self._fail(TranslationError(f"sse[frame {self._frames}]", reason), out)
        return out

    def _fail(self, error: TranslationError, out: list[ServerSentEvent]) -> list[ServerSentEvent]:
        self._error = error
        self._at_boundary = False
        self._tail = bytearray()
        self._lines = []
        if out:
            return out
        raise error

    def _frame(self, lines: list[bytes]) -> ServerSentEvent | None:
        """Interpret the lines of one frame; return its event, or None if it dispatches none.

        Implements "Interpreting an event stream" for every line of the frame, then
        "dispatch the event" for the blank line that ended it.
        """
        if sum(map(len, lines)) + len(lines) - 1 > self.max_frame_bytes:
            raise _FrameError(_too_long(self.max_frame_bytes))
        data: list[bytes] = []
        event = ident = None
        retry = None
        for line in lines:
            # "If the line starts with a U+003A COLON character (:): Ignore the line."
            # "If the line contains a U+003A COLON character (:): Collect the characters on
            # the line before the first U+003A COLON character (:), and let field be that
            # string. Collect the characters on the line after the first U+003A COLON
            # character (:), and let value be that string. If value starts with a U+0020
            # SPACE character, remove it from value."
            # "Otherwise, the string is not empty but does not contain a U+003A COLON
            # character (:): Process the field using [...] the whole line as the field
            # name, and the empty string as the field value."
            name, _, value = line.partition(b":")
            if not name:  # the line starts with ":" (blank lines never get here)
                continue
            if value[:1] == b" ":
                value = value[1:]
            # "If the field name is "data": Append the field value to the data buffer,
            # then append a single U+000A LINE FEED (LF) character to the data buffer."
            if name == b"data":
                data.append(value)
            # "If the field name is "event": Set the event type buffer to field value."
            elif name == b"event":
                event = value
            # "If the field name is "id": If the field value does not contain U+0000 NULL,
            # then set the last event ID buffer to the field value. Otherwise, ignore the
            # field."
            elif name == b"id":
                if b"\0" not in value:
                    ident = value
            # "If the field name is "retry": If the field value consists of only ASCII
            # digits, then interpret the field value as an integer in base ten, and set the
            # event stream's reconnection time to that integer. Otherwise, ignore the
            # field." (bytes.isdigit is ASCII-only and False for b"".)
            elif name == b"retry" and value.isdigit():
                # More digits than int() accepts: no usable time.
                with contextlib.suppress(ValueError):
                    retry = int(value)
            # "Otherwise: The field is ignored."

        # "Dispatch the event": "Set the last event ID string of the event source to the
        # value of the last event ID buffer." Then "If the data buffer is an empty string,
        # set the data buffer and the event type buffer to the empty string and return."
        # The data buffer is empty exactly when the frame had no data line, because each
        # data line appends at least an LF.
        id_text = None
        if ident is not None:
            id_text = _utf8(ident, "id")
            self.last_event_id = id_text
        if retry is not None:
            self.reconnection_time = retry
        if not data:
            return None
        # "If the data buffer's last character is a U+000A LINE FEED (LF) character, then
        # remove the last character from the data buffer": i.e. the lines joined by LF.
        text = _utf8(b"\n".join(data), "data")
        if text == "[DONE]":
            self.done = True
        # "If the event type buffer has a value other than the empty string, change the
        # type of the newly created event to equal the value of the event type buffer."
        event_text = _utf8(event, "event") if event else None
        return ServerSentEvent(text, event_text, id_text, retry)


def _too_long(limit: int) -> str:
    return f"frame is longer than max_frame_bytes ({limit} bytes)"


def _utf8(raw: bytes, field: str) -> str:
    try:
        return raw.decode()
    except UnicodeDecodeError as exc:
        raise _FrameError(f"the frame's {field} is not valid UTF-8 ({exc.reason})") from None


def encode(event: ServerSentEvent) -> bytes:
    """One frame for ``event``: fields in the order event, id, retry, data; LF line ends.

    Multi-line data becomes one ``data`` line per line. CRLF and CR in the data are line
    ends like LF (a decoder cannot tell them apart), so they come back as LF. An empty
    ``event`` is written as no ``event`` line, since the spec reads both the same.

    Values that a frame cannot carry raise ``TranslationError`` rather than being written
    into a frame that decodes differently: a line end in ``event`` or ``id`` (it would
    start a new field), NUL in ``id`` (decoders ignore such an id), a negative ``retry``,
    text that is not encodable as UTF-8 (lone surrogates).
    """
    try:
        return _encode(event)
    except UnicodeEncodeError as exc:
        raise TranslationError("sse", f"not encodable as UTF-8: {exc.reason}") from None


def _encode(event: ServerSentEvent) -> bytes:
    data = event.data
    if (
        event.event is None
        and event.id is None
        and event.retry is None
        and "\n" not in data
        and "\r" not in data
    ):
        return b"data: " + data.encode() + b"\n\n"
    parts = []
    if event.event:
        _check_single_line(event.event, "event")
        parts.append(f"event: {event.event}\n")
    if event.id is not None:
        _check_single_line(event.id, "id")
        if "\0" in event.id:
            raise TranslationError("sse.id", "an id containing NUL is ignored by decoders")
        parts.append(f"id: {event.id}\n")
    if event.retry is not None:
        if type(event.retry) is not int or event.retry < 0:
            raise TranslationError("sse.retry", f"retry must be an int >= 0, got {event.retry!r}")
        parts.append(f"retry: {event.retry}\n")
    if "\r" in data:
        data = data.replace("\r\n", "\n").replace("\r", "\n")
    for line in data.split("\n"):
        parts.append(f"data: {line}\n")
    parts.append("\n")
    return "".join(parts).encode()


def _check_single_line(value: str, field: str) -> None:
    if "\n" in value or "\r" in value:
        raise TranslationError(f"sse.{field}", f"a line end in {field} would split the field")


def encode_data(data: bytes) -> bytes:
    """``data: <data>\\n\\n`` for a single-line payload, e.g. msgspec JSON (never a raw LF)."""
    return b"data: " + data + b"\n\n"


def encode_event_data(event: bytes, data: bytes) -> bytes:
    """``event: <event>\\ndata: <data>\\n\\n`` for a single-line payload (Anthropic's frames)."""
    return b"event: " + event + b"\ndata: " + data + b"\n\n"


class _Translator(Protocol):
    def feed(self, data: bytes) -> bytes: ...
    def close(self) -> bytes: ...


def pump(translator: _Translator, byte_chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Drive a bytes-in, bytes-out stream translator over an iterable of byte chunks,
    yielding what each chunk produced (nothing for a chunk that completed no frame)."""
    for data in byte_chunks:
        out = translator.feed(data)
        if out:
            yield out
    out = translator.close()
    if out:
        yield out


async def apump(translator: _Translator, byte_chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    """The async twin of :func:`pump`, for what a gateway reads from its upstream."""
    async for data in byte_chunks:
        out = translator.feed(data)
        if out:
            yield out
    out = translator.close()
    if out:
        yield out
