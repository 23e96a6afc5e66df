"""Model stand-ins for the fault suite: they read only the messages sent to the model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent.prompt_reading import Prompt

Answer = dict[str, Any]


def element_id(prompt: Prompt, text: str) -> str:
    """The id of the element the prompt shows with ``text``."""
    element = prompt.find(text=text)
    assert element is not None, f"no element showing {text!r} in the prompt"
    return str(element.id)


def complete(reason: str = "done") -> Answer:
    return {"actions": [{"action_type": "COMPLETE", "reason": reason}]}


def v1_policy(plan: Callable[[Prompt], Answer]) -> Callable[[Prompt], Answer]:
    """A skyvern-1.0 policy for ``PromptLLM``: ``plan(prompt)`` plans, goal checks say yes."""

    def policy(prompt: Prompt) -> Answer:
        if prompt.purpose == "plan":
            return plan(prompt)
        if prompt.purpose == "verify":
            return {"user_goal_achieved": True, "thoughts": "the page shows it"}
        if prompt.purpose == "error_codes":
            return {"errors": []}
        raise AssertionError(f"unexpected purpose {prompt.purpose}")

    return policy
