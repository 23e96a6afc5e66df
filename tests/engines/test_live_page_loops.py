"""On a page that changes on its own (a clock ticking every 250 ms, a carousel turning), a
run is judged as on a still page: a dead button fails as having no effect, and the same
useless click, step after step, ends the run as a loop before max_steps (the clock is left
out of the page state). The stand-ins read only the prompts (fixtures_sites/acting/live.html)."""

from __future__ import annotations

import re
import time
from typing import Any

from agent import RunStatus
from agent.testing import Prompt, PromptLLM


def _clicking(text: str) -> Any:
    """A model that answers every plan with one click on the button named ``text``.

    It takes a second to answer, as a real model does: the page goes on ticking meanwhile
    (a stand-in that answers at once acts faster than the clock ticks, and nothing could
    tell the clock's ticks from the clicks' effects)."""

    def policy(prompt: Prompt) -> Any:
        if prompt.purpose != "plan":
            return {"user_goal_achieved": False, "thoughts": "the board is unchanged"}
        time.sleep(1.0)
        button = prompt.find(tag="button", text=text)
        assert button is not None, prompt.page
        return {"actions": [{"action_type": "CLICK", "id": button.id}]}

    return policy


def _run(agent_for: Any, text: str, query: str, server: Any) -> Any:
    agent = agent_for(PromptLLM(_clicking(text)))
    url = server.url("/acting/live.html" + query)
    run = agent.run_task("Find a departure to Rome", url, engine="skyvern-1.0", max_steps=8)
    return agent, run


def test_the_same_useless_click_on_a_live_page_is_a_loop(agent_for, server):
    agent, run = _run(agent_for, "Reload departures", "", server)
    assert run.status == RunStatus.failed
    assert run.failure_reason.startswith("Stuck in a loop: CLICK"), run.failure_reason
    steps = agent.list_steps(run.run_id)
    assert len(steps) < 8
    assert all(a["result"]["success"] for s in steps[:-1] for a in s.actions)


def test_a_dead_button_on_a_live_page_fails_as_on_a_still_one(agent_for, server):
    reasons = []
    for query in ("?still=1", ""):
        agent, run = _run(agent_for, "Print the board", query, server)
        assert run.status == RunStatus.failed
        clicks = [a for s in agent.list_steps(run.run_id) for a in s.actions]
        failed = [a["result"]["message"] for a in clicks if not a["result"]["success"]]
        assert len(failed) >= 3 and all("no visible effect" in m for m in failed), failed
        assert "no visible effect" in run.failure_reason, run.failure_reason
        reasons.append(re.sub(r"\d+", "N", run.failure_reason))
    assert reasons[0] == reasons[1], reasons


def test_the_page_state_leaves_out_what_changes_on_its_own():
    from agent.records.observation import Element, Observation, TextLine, Viewport
    from engines.loops import page_state

    def page(clock: str, offer: str, quantity: str = "1") -> Observation:
        return Observation(
            url="http://x/",
            elements=[
                Element(id="1", tag="button", text="Print"),
                Element(id="2", tag="a", text=offer, ambient=True),  # in a carousel
            ],
            texts=[
                TextLine(text=f"Local time {clock}", steady="Local time ~"),
                TextLine(text=offer, steady="~"),
                TextLine(text=f"Quantity {quantity}"),
            ],
            viewport=Viewport(width=800, height=600),
        )

    assert page_state(page("10:00:01", "Lounge")) == page_state(page("10:00:02", "Parking"))
    assert page_state(page("10:00:01", "Lounge")) != page_state(page("10:00:01", "Lounge", "2"))
