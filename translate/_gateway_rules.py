"""What a gateway in front of an openai-dialect model does for Claude Code's requests,
beside translating them: each change is a :class:`~translate.Loss` of the request.

- Claude Code's first system block is a billing line (``x-anthropic-billing-header:
  cc_version=...; cch=...;``) that changes on every request; sent to a non-Anthropic
  upstream it defeats the upstream's prefix cache for the whole prompt: dropped.
- ``max_tokens`` above what the upstream model accepts (DeepSeek and others refuse Claude
  Code's 128000): lowered to the cap.
- ``metadata.user_id`` holds device and account ids: not sent as the upstream's ``user``.
- Tool JSON Schemas: the keywords and ``pattern`` values OpenAI refuses in strict mode are
  removed, each a Loss naming the tool and the keyword.

All of it works on the translated request (a struct), never on bytes; linear in its size.
"""

from __future__ import annotations

from typing import Any

from msgspec import UNSET

from . import openai as o
from ._errors import Loss

BILLING_PREFIX = "x-anthropic-billing-header:"

# Keywords OpenAI's strict mode refuses (structured outputs: "supported schemas").
_REFUSED_KEYWORDS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "propertyNames",
        "patternProperties",
        "unevaluatedProperties",
        "unevaluatedItems",
        "dependentRequired",
        "dependentSchemas",
        "dependencies",
        "contains",
        "minContains",
        "maxContains",
        "if",
        "then",
        "else",
        "not",
        "examples",
        "contentEncoding",
        "contentMediaType",
        "minProperties",
        "maxProperties",
        "uniqueItems",
    }
)
_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}
)
# Regex features outside the Rust regex syntax OpenAI uses: lookaround, backreferences,
# possessive and atomic groups.
_REFUSED_REGEX = ("(?=", "(?!", "(?<=", "(?<!", "(?>", "\\1", "\\2", "\\k<", "*+", "++", "?+")
_SCHEMA_MAPS = ("properties", "$defs", "definitions")
_SCHEMA_LISTS = ("anyOf", "allOf", "oneOf", "prefixItems")
_SCHEMA_ONE = ("items", "additionalProperties")
_MAX_DEPTH = 64


def drop_billing_line(up: o.ChatCompletionRequest, losses: list[Loss]) -> None:
    """Claude Code's per-request billing line, out of the system message."""
    if not up.messages:
        return
    first = up.messages[0]
    if not isinstance(first, (o.SystemMessage, o.DeveloperMessage)):
        return
    content = first.content
    if isinstance(content, str):
        if content.startswith(BILLING_PREFIX):
            _, _, rest = content.partition("\n")
            first.content = rest.lstrip("\n")
            losses.append(_billing_loss("system"))
        return
    for j, part in enumerate(content):
        if isinstance(part, o.TextPart) and part.text.startswith(BILLING_PREFIX):
            del content[j]
            losses.append(_billing_loss(f"system[{j}]"))
            if not content:
                del up.messages[0]
            return


def _billing_loss(path: str) -> Loss:
    return Loss(
        path,
        "dropped",
        "Claude Code's per-request billing line: it changes on every request and would defeat "
        "the upstream's prefix cache (keep it with --keep-billing-header)",
    )


def cap_max_tokens(up: Any, cap: int, losses: list[Loss]) -> None:
    """``max_tokens`` (and ``max_completion_tokens``) at most ``cap``."""
    for field in ("max_completion_tokens", "max_tokens", "max_output_tokens"):
        value = getattr(up, field, UNSET)
        if isinstance(value, int) and value > cap:
            setattr(up, field, cap)
            losses.append(
                Loss(
                    "max_tokens",
                    "coerced",
                    f"{value} is more than the upstream model takes: {cap} sent",
                )
            )


def drop_user(up: Any, losses: list[Loss]) -> None:
    """A Chat (or Responses) request's ``user``: not forwarded."""
    if getattr(up, "user", UNSET) not in (UNSET, None):
        up.user = UNSET
        losses.append(
            Loss(
                "metadata.user_id",
                "dropped",
                "holds the client's device and account ids: not forwarded as the upstream's user "
                "(send it with --forward-user)",
            )
        )


def clean_tool_schemas(up: o.ChatCompletionRequest, losses: list[Loss]) -> None:
    """Remove what OpenAI's strict mode refuses from every tool's parameters."""
    if up.tools in (UNSET, None):
        return
    for i, tool in enumerate(up.tools):
        fn = getattr(tool, "function", None)
        params = getattr(fn, "parameters", UNSET)
        if isinstance(params, dict):
            fn.parameters = _clean(params, f"tools[{i}].input_schema", losses, 0)  # type: ignore[union-attr]


def _clean(schema: dict[str, Any], path: str, losses: list[Loss], depth: int) -> dict[str, Any]:
    if depth > _MAX_DEPTH:
        return schema
    out: dict[str, Any] = {}
    for key, given in schema.items():
        value = given
        where = f"{path}.{key}"
        if key in _REFUSED_KEYWORDS:
            losses.append(
                Loss(where, "dropped", "a JSON Schema keyword OpenAI refuses in strict mode")
            )
            continue
        if key == "format" and isinstance(value, str) and value not in _FORMATS:
            losses.append(Loss(where, "dropped", f"format {value!r} is refused by OpenAI"))
            continue
        if key == "pattern" and isinstance(value, str) and any(t in value for t in _REFUSED_REGEX):
            losses.append(
                Loss(where, "dropped", "a regex feature OpenAI refuses (lookaround, backreference)")
            )
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            value = {
                k: _clean(v, f"{where}.{k}", losses, depth + 1) if isinstance(v, dict) else v
                for k, v in value.items()
            }
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            value = [
                _clean(v, f"{where}[{j}]", losses, depth + 1) if isinstance(v, dict) else v
                for j, v in enumerate(value)
            ]
        elif key in _SCHEMA_ONE and isinstance(value, dict):
            value = _clean(value, where, losses, depth + 1)
        out[key] = value
    return out
