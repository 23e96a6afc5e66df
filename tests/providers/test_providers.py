"""Runs over real provider protocols: litellm's OpenAI and Ollama clients, over HTTP, to
fake servers on 127.0.0.1 that answer from messages-only policies."""

from __future__ import annotations

import base64

import pytest

from agent import RunStatus
from agent.fake_providers import FakeOpenAI
from tests.providers.policies import (
    APPLY_GOAL,
    APPLY_SCHEMA,
    LOGIN_GOAL,
    PRODUCTS_GOAL,
    PRODUCTS_SCHEMA,
    apply_policy,
    login_policy,
    products_policy,
)


def assert_tokens_match(agent, run, server) -> None:
    """The run's and each step's token counts are what the server reported, call by call."""
    calls = server.model_calls()
    assert calls and all(c.status == 200 for c in calls)
    reported_in, reported_out = server.reported_tokens()
    assert (run.input_token_count, run.output_token_count) == (reported_in, reported_out)
    assert run.llm_calls == len(calls)
    if f"{run.run_type}" == "task_v1":  # every 1.0 call belongs to a step, in order
        remaining = list(calls)
        for step in agent.list_steps(run.run_id):
            mine, remaining = remaining[: step.llm_calls], remaining[step.llm_calls :]
            assert step.input_token_count == sum(c.prompt_tokens for c in mine) > 0
            assert step.output_token_count == sum(c.completion_tokens for c in mine) > 0
        assert remaining == []


@pytest.mark.parametrize("kind", ["openai", "ollama_chat"])
@pytest.mark.parametrize("engine", ["skyvern-1.0", "skyvern-2.0"])
def test_job_application_through_a_provider(kind, engine, server, provider_agent):
    agent, provider = provider_agent(kind, apply_policy)
    run = agent.run_task(APPLY_GOAL, server.url("/lever/apply"), APPLY_SCHEMA, engine=engine)
    assert run.status == RunStatus.completed, run.failure_reason
    assert run.output == {"application_success": True}
    sent = server.wait_for_submission("/lever/apply")
    assert (sent.form["name"], sent.form["email"]) == ("Chris P Bacon", "chris@pbacon.com")
    assert_tokens_match(agent, run, provider)
    purposes = [c.purpose for c in provider.model_calls()]
    assert "plan" in purposes and "unknown" not in purposes
    if engine == "skyvern-2.0":
        assert {"plan_v2", "validate_v2"} <= set(purposes)


@pytest.mark.parametrize("kind", ["openai", "ollama"])
def test_product_extraction_through_a_provider(kind, server, provider_agent):
    agent, provider = provider_agent(kind, products_policy)
    run = agent.run_task(
        PRODUCTS_GOAL, server.url("/products/"), PRODUCTS_SCHEMA, engine="skyvern-2.0"
    )
    assert run.status == RunStatus.completed, run.failure_reason
    products = run.output["products"]
    assert len(products) == 10 and all(p["price"] > 0 for p in products)
    assert_tokens_match(agent, run, provider)
    if kind == "ollama":  # litellm's ollama/ provider flattens the chat into one prompt
        assert {c.path for c in provider.model_calls()} == {"/api/generate"}


def test_login_through_ollama_generate(server, provider_agent):
    agent, provider = provider_agent("ollama", login_policy("demo", "correct-horse-battery"))
    run = agent.run_task(LOGIN_GOAL, server.url("/login/"), engine="skyvern-1.0")
    assert run.status == RunStatus.completed, run.failure_reason
    assert server.wait_for_submission("/login/session").form["username"] == "demo"
    assert_tokens_match(agent, run, provider)
    body = provider.model_calls()[0].body
    assert body["format"] == "json" and body["stream"] is False and "prompt" in body


