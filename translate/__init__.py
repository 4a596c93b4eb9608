"""translate: exact translation between the openai and anthropic dialects of LLM APIs."""

from . import to_anthropic, to_openai, to_responses
from ._errors import Loss, LossError, TranslationError
from .targets import Target

__all__ = [
    "Loss",
    "LossError",
    "Target",
    "TranslationError",
    "to_anthropic",
    "to_openai",
    "to_responses",
]

_DISTRIBUTION = "translate-llm"  # the installed name (the index's `translate` is another project)


def __getattr__(name: str) -> str:
    """``translate.__version__``: the installed distribution's version, read on first use
    (importlib.metadata costs more to import than the rest of the package needs)."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version(_DISTRIBUTION)
        except PackageNotFoundError:  # a source tree on sys.path, never installed
            found = "0+unknown"
        globals()["__version__"] = found
        return found
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
