"""An ASGI gateway: one dialect in front of an upstream that speaks the other.

    from translate.gateway import Gateway
    app = Gateway("https://api.example.com/v1", "openai", target="mimo", upstream_api_key="sk-...")

``app`` is a plain ASGI application (no framework): run it with any ASGI server
(``translate serve`` runs it on uvicorn) or mount it inside another ASGI app. Routes:

- ``POST /v1/messages``: anthropic clients (Claude Code, the anthropic SDK), for an
  openai-dialect upstream (``{upstream_url}/chat/completions``);
- ``POST /v1/chat/completions``: openai clients, for an anthropic-dialect upstream
  (``{upstream_url}/v1/messages``);
- ``GET /v1/models``: the model map's client names and the upstream's own list;
- ``POST /v1/messages/count_tokens``: an estimate, without a tokenizer
  (:func:`estimate_tokens`).

Every step is one call of the public API: ``to_x.request`` on the way up, ``to_x.response``
or ``to_x.async_sse`` on the way back, ``to_x.error`` for every error the client sees (the
upstream's and the gateway's own). Needs the ``gateway`` extra (httpx2; uvicorn for
``translate serve``). asyncio only.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import hmac
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from . import to_anthropic, to_openai
from ._errors import Loss, TranslationError
from ._tokens import estimate_tokens
from .targets import Target, resolve

if TYPE_CHECKING:  # the HTTP client is imported when a gateway is built, not with this module
    import httpx2

__all__ = ["Gateway", "estimate_tokens"]

log = logging.getLogger("translate.gateway")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
Dialect = Literal["openai", "anthropic"]

DEFAULT_MAX_REQUEST_BYTES = 32 * 1024 * 1024
"""The Messages API's own request limit (32 MB)."""

_ERROR_BODY_CAP = 1024 * 1024
_JSON = (b"content-type", b"application/json")
_SSE_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),  # nginx in front: do not buffer the stream
]
_OTHER: dict[str, Dialect] = {"openai": "anthropic", "anthropic": "openai"}
_ROUTES: dict[str, tuple[str, Dialect | None]] = {
    # path without the optional /v1: (method, client dialect; None: the served one)
    "/messages": ("POST", "anthropic"),
    "/messages/count_tokens": ("POST", "anthropic"),
    "/chat/completions": ("POST", "openai"),
    "/models": ("GET", None),
}
_CLIENT_ROUTE = {"anthropic": "POST /v1/messages", "openai": "POST /v1/chat/completions"}


