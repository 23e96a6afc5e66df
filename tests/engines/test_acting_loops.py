"""The loop detector judges repeats across steps by their effect: a spinner clicked four
times in one plan, a slider moved one ArrowRight per step and a terminal typed into one
KEYPRESS per character all finish; a button that changes nothing, planned step after step,
is still a loop. The stand-ins read only the prompts (fixtures_sites/acting)."""

from __future__ import annotations

import re
from typing import Any

from agent import RunStatus
from agent.testing import Prompt, PromptLLM

_NUMBER_LINE = re.compile(r"^(?:\(\w+\)\s*)?(\d+)$", re.M)


def _quantity(prompt: Prompt) -> int:
    """The spinner's value: the line that is only a number (between its two buttons)."""
    found = _NUMBER_LINE.search(prompt.page)
    assert found, prompt.page
    return int(found.group(1))


def _verdict(done: bool) -> dict[str, Any]:
    return {"user_goal_achieved": done, "thoughts": "read the page"}


def _run(agent_for: Any, policy: Any, goal: str, url: str, **options: Any) -> Any:
    agent = agent_for(PromptLLM(policy))
    run = agent.run_task(goal, url, engine="skyvern-1.0", **options)
    return agent, run


def test_a_spinner_clicked_four_times_in_one_plan_is_no_loop(agent_for, server):
    def policy(prompt: Prompt) -> Any:
        value = _quantity(prompt)
        if prompt.purpose != "plan":
            return _verdict(value == 1)
        if value == 1:
            return {"actions": [{"action_type": "COMPLETE", "reason": "the quantity is 1"}]}
        down = prompt.find(tag="button", text="decrease")
        assert down is not None, prompt.page
        return {"actions": [{"action_type": "CLICK", "id": down.id}] * (value - 1)}

    agent, run = _run(
        agent_for, policy, "Set the quantity to 1", server.url("/acting/spinner.html"), max_steps=4
    )
    assert run.status == RunStatus.completed, run.failure_reason
    first = agent.list_steps(run.run_id)[0]
    assert [a["action_type"] for a in first.actions] == ["CLICK"] * 4
    assert all(a["result"]["success"] for a in first.actions)


def test_a_slider_moved_one_key_per_step_is_no_loop(agent_for, server):
    def volume(prompt: Prompt) -> int:
        found = re.search(r"Volume: (\d+)", prompt.page)
        assert found, prompt.page
        return int(found.group(1))

    def policy(prompt: Prompt) -> Any:
        if prompt.purpose != "plan":
            return _verdict(volume(prompt) == 50)
        if volume(prompt) == 50:
            return {"actions": [{"action_type": "COMPLETE", "reason": "the volume is 50"}]}
        slider = prompt.find(role="slider")
        assert slider is not None, prompt.page
        return {"actions": [{"action_type": "KEYPRESS", "id": slider.id, "keys": ["ArrowRight"]}]}

    agent, run = _run(
        agent_for, policy, "Set the volume to 50", server.url("/acting/slider.html"), max_steps=6
    )
    assert run.status == RunStatus.completed, run.failure_reason
    keys = [
        a for s in agent.list_steps(run.run_id) for a in s.actions if a["action_type"] == "KEYPRESS"
    ]
    assert len(keys) == 3


def test_a_terminal_typed_one_keypress_per_character_is_no_loop(agent_for, server):
    def policy(prompt: Prompt) -> Any:
        shown = "water the plants" in prompt.page
        if prompt.purpose != "plan":
            return _verdict(shown)
        if shown:
            return {"actions": [{"action_type": "COMPLETE", "reason": "the file is shown"}]}
        terminal = prompt.find(tag="div", text="welcome")
        assert terminal is not None, prompt.page
        keys = [*"cat todo.txt", "Enter"]
        return {
            "actions": [
                {"action_type": "KEYPRESS", "id": terminal.id, "keys": [key]} for key in keys
            ]
        }

    agent, run = _run(
        agent_for,
        policy,
        "Show the contents of todo.txt in the terminal",
        server.url("/acting/terminal.html"),
        max_steps=3,
    )
    assert run.status == RunStatus.completed, run.failure_reason
    first = agent.list_steps(run.run_id)[0]
    assert len(first.actions) == len("cat todo.txt") + 1


def test_a_button_that_changes_nothing_step_after_step_is_a_loop(agent_for, server):
    def policy(prompt: Prompt) -> Any:
        if prompt.purpose != "plan":
            return _verdict(False)
        down = prompt.find(tag="button", text="decrease")
        assert down is not None, prompt.page
        if _quantity(prompt):
            return {"actions": [{"action_type": "CLICK", "id": down.id}] * _quantity(prompt)}
        return {"actions": [{"action_type": "CLICK", "id": down.id}]}  # at 0 it stays 0

    agent, run = _run(
        agent_for,
        policy,
        "Set the quantity below zero",
        server.url("/acting/spinner.html"),
        max_steps=8,
    )
    assert run.status == RunStatus.failed
    assert run.failure_reason.startswith("Stuck in a loop: CLICK"), run.failure_reason
    # one step to reach 0, two more that changed nothing, and the one that was stopped
    assert len(agent.list_steps(run.run_id)) == 4
    prompts = agent.llm.prompts_for("plan")
    assert "changed nothing" in prompts[-1].text and "changed nothing" not in prompts[-2].text


def test_the_page_state_sees_any_value_and_a_plan_counts_once():
    from agent.browser.acting.action_types import parse_action
    from agent.records.observation import Element, Observation, TextLine, Viewport
    from engines.loops import LoopGuard, page_state

    def page(value: str, line: str = "Volume: 20", element_id: str = "3") -> Observation:
        slider = Element(id=element_id, tag="div", role="slider", text="Volume")
        slider.attributes["aria-valuenow"] = value
        return Observation(
            url="http://x/",
            elements=[slider],
            texts=[TextLine(text=line)],
            viewport=Viewport(width=800, height=600),
        )

    assert page_state(page("20")) != page_state(page("30"))  # an attribute of any element
    assert page_state(page("20")) != page_state(page("20", "Volume: 30"))  # any text line
    assert page_state(page("20")) == page_state(page("20", element_id="9"))  # not the ids
    guard, press = LoopGuard(), parse_action({"action_type": "KEYPRESS", "keys": ["ArrowRight"]})
    for step in range(2):
        guard.start_step(page("20"))
        assert guard.stuck(press, "KEYPRESS") is None
        warnings = [guard.done(press, "KEYPRESS") for _ in range(4)]  # four in one plan
        assert [w is not None for w in warnings] == [step == 1, False, False, False]
    guard.start_step(page("20"))
    assert guard.stuck(
        press,
        "KEYPRESS",
    ).startswith("Stuck in a loop: KEYPRESS")
    guard.start_step(page("30"))
    assert guard.stuck(press, "KEYPRESS") is None
