"""Engine skyvern-2.0 end to end: real Chromium, the job board fixture, model doubles.

The stand-ins play planner, validator, navigator and extractor by reading only the
prompts they are sent (``PromptLLM``), never from fixed ids or the library's structured
page, so a fact missing from a prompt, a wrong page or a wrong block shows up as a wrong
answer, not as a passing mock.
"""

from __future__ import annotations

import threading
from typing import Any

from agent import RunStatus, StepStatus
from agent.testing import Prompt, PromptLLM, offline_llm
from fixtures_sites.server import FixtureServer
from tests.engines.jobboard_policy import (
    PAGE_ONE_SALARIES,
    PAGE_ONE_TITLES,
    SALARIES_SCHEMA,
    TITLES_SCHEMA,
    jobboard_policy,
)

SEED_PROMPT = (
    "Apply for a job on behalf of this person: name: Chris P Bacon. email: chris@pbacon.com"
)
SEED_SCHEMA = {"type": "object", "properties": {"application_success": {"type": "boolean"}}}


# -- the tests -----------------------------------------------------------------------------------


def test_navigate_then_extract(agent_for, server: FixtureServer):
    llm = PromptLLM(jobboard_policy("engineer", "titles"))
    run = agent_for(llm).run_task(
        "Search the job board for 'engineer' and list the job titles on the first results page",
        server.url("/jobboard/"),
        TITLES_SCHEMA,
        engine="skyvern-2.0",
        max_steps=6,
    )
    assert run.status == RunStatus.completed, run.failure_reason
    assert run.output == {"titles": PAGE_ONE_TITLES}
    assert [r.query for r in server.requests if r.path == "/jobboard/search"] == [{"q": "engineer"}]
    assert [(b["task_type"], b["status"]) for b in run.blocks] == [
        ("navigate", "completed"),
        ("extract", "completed"),
    ]
    # plan_v2, plan (search), plan (COMPLETE), validate_v2 (a block's COMPLETE is not
    # verified separately: the validator follows at once), plan_v2, extract, validate_v2
    # (which gives the output read from the final page and the blocks' data)
    assert run.llm_calls == len(llm.calls) == 7
    assert "verify" not in [c.purpose for c in llm.calls]
    assert [c.purpose for c in llm.calls].count("plan_v2") == 2


def test_loop_over_detail_pages(agent_for, server: FixtureServer):
    llm = PromptLLM(jobboard_policy("engineer", "salaries"))
    run = agent_for(llm).run_task(
        "Get the title and salary of each job on this results page",
        server.url("/jobboard/search?q=engineer"),
        SALARIES_SCHEMA,
        max_steps=6,
    )
    assert run.status == RunStatus.completed, run.failure_reason
    assert run.output == {"jobs": PAGE_ONE_SALARIES}
    visited = [r.path for r in server.requests if r.path.startswith("/jobboard/job/")]
    assert visited == ["/jobboard/job/101", "/jobboard/job/103", "/jobboard/job/104"]
    (loop,) = run.blocks
    assert loop["task_type"] == "loop" and loop["status"] == "completed"
    assert loop["output"] == PAGE_ONE_SALARIES
    # the validator is shown the data the blocks gathered, not only the page it ends on
    (check,) = llm.prompts_for("validate_v2")
    assert all(job["salary"] in check.text for job in PAGE_ONE_SALARIES)
    assert "EUR 72,000" not in check.page
    # each item's loop is told which item it is on
    item_goals = [p.goal for p in llm.prompts_for("plan")]
    assert [g.rsplit("The item: ", 1)[1] for g in item_goals] == PAGE_ONE_TITLES


def test_loop_over_items_without_links_starts_each_from_the_list(agent_for, server):
    llm = PromptLLM(jobboard_policy("engineer", "salaries", links=False))
    run = agent_for(llm).run_task(
        "Get the title and salary of each job on this results page",
        server.url("/jobboard/search?q=engineer"),
        SALARIES_SCHEMA,
        max_steps=8,
    )
    assert run.status == RunStatus.completed, run.failure_reason
    assert run.output == {"jobs": PAGE_ONE_SALARIES}
    assert run.step_count == 7  # the listing, then CLICK + EXTRACT per job


