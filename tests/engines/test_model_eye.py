"""What a model can only know from the page: a confirmation number, and pages that only look done.

The stand-ins here read nothing but the prompts (``PromptLLM``). The registration site
hands out a new confirmation number on every submission, so a run's output can only be
right if the number reached a prompt; and two answer pages look finished ("Thank you",
"Registration complete") while the form failed or confirms someone else.
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

GOAL = "Register for the conference: name: Ada Lovelace. email: ada@example.org"
SCHEMA = {
    "type": "object",
    "required": ["confirmation_number"],
    "properties": {"confirmation_number": {"type": ["string", "null"]}},
}
NUMBER = re.compile(r"RG-\d{5}-[A-Z]")


def _confirmations() -> list[str]:
    return sys.modules["_fixture_routes_register"].CONFIRMATIONS


def registration_policy(*, naive_planner: bool = False) -> Any:
    """Fill and send the form; judge success only by a confirmation for the goal's person.

    ``naive_planner`` makes the step planner call any "thank you" or "complete" page done,
    as a hasty model might: the engine's check must still catch it.
    """

    def really_done(prompt: Prompt) -> bool:
        page = prompt.page
        name = details_from_prompt(GOAL)["name"]
        return "confirmation number" in page.lower() and name in page

    def output(prompt: Prompt) -> dict[str, Any]:
        found = NUMBER.search(prompt.page)
        return {"confirmation_number": found.group(0) if found else None}

    def looks_done(prompt: Prompt) -> bool:
        page = prompt.page.lower()
        return really_done(prompt) or (
            naive_planner and ("thank you" in page or "registration complete" in page)
        )

    def policy(prompt: Prompt) -> Any:
        purpose = prompt.purpose
        if purpose == "plan":
            if looks_done(prompt):
                return {"actions": [{"action_type": "COMPLETE", "reason": "it says so"}]}
            details = details_from_prompt(prompt.goal or GOAL)
            name, email = prompt.find(tag="input", name="name"), prompt.find(name="email")
            button = prompt.find(tag="button", text="register")
            assert name and email and button, f"no form in the prompt:\n{prompt.page}"
            return {
                "actions": [
                    {"action_type": "INPUT_TEXT", "id": name.id, "text": details["name"]},
                    {"action_type": "INPUT_TEXT", "id": email.id, "text": details["email"]},
                    {"action_type": "CLICK", "id": button.id},
                ]
            }
        if purpose in ("verify", "validate_v2"):
            done = really_done(prompt)
            answer: dict[str, Any] = {"user_goal_achieved": done, "thoughts": "read the page"}
            if done and prompt.schema:
                answer["output"] = output(prompt)
            return answer
        if purpose == "extract":
            return output(prompt)
        if purpose == "plan_v2":
            return {
                "user_goal_achieved": really_done(prompt),
                "task_type": "navigate",
                "plan": GOAL,
            }
        if purpose == "summarize_v2":
            return {"description": "registered", "output": output(prompt)}
        if purpose == "error_codes":
            return {"errors": []}
        raise AssertionError(f"unexpected purpose {purpose}")

    return policy


@pytest.mark.parametrize("engine", ["skyvern-1.0", "skyvern-2.0"])
def test_the_output_is_what_only_the_final_page_showed(agent_for, server: FixtureServer, engine):
    llm = PromptLLM(registration_policy())
    run = agent_for(llm).run_task(
        GOAL, server.url("/register/"), SCHEMA, engine=engine, max_steps=4
    )
    assert run.status == RunStatus.completed, run.failure_reason
    handed_out = _confirmations()[-1]
    assert run.output == {"confirmation_number": handed_out}
    # the number reached the model only through the page, in the call that ended the run
    last = llm.prompts[-1]
    assert last.purpose == ("verify" if engine == "skyvern-1.0" else "validate_v2")
    assert handed_out in last.page
    assert run.llm_calls == (3 if engine == "skyvern-1.0" else 4)


@pytest.mark.parametrize("variant", ["banner", "someone-else"])
@pytest.mark.parametrize("engine", ["skyvern-1.0", "skyvern-2.0"])
def test_pages_that_only_look_finished_do_not_complete(
    agent_for, server: FixtureServer, engine, variant
):
    llm = PromptLLM(registration_policy(naive_planner=True))
    run = agent_for(llm).run_task(
        GOAL, server.url(f"/register/?variant={variant}"), SCHEMA, engine=engine, max_steps=3
    )
    assert run.status == RunStatus.failed, run.output
    assert run.failure_reason.startswith("Max steps exceeded"), run.failure_reason
    assert len(server.submissions_to("/register/")) >= 1
    checks = llm.prompts_for("verify" if engine == "skyvern-1.0" else "validate_v2")
    assert checks, "the hasty COMPLETE was never checked"
    shown = "already registered" if variant == "banner" else "Jordan Smith"
    assert all(shown in check.page for check in checks)
