"""Pages stuck in a script loop: each hang ends its step, and no hang happens twice.

A hang costs one page timeout; what hung the page (the action running then, or the
action just before the page stopped) is named in the next prompt and never run again;
a page that freezes by itself again once opened afresh ends the run at once. The
bounds in seconds are measured by ``tests/bench/faults.py``, not asserted here.
"""

from __future__ import annotations

import pytest

from agent import RunStatus
from agent.prompt_reading import Prompt
from agent.records.runs import StepStatus
from agent.testing import PromptLLM
from fixtures_sites.server import FixtureServer
from tests.faults.stand_ins import Answer, element_id, v1_policy
from tests.faults.test_faults import _assert_no_step_running

HUNG = "The page stopped responding"


@pytest.mark.timeout(120)
def test_a_click_that_hung_the_page_is_named_and_not_run_again(fault_agent, server: FixtureServer):
    seen: list[str] = []

    def plan(prompt: Prompt) -> Answer:  # an obstinate model: it proposes the same click
        seen.append(prompt.text)
        return {"actions": [{"action_type": "CLICK", "id": element_id(prompt, "Start")}]}

    agent = fault_agent(PromptLLM(v1_policy(plan)))
    run = agent.run_task(
        "Start the report", server.url("/faults/loop_on_click.html"), engine="skyvern-1.0"
    )
    assert run.status == RunStatus.failed
    assert run.failure_reason.startswith(f"{HUNG}: the CLICK action"), run.failure_reason
    assert "was not run a second time" in run.failure_reason, run.failure_reason
    assert "'Start the report'" in run.failure_reason, run.failure_reason
    steps = _assert_no_step_running(agent, run.run_id)
    hung = [s for s in steps if s.failure_reason and s.failure_reason.startswith(HUNG)]
    clicks = [a for s in steps for a in s.actions if a.action_type.upper() == "CLICK"]
    assert len(clicks) == 1, [(s.order, s.retry_index, s.failure_reason) for s in steps]
    assert not clicks[0].result.success
    assert all(s.status == StepStatus.failed for s in hung)
    assert len(seen) == 2, "one plan before the hang, one after the fresh tab"
    assert "opened again in a fresh tab" in seen[1]
    assert "'Start the report'" in seen[1] and "will not be run again" in seen[1], seen[1]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("page", ["loop_after_load.html", "loop_in_timer.html"])
def test_a_page_that_freezes_again_once_reopened_ends_the_run_after_one_hang(
    fault_agent, server: FixtureServer, page: str
):
    def plan(prompt: Prompt) -> Answer:
        return {"actions": [{"action_type": "CLICK", "id": element_id(prompt, "Continue")}]}

    agent = fault_agent(PromptLLM(v1_policy(plan)))
    run = agent.run_task("Press Continue", server.url(f"/faults/{page}"), engine="skyvern-1.0")
    assert run.status == RunStatus.failed
    assert run.failure_reason.startswith(HUNG), run.failure_reason
    steps = _assert_no_step_running(agent, run.run_id)
    hung = [s for s in steps if s.failure_reason and s.failure_reason.startswith(HUNG)]
    assert len(hung) == 1, [(s.order, s.retry_index, s.failure_reason) for s in steps]
