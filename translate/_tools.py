r"""Tools both directions share: arguments as a string or an object, and names that fit.

openai ``function.arguments`` is a string the model wrote; anthropic ``tool_use.input`` is
an object. Blank arguments are none. Arguments that are JSON but not an object, or not
JSON at all (a model's broken output), are a Loss and travel as
``{"_raw_arguments": "<the string>"}``, which comes back as the same string; a lone
``_raw_arguments`` whose string is itself a JSON object is a real parameter, since parsing
would have produced that object instead. A JSON string holding a JSON object (a model that
double-encoded its arguments, ``"{\"a\": 1}"``) is decoded once, with a Loss.

A stream cannot parse arguments it passes on piece by piece, so ``Arguments`` decides from
the first character that is not blank, holding nothing it does not have to:

- ``{``: an object; every piece is passed on as it comes.
- ``"``: maybe a double-encoded object; the pieces are held until the call ends (at most
  ``MAX_HELD_ARGUMENTS`` characters: beyond, they are said as ``_raw_arguments`` without
  the check, a Loss), then said as the object or as ``_raw_arguments``.
- anything else (``[``, a number, broken output): not an object; passed on as it comes,
  inside ``{"_raw_arguments": "`` ... ``"}``.

Arguments that start with ``{`` but are not one whole object are passed on as they are
(the client's partial-JSON reader takes what it can); the response says them as
``_raw_arguments``. That is the one shape where a stream and a response differ.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import msgspec

from ._errors import LossKind, TranslationError
from ._ledger import Ctx

_arguments_object = msgspec.json.Decoder(dict[str, Any])
_arguments_any = msgspec.json.Decoder()
_arguments_encoder = msgspec.json.Encoder()


NOT_AN_OBJECT = "not a JSON object: kept as _raw_arguments"
DOUBLE_ENCODED = "a JSON object encoded twice: decoded once"
LONE_RAW = "a lone _raw_arguments parameter reads back as raw arguments"
MAX_HELD_ARGUMENTS = 65_536
"""Characters of string-shaped arguments a stream holds to check for double encoding."""


class Approximates(Protocol):
    """Where ``parse_arguments`` writes its losses: a ``Ctx``, or a stream's adapter."""

    def approx(self, path: str, detail: str) -> None: ...


def parse_arguments(text: str, ctx: Ctx | Approximates, path: str) -> dict[str, Any]:
    """``function.arguments`` -> ``tool_use.input``."""
    if not text.strip():
        return {}
    try:
        value = _arguments_any.decode(text)
    except (msgspec.DecodeError, RecursionError):
        value = None
    if isinstance(value, str):
        inner = _object(value)
        if inner is not None:
            ctx.approx(path, DOUBLE_ENCODED)
            value = inner
    if not isinstance(value, dict):
        ctx.approx(path, NOT_AN_OBJECT)
        return {"_raw_arguments": text}
    if len(value) == 1 and _raw(value) is not None:
        ctx.approx(path, LONE_RAW)
    return value


def _object(text: str) -> dict[str, Any] | None:
    try:
        return _arguments_object.decode(text)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return None


def _escape(text: str) -> str:
    """``text`` as the inside of a JSON string (pieces escaped apart join to the whole)."""
    return _arguments_encoder.encode(text)[1:-1].decode()


_BLANK, _OBJECT, _STRING, _OTHER = 0, 1, 2, 3


