"""The engines' prompt templates, one pair of ``.j2`` files per purpose, and how they are sent.

Built like the agent's (:class:`agent.llm.prompts.PromptFolder`): a missing variable fails.

Every purpose's messages are :func:`messages`: first a system message rendered from
``<purpose>_system.j2`` (role, rules, action list, answer format), then a user message
rendered from ``<purpose>.j2`` (the goal, the history, the page, last). The system part
is rendered from the run's options only, never from the page or the step, so it is
byte-identical across the calls of a run and across runs with the same options: a
provider can reuse it as a cached prefix (:func:`agent.llm.prompt_cache.with_cache_control` marks it
for those that need to be told).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agent.llm.prompts import PromptFolder

_FOLDER = PromptFolder(Path(__file__).resolve().parent)


def action_lines(*, tools: bool = False, upload_files: bool = False) -> list[str]:
    """The plan prompt's list of action types that the run's options allow.

    >>> any(line.startswith("UPLOAD_FILE") for line in action_lines())
    False
    """
    from agent.browser.acting.action_types import prompt_lines

    return prompt_lines(tools=tools, upload_files=upload_files)


def render(name: str, **variables: Any) -> str:
    """Render the engines' template ``<name>.j2``.

    >>> "url" in render("generate_url_system").lower()
    True
    """
    return _FOLDER.render(name, **variables)


def messages(
    name: str,
    *,
    rules: Mapping[str, Any],
    task: Mapping[str, Any],
    screenshot: bytes | None = None,
) -> list[dict[str, Any]]:
    """The messages of one call: the static system part, then the task with the page.

    ``rules`` may hold only what is fixed for the whole run (its options); ``task`` holds
    the goal, the history and the page. ``screenshot`` goes with the task.

    >>> sent = messages("generate_url", rules={}, task={"goal": "Weather in Paris"})
    >>> [m["role"] for m in sent], "Paris" in sent[0]["content"]
    (['system', 'user'], False)
    """
    from agent.llm.messages import user_message

    system = {"role": "system", "content": render(f"{name}_system", **rules)}
    return [system, user_message(render(name, **task), screenshot)]
