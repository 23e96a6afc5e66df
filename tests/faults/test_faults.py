"""The fault suite: pages and browsers that try to hang, flood or kill a run.

Each run must end with the right status and an actionable ``failure_reason``, with no
step left running. The bound on how long each may take is the test's timeout (these
tests never assert wall-clock windows).
"""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest

from agent import RunStatus
from agent.browser.lifecycle.watchdog import MAX_TABS
from agent.prompt_reading import Prompt
from agent.records.runs import StepStatus
from agent.stores import MemoryStore
from agent.testing import PromptLLM
from fixtures_sites.server import FixtureServer
from tests.faults.browser_faults import browser_processes, crash_active_page, kill_browsers
from tests.faults.stand_ins import Answer, complete, element_id, v1_policy

FINAL_STEP = {StepStatus.completed, StepStatus.failed, StepStatus.canceled}


def _assert_no_step_running(agent: Any, run_id: str) -> list[Any]:
    steps = agent.list_steps(run_id)
    assert all(s.status in FINAL_STEP for s in steps), [(s.order, s.status) for s in steps]
    return steps


@pytest.mark.timeout(180)
@pytest.mark.parametrize("engine", ["skyvern-1.0", "skyvern-2.0"])
def test_a_script_loop_after_load_ends_the_run_failed(fault_agent, server: FixtureServer, engine):
    def policy(prompt: Prompt) -> Answer:
        if prompt.purpose == "plan_v2":
            return {
                "user_goal_achieved": False,
                "should_terminate": False,
                "task_type": "navigate",
                "plan": "press Continue",
            }
        return v1_policy(lambda p: complete())(prompt)

    agent = fault_agent(PromptLLM(policy))
    run = agent.run_task(
        "Press Continue", server.url("/faults/loop_after_load.html"), engine=engine
    )
    assert run.status == RunStatus.failed
    assert run.failure_reason.startswith("The page stopped responding"), run.failure_reason
    for step in _assert_no_step_running(agent, run.run_id):
        assert step.status == StepStatus.failed
        assert step.failure_reason.startswith("The page stopped responding")


@pytest.mark.timeout(180)
def test_a_loop_in_a_click_handler_ends_the_step_and_the_run_goes_on_in_a_fresh_page(
    fault_agent, server: FixtureServer
):
    seen: list[str] = []

    def plan(prompt: Prompt) -> Answer:
        seen.append(prompt.text)
        if len(seen) == 1:
            return {"actions": [{"action_type": "CLICK", "id": element_id(prompt, "Start")}]}
        return complete("the page is back")

    agent = fault_agent(PromptLLM(v1_policy(plan)))
    run = agent.run_task(
        "Start the report", server.url("/faults/loop_on_click.html"), engine="skyvern-1.0"
    )
    assert run.status == RunStatus.completed, run.failure_reason
    first, *rest = _assert_no_step_running(agent, run.run_id)
    assert first.status == StepStatus.failed
    assert first.failure_reason.startswith("The page stopped responding: the CLICK action")
    assert rest and rest[-1].status == StepStatus.completed
    assert "opened again in a fresh tab" in seen[1]
    assert "Start the report" in seen[1], "the fresh tab shows the same page"


@pytest.mark.timeout(240)
def test_a_popup_storm_is_held_to_the_tab_limit(fault_agent, server: FixtureServer):
    seen: list[str] = []

    def plan(prompt: Prompt) -> Answer:
        seen.append(prompt.text)
        return complete()

    agent = fault_agent(PromptLLM(v1_policy(plan)))
    run = agent.run_task(
        "Look around", server.url("/faults/popup_storm.html"), engine="skyvern-1.0"
    )
    assert run.status == RunStatus.completed, run.failure_reason
    _assert_no_step_running(agent, run.run_id)
    listing = next(line for line in seen[0].splitlines() if "Open tabs:" in line)
    tabs = re.findall(r"\[\d+\] ", listing)
    assert 1 < len(tabs) <= MAX_TABS, seen[0]


