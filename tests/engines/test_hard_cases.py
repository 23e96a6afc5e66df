"""One skyvern-1.0 run per hard case, with a model stand-in that reads only the prompt text.

Each policy decides from the messages the engine sends (element lines, action results),
never from the structured observation, so the runs prove that what the render shows is
enough to finish the task on these pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from agent import RunStatus
from agent.llm import LLMRequest
from agent.testing import FunctionLLM
from tests.browser.prompt_reader import find, has, prompt_text

Decide = Callable[[str], list[dict[str, Any]]]


def policy(
    decide: Decide, done: Callable[[str], bool], extract: Callable[[str], Any] | None = None
) -> Callable[[LLMRequest], Any]:
    """A stand-in: ``decide`` plans from the prompt text, ``done`` verifies, ``extract`` reads."""

    def answer(request: LLMRequest) -> Any:
        text = prompt_text(request)
        if request.purpose == "plan":
            page = text.split("## Elements on the page", 1)[-1].split("## What you did before")[0]
            if done(page):
                kind = "EXTRACT" if extract else "COMPLETE"
                return {"actions": [{"action_type": kind, "reason": "the page shows it"}]}
            return {"actions": decide(text)}
        if request.purpose == "verify":
            return {"user_goal_achieved": done(text), "thoughts": "read the page"}
        if request.purpose == "extract" and extract is not None:
            return extract(text)
        raise AssertionError(f"unexpected purpose {request.purpose}")

    return answer


def run(agent_for, server, path: str, goal: str, answer: Any, schema: Any = None) -> Any:
    llm = FunctionLLM(answer)
    agent = agent_for(llm)
    result = agent.run_task(goal, server.url(path), schema, engine="skyvern-1.0", max_steps=6)
    return agent, llm, result


def test_e2e_a_click_without_effect_is_told_and_the_span_menu_opens(agent_for, server):
    def decide(text: str) -> list[dict[str, Any]]:
        if "had no visible effect" not in text:  # a first, wrong try the prompt must report
            return [{"action_type": "CLICK", "id": find(text, name="Refresh preview").id}]
        return [{"action_type": "CLICK", "id": find(text, tag="span", **{"class": "more"}).id}]

    def entries(text: str) -> Any:
        return {
            "entries": [line for line in text.splitlines() if line in ("Archive", "Report spam")]
        }

    schema = {
        "type": "object",
        "properties": {"entries": {"type": "array", "items": {"type": "string"}}},
    }
    agent, _, result = run(
        agent_for,
        server,
        "/hard_cases/clicks.html",
        "List the entries of the more-actions menu of message 42",
        policy(decide, lambda page: "Report spam" in page, entries),
        schema,
    )
    assert result.status == RunStatus.completed, result.failure_reason
    assert result.output == {"entries": ["Archive", "Report spam"]}
    first = agent.list_steps(result.run_id)[0].actions[0]
    assert not first["result"]["success"] and "no visible effect" in first["result"]["message"]


def test_e2e_a_delegated_suggestion_is_picked_and_submitted(agent_for, server):
    def decide(text: str) -> list[dict[str, Any]]:
        field = find(text, tag="input", name="Destination")
        if field.attrs.get("value") == "City Three (CCC)":
            return [{"action_type": "CLICK", "id": find(text, tag="button", name="Submit").id}]
        if has(text, tag="li", name="City Three"):
            return [{"action_type": "CLICK", "id": find(text, tag="li", name="City Three").id}]
        return [{"action_type": "INPUT_TEXT", "id": field.id, "text": "City"}]

    _, _, result = run(
        agent_for,
        server,
        "/hard_cases/mail.html",
        "Set the destination to City Three and submit",
        policy(decide, lambda page: "# Received" in page),
    )
    assert result.status == RunStatus.completed, result.failure_reason
    assert server.wait_for_submission("/hard_cases/submit").form["city"] == "City Three (CCC)"


def test_e2e_a_message_hidden_in_a_scroll_box_is_opened(agent_for, server):
    def decide(text: str) -> list[dict[str, Any]]:
        assert re.search(r"below the visible part of \[[\w-]+\]:", text), text
        return [{"action_type": "CLICK", "id": find(text, tag="li", name="Sender 8").id}]

    _, _, result = run(
        agent_for,
        server,
        "/hard_cases/inbox.html",
        "Open the message from Sender 8",
        policy(decide, lambda page: "Opened Sender 8" in page),
    )
    assert result.status == RunStatus.completed, result.failure_reason


def test_e2e_a_post_below_a_feed_box_is_reached_by_scrolling_the_box(agent_for, server):
    def decide(text: str) -> list[dict[str, Any]]:
        if has(text, tag="button", name="Like post 3"):
            return [{"action_type": "CLICK", "id": find(text, tag="button", name="Like post 3").id}]
        box = re.search(r"more items below inside \[([\w-]+)\]: SCROLL \1 down", text)
        assert box, text
        return [{"action_type": "SCROLL", "id": box.group(1), "direction": "down"}]

    agent, _, result = run(
        agent_for,
        server,
        "/hard_cases/inbox.html",
        "Like post 3 of the feed",
        policy(decide, lambda page: "Liked post 3" in page),
    )
    assert result.status == RunStatus.completed, result.failure_reason
    kinds = [a["action_type"] for s in agent.list_steps(result.run_id) for a in s.actions]
    assert kinds[:2] == ["SCROLL", "CLICK"]


def test_e2e_the_end_of_a_long_terminal_output_is_read(agent_for, server):
    def artifact(text: str) -> Any:
        found = re.search(r"BUILD FINISHED: artifact id (\S+)", text)
        return {"artifact_id": found.group(1) if found else None}

    schema = {"type": "object", "properties": {"artifact_id": {"type": "string"}}}
    _, _, result = run(
        agent_for,
        server,
        "/hard_cases/terminal.html",
        "Which artifact id did the build produce?",
        policy(lambda text: [], lambda page: "BUILD FINISHED" in page, artifact),
        schema,
    )
    assert result.status == RunStatus.completed, result.failure_reason
    assert result.output == {"artifact_id": "XK-4471-QZ"}


def test_e2e_an_svg_menu_slice_is_chosen(agent_for, server):
    def decide(text: str) -> list[dict[str, Any]]:
        return [{"action_type": "CLICK", "id": find(text, tag="g", name="Cut").id}]

    _, _, result = run(
        agent_for,
        server,
        "/hard_cases/svg_menu.html",
        "Choose Cut in the quick actions menu",
        policy(decide, lambda page: "Chose cut" in page),
    )
    assert result.status == RunStatus.completed, result.failure_reason


def test_e2e_two_topics_are_chosen_in_a_multiple_select(agent_for, server):
    def decide(text: str) -> list[dict[str, Any]]:
        topics = find(text, tag="select", multiple="true")
        return [
            {"action_type": "SELECT_OPTION", "id": topics.id, "option": {"label": "News"}},
            {
                "action_type": "SELECT_OPTION",
                "id": topics.id,
                "option": {"label": "Science"},
                "add": True,
            },
            {"action_type": "CLICK", "id": find(text, tag="button", name="Subscribe").id},
        ]

    _, _, result = run(
        agent_for,
        server,
        "/hard_cases/multiselect.html",
        "Subscribe to the News and Science topics",
        policy(decide, lambda page: "# Received" in page),
    )
    assert result.status == RunStatus.completed, result.failure_reason
    sent = server.wait_for_submission("/hard_cases/submit")
    assert sent.form_lists["topics"] == ["news", "science"]