def test_impossible_goal_terminates(agent_for, server: FixtureServer):
    llm = PromptLLM(jobboard_policy("astronaut", "titles"))
    run = agent_for(llm).run_task(
        "Search the job board for 'astronaut' and list the job titles found",
        server.url("/jobboard/"),
        TITLES_SCHEMA,
        max_steps=5,
        error_code_mapping={"NO_SUCH_JOB": "The board has no such job"},
    )
    assert run.status == RunStatus.terminated
    assert run.failure_reason == "No job matches 'astronaut' on the board."
    assert run.output == {"error": "NO_SUCH_JOB"}
    assert [e["error_code"] for e in run.errors] == ["NO_SUCH_JOB"]
    assert not llm.calls_for("summarize_v2")


def test_step_budget_runs_out_with_partial_output(agent_for, server: FixtureServer):
    llm = PromptLLM(jobboard_policy("engineer", "salaries"))
    run = agent_for(llm).run_task(
        "Get the title and salary of each job on this results page",
        server.url("/jobboard/search?q=engineer"),
        SALARIES_SCHEMA,
        max_steps=3,
    )
    assert run.status == RunStatus.failed
    assert run.failure_reason.startswith("Max steps exceeded"), run.failure_reason
    assert run.output == {"jobs": PAGE_ONE_SALARIES[:2]}  # the listing took one step
    assert [e["error_code"] for e in run.errors] == ["REACH_MAX_STEPS"]
    (loop,) = run.blocks
    assert loop["status"] == "failed" and "2 of 3 items" in loop["result"]
    assert not llm.calls_for("validate_v2")  # a cut-short loop is not sent to the validator
    assert run.step_count == 3


def test_without_url_the_model_picks_the_start_page(agent_for, server: FixtureServer):
    start = server.url("/jobboard/")
    llm = PromptLLM(jobboard_policy("engineer", "titles", start_url=start))
    run = agent_for(llm).run_task(
        "Find engineer jobs on the local job board and list the titles on the first page",
        data_extraction_schema=TITLES_SCHEMA,
        max_steps=6,
    )
    assert run.status == RunStatus.completed, run.failure_reason
    assert run.output == {"titles": PAGE_ONE_TITLES}
    assert run.run_request.url == start and run.title == "engineer jobs"
    assert llm.calls[0].purpose == "generate_url"


def test_default_engine_is_v2_and_applies_for_the_seed_job(agent_for, server: FixtureServer):
    llm = offline_llm()
    run = agent_for(llm).run_task(SEED_PROMPT, server.url("/lever/apply"), SEED_SCHEMA, max_steps=5)
    assert run.run_type == "task_v2" and run.run_id.startswith("tsk_v2_")
    assert run.status == RunStatus.completed, run.failure_reason
    assert run.output == {"application_success": True}
    sent = server.wait_for_submission("/lever/apply")
    assert sent.form["name"] == "Chris P Bacon" and sent.form["email"] == "chris@pbacon.com"
    # plan_v2, plan (fill + submit), plan (COMPLETE), validate_v2 (with the output)
    assert run.llm_calls == len(llm.calls) == 4


def test_v1_gives_the_same_outputs_with_fewer_calls(agent_for, server: FixtureServer):
    """The same doubles through skyvern-1.0, to compare the call counts with the tests above."""
    seed = agent_for(offline_llm()).run_task(
        SEED_PROMPT, server.url("/lever/apply"), SEED_SCHEMA, engine="skyvern-1.0", max_steps=5
    )
    assert seed.status == RunStatus.completed, seed.failure_reason
    assert seed.output == {"application_success": True}
    titles = agent_for(PromptLLM(jobboard_policy("engineer", "titles"))).run_task(
        "Search the job board for 'engineer' and list the job titles on the first results page",
        server.url("/jobboard/"),
        TITLES_SCHEMA,
        engine="skyvern-1.0",
        max_steps=6,
    )
    assert titles.status == RunStatus.completed, titles.failure_reason
    assert titles.output == {"titles": PAGE_ONE_TITLES}
    # seed: plan, plan, verify (with the output); titles: plan (search), plan (COMPLETE), verify
    assert (seed.llm_calls, titles.llm_calls) == (3, 3)  # 2.0: 4 and 7