def test_json_mode_and_screenshots_for_a_vision_model(server, provider_agent):
    agent, provider = provider_agent("openai", apply_policy, model="gpt-4o-mini")
    run = agent.run_task(APPLY_GOAL, server.url("/lever/apply"), engine="skyvern-1.0")
    assert run.status == RunStatus.completed, run.failure_reason
    plan = provider.calls_for("plan")[0]
    assert plan.body["response_format"] == {"type": "json_object"}
    assert plan.headers["authorization"] == f"Bearer {provider.api_key}"
    system, task = plan.body["messages"]
    assert isinstance(system["content"], str)  # the static part: text only
    parts = task["content"]
    assert [p["type"] for p in parts] == ["text", "image_url"]
    url = parts[1]["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]).startswith(b"\x89PNG")


def test_a_text_model_gets_no_screenshots_and_json_mode_can_be_switched_off(server, provider_agent):
    agent, provider = provider_agent(
        "openai", apply_policy, model="my-local-model", llm_options={"response_format": None}
    )
    run = agent.run_task(APPLY_GOAL, server.url("/lever/apply"), engine="skyvern-1.0")
    assert run.status == RunStatus.completed, run.failure_reason
    plan = provider.calls_for("plan")[0]
    assert all(isinstance(m["content"], str) for m in plan.body["messages"])
    assert "response_format" not in plan.body
    assert run.total_cost == 0.0  # litellm has no price for an unknown model


def test_cost_of_a_priced_model_is_its_price_times_the_reported_usage(server, provider_agent):
    import litellm

    agent, provider = provider_agent("openai", apply_policy, model="gpt-4o-mini")
    run = agent.run_task(APPLY_GOAL, server.url("/lever/apply"), engine="skyvern-1.0")
    assert run.status == RunStatus.completed, run.failure_reason
    price = litellm.model_cost["gpt-4o-mini"]
    tokens_in, tokens_out = provider.reported_tokens()
    expected = (
        tokens_in * price["input_cost_per_token"] + tokens_out * price["output_cost_per_token"]
    )
    assert run.total_cost == pytest.approx(expected) and expected > 0
    steps = agent.list_steps(run.run_id)
    assert sum(s.step_cost for s in steps) == pytest.approx(expected)


def test_the_environment_points_the_default_agent_at_a_server(server, tmp_path, monkeypatch):
    from agent import Agent

    with FakeOpenAI(apply_policy, api_key="sk-from-env") as provider:
        monkeypatch.setenv("AGENT_LLM", "openai/gpt-4o-mini")
        monkeypatch.setenv("AGENT_LLM_BASE_URL", provider.base_url)
        monkeypatch.setenv("AGENT_LLM_OPTIONS", '{"api_key": "sk-from-env"}')
        monkeypatch.setenv("AGENT_LLM_TIMEOUT", "30")
        with Agent(data_dir=tmp_path, record_video=False, progress=False) as agent:
            assert agent.llm_options.timeout == 30
            run = agent.run_task(APPLY_GOAL, server.url("/lever/apply"), engine="skyvern-1.0")
        assert run.status == RunStatus.completed, run.failure_reason
        assert provider.calls[0].headers["authorization"] == "Bearer sk-from-env"


def test_litellms_own_variables_keep_working(server, tmp_path, monkeypatch):
    from agent import Agent

    with FakeOpenAI(apply_policy, api_key="sk-litellm-env") as provider:
        monkeypatch.setenv("OPENAI_API_BASE", provider.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-litellm-env")
        with Agent(llm="openai/gpt-4o-mini", data_dir=tmp_path, record_video=False) as agent:
            run = agent.run_task(APPLY_GOAL, server.url("/lever/apply"), engine="skyvern-1.0")
        assert run.status == RunStatus.completed, run.failure_reason
        assert provider.model_calls()


def test_a_wrong_api_key_fails_the_run_at_once_with_the_providers_words(server, provider_agent):
    agent, provider = provider_agent("openai", apply_policy, llm_options={"api_key": "sk-wrong"})
    run = agent.run_task(APPLY_GOAL, server.url("/lever/apply"), engine="skyvern-1.0")
    assert run.status == RunStatus.failed
    assert "AuthenticationError" in run.failure_reason
    assert "Incorrect API key" in run.failure_reason
    assert len(provider.model_calls()) == 1  # not retried: retrying cannot fix a bad key
