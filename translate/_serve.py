"""``translate serve``: the gateway (``translate.gateway``) on uvicorn.

Kept apart from ``cli.py`` so that ``translate convert`` never imports the gateway's
optional dependencies (the ``gateway`` extra: uvicorn and httpx2).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING

from .targets import Dialect

if TYPE_CHECKING:  # the gateway's dependencies are imported when it is built
    from .gateway import Gateway

ENV = {
    "upstream_url": "TRANSLATE_UPSTREAM_URL",
    "upstream_dialect": "TRANSLATE_UPSTREAM_DIALECT",
    "target": "TRANSLATE_TARGET",
    "upstream_api_key": "TRANSLATE_UPSTREAM_API_KEY",
    "client_api_key": "TRANSLATE_API_KEY",
    "model_map": "TRANSLATE_MODEL_MAP",
    "upstream_auth": "TRANSLATE_UPSTREAM_AUTH",
}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--upstream-url",
        help=f"the upstream's base URL, as its SDK takes it (${ENV['upstream_url']})",
    )
    p.add_argument(
        "--upstream-dialect",
        choices=("openai", "anthropic"),
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
        "--max-request-bytes",
        type=int,
        default=None,
        help="larger requests get 413 (default 32 MiB)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        help="seconds the upstream may stay silent (default 600)",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="refuse (400) requests whose translation would lose anything",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
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


def build(args: argparse.Namespace, environ: dict[str, str] | None = None) -> Gateway:
    """The Gateway the flags and environment describe (flags win)."""
    from .gateway import DEFAULT_MAX_REQUEST_BYTES, Gateway

    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        return getattr(args, name, None) or env.get(ENV[name]) or None

    url, dialect = get("upstream_url"), _dialect(get("upstream_dialect"))
    if not url or dialect is None:
        raise ValueError(
            f"--upstream-url (${ENV['upstream_url']}) and --upstream-dialect openai|anthropic (${ENV['upstream_dialect']}) are required"
        )
    auth = get("upstream_auth")
    return Gateway(
        url,
        dialect,
        target=get("target") or "compatible",
        upstream_api_key=env.get(ENV["upstream_api_key"]) or None,
        client_api_key=env.get(ENV["client_api_key"]) or None,
        model_map=parse_model_map(get("model_map")),
        max_request_bytes=args.max_request_bytes or DEFAULT_MAX_REQUEST_BYTES,
        timeout=args.timeout,
        # The gateway sends x-api-key for any word but "bearer"; flags allow only the two.
        upstream_auth=None if auth is None else "bearer" if auth == "bearer" else "x-api-key",
        strict=args.strict,
    )


def _dialect(name: str | None) -> Dialect | None:
    return "openai" if name == "openai" else "anthropic" if name == "anthropic" else None


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn
    except ImportError:
        print(
            "translate: serve needs the gateway extra: pip install 'translate[gateway]'",
            file=sys.stderr,
        )
        return 2
    try:
        app = build(args)
    except ValueError as exc:  # TranslationError (an unknown target) included
        print(f"translate: {exc}", file=sys.stderr)
        return 2
    print(
        f"translate: serving {app.served} clients on http://{args.host}:{args.port} for {app!r}",
        file=sys.stderr,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, lifespan="on")
    return 0
