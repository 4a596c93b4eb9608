"""The gateway's upstream HTTP client: a small HTTP/1.1 client on asyncio, with a
keep-alive pool, and an adapter for an ``httpx2.AsyncClient`` of the caller's own.

Why its own client: measured as the gateway's CPU per request with the real Claude Code
request (benchmarks/bench_gateway.py ``--client``, interleaved runs, figures in the README),
httpx2 costs 0.66 to 1.0 ms more than this client per non-streamed request and 1.3 to 1.8 ms
more per stream (its pool probes every idle connection on each request), aiohttp 3.14 about
0.1 ms more (from -0.015 to +0.26 ms: more in 31 of 32 paired figures). It does what the
gateway needs and nothing more: POST and GET, ``Content-Length``, chunked and
close-delimited bodies, TLS, keep-alive reuse with one retry of a request whose reused
connection turned out to be closed before any byte of the answer arrived. No proxies, no
redirects, no HTTP/2: a gateway that needs a proxy passes ``http_client=httpx2.AsyncClient(...)``
(and ``translate serve`` does so by itself when ``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY``
is set).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import httpx2

_BUFFER_HIGH = 256 * 1024  # unread bytes held per connection before it stops reading


class UpstreamError(Exception):
    """The upstream could not be reached or stopped answering; ``timeout`` says which."""

    def __init__(self, kind: str, *, timeout: bool = False) -> None:
        super().__init__(kind)
        self.kind = kind
        self.timeout = timeout


class Url:
    """A parsed upstream URL: what a request to it needs, computed once."""

    __slots__ = ("authority", "host", "key", "path", "port", "tls", "url")

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        self.url = url
        self.tls = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port or (443 if self.tls else 80)
        default = (self.tls and self.port == 443) or (not self.tls and self.port == 80)
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.authority = host if default else f"{host}:{self.port}"
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.key = (self.tls, self.host, self.port)


class Response:
    """An upstream answer: its status and headers at once, its body as it arrives."""

    status: int
    headers: list[tuple[str, str]]

    def header(self, name: str) -> str | None:
        for k, v in self.headers:
            if k == name:
                return v
        return None

    def chunks(self) -> AsyncIterator[bytes]:  # pragma: no cover - overridden
        raise NotImplementedError

    async def read(self, limit: int) -> bytes:
        """The whole body; ``None`` past ``limit`` bytes (``BodyTooLarge``)."""
        parts: list[bytes] = []
        size = 0
        async for chunk in self.chunks():
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge(size)
            parts.append(chunk)
        return b"".join(parts)

    async def aclose(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class BodyTooLarge(Exception):
    pass


class Client:
    """What the gateway asks of an upstream client."""

    async def send(
        self, method: str, url: Url, headers: list[tuple[bytes, bytes]], body: bytes | None
    ) -> Response:  # pragma: no cover - overridden
        raise NotImplementedError

    async def start(self) -> None:
        """Called at startup (ASGI lifespan), so the first request pays for nothing."""

    async def aclose(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


# -- the own client -----------------------------------------------------------------------


class _Conn(asyncio.Protocol):
    __slots__ = (
        "buf",
        "closed",
        "eof",
        "exc",
        "got_any",
        "key",
        "paused",
        "transport",
        "waiter",
    )

    def __init__(self, key: tuple[bool, str, int]) -> None:
        self.key = key
        self.buf = bytearray()
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.eof = False
        self.closed = False
        self.exc: BaseException | None = None
        self.paused = False
        self.got_any = False

    # protocol callbacks
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self.buf += data
        self.got_any = True
        if len(self.buf) > _BUFFER_HIGH and not self.paused and self.transport is not None:
            self.paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool | None:
        self.eof = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.eof = True
        if exc is not None:
            self.exc = exc
        self._wake()

    def _wake(self) -> None:
        w = self.waiter
        if w is not None and not w.done():
            w.set_result(None)

    # used by the client
    def usable(self) -> bool:
        return (
            not self.closed
            and not self.eof
            and self.transport is not None
            and not (self.transport.is_closing())
        )

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def take(self, n: int) -> bytes:
        data = bytes(self.buf[:n])
        del self.buf[:n]
        if self.paused and len(self.buf) < _BUFFER_HIGH // 2 and self.transport is not None:
            self.paused = False
            self.transport.resume_reading()
        return data

    async def more(self, timeout: float) -> None:
        """Wait for more bytes (or the end); ``UpstreamError`` after ``timeout`` seconds."""
        if self.eof:
            raise UpstreamError(type(self.exc).__name__ if self.exc else "RemoteProtocolError")
        loop = asyncio.get_running_loop()
        self.waiter = w = loop.create_future()
        handle = loop.call_later(timeout, _expire, w)
        try:
            await w
        finally:
            handle.cancel()
            self.waiter = None


def _expire(w: asyncio.Future[None]) -> None:
    if not w.done():
        w.set_exception(UpstreamError("ReadTimeout", timeout=True))


class _H1Response(Response):
    __slots__ = (
        "_conn",
        "_done",
        "_left",
        "_mode",
        "_pool",
        "_reuse",
        "_timeout",
        "headers",
        "status",
    )

    def __init__(  # noqa: PLR0917
        self,
        conn: _Conn,
        pool: H1Client,
        status: int,
        headers: list[tuple[str, str]],
        timeout: float,
        method: str,
    ) -> None:
        self._conn: _Conn | None = conn
        self._pool = pool
        self.status = status
        self.headers = headers
        self._timeout = timeout
        self._reuse = True
        self._left = 0
        self._done = False
        te = cl = None
        for k, v in headers:
            if k == "transfer-encoding":
                te = v.lower()
            elif k == "content-length":
                cl = v
            elif k == "connection" and "close" in v.lower():
                self._reuse = False
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            self._mode = "none"
        elif te is not None and "chunked" in te:
            self._mode = "chunked"
        elif cl is not None and cl.strip().isdigit():
            self._mode = "length"
            self._left = int(cl)
        else:
            self._mode = "close"
            self._reuse = False

    async def chunks(self) -> AsyncIterator[bytes]:
        conn, timeout = self._conn, self._timeout
        mode = self._mode
        if self._done or conn is None:
            return
        if mode == "length":
            left = self._left
            while left > 0:
                if not conn.buf:
                    await conn.more(timeout)
                    if not conn.buf:
                        continue
                data = conn.take(min(left, len(conn.buf)))
                left -= len(data)
                self._left = left
                yield data
        elif mode == "close":
            while True:
                if conn.buf:
                    yield conn.take(len(conn.buf))
                    continue
                if conn.eof:
                    if conn.exc is not None:
                        raise UpstreamError(type(conn.exc).__name__)
                    break
                await conn.more(timeout)
        elif mode == "chunked":
            # Every chunk already received goes out as one piece: as few writes as arrive.
            state = _Chunked()
            while not state.done:
                data = state.parse(conn)
                if data:
                    yield data
                elif not state.done:
                    await conn.more(timeout)
        self._done = True
        await self.aclose()

    async def aclose(self) -> None:
        conn = self._conn
        if conn is None:
            return
        self._conn = None
        if self._done and self._reuse and conn.usable() and not conn.buf:
            self._pool._release(conn)
        else:
            conn.close()


class _Chunked:
    """A chunked body, parsed from a connection's buffer as far as it goes."""

    __slots__ = ("done", "left", "trailer")

    def __init__(self) -> None:
        self.left = -1  # bytes left in the current chunk (and its CRLF); -1: a size line next
        self.done = False
        self.trailer = False

    def parse(self, conn: _Conn) -> bytes:
        out: list[bytes] = []
        buf = conn.buf
        while True:
            if self.trailer:
                j = buf.find(b"\r\n")
                if j < 0:
                    if len(buf) > 65536:
                        raise UpstreamError("RemoteProtocolError")
                    break
                conn.take(j + 2)
                if j == 0:
                    self.done = True
                    break
                continue
            if self.left < 0:
                i = buf.find(b"\r\n")
                if i < 0:
                    if len(buf) > 4096:
                        raise UpstreamError("RemoteProtocolError")
                    break
                line = conn.take(i + 2)[:-2]
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    raise UpstreamError("RemoteProtocolError") from None
                if size == 0:
                    self.trailer = True
                    continue
                self.left = size + 2
            if not buf:
                break
            if self.left > 2:
                data = conn.take(min(self.left - 2, len(buf)))
                self.left -= len(data)
                out.append(data)
                continue
            n = min(self.left, len(buf))  # the CRLF after the data
            conn.take(n)
            self.left -= n
            if self.left == 0:
                self.left = -1
        return out[0] if len(out) == 1 else b"".join(out)


