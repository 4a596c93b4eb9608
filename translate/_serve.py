"""``translate serve``: the gateway (``translate.gateway``) on uvicorn.

Kept apart from ``cli.py`` so that ``translate convert`` never imports the gateway's
optional dependencies (the ``gateway`` extra: uvicorn, uvloop and httptools).

One upstream from flags and environment variables, or several, chosen by the client's
model, from a TOML file (``--config``)::

    [gateway]                       # optional; flags win over it
    client_key_env = "TRANSLATE_API_KEY"
    allowed_hosts = ["localhost", "127.0.0.1", "::1"]

    [[route]]                       # tried in order; the first whose models match
    models = ["claude-opus-*", "claude-sonnet-*"]
    url = "https://api.deepseek.com"
    dialect = "openai"
    target = "deepseek"
    key_env = "DEEPSEEK_API_KEY"    # the environment variable holding its key
    model = "deepseek-reasoner"     # the upstream model asked for
    max_tokens = 32768              # the most it takes

    [[route]]
    models = ["claude-haiku-*", "*"]
    url = "http://127.0.0.1:11434/v1"
    dialect = "openai"
    model = "qwen3:8b"
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tomllib
from typing import TYPE_CHECKING, Any, Literal

Dialect = Literal["openai", "anthropic", "responses"]  # the upstream's (gateway.Dialect)

if TYPE_CHECKING:  # the gateway's dependencies are imported when it is built
    from .gateway import Gateway, Route

ENV = {
    "upstream_url": "TRANSLATE_UPSTREAM_URL",
    "upstream_dialect": "TRANSLATE_UPSTREAM_DIALECT",
    "target": "TRANSLATE_TARGET",
    "upstream_api_key": "TRANSLATE_UPSTREAM_API_KEY",
    "client_api_key": "TRANSLATE_API_KEY",
    "model_map": "TRANSLATE_MODEL_MAP",
    "upstream_auth": "TRANSLATE_UPSTREAM_AUTH",
    "config": "TRANSLATE_CONFIG",
}
_ARGS_ENV = "TRANSLATE_SERVE_ARGS"  # how --workers hands the flags to each worker process
_LOG_FORMAT = "%(levelname)s:     %(name)s: %(message)s"
# With --workers N, each line says which worker process wrote it (as uvicorn's own
# "Started server process [pid]" does): a request's line names the worker that served it.
_WORKER_LOG_FORMAT = "%(levelname)s:     [%(process)d] %(name)s: %(message)s"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--upstream-url",
        help=f"the upstream's base URL, as its SDK takes it (${ENV['upstream_url']})",
    )
    p.add_argument(
        "--upstream-dialect",
        choices=("openai", "anthropic", "responses"),
        help=f"the dialect the upstream speaks (${ENV['upstream_dialect']})",
    )
    p.add_argument(
        "--target",
        help=f"the upstream's preset, e.g. mimo, deepseek, anthropic (${ENV['target']}; default compatible)",
    )
    p.add_argument(
        "--upstream-auth",
        choices=("bearer", "x-api-key"),
        help=f"how the upstream key is sent (${ENV['upstream_auth']}; default: the dialect's way)",
    )
    p.add_argument(
        "--model-map",
        help=f"client=upstream pairs, comma separated, or a JSON object; fnmatch patterns allowed (${ENV['model_map']})",
    )
    p.add_argument(
        "--config",
        help=f"a TOML file of routes: one upstream per group of client models (${ENV['config']})",
    )
    p.add_argument(
        "--max-tokens",
        type=int,
        default=None,
        help="the most max_tokens the upstream model takes: larger requests are lowered (a loss)",
    )
    p.add_argument(
        "--max-request-bytes",
        type=int,
        default=None,
        help="larger requests get 413 (default 32 MiB)",
    )
    p.add_argument(
        "--max-pending-bytes",
        type=int,
        default=None,
        help="request bytes held by all requests being read and translated; beyond, 503 (default 128 MiB)",
    )
    p.add_argument(
        "--max-response-bytes",
        type=int,
        default=None,
        help="a larger non-streamed upstream answer is a 502 (default 64 MiB)",
    )
    p.add_argument(
        "--body-timeout",
        type=float,
        default=None,
        help="seconds a client has to send its request body, else 408 (default 60)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds the upstream may stay silent (default 600)",
    )
    p.add_argument(
        "--deadline",
        type=float,
        default=None,
        help="seconds one request may take, stream included (default 1800)",
    )
    p.add_argument(
        "--strict",
        nargs="?",
        const="all",
        default=None,
        metavar="KINDS",
        help="refuse (400) requests whose translation would lose anything; or only the losses of "
        "these kinds or paths, comma separated (dropped,coerced,approximated, or fnmatch paths)",
    )
    p.add_argument(
        "--keep-billing-header",
        action="store_true",
        help="send Claude Code's per-request billing line to openai-dialect upstreams",
    )
    p.add_argument(
        "--forward-user",
        action="store_true",
        help="send metadata.user_id (Claude Code's device and account ids) as the upstream's user",
    )
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="HOST",
        help="a Host header value to serve besides the loopback names and --host ('*': any)",
    )
    p.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="a browser Origin to serve (default: none, requests from web pages are refused)",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes serving the port (the gateway is stateless; default 1)",
    )
    p.add_argument(
        "--log-level", default="info", choices=("critical", "error", "warning", "info", "debug")
    )
    p.epilog = (
        f"Keys come from the environment only: ${ENV['upstream_api_key']} (sent upstream) and "
        f"${ENV['client_api_key']} (asked of clients; none: any client is served)."
    )


def parse_model_map(text: str | None) -> dict[str, str]:
    """``a=b,c=d`` or a JSON object -> ``{"a": "b", "c": "d"}``."""
    if not text or not text.strip():
        return {}
    text = text.strip()
    if text.startswith("{"):
        value = json.loads(text)
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise ValueError("the model map must be a JSON object of strings")
        return value
    out = {}
    for pair in text.split(","):
        if pair.strip():
            client, sep, upstream = pair.partition("=")
            if not sep or not client.strip() or not upstream.strip():
                raise ValueError(f"model map entry {pair.strip()!r} is not client=upstream")
            out[client.strip()] = upstream.strip()
    return out


def read_config(path: str, env: Any) -> tuple[list[Route], dict[str, Any]]:
    """The routes of a TOML file, and its ``[gateway]`` table."""
    from .gateway import Route

    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: {exc}") from None
    table = data.get("gateway", {})
    routes = []
    for i, r in enumerate(data.get("route", [])):
        where = f"{path}: route {i + 1}"
        unknown = set(r) - {
            "models",
            "url",
            "dialect",
            "target",
            "key_env",
            "model",
            "max_tokens",
            "auth",
            "anthropic_version",
        }
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        dialect = _dialect(r.get("dialect"))
        if not isinstance(r.get("url"), str) or dialect is None:
            raise ValueError(
                f"{where}: url and dialect (openai, anthropic or responses) are required"
            )
        models = r.get("models", ["*"])
        if isinstance(models, str):
            models = [models]
        key_env = r.get("key_env")
        key = env.get(key_env) if key_env else None
        if key_env and not key:
            raise ValueError(f"{where}: ${key_env} is not set")
        max_tokens = r.get("max_tokens")
        if max_tokens is not None and (not isinstance(max_tokens, int) or max_tokens < 1):
            raise ValueError(f"{where}: max_tokens must be a positive integer")
        auth = r.get("auth")
        if auth not in (None, "bearer", "x-api-key"):
            raise ValueError(f"{where}: auth must be bearer or x-api-key")
        routes.append(
            Route(
                r["url"],
                dialect,
                models=tuple(models),
                target=r.get("target", "compatible"),
                api_key=key,
                model=r.get("model"),
                max_tokens=max_tokens,
                auth=auth,
                anthropic_version=r.get("anthropic_version"),
            )
        )
    if not routes:
        raise ValueError(f"{path}: no [[route]]")
    return routes, table


def build(args: argparse.Namespace, environ: Any = None) -> Gateway:
    """The Gateway the flags, the config file and the environment describe (flags win)."""
    from . import gateway as g
    from ._upstream import httpx_client, proxied

    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        return getattr(args, name, None) or env.get(ENV[name]) or None

    def opt(name: str, default: Any) -> Any:
        value = getattr(args, name, None)
        return default if value is None else value

    config = get("config")
    routes: list[Route] | None = None
    table: dict[str, Any] = {}
    if config:
        routes, table = read_config(config, env)
    url, dialect = get("upstream_url"), _dialect(get("upstream_dialect"))
    if routes is None and (not url or dialect is None):
        raise ValueError(
            f"--upstream-url (${ENV['upstream_url']}) and --upstream-dialect openai|anthropic|responses (${ENV['upstream_dialect']}) are required, or --config"
        )
    auth = get("upstream_auth")
    client_key_env = table.get("client_key_env", ENV["client_api_key"])
    hosts = list(table.get("allowed_hosts", g.DEFAULT_ALLOWED_HOSTS))
    host = getattr(args, "host", None)
    if host and host not in ("0.0.0.0", "::", ""):
        hosts.append(host)
    hosts += getattr(args, "allow_host", None) or []
    origins = list(table.get("allowed_origins", [])) + (getattr(args, "allow_origin", None) or [])
    strict: bool | list[str] = False
    strict_flag = getattr(args, "strict", None)
    if strict_flag is True or strict_flag == "all":
        strict = True
    elif strict_flag:
        strict = [s.strip() for s in str(strict_flag).split(",") if s.strip()]
    timeout = opt("timeout", g.DEFAULT_TIMEOUT)
    return g.Gateway(
        url,
        dialect,
        target=get("target") or "compatible",
        upstream_api_key=env.get(ENV["upstream_api_key"]) or None,
        routes=routes,
        client_api_key=env.get(client_key_env) or None,
        model_map=parse_model_map(get("model_map")),
        max_request_bytes=opt("max_request_bytes", g.DEFAULT_MAX_REQUEST_BYTES),
        max_pending_bytes=opt("max_pending_bytes", g.DEFAULT_MAX_PENDING_BYTES),
        max_response_bytes=opt("max_response_bytes", g.DEFAULT_MAX_RESPONSE_BYTES),
        body_timeout=opt("body_timeout", g.DEFAULT_BODY_TIMEOUT),
        timeout=timeout,
        deadline=opt("deadline", g.DEFAULT_DEADLINE),
        max_tokens=getattr(args, "max_tokens", None),
        # The gateway sends x-api-key for any word but "bearer"; flags allow only the two.
        upstream_auth=None if auth is None else "bearer" if auth == "bearer" else "x-api-key",
        strict=strict,
        allowed_hosts=hosts,
        allowed_origins=origins,
        keep_billing_header=bool(getattr(args, "keep_billing_header", False)),
        forward_user=bool(getattr(args, "forward_user", False)),
        # httpx2 when a proxy is configured (or asked for: TRANSLATE_UPSTREAM_CLIENT=httpx2)
        http_client=httpx_client(10.0, timeout)
        if proxied(env) or env.get("TRANSLATE_UPSTREAM_CLIENT") == "httpx2"
        else None,
    )


def _dialect(name: str | None) -> Dialect | None:
    dialects: dict[str | None, Dialect] = {
        "openai": "openai",
        "anthropic": "anthropic",
        "responses": "responses",
    }
    return dialects.get(name)


def app() -> Gateway:
    """The app factory each ``--workers`` process calls: the flags come in the environment."""
    import logging

    args = argparse.Namespace(**json.loads(os.environ[_ARGS_ENV]))
    logging.basicConfig(level=args.log_level.upper(), format=_WORKER_LOG_FORMAT)
    return build(args)


def _fastest(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn
    except ImportError:
        print(
            "translate: serve needs the gateway extra: pip install 'translate-llm[gateway]'",
            file=sys.stderr,
        )
        return 2
    try:
        gateway = build(args)
    except ValueError as exc:  # TranslationError (an unknown target) included
        print(f"translate: {exc}", file=sys.stderr)
        return 2
    # uvloop and httptools when installed (the gateway extra has them, but no uvloop on
    # Windows, where it does not exist): measured the fastest; else asyncio and h11.
    loop = "uvloop" if _fastest("uvloop") else "asyncio"
    http = "httptools" if _fastest("httptools") else "h11"
    print(
        f"translate: serving {' and '.join(gateway.serves)} clients on http://{args.host}:{args.port} for "
        f"{gateway!r} ({args.workers} worker{'s' if args.workers > 1 else ''}, {loop}, {http})",
        file=sys.stderr,
    )
    import logging

    logging.basicConfig(level=args.log_level.upper(), format=_LOG_FORMAT)
    common: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "log_level": args.log_level,
        "lifespan": "on",
        "loop": loop,
        "http": http,
        "access_log": False,  # the gateway logs one line per request itself, with its losses
    }
    if args.workers > 1:
        fields = {k: v for k, v in vars(args).items() if k != "run"}
        os.environ[_ARGS_ENV] = json.dumps(fields)
        uvicorn.run("translate._serve:app", factory=True, workers=args.workers, **common)
    else:
        uvicorn.run(gateway, **common)
    return 0
