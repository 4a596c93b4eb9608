"""anthropic -> openai: requests, responses, streams and errors.

Responses payloads (the third dialect) are taken too: recognised by shape or
``source="responses"`` (requests, responses), by the first event's ``type`` (streams).
"""

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import Any

from ..sse import apump, pump
from ..to_responses import _response as _responses_response
from ..to_responses import _reverse as _responses_stream
from ..to_responses import _to_chat as _responses_request
from ..to_responses._dispatch import DetectingSSE, DetectingStream, detecting, stream_hook
from ..to_responses._dispatch import hook as _hook
from ._error import error
from ._request import request
from ._response import response
from ._stream import SSE as _OldSSE
from ._stream import Stream as _OldStream
from ._stream import stream as _events_stream

RESPONSES_STREAMS = True
"""``Stream`` / ``stream`` / ``sse`` / ``async_sse`` / ``SSE`` read a Responses event stream
too (a Chat client in front of a Responses upstream)."""

request = _hook("request", _responses_request.request)(request)
response = _hook("response", _responses_response.chat_response)(response)
Stream = detecting(
    _OldStream,
    _responses_stream.ChatStream,
    DetectingStream,
    (_OldStream.__doc__ or "") + "\n"
    "    A Responses event stream is read too (its first event's ``type`` starts with\n"
    '    ``response.``, or ``source="responses"``): the chunks a Chat client reads.\n',
)
SSE = detecting(
    _OldSSE,
    _responses_stream.ChatSSE,
    DetectingSSE,
    (_OldSSE.__doc__ or "") + "\n"
    "    Responses SSE bytes are read too (the first frame's ``event:`` or ``type`` says\n"
    '    ``response.``, or ``source="responses"``).\n',
)
stream = stream_hook(_events_stream, _responses_stream.chat_stream)


def sse(byte_chunks: Iterable[bytes], **kw: Any) -> Iterator[bytes]:
    """Anthropic (or Responses) SSE bytes in -> openai SSE bytes out, ending with
    ``data: [DONE]``: an :class:`SSE` pumped over ``byte_chunks`` (split anywhere).
    Keywords: ``request``, ``created``, ``losses``, ``strict``, ``source``."""
    return pump(SSE(**kw), byte_chunks)


def async_sse(byte_chunks: AsyncIterable[bytes], **kw: Any) -> AsyncIterator[bytes]:
    """The async twin of :func:`sse`."""
    return apump(SSE(**kw), byte_chunks)


__all__ = ["SSE", "Stream", "async_sse", "error", "request", "response", "sse", "stream"]
