"""skyvern-2.0 spends at most one model call more than skyvern-1.0 on a single-block task.

Calls are counted from the run and step records, on the form (registration), login and
download (invoice) fixtures, each task run on both engines by the same messages-only
stand-in. The stand-in gives the planner the block's first actions only when the
planner's prompt offers that (a reader of the prompt could not know otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from agent import RunStatus
from agent.llm.answers import fit_answer
from agent.testing import Prompt, PromptLLM
from fixtures_sites.server import FixtureServer
from tests.engines.policies import login_policy
from tests.engines.test_model_eye import GOAL as REGISTER_GOAL
from tests.engines.test_model_eye import SCHEMA as REGISTER_SCHEMA
from tests.engines.test_model_eye import _confirmations, registration_policy

Policy = Callable[[Prompt], Any]


def planner_too(actor: Policy, done: Callable[[Prompt], bool]) -> Policy:
    """``actor`` answers the step purposes; the 2.0 planner and validator read the page.

    The planner sends one navigate block with the whole goal; when its prompt asks for the
    block's first actions, it gives what the step policy would do on the same page.
    """

    def policy(prompt: Prompt) -> Any:
        if prompt.purpose == "plan_v2":
            answer: dict[str, Any] = {
                "user_goal_achieved": done(prompt),
                "task_type": "navigate",
                "plan": prompt.goal,
            }
            if '"actions"' in prompt.text and not done(prompt):
                answer["actions"] = actor(Prompt("plan", prompt.messages))["actions"]
            return answer
        if prompt.purpose == "validate_v2":
            verdict = actor(Prompt("verify", prompt.messages))
            return verdict if isinstance(verdict, dict) else {"user_goal_achieved": done(prompt)}
        if prompt.purpose == "summarize_v2":
            return {"description": "done", "output": None}
        return actor(prompt)

    return policy


def _register(server: FixtureServer) -> tuple[Policy, str, str, Any]:
    actor = registration_policy()

    def done(prompt: Prompt) -> bool:
        return "confirmation number" in prompt.page.lower()

    return planner_too(actor, done), REGISTER_GOAL, server.url("/register/"), REGISTER_SCHEMA


def _login(server: FixtureServer) -> tuple[Policy, str, str, Any]:
    actor = login_policy("demo", "correct-horse-battery")

    def done(prompt: Prompt) -> bool:
        return "welcome back" in prompt.page.lower()

    goal = "Log in as demo with the password correct-horse-battery"
    return planner_too(actor, done), goal, server.url("/login/"), None


def _download(server: FixtureServer) -> tuple[Policy, str, str, Any]:
    def actor(prompt: Prompt) -> Any:
        if prompt.purpose == "plan":
            if prompt.section("What you did before (oldest first)"):
                return {"actions": [{"action_type": "COMPLETE", "reason": "downloaded"}]}
            link = prompt.find(text="Download")
            assert link, f"no download control in the prompt:\n{prompt.page}"
            return {"actions": [{"action_type": "CLICK", "id": link.id}]}
        if prompt.purpose == "verify":
            return {"user_goal_achieved": True, "thoughts": "the click downloaded it"}
        raise AssertionError(f"unexpected purpose {prompt.purpose}")

    def done(prompt: Prompt) -> bool:
        return any(b.status == "completed" for b in prompt.blocks)

    return planner_too(actor, done), "Download the first invoice", server.url("/invoices/"), None


TASKS = {"form": _register, "login": _login, "download": _download}


def _check_effect(task: str, server: FixtureServer, run: Any) -> None:
    """What the site received: the form sent, the session opened, the file downloaded."""
    if task == "form":
        sent = server.wait_for_submission("/register/")
        assert sent.form["name"] == "Ada Lovelace"
        assert run.output == {"confirmation_number": _confirmations()[-1]}
    elif task == "login":
        assert any(r.path == "/login/members" for r in server.requests)
    else:
        [info] = run.downloaded_files
        assert info.checksum == server.state["invoices"]["sha256"][info.filename]


def _calls(agent: Any, run: Any) -> int:
    """Model calls from the records: the run's count, which the steps' counts are part of."""
    steps = agent.list_steps(run.run_id)
    in_steps = sum(s.llm_calls for s in steps)
    assert in_steps <= run.llm_calls
    return int(run.llm_calls)


@pytest.mark.parametrize("task", sorted(TASKS))
def test_a_single_block_task_costs_at_most_one_call_more_on_v2(
    agent_for, server: FixtureServer, task: str
):
    counts = {}
    for engine in ("skyvern-1.0", "skyvern-2.0"):
        policy, goal, url, schema = TASKS[task](server)
        llm = PromptLLM(policy)
        agent = agent_for(llm)
        run = agent.run_task(goal, url, schema, engine=engine, max_steps=5)
        assert run.status == RunStatus.completed, (engine, run.failure_reason)
        _check_effect(task, server, run)
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