class _Failure(Exception):
    """An answer in the client's dialect: ``to_x.error`` gives the body for the status."""

    def __init__(
        self, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or []


class _ClientGone(Exception):
    pass


class Gateway:
    """The ASGI app. One upstream, one dialect: the clients speak the other one.

    ``upstream_url``: the base URL as that dialect's SDK takes it: for ``openai``, the
    one before ``/chat/completions`` (``https://api.example.com/v1``); for ``anthropic``,
    the one before ``/v1/messages`` (``https://api.example.com/anthropic``). A URL that
    already ends with the endpoint is used as it is.
    ``target``: the preset (or :class:`~translate.Target`) the upstream accepts.
    ``upstream_api_key``: sent as ``Authorization: Bearer`` (openai dialect) or
    ``x-api-key`` plus ``anthropic-version`` (anthropic dialect; ``upstream_auth="bearer"``
    for hosts that want a bearer token there too); never logged nor sent to a client.
    ``client_api_key``: when set, clients must send it as ``x-api-key`` or
    ``Authorization: Bearer`` (else 401). ``model_map``: client model -> upstream model;
    keys may be ``fnmatch`` patterns (``claude-*``), exact names win; an unmapped model
    goes up unchanged, and the client always sees the model it asked for.
    ``strict``: refuse (400) a request whose translation would lose anything.
    ``http_client``: an ``httpx2.AsyncClient`` of your own (proxies, tests); the gateway
    then leaves closing it to you.
    """

    def __init__(
        self,
        upstream_url: str,
        upstream_dialect: Dialect,
        target: str | Target = "compatible",
        upstream_api_key: str | None = None,
        *,
        client_api_key: str | None = None,
        model_map: Mapping[str, str] | None = None,
        max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
        timeout: float = 600.0,
        connect_timeout: float = 10.0,
        upstream_auth: Literal["bearer", "x-api-key"] | None = None,
        anthropic_version: str | None = None,
        strict: bool = False,
        http_client: httpx2.AsyncClient | None = None,
    ) -> None:
        try:
            import httpx2
        except ImportError as exc:  # the gateway extra is optional; the library is not
            raise ImportError(
                "the gateway needs its extra: pip install 'translate[gateway]'"
            ) from exc
        if upstream_dialect not in _OTHER:
            raise ValueError(
                f"upstream_dialect must be 'openai' or 'anthropic', not {upstream_dialect!r}"
            )
        self.upstream_dialect: Dialect = upstream_dialect
        self.served: Dialect = _OTHER[upstream_dialect]
        self.target = resolve(target, upstream_dialect)
        self.strict = strict
        self.max_request_bytes = max_request_bytes
        self.timeout = httpx2.Timeout(timeout, connect=connect_timeout, pool=connect_timeout)
        self.model_map = dict(model_map or {})
        self._patterns = [(k, v) for k, v in self.model_map.items() if any(c in k for c in "*?[")]
        self._endpoint, self._models_url = _urls(upstream_url.rstrip("/"), upstream_dialect)
        self._client_key = client_api_key.encode() if client_api_key else None
        self._secret = upstream_api_key.encode() if upstream_api_key else None
        auth = upstream_auth or ("bearer" if upstream_dialect == "openai" else "x-api-key")
        headers = {"user-agent": "translate-gateway"}
        if upstream_api_key:
            if auth == "bearer":
                headers["authorization"] = f"Bearer {upstream_api_key}"
            else:
                headers["x-api-key"] = upstream_api_key
        if upstream_dialect == "anthropic":
            headers["anthropic-version"] = anthropic_version or self.target.api_version
        self._headers = headers
        self._own_client = http_client is None
        self._client = http_client
        # The direction each client dialect goes: request up, and the way back.
        self._up = to_openai if self.served == "anthropic" else to_anthropic
        self._back = to_anthropic if self.served == "anthropic" else to_openai

    def __repr__(self) -> str:  # never the keys
        return (
            f"Gateway({self._endpoint!r}, {self.upstream_dialect!r}, target={self.target.name!r})"
        )

    # -- ASGI ------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        reply = _Reply(send, self.served, self._secret)
        try:
            await self._handle(scope, receive, reply)
        except _Failure as f:
            if not reply.started:
                await reply.error(f.status, f.message, f.headers)
        except _ClientGone:
            pass
        except Exception:
            log.exception("gateway: unexpected error")
            if not reply.started:
                await reply.error(500, "the gateway failed to handle this request")

    async def aclose(self) -> None:
        """Close the upstream connections (done on lifespan shutdown too)."""
        if self._client is not None and self._own_client:
            await self._client.aclose()
            self._client = None

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    @property
    def client(self) -> httpx2.AsyncClient:
        import httpx2

        if self._client is None:
            self._client = httpx2.AsyncClient(
                timeout=self.timeout,
                limits=httpx2.Limits(max_connections=1000, max_keepalive_connections=100),
            )
        return self._client

    # -- routing ---------------------------------------------------------------------

    async def _handle(self, scope: Scope, receive: Receive, reply: _Reply) -> None:
        path = _route_path(scope)
        method, dialect = _ROUTES.get(path, (None, None))
        reply.dialect = dialect or self.served
        self._authorize(scope)
        if method is None:
            raise _Failure(
                404,
                f"no route {scope['method']} {scope.get('path')}; this gateway serves {_CLIENT_ROUTE[self.served]}",
            )
        if scope["method"] != method:
            raise _Failure(405, f"{path} takes {method}", [(b"allow", method.encode())])
        if path == "/models":
            await self._models(reply)
            return
        body = await self._read_body(scope, receive)
        if path == "/messages/count_tokens":
            await self._count_tokens(body, reply)
            return
        if dialect == self.upstream_dialect:
            raise _Failure(
                404,
                f"this gateway's upstream speaks the {dialect} dialect; send {_CLIENT_ROUTE[self.served]}",
            )
        await _until_disconnect(self._translate(body, reply), receive, reply)

    def _authorize(self, scope: Scope) -> None:
        if self._client_key is None:
            return
        for name, value in scope["headers"]:
            if name == b"authorization" and value[:7].lower() == b"bearer ":
                key = value[7:]
            elif name == b"x-api-key":
                key = value
            else:
                continue
            if hmac.compare_digest(key.strip(), self._client_key):
                return
        raise _Failure(
            401, "invalid API key: send the gateway's key as x-api-key or Authorization: Bearer"
        )

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        limit = self.max_request_bytes
        too_large = _Failure(413, f"request too large: the gateway takes at most {limit} bytes")
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                raise too_large
        parts: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _ClientGone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise too_large
            parts.append(chunk)
            if not message.get("more_body", False):
                return b"".join(parts)

    def map_model(self, model: str) -> str:
        """The upstream model for a client's model name (``model_map``)."""
        found = self.model_map.get(model)
        if found is not None:
            return found
        for pattern, upstream in self._patterns:
            if fnmatch.fnmatchcase(model, pattern):
                return upstream
        return model

    # -- the translating route -------------------------------------------------------

    async def _translate(self, body: bytes, reply: _Reply) -> None:
        import httpx2

        losses: list[Loss] = []
        try:
            up = self._up.request(body, target=self.target, strict=self.strict, losses=losses)
        except TranslationError as exc:  # LossError too, under strict
            raise _Failure(400, str(exc)) from None
        if isinstance(up.model, str):
            up.model = self.map_model(up.model)
        streaming = up.stream is True
        reply.headers.append((b"x-translate-losses", str(len(losses)).encode()))
        request = self.client.build_request(
            "POST",
            self._endpoint,
            content=msgspec.json.encode(up),
            headers={
                **self._headers,
                "content-type": "application/json",
                "accept": "text/event-stream" if streaming else "application/json",
            },
        )
        try:
            resp = await self.client.send(request, stream=True)
        except httpx2.RequestError as exc:  # timeouts included: 504, else 502
            raise self._transport_failure(exc) from None
        try:
            if not resp.is_success:
                await self._upstream_error(resp, reply)
            elif streaming:
                await self._stream(resp, body, reply, losses)
            else:
                try:
                    raw = await resp.aread()
                except httpx2.RequestError as exc:
                    raise self._transport_failure(exc) from None
                try:
                    out = self._back.response(raw, request=body, losses=losses)
                except TranslationError as exc:
                    raise _Failure(
                        502, f"the upstream's response could not be read: {exc}"
                    ) from None
                await reply.json(200, msgspec.json.encode(out))
        finally:
            await resp.aclose()
            for loss in losses:
                log.debug("loss: %s: %s: %s", loss.path, loss.kind, loss.detail)

    def _transport_failure(self, exc: httpx2.RequestError) -> _Failure:
        import httpx2

        log.warning("upstream %s failed: %s", self._endpoint, type(exc).__name__)
        if isinstance(exc, httpx2.TimeoutException):
            return _Failure(504, f"the upstream did not answer in time ({type(exc).__name__})")
        return _Failure(502, f"the upstream could not be reached ({type(exc).__name__})")

    async def _upstream_error(self, resp: httpx2.Response, reply: _Reply) -> None:
        import httpx2

        raw = b""
        try:
            async for chunk in resp.aiter_bytes():
                raw += chunk
                if len(raw) >= _ERROR_BODY_CAP:
                    break
        except httpx2.RequestError:
            pass  # what arrived is the body; the status alone still says a lot
        # A redirect is not followed (the request holds the client's conversation): a 502.
        status, err = self._back.error(
            raw, status=resp.status_code if resp.status_code >= 400 else 502
        )
        headers = [
            (b"retry-after", v.encode())
            for k, v in resp.headers.items()
            if k.lower() == "retry-after"
        ]
        await reply.json(status, msgspec.json.encode(err), headers)

    async def _stream(
        self, resp: httpx2.Response, body: bytes, reply: _Reply, losses: list[Loss]
    ) -> None:
        await reply.start_stream()
        async for out in self._back.async_sse(
            self._upstream_bytes(resp), request=body, losses=losses
        ):
            await reply.chunk(out)
        await reply.end()

    async def _upstream_bytes(self, resp: httpx2.Response) -> AsyncIterator[bytes]:
        """The upstream's stream, and when the connection fails mid-way, one error frame in
        the upstream's own dialect (so the library ends the client's stream with an error
        event that says why). A failure inside a frame is left to the library's own end
        of a truncated stream."""
        import httpx2

        tail = b"\n\n"
        try:
            async for chunk in resp.aiter_bytes():
                if chunk:
                    tail = chunk[-4:]
                    yield chunk
            return
        except httpx2.TimeoutException as exc:
            kind, message = "timeout_error", f"the upstream stopped sending ({type(exc).__name__})"
        except httpx2.RequestError as exc:
            kind, message = (
                "api_error",
                f"the upstream connection was lost mid-stream ({type(exc).__name__})",
            )
        log.warning("upstream stream %s failed: %s", self._endpoint, message)
        if tail.endswith((b"\n\n", b"\r\r", b"\r\n\r\n")):
            if self.upstream_dialect == "openai":
                yield (
                    b"data: "
                    + msgspec.json.encode({"error": {"message": message, "type": kind}})
                    + b"\n\n"
                )
            else:
                frame = {"type": "error", "error": {"type": kind, "message": message}}
                yield b"event: error\ndata: " + msgspec.json.encode(frame) + b"\n\n"

    # -- the other routes ------------------------------------------------------------

    async def _models(self, reply: _Reply) -> None:
        import httpx2

        names = [k for k in self.model_map if (k, self.model_map[k]) not in self._patterns]
        names += [v for v in self.model_map.values() if v not in names]
        try:
            resp = await self.client.get(
                self._models_url, headers=self._headers, timeout=self.timeout.connect
            )
            listed = msgspec.json.decode(resp.content) if resp.is_success else None
        except (httpx2.RequestError, msgspec.DecodeError) as exc:
            log.info("upstream model list unavailable: %s", type(exc).__name__)
            listed = None
        if isinstance(listed, dict) and isinstance(listed.get("data"), list):
            for m in listed["data"]:
                if isinstance(m, dict) and isinstance(m.get("id"), str) and m["id"] not in names:
                    names.append(m["id"])
        if self.served == "anthropic":
            data: Any = [
                {"type": "model", "id": n, "display_name": n, "created_at": "1970-01-01T00:00:00Z"}
                for n in names
            ]
            page = {
                "data": data,
                "has_more": False,
                "first_id": names[0] if names else None,
                "last_id": names[-1] if names else None,
            }
        else:
            page = {
                "object": "list",
                "data": [
                    {"id": n, "object": "model", "created": 0, "owned_by": "translate"}
                    for n in names
                ],
            }
        await reply.json(200, msgspec.json.encode(page))

    async def _count_tokens(self, body: bytes, reply: _Reply) -> None:
        try:
            request = msgspec.json.decode(body)
        except msgspec.DecodeError as exc:
            raise _Failure(400, f"the request is not JSON: {exc}") from None
        if not isinstance(request, dict) or not isinstance(request.get("messages"), list):
            raise _Failure(400, "messages: required, a list")
        await reply.json(200, msgspec.json.encode({"input_tokens": estimate_tokens(request)}))


class _Reply:
    """One response to one client: started/complete, the client's dialect, the upstream
    key scrubbed from every byte sent (an upstream that echoes it in an error, say)."""

    __slots__ = ("complete", "dialect", "headers", "secret", "send", "started")

    def __init__(self, send: Send, dialect: Dialect, secret: bytes | None) -> None:
        self.send = send
        self.dialect = dialect
        self.secret = secret
        self.started = False
        self.complete = False
        self.headers: list[tuple[bytes, bytes]] = []

    def _scrub(self, data: bytes) -> bytes:
        if self.secret and self.secret in data:
            data = data.replace(self.secret, b"[redacted]")
        return data

    async def json(
        self, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        body = self._scrub(body)
        self.started = True
        await self.send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    _JSON,
                    (b"content-length", str(len(body)).encode()),
                    *self.headers,
                    *(headers or ()),
                ],
            }
        )
        self.complete = True
        await self.send({"type": "http.response.body", "body": body})

    async def error(
        self, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        """The gateway's own errors, through the same converter as the upstream's."""
        body: dict[str, Any] = {"error": {"message": message}}
        status, err = (to_anthropic if self.dialect == "anthropic" else to_openai).error(
            body, status=status
        )
        await self.json(status, msgspec.json.encode(err), headers)

    async def start_stream(self) -> None:
        self.started = True
        await self.send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [*_SSE_HEADERS, *self.headers],
            }
        )

    async def chunk(self, data: bytes) -> None:
        await self.send(
            {"type": "http.response.body", "body": self._scrub(data), "more_body": True}
        )

    async def end(self) -> None:
        self.complete = True
        await self.send({"type": "http.response.body", "body": b"", "more_body": False})


