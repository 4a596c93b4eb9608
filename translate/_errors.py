"""The three things a translation can report: a Loss, a TranslationError, a LossError."""

from __future__ import annotations

from typing import Literal

import msgspec

LossKind = Literal["dropped", "coerced", "approximated"]


class Loss(msgspec.Struct, frozen=True):
    """Something the target dialect could not carry exactly.

    ``path`` is the JSON path in the *input* payload (``messages[3].content[1].cache_control``),
    ``kind`` says what happened to it, ``detail`` says why in words.
    """

    path: str
    kind: LossKind
    detail: str


class TranslationError(ValueError):
    """The input is not a payload of the source dialect. ``path`` names where, ``reason`` why."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path or '$'}: {reason}")


class LossError(TranslationError):
    """Raised instead of returning when ``strict=True`` and the translation lost anything."""

    def __init__(self, losses: list[Loss]) -> None:
        self.losses = list(losses)
        first = self.losses[0].path if self.losses else ""
        lines = "; ".join(f"{loss.path}: {loss.kind} ({loss.detail})" for loss in self.losses)
        super().__init__(first, f"{len(self.losses)} loss(es): {lines}")
