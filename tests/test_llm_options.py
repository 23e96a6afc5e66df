"""Model-call options: Agent arguments, AGENT_LLM_* variables, and what tests may reach."""

from __future__ import annotations

import pytest

from agent import Agent
from agent.llm.call import LLMRequest, complete_json
from agent.llm.transport import MAX_RETRY_WAIT, api_base_of, call_arguments, retry_wait
from agent.records.config import LLMOptions, Settings
from agent.records.errors import ConfigError, RealLLMBlockedError


def test_agent_arguments_win_over_the_environment():
    settings = Settings.from_env(
        {
            "AGENT_LLM_BASE_URL": "http://127.0.0.1:1/v1",
            "AGENT_LLM_TIMEOUT": "9",
            "AGENT_LLM_RETRIES": "0",
            "AGENT_LLM_OPTIONS": '{"api_key": "sk-env", "temperature": 0}',
        }
    )
    agent = Agent(
        llm="openai/x", llm_timeout=3, llm_options={"api_key": "sk-arg"}, settings=settings
    )
    try:
        options = agent.llm_options
        assert (options.base_url, options.timeout, options.retries) == (
            "http://127.0.0.1:1/v1",
            3,
            0,
        )
        assert options.extra == {"api_key": "sk-arg", "temperature": 0}
        assert "sk-arg" not in repr(options)  # a key never lands in a log line
    finally:
        agent.close()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"AGENT_LLM_OPTIONS": "{not json"}, "AGENT_LLM_OPTIONS must be a JSON object"),
        ({"AGENT_LLM_OPTIONS": "[1]"}, "must be a JSON object, not list"),
        ({"AGENT_LLM_TIMEOUT": "soon"}, "AGENT_LLM_TIMEOUT='soon' is not a number"),
        ({"AGENT_LLM_RETRIES": "2.5"}, "is not a whole number"),
    ],
)
def test_bad_variables_say_which_and_why(env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"extra": {"timeout": 5}}, "llm_timeout="),
        ({"extra": {"num_retries": 5}}, "llm_retries="),
        ({"extra": {"stream": True}}, "answers are read whole"),
        ({"base_url": "http://a", "extra": {"api_base": "http://b"}}, "give the server's URL once"),
        ({"timeout": 0}, "above 0"),
        ({"retries": -1}, "from 0"),
    ],
)
def test_bad_options_name_the_fix(options, message):
    with pytest.raises(ConfigError, match=message):
        LLMOptions(**options)


def test_litellm_arguments_carry_the_server_the_timeout_and_no_hidden_retries():
    import litellm

    options = LLMOptions(extra={"api_base": "http://127.0.0.1:9/v1", "api_key": "k"}, timeout=7)
    kwargs = call_arguments(litellm, "openai/gpt-4o-mini", options)
    assert kwargs == {
        "timeout": 7,
        "max_retries": 0,
        "response_format": {"type": "json_object"},
        "api_base": "http://127.0.0.1:9/v1",
        "api_key": "k",
    }


def test_litellms_own_base_variables_are_where_calls_go(monkeypatch):
    monkeypatch.setenv("OLLAMA_API_BASE", "http://127.0.0.1:11500")
    assert api_base_of("ollama_chat/llama3.1", LLMOptions()) == "http://127.0.0.1:11500"
    monkeypatch.delenv("OPENAI_API_BASE", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert api_base_of("gpt-4o-mini", LLMOptions()) is None


def test_a_long_retry_after_is_cut_to_the_bound():
    limited = Exception("slow down")
    limited.litellm_response_headers = {"Retry-After": "3600"}  # type: ignore[attr-defined]
    assert retry_wait(limited, backoff=1.0) == MAX_RETRY_WAIT


@pytest.mark.parametrize(
    "base_url", ["https://api.openai.com/v1", "http://10.0.0.5:11434", "http://example.test"]
)
async def test_servers_off_this_machine_stay_blocked_in_tests(base_url):
    request = LLMRequest("plan", [{"role": "user", "content": "json"}], "goal")
    with pytest.raises(RealLLMBlockedError, match=r"fake provider on 127\.0\.0\.1"):
        await complete_json("openai/gpt-4o-mini", request, options=LLMOptions(base_url=base_url))
