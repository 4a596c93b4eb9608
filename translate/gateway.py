"""An ASGI gateway: one dialect in front of an upstream that speaks the other.

    from translate.gateway import Gateway
    app = Gateway("https://api.example.com/v1", "openai", target="mimo", upstream_api_key="sk-...")

``app`` is a plain ASGI application (no framework): run it with any ASGI server
(``translate serve`` runs it on uvicorn) or mount it inside another ASGI app. Routes:

- ``POST /v1/messages``: anthropic clients (Claude Code, the anthropic SDK), for an
  openai-dialect upstream (``{upstream_url}/chat/completions``);
- ``POST /v1/chat/completions``: openai clients, for an anthropic-dialect upstream
  (``{upstream_url}/v1/messages``);
- ``POST /v1/responses``: Responses clients (Codex CLI, the Agents SDK), for an openai- or
  anthropic-dialect upstream; and a ``responses``-dialect upstream
  (``{upstream_url}/responses``) serves the Chat and Messages routes;
- ``GET /v1/models``: the model map's client names and the upstream's own list;
- ``POST /v1/messages/count_tokens``: an estimate, without a tokenizer
  (:func:`estimate_tokens`).

Several upstreams, chosen by the client's model: ``routes=[Route(...), ...]`` (``translate
serve --config FILE`` reads them from TOML).

The client request is decoded once; the struct goes to ``to_x.request`` on the way up and
to ``to_x.response`` / ``to_x.SSE`` on the way back; ``to_x.error`` makes every error the
client sees. The upstream key never enters a text built for the client: the gateway's own
messages are composed from what it knows, and an upstream error whose body holds the key is
answered with a message of the gateway's own. Model output is never searched nor changed.
Needs the ``gateway`` extra (uvicorn; httpx2 only for ``http_client=``). asyncio only.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import hmac
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from . import _gateway_rules as rules
from . import anthropic as a
from . import openai as o
from . import responses as r
from . import to_anthropic, to_openai, to_responses
from ._decode import Unknown, decode
from ._errors import Loss, TranslationError
from ._ledger import Ctx, finish
from ._tokens import estimate_tokens
from ._upstream import BodyTooLarge, Client, H1Client, HttpxClient, Response, UpstreamError, Url
from .targets import PRESETS, Target, resolve

if TYPE_CHECKING:
    import httpx2

__all__ = ["Gateway", "Route", "estimate_tokens"]

log = logging.getLogger("translate.gateway")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
Dialect = Literal["openai", "anthropic", "responses"]

DEFAULT_MAX_REQUEST_BYTES = 32 * 1024 * 1024
"""The Messages API's own request limit (32 MB)."""
DEFAULT_MAX_PENDING_BYTES = 128 * 1024 * 1024
"""Request bytes read and not yet sent upstream, all requests together."""
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
"""A non-streamed upstream answer larger than this is a 502."""
DEFAULT_BODY_TIMEOUT = 60.0
DEFAULT_TIMEOUT = 600.0
DEFAULT_DEADLINE = 1800.0
DEFAULT_ALLOWED_HOSTS = ("localhost", "127.0.0.1", "::1")
OFFLOAD_BYTES = 512 * 1024
"""Bodies above this are decoded and translated in a worker thread, off the event loop."""

_ERROR_BODY_CAP = 64 * 1024
_HEADER_CAP = 2048
_JSON = (b"content-type", b"application/json")
_SSE_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),  # nginx in front: do not buffer the stream
]
_EXPOSE = (b"access-control-expose-headers", b"x-translate-losses, x-translate-loss")
_TO: dict[str, Any] = {"openai": to_openai, "anthropic": to_anthropic, "responses": to_responses}
"""The module whose converters produce each dialect: ``_TO[upstream].request`` on the way
up, ``_TO[client].response`` / ``.SSE`` / ``.error`` on the way back."""
_SERVES: dict[str, tuple[Dialect, ...]] = {
    "openai": ("anthropic", "responses"),
    "anthropic": ("openai", "responses"),
    "responses": ("openai", "anthropic"),
}
"""The client dialects served in front of an upstream of each dialect (never its own)."""
_WITHHELD = (
    "the upstream answered with status {status}; its message is withheld because it contains "
    "the gateway's upstream key"
)


def _decode_responses(body: bytes, unknown: list[Unknown]) -> Any:
    from .to_responses._to_chat import decode_request

    return decode_request(body, unknown)  # untagged input messages read as messages


