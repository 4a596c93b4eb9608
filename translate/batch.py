"""Batch files: OpenAI Batch API lines <-> Anthropic Message Batches lines, one line at a time.

Requests (the lines of an input file):

- OpenAI Batch input: ``{"custom_id", "method": "POST", "url": "/v1/chat/completions" |
  "/v1/responses", "body"}``;
- Anthropic Message Batches: ``{"custom_id", "params"}`` (the ``requests`` items of
  ``POST /v1/messages/batches``, one a line).

Results (the lines of an output / results file):

- OpenAI: ``{"id", "custom_id", "response": {"status_code", "request_id", "body"} | null,
  "error": {"code", "message"} | null}``;
- Anthropic: ``{"custom_id", "result": {"type": "succeeded", "message"} | {"type":
  "errored", "error"} | {"type": "canceled"} | {"type": "expired"}}``.

``custom_id`` is kept as it is: one that Anthropic would reject (it takes 1 to 64 characters
of ``[a-zA-Z0-9_-]``) is bad input, not renamed. Bodies go through ``request``,
``response`` and ``error``; ``succeeded`` is a 200, ``errored`` the status its error type
stands for, ``canceled`` / ``expired`` the OpenAI error codes ``batch_cancelled`` /
``batch_expired``. An OpenAI line's ``id`` (``batch_req_...``) has no Anthropic twin (a
Loss); going the other way it is made from the ``custom_id`` (``batch_req_<custom_id>``).

Loss paths and TranslationError paths name the line as given: ``params.messages[3]...``,
``body.tools[0]...``, ``result.message.content[1]...``, ``response.body.choices[0]...``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import msgspec

from . import to_anthropic, to_openai, to_responses
from ._errors import Loss, LossError, TranslationError
from .conversation import load

__all__ = ["request", "result"]

_CUSTOM_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_URLS = {"/v1/chat/completions": "openai", "/v1/responses": "responses"}
_PATHS = {"openai": "/v1/chat/completions", "responses": "/v1/responses"}
_GONE = {"canceled": "batch_cancelled", "expired": "batch_expired"}
_GONE_BACK = {code: kind for kind, code in _GONE.items()}
_GONE_MESSAGE = {
    "canceled": "This request was not executed: the batch was cancelled.",
    "expired": "This request could not be executed before the completion window expired.",
}


def _row(line: Any) -> dict[str, Any]:
    row = load(line)
    if not isinstance(row, dict):
        raise TranslationError("", f"expected a JSON object, got {type(row).__name__}")
    if not isinstance(row.get("custom_id"), str):
        raise TranslationError("custom_id", "a batch line needs a custom_id string")
    return row


def _anthropic_id(custom_id: str) -> str:
    if not _CUSTOM_ID.fullmatch(custom_id):
        raise TranslationError(
            "custom_id", "Anthropic takes 1 to 64 characters of [a-zA-Z0-9_-]: not renamed"
        )
    return custom_id


def _hand_over(found: list[Loss], strict: bool, losses: list[Loss] | None) -> None:
    if found:
        if strict:
            raise LossError(found)
        if losses is not None:
            losses.extend(found)


def _under(prefix: str, inner: list[Loss], found: list[Loss]) -> None:
    """File the losses of a translated part under its path in the line."""
    found.extend(Loss(_join(prefix, x.path), x.kind, x.detail) for x in inner)


def _join(prefix: str, path: str) -> str:
    if not path:
        return prefix
    return f"{prefix}{path}" if path[0] == "[" else f"{prefix}.{path}"


@contextmanager
def _within(prefix: str) -> Iterator[None]:
    """A TranslationError of a translated part names its path in the line."""
    try:
        yield
    except LossError:
        raise
    except TranslationError as err:
        if err.path == "target":  # the argument, not the line
            raise
        raise TranslationError(_join(prefix, err.path), err.reason) from None


def request(
    line: Any,
    *,
    to: Literal["openai", "anthropic", "responses"] | None = None,
    target: str = "compatible",
    strict: bool = False,
    losses: list[Loss] | None = None,
) -> dict[str, Any]:
    """One batch input line in the other API's shape (builtins).

    An Anthropic line ``{custom_id, params}`` becomes an OpenAI line ``{custom_id, method,
    url, body}`` (``to``: ``openai``, the default, for ``/v1/chat/completions``, or
    ``responses`` for ``/v1/responses``); an OpenAI line becomes an Anthropic line. A batch
    request does not stream: ``stream: true`` is a Loss.
    """
    row = _row(line)
    found: list[Loss] = []
    if "params" in row:
        to = to or "openai"
        if to == "anthropic":
            raise TranslationError("", "--to anthropic: this line is an Anthropic batch request")
        mod = to_openai if to == "openai" else to_responses
        inner: list[Loss] = []
        with _within("params"):
            body = msgspec.to_builtins(mod.request(row["params"], target=target, losses=inner))
        _under("params", inner, found)
        if body.pop("stream", None):
            found.append(Loss("params.stream", "dropped", "a batch request does not stream"))
        body.pop("stream_options", None)
        out = {"custom_id": row["custom_id"], "method": "POST", "url": _PATHS[to], "body": body}
    elif "body" in row:
        if row.get("method", "POST") != "POST":
            raise TranslationError("method", f"only POST lines translate, not {row['method']!r}")
        source = _URLS.get(row.get("url", ""))
        if source is None:
            raise TranslationError("url", f"{row.get('url')!r} has no Messages twin")
        if to not in (None, "anthropic"):
            raise TranslationError("", f"--to {to}: this line is an OpenAI batch request")
        extra: dict[str, Any] = {"source": "responses"} if source == "responses" else {}
        inner = []
        with _within("body"):
            params = msgspec.to_builtins(
                to_anthropic.request(row["body"], target=target, losses=inner, **extra)
            )
        _under("body", inner, found)
        if params.pop("stream", None):
            found.append(Loss("body.stream", "dropped", "a batch request does not stream"))
        out = {"custom_id": _anthropic_id(row["custom_id"]), "params": params}
    else:
        raise TranslationError("", "a batch request line has params (Anthropic) or body (OpenAI)")
    _hand_over(found, strict, losses)
    return out


def result(
    line: Any,
    *,
    to: Literal["openai", "anthropic", "responses"] | None = None,
    request: Any = None,
    strict: bool = False,
    losses: list[Loss] | None = None,
) -> dict[str, Any]:
    """One batch results line in the other API's shape (builtins).

    An Anthropic line ``{custom_id, result}`` becomes an OpenAI output line (``to``:
    ``openai``, a ChatCompletion body, or ``responses``, a Response body); an OpenAI output
    line becomes an Anthropic results line. ``request``: the client's request, as in
    ``response`` (optional).
    """
    row = _row(line)
    found: list[Loss] = []
    if "result" in row:
        to = to or "openai"
        if to == "anthropic":
            raise TranslationError("", "--to anthropic: this line is an Anthropic batch result")
        res = row["result"]
        kind = res.get("type") if isinstance(res, dict) else None
        mod = to_openai if to == "openai" else to_responses
        response: dict[str, Any] | None = None
        error: dict[str, Any] | None = None
        if kind == "succeeded":
            inner: list[Loss] = []
            with _within("result.message"):
                body = mod.response(res.get("message"), request=request, losses=inner)
            _under("result.message", inner, found)
            response = {"status_code": 200, "request_id": "", "body": msgspec.to_builtins(body)}
        elif kind == "errored":
            status, err = mod.error(res.get("error"))
            request_id = (res.get("error") or {}).get("request_id") or ""
            response = {
                "status_code": status,
                "request_id": request_id if isinstance(request_id, str) else "",
                "body": msgspec.to_builtins(err),
            }
        elif kind in _GONE:
            error = {"code": _GONE[kind], "message": _GONE_MESSAGE[kind]}
        else:
            raise TranslationError("result.type", f"unknown result type {kind!r}")
        out: dict[str, Any] = {
            "id": f"batch_req_{row['custom_id']}",
            "custom_id": row["custom_id"],
            "response": response,
            "error": error,
        }
    elif "response" in row or "error" in row:
        if to not in (None, "anthropic"):
            raise TranslationError("", f"--to {to}: this line is an OpenAI batch result")
        if row.get("id"):
            found.append(Loss("id", "dropped", "Anthropic results carry no per-request id"))
        response, error = row.get("response"), row.get("error")
        if isinstance(response, dict) and response.get("status_code") == 200:
            body = response.get("body")
            extra: dict[str, Any] = (
                {"source": "responses"}
                if isinstance(body, dict) and body.get("object") == "response"
                else {}
            )
            inner = []
            with _within("response.body"):
                message = to_anthropic.response(body, request=request, losses=inner, **extra)
            _under("response.body", inner, found)
            res = {"type": "succeeded", "message": msgspec.to_builtins(message)}
        elif isinstance(response, dict):
            _, err = to_anthropic.error(response.get("body"), status=response.get("status_code"))
            res = {"type": "errored", "error": msgspec.to_builtins(err)}
        elif isinstance(error, dict) and error.get("code") in _GONE_BACK:
            res = {"type": _GONE_BACK[error["code"]]}
        elif isinstance(error, dict):
            _, err = to_anthropic.error({"error": error}, status=500)
            res = {"type": "errored", "error": msgspec.to_builtins(err)}
        else:
            raise TranslationError("response", "an OpenAI result line without response or error")
        out = {"custom_id": _anthropic_id(row["custom_id"]), "result": res}
    else:
        raise TranslationError(
            "", "a batch result line has result (Anthropic) or response (OpenAI)"
        )
    _hand_over(found, strict, losses)
    return out
