"""A cacheable prompt: the static part first, cached by the provider, priced as cached.

Over litellm's OpenAI provider to the fake OpenAI server, which reports
``usage.prompt_tokens_details.cached_tokens`` for a repeated prefix as OpenAI does.
"""

from __future__ import annotations

from typing import Any

import pytest

from agent import RunStatus
from agent.fake_providers import FakeOpenAI
from agent.llm.call import load_litellm, with_cache_control
from agent.testing import Prompt
from tests.providers.policies import goal_details

COVER_LETTER = " ".join(
    f"In my year {n} as a line cook I kept the bacon station running through every rush, "
    "trained two new cooks on the grill, and never let an order leave without a check."
    for n in range(1, 13)
)
GOAL = (
    "Apply for a job on behalf of this person: name: Chris P Bacon. email: chris@pbacon.com"
    f"\n\nPut this cover letter in Additional information: {COVER_LETTER}"
)


def one_field_a_step(prompt: Prompt) -> Any:
    """Fill one field per step (so the run has several plan calls), submit, confirm."""
    done = "application submitted" in prompt.page.lower()
    if prompt.purpose == "verify":
        return {"user_goal_achieved": done, "thoughts": "read the page"}
    if done:
        return {"actions": [{"action_type": "COMPLETE", "reason": "the page confirms it"}]}
    wanted = {**goal_details(prompt), "comments": COVER_LETTER}
    for name, value in wanted.items():
        field = prompt.find(name=name)
        if field is not None and field.attrs.get("value", "") != value:
            return {"actions": [{"action_type": "INPUT_TEXT", "id": field.id, "text": value}]}
    button = prompt.find(tag="button", text="submit")
    return {"actions": [{"action_type": "CLICK", "id": button.id}]}


def _run(provider_agent: Any, server: Any, *, caching: bool) -> tuple[Any, Any, FakeOpenAI]:
    agent, provider = provider_agent("openai", one_field_a_step)
    assert isinstance(provider, FakeOpenAI)
    provider.caching = caching
    run = agent.run_task(GOAL, server.url("/lever/apply"), engine="skyvern-1.0", max_steps=8)
    assert run.status == RunStatus.completed, run.failure_reason
    return agent, run, provider


def test_later_calls_read_the_static_prefix_from_the_cache_and_cost_less(server, provider_agent):
    agent, run, provider = _run(provider_agent, server, caching=True)
    plans = provider.calls_for("plan")
    assert len(plans) >= 4
    # The static part is the same bytes in every call of the run.
    assert len({p.messages[0]["content"] for p in plans}) == 1
    assert plans[0].messages[0]["role"] == "system"
    steps = [s for s in agent.list_steps(run.run_id) if s.llm_calls]
    assert steps[0].cached_token_count == 0
    later = [s.cached_token_count for s in steps[1:]]
    assert all(c >= 1024 and c % 128 == 0 for c in later), later
    assert all(s.cached_token_count < s.input_token_count for s in steps)
    assert run.cached_token_count == sum(later)  # every call of a 1.0 run is a step's

    _, uncached, _ = _run(provider_agent, server, caching=False)
    assert uncached.input_token_count == run.input_token_count  # the same prompts...
    assert uncached.cached_token_count == 0
    assert 0 < run.total_cost < uncached.total_cost  # ...the cached part at its lower price


def test_the_static_part_is_the_same_across_runs_with_the_same_options(server, provider_agent):
    first = _run(provider_agent, server, caching=True)[2].calls_for("plan")[0]
    second = _run(provider_agent, server, caching=True)[2].calls_for("plan")[0]
    assert first.messages[0] == second.messages[0]
    assert "UPLOAD_FILE" not in first.messages[0]["content"]  # no file may be uploaded
    assert "CALL_TOOL" not in first.messages[0]["content"]  # no tools


MESSAGES = [
    {"role": "system", "content": "rules"},
    {"role": "user", "content": "the page"},
]


@pytest.mark.parametrize(
    "model",
    [
        "anthropic/claude-3-5-sonnet-20240620",
        "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
        "vertex_ai/claude-3-5-sonnet@20240620",
    ],
)
def test_cache_control_marks_the_static_part_for_providers_that_need_it(model):
    marked = with_cache_control(load_litellm(), model, MESSAGES)
    assert marked[0]["content"] == [
        {"type": "text", "text": "rules", "cache_control": {"type": "ephemeral"}}
    ]
    assert marked[1] == MESSAGES[1]  # the page part is never marked


@pytest.mark.parametrize(
    "model", ["openai/gpt-4o-mini", "ollama_chat/llama3.1", "gemini/gemini-1.5-flash", "x"]
)
def test_no_cache_control_for_providers_that_cache_by_themselves_or_not_at_all(model):
    assert with_cache_control(load_litellm(), model, MESSAGES) is MESSAGES