@pytest.mark.timeout(180)
def test_a_dialog_storm_does_not_stop_the_run(fault_agent, server: FixtureServer):
    seen: list[str] = []

    def plan(prompt: Prompt) -> Answer:
        seen.append(prompt.page)
        return complete("the page was read between the alerts")

    agent = fault_agent(PromptLLM(v1_policy(plan)))
    run = agent.run_task(
        "Read the page", server.url("/faults/dialog_storm.html"), engine="skyvern-1.0"
    )
    assert run.status == RunStatus.completed, run.failure_reason
    _assert_no_step_running(agent, run.run_id)
    assert "This page shows an alert after every alert" in seen[0]


@pytest.mark.timeout(180)
def test_a_renderer_crash_ends_the_run_failed_with_the_cause(fault_agent, server: FixtureServer):
    holder: dict[str, Any] = {}

    def plan(prompt: Prompt) -> Answer:
        crash_active_page(holder["agent"])
        return {"actions": [{"action_type": "WAIT", "seconds": 2}]}

    agent = holder["agent"] = fault_agent(PromptLLM(v1_policy(plan)))
    run = agent.run_task("Wait", server.url("/faults/steady.html"), engine="skyvern-1.0")
    assert run.status == RunStatus.failed
    browser = agent.launched_browser
    if browser is not None and not browser.is_connected():
        # Seen once on a loaded machine: Chromium's browser process went down with the
        # renderer. Then the truthful cause is the lost browser, and the run must say so.
        assert run.failure_reason.startswith("The browser closed"), run.failure_reason
    else:
        assert run.failure_reason.startswith("The page crashed"), run.failure_reason
    steps = _assert_no_step_running(agent, run.run_id)
    assert steps[-1].failure_reason == run.failure_reason


@pytest.mark.timeout(180)
def test_a_killed_browser_ends_the_run_failed_and_the_next_run_gets_a_new_one(
    fault_agent, server: FixtureServer
):
    before = browser_processes()
    calls: list[str] = []

    def plan(prompt: Prompt) -> Answer:
        calls.append(prompt.text)
        if len(calls) == 1:
            kill_browsers(browser_processes() - before)  # this Agent's browser only
            return {"actions": [{"action_type": "CLICK", "id": element_id(prompt, "Continue")}]}
        return complete()

    agent = fault_agent(PromptLLM(v1_policy(plan)))
    run = agent.run_task("Press Continue", server.url("/faults/steady.html"), engine="skyvern-1.0")
    assert run.status == RunStatus.failed
    assert run.failure_reason.startswith("The browser closed unexpectedly"), run.failure_reason
    _assert_no_step_running(agent, run.run_id)
    again = agent.run_task("Look", server.url("/faults/steady.html"), engine="skyvern-1.0")
    assert again.status == RunStatus.completed, again.failure_reason


@pytest.mark.timeout(120)
def test_close_returns_while_a_page_hangs_and_ends_the_run(fault_agent, server: FixtureServer):
    planning = threading.Event()

    def plan(prompt: Prompt) -> Answer:
        planning.set()
        return {"actions": [{"action_type": "CLICK", "id": element_id(prompt, "Start")}]}

    store = MemoryStore()
    agent = fault_agent(PromptLLM(v1_policy(plan)), store=store, page_timeout=600)
    started = agent.run_task(
        "Start the report",
        server.url("/faults/loop_on_click.html"),
        engine="skyvern-1.0",
        wait=False,
    )
    assert planning.wait(60), "the run never planned"
    closer = threading.Thread(target=agent.close)
    closer.start()
    closer.join(60)
    assert not closer.is_alive(), "close() did not return while the page hung"
    run = store.get_run(started.run_id)
    assert run.status == RunStatus.canceled
    assert all(s.status in FINAL_STEP for s in store.list_steps(run.run_id))
