"""One skyvern-1.0 run per hard case of fixtures_sites/hard_cases, with PromptLLM.

Each policy decides from the prompt text alone (element lines, action results), never from
the structured observation, so the runs prove that what the render shows is enough to
finish the task on these pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from agent import RunStatus
from agent.testing import Prompt, PromptLLM


def policy(
    decide: Callable[[Prompt], list[dict[str, Any]]],
    done: Callable[[str], bool],
    output: Callable[[Prompt], Any] | None = None,
) -> Callable[[Prompt], Any]:
    """A stand-in: ``decide`` plans, ``done`` tells from the page text, ``output`` reads data."""

    def answer(prompt: Prompt) -> Any:
        finished = done(prompt.page)
        if prompt.purpose == "plan":
            if finished:
                kind = "EXTRACT" if output else "COMPLETE"
                return {"actions": [{"action_type": kind, "reason": "the page shows it"}]}
            return {"actions": decide(prompt)}
        if prompt.purpose == "verify":
            verdict: dict[str, Any] = {"user_goal_achieved": finished, "thoughts": "read the page"}
            if finished and output is not None:
                verdict["output"] = output(prompt)
            return verdict
        if prompt.purpose == "extract" and output is not None:
            return output(prompt)
        raise AssertionError(f"unexpected purpose {prompt.purpose}")

    return answer


def need(prompt: Prompt, **query: Any) -> Any:
    """The element the policy needs; fails with the page when the render does not show it."""
    found = prompt.find(**query)
    assert found is not None, f"no element {query} in the prompt:\n{prompt.page}"
    return found


def history(prompt: Prompt) -> str:
    return prompt.section("What you did before (oldest first)") or ""


def run(agent_for, server, path: str, goal: str, answer: Any, schema: Any = None) -> Any:
    llm = PromptLLM(answer)
    agent = agent_for(llm)
    result = agent.run_task(goal, server.url(path), schema, engine="skyvern-1.0", max_steps=6)
    return agent, llm, result


def test_e2e_a_click_without_effect_is_told_and_the_span_menu_opens(agent_for, server):
    def decide(prompt: Prompt) -> list[dict[str, Any]]:
        if "had no visible effect" not in history(prompt):  # a first, wrong try, to be told
            return [{"action_type": "CLICK", "id": need(prompt, text="Refresh preview").id}]
        return [{"action_type": "CLICK", "id": need(prompt, tag="span", **{"class": "more"}).id}]

    def entries(prompt: Prompt) -> Any:
        return {"entries": [line for line in prompt.lines if line in ("Archive", "Report spam")]}

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
    def decide(prompt: Prompt) -> list[dict[str, Any]]:
        field = need(prompt, tag="input", text="Destination")
        if field.attrs.get("value") == "City Three (CCC)":
            return [{"action_type": "CLICK", "id": need(prompt, tag="button", text="Submit").id}]
        suggestion = prompt.find(tag="li", text="City Three")
        if suggestion is not None:
            return [{"action_type": "CLICK", "id": suggestion.id}]
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
    def decide(prompt: Prompt) -> list[dict[str, Any]]:
        assert re.search(r"below the visible part of \[[\w-]+\]:", prompt.page), prompt.page
        return [{"action_type": "CLICK", "id": need(prompt, tag="li", text="Sender 8").id}]

    _, _, result = run(
        agent_for,
        server,
        "/hard_cases/inbox.html",
        "Open the message from Sender 8",
        policy(decide, lambda page: "Opened Sender 8" in page),
    )
    assert result.status == RunStatus.completed, result.failure_reason


def test_e2e_a_post_below_a_feed_box_is_reached_by_scrolling_the_box(agent_for, server):
    def decide(prompt: Prompt) -> list[dict[str, Any]]:
        like = prompt.find(tag="button", text="Like post 3")
        if like is not None:
            return [{"action_type": "CLICK", "id": like.id}]
        box = re.search(r"more items below inside \[([\w-]+)\]: SCROLL \1 down", prompt.page)
        assert box, prompt.page
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
    def artifact(prompt: Prompt) -> Any:
        found = re.search(r"BUILD FINISHED: artifact id (\S+)", prompt.page)
        return {"artifact_id": found.group(1) if found else None}

    schema = {"type": "object", "properties": {"artifact_id": {"type": "string"}}}
    _, _, result = run(
        agent_for,
        server,
        "/hard_cases/terminal.html",
        "Which artifact id did the build produce?",
        policy(lambda prompt: [], lambda page: "BUILD FINISHED" in page, artifact),
        schema,
    )
    assert result.status == RunStatus.completed, result.failure_reason
    assert result.output == {"artifact_id": "XK-4471-QZ"}


def test_e2e_an_svg_menu_slice_is_chosen(agent_for, server):
    def decide(prompt: Prompt) -> list[dict[str, Any]]:
        return [{"action_type": "CLICK", "id": need(prompt, tag="g", text="Cut").id}]

    _, _, result = run(
        agent_for,
        server,
        "/hard_cases/svg_menu.html",
        "Choose Cut in the quick actions menu",
        policy(decide, lambda page: "Chose cut" in page),
    )
    assert result.status == RunStatus.completed, result.failure_reason


def test_e2e_two_topics_are_chosen_in_a_multiple_select(agent_for, server):
    def decide(prompt: Prompt) -> list[dict[str, Any]]:
        assert '"add": true' in prompt.text  # the prompt says how to add to a multiple select
        topics = need(prompt, tag="select", multiple="true")
        return [
            {"action_type": "SELECT_OPTION", "id": topics.id, "option": {"label": "News"}},
            {
                "action_type": "SELECT_OPTION",
                "id": topics.id,
                "option": {"label": "Science"},
                "add": True,
            },
            {"action_type": "CLICK", "id": need(prompt, tag="button", text="Subscribe").id},
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
