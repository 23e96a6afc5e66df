"""Faults over HTTP: each ends the run with a status and a clear reason, in bounded time.

The Agents here allow 8 s per call and one retry, so every failing run ends within a
few seconds; ``pytest.mark.timeout`` is the bound a run must never pass.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agent import Agent, RunStatus
from agent.fake_providers import FakeOllama, FakeOpenAI, FakeProvider, Fault
from tests.providers.policies import LOGIN_GOAL, login_policy

KINDS = ["openai", "ollama_chat"]
TIMEOUT = 8.0


@pytest.fixture(scope="module", params=KINDS)
def wired(request, tmp_path_factory) -> Iterator[tuple[Agent, FakeProvider]]:
    """One fake provider and one Agent on it per kind, shared by this module's tests."""
    policy = login_policy("demo", "correct-horse-battery")
    provider = (FakeOpenAI if request.param == "openai" else FakeOllama)(policy).start()
    agent = Agent(
        **provider.agent_kwargs(),
        llm_timeout=TIMEOUT,
        llm_retries=1,
        data_dir=tmp_path_factory.mktemp(request.param),
        record_video=False,
        progress=False,
    )
    yield agent, provider
    agent.close()
    provider.stop()


@pytest.fixture
def provider(wired) -> FakeProvider:
    wired[1].reset()
    return wired[1]


def login(wired, server):
    agent = wired[0]
    return agent.run_task(LOGIN_GOAL, server.url("/login/"), engine="skyvern-1.0", max_steps=3)


@pytest.mark.timeout(120)
def test_a_rate_limit_is_waited_out_as_retry_after_says(wired, provider, server):
    provider.inject(Fault.rate_limit(retry_after=1))
    run = login(wired, server)
    assert run.status == RunStatus.completed, run.failure_reason
    first, second = provider.model_calls()[:2]
    assert (first.status, first.fault, second.status) == (429, "status", 200)
    assert second.received_at - first.received_at >= 0.9  # Retry-After: 1 was honoured


@pytest.mark.timeout(120)
def test_a_rate_limit_that_does_not_lift_fails_the_run(wired, provider, server):
    provider.inject(Fault.rate_limit(retry_after=0.2, times=None))
    run = login(wired, server)
    assert run.status == RunStatus.failed
    assert "RateLimitError" in run.failure_reason and "after 2 attempts" in run.failure_reason
    assert [c.status for c in provider.model_calls()] == [429, 429]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("status", [500, 503])
def test_a_passing_server_error_is_retried(wired, provider, server, status):
    provider.inject(Fault.server_error(status))
    run = login(wired, server)
    assert run.status == RunStatus.completed, run.failure_reason
    assert provider.model_calls()[0].status == status


@pytest.mark.timeout(120)
def test_server_errors_that_go_on_fail_the_run(wired, provider, server):
    provider.inject(Fault.server_error(500, times=None))
    run = login(wired, server)
    assert run.status == RunStatus.failed
    assert "Model error" in run.failure_reason and "after 2 attempts" in run.failure_reason
    assert "500" in run.failure_reason or "InternalServerError" in run.failure_reason


@pytest.mark.timeout(120)
def test_a_dropped_connection_is_retried(wired, provider, server):
    provider.inject(Fault.drop())
    run = login(wired, server)
    assert run.status == RunStatus.completed, run.failure_reason
    assert provider.model_calls()[0].fault == "drop"


@pytest.mark.timeout(120)
def test_connections_that_keep_dropping_fail_the_run(wired, provider, server):
    provider.inject(Fault.drop(times=None))
    run = login(wired, server)
    assert run.status == RunStatus.failed
    assert "after 2 attempts" in run.failure_reason
    assert "Connection" in run.failure_reason or "APIConnectionError" in run.failure_reason


@pytest.mark.timeout(120)
def test_a_provider_that_never_answers_times_out(wired, provider, server):
    provider.inject(Fault.hang(times=None))
    run = login(wired, server)
    calls = [(c.purpose, c.status, c.fault) for c in provider.model_calls()]
    assert run.status == RunStatus.failed, (run.failure_reason, calls)
    assert "Timeout" in run.failure_reason and "llm_timeout" in run.failure_reason, calls
    assert len(calls) == 2, (run.failure_reason, calls)  # the call and its retry, abandoned


@pytest.mark.timeout(120)
def test_a_body_that_is_not_json_fails_the_run_saying_so(wired, provider, server):
    provider.inject(Fault.not_json(times=None))
    run = login(wired, server)
    assert run.status == RunStatus.failed
    assert "Model error" in run.failure_reason and "after 2 attempts" in run.failure_reason
    assert "Traceback" not in run.failure_reason  # one sentence, not litellm's stack


@pytest.mark.timeout(120)
def test_an_answer_in_prose_is_reasked_then_fails_the_run(wired, provider, server):
    provider.inject(Fault.prose(times=None))
    run = login(wired, server)
    assert run.status == RunStatus.failed
    assert "not JSON" in run.failure_reason
    calls = provider.model_calls()
    roles = [m["role"] for m in calls[1].messages]
    assert roles == ["system", "user", "assistant", "user"]  # re-asked


@pytest.mark.timeout(120)
def test_json_with_the_wrong_keys_ends_the_run_with_a_reason(wired, provider, server):
    provider.inject(Fault.wrong_keys({"steps": [{"click": "Sign in"}]}, times=None))
    run = login(wired, server)
    assert run.status == RunStatus.failed
    assert "actions" in run.failure_reason  # names what the answer lacked
    assert server.submissions_to("/login/session") == []  # nothing was done on a misfit
