"""Prompt templates, one file each, rendered by :func:`render`.

Templates are Jinja2 files beside this module (and in ``engines/prompts``). Rendering
fails on any variable the caller did not pass, so a renamed variable cannot silently
produce an empty section.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

PROMPT_DIRS = (
    Path(__file__).resolve().parent,
    Path(__file__).resolve().parent.parent.parent / "engines" / "prompts",
)


@cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in PROMPT_DIRS]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
    )


def render(name: str, **variables: Any) -> str:
    """Render ``<name>.j2``; raises ``jinja2.UndefinedError`` for a missing variable.

    >>> "json" in render("reask_json", problems=["it is not JSON"]).lower()
    True
    """
    return str(_environment().get_template(f"{name}.j2").render(**variables)).strip() + "\n"