def test_steps_of_every_block_in_order(agent_for, server: FixtureServer):
    agent = agent_for(PromptLLM(jobboard_policy("engineer", "salaries")))
    run = agent.run_task(
        "Search the job board for 'engineer' and get the title and salary of each job on the "
        "first results page",
        server.url("/jobboard/"),
        SALARIES_SCHEMA,
        max_steps=8,
    )
    assert run.status == RunStatus.completed, run.failure_reason
    assert run.output == {"jobs": PAGE_ONE_SALARIES}
    steps = agent.list_steps(run.run_id)
    # navigate: search, COMPLETE; loop: the listing, then one step per job
    assert [(s.order, s.block) for s in steps] == [(0, 0), (1, 0), (2, 1), (3, 1), (4, 1), (5, 1)]
    assert all(s.status == StepStatus.completed and s.task_id == run.run_id for s in steps)
    assert [s.is_last for s in steps] == [False] * 5 + [True]  # one last step per run
    assert [a["action_type"] for s in steps for a in s.actions] == [
        "INPUT_TEXT",
        "CLICK",
        "COMPLETE",
        "EXTRACT",
        "EXTRACT",
        "EXTRACT",
        "EXTRACT",
    ]
    assert run.step_count == 6
    assert [(b["index"], b["task_type"], b["status"]) for b in run.blocks] == [
        (0, "navigate", "completed"),
        (1, "loop", "completed"),
    ]
    assert run.blocks[0]["goal"] == "Search the job board for the keyword 'engineer'"
    assert agent.get_run(run.run_id).blocks == run.blocks


def test_cancel_between_blocks(agent_for, server: FixtureServer):
    reached, resume = threading.Event(), threading.Event()
    inner = jobboard_policy("engineer", "salaries")

    def policy(prompt: Prompt) -> Any:
        if prompt.purpose == "validate_v2":  # the first block is done: hold the run here
            reached.set()
            assert resume.wait(30), "the test never let the run go on"
        return inner(prompt)

    llm = PromptLLM(policy)
    agent = agent_for(llm)
    started = agent.run_task(
        "Search the job board for 'engineer' and get the title and salary of each job on the "
        "first results page",
        server.url("/jobboard/"),
        SALARIES_SCHEMA,
        max_steps=8,
        wait=False,
    )
    assert started.status in (RunStatus.created, RunStatus.queued, RunStatus.running)
    assert reached.wait(60), "the run never finished its first block"
    assert agent.cancel_run(started.run_id).status == RunStatus.canceled
    resume.set()
    run = agent.wait(started.run_id, timeout=30)
    assert run.status == RunStatus.canceled
    assert [b["task_type"] for b in run.blocks] == ["navigate"]
    assert {s.block for s in agent.list_steps(run.run_id)} == {0}
    assert len(llm.calls_for("plan_v2")) == 1 and not llm.calls_for("summarize_v2")


def test_a_block_ending_on_a_mapped_error_code_ends_the_run(agent_for, server: FixtureServer):
    from tests.engines.policies import login_policy

    inner = login_policy("demo", "wrong-password-123")

    def planner(prompt):
        if prompt.purpose == "plan_v2":
            return {"user_goal_achieved": False, "task_type": "navigate", "plan": prompt.goal}
        return inner(prompt)

    llm = PromptLLM(planner)
    run = agent_for(llm).run_task(
        "Log in as demo with password wrong-password-123",
        server.url("/login/"),
        error_code_mapping={"LOGIN_FAILED": "The username or password is wrong"},
    )
    assert run.status == RunStatus.terminated
    assert run.output == {"error": "LOGIN_FAILED"}
    assert [e["error_code"] for e in run.errors] == ["LOGIN_FAILED"]
    assert len(llm.calls_for("plan_v2")) == 1  # not re-planned
