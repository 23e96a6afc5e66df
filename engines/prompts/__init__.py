"""The engines' prompt templates, one ``.j2`` file each, rendered by :func:`render`.

Built like the agent's (:class:`agent.prompts.PromptFolder`): a missing variable fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.prompts import PromptFolder

_FOLDER = PromptFolder(Path(__file__).resolve().parent)


def render(name: str, **variables: Any) -> str:
    """Render the engines' template ``<name>.j2``.

    >>> "url" in render("generate_url", goal="Find the weather in Paris").lower()
    True
    """
    return _FOLDER.render(name, **variables)