@dataclass(frozen=True)
class _Way:
    """One client dialect: its request type (or its decoder) and its route. The converters
    are ``_TO[upstream dialect]`` up and ``_TO[dialect]`` back."""

    dialect: Dialect
    request_type: type[Any]
    route: str
    decoder: Callable[[bytes, list[Unknown]], Any] | None = None

    @property
    def back(self) -> Any:
        return _TO[self.dialect]

    def decode(self, body: bytes, unknown: list[Unknown]) -> Any:
        if self.decoder is not None:
            return self.decoder(body, unknown)
        return decode(body, self.request_type, unknown)


_WAYS: dict[str, _Way] = {
    "/messages": _Way("anthropic", a.MessagesRequest, "POST /v1/messages"),
    "/chat/completions": _Way("openai", o.ChatCompletionRequest, "POST /v1/chat/completions"),
    "/responses": _Way(
        "responses", r.ResponseCreateParams, "POST /v1/responses", _decode_responses
    ),
}
_WAY_OF = {w.dialect: w for w in _WAYS.values()}
_OTHER_ROUTES: dict[str, tuple[str, Dialect | None]] = {
    "/messages/count_tokens": ("POST", "anthropic"),
    "/models": ("GET", None),
}


@dataclass(frozen=True)
class Route:
    """One upstream, for the client models matching ``models`` (``fnmatch`` patterns).

    ``url``/``dialect``/``target``: as for :class:`Gateway`. ``api_key``: the key sent to
    it. ``model``: the upstream model to ask for (default: the model map's, else the
    client's). ``max_tokens``: the most this upstream model takes (larger requests are
    lowered, a Loss). ``auth``/``anthropic_version``: as ``upstream_auth`` and
    ``anthropic_version`` of :class:`Gateway`.
    """

    url: str
    dialect: Dialect
    models: tuple[str, ...] = ("*",)
    target: str | Target = "compatible"
    api_key: str | None = None
    model: str | None = None
    max_tokens: int | None = None
    auth: Literal["bearer", "x-api-key"] | None = None
    anthropic_version: str | None = None

    def __repr__(self) -> str:  # never the key
        return f"Route({self.url!r}, {self.dialect!r}, models={self.models!r})"


