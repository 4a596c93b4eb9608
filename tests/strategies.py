"""Hypothesis strategies for any msgspec type, read off ``msgspec.inspect.type_info``.

``from_type(tp)`` generates values of ``tp`` that reach every field of every struct
below it. A required field is always generated; an optional field (default ``UNSET`` or
any other default) is either left at its default or generated, so both absence and every
present shape occur. ``UNSET`` is never generated as a value: ``msgspec.inspect`` drops
``UnsetType`` from unions, and absence is expressed by leaving the default. A tagged
struct gets its tag from msgspec, as every instance of the class does.

Unions are not picked uniformly. Half of each pick is uniform; the other half is
weighted, for the root type at hand, towards the members below which lie the fields a
uniform pick would rarely reach (a ``ToolReferenceBlock`` is only reachable inside a
``ToolResultBlock``'s content, one block type in sixteen). The weights come from a small
model of how often each field is set per value, balanced so that the rarest field is as
common as it can be; see ``_Plan``. Every member still gets at least half its uniform
share, so plain values (``content: "hi"``, ``null``) stay common.

Recursion is bounded by ``max_depth``, counted in structs from the root (the root struct
is depth 0). A struct at depth ``max_depth`` or deeper gets its required fields only; a
union there picks among its least recursive members (those needing the fewest nested
structs, plain values first); lists and dicts there are empty. Generation therefore
always terminates, cycles between structs included.

``overrides`` maps a struct class to a strategy for the whole struct (wherever it
appears), or a ``(struct class, field name)`` pair to a strategy for that field's value.
A field override replaces the value only: an optional field is still sometimes left at
its default. Override the class to control presence as well.

``field_coverage(tp)`` lists every reachable field as ``"Class.field"``;
``fields_set(value)`` lists those a value holds at a non-default value;
``constant_fields(tp)`` lists those that cannot hold a non-default value at all (a
single-value ``Literal`` defaulting to that value, such as ``CacheControl.type``).
``FRESH_BACKEND`` makes every example of a run an independent draw, for such counts.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Hashable, Iterator, Mapping
from typing import Any

import msgspec
import msgspec.inspect as mi
from hypothesis import strategies as st
from hypothesis.internal.conjecture.providers import AVAILABLE_PROVIDERS, HypothesisProvider
from hypothesis.strategies import SearchStrategy

__all__ = [
    "FRESH_BACKEND",
    "constant_fields",
    "field_coverage",
    "fields_set",
    "from_type",
    "json_objects",
    "json_values",
    "text",
]

INT_RANGE = (0, 10**6)
"""Range of an ``int`` with no bounds of its own."""
FLOAT_RANGE = (-1e6, 1e6)
"""Range of a ``float`` with no bounds of its own; never NaN or infinite."""
TEXT_MAX = 20
"""Longest generated ``str`` unless the type demands more."""
JSON_MAX_DEPTH = 2
"""Deepest nesting of lists and objects inside an ``Any`` or ``dict[str, Any]`` value."""
OPTIONAL_ODDS = (1, 2)
"""An optional field is left at its default against generated: 1 to 2."""
UNION_EVEN = 0.5
"""The part of each union pick made uniformly; the rest follows the coverage weights."""

_WEIGHT_UNITS = 240  # a union's weights add up to about this much, and at most 256

Override = type | tuple[type, str]
_PRESENT = st.sampled_from([False] * OPTIONAL_ODDS[0] + [True] * OPTIONAL_ODDS[1])

# Hypothesis's engine spends most of a run on variations of earlier examples: it starts
# from near-minimal cases and copies parts of a case over other parts. Good for finding
# bugs, but then 300 examples hold only about 50 independent draws, too few to count on
# reaching every field. Registered under another name, its own generator runs without
# that machinery: every example is an independent draw, seeded as usual (``derandomize``
# works). For coverage counts: ``@settings(backend=FRESH_BACKEND)``.
FRESH_BACKEND = "fresh-draws"
AVAILABLE_PROVIDERS.setdefault(FRESH_BACKEND, HypothesisProvider)

# --- leaves ----------------------------------------------------------------------------

# Mostly printable ASCII (hypothesis draws four characters in five from the first 256
# code points), the rest from all of Unicode (accents, CJK, emoji, format characters,
# unassigned code points...). Never a lone surrogate, which UTF-8 cannot encode, nor a
# control character but tab and newline.
# A single ``characters`` alphabet lets hypothesis draw each string as one choice.
_ALPHABET = st.characters(exclude_categories=("Cs", "Cc"), include_characters="\t\n")


@functools.cache
def text(min_size: int = 0, max_size: int = TEXT_MAX) -> SearchStrategy[str]:
    """Short strings: mostly printable ASCII, some other Unicode (see ``_ALPHABET``)."""
    return st.text(_ALPHABET, min_size=min_size, max_size=max_size)


def _floats(lo: float = FLOAT_RANGE[0], hi: float = FLOAT_RANGE[1]) -> SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@functools.cache
def json_values(max_depth: int = JSON_MAX_DEPTH, max_list: int = 3) -> SearchStrategy[Any]:
    """JSON-safe values (``None``, bools, ints, finite floats, text, lists, objects) whose
    lists and objects nest at most ``max_depth`` deep; they decode back equal."""
    leaf = st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**6), _floats(), text())
    value = leaf
    for _ in range(max(0, max_depth)):
        value = st.one_of(
            leaf,
            st.lists(value, max_size=max_list),
            st.dictionaries(text(), value, max_size=max_list),
        )
    return value


@functools.cache
def json_objects(
    max_depth: int = JSON_MAX_DEPTH, max_list: int = 3, min_size: int = 0
) -> SearchStrategy[dict[str, Any]]:
    """Small JSON objects (``dict[str, Any]``) nesting at most ``max_depth`` deep, the
    object itself included."""
    values = json_values(max(0, max_depth - 1), max_list)
    return st.dictionaries(text(), values, min_size=min_size, max_size=max(min_size, max_list))


def _weighted(choices: list[tuple[SearchStrategy, int]]) -> SearchStrategy:
    """``one_of`` with integer weights, shrinking towards the first choice. (``one_of``
    drops a repeated strategy, so repeating one would not weigh it.)"""
    if len({w for _, w in choices}) == 1:
        return st.one_of([s for s, _ in choices])
    assert sum(w for _, w in choices) <= 256, "hypothesis draws larger ranges unevenly"
    pick = st.sampled_from([s for s, w in choices for _ in range(w)])

    @st.composite
    def weighted(draw: Any) -> Any:
        return draw(draw(pick))

    return weighted()


# --- type information ------------------------------------------------------------------


@functools.cache
def _info(tp: Any) -> mi.Type:
    return mi.type_info(tp)


def _type_info(tp: Any) -> mi.Type:
    try:
        return _info(tp)
    except TypeError:  # an unhashable annotation: not cached
        return mi.type_info(tp)


@functools.cache
def _struct_info(cls: type) -> mi.StructType:
    info = _info(cls)
    assert isinstance(info, mi.StructType)
    return info


@functools.cache
def _defaults(cls: type) -> dict[str, msgspec.structs.FieldInfo]:
    """The real defaults (``type_info`` shows an ``UNSET`` default as ``NODEFAULT``)."""
    return {f.name: f for f in msgspec.structs.fields(cls)}


_SEQUENCES = (mi.ListType, mi.VarTupleType, mi.SetType, mi.FrozenSetType)


def _children(t: mi.Type) -> Iterator[mi.Type]:
    """The types directly inside ``t`` (a struct's field types, a list's item type...)."""
    if isinstance(t, mi.StructType):
        for f in _struct_info(t.cls).fields:
            yield f.type
    elif isinstance(t, mi.UnionType):
        yield from t.types
    elif isinstance(t, _SEQUENCES):
        yield t.item_type
    elif isinstance(t, mi.TupleType):
        yield from t.item_types
    elif isinstance(t, mi.DictType):
        yield t.key_type
        yield t.value_type


def _key(t: mi.Type) -> Hashable:
    """A hashable stand-in for a type (``msgspec.inspect`` types are not hashable)."""
    if isinstance(t, mi.StructType):
        return t.cls
    if any(True for _ in _children(t)):
        bounds = (getattr(t, "min_length", None), getattr(t, "max_length", None))
        return (type(t).__name__, bounds, tuple(_key(c) for c in _children(t)))
    return repr(t)


def _structs_below(t: mi.Type) -> list[type]:
    """Every struct class reachable from ``t``, ``t`` included, in first-seen order."""
    seen: dict[type, None] = {}
    stack = [t]
    while stack:
        t = stack.pop()
        if isinstance(t, mi.StructType):
            if t.cls in seen:
                continue
            seen[t.cls] = None
        stack.extend(reversed(list(_children(t))))
    return list(seen)


def _min_length(t: mi.Type) -> int:
    return getattr(t, "min_length", None) or 0


def _height(t: mi.Type, heights: Mapping[type, float]) -> float:
    """How many nested structs a smallest value of ``t`` needs (``inf``: none is finite)."""
    if isinstance(t, mi.StructType):
        return heights.get(t.cls, math.inf)
    if isinstance(t, mi.UnionType):
        return min(_height(m, heights) for m in t.types)
    if isinstance(t, (*_SEQUENCES, mi.DictType)) and _min_length(t) == 0:
        return 0
    return max((_height(c, heights) for c in _children(t)), default=0)


def _struct_heights(t: mi.Type) -> dict[type, float]:
    """Fixpoint of ``height(S) = 1 + max(height of S's required fields)``."""
    classes = _structs_below(t)
    heights: dict[type, float] = {}
    changed = True
    while changed:
        changed = False
        for cls in classes:
            required = [f.type for f in _struct_info(cls).fields if f.required]
            h = 1 + max((_height(r, heights) for r in required), default=0)
            if h < heights.get(cls, math.inf):
                heights[cls] = h
                changed = True
    return heights


def _is_plain(t: mi.Type) -> bool:
    return not isinstance(t, mi.StructType) and not any(True for _ in _children(t))


def _name(cls: type, field: str) -> str:
    return f"{cls.__name__}.{field}"


def _sizes(t: mi.Type, cap: int, limited: bool) -> tuple[int, int]:
    """The smallest and largest size to generate for a collection type."""
    lo = _min_length(t)
    hi = getattr(t, "max_length", None)
    hi = cap if hi is None else min(hi, cap)
    if limited:
        hi = lo
    return lo, max(lo, hi)


def _average_size(lo: int, hi: int) -> float:
    """Hypothesis's average size of a collection of ``lo`` to ``hi`` elements."""
    return min(max(lo * 2, lo + 5), (lo + hi) / 2)


# --- coverage weights ------------------------------------------------------------------


class _Plan:
    """Union weights for one root type, so that every field below it is set often.

    A value of type ``t`` sets field ``f`` ``E[t][f]`` times on average: a struct sets
    each of its fields with probability 1 (required) or that of ``OPTIONAL_ODDS``, and
    a set field adds its type's counts; a union mixes its members' counts by their
    shares; a collection multiplies its item's counts by its average size. Starting from
    even shares, each round scores every union member by the counts it brings, a field
    weighing ``E[root][f] ** -4`` (the rarest fields all but decide), and moves the
    shares halfway to those scores, ``UNION_EVEN`` of every pick staying uniform. Twelve
    rounds settle it. The depth limit is ignored; at the default it rarely bites.
    """

    ROUNDS = 12

    def __init__(self, root: mi.Type, overridden: frozenset, max_list: int) -> None:
        self.overridden = overridden
        self.max_list = max_list
        self.members: dict[Hashable, list[mi.Type]] = {}
        self.shares: dict[Hashable, list[float]] = {}
        self.expected(root, {})  # finds the unions
        constant = {
            _name(cls, f) for cls in _structs_below(root) for f in _constant_field_names(cls)
        }
        for _ in range(self.ROUNDS):
            memo: dict[Hashable, dict[str, float]] = {}
            counts = self.expected(root, memo)
            need = {f: max(e, 1e-9) ** -4 for f, e in counts.items() if f not in constant}
            for key, members in self.members.items():
                n = len(members)
                scores = [
                    sum(need.get(f, 0) * e for f, e in memo.get(_key(m), {}).items())
                    for m in members
                ]
                total = sum(scores)
                old = self.shares.get(key, [1 / n] * n)
                if total == 0:
                    continue
                target = [(1 - UNION_EVEN) * s / total + UNION_EVEN / n for s in scores]
                self.shares[key] = [(a + b) / 2 for a, b in zip(old, target)]

    def expected(self, t: mi.Type, memo: dict[Hashable, dict[str, float]]) -> dict[str, float]:
        key = _key(t)
        if key in memo:
            return memo[key]
        memo[key] = {}  # a cycle back here counts nothing more
        out: dict[str, float] = defaultdict(float)
        if isinstance(t, mi.StructType):
            if t.cls not in self.overridden:
                p = OPTIONAL_ODDS[1] / sum(OPTIONAL_ODDS)
                for f in _struct_info(t.cls).fields:
                    q = 1.0 if f.required else p
                    out[_name(t.cls, f.name)] += q
                    if (t.cls, f.name) not in self.overridden:
                        for g, e in self.expected(f.type, memo).items():
                            out[g] += q * e
        elif isinstance(t, mi.UnionType):
            members = list(t.types)
            self.members[key] = members
            shares = self.shares.get(key, [1 / len(members)] * len(members))
            for m, share in zip(members, shares):
                for g, e in self.expected(m, memo).items():
                    out[g] += share * e
        else:
            size = 1.0
            if isinstance(t, (*_SEQUENCES, mi.DictType)):
                size = _average_size(*_sizes(t, self.max_list, limited=False))
            for c in _children(t):
                for g, e in self.expected(c, memo).items():
                    out[g] += size * e
        memo[key] = dict(out)
        return memo[key]

    def weights(self, t: mi.UnionType) -> list[int]:
        shares = self.shares.get(_key(t))
        if shares is None:
            return [1] * len(t.types)
        weights = [max(1, round(_WEIGHT_UNITS * s)) for s in shares]
        # Hypothesis draws an integer in range(n) evenly only up to n = 257.
        return weights if sum(weights) <= 256 else [1] * len(t.types)


@functools.lru_cache(maxsize=64)
def _cached_plan(tp: Any, overridden: frozenset, max_list: int) -> _Plan:
    return _Plan(_info(tp), overridden, max_list)


@functools.lru_cache(maxsize=64)
def _cached_heights(tp: Any) -> dict[type, float]:
    return _struct_heights(_info(tp))


# --- the builder -----------------------------------------------------------------------


class _Builder:
    def __init__(
        self, overrides: Mapping[Override, SearchStrategy], max_list: int, max_depth: int
    ) -> None:
        for key, strategy in overrides.items():
            cls, name = key if isinstance(key, tuple) else (key, None)
            if not (isinstance(cls, type) and issubclass(cls, msgspec.Struct)):
                raise TypeError(f"override key {key!r}: not a msgspec struct class")
            if name is not None and name not in _defaults(cls):
                raise ValueError(f"override key {key!r}: {cls.__name__} has no field {name!r}")
            if not isinstance(strategy, SearchStrategy):
                raise TypeError(f"override for {key!r}: {strategy!r} is not a strategy")
        self.overrides = dict(overrides)
        self.max_list = max_list
        self.max_depth = max_depth
        self.structs: dict[tuple[type, int], SearchStrategy] = {}

    def build(self, tp: Any) -> SearchStrategy:
        overridden = frozenset(self.overrides)
        try:
            self.heights = _cached_heights(tp)
            self.plan = _cached_plan(tp, overridden, self.max_list)
        except TypeError:  # an unhashable annotation
            info = _type_info(tp)
            self.heights = _struct_heights(info)
            self.plan = _Plan(info, overridden, self.max_list)
        return self.strategy(_type_info(tp), 0)

    def limited(self, depth: int) -> bool:
        return depth >= self.max_depth

    def strategy(self, t: mi.Type, depth: int) -> SearchStrategy:
        if isinstance(t, mi.StructType):
            return self.struct(t.cls, depth)
        if isinstance(t, mi.UnionType):
            return self.union(t, depth)
        if isinstance(t, mi.AnyType):
            return json_values(self.json_depth(depth), self.max_list)
        if isinstance(t, mi.NoneType):
            return st.none()
        if isinstance(t, mi.BoolType):
            return st.booleans()
        if isinstance(t, mi.LiteralType):
            return st.sampled_from(t.values)
        if isinstance(t, mi.IntType):
            return self.ints(t)
        if isinstance(t, mi.FloatType):
            return self.floats(t)
        if isinstance(t, mi.StrType):
            return self.strs(t)
        if isinstance(t, (mi.BytesType, mi.ByteArrayType)):
            lo, hi = self.sizes(t, TEXT_MAX, depth=0)
            s = st.binary(min_size=lo, max_size=hi)
            return s.map(bytearray) if isinstance(t, mi.ByteArrayType) else s
        if isinstance(t, _SEQUENCES):
            return self.collection(t, depth)
        if isinstance(t, mi.TupleType):
            return st.tuples(*(self.strategy(i, depth) for i in t.item_types))
        if isinstance(t, mi.DictType):
            return self.dicts(t, depth)
        raise TypeError(f"no strategy for {t!r}")

    # -- structs and unions --

    def struct(self, cls: type, depth: int) -> SearchStrategy:
        if cls in self.overrides:
            return self.overrides[cls]
        depth = min(depth, self.max_depth)  # every depth past the limit builds alike
        key = (cls, depth)
        if key not in self.structs:
            self.structs[key] = st.deferred(lambda: self.make_struct(cls, depth))
        return self.structs[key]

    def make_struct(self, cls: type, depth: int) -> SearchStrategy:
        fields: list[tuple[str, SearchStrategy, bool]] = []
        for f in _struct_info(cls).fields:
            if not f.required and self.limited(depth):
                continue  # left at its default
            s = self.overrides.get((cls, f.name))
            if s is None:
                s = self.strategy(f.type, depth + 1)
            fields.append((f.name, s, f.required))

        @st.composite
        def struct(draw: Any) -> Any:
            kwargs = {}
            for name, s, required in fields:
                # An optional field is left at its default (where it shrinks to) or set.
                if required or draw(_PRESENT):
                    kwargs[name] = draw(s)
            # The tag (``type``, ``role``...) is the class's own: msgspec adds it on encode.
            return cls(**kwargs)

        return struct()

    def union(self, t: mi.UnionType, depth: int) -> SearchStrategy:
        members = list(t.types)
        if self.limited(depth):
            # Past the limit: only the members needing the fewest nested structs,
            # plain values before containers and structs.
            def cost(m: mi.Type) -> tuple[float, bool]:
                return (_height(m, self.heights), not _is_plain(m))

            best = min(cost(m) for m in members)
            return st.one_of([self.strategy(m, depth) for m in members if cost(m) == best])
        weights = self.plan.weights(t)
        return _weighted([(self.strategy(m, depth), w) for m, w in zip(members, weights)])

    # -- containers --

    def sizes(self, t: mi.Type, cap: int, depth: int) -> tuple[int, int]:
        return _sizes(t, cap, self.limited(depth))

    def collection(self, t: mi.Type, depth: int) -> SearchStrategy:
        lo, hi = self.sizes(t, self.max_list, depth)
        item = self.strategy(t.item_type, depth)
        if isinstance(t, (mi.SetType, mi.FrozenSetType)):
            s = st.sets(item, min_size=lo, max_size=hi)
            return s.map(frozenset) if isinstance(t, mi.FrozenSetType) else s
        s = st.lists(item, min_size=lo, max_size=hi)
        return s.map(tuple) if isinstance(t, mi.VarTupleType) else s

    def dicts(self, t: mi.DictType, depth: int) -> SearchStrategy:
        lo, hi = self.sizes(t, self.max_list, depth)
        if isinstance(t.key_type, mi.StrType) and isinstance(t.value_type, mi.AnyType):
            key = t.key_type
            if (key.min_length, key.max_length, key.pattern) == (None, None, None) and hi >= lo:
                return json_objects(self.json_depth(depth), hi, lo)
            values = json_values(max(0, self.json_depth(depth) - 1), self.max_list)
        else:
            values = self.strategy(t.value_type, depth)
        keys = self.strategy(t.key_type, depth)
        return st.dictionaries(keys, values, min_size=lo, max_size=hi)

    def json_depth(self, depth: int) -> int:
        return max(0, min(JSON_MAX_DEPTH, self.max_depth - depth))

    # -- scalars --

    def ints(self, t: mi.IntType) -> SearchStrategy:
        lo = t.ge if t.ge is not None else (t.gt + 1 if t.gt is not None else None)
        hi = t.le if t.le is not None else (t.lt - 1 if t.lt is not None else None)
        if lo is None and hi is None:
            lo, hi = INT_RANGE
        elif hi is None:
            hi = max(lo, 0) + INT_RANGE[1]
        elif lo is None:
            lo = INT_RANGE[0] if hi >= INT_RANGE[0] else hi - INT_RANGE[1]
        if t.multiple_of:
            m = t.multiple_of
            return st.integers(-(-lo // m), hi // m).map(lambda k: k * m)
        return st.integers(lo, hi)

    def floats(self, t: mi.FloatType) -> SearchStrategy:
        lo = t.ge if t.ge is not None else t.gt
        hi = t.le if t.le is not None else t.lt
        lo_, hi_ = (
            max(FLOAT_RANGE[0], lo if lo is not None else -math.inf),
            min(FLOAT_RANGE[1], hi if hi is not None else math.inf),
        )
        if lo_ > hi_:  # bounds entirely outside the default range: honour the bounds
            lo_, hi_ = lo, hi
        return st.floats(
            lo_,
            hi_,
            exclude_min=t.gt is not None and lo_ == t.gt,
            exclude_max=t.lt is not None and hi_ == t.lt,
            allow_nan=False,
            allow_infinity=False,
        )

    def strs(self, t: mi.StrType) -> SearchStrategy:
        lo = t.min_length or 0
        hi = t.max_length if t.max_length is not None else max(lo, TEXT_MAX)
        if t.pattern is not None:
            return st.from_regex(t.pattern).filter(lambda s: lo <= len(s) <= hi)
        return text(lo, min(hi, max(lo, TEXT_MAX)))


# --- the entry point -------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _cached(tp: Any, overrides: tuple, max_list: int, max_depth: int) -> SearchStrategy:
    return _Builder(dict(overrides), max_list, max_depth).build(tp)


def from_type(
    tp: Any,
    *,
    overrides: Mapping[Override, SearchStrategy] | None = None,
    max_list: int = 3,
    max_depth: int = 6,
) -> SearchStrategy:
    """A strategy for values of ``tp`` (a struct class, or any annotation msgspec can
    inspect) that exercises every field reachable from it; see the module docstring.
    Built once per ``(tp, overrides, max_list, max_depth)``."""
    if max_list < 0 or max_depth < 0:
        raise ValueError("max_list and max_depth must be >= 0")
    items = tuple(sorted((overrides or {}).items(), key=lambda kv: repr(kv[0])))
    try:
        hash((tp, items))
    except TypeError:  # an unhashable annotation or override: built afresh
        return _Builder(dict(items), max_list, max_depth).build(tp)
    return _cached(tp, items, max_list, max_depth)


# --- coverage --------------------------------------------------------------------------


def field_coverage(tp: Any) -> set[str]:
    """``"Class.field"`` for every field of every struct reachable from ``tp``."""
    return {
        _name(cls, f.name)
        for cls in _structs_below(_type_info(tp))
        for f in _struct_info(cls).fields
    }


@functools.cache
def _constant_field_names(cls: type) -> tuple[str, ...]:
    defaults = _defaults(cls)
    return tuple(
        f.name
        for f in _struct_info(cls).fields
        if not f.required
        and isinstance(f.type, mi.LiteralType)
        and len(f.type.values) == 1
        and f.type.values[0] == defaults[f.name].default
    )


def constant_fields(tp: Any) -> set[str]:
    """The reachable fields that cannot hold anything but their default (a single-value
    ``Literal`` defaulting to that value): ``fields_set`` never lists them."""
    return {
        _name(cls, name)
        for cls in _structs_below(_type_info(tp))
        for name in _constant_field_names(cls)
    }


def _is_default(value: Any, info: msgspec.structs.FieldInfo) -> bool:
    if info.default is not msgspec.NODEFAULT:
        default = info.default
    elif info.default_factory is not msgspec.NODEFAULT:
        default = info.default_factory()
    else:
        return False  # a required field
    if default is msgspec.UNSET or value is msgspec.UNSET:
        return value is default
    return type(value) is type(default) and value == default


def fields_set(value: Any) -> set[str]:
    """``"Class.field"`` for every struct field inside ``value`` (at any depth) that
    holds a non-default value; a required field always counts."""
    out: set[str] = set()
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, msgspec.Struct):
            cls = type(v)
            for name, info in _defaults(cls).items():
                item = getattr(v, name)
                if not _is_default(item, info):
                    out.add(_name(cls, name))
                stack.append(item)
        elif isinstance(v, (list, tuple, set, frozenset)):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
    return out
