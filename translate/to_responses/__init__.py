"""-> openai Responses: requests, responses, streams and errors.

``request`` takes a Chat Completions request or an anthropic Messages request (the latter
through the compatible Chat hub); ``response`` a ChatCompletion or an anthropic Message;
``Stream`` / ``stream`` / ``sse`` / ``async_sse`` / ``SSE`` Chat chunks or Messages events
(the source known by the first event's shape, or ``source=``); ``error`` any error body (a
Responses HTTP error is the Chat Completions error body).
"""

from ._error import error
from ._request import request
from ._response import response
from ._stream import SSE, Stream, async_sse, sse, stream

__all__ = ["SSE", "Stream", "async_sse", "error", "request", "response", "sse", "stream"]
