"""skyvern-2.0 never completes on an answer page that only looks finished.

The booking site (``fixtures_sites/lookalike``) confirms the booking for someone else, or
shows a success banner above a form error. The stand-in reads only the prompts: its
planner and navigator are hasty (any "confirmed" or "success" is done, as a careless
model might say), its validator judges as a careful reader would: a confirmation naming
the goal's person, with no error on the page. The engine must side with the validator,
however few calls its single-block path spends.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest

from agent import RunStatus
from agent.testing import Prompt, PromptLLM
from agent.workflows.goal_details import details_from_prompt
from fixtures_sites.server import FixtureServer

GOAL = "Book a table for two: name: Alice Moreau. email: alice@example.com"
SCHEMA = {
    "type": "object",
    "required": ["booking_reference"],
    "properties": {"booking_reference": {"type": ["string", "null"]}},
}
REFERENCE = re.compile(r"BK-\d{4}")


def _references() -> list[str]:
    return sys.modules["_fixture_routes_lookalike"].REFERENCES


def _looks_done(prompt: Prompt) -> bool:
    page = prompt.page.lower()
    return "confirmed" in page or "success" in page


def _really_done(prompt: Prompt) -> bool:
    page = prompt.page
    name = details_from_prompt(GOAL)["name"]
    return "Booking confirmed" in page and name in page and "error" not in page.lower()


def _fill(prompt: Prompt) -> list[dict[str, Any]]:
    details = details_from_prompt(GOAL)
    name, email = prompt.find(tag="input", name="name"), prompt.find(name="email")
    button = prompt.find(tag="button", text="book table")
    assert name and email and button, f"no booking form in the prompt:\n{prompt.page}"
    return [
        {"action_type": "INPUT_TEXT", "id": name.id, "text": details["name"]},
        {"action_type": "INPUT_TEXT", "id": email.id, "text": details["email"]},
        {"action_type": "CLICK", "id": button.id},
    ]


def hasty_booker(prompt: Prompt) -> Any:
    """Hasty planner and navigator, careful validator; see the module docstring."""
    purpose = prompt.purpose
    if purpose == "plan":
        if _looks_done(prompt):
            return {"actions": [{"action_type": "COMPLETE", "reason": "it says confirmed"}]}
        return {"actions": _fill(prompt)}
    if purpose == "plan_v2":
        answer: dict[str, Any] = {
            "user_goal_achieved": _looks_done(prompt),
            "task_type": "navigate",
            "plan": GOAL,
        }
        if '"actions"' in prompt.text and not _looks_done(prompt):
            answer["actions"] = _fill(prompt)
        return answer
    if purpose == "validate_v2":
        done = _really_done(prompt)
        verdict: dict[str, Any] = {"user_goal_achieved": done, "thoughts": "read the page"}
        if done:
            found = REFERENCE.search(prompt.page)
            verdict["output"] = {"booking_reference": found.group(0) if found else None}
        return verdict
    if purpose == "summarize_v2":
        return {"description": "stopped", "output": {"booking_reference": None}}
    if purpose == "error_codes":
        return {"errors": []}
    raise AssertionError(f"unexpected purpose {purpose}")


def test_a_real_confirmation_completes_with_its_reference(agent_for, server: FixtureServer):
    llm = PromptLLM(hasty_booker)
    run = agent_for(llm).run_task(GOAL, server.url("/lookalike/"), SCHEMA, max_steps=4)
    assert run.status == RunStatus.completed, run.failure_reason
    assert run.output == {"booking_reference": _references()[-1]}
    assert server.wait_for_submission("/lookalike/").form["name"] == "Alice Moreau"
    assert [p.purpose for p in llm.prompts] == ["plan_v2", "plan", "validate_v2"]


@pytest.mark.parametrize(
    ("variant", "shown"),
    [("other-person", "Bob Tanaka"), ("banner-error", "fully booked")],
)
def test_a_page_that_only_looks_finished_does_not_complete(
    agent_for, server: FixtureServer, variant: str, shown: str
):
    llm = PromptLLM(hasty_booker)
    run = agent_for(llm).run_task(
        GOAL, server.url(f"/lookalike/?variant={variant}"), SCHEMA, max_steps=4
    )
    assert run.status == RunStatus.failed, run.output
    assert run.failure_reason, "a failed run says why"
    assert run.output in (None, {"booking_reference": None})
    sent = server.submissions_to("/lookalike/")
    assert sent and sent[0].form["name"] == "Alice Moreau"
    checks = llm.prompts_for("validate_v2")
    assert checks, "the hasty COMPLETE was never checked"
    assert all(shown in check.page for check in checks)
