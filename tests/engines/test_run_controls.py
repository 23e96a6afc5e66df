"""Run controls: a wall clock (timed_out), a spending and a token limit, a person in the loop,
and the user's own tools, end to end on fixture sites with messages-only stand-ins."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time

import pytest

from agent import RunStatus
from agent.records.errors import InvalidRequestError, UsageError
from agent.testing import PromptLLM
from tests.engines.hosted_support import GREETING, find

SIGN_IN = "Sign in as demo"


def waiting_policy():
    """Wait a little every step, never finishing (each wait a different length: no loop)."""
    seconds = itertools.count(10)

    def policy(request):
        return {"actions": [{"action_type": "WAIT", "seconds": next(seconds) / 10}]}

    return policy


def wait_until(agent, run_id, status, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = agent.get_run(run_id)
        if run.status == status:
            return run
        assert not run.status.is_final, f"run ended {run.status}: {run.failure_reason}"
        time.sleep(0.05)
    raise AssertionError(f"run never became {status}")


def _contexts(agent) -> int:
    browser = agent.launched_browser
    return len(browser.contexts) if browser is not None else 0


# -- the wall clock --------------------------------------------------------------------------------


def test_a_run_past_its_wall_clock_limit_ends_timed_out_with_steps_kept(agent_for, server):
    agent = agent_for(PromptLLM(waiting_policy()))
    run = agent.run_task(
        "Wait forever",
        server.url("/login/"),
        engine="skyvern-1.0",
        max_steps=50,
        timeout_seconds=6,  # long enough for the first step to start on a busy machine
    )
    assert run.status == "timed_out"
    assert run.failure_reason.startswith("Timed out: the run passed its wall-clock limit of 6")
    steps = agent.list_steps(run.run_id)
    assert steps
    assert {s.status for s in steps} <= {"completed", "failed"}  # none left running
    assert run.finished_at is not None and _contexts(agent) == 0  # the browser context is closed


def test_the_agent_default_wall_clock_applies_and_the_request_wins(agent_for, server):
    agent = agent_for(PromptLLM(waiting_policy()), run_timeout_seconds=1.5)
    run = agent.run_task("Wait", server.url("/login/"), engine="skyvern-1.0", max_steps=50)
    assert run.status == RunStatus.timed_out and "1.5 seconds" in run.failure_reason
    longer = agent.run_task(
        "Wait", server.url("/login/"), engine="skyvern-1.0", max_steps=3, timeout_seconds=300
    )
    assert longer.status == RunStatus.failed and longer.failure_reason.startswith("Max steps")


# -- spending and token limits --------------------------------------------------------------------


def test_max_cost_stops_before_the_call_that_would_pass_it(agent_for, server):
    llm = PromptLLM(waiting_policy(), priced_as="gpt-4o")  # tokens cost gpt-4o's prices
    agent = agent_for(llm)
    run = agent.run_task(
        "Wait", server.url("/login/"), engine="skyvern-1.0", max_steps=50, max_cost=0.02
    )
    assert run.status == RunStatus.failed
    assert run.failure_reason.startswith("Spending limit reached")
    assert "max_cost=$0.02" in run.failure_reason
    assert 0 < run.total_cost <= 0.02
    assert run.llm_calls >= 2  # it did work until the limit
    assert [e["error_code"] for e in run.errors] == ["REACH_MAX_COST"]


def test_max_total_tokens_stops_a_model_without_prices(agent_for, server):
    agent = agent_for(PromptLLM(waiting_policy()))
    run = agent.run_task(
        "Wait", server.url("/login/"), engine="skyvern-1.0", max_steps=50, max_total_tokens=5000
    )
    assert run.status == RunStatus.failed and run.failure_reason.startswith("Token limit reached")
    assert run.input_token_count + run.output_token_count <= 5000
    assert [e["error_code"] for e in run.errors] == ["REACH_MAX_TOKENS"]


def test_max_cost_on_a_model_without_prices_says_to_use_a_token_limit(agent_for, server):
    agent = agent_for(PromptLLM(waiting_policy()))
    run = agent.run_task("Wait", server.url("/login/"), engine="skyvern-1.0", max_cost=1.0)
    assert run.status == RunStatus.failed and "use max_total_tokens" in run.failure_reason


# -- a person in the loop -------------------------------------------------------------------------

ANSWERED = "The user answered: "


def asking_sign_in(request):
    """Sign in as demo, asking the user for the password (the goal does not give it)."""
    text = request.text
    if request.purpose == "verify":
        return {"user_goal_achieved": bool(GREETING.search(text))}
    if request.purpose == "extract":
        return {"greeting": GREETING.search(text).group(0)}
    if GREETING.search(text):
        return {"actions": [{"action_type": "COMPLETE", "reason": "signed in"}]}
    if ANSWERED not in text:
        return {"actions": [{"action_type": "ASK_USER", "question": "What is demo's password?"}]}
    password = text.split(ANSWERED, 1)[1].splitlines()[0].strip()
    return {
        "actions": [
            {"action_type": "INPUT_TEXT", "id": find(request, name="username").id, "text": "demo"},
            {
                "action_type": "INPUT_TEXT",
                "id": find(request, type="password").id,
                "text": password,
            },
            {"action_type": "CLICK", "id": find(request, tag="button", text="Sign in").id},
        ]
    }


def test_a_question_pauses_the_run_and_resume_run_completes_it(agent_for, server):
    llm = PromptLLM(asking_sign_in)
    agent = agent_for(llm)
    run = agent.run_task(SIGN_IN, server.url("/login/"), engine="skyvern-1.0", wait=False)
    paused = wait_until(agent, run.run_id, RunStatus.paused)
    assert paused.question == "What is demo's password?"
    assert f"{paused.status}" == "paused" and not paused.status.is_final()
    with pytest.raises(InvalidRequestError, match="not paused"):
        agent.resume_run(agent.run_task("x", server.url("/login/"), wait=False).run_id, "no")
    agent.resume_run(run.run_id, "correct-horse-battery")
    done = agent.wait(run.run_id, timeout=60)
    assert done.status == RunStatus.completed, done.failure_reason
    assert done.question is None
    assert server.state  # the sign-in really happened:
    assert any(r.path == "/login/members" for r in server.requests)


def test_on_pause_answers_as_it_happens(agent_for, server):
    asked = []

    def on_pause(run):
        asked.append((run.status, run.question))
        return "correct-horse-battery"

    agent = agent_for(PromptLLM(asking_sign_in), on_pause=on_pause)
    run = agent.run_task(
        SIGN_IN,
        server.url("/login/"),
        engine="skyvern-1.0",
        data_extraction_schema={"type": "object", "properties": {"greeting": {"type": "string"}}},
    )
    assert run.status == RunStatus.completed, run.failure_reason
    assert asked == [("paused", "What is demo's password?")]
    assert run.output == {"greeting": "Welcome back, demo!"}


def test_with_nobody_to_ask_the_run_ends_with_the_question(agent_for, server):
    agent = agent_for(PromptLLM(asking_sign_in))
    run = agent.run_task(SIGN_IN, server.url("/login/"), engine="skyvern-1.0")
    assert run.status == RunStatus.terminated
    assert run.failure_reason.startswith("Needs a person: What is demo's password?")
    assert "resume_run" in run.failure_reason


def captcha_policy(request):
    text = request.text
    if request.purpose == "verify":
        return {"user_goal_achieved": ANSWERED + "done" in text}
    if ANSWERED + "done" in text:
        return {"actions": [{"action_type": "COMPLETE", "reason": "the person solved it"}]}
    return {"actions": [{"action_type": "SOLVE_CAPTCHA", "reasoning": "a captcha blocks the form"}]}


def test_solve_captcha_pauses_for_a_person_instead_of_claiming_success(agent_for, server):
    questions = []
    agent = agent_for(
        PromptLLM(captcha_policy), on_pause=lambda run: questions.append(run.question) or "done"
    )
    run = agent.run_task("Get past the check", server.url("/login/"), engine="skyvern-1.0")
    assert run.status == RunStatus.completed, run.failure_reason
    assert len(questions) == 1 and "CAPTCHA" in questions[0]

    alone = agent_for(PromptLLM(captcha_policy))
    stopped = alone.run_task("Get past the check", server.url("/login/"), engine="skyvern-1.0")
    assert stopped.status == RunStatus.terminated and "CAPTCHA" in stopped.failure_reason


def test_a_paused_run_times_out_or_is_canceled(agent_for, server):
    agent = agent_for(PromptLLM(asking_sign_in))
    slow = agent.run_task(
        SIGN_IN, server.url("/login/"), engine="skyvern-1.0", wait=False, timeout_seconds=8
    )  # long enough to reach the question on a busy machine
    wait_until(agent, slow.run_id, RunStatus.paused)
    ended = agent.wait(slow.run_id, timeout=60)
    assert ended.status == RunStatus.timed_out and ended.failure_reason.startswith("Timed out")

    other = agent.run_task(SIGN_IN, server.url("/login/"), engine="skyvern-1.0", wait=False)
    wait_until(agent, other.run_id, RunStatus.paused)
    agent.cancel_run(other.run_id)
    assert agent.wait(other.run_id, timeout=60).status == RunStatus.canceled


def test_another_process_resumes_a_paused_run_through_the_sqlite_store(agent_for, server, tmp_path):
    db = tmp_path / "runs.db"
    agent = agent_for(PromptLLM(asking_sign_in), store=str(db))
    run = agent.run_task(SIGN_IN, server.url("/login/"), engine="skyvern-1.0", wait=False)
    wait_until(agent, run.run_id, RunStatus.paused)
    script = (
        "import sys\n"
        "from agent import Agent\n"
        "with Agent(store=sys.argv[1], data_dir=sys.argv[2]) as other:\n"
        "    print(other.resume_run(sys.argv[3], 'correct-horse-battery').status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(db), str(tmp_path / "other"), run.run_id],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "running"
    final = agent.wait(run.run_id, timeout=60)
    assert final.status == RunStatus.completed, final.failure_reason


# -- the user's tools -----------------------------------------------------------------------------

VAULT = {"demo": "correct-horse-battery"}


async def password_for(username: str) -> str:
    """The password stored for ``username`` in the team's vault."""
    return VAULT[username]


