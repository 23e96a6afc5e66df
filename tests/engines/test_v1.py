"""Engine skyvern-1.0 end to end: real Chromium, fixture sites, model doubles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent import RunStatus, StepStatus
from agent.testing import Prompt, PromptLLM, ScriptedLLM, offline_llm
from fixtures_sites.server import FixtureServer
from tests.engines.policies import login_policy, product_policy

SEED_PROMPT = (
    "Apply for a job on behalf of this person: name: Chris P Bacon. email: chris@pbacon.com"
)
SEED_SCHEMA = {"application_success": {"type": "boolean"}}


def test_seed_job_application_completes(agent_for, server: FixtureServer):
    llm = offline_llm()
    agent = agent_for(llm, record_video=True)
    run = agent.run_task(
        SEED_PROMPT, server.url("/lever/apply"), SEED_SCHEMA, engine="skyvern-1.0", max_steps=5
    )
    assert run.status == RunStatus.completed, run.failure_reason
    assert run.output == {"application_success": True}
    assert run.run_type == "task_v1" and run.run_id.startswith("tsk_")
    sent = server.wait_for_submission("/lever/apply")
    assert sent.form["name"] == "Chris P Bacon" and sent.form["email"] == "chris@pbacon.com"
    steps = agent.list_steps(run.run_id)
    assert [s.status for s in steps] == [StepStatus.completed, StepStatus.completed]
    assert steps[-1].is_last and steps[0].input_token_count > 0
    assert {a["action_type"] for a in steps[0].actions} == {"INPUT_TEXT", "CLICK"}
    assert all(a["result"]["success"] for a in steps[0].actions)
    for name in ("screenshot", "plan-prompt", "plan-answer"):
        assert Path(steps[0].artifacts[name].removeprefix("file://")).is_file()
    assert run.llm_calls == len(llm.calls) == 3  # plan, plan, verify (with the output)
    assert run.step_count == 2 and run.input_token_count > 0
    assert run.recording_url and Path(run.recording_url.removeprefix("file://")).stat().st_size
    assert run.screenshot_urls and run.finished_at is not None


def test_product_page_extraction_is_schema_valid(agent_for, server):
    schema = {
        "type": "object",
        "required": ["products"],
        "properties": {
            "products": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name", "price"],
                    "properties": {
                        "name": {"type": "string"},
                        "brand": {"type": "string"},
                        "price": {"type": "number"},
                    },
                },
            }
        },
    }
    agent = agent_for(PromptLLM(product_policy))
    run = agent.run_task(
        "List the products on this page with their prices",
        server.url("/products/"),
        schema,
        engine="skyvern-1.0",
    )
    assert run.status == RunStatus.completed, run.failure_reason
    products = run.output["products"]
    assert len(products) == 10
    assert products[0] == {"name": "Hammer", "brand": "Makita", "price": 8.49}
    assert run.llm_calls == 2 and run.errors == []


def test_wrong_password_ends_terminated_with_the_mapped_code(agent_for, server):
    agent = agent_for(PromptLLM(login_policy("demo", "wrong-password-123")))
    run = agent.run_task(
        "Log in as demo with password wrong-password-123",
        server.url("/login/"),
        engine="skyvern-1.0",
        max_steps=5,
        error_code_mapping={"LOGIN_FAILED": "The username or password is wrong"},
    )
    assert run.status == RunStatus.terminated
    assert run.failure_reason == "The site rejected the credentials."
    assert run.output == {"error": "LOGIN_FAILED"}
    assert [e["error_code"] for e in run.errors] == ["LOGIN_FAILED"]  # invented code dropped
    stored = agent.list_steps(run.run_id)
    typed = [a for s in stored for a in s.actions if a["action_type"] == "INPUT_TEXT"]
    assert "wrong-password-123" not in str(typed)  # the password is redacted in steps


def test_right_password_logs_in(agent_for, server):
    agent = agent_for(PromptLLM(login_policy("demo", "correct-horse-battery")))
    run = agent.run_task(
        "Log in as demo with password correct-horse-battery",
        server.url("/login/"),
        engine="skyvern-1.0",
        max_steps=4,
    )
    assert run.status == RunStatus.completed, run.failure_reason
    assert run.output is None


def test_unfinishable_task_fails_at_max_steps(agent_for, server):
    directions = iter(["down", "up"] * 10)

    def scroller(prompt):
        assert prompt.purpose == "plan"
        return {"actions": [{"action_type": "SCROLL", "direction": next(directions)}]}

    agent = agent_for(PromptLLM(scroller))
    run = agent.run_task(
        "Find the unicorn", server.url("/products/"), engine="skyvern-1.0", max_steps=3
    )
    assert run.status == RunStatus.failed
    assert run.failure_reason.startswith("Max steps exceeded")
    assert "SCROLL" in run.failure_reason  # says what was last tried
    assert [e["error_code"] for e in run.errors] == ["REACH_MAX_STEPS"]
    assert len(agent.list_steps(run.run_id)) == 3


def test_same_action_on_unchanged_page_is_a_loop(agent_for, server):
    def stubborn(prompt):
        box = prompt.find(tag="input", type="checkbox")
        return {"actions": [{"action_type": "HOVER", "id": box.id}]}

    agent = agent_for(PromptLLM(stubborn))
    run = agent.run_task(
        "Do something", server.url("/products/"), engine="skyvern-1.0", max_steps=10
    )
    assert run.status == RunStatus.failed
    assert run.failure_reason.startswith("Stuck in a loop: HOVER")
    assert len(agent.list_steps(run.run_id)) == 3
    prompts = [p for p in agent.llm.prompts if p.purpose == "plan"]
    assert "changed nothing" not in prompts[1].text
    assert "changed nothing" in prompts[2].text


def test_misbehaving_model_still_completes(agent_for, server):
    scripted = ScriptedLLM(
        [
            "I am not sure what to do here!",
            lambda r: {"actions": [{"action_type": "EXTRACT"}]},
            "```json\n{'products': [], }\n```",
        ]
    )
    agent = agent_for(scripted)
    run = agent.run_task(
        "Read the products",
        server.url("/products/"),
        {"type": "object", "properties": {"products": {"type": "array"}}},
        engine="skyvern-1.0",
    )
    assert run.status == RunStatus.completed, run.failure_reason
    assert run.output == {"products": []}


def test_failed_action_is_retried_with_a_fresh_observation(agent_for, server):
    def clumsy(prompt):
        if (
            prompt.purpose == "plan"
            and prompt.section("What you did before (oldest first)") is None
        ):
            return {"actions": [{"action_type": "CLICK", "id": "9999"}]}
        if prompt.purpose == "plan":
            return {"actions": [{"action_type": "COMPLETE"}]}
        return {"user_goal_achieved": True}

    agent = agent_for(PromptLLM(clumsy))
    run = agent.run_task("Click around", server.url("/products/"), engine="skyvern-1.0")
    assert run.status == RunStatus.completed
    steps = agent.list_steps(run.run_id)
    assert [(s.order, s.retry_index, s.status) for s in steps] == [
        (0, 0, StepStatus.failed),
        (0, 1, StepStatus.completed),
    ]
    assert "9999" in steps[0].failure_reason


def test_model_that_keeps_failing_actions_fails_after_retries(agent_for, server):
    agent = agent_for(PromptLLM(lambda r: {"actions": [{"action_type": "CLICK", "id": "9999"}]}))
    run = agent.run_task("Click around", server.url("/products/"), engine="skyvern-1.0")
    assert run.status == RunStatus.failed
    assert run.failure_reason.startswith("Max retries per step (3) exceeded")
    assert "9999" in run.failure_reason
    assert len(agent.list_steps(run.run_id)) == 4


def test_unreachable_start_page_fails_clearly(agent_for):
    agent = agent_for(PromptLLM(lambda r: {}))
    run = agent.run_task("Anything", "http://127.0.0.1:9/nothing", engine="skyvern-1.0")
    assert run.status == RunStatus.failed
    assert run.failure_reason.startswith("Failed to navigate to URL. URL:http://127.0.0.1:9/")


def test_cancel_mid_run_ends_canceled(agent_for, server):
    import threading

    planned = threading.Event()

    def waiter(prompt):
        planned.set()
        return {"actions": [{"action_type": "WAIT", "seconds": 0.3}]}

    agent = agent_for(PromptLLM(waiter))
    run = agent.run_task(
        "Wait forever", server.url("/products/"), engine="skyvern-1.0", max_steps=50, wait=False
    )
    assert run.status == RunStatus.queued
    assert planned.wait(30)
    agent.cancel_run(run.run_id)
    final = agent.wait(run.run_id, timeout=30)
    assert final.status == RunStatus.canceled
    steps = agent.list_steps(run.run_id)
    assert steps and all(s.status != StepStatus.running for s in steps)


def test_a_choice_the_page_takes_back_stops_the_plan_before_it_submits(agent_for, server):
    """One plan picks Express then submits; the page takes Express back 100 ms later."""

    def policy(prompt: Prompt) -> Any:
        if prompt.purpose == "error_codes":
            return {"errors": []}
        assert prompt.purpose == "plan", prompt.purpose
        done_before = prompt.section("What you did before (oldest first)") or ""
        if "changed it back" in done_before:
            return {"actions": [{"action_type": "TERMINATE", "reason": done_before[-300:]}]}
        shipping = prompt.find(tag="select", text="shipping")
        order = prompt.find(tag="button", text="place order")
        assert shipping and order, prompt.page
        return {
            "actions": [
                {"action_type": "SELECT_OPTION", "id": shipping.id, "option": {"label": "Express"}},
                {"action_type": "CLICK", "id": order.id},
            ]
        }

    agent = agent_for(PromptLLM(policy))
    run = agent.run_task(
        "Order with express shipping",
        server.url("/widgets/dropdowns.html"),
        engine="skyvern-1.0",
        max_steps=3,
    )
    assert run.status == RunStatus.terminated, run.failure_reason
    assert "changed it back to 'Standard (3-5 days)'" in (run.failure_reason or "")
    assert server.submissions_to("/widgets/dropdowns") == []  # the order was never placed
    first = agent.list_steps(run.run_id)[0]
    chosen, submit = first.actions
    assert chosen["result"]["success"] and not submit["result"]["success"]
    assert submit["result"]["message"].startswith("CLICK was not run: chose 'Express (next day)'")
