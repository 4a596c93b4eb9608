"""anthropic -> openai: requests, responses, streams and errors."""

from ._request import request

__all__ = ["request"]
