"""Typing in a run, as a model that reads only the prompts drives it: an airport
autocomplete whose list must be in the prompt after the typing, and a secret typed key by
key into a terminal that never reaches a prompt or a step record (fixtures_sites/acting)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from agent import RunStatus
from agent.testing import Prompt, PromptLLM

AIRPORT = "Pullman, WA (PUW)"


def picks_the_airport(typing: Callable[[str], list[dict[str, Any]]]) -> Callable[[Prompt], Any]:
    """Type into the "from" field (``typing(field_id)`` gives the actions), pick the airport
    from the list that opens, then complete."""

    def policy(prompt: Prompt) -> Any:
        chosen = f"Chosen airport: {AIRPORT}" in prompt.page
        if prompt.purpose != "plan":
            return {"user_goal_achieved": chosen, "thoughts": "read the page"}
        if chosen:
            return {"actions": [{"action_type": "COMPLETE", "reason": "it is chosen"}]}
        option = prompt.find(text=AIRPORT)
        if option is not None:
            return {"actions": [{"action_type": "CLICK", "id": option.id}]}
        field = prompt.find(tag="input", name="from")
        assert field is not None, prompt.page
        return {"actions": typing(field.id)}

    return policy


def test_the_list_an_autocomplete_opens_is_in_the_next_prompt(agent_for, server):
    policy = picks_the_airport(
        lambda field: [{"action_type": "INPUT_TEXT", "id": field, "text": "Pullm"}]
    )

    model = PromptLLM(policy)
    agent = agent_for(model)
    run = agent.run_task(
        f"Choose {AIRPORT} as the departure airport",
        server.url("/acting/airports.html"),
        engine="skyvern-1.0",
        max_steps=4,
    )
    assert run.status == RunStatus.completed, run.failure_reason
    plans = model.prompts_for("plan")
    assert AIRPORT in plans[1].page  # the list opened before the second observation
    assert len(plans) == 3  # type, pick, complete: no retyping, no WAIT


def test_a_secret_typed_into_a_terminal_stays_a_placeholder(agent_for, server):
    secret = "s3cr3t-Pa55"

    def policy(prompt: Prompt) -> Any:
        # The console that got a secret is shown masked from then on (as a password field).
        answered = "•••" in prompt.page
        if prompt.purpose != "plan":
            return {"user_goal_achieved": answered, "thoughts": "read the page"}
        if answered:
            return {"actions": [{"action_type": "COMPLETE", "reason": "the console took it"}]}
        terminal = prompt.find(tag="div", text="welcome")
        assert terminal is not None, prompt.page
        return {
            "actions": [
                {"action_type": "INPUT_TEXT", "id": terminal.id, "text": "{{PASSWORD}}"},
                {"action_type": "KEYPRESS", "id": terminal.id, "keys": ["Enter"]},
            ]
        }

    model = PromptLLM(policy)
    agent = agent_for(model)
    run = agent.run_task(
        "Type the password {{PASSWORD}} into the console and press Enter",
        server.url("/acting/terminal.html"),
        engine="skyvern-1.0",
        max_steps=3,
        secrets={"PASSWORD": secret},
    )
    assert run.status == RunStatus.completed, run.failure_reason
    assert all(secret not in p.text for p in model.prompts)
    steps = agent.list_steps(run.run_id)
    typed = steps[0].actions[0]
    assert typed["result"]["success"] and "key by key" in typed["result"]["message"]
    assert secret not in json.dumps([s.model_dump(mode="json") for s in steps])
    assert f"{len(secret)} characters" in typed["result"]["message"]


def test_a_list_opened_by_typing_ends_the_batch_so_the_model_picks(agent_for, server):
    """Actions planned after the typing were chosen before the list existed: not run."""

    policy = picks_the_airport(  # a hasty plan: type, then press Enter before any suggestion
        lambda field: [
            {"action_type": "INPUT_TEXT", "id": field, "text": "Pullm"},
            {"action_type": "KEYPRESS", "id": field, "keys": ["Enter"]},
        ]
    )

    model = PromptLLM(policy)
    agent = agent_for(model)
    run = agent.run_task(
        f"Choose {AIRPORT} as the departure airport",
        server.url("/acting/airports.html"),
        engine="skyvern-1.0",
        max_steps=4,
    )
    assert run.status == RunStatus.completed, run.failure_reason
    first = agent.list_steps(run.run_id)[0]
    assert [a["action_type"] for a in first.actions] == ["INPUT_TEXT"]
    second = model.prompts_for("plan")[1].text
    assert "a list opened to choose from; 1 remaining planned action(s) were not run" in second
