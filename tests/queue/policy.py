"""The model stand-in the queue tests' workers load by name (``--llm-factory``).

A :class:`~agent.testing.PromptLLM`: it reads only the prompt sent, as a real model
would. A goal that says "keep waiting" waits one step after another (a long run, to
cancel or to kill); any other goal extracts the product list from the page text (the
same policy as the engine tests').
"""

from __future__ import annotations

import itertools
from typing import Any

from agent.testing import Prompt, PromptLLM
from tests.engines.policies import product_policy

_waits = itertools.count()


def queue_policy(prompt: Prompt) -> Any:
    if "keep waiting" in prompt.goal.lower():
        if prompt.purpose == "plan":  # a new length each time: not a loop on one action
            seconds = 0.4 + (next(_waits) % 20) / 100
            return {"actions": [{"action_type": "WAIT", "seconds": seconds, "reasoning": "asked"}]}
        return {"user_goal_achieved": False, "thoughts": "still waiting"}
    return product_policy(prompt)


def make_llm() -> PromptLLM:
    """The stand-in, for ``agent worker --llm-factory tests.queue.policy:make_llm``."""
    return PromptLLM(queue_policy)