class H1Client(Client):
    """HTTP/1.1 with keep-alive: at most ``max_idle`` idle connections kept per host."""

    def __init__(
        self, *, connect_timeout: float = 10.0, read_timeout: float = 600.0, max_idle: int = 100
    ) -> None:
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.max_idle = max_idle
        self._idle: dict[tuple[bool, str, int], list[_Conn]] = {}
        self._ssl: ssl.SSLContext | None = None

    async def start(self) -> None:
        self._context()

    def _context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = ssl.create_default_context()
        return self._ssl

    def _release(self, conn: _Conn) -> None:
        idle = self._idle.setdefault(conn.key, [])
        if len(idle) < self.max_idle:
            idle.append(conn)
        else:
            conn.close()

    async def _connect(self, url: Url) -> _Conn:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.connect_timeout):
                _, conn = await loop.create_connection(
                    lambda: _Conn(url.key),
                    url.host,
                    url.port,
                    ssl=self._context() if url.tls else None,
                    server_hostname=url.host if url.tls else None,
                )
        except TimeoutError:
            raise UpstreamError("ConnectTimeout", timeout=True) from None
        except (OSError, ssl.SSLError) as exc:
            raise UpstreamError(f"ConnectError: {type(exc).__name__}") from None
        return conn

    async def send(
        self, method: str, url: Url, headers: list[tuple[bytes, bytes]], body: bytes | None
    ) -> Response:
        head = bytearray(f"{method} {url.path} HTTP/1.1\r\nhost: {url.authority}\r\n".encode())
        for k, v in headers:
            head += k + b": " + v + b"\r\n"
        if body is not None:
            head += b"content-length: " + str(len(body)).encode() + b"\r\n"
        head += b"\r\n"
        if body is not None:
            head += body
        payload = bytes(head)
        idle = self._idle.get(url.key)
        while idle:
            conn = idle.pop()
            if not conn.usable():
                conn.close()
                continue
            try:
                return await self._exchange(conn, payload, method)
            except _Stale:
                continue  # the server had closed it: a new connection
        conn = await self._connect(url)
        try:
            return await self._exchange(conn, payload, method)
        except _Stale:
            raise UpstreamError("RemoteProtocolError") from None

    async def _exchange(self, conn: _Conn, payload: bytes, method: str) -> Response:
        assert conn.transport is not None
        try:
            if payload:
                conn.got_any = False
                conn.transport.write(payload)
            while True:
                end = conn.buf.find(b"\r\n\r\n")
                if end >= 0:
                    break
                if len(conn.buf) > 65536:
                    raise UpstreamError("RemoteProtocolError")
                if conn.eof and not conn.got_any:
                    raise _Stale
                await conn.more(self.read_timeout)
            head = conn.take(end + 4)
            lines = head.decode("latin-1").split("\r\n")
            status_line = lines[0].split(" ", 2)
            if len(status_line) < 2 or not status_line[0].startswith("HTTP/1."):
                raise UpstreamError("RemoteProtocolError")
            status = int(status_line[1])
            headers = []
            for line in lines[1:]:
                if line:
                    k, _, v = line.partition(":")
                    headers.append((k.strip().lower(), v.strip()))
            if 100 <= status < 200:  # an interim answer (100 Continue, 103): the next one
                conn.got_any = True
                return await self._exchange(conn, b"", method)
            return _H1Response(conn, self, status, headers, self.read_timeout, method)
        except (UpstreamError, _Stale):
            conn.close()
            raise
        except ValueError:
            conn.close()
            raise UpstreamError("RemoteProtocolError") from None
        except BaseException:  # cancelled: the connection is in an unknown state
            conn.close()
            raise

    async def aclose(self) -> None:
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()