class Arguments:
    """One streamed call's arguments, shaped as ``parse_arguments`` shapes them whole:
    ``feed(piece)`` returns the ``partial_json`` to send now (maybe ``""``), ``end()`` the
    last of it. ``lose`` is the stream's ledger, ``path`` the call's arguments."""

    __slots__ = ("held", "lose", "path", "shape", "size")

    def __init__(self, lose: Callable[[str, LossKind, str], None], path: str) -> None:
        self.shape = _BLANK
        self.held: list[str] = []  # leading blanks, or a string's pieces
        self.size = 0
        self.lose = lose
        self.path = path

    def feed(self, piece: str) -> str:
        shape = self.shape
        if shape == _OBJECT:
            return piece
        if shape == _OTHER:
            return _escape(piece)
        if shape == _BLANK:
            first = piece.lstrip()
            if not first:
                if self.size < MAX_HELD_ARGUMENTS:
                    self._hold(piece)
                return ""
            head = "".join(self.held)
            self.held = []
            self.size = 0
            if first[0] == "{":
                self.shape = _OBJECT
                return head + piece
            if first[0] != '"':
                self.shape = _OTHER
                self.lose(self.path, "approximated", NOT_AN_OBJECT)
                return '{"_raw_arguments":"' + _escape(head + piece)
            self.shape = _STRING
            piece = head + piece
        self._hold(piece)
        if self.size <= MAX_HELD_ARGUMENTS:
            return ""
        self.shape = _OTHER
        held = "".join(self.held)
        self.held = []
        self.lose(
            self.path,
            "approximated",
            f"over {MAX_HELD_ARGUMENTS} characters of a JSON string: kept as _raw_arguments"
            " without checking for a double-encoded object",
        )
        return '{"_raw_arguments":"' + _escape(held)

    def _hold(self, piece: str) -> None:
        held = self.held
        held.append(piece)
        if len(held) > 32:  # joined now and then, so the count of pieces stays small
            self.held = ["".join(held)]
        self.size += len(piece)

    def end(self) -> str:
        """The call is over: what is still to be said of its arguments."""
        shape = self.shape
        if shape == _OTHER:
            return '"}'
        if shape != _STRING:
            return ""  # an object, said already; or blank: no input, ``{}``
        text = "".join(self.held)
        self.held = []
        try:
            value = _arguments_any.decode(text)
        except (msgspec.DecodeError, RecursionError):
            value = None
        inner = _object(value) if isinstance(value, str) else None
        if inner is not None:
            self.lose(self.path, "approximated", DOUBLE_ENCODED)
            if len(inner) == 1 and _raw(inner) is not None:
                self.lose(self.path, "approximated", LONE_RAW)
            return _arguments_encoder.encode(inner).decode()
        self.lose(self.path, "approximated", NOT_AN_OBJECT)
        return '{"_raw_arguments":"' + _escape(text) + '"}'


def dump_arguments(value: dict[str, Any]) -> str:
    """``tool_use.input`` -> ``function.arguments``."""
    raw = _raw(value) if len(value) == 1 else None
    return raw if raw is not None else _arguments_encoder.encode(value).decode()


def _raw(value: dict[str, Any]) -> str | None:
    raw = value.get("_raw_arguments")
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        _arguments_object.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return raw
    return None


_NAME_OK = re.compile(r"[a-zA-Z0-9_-]+")
_NAME_BAD = re.compile(r"[^a-zA-Z0-9_-]")


def fits_alphabet(name: str) -> bool:
    """Is ``name`` in both dialects' tool-name alphabet, ``[a-zA-Z0-9_-]``?"""
    return _NAME_OK.fullmatch(name) is not None


def short_name(name: str, limit: int) -> str:
    """A tool name that both dialects accept (``^[a-zA-Z0-9_-]{1,limit}$``) standing for
    ``name``, the same every time: ``name`` itself when it fits.

    A name too long, or with characters outside the alphabet (``get.weather``, a vLLM or
    Ollama client's name), becomes its readable prefix, with those characters as ``_``,
    then ``_`` and a digest of the whole name that keeps it unique. The original is
    recovered from the client's request (``request=``, ``restore_names``), never from a
    table kept in memory.
    """
    if not name or (len(name) <= limit and _NAME_OK.fullmatch(name)):
        return name  # fits; or empty, which names nothing (the caller's to refuse)
    digest = hashlib.blake2b(name.encode(errors="surrogatepass"), digest_size=5).hexdigest()
    return f"{_NAME_BAD.sub('_', name[: limit - len(digest) - 1])}_{digest}"


_FITTING: dict[int, set[str]] = {}
FITTING_MAX = 8192


def fitting(limit: int) -> set[str]:
    """The names seen to fit ``limit`` and the alphabet: a request's names are mostly the
    same as the last request's (a client sends its tools every time), so a membership test
    decides them. Bounded: emptied when it holds ``FITTING_MAX`` names."""
    known = _FITTING.get(limit)
    if known is None or len(known) >= FITTING_MAX:
        known = _FITTING[limit] = set()
    return known


