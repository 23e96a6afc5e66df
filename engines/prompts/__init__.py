"""The engines' prompt templates, one ``.j2`` file each, rendered by :func:`render`.

Built like the agent's (:class:`agent.prompts.PromptFolder`): a missing variable fails.
Every template may call ``action_lines(tools=...)``: the plan prompt's list of action
types, generated from their declarations (:func:`agent.browser.action_types.prompt_lines`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.prompts import PromptFolder


def _action_lines(**shown: Any) -> list[str]:
    from agent.browser.action_types import prompt_lines

    return prompt_lines(**shown)


_FOLDER = PromptFolder(Path(__file__).resolve().parent, globals={"action_lines": _action_lines})


def render(name: str, **variables: Any) -> str:
    """Render the engines' template ``<name>.j2``.

    >>> "url" in render("generate_url", goal="Find the weather in Paris").lower()
    True
    """
    return _FOLDER.render(name, **variables)
