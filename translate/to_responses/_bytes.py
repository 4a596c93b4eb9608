"""What every Responses stream translator does around its state machine, written once.

Both directions have the same outer shape: SSE bytes in (split anywhere), the machine fed
one frame's data at a time, the events it completes written as SSE bytes; the stream ends
with the machine's terminal event, and nothing is read after it. :class:`ByteStream` is
that shape; ``_stream.SSE`` (Chat or Messages -> Responses) and ``_reverse.ChatSSE`` /
``MessagesSSE`` (Responses -> Chat or Messages) say only what differs: how a frame is read,
how events are written, and which state of which machine is the end. :func:`drive` is the
iterator over events every direction's ``stream`` function is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .._errors import Loss, LossError, TranslationError
from ..sse import SSEDecoder


class ByteStream:
    """SSE bytes in, SSE bytes out, around one machine (``stream``).

    ``feed(data)`` returns the bytes to send for what ``data`` completed, ``close()`` the
    last ones, ``abort(reason)`` ends the stream now. It never raises on what the upstream
    sends (``strict=True`` aside): a frame that cannot be read ends it the machine's way
    (``abort``), and a stream that stops inside a frame is a Loss before the machine's own
    end (``close``).

    A direction gives: the decoder; the machine (``stream``: ``feed``/``feed_data``,
    ``close``, ``abort``, ``lose``, ``losses``); the object whose ``state`` says the end and
    that state; how one frame's data is read (``read``, called with the data); how events
    are written (``frames``); optionally both at once for one frame (``frame``: what a
    machine writes straight to bytes when it can). They are kept as they are given, so
    that the hot path (one read, one frame) is one call: no hop through this class.
    """

    __slots__ = ("_decoder", "_end", "_frame", "_frames", "_machine", "_read", "stream")

    def __init__(
        self,
        decoder: SSEDecoder,
        stream: Any,
        *,
        machine: Any,
        end: Any,
        read: Callable[[str], list[Any]],
        frames: Callable[[list[Any]], bytes],
        frame: Callable[[str], bytes] | None = None,
    ) -> None:
        self._decoder = decoder
        self.stream = stream
        self._machine = machine
        self._end = end
        self._read = read
        self._frames = frames
        self._frame = frame if frame is not None else self._read_frame

    def _read_frame(self, data: str) -> bytes:
        return self._frames(self._read(data))

    @property
    def losses(self) -> list[Loss]:
        out: list[Loss] = self.stream.losses
        return out

    @property
    def ended(self) -> bool:
        return bool(self._machine.state is self._end)

    def feed(self, data: bytes) -> bytes:
        machine, end = self._machine, self._end
        if machine.state is end:
            return b""
        events: list[Any] = []
        try:
            text = self._decoder.feed_data(data)
            if text is not None:  # the common case: one read, one frame
                return self._frame(text)
            for frame in self._decoder.feed(data):
                if machine.state is end:
                    break  # nothing follows the end, however the bytes arrived
                events += self._read(frame.data)
        except LossError:
            raise
        except TranslationError as exc:
            events += self.stream.abort(f"the upstream stream could not be read: {exc}")
        return self._frames(events)

    def close(self) -> bytes:
        if self._machine.state is self._end:
            return b""
        try:
            self._decoder.close()  # (it returns no frame: a frame ends at its blank line)
        except LossError:
            raise
        except TranslationError as exc:
            return self._frames(self.stream.abort(f"the upstream stream could not be read: {exc}"))
        if self._decoder.truncated:
            self.stream.lose("", "dropped", "the upstream stream ended inside a frame")
        return self._frames(self.stream.close())

    def abort(self, reason: str, *kind: str) -> bytes:
        """End the stream now (e.g. the upstream connection failed)."""
        return self._frames(self.stream.abort(reason, *kind))


def drive(machine: Any, events: Iterable[Any]) -> Iterator[Any]:
    """What ``machine`` makes of ``events``, then of their end."""
    for event in events:
        yield from machine.feed(event)
    yield from machine.close()
