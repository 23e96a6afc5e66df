"""Prompt templates, one file each, rendered by :func:`render`; :class:`PromptFolder` for others.

Templates are Jinja2 files beside this module; ``engines/prompts`` has its own folder and
its own ``render`` built the same way. Rendering fails on any variable the caller did not
pass, so a renamed variable cannot silently produce an empty section.

May import: nothing of ``agent`` (templates are files beside this module).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any


class PromptFolder:
    """The Jinja2 templates (``<name>.j2``) of one folder, rendered strictly.

    ``globals`` are names every template of the folder may use (functions included).

    >>> folder = PromptFolder(Path(__file__).parent)
    >>> "json" in folder.render("reask_json", problems=["it is not JSON"]).lower()
    True
    """

    def __init__(self, directory: Path, *, globals: Mapping[str, Any] | None = None) -> None:
        self.directory = directory
        self.globals = dict(globals or {})

    @cached_property
    def _environment(self) -> Any:
        import jinja2

        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.directory)),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            autoescape=False,
        )
        environment.globals.update(self.globals)
        return environment

    def render(self, name: str, **variables: Any) -> str:
        """Render ``<name>.j2``; raises ``jinja2.UndefinedError`` for a missing variable."""
        template = self._environment.get_template(f"{name}.j2")
        return str(template.render(**variables)).strip() + "\n"


_FOLDER = PromptFolder(Path(__file__).resolve().parent)


def render(name: str, **variables: Any) -> str:
    """Render the agent's template ``<name>.j2`` (see :class:`PromptFolder`).

    >>> "json" in render("reask_json", problems=["it is not JSON"]).lower()
    True
    """
    return _FOLDER.render(name, **variables)