class _Upstream:
    """A route made ready: URLs parsed, headers encoded, the key kept to check error bodies."""

    __slots__ = (
        "accept_json",
        "accept_sse",
        "dialect",
        "endpoint",
        "max_tokens",
        "model",
        "models",
        "models_url",
        "secret",
        "target",
    )

    def __init__(self, route: Route) -> None:
        if route.dialect not in _SERVES:
            raise ValueError(
                "upstream dialect must be 'openai', 'anthropic' or 'responses', not "
                f"{route.dialect!r}"
            )
        self.dialect: Dialect = route.dialect
        if route.dialect == "responses":
            # The Responses dialect has one form: its requests are made from the compatible
            # Chat form, whatever preset is named (only compatible is accepted).
            if route.target not in ("compatible", PRESETS[("openai", "compatible")]):
                raise ValueError("a responses upstream takes no target but 'compatible'")
            self.target = PRESETS[("openai", "compatible")]
        else:
            self.target = resolve(route.target, route.dialect)
        self.models = route.models
        self.model = route.model
        self.max_tokens = route.max_tokens
        endpoint, models = _urls(route.url.rstrip("/"), route.dialect)
        self.endpoint, self.models_url = Url(endpoint), Url(models)
        self.secret = route.api_key.encode() if route.api_key else None
        auth = route.auth or ("x-api-key" if route.dialect == "anthropic" else "bearer")
        headers = [(b"user-agent", b"translate-gateway")]
        if route.api_key:
            if auth == "bearer":
                headers.append((b"authorization", b"Bearer " + route.api_key.encode()))
            else:
                headers.append((b"x-api-key", route.api_key.encode()))
        if route.dialect == "anthropic":
            version = route.anthropic_version or self.target.api_version
            headers.append((b"anthropic-version", version.encode()))
        self.accept_json = [*headers, _JSON, (b"accept", b"application/json")]
        self.accept_sse = [*headers, _JSON, (b"accept", b"text/event-stream")]

    def holds_key(self, data: bytes) -> bool:
        """Whether ``data`` (an upstream's error text) holds this upstream's key, or a start
        of it at its end (a body cut short)."""
        s = self.secret
        if not s:
            return False
        if s in data:
            return True
        return any(data.endswith(s[:n]) for n in range(max(1, len(s) // 2), len(s)))


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
    """The ASGI app. Clients speak one dialect; each upstream speaks the other.

    ``upstream_url``: the base URL as that dialect's SDK takes it: for ``openai``, the
    one before ``/chat/completions`` (``https://api.example.com/v1``); for ``anthropic``,
    the one before ``/v1/messages`` (``https://api.example.com/anthropic``). A URL that
    already ends with the endpoint is used as it is.
    ``target``: the preset (or :class:`~translate.Target`) the upstream accepts.
    ``upstream_api_key``: sent as ``Authorization: Bearer`` (openai dialect) or
    ``x-api-key`` plus ``anthropic-version`` (anthropic dialect; ``upstream_auth="bearer"``
    for hosts that want a bearer token there too); never logged nor sent to a client.
    ``routes``: several upstreams instead of the one above, chosen by the client's model.
    ``client_api_key``: when set, clients must send it as ``x-api-key`` or
    ``Authorization: Bearer`` (else 401). ``model_map``: client model -> upstream model;
    keys may be ``fnmatch`` patterns (``claude-*``), exact names win; an unmapped model
    goes up unchanged, and the client always sees the model it asked for.
    ``strict``: refuse (400) a request whose translation would lose anything; or a
    collection of loss kinds (``"dropped"``, ``"coerced"``, ``"approximated"``) and path
    patterns (``"messages*"``) that are fatal, the others let through.
    ``allowed_hosts``: the ``Host`` values served (default: loopback names; ``"*"``: any).
    ``allowed_origins``: the browser origins served (default none: a request with an
    ``Origin`` header is refused; ``"*"``: any).
    ``keep_billing_header``, ``forward_user``, ``max_tokens``: see :mod:`translate._gateway_rules`.
    Limits: ``max_request_bytes`` (one body), ``max_pending_bytes`` (all bodies being read
    and translated), ``max_response_bytes`` (a non-streamed upstream answer),
    ``body_timeout`` (seconds to receive a request body), ``timeout`` (upstream silence),
    ``connect_timeout``, ``deadline`` (a whole request, stream included).
    ``http_client``: an ``httpx2.AsyncClient`` of your own (proxies, tests); the gateway
    then leaves closing it to you.
    """

    def __init__(
        self,
        upstream_url: str | None = None,
        upstream_dialect: Dialect | None = None,
        target: str | Target = "compatible",
        upstream_api_key: str | None = None,
        *,
        routes: Sequence[Route] | None = None,
        client_api_key: str | None = None,
        model_map: Mapping[str, str] | None = None,
        max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES,
        max_pending_bytes: int = DEFAULT_MAX_PENDING_BYTES,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        body_timeout: float = DEFAULT_BODY_TIMEOUT,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = 10.0,
        deadline: float = DEFAULT_DEADLINE,
        upstream_auth: Literal["bearer", "x-api-key"] | None = None,
        anthropic_version: str | None = None,
        max_tokens: int | None = None,
        strict: bool | Collection[str] = False,
        allowed_hosts: Collection[str] | None = DEFAULT_ALLOWED_HOSTS,
        allowed_origins: Collection[str] = (),
        keep_billing_header: bool = False,
        forward_user: bool = False,
        http_client: httpx2.AsyncClient | Client | None = None,
    ) -> None:
        if routes is None:
            if upstream_url is None or upstream_dialect is None:
                raise ValueError("an upstream_url and upstream_dialect, or routes, are needed")
            if upstream_dialect not in _SERVES:
                raise ValueError(
                    "upstream_dialect must be 'openai', 'anthropic' or 'responses', not "
                    f"{upstream_dialect!r}"
                )
            routes = [
                Route(
                    upstream_url,
                    upstream_dialect,
                    target=target,
                    api_key=upstream_api_key,
                    max_tokens=max_tokens,
                    auth=upstream_auth,
                    anthropic_version=anthropic_version,
                )
            ]
        if not routes:
            raise ValueError("no routes")
        self._upstreams = [_Upstream(r) for r in routes]
        first = self._upstreams[0]
        self.upstream_dialect: Dialect = first.dialect
        self.serves: tuple[Dialect, ...] = _SERVES[first.dialect]
        """The client dialects served (those of every route's upstream but its own)."""
        self.served: Dialect = self.serves[0]
        self.target = first.target
        self.strict = strict
        self._fatal: frozenset[str] | None = (
            None if strict is True or strict is False else frozenset(strict)
        )
        self.max_request_bytes = max_request_bytes
        self.max_pending_bytes = max_pending_bytes
        self.max_response_bytes = max_response_bytes
        self.body_timeout = body_timeout
        self.read_timeout = timeout
        self.connect_timeout = connect_timeout
        self.deadline = deadline
        self.keep_billing_header = keep_billing_header
        self.forward_user = forward_user
        self.model_map = dict(model_map or {})
        self._patterns = [(k, v) for k, v in self.model_map.items() if any(c in k for c in "*?[")]
        self._client_key = client_api_key.encode() if client_api_key else None
        self._hosts = (
            None
            if allowed_hosts is None or "*" in allowed_hosts
            else {h.lower().strip("[]") for h in allowed_hosts}
        )
        self._origins = set(allowed_origins)
        self._pending = 0
        self._own_client = http_client is None
        if http_client is None:
            self._client: Client = H1Client(connect_timeout=connect_timeout, read_timeout=timeout)
        elif isinstance(http_client, Client):
            self._client = http_client
        else:
            self._client = HttpxClient(http_client)

    def __repr__(self) -> str:  # never the keys
        first = self._upstreams[0]
        more = f", +{len(self._upstreams) - 1} routes" if len(self._upstreams) > 1 else ""
        return f"Gateway({first.endpoint.url!r}, {first.dialect!r}, target={first.target.name!r}{more})"

    # -- ASGI ------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        reply = _Reply(send, self.served)
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
        finally:
            if reply.log is not None:
                reply.log.done(reply.status)

    async def aclose(self) -> None:
        """Close the upstream connections (done on lifespan shutdown too)."""
        if self._own_client:
            await self._client.aclose()

    async def startup(self) -> None:
        """Make what the first request would otherwise pay for (done on lifespan startup)."""
        await self._client.start()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.startup()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- routing ---------------------------------------------------------------------

    async def _handle(self, scope: Scope, receive: Receive, reply: _Reply) -> None:
        path = _route_path(scope)
        way = _WAYS.get(path)
        if way is not None:
            method, dialect = "POST", way.dialect
        else:
            method, dialect = _OTHER_ROUTES.get(path, (None, None))  # type: ignore[assignment]
        reply.dialect = dialect or self.served
        self._admit(scope)
        self._authorize(scope)
        if method is None:
            routes = " and ".join(_WAY_OF[d].route for d in self.serves)
            raise _Failure(404, f"no such route; this gateway serves {routes}")
        if scope["method"] != method:
            raise _Failure(405, f"{path} takes {method}", [(b"allow", method.encode())])
        if path == "/models":
            await self._models(reply)
            return
        size = self._announced_size(scope)
        try:
            body = await self._read_body(receive, size, reply)
            if path == "/messages/count_tokens":
                await self._count_tokens(body, reply)
                return
            assert way is not None
            reply.log = _Log(scope["method"], scope.get("path") or path)
            await _until_disconnect(self._translate(way, body, reply), receive, reply)
        finally:
            self._pending -= reply.reserved
            reply.reserved = 0

    def _admit(self, scope: Scope) -> None:
        """Browsers and DNS rebinding: an ``Origin`` or a ``Host`` not allowed is a 403."""
        host = origin = None
        for name, value in scope["headers"]:
            if name == b"host":
                host = value
            elif name == b"origin":
                origin = value
        if (
            origin is not None
            and "*" not in self._origins
            and origin.decode("latin-1") not in self._origins
        ):
            raise _Failure(
                403,
                "requests from web pages are refused (an Origin header); allow an origin with "
                "--allow-origin",
            )
        if host is not None and self._hosts is not None:
            name = _host_name(host)
            if name not in self._hosts:
                raise _Failure(403, "unexpected Host header; allow a host name with --allow-host")

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

    def _announced_size(self, scope: Scope) -> int | None:
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit():
                size = int(value)
                if size > self.max_request_bytes:
                    raise _Failure(
                        413,
                        f"request too large: the gateway takes at most {self.max_request_bytes} bytes",
                    )
                return size
        return None

    async def _read_body(self, receive: Receive, size: int | None, reply: _Reply) -> bytes:
        """The body, within the size limits and ``body_timeout``; the bytes held count
        against ``max_pending_bytes`` until released by the caller."""
        limit = self.max_request_bytes
        parts: list[bytes] = []
        got = 0
        try:
            async with asyncio.timeout(self.body_timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        raise _ClientGone
                    chunk = message.get("body", b"")
                    got += len(chunk)
                    if got > limit:
                        raise _Failure(
                            413, f"request too large: the gateway takes at most {limit} bytes"
                        )
                    if chunk:
                        self._reserve(len(chunk), reply)
                        parts.append(chunk)
                    if not message.get("more_body", False):
                        return b"".join(parts) if len(parts) != 1 else parts[0]
        except TimeoutError:
            raise _Failure(
                408, f"the request body did not arrive within {self.body_timeout:g} s"
            ) from None

    def _reserve(self, n: int, reply: _Reply) -> None:
        if self._pending + n > self.max_pending_bytes:
            raise _Failure(
                503,
                "the gateway is holding as many request bytes as it may; retry shortly",
                [(b"retry-after", b"1")],
            )
        self._pending += n
        reply.reserved += n

    def map_model(self, model: str) -> str:
        """The upstream model for a client's model name (``model_map``)."""
        found = self.model_map.get(model)
        if found is not None:
            return found
        for pattern, upstream in self._patterns:
            if fnmatch.fnmatchcase(model, pattern):
                return upstream
        return model

    def _upstream_for(self, model: Any) -> _Upstream:
        if len(self._upstreams) == 1 or not isinstance(model, str):
            return self._upstreams[0]
        for up in self._upstreams:
            if any(fnmatch.fnmatchcase(model, p) for p in up.models):
                return up
        raise _Failure(404, f"no upstream is configured for model {model!r}")

    # -- the translating routes --------------------------------------------------------

    def _prepare(
        self, way: _Way, body: bytes, losses: list[Loss]
    ) -> tuple[Any, _Upstream, bytes, bool]:
        """Decode once, translate, apply the gateway's rules: (client request, upstream,
        the upstream body, streaming). Runs in a worker thread for large bodies."""
        unknown: list[Unknown] = []
        try:
            req = way.decode(body, unknown)
        except RecursionError:
            raise _Failure(400, "the request is nested too deeply") from None
        except TranslationError as exc:
            raise _Failure(400, str(exc)) from None
        model = req.model
        up_route = self._upstream_for(model)
        if up_route.dialect == way.dialect:
            routes = " or ".join(_WAY_OF[d].route for d in _SERVES[way.dialect])
            raise _Failure(
                404,
                f"the upstream for this model speaks the {way.dialect} dialect; send {routes}",
            )
        try:
            up = _TO[up_route.dialect].request(req, target=up_route.target, losses=losses)
            if unknown:  # the fields the structs do not model: carried or a Loss
                up = finish(Ctx(up_route.target), up, unknown, False, losses)
        except RecursionError:
            raise _Failure(400, "the request is nested too deeply") from None
        except TranslationError as exc:
            raise _Failure(400, str(exc)) from None
        if isinstance(up, o.ChatCompletionRequest):
            if not self.keep_billing_header:
                rules.drop_billing_line(up, losses)
            if up_route.target.name == "openai":
                rules.clean_tool_schemas(up, losses)
        if not self.forward_user and not isinstance(up, a.MessagesRequest):
            rules.drop_user(up, losses)
        if up_route.max_tokens is not None:
            rules.cap_max_tokens(up, up_route.max_tokens, losses)
        self._check_strict(losses)
        if isinstance(model, str):
            up.model = up_route.model or self.map_model(model)
        streaming = up.stream is True
        return req, up_route, msgspec.json.encode(up), streaming

    def _check_strict(self, losses: list[Loss]) -> None:
        if not losses or self.strict is False:
            return
        fatal = self._fatal
        bad = (
            losses
            if fatal is None
            else [
                x
                for x in losses
                if x.kind in fatal or any(fnmatch.fnmatchcase(x.path, p) for p in fatal)
            ]
        )
        if bad:
            named = "; ".join(f"{x.path or '$'}: {x.kind}: {x.detail}" for x in bad[:10])
            raise _Failure(400, f"the translation would lose what strict mode refuses: {named}")

    async def _translate(self, way: _Way, body: bytes, reply: _Reply) -> None:
        losses: list[Loss] = []
        log_ = reply.log
        assert log_ is not None
        log_.losses = losses
        if len(body) > OFFLOAD_BYTES:
            req, route, payload, streaming = await asyncio.to_thread(
                self._prepare, way, body, losses
            )
        else:
            req, route, payload, streaming = self._prepare(way, body, losses)
        del body
        log_.model = f"{req.model} -> {route.endpoint.authority}"
        reply.headers += _loss_headers(losses)
        try:
            async with asyncio.timeout(self.deadline):
                resp = await self._send(route, payload, streaming)
                self._pending -= reply.reserved
                reply.reserved = 0
                del payload
                try:
                    if not 200 <= resp.status < 300:
                        await self._upstream_error(route, resp, reply)
                    elif streaming:
                        await self._stream(route, resp, req, reply, losses)
                    else:
                        await self._whole(resp, way, req, reply, losses)
                finally:
                    await resp.aclose()
        except TimeoutError:
            if reply.sse is not None and not reply.complete:  # a stream: ended with an error
                out = _abort(
                    reply.sse,
                    f"the request passed the gateway's deadline of {self.deadline:g} s",
                    "timeout_error",
                )
                reply.complete = True
                await reply.send({"type": "http.response.body", "body": out, "more_body": False})
                return
            raise _Failure(
                504,
                f"the request did not finish within the gateway's deadline of {self.deadline:g} s",
            ) from None

    async def _send(self, route: _Upstream, payload: bytes, streaming: bool) -> Response:
        try:
            return await self._client.send(
                "POST",
                route.endpoint,
                route.accept_sse if streaming else route.accept_json,
                payload,
            )
        except UpstreamError as exc:
            log.warning("upstream %s failed: %s", route.endpoint.authority, exc.kind)
            if exc.timeout:
                raise _Failure(504, f"the upstream did not answer in time ({exc.kind})") from None
            raise _Failure(502, f"the upstream could not be reached ({exc.kind})") from None

    async def _whole(
        self, resp: Response, way: _Way, req: Any, reply: _Reply, losses: list[Loss]
    ) -> None:
        try:
            raw = await resp.read(self.max_response_bytes)
        except UpstreamError as exc:
            if exc.timeout:
                raise _Failure(504, f"the upstream stopped answering ({exc.kind})") from None
            raise _Failure(502, f"the upstream connection failed ({exc.kind})") from None
        except BodyTooLarge:
            raise _Failure(
                502,
                f"the upstream's answer is larger than the gateway takes ({self.max_response_bytes} bytes)",
            ) from None

        def translate() -> bytes:
            try:
                out = way.back.response(raw, request=req, losses=losses)
            except (TranslationError, RecursionError) as exc:
                where = exc.path if isinstance(exc, TranslationError) else "$"
                raise _Failure(
                    502, f"the upstream's response could not be read (at {where or '$'})"
                ) from None
            return msgspec.json.encode(out)

        out = await asyncio.to_thread(translate) if len(raw) > OFFLOAD_BYTES else translate()
        await reply.json(200, out)

    async def _upstream_error(self, route: _Upstream, resp: Response, reply: _Reply) -> None:
        raw = b""
        with contextlib.suppress(UpstreamError, BodyTooLarge):
            raw = await resp.read(_ERROR_BODY_CAP)
        # A redirect is not followed (the request holds the client's conversation): a 502.
        status = resp.status if resp.status >= 400 else 502
        back = _TO[reply.dialect]
        if route.holds_key(raw):
            # The upstream echoed the key: nothing of its text is used.
            status, err = back.error(
                {"error": {"message": _WITHHELD.format(status=resp.status)}}, status=status
            )
        else:
            status, err = back.error(raw, status=status)
            if resp.status in (401, 403):
                message = getattr(err.error, "message", "")
                err.error.message = (
                    f"the upstream refused the gateway's upstream key ({resp.status}): {message}"
                )
        headers = []
        retry = resp.header("retry-after")
        if retry is not None and retry.isascii() and retry.strip().replace(".", "").isdigit():
            headers.append((b"retry-after", retry.strip().encode()))
        await reply.json(status, msgspec.json.encode(err), headers)

    async def _stream(
        self, route: _Upstream, resp: Response, req: Any, reply: _Reply, losses: list[Loss]
    ) -> None:
        if reply.dialect == "responses":
            sse: Any = to_responses.SSE(req, source=route.dialect, losses=losses)
        else:
            sse = _TO[reply.dialect].SSE(req, losses=losses)
        reply.sse = sse
        await reply.start_stream()
        send = reply.send
        check = route.secret is not None
        try:
            async for chunk in resp.chunks():
                out = sse.feed(chunk)
                if out:
                    if check and b"error" in out:
                        out = _keyless_error(out, route, reply.dialect)
                    await send({"type": "http.response.body", "body": out, "more_body": True})
            out = sse.close()
        except UpstreamError as exc:
            message = (
                f"the upstream stopped sending ({exc.kind})"
                if exc.timeout
                else f"the upstream connection was lost mid-stream ({exc.kind})"
            )
            log.warning("upstream stream %s failed: %s", route.endpoint.authority, message)
            out = _abort(sse, message, "timeout_error" if exc.timeout else "api_error")
        if out and check and b"error" in out:
            out = _keyless_error(out, route, reply.dialect)
        reply.complete = True
        await send({"type": "http.response.body", "body": out, "more_body": False})

    # -- the other routes ------------------------------------------------------------

    async def _models(self, reply: _Reply) -> None:
        names = [k for k in self.model_map if (k, self.model_map[k]) not in self._patterns]
        names += [v for v in self.model_map.values() if v not in names]
        for route in self._upstreams:
            if route.model and route.model not in names:
                names.append(route.model)
        route = self._upstreams[0]
        try:
            async with asyncio.timeout(self.connect_timeout):
                resp = await self._client.send(
                    "GET",
                    route.models_url,
                    route.accept_json[:-2] + [(b"accept", b"application/json")],
                    None,
                )
                try:
                    raw = await resp.read(4 * 1024 * 1024) if 200 <= resp.status < 300 else b""
                finally:
                    await resp.aclose()
            listed = _MODEL_LIST.decode(raw).data if raw else []
        except (
            UpstreamError,
            BodyTooLarge,
            TimeoutError,
            msgspec.DecodeError,
            RecursionError,
        ) as exc:
            log.info("upstream model list unavailable: %s", type(exc).__name__)
            listed = []
        for m in listed:
            if m.id is not None and m.id not in names:
                names.append(m.id)
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
        def count() -> int:
            try:
                request = msgspec.json.decode(body)
            except msgspec.DecodeError:
                raise _Failure(400, "the request is not JSON") from None
            except RecursionError:
                raise _Failure(400, "the request is nested too deeply") from None
            if not isinstance(request, dict) or not isinstance(request.get("messages"), list):
                raise _Failure(400, "messages: required, a list")
            try:
                return estimate_tokens(request)
            except RecursionError:
                raise _Failure(400, "the request is nested too deeply") from None

        n = await asyncio.to_thread(count) if len(body) > OFFLOAD_BYTES else count()
        await reply.json(200, msgspec.json.encode({"input_tokens": n}))


class _ModelId(msgspec.Struct):
    id: str | None = None


class _ModelList(msgspec.Struct):
    """Only the ids of an upstream's list: nothing else of it is decoded (nor can nest)."""

    data: list[_ModelId] = []


_MODEL_LIST = msgspec.json.Decoder(_ModelList)


def _keyless_error(out: bytes, route: _Upstream, dialect: Dialect) -> bytes:
    """A stream's output whose error frame (made from the upstream's own error text) holds
    the upstream key: that frame replaced by one of the gateway's own. Only error frames
    are looked at; the model's output is never searched nor changed."""
    if dialect == "responses":
        return _keyless_failure(out, route)
    marker = b"event: error\n" if dialect == "anthropic" else b'data: {"error"'
    start = out.find(marker)
    if start < 0:
        return out
    end = out.find(b"\n\n", start)
    end = len(out) if end < 0 else end + 2
    if not route.holds_key(out[start:end]):
        return out
    message = (
        "the upstream sent an error whose text is withheld: it contains the gateway's upstream key"
    )
    if dialect == "anthropic":
        frame = (
            b"event: error\ndata: "
            + msgspec.json.encode(
                {"type": "error", "error": {"type": "api_error", "message": message}}
            )
            + b"\n\n"
        )
    else:
        frame = (
            b"data: "
            + msgspec.json.encode({"error": {"message": message, "type": "api_error"}})
            + b"\n\n"
        )
    return out[:start] + frame + out[end:]


def _keyless_failure(out: bytes, route: _Upstream) -> bytes:
    """``_keyless_error`` for a Responses stream: the ``response.failed`` frame keeps its
    output (the model's, untouched); only its ``error.message``, when it holds the key, is
    replaced by one of the gateway's own."""
    marker = b"event: response.failed\n"
    start = out.find(marker)
    if start < 0:
        return out
    end = out.find(b"\n\n", start)
    end = len(out) if end < 0 else end + 2
    frame = out[start:end]
    data = frame.find(b"data: ")
    if data < 0:
        return out
    try:
        event = msgspec.json.decode(frame[data + 6 :].strip(), type=r.ResponseFailedEvent)
    except (msgspec.DecodeError, RecursionError):
        return out
    error = event.response.error
    if not isinstance(error, r.ResponseError) or not route.holds_key(error.message.encode()):
        return out
    error.message = (
        "the upstream sent an error whose text is withheld: it contains the gateway's upstream key"
    )
    new = b"event: response.failed\ndata: " + msgspec.json.encode(event) + b"\n\n"
    return out[:start] + new + out[end:]


def _abort(sse: Any, message: str, kind: str) -> bytes:
    """End a client's stream now: an error frame of ``kind`` (an anthropic error type) for
    Chat and Messages clients, ``response.failed`` (``server_error``) for Responses ones."""
    if isinstance(sse, to_responses.SSE):
        return sse.abort(message)
    out: bytes = sse.abort(message, kind)
    return out


def _loss_headers(losses: list[Loss]) -> list[tuple[bytes, bytes]]:
    headers = [(b"x-translate-losses", str(len(losses)).encode())]
    if losses:
        named = ", ".join(f"{x.kind} {x.path or '$'}" for x in losses)
        value = named.encode("ascii", "backslashreplace")
        value = bytes(c if 32 <= c < 127 else 63 for c in value)  # no control characters
        if len(value) > _HEADER_CAP:
            value = value[: _HEADER_CAP - 3] + b"..."
        headers += [(b"x-translate-loss", value), _EXPOSE]
    return headers


class _Log:
    """One line per request at info: what, where, the status, the time, every loss."""

    __slots__ = ("losses", "method", "model", "path", "start")

    def __init__(self, method: str, path: str) -> None:
        self.method = method
        self.path = path
        self.model = "?"
        self.start = time.perf_counter()
        self.losses: list[Loss] = []

    def done(self, status: int) -> None:
        if not log.isEnabledFor(logging.INFO):
            return
        ms = (time.perf_counter() - self.start) * 1000
        named = "; ".join(f"{x.path or '$'} ({x.kind})" for x in self.losses)
        log.info(
            "%s %s %s %d %.1f ms, %d losses%s",
            self.method,
            self.path,
            self.model,
            status,
            ms,
            len(self.losses),
            f": {named}" if named else "",
        )


class _Reply:
    """One response to one client: started/complete, the client's dialect, the headers."""

    __slots__ = (
        "complete",
        "dialect",
        "headers",
        "log",
        "reserved",
        "send",
        "sse",
        "started",
        "status",
    )

    def __init__(self, send: Send, dialect: Dialect) -> None:
        self.send = send
        self.dialect = dialect
        self.started = False
        self.complete = False
        self.status = 0
        self.reserved = 0
        self.log: _Log | None = None
        self.sse: to_anthropic.SSE | to_openai.SSE | to_responses.SSE | None = None
        self.headers: list[tuple[bytes, bytes]] = []

    async def json(
        self, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        self.started = True
        self.status = status
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
        """The gateway's own errors, composed from what it knows, through ``to_x.error``."""
        body: dict[str, Any] = {"error": {"message": message}}
        status, err = _TO[self.dialect].error(body, status=status)
        await self.json(status, msgspec.json.encode(err), headers)

    async def start_stream(self) -> None:
        self.started = True
        self.status = 200
        await self.send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [*_SSE_HEADERS, *self.headers],
            }
        )


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


def _host_name(host: bytes) -> str:
    text = host.decode("latin-1").strip().lower()
    if text.startswith("["):
        return text[1 : text.find("]")] if "]" in text else text
    return text.rpartition(":")[0] if ":" in text else text


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
    if dialect == "responses":
        base = base.removesuffix("/responses")
        return base + "/responses", base + "/models"
    base = base.removesuffix("/messages")
    base = base if base.endswith("/v1") else base + "/v1"
    return base + "/messages", base + "/models"
