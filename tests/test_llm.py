"""The LLM boundary: lenient JSON, one re-ask, token counts, the block switch, doubles."""

from __future__ import annotations

import pytest

from agent.errors import LLMError, RealLLMBlockedError
from agent.llm import LLMRequest, complete_json, parse_json
from agent.testing import FunctionLLM, ScriptedLLM


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('```json\n{"a": 1}\n```', {"a": 1}),
        ('Here you go:\n```\n{"a": [1, 2]}\n```\nAnything else?', {"a": [1, 2]}),
        ('Sure. {"a": {"b": "x}y"}} is my answer', {"a": {"b": "x}y"}}),
        ('{"a": 1, "b": [1, 2,],}', {"a": 1, "b": [1, 2]}),
        ("{'a': True, 'b': None}", {"a": True, "b": None}),
        (
            '{"actions": [{"action_type": "CLICK", "id": "3"',
            {"actions": [{"action_type": "CLICK", "id": "3"}]},
        ),
        ('[{"x": 1}]', [{"x": 1}]),
    ],
)
def test_parse_json_tolerates_what_models_wrap_around_it(text, expected):
    assert parse_json(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "no json here at all"])
def test_parse_json_rejects_answers_without_json(text):
    with pytest.raises(ValueError):
        parse_json(text)


def _request(purpose: str = "plan") -> LLMRequest:
    return LLMRequest(purpose, [{"role": "user", "content": "What next?"}], "the goal")


async def test_double_is_called_through_litellm_with_token_counts():
    double = FunctionLLM(lambda r: {"purpose": r.purpose, "goal": r.prompt})
    result = await complete_json(double.model_name, _request("verify"))
    assert result.data == {"purpose": "verify", "goal": "the goal"}
    assert result.input_tokens > 0 and result.output_tokens > 0 and result.calls == 1
    assert double.calls[0].messages == [{"role": "user", "content": "What next?"}]


async def test_unusable_answer_is_reasked_once_with_the_error():
    double = ScriptedLLM(["I think you should click", '{"actions": []}'])
    result = await complete_json(double.model_name, _request())
    assert result.data == {"actions": []} and result.calls == 2
    reask = double.calls[1].messages[-1]["content"]
    assert "could not be used" in reask and "no JSON object found" in reask


async def test_still_unusable_after_the_reask_is_an_llm_error():
    double = ScriptedLLM(["nope", "still nope"])
    with pytest.raises(LLMError, match="no usable JSON for 'plan' after a re-ask"):
        await complete_json(double.model_name, _request())


async def test_a_failing_double_becomes_an_llm_error():
    double = ScriptedLLM([])  # runs out at once
    with pytest.raises(LLMError, match="ran out of answers"):
        await complete_json(double.model_name, _request())


async def test_real_models_are_blocked_in_tests():
    with pytest.raises(RealLLMBlockedError, match="blocked"):
        await complete_json("gpt-4o-mini", _request())


def test_import_agent_is_fast_and_lazy():
    import subprocess
    import sys
    import time

    code = (
        "import sys, time; t = time.perf_counter(); import agent; "
        "print(time.perf_counter() - t); "
        "print(any(m.startswith(('litellm', 'playwright')) for m in sys.modules))"
    )
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[1] == "False", "import agent must not import litellm or playwright"
    assert float(out[0]) < 1.0, f"import agent took {out[0]}s"
    assert time.perf_counter() - started < 10


async def test_rate_limits_are_retried_with_backoff(monkeypatch):
    import litellm

    import agent.llm as llm_module

    failures = [
        litellm.RateLimitError("slow down", llm_provider="openai", model="gpt-4o-mini"),
        litellm.Timeout("took too long", model="gpt-4o-mini", llm_provider="openai"),
    ]
    double = FunctionLLM(lambda r: {"ok": True})
    real_acompletion = litellm.acompletion
    sleeps: list[float] = []

    async def flaky(**kwargs):
        if failures:
            raise failures.pop(0)
        return await real_acompletion(model=double.model_name, messages=kwargs["messages"])

    async def no_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    monkeypatch.setattr(litellm, "acompletion", flaky)
    monkeypatch.setattr(llm_module.asyncio, "sleep", no_sleep)
    monkeypatch.setattr(llm_module, "_block_real_calls", False)
    result = await complete_json("gpt-4o-mini", _request())
    assert result.data == {"ok": True}
    assert sleeps == [1.0, 2.0]


async def test_errors_that_retrying_cannot_fix_fail_at_once(monkeypatch):
    import litellm

    import agent.llm as llm_module

    calls = []

    async def unauthorized(**kwargs):
        calls.append(kwargs)
        raise litellm.AuthenticationError("bad key", llm_provider="openai", model="gpt-4o-mini")

    monkeypatch.setattr(litellm, "acompletion", unauthorized)
    monkeypatch.setattr(llm_module, "_block_real_calls", False)
    with pytest.raises(LLMError, match="AuthenticationError"):
        await complete_json("gpt-4o-mini", _request())
    assert len(calls) == 1
