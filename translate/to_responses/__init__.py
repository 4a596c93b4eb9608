"""-> openai Responses: requests, responses and errors (streams: not yet).

``request`` takes a Chat Completions request or an anthropic Messages request (the latter
through the compatible Chat hub); ``response`` a ChatCompletion or an anthropic Message;
``error`` any error body (a Responses HTTP error is the Chat Completions error body).
"""

from ._error import error
from ._request import request
from ._response import response

__all__ = ["error", "request", "response"]
