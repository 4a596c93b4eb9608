"""The strategy builder (tests/strategies.py): every reachable field is generated, every
value round-trips through JSON, overrides and the depth limit hold."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translate import anthropic, openai

try:
    import strategies as S
except ImportError:  # tests/ imported as a package
    from tests import strategies as S

ROOTS = [anthropic.MessagesRequest, openai.ChatCompletionRequest]

# Fields that cannot hold anything but their default, so no value ever "sets" them.
CONSTANT = {
    anthropic.MessagesRequest: {"CacheControl.type"},
    openai.ChatCompletionRequest: {"CacheControl.type", "PromptCacheBreakpoint.mode"},
}


def structs(value: Any, depth: int = 0) -> Iterator[tuple[msgspec.Struct, int]]:
    """Every struct inside ``value`` with its depth (the outermost struct is depth 0)."""
    if isinstance(value, msgspec.Struct):
        yield value, depth
        for name in value.__struct_fields__:
            yield from structs(getattr(value, name), depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from structs(item, depth)
    elif isinstance(value, dict):
        for item in value.values():
            yield from structs(item, depth)


def round_trips(value: Any, tp: Any) -> None:
    encoded = msgspec.json.encode(value)
    assert msgspec.json.decode(encoded, type=tp) == value, encoded


# --- coverage ---------------------------------------------------------------------------


@pytest.mark.parametrize("root", ROOTS, ids=lambda t: t.__name__)
def test_every_reachable_field_is_generated_and_every_value_round_trips(root: type) -> None:
    """300 draws set every field reachable from the request at least once (to something
    other than its default), and each draw decodes back equal from its JSON."""
    seen: set[str] = set()

    # A check of one fixed sample, not a property: the same 300 draws in every profile, so
    # that the assertion below is about the strategy, not about the luck of a seed.
    @settings(
        max_examples=300,
        derandomize=True,
        database=None,
        backend=S.FRESH_BACKEND,  # 300 independent draws, not 50 and their variations
    )
    @given(S.from_type(root))
    def draw(value: Any) -> None:
        assert type(value) is root
        round_trips(value, root)
        seen.update(S.fields_set(value))

    draw()
    reachable = S.field_coverage(root)
    assert S.constant_fields(root) == CONSTANT[root]
    assert seen <= reachable
    missing = reachable - CONSTANT[root] - seen
    assert not missing, f"never generated: {sorted(missing)}"


def test_field_coverage_lists_every_field_below_a_type_and_no_tags() -> None:
    assert S.field_coverage(anthropic.ImageBlock) == {
        "ImageBlock.source",
        "ImageBlock.cache_control",
        "ImageBlock.transformations",
        "Base64ImageSource.media_type",
        "Base64ImageSource.data",
        "URLSource.url",
        "FileSource.file_id",
        "CacheControl.type",
        "CacheControl.ttl",
        "ImageTransformations.oversized_image",
    }
    reachable = S.field_coverage(anthropic.MessagesRequest)
    assert {"MessagesRequest.model", "ContentSource.content", "BrowserStateBlock.tabs"} <= reachable
    assert "TextBlock.type" not in reachable  # the tag is msgspec's, not a field
    assert not any(f.startswith("MessageResponse.") for f in reachable)  # not reachable


def test_fields_set_counts_non_default_values_at_any_depth() -> None:
    request = anthropic.MessagesRequest(
        model="m",
        max_tokens=1,
        messages=[
            anthropic.UserMessage(
                content=[anthropic.TextBlock(text="", cache_control=anthropic.CacheControl())]
            )
        ],
        stream=False,
    )
    assert S.fields_set(request) == {
        "MessagesRequest.model",
        "MessagesRequest.max_tokens",
        "MessagesRequest.messages",
        "MessagesRequest.stream",
        "UserMessage.content",
        "TextBlock.text",
        "TextBlock.cache_control",
    }
    # None is a value, not absence; a default given explicitly is not "set"
    assert "TextBlock.citations" in S.fields_set(anthropic.TextBlock(text="", citations=None))
    assert S.fields_set(openai.Choice(message=openai.ResponseMessage(), index=0)) == {
        "Choice.message"
    }


# --- values -----------------------------------------------------------------------------


class Scalars(msgspec.Struct, kw_only=True):
    count: int
    ratio: float
    name: str
    kind: Literal["a", "b"]
    bounded: Annotated[int, msgspec.Meta(ge=5, le=7)]
    positive: Annotated[float, msgspec.Meta(gt=0, le=1)]
    code: Annotated[str, msgspec.Meta(min_length=3, max_length=4)]
    tags: Annotated[list[str], msgspec.Meta(min_length=1)]
    extra: dict[str, Any] = {}
    anything: Any = None


@given(S.from_type(Scalars))
def test_scalars_stay_in_their_ranges(v: Scalars) -> None:
    assert 0 <= v.count <= 10**6
    assert math.isfinite(v.ratio) and -1e6 <= v.ratio <= 1e6
    assert len(v.name) <= 20
    assert all(unicodedata.category(c) not in ("Cs", "Cc") or c in "\t\n" for c in v.name)
    assert v.kind in ("a", "b")
    assert 5 <= v.bounded <= 7
    assert 0 < v.positive <= 1
    assert 3 <= len(v.code) <= 4
    assert 1 <= len(v.tags) <= 3
    round_trips(v, Scalars)


def _json_depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max(map(_json_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_json_depth, value.values()), default=0)
    return 0


@given(S.json_values(), S.json_objects())
def test_json_values_are_json_safe_and_depth_limited(value: Any, obj: dict[str, Any]) -> None:
    assert msgspec.json.decode(msgspec.json.encode(value)) == value
    assert msgspec.json.decode(msgspec.json.encode(obj)) == obj
    assert isinstance(obj, dict)
    assert _json_depth(value) <= 2 and _json_depth(obj) <= 2


# --- overrides --------------------------------------------------------------------------

_TOOL = anthropic.Tool(name="fixed", input_schema={"type": "object"})


@given(
    S.from_type(
        anthropic.MessagesRequest,
        overrides={
            (anthropic.ThinkingEnabled, "budget_tokens"): st.integers(1024, 100_000),
            anthropic.Tool: st.just(_TOOL),
            (anthropic.TextBlock, "text"): st.just("T"),
        },
    )
)
def test_overrides_replace_a_field_or_a_whole_struct_wherever_it_appears(
    request: anthropic.MessagesRequest,
) -> None:
    if isinstance(request.thinking, anthropic.ThinkingEnabled):
        assert 1024 <= request.thinking.budget_tokens <= 100_000
    if request.tools is not msgspec.UNSET:
        assert all(tool is _TOOL for tool in request.tools)
    for struct, _ in structs(request):
        if isinstance(struct, anthropic.TextBlock):
            assert struct.text == "T"


def test_overrides_are_checked() -> None:
    with pytest.raises(ValueError, match="no field 'nope'"):
        S.from_type(anthropic.Tool, overrides={(anthropic.Tool, "nope"): st.none()})
    with pytest.raises(TypeError, match="not a msgspec struct"):
        S.from_type(anthropic.Tool, overrides={dict: st.none()})
    with pytest.raises(TypeError, match="not a strategy"):
        S.from_type(anthropic.Tool, overrides={anthropic.Tool: None})


def test_strategies_are_built_once_per_type() -> None:
    assert S.from_type(anthropic.MessagesRequest) is S.from_type(anthropic.MessagesRequest)
    assert S.from_type(anthropic.MessagesRequest) is not S.from_type(
        anthropic.MessagesRequest, max_depth=2
    )


# --- depth ------------------------------------------------------------------------------


class Tree(msgspec.Struct, kw_only=True):
    """Recursive through required fields: only the depth limit stops it."""

    label: str
    left: Tree | None
    kids: list[Tree]
    note: Tree | str | None = None


@pytest.mark.parametrize("max_depth", [0, 1, 3])
def test_past_max_depth_only_required_fields_and_least_recursive_members(max_depth: int) -> None:
    @given(
        S.from_type(Tree, max_depth=max_depth),
        S.from_type(anthropic.MessagesRequest, max_depth=max_depth),
    )
    def draw(tree: Tree, request: anthropic.MessagesRequest) -> None:
        for struct, depth in [*structs(tree), *structs(request)]:
            if depth >= max_depth:
                assert S.fields_set(struct) <= {
                    f"{type(struct).__name__}.{f.name}"
                    for f in msgspec.structs.fields(struct)
                    if f.required
                }
        assert max(d for _, d in structs(tree)) <= max_depth
        if max_depth <= 1:  # messages are at depth 1: plain string content there
            assert all(isinstance(m.content, str) for m in request.messages)
        round_trips(tree, Tree)
        round_trips(request, anthropic.MessagesRequest)

    draw()