def username_of(person: str, *, lower: bool = True) -> str:
    """The site username of a person, from the staff directory."""
    return person.split()[0].lower() if lower else person.split()[0]


def tool_sign_in(request):
    """Sign in using the tools listed in the prompt: the goal gives neither name nor password."""
    text = request.text
    if request.purpose == "verify":
        return {"user_goal_achieved": bool(GREETING.search(text))}
    if request.purpose == "extract":
        return {"greeting": GREETING.search(text).group(0)}
    if GREETING.search(text):
        return {"actions": [{"action_type": "COMPLETE", "reason": "signed in"}]}
    tools = request.section("Tools you can call") or ""
    assert "password_for(username: string): The password stored for" in tools
    assert "username_of(person: string, lower: boolean (optional))" in tools
    results = dict(
        line.split("CALL_TOOL ", 1)[1].split(" returned: ", 1)
        for line in text.splitlines()
        if " returned: " in line and "CALL_TOOL " in line
    )
    if "username_of" not in results:
        return {
            "actions": [
                {
                    "action_type": "CALL_TOOL",
                    "tool": "username_of",
                    "arguments": {"person": "Demo User"},
                }
            ]
        }
    if "password_for" not in results:
        return {
            "actions": [
                {
                    "action_type": "CALL_TOOL",
                    "tool": "password_for",
                    "arguments": {"username": results["username_of"]},
                }
            ]
        }
    return {
        "actions": [
            {
                "action_type": "INPUT_TEXT",
                "id": find(request, name="username").id,
                "text": results["username_of"],
            },
            {
                "action_type": "INPUT_TEXT",
                "id": find(request, type="password").id,
                "text": results["password_for"],
            },
            {"action_type": "CLICK", "id": find(request, tag="button", text="Sign in").id},
        ]
    }