async def _until_disconnect(work: Awaitable[None], receive: Receive, reply: _Reply) -> None:
    """Run ``work`` until it ends or the client goes away, whichever comes first; a client
    that leaves cancels the work, and with it the upstream call (its connection closed)."""
    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(_disconnected(receive))
    try:
        done, _ = await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
        if task not in done and not reply.complete:
            log.info("client disconnected: upstream call cancelled")
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            raise _ClientGone
        await task
    finally:
        for t in (task, watcher):
            if not t.done():
                t.cancel()
        await asyncio.gather(task, watcher, return_exceptions=True)


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def _route_path(scope: Scope) -> str:
    path: str = scope.get("path") or "/"
    root: str = scope.get("root_path") or ""
    if root and path.startswith(
        root + "/"
    ):  # mounted: servers and frameworks differ on stripping it
        path = path[len(root) :]
    path = path.rstrip("/")
    return path[3:] if path.startswith("/v1/") else path


def _urls(base: str, dialect: Dialect) -> tuple[str, str]:
    """(the translating endpoint, the model list) for an upstream base URL."""
    if dialect == "openai":
        base = base.removesuffix("/chat/completions")
        return base + "/chat/completions", base + "/models"
    base = base.removesuffix("/messages")
    base = base if base.endswith("/v1") else base + "/v1"
    return base + "/messages", base + "/models"
