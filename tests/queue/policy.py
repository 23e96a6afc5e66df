"""The model double the queue tests' workers load by name (``--llm-factory``).

It reads only the messages sent to the model, as a real model would: the goal and the
page text in the prompt decide the answer. A goal that says "keep waiting" waits one
step after another (a long run, to cancel or to kill); any other goal extracts the
product list from the page text.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from agent.llm import LLMRequest
from agent.testing import FunctionLLM

PRODUCT = re.compile(r"## (.+)\n(\w+) · €(\d+\.\d\d)")
_waits = itertools.count()


def prompt_text(request: LLMRequest) -> str:
    """All text parts of the messages, joined."""
    parts: list[str] = []
    for message in request.messages:
        content = message["content"]
        if isinstance(content, str):
            parts.append(content)
        else:
            parts += [p.get("text", "") for p in content if p.get("type") == "text"]
    return "\n".join(parts)


def queue_policy(request: LLMRequest) -> Any:
    text = prompt_text(request)
    if request.purpose == "plan":
        if "keep waiting" in text.lower():  # a new length each time: not a loop on one action
            seconds = 0.4 + (next(_waits) % 20) / 100
            return {"actions": [{"action_type": "WAIT", "seconds": seconds, "reasoning": "asked"}]}
        return {"actions": [{"action_type": "EXTRACT", "reasoning": "the list is on the page"}]}
    if request.purpose == "extract":
        return {
            "products": [
                {"name": n, "brand": b, "price": float(p)} for n, b, p in PRODUCT.findall(text)
            ]
        }
    if request.purpose == "verify":
        return {"user_goal_achieved": False, "thoughts": "still waiting"}
    raise AssertionError(f"unexpected purpose {request.purpose}")


def make_llm() -> FunctionLLM:
    """The double, for ``agent worker --llm-factory tests.queue.policy:make_llm``."""
    return FunctionLLM(queue_policy)
