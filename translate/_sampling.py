"""Sampling parameters as a target takes them: one refinement for every request converter.

``temperature`` is clamped to the target's range (a Loss when it moves) or dropped where the
target takes none; ``top_p`` and ``top_k`` pass where the target accepts them and are
dropped, with a Loss, where it does not. ``None`` and absent mean "not set" alike.
"""

from __future__ import annotations

from msgspec import UNSET, UnsetType

from ._ledger import Ctx


def temperature(ctx: Ctx, value: float | UnsetType | None) -> float | UnsetType:
    t = ctx.target
    if value is UNSET or value is None:
        return UNSET
    if t.temperature is None:
        ctx.drop("temperature", f"target {t.name} does not accept temperature")
        return UNSET
    low, high = t.temperature
    clamped = min(max(value, low), high)
    if clamped != value:
        ctx.lose("temperature", "coerced", f"clamped to the target's range [{low}, {high}]")
    return clamped


def top_p(ctx: Ctx, value: float | UnsetType | None) -> float | UnsetType:
    if value is UNSET or value is None:
        return UNSET
    if not ctx.target.top_p:
        ctx.drop("top_p", f"target {ctx.target.name} does not accept top_p")
        return UNSET
    return value


def top_k(ctx: Ctx, value: int | UnsetType | None, accepted: bool) -> int | UnsetType:
    """``accepted``: the target takes ``top_k`` in this dialect (an openai target may take
    it only as an extension)."""
    if value is UNSET or value is None:
        return UNSET
    if not accepted:
        ctx.drop("top_k", f"target {ctx.target.name} does not accept top_k")
        return UNSET
    return value
