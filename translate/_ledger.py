"""The loss ledger: where a translation writes down what it could not carry exactly.

A request, a response or an error is one ``Ctx``: its losses are handed over (or raised,
with ``strict``) when it is finished. A stream is long-lived, so its ledger (``OnceLedger``)
must stay O(1) whatever the upstream sends: a loss is reported once per path *pattern*
(indexes stand for any index: ``choices[0].delta.tool_calls[7]`` is
``choices[*].delta.tool_calls[*]``) and detail, with the first path as its example, and at
most ``MAX_STREAM_LOSSES`` distinct losses are kept; the one after says that further losses
were not itemised.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import msgspec

from ._decode import Unknown, can_carry, with_extra
from ._errors import Loss, LossError, LossKind
from .targets import Target

S = TypeVar("S", bound=msgspec.Struct)

MAX_STREAM_LOSSES = 256
"""Distinct losses one stream keeps; a hostile upstream cannot grow a stream's ledger."""

_INDEX = re.compile(r"\[\d+\]")


class Ctx:
    """One translation's state: its target and the losses found so far."""

    __slots__ = ("losses", "target")

    def __init__(self, target: Target) -> None:
        self.target = target
        self.losses: list[Loss] = []

    def lose(self, path: str, kind: LossKind, detail: str) -> None:
        self.losses.append(Loss(path, kind, detail))

    def drop(self, path: str, detail: str) -> None:
        self.losses.append(Loss(path, "dropped", detail))

    def approx(self, path: str, detail: str) -> None:
        self.losses.append(Loss(path, "approximated", detail))


def drop_used(
    ctx: Ctx, fields: tuple[tuple[str, object], ...], values: tuple[Any, ...], detail: str
) -> None:
    """A Loss for each field the target has no twin for that is really used: set, not null,
    and not the value that says "not used" (``1`` for ``n``, ``{}`` for ``logit_bias``...;
    each field's own: ``web_search_options: {}`` is used, it turns search on)."""
    for (field, unused), value in zip(fields, values):
        if value is not msgspec.UNSET and value is not None and value != unused:
            ctx.drop(field, detail)


class OnceLedger:
    """A stream's ledger: each (path pattern, detail) is reported once, at most
    ``MAX_STREAM_LOSSES`` of them; with ``strict`` the first loss raises. The stream holds
    ``losses``, ``strict`` and the ``_seen`` set."""

    __slots__ = ()
    losses: list[Loss]
    strict: bool
    _seen: set[tuple[str, str]]

    def _lose(self, path: str, kind: LossKind, detail: str) -> None:
        key = (_INDEX.sub("[*]", path) if "[" in path else path, detail)
        seen = self._seen
        if key in seen or len(seen) > MAX_STREAM_LOSSES:
            return
        seen.add(key)
        if len(seen) > MAX_STREAM_LOSSES:
            path, kind, detail = "", "dropped", f"over {MAX_STREAM_LOSSES} losses: not itemised"
        loss = Loss(path, kind, detail)
        if self.strict:
            raise LossError([loss])
        self.losses.append(loss)


def finish(
    ctx: Ctx,
    result: S,
    unknown: list[Unknown],
    strict: bool,
    losses: list[Loss] | None,
) -> S:
    """Carry or report unknown fields, then hand over the losses (or raise them)."""
    if unknown:
        extra: dict[str, Any] = {}
        taken = set(result.__struct_encode_fields__)
        for u in unknown:
            where = f"{u.path}.{u.key}" if u.path else u.key
            if u.path == "" and ctx.target.unknown_fields == "carry":
                if u.key in taken:
                    ctx.drop(
                        where, f"{u.detail} shares its name with a field of the target dialect"
                    )
                elif not can_carry(u.key):
                    ctx.drop(where, "unknown field whose name cannot be written as a field")
                else:
                    extra[u.key] = u.value
            else:
                ctx.drop(where, u.detail)
        result = with_extra(result, extra)
    if ctx.losses:
        if strict:
            raise LossError(ctx.losses)
        if losses is not None:
            losses.extend(ctx.losses)
    return result
