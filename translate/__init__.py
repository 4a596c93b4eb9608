"""translate: exact translation between the openai and anthropic dialects of LLM APIs."""

from . import to_anthropic, to_openai
from ._errors import Loss, LossError, TranslationError
from .targets import Target

__all__ = ["Loss", "LossError", "Target", "TranslationError", "to_anthropic", "to_openai"]
