"""Properties of the Responses dialect over generated payloads (``strategies.from_type``).

A Responses request of the whole struct surface through ``compatible`` Chat and back is
exact up to the canonical form (``canonical.responses_request``), or a Loss names what
changed: nothing is defaulted silently (``background: false``, ``context_management: []``),
a function tool's ``strict`` (true when absent, in Responses) survives, and so do
``prompt_cache_options``, ``text`` and ``reasoning``.
"""

from __future__ import annotations

import re

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
    back = _dict(to_responses.request(msgspec.json.encode(chat), losses=losses))
    event("exact" if not losses else "lossy")
    if not losses:
        assert responses_request(back, []) == responses_request(body, [])
        return
    # Lossy. When no Loss takes a list element away (an item, a tool, a part) (and no instructions come back as
    # an item), the indexes of the output are those of the input: what no Loss names is the
    # same.
    shifted = body.get("instructions") is not None  # a leading system message comes back
    if not shifted and not any(_WHOLE.search(loss.path) for loss in losses):
        event("lossy, compared field by field")
        assert responses_request(back, losses) == responses_request(body, losses)
        return
    # Else (the output's item indexes shift) every top-level field that changed is named by
    # a Loss under it.
    got, want = responses_request(back, []), responses_request(body, [])
    for key in set(got) | set(want):
        if got.get(key) != want.get(key):
            prefixes = _NAMED_BY.get(key, (key,))
            assert any(loss.path.startswith(prefixes) for loss in losses), (key, losses)


_WHOLE = re.compile(r"\[\d+\]$|^instructions$")  # a list element taken away
_NAMED_BY = {
    "input": ("input", "instructions"),
    "instructions": ("input", "instructions"),
    "tools": ("tools", "input"),  # additional_tools items offer tools too
}


# Gaps found by the first runs, each a silent change of the request (now exact or a Loss).
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
