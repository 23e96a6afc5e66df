"""Messages-only policies for the fixture tasks: they read the prompt text, as a model would.

Each takes the :class:`~agent.testing.Prompt` a fake provider received (its purpose told
from the text) and answers the JSON its purpose asks for. Nothing here sees an
``Observation`` or the run: ids, labels and confirmation words come out of the prompt.
Shared by ``tests/providers`` and ``tests/bench/http_path.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent.testing import Prompt
from tests.engines.policies import fill_login

Policy = Callable[[Prompt], Any]
PRODUCT = re.compile(r"## (.+)\n(\w+) · €(\d+\.\d\d)")


def goal_details(prompt: Prompt) -> dict[str, str]:
    """``key: value`` details from the goal ("name: Chris P Bacon. email: ...")."""
    goal = prompt.goal.split("\n\n")[0].strip()
    return {
        k.lower(): v.strip() for k, v in re.findall(r"(\w+): ([^:]+?)(?=\.\s+\w+:|\.?\s*$)", goal)
    }


def _v2(prompt: Prompt, done: Callable[[Prompt], bool], task_type: str, output: Any) -> Any:
    """The skyvern-2.0 planner's, validator's and summary's answers for a one-block task."""
    if prompt.purpose == "plan_v2":
        if any(b.status == "completed" for b in prompt.blocks) and done(prompt):
            return {
                "user_goal_achieved": True,
                "thoughts": "done",
                "task_type": task_type,
                "plan": "",
            }
        return {"user_goal_achieved": False, "task_type": task_type, "plan": prompt.goal}
    if prompt.purpose == "validate_v2":
        achieved = done(prompt)
        answer = {"user_goal_achieved": achieved, "should_terminate": False}
        if prompt.schema is not None:
            answer["output"] = output(prompt) if achieved else None
        return answer
    if prompt.purpose == "summarize_v2":
        return {"description": "done, as the pages showed", "output": output(prompt)}
    return None


def _submitted(prompt: Prompt) -> bool:
    return "application submitted" in prompt.page.lower()


def apply_policy(prompt: Prompt) -> Any:
    """Fill the job application from the goal's details, submit, confirm from the page."""
    outcome = lambda p: {"application_success": _submitted(p)}  # noqa: E731
    v2 = _v2(prompt, _submitted, "navigate", outcome)
    if v2 is not None:
        return v2
    if prompt.purpose == "plan":
        if _submitted(prompt):
            return {"actions": [{"action_type": "COMPLETE", "reason": "the page confirms it"}]}
        actions = []
        for key, value in goal_details(prompt).items():
            field = prompt.find(tag="input", name=key)
            if field is not None:
                actions.append({"action_type": "INPUT_TEXT", "id": field.id, "text": value})
        button = prompt.find(tag="button", text="submit")
        assert button is not None, f"no submit button in the prompt:\n{prompt.page}"
        return {"actions": [*actions, {"action_type": "CLICK", "id": button.id}]}
    if prompt.purpose == "verify":
        answer = {"user_goal_achieved": _submitted(prompt), "thoughts": "read the page"}
        if prompt.schema is not None:
            answer["output"] = outcome(prompt)
        return answer
    if prompt.purpose == "extract":
        return outcome(prompt)
    raise AssertionError(f"unexpected purpose {prompt.purpose}")


def _products(prompt: Prompt) -> dict[str, Any]:
    listed = PRODUCT.findall(prompt.page)
    return {"products": [{"name": n, "brand": b, "price": float(p)} for n, b, p in listed]}


def _block_data(prompt: Prompt) -> Any:
    return next((b.data for b in reversed(prompt.blocks) if b.data is not None), None)


def products_policy(prompt: Prompt) -> Any:
    """Read the products the page lists into ``{"products": [{name, brand, price}]}``."""
    v2 = _v2(prompt, lambda p: _block_data(p) is not None, "extract", _block_data)
    if v2 is not None:
        return v2
    if prompt.purpose == "plan":
        return {"actions": [{"action_type": "EXTRACT", "reasoning": "the list is on this page"}]}
    if prompt.purpose == "extract":
        return _products(prompt)
    if prompt.purpose == "verify":
        return {"user_goal_achieved": True, "output": _products(prompt)}
    raise AssertionError(f"unexpected purpose {prompt.purpose}")


def login_policy(username: str, password: str) -> Policy:
    """Sign in with these credentials; done when the page welcomes the user."""

    def welcomed(prompt: Prompt) -> bool:
        return "welcome back" in prompt.page.lower()

    def policy(prompt: Prompt) -> Any:
        v2 = _v2(prompt, welcomed, "navigate", lambda p: None)
        if v2 is not None:
            return v2
        if prompt.purpose == "plan":
            if welcomed(prompt):
                return {"actions": [{"action_type": "COMPLETE", "reason": "welcomed"}]}
            return fill_login(prompt, username, password)
        if prompt.purpose == "verify":
            return {"user_goal_achieved": welcomed(prompt), "thoughts": "read the page"}
        raise AssertionError(f"unexpected purpose {prompt.purpose}")

    return policy


APPLY_GOAL = (
    "Apply for a job on behalf of this person: name: Chris P Bacon. email: chris@pbacon.com"
)
APPLY_SCHEMA = {"type": "object", "properties": {"application_success": {"type": "boolean"}}}
PRODUCTS_GOAL = "Read the products on this page: name, brand and price of each"
PRODUCTS_SCHEMA = {
    "type": "object",
    "properties": {
        "products": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "brand": {"type": "string"},
                    "price": {"type": "number"},
                },
            },
        }
    },
}
LOGIN_GOAL = "Sign in as demo and reach the members page"


@dataclass(frozen=True)
class FixtureTask:
    """A fixture-site task with the policy that does it from the prompt alone."""

    name: str
    path: str
    goal: str
    schema: Any
    policy: Policy


TASKS = (
    FixtureTask("lever apply", "/lever/apply", APPLY_GOAL, APPLY_SCHEMA, apply_policy),
    FixtureTask(
        "products extraction", "/products/", PRODUCTS_GOAL, PRODUCTS_SCHEMA, products_policy
    ),
    FixtureTask(
        "login", "/login/", LOGIN_GOAL, None, login_policy("demo", "correct-horse-battery")
    ),
)
