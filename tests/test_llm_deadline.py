"""A total deadline for one model call and its retries: a dead server does not hold a run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agent import Agent
from agent.llm.call import LLMRequest, complete_json
from agent.records.config import DEFAULT_LLM_DEADLINE, LLMOptions, Settings
from agent.records.errors import ConfigError, LLMError
from agent.testing import ScriptedLLM
from tests.faults.fake_openai import FakeOpenAI


@pytest.fixture
def endpoints() -> Iterator[list[FakeOpenAI]]:
    made: list[FakeOpenAI] = []
    yield made
    for endpoint in made:
        endpoint.close()


def _request() -> LLMRequest:
    return LLMRequest("plan", [{"role": "user", "content": "What next?"}], "the goal")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("mode", ["hang", "429"])
async def test_a_call_gives_up_at_its_deadline_whatever_the_retries_left(
    endpoints: list[FakeOpenAI], mode: str
):
    endpoint = FakeOpenAI(mode)
    endpoints.append(endpoint)
    options = LLMOptions(base_url=endpoint.base_url, timeout=1, retries=1000, deadline=2.5)
    with pytest.raises(LLMError, match=r"gave up at the 2.5s deadline .*AGENT_LLM_DEADLINE"):
        await complete_json("openai/gpt-4o-mini", _request(), options=options)
    assert endpoint.count() < 100  # far from the 1001 attempts the retries allowed


def test_the_deadline_has_a_default_and_comes_from_the_environment_or_the_agent(tmp_path):
    assert LLMOptions().deadline == DEFAULT_LLM_DEADLINE == 180
    settings = Settings.from_env({"AGENT_LLM_DEADLINE": "30"})
    assert settings.llm_options_with().deadline == 30
    assert settings.llm_options_with(deadline=5).deadline == 5
    with Agent(llm=ScriptedLLM([]), data_dir=tmp_path, llm_deadline=12) as agent:
        assert agent.llm_options.deadline == 12
    with pytest.raises(ConfigError, match="llm_deadline"):
        LLMOptions(deadline=0)
