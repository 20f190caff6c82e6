"""Templates in responses: ``{{ customer.name }}``, ``{{ size }}``, ``{% if ... %}``, sandboxed.

Owners write Jinja templates in any text of a response; they run in Jinja's
immutable sandbox (no attribute access to Python internals, no mutation), a
missing value renders as nothing, and rendering never raises into a
conversation: a template that fails sends the text as written. Conditions in
flows (``if: size >= 44``) are Jinja expressions over the same variables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import structlog
from jinja2 import ChainableUndefined, TemplateError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from theke.content import Content, from_json, to_json
from theke.errors import ContentError

__all__ = ["ENV", "compile_condition", "has_template", "names_in", "render", "render_text"]

_log = structlog.get_logger("theke.dialogue.templates")

ENV = ImmutableSandboxedEnvironment(
    undefined=ChainableUndefined, autoescape=False, keep_trailing_newline=True
)


def has_template(text: str) -> bool:
    return "{{" in text or "{%" in text


def names_in(source: str, *, expression: bool = False) -> frozenset[str]:
    """The variables a template (or an expression) reads; raises ``TemplateSyntaxError``."""
    parsed: nodes.Template = ENV.parse("{{ (" + source + ") }}" if expression else source)
    return frozenset(meta.find_undeclared_variables(parsed))


def compile_condition(source: str) -> Callable[[Mapping[str, Any]], bool]:
    """A flow condition as a function of the variables; a failing one counts as false."""
    expression = ENV.compile_expression(source, undefined_to_none=True)

    def test(variables: Mapping[str, Any]) -> bool:
        try:
            return bool(expression(**variables))
        except (TemplateError, TypeError, ValueError, ArithmeticError):
            return False

    return test


def render_text(text: str, variables: Mapping[str, Any]) -> str:
    if not has_template(text):
        return text
    try:
        return str(_template(text).render(variables))
    except (TemplateError, TypeError, ValueError, ArithmeticError) as exc:
        _log.warning("theke.dialogue.templates.failed", error=type(exc).__name__)
        return text


def render(content: Content, variables: Mapping[str, Any]) -> Content:
    """``content`` with every template in its texts filled in."""
    data = to_json(content)
    if not _any_template(data):
        return content
    try:
        return from_json(_fill(data, variables))
    except ContentError:
        _log.warning("theke.dialogue.templates.invalid_result", type=data.get("type"))
        return content


@lru_cache(maxsize=2048)
def _template(text: str) -> Any:
    return ENV.from_string(text)


def _any_template(value: object) -> bool:
    if isinstance(value, str):
        return has_template(value)
    if isinstance(value, dict):
        return any(_any_template(item) for item in value.values())
    if isinstance(value, list):
        return any(_any_template(item) for item in value)
    return False


def _fill(value: Any, variables: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        return render_text(value, variables)
    if isinstance(value, dict):
        return {key: _fill(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, variables) for item in value]
    return value
