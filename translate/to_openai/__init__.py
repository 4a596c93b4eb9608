"""anthropic -> openai: requests, responses, streams and errors."""

from ._error import error
from ._request import request
from ._response import response
from ._stream import Stream, async_sse, sse, stream

__all__ = ["Stream", "async_sse", "error", "request", "response", "sse", "stream"]
