"""Properties of the Responses dialect over generated payloads (``strategies.from_type``).

A Responses request of the whole struct surface through ``compatible`` Chat and back is
exact up to the canonical form (``canonical.responses_request``), or a Loss names what
changed: nothing is defaulted silently (``background: false``, ``context_management: []``),
a function tool's ``strict`` (true when absent, in Responses) survives, and so do
``prompt_cache_options``, ``text`` and ``reasoning``.

A lossy round trip is compared as precisely: every field, item, part and tool that no
Loss names is the same, element by element (``_same``). A Loss naming a list element
(``input[3]``, ``tools[1]``, ``input[2].content[0]``) lets that one element go or change;
the elements around it are matched in order, so a silent drop or change anywhere in a list
fails, whatever else the request loses.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from hypothesis import event, example, given

from translate import Loss, TranslationError, to_openai, to_responses
from translate import responses as r

from .canonical import responses_request
from .strategies import from_type, text


def _dict(value: object) -> dict:
    return msgspec.to_builtins(value)  # type: ignore[no-any-return]


def _round_trip(body: dict) -> None:
    losses: list[Loss] = []
    try:
        chat = to_openai.request(body, losses=losses, source="responses")
    except TranslationError:
        event("bad input")  # a tool without a name, ...: tested apart
        return
    back = _renamed_back(
        body, _dict(to_responses.request(msgspec.json.encode(chat), losses=losses)), losses
    )
    event("exact" if not losses else "lossy")
    if not losses:
        assert responses_request(back, []) == responses_request(body, [])
        return
    _same_but_named(body, back, losses)


_RENAMED = re.compile(r"renamed '([^']*)' everywhere")


def _renamed_back(body: dict, back: dict, losses: list[Loss]) -> dict:
    """A tool name Chat refuses is "renamed ... everywhere" by one Loss, at the first place
    it is met: every name field that says the new name stands for the original (read at
    the Loss's path in ``body``); anything else about those fields is still compared."""
    names: dict[str, str] = {}
    for loss in losses:
        said = _RENAMED.match(loss.detail)
        if said is not None:
            original = _at(body, loss.path)
            if isinstance(original, str):
                names[said.group(1)] = original

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: names.get(v, v) if k == "name" and isinstance(v, str) else walk(v)
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(back) if names else back


def _at(node: Any, path: str) -> Any:
    """The value at a Loss path (``input[1].name``) in ``node``, or None."""
    for key, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        if index:
            node = node[int(index)] if isinstance(node, list) and int(index) < len(node) else None
        else:
            node = node.get(key) if isinstance(node, dict) else None
    return node


def _same_but_named(body: dict, back: dict, losses: list[Loss]) -> None:
    """What no Loss names survived: ``back`` and ``body`` in the canonical form, compared
    at every depth, each list element by element (``_Same``)."""
    lost = {loss.path for loss in losses}
    gone = {loss.path for loss in losses if loss.kind == "dropped"}
    want, got = responses_request(body, []), responses_request(back, [])
    # The canonical form puts instructions first in ``input`` (a leading system message)
    # and says a string input as one message: the paths of its items in the body.
    paths = (
        [f"input[{i}]" for i in range(len(body["input"]))]
        if isinstance(body.get("input"), list)
        else (["input"] if isinstance(body.get("input"), str) else [])
    )
    if body.get("instructions") is not None:
        paths.insert(0, "instructions")
    # Tools offered part-way (an ``additional_tools`` item, a Loss) come back offered from
    # the start: after the request's own tools, in order.
    tools = [(f"tools[{k}]", t) for k, t in enumerate(want.get("tools") or [])]
    for path, item in zip(paths, want.get("input") or []):
        if item.get("type") == "additional_tools" and path in lost:
            for j, tool in enumerate(item.get("tools") or []):
                members = tool.get("tools") if tool.get("type") == "namespace" else [tool]
                for member in members if isinstance(members, list) else ():
                    if member.get("type") == "function":  # canonical, as the request's
                        member.setdefault("strict", True)
                tools.append((f"{path}.tools[{j}]", tool))
    same = _Same(lost, gone)
    for key in set(want) | set(got):
        if key in lost:
            continue
        if key == "input":
            ok = same.items(list(zip(paths, want.get("input") or [])), got.get("input") or [])
        elif key == "tools":  # offered or not as said (``tools: []`` is said too)
            ok = ((key in want) == (key in got) or bool(tools)) and same.items(
                tools, got.get("tools") or []
            )
        else:
            ok = same(want.get(key, _GONE), got.get(key, _GONE), key)
        assert ok, (key, want.get(key), got.get(key), losses)


_GONE = object()
"""A field one side does not have."""


class _Same:
    """Equality up to what the Loss paths name: a named path may differ or be gone; a named
    list element may be gone or stand for one other element; everything else is equal."""

    def __init__(self, lost: set[str], gone: set[str]) -> None:
        self.lost = lost
        self.gone = gone

    def __call__(self, want: Any, got: Any, path: str) -> bool:
        if path in self.lost:
            return True
        if want is _GONE or got is _GONE:  # an object whose every field a Loss names
            there = got if want is _GONE else want
            return isinstance(there, dict) and self(there, {}, path) and bool(there)
        if isinstance(want, dict) and isinstance(got, dict):
            for key in set(want) | set(got):
                sub = f"{path}.{key}"
                if sub not in self.lost and not self(
                    want.get(key, _GONE), got.get(key, _GONE), sub
                ):
                    return False
            return True
        if isinstance(want, list) and isinstance(got, list):
            return self.items([(f"{path}[{i}]", w) for i, w in enumerate(want)], got)
        return bool(want == got)

    def items(self, want: list[tuple[str, Any]], got: list[Any]) -> bool:
        """``got`` is ``want`` in order, where each element a Loss names stands for none or
        one element of ``got``, and each other one is the same (``__call__``)."""
        n, m = len(want), len(got)
        # fits[i][j]: want[i:] and got[j:] match
        fits = [[False] * (m + 1) for _ in range(n + 1)]
        fits[n][m] = True
        for i in range(n - 1, -1, -1):
            path, w = want[i]
            named = path in self.lost
            for j in range(m, -1, -1):
                ok = False
                if path in self.gone:
                    ok = fits[i + 1][j]
                elif named:
                    ok = fits[i + 1][j] or (j < m and fits[i + 1][j + 1])
                elif j < m and fits[i + 1][j + 1]:
                    ok = self(w, got[j], path)
                fits[i][j] = ok
        return fits[0][0]


# Gaps found by the first runs, each a silent change of the request (now exact or a Loss).
# Found by the element-wise comparison: an empty reasoning item, reported dropped, came
# back as a reasoning item with an empty summary (it was said as reasoning_content "").
@example(req=r.ResponseCreateParams(model="m", input=[r.Reasoning()]), model="m")
# A function whose name is a namespaced tool's flattened name came back inside that
# namespace, with no Loss (now each element the name stands for is named).
@example(
    req=r.ResponseCreateParams(
        model="m",
        tools=[
            r.FunctionTool(name="mcp__gh__list"),
            r.NamespaceTool(name="mcp__gh__", tools=[r.FunctionTool(name="list")]),
        ],
    ),
    model="m",
)
# A namespaced tool whose flattened name is past Chat's 64 characters came back as a plain
# function under the shortened name, its call without its namespace (now exact).
@example(
    req=r.ResponseCreateParams(
        model="m",
        tools=[
            r.NamespaceTool(name="mcp__" + "y" * 40 + "__", tools=[r.FunctionTool(name="z" * 30)])
        ],
        input=[
            r.FunctionCall(
                call_id="c", name="z" * 30, arguments="{}", namespace="mcp__" + "y" * 40 + "__"
            )
        ],
    ),
    model="m",
)
@example(req=r.ResponseCreateParams(model="m", background=False), model="m")
@example(req=r.ResponseCreateParams(model="m", context_management=[]), model="m")
@example(
    req=r.ResponseCreateParams(
        model="m",
        tools=[r.FunctionTool(name="f", parameters={})],  # strict: absent is true
    ),
    model="m",
)
@given(from_type(r.ResponseCreateParams), text(min_size=1))
def test_any_responses_request_round_trips_through_compatible_chat(
    req: r.ResponseCreateParams, model: str
) -> None:
    body = _dict(req)
    body.setdefault("model", model)  # a request names its model
    _round_trip(body)
