"""skyvern-2.0 spends at most one model call more than skyvern-1.0 on a single-block task.

Calls are counted from the run and step records, on the form (registration), login and
download (invoice) fixtures, each task run on both engines by the same messages-only
stand-in. The stand-in gives the planner the block's first actions only when the
planner's prompt offers that (a reader of the prompt could not know otherwise).
"""

from __future__ import annotations

from typing import Any

import pytest

from agent.llm.answers import fit_answer
from agent.testing import PromptLLM
from fixtures_sites.server import FixtureServer
from tests.engines.fixture_tasks import TASKS

SINGLE_BLOCK = ("form", "login", "download")


def _calls(agent: Any, run: Any) -> int:
    """Model calls from the records: the run's count, which the steps' counts are part of."""
    steps = agent.list_steps(run.run_id)
    in_steps = sum(s.llm_calls for s in steps)
    assert in_steps <= run.llm_calls
    return int(run.llm_calls)


@pytest.mark.parametrize("task", SINGLE_BLOCK)
def test_a_single_block_task_costs_at_most_one_call_more_on_v2(
    agent_for, server: FixtureServer, task: str
):
    counts = {}
    for engine in ("skyvern-1.0", "skyvern-2.0"):
        llm = PromptLLM(TASKS[task].policy())
        agent = agent_for(llm)
        run = TASKS[task].run(agent, server, engine, max_steps=5)  # checks what the site got
        counts[engine] = _calls(agent, run)
        assert counts[engine] == len(llm.calls)
        print(f"{task} {engine}: {counts[engine]} calls {[p.purpose for p in llm.prompts]}")
        if engine == "skyvern-2.0":  # the block's first step ran the planner's actions
            first = agent.list_steps(run.run_id)[0]
            assert first.llm_calls == 0 and "plan-answer" in first.artifacts
            assert first.actions and all(a["result"]["success"] for a in first.actions)
    assert counts["skyvern-2.0"] <= counts["skyvern-1.0"] + 1, counts


def test_the_planners_first_actions_are_checked_like_a_plan() -> None:
    base = {"user_goal_achieved": False, "task_type": "navigate", "plan": "send the form"}
    clicks = [{"action_type": "CLICK", "id": "9"}]
    _, problems = fit_answer("plan_v2", {**base, "actions": clicks}, element_ids={"3"})
    assert problems == [
        "action 1 (CLICK) names id '9', which is not on the page: use an id shown in [brackets]"
    ]
    answer, problems = fit_answer("plan_v2", {**base, "actions": None}, element_ids={"3"})
    assert problems == [] and answer.actions == []
    _, problems = fit_answer("plan_v2", {**base, "actions": [{"action_type": "FLY"}]})
    assert problems and "action 1" in problems[0]