SCHEMA = {"type": "object", "properties": {"greeting": {"type": "string"}}}


def test_the_model_calls_user_tools_and_their_results_reach_the_output(agent_for, server):
    agent = agent_for(PromptLLM(tool_sign_in), tools=[password_for, username_of])
    run = agent.run_task(
        "Sign in as Demo User using the team's tools",
        server.url("/login/"),
        SCHEMA,
        engine="skyvern-1.0",
    )
    assert run.status == RunStatus.completed, run.failure_reason
    assert run.output == {"greeting": "Welcome back, demo!"}
    calls = [
        a
        for s in agent.list_steps(run.run_id)
        for a in s.actions
        if a["action_type"] == "CALL_TOOL"
    ]
    assert [(c["tool"], c["arguments"], c["result"]["message"]) for c in calls] == [
        ("username_of", {"person": "Demo User"}, "demo"),
        ("password_for", {"username": "demo"}, "correct-horse-battery"),
    ]


def test_a_failing_tool_fails_its_action_with_the_message_and_the_run_goes_on(agent_for, server):
    attempts = []

    def flaky_password_for(username: str) -> str:
        """The password stored for ``username`` in the team's vault."""
        attempts.append(username)
        if len(attempts) == 1:
            raise ConnectionError("vault is locked")
        return VAULT[username]

    flaky_password_for.__name__ = "password_for"
    agent = agent_for(PromptLLM(tool_sign_in), tools=[flaky_password_for, username_of])
    run = agent.run_task(
        "Sign in as Demo User", server.url("/login/"), SCHEMA, engine="skyvern-1.0"
    )
    assert run.status == RunStatus.completed, run.failure_reason
    failed = [s for s in agent.list_steps(run.run_id) if s.status == "failed"]
    assert len(failed) == 1
    assert failed[0].failure_reason == (
        "CALL_TOOL password_for failed: password_for raised ConnectionError: vault is locked"
    )


def test_functions_that_cannot_be_tools_are_refused_at_once(agent_for):
    def undocumented(x: int) -> int:
        return x

    with pytest.raises(UsageError, match="no docstring"):
        agent_for(PromptLLM(tool_sign_in), tools=[undocumented])
    with pytest.raises(UsageError, match="named functions"):
        agent_for(PromptLLM(tool_sign_in), tools=[lambda x: x])
