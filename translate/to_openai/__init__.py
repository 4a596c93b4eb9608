"""anthropic -> openai: requests, responses, streams and errors."""

# Responses payloads (the third dialect) are recognised by shape or `source="responses"`.
from ..to_responses import _response as _responses_response
from ..to_responses import _to_chat as _responses_request
from ..to_responses._dispatch import hook as _hook
from ._error import error
from ._request import request
from ._response import response
from ._stream import SSE, Stream, async_sse, sse, stream

request = _hook("request", _responses_request.request)(request)
response = _hook("response", _responses_response.chat_response)(response)

__all__ = ["SSE", "Stream", "async_sse", "error", "request", "response", "sse", "stream"]
