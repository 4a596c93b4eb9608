"""Rows of a dataset, for engines that map a function over batches of columns.

``map_batch(batch, **options)`` takes a batch as Hugging Face ``datasets``
(``Dataset.map(map_batch, batched=True, fn_kwargs=...)``) and Ray Data
(``ds.map_batches(map_batch, fn_kwargs=...)``) hand it over, ``{column: [values]}``, and
returns ``{"translated": [...], "error": [...], "losses": [...]}``: builtins only, one entry
per row, in order. It is a top-level function over its arguments alone (no global state),
so it pickles by reference into every worker process.

A row is the value of ``column`` when given (a JSON string, bytes or a dict: a whole
request, response, conversation row or batch line), else the row's columns as one object
(``{"request": ..., "response": ...}`` for a conversation, ``{"custom_id", "params"}`` for a
batch line; ``None`` values, which columnar formats put where a row had no such key, are left
out). ``translated`` holds the output as a JSON string (the shape every columnar format
stores, whatever the messages hold), ``None`` for a bad row; ``error`` the TranslationError's
message or ``None``; ``losses`` the row's losses as ``"path: kind: detail"`` strings.
"""

from __future__ import annotations

from typing import Any

import msgspec

from ._engine import LINE_KINDS, Options, convert_row
from ._errors import Loss, LossError, TranslationError

__all__ = ["map_batch"]

_ENCODE = msgspec.json.Encoder()


def _raw(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        return str(value).encode()  # numpy.str_ and other str subclasses too
    if hasattr(value, "tolist"):  # a numpy array or scalar from a columnar batch
        value = value.tolist()
    return _ENCODE.encode(_plain(value))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):
        return _plain(value.tolist())
    if isinstance(value, str):
        return str(value)
    return value


def map_batch(
    batch: dict[str, Any],
    *,
    kind: str | None = None,
    column: str | None = None,
    to: str | None = None,
    source: str | None = None,
    target: str = "compatible",
    strict: bool = False,
) -> dict[str, list[Any]]:
    """Translate every row of one batch; see the module's docstring for the columns.

    ``kind``: request, response, stream, error, conversation or batch (default: detected
    per row, as ``translate convert`` does for JSON Lines). ``to``, ``source``, ``target``,
    ``strict`` as in the command. A lossy row under ``strict`` is an error row.
    """
    if kind is not None and kind not in LINE_KINDS:
        raise ValueError(f"kind must be one of {', '.join(LINE_KINDS)}, not {kind!r}")
    options = Options(kind=kind, source=source, to=to, target=target, strict=strict)
    if column is not None:
        rows = list(batch[column])
    else:
        names = list(batch)
        n = len(batch[names[0]]) if names else 0
        rows = [{name: batch[name][i] for name in names} for i in range(n)]
    translated: list[str | None] = []
    errors: list[str | None] = []
    losses: list[list[str]] = []
    for row in rows:
        found: list[Loss] = []
        try:
            line, _ = convert_row(_raw(row), options, found)
        except LossError as err:
            found = err.losses
            translated.append(None)
            errors.append(str(err))
        except TranslationError as err:
            translated.append(None)
            errors.append(str(err))
        else:
            translated.append(line.decode())
            errors.append(None)
        losses.append([f"{x.path}: {x.kind}: {x.detail}" for x in found])
    return {"translated": translated, "error": errors, "losses": losses}