class _Stale(Exception):
    pass


# -- an httpx2.AsyncClient of the caller's own ----------------------------------------------


class _HttpxResponse(Response):
    def __init__(self, resp: httpx2.Response) -> None:
        self._resp = resp
        self.status = resp.status_code
        self.headers = [(k.lower(), v) for k, v in resp.headers.items()]

    async def chunks(self) -> AsyncIterator[bytes]:
        import httpx2

        try:
            async for chunk in self._resp.aiter_bytes():
                if chunk:
                    yield chunk
        except httpx2.TimeoutException as exc:
            raise UpstreamError(type(exc).__name__, timeout=True) from None
        except httpx2.RequestError as exc:
            raise UpstreamError(type(exc).__name__) from None

    async def aclose(self) -> None:
        await self._resp.aclose()


class HttpxClient(Client):
    """An ``httpx2.AsyncClient`` (proxies, a test transport): closed by its owner."""

    def __init__(self, client: httpx2.AsyncClient, *, own: bool = False) -> None:
        self.client = client
        self.own = own

    async def send(
        self, method: str, url: Url, headers: list[tuple[bytes, bytes]], body: bytes | None
    ) -> Response:
        import httpx2

        request = self.client.build_request(
            method, url.url, content=body, headers=[(k.decode(), v.decode()) for k, v in headers]
        )
        try:
            return _HttpxResponse(await self.client.send(request, stream=True))
        except httpx2.TimeoutException as exc:
            raise UpstreamError(type(exc).__name__, timeout=True) from None
        except httpx2.RequestError as exc:
            raise UpstreamError(type(exc).__name__) from None

    async def aclose(self) -> None:
        if self.own:
            await self.client.aclose()


def httpx_client(connect_timeout: float, read_timeout: float) -> HttpxClient:
    """An httpx2 client that honours the proxy environment variables."""
    import httpx2

    return HttpxClient(
        httpx2.AsyncClient(
            timeout=httpx2.Timeout(read_timeout, connect=connect_timeout, pool=connect_timeout),
            limits=httpx2.Limits(max_connections=1000, max_keepalive_connections=100),
        ),
        own=True,
    )


def proxied(environ: Any) -> bool:
    return any(
        environ.get(name)
        for name in (
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
            "ALL_PROXY",
            "all_proxy",
        )
    )