class Names:
    """One request's tool names as its target takes them: ``name(name, where, field,
    index)`` gives the name to send (a bound method: called as fast as a function). A name seen to fit is one set lookup; another is
    worked out once a request (``short_name``): over the limit or outside the alphabet, it
    is rewritten the same way wherever it appears, with one ``approximated`` Loss at the
    tool's definition if there is one (``definitions``: name -> its path, asked for only
    then), else where it is first met; empty, it names nothing: a ``TranslationError``.
    Responses and streams restore rewritten names from ``request=`` (``restore_names``)."""

    __slots__ = ("ctx", "defined", "definitions", "fits", "limit", "sent")

    def __init__(self, ctx: Ctx, limit: int, definitions: Callable[[], dict[str, str]]) -> None:
        self.ctx = ctx
        self.limit = limit
        self.definitions = definitions
        self.defined: dict[str, str] | None = None
        self.fits = fitting(limit)
        self.sent: dict[str, str] = {}

    def name(self, name: str, where: str, field: str, index: int = -1) -> str:
        if name in self.fits:
            return name  # the common case: a name seen to fit, decided in ~30 ns
        sent = self.sent.get(name)
        if sent is None:  # the first time this request names it
            sent = self.sent[name] = self.fit(name, where, field, index)
        return sent

    def fit(self, name: str, where: str, field: str, index: int) -> str:
        sent = short_name(name, self.limit)
        if sent == name and name:
            self.fits.add(name)
            return sent
        path = f"{where}[{index}].{field}" if index >= 0 else f"{where}.{field}"
        if not name:
            raise TranslationError(path, "a tool name cannot be empty")
        if self.defined is None:
            self.defined = self.definitions()
        path = self.defined.get(name, path)
        self.ctx.approx(path, f"renamed {sent!r} everywhere (restored with request=)")
        return sent


def tool_names(names: Iterable[str], limit: int) -> dict[str, str]:
    """``{original: as sent}`` for the names that had to be shortened."""
    return {n: s for n in names if (s := short_name(n, limit)) != n}


def restore_names(names: Iterable[str]) -> dict[str, str]:
    """``{as sent: original}`` for a client's tool names, whichever dialect's limit the
    request translation fitted them to (64 for openai targets, 128 for anthropic ones):
    the digest makes the two spellings of one name, and any two names, distinct."""
    out: dict[str, str] = {}
    for name in names:
        for limit in NAME_LIMITS:
            sent = short_name(name, limit)
            if sent != name:
                out[sent] = name
    return out


NAME_LIMITS = (64, 128)
"""The tool-name limits of the targets: openai's and anthropic's."""


OMITTED = "(omitted: content this model cannot read)"
"""Stands for a turn whose every block was dropped (each a Loss): targets reject empty content."""


# --- tool-call ids ----------------------------------------------------------------------

ID_PREFIX = "esc-"
"""Marks a tool-call id rewritten into anthropic's alphabet (``^[a-zA-Z0-9_-]+$``)."""
_ID_OK = re.compile(r"[a-zA-Z0-9_-]+")
_ID_ESCAPE = re.compile(r"-([0-9a-f]{1,6})-")


def anthropic_id(id: str) -> str:
    """A tool-call id in anthropic's alphabet, standing for ``id`` (``openai_id`` undoes it).

    Ids already in the alphabet are kept; others (Kimi's ``functions.Bash:0``, a Gemini
    gateway's ``call_x__thought__CiIB+/a==``) become ``esc-`` followed by the id with every
    character outside ``[a-zA-Z0-9_]`` written as ``-<hex code point>-``:
    ``esc-functions-2e-Bash-3a-0``. An id that starts with ``esc-`` is escaped too, so
    that every id decodes back to itself.
    """
    if _ID_OK.fullmatch(id) and not id.startswith(ID_PREFIX):
        return id
    return ID_PREFIX + "".join(
        c if (c.isascii() and c.isalnum()) or c == "_" else f"-{ord(c):x}-" for c in id
    )


def id_returns(id: str) -> bool:
    """Does an anthropic tool-call id come back as itself through ``openai_id`` and
    ``anthropic_id``? Not if it is outside the alphabet (bad input, read tolerantly)."""
    if _ID_OK.fullmatch(id) and not id.startswith(ID_PREFIX):
        return True
    return anthropic_id(openai_id(id)) == id


def openai_id(id: str) -> str:
    """The tool-call id that ``anthropic_id`` rewrote into ``id``; any other id as it is."""
    if not id.startswith(ID_PREFIX):
        return id
    try:
        original = _ID_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), id[len(ID_PREFIX) :])
    except (ValueError, OverflowError):
        return id
    return original if anthropic_id(original) == id else id
