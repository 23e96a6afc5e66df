"""The LLM boundary: lenient JSON, typed answers with one re-ask, token counts, the block switch."""

from __future__ import annotations

import pytest

from agent.llm.call import LLMRequest, complete_json, parse_json
from agent.llm.doubles import PolicyError
from agent.records.errors import AnswerMisfitError, LLMError, RealLLMBlockedError
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
    # a unit test of the boundary itself: FunctionLLM here reads no page, only the goal field
    double = FunctionLLM(lambda r: {"user_goal_achieved": True, "thoughts": r.prompt})
    result = await complete_json(double.model_name, _request("verify"))
    assert result.data == {"user_goal_achieved": True, "thoughts": "the goal"}
    assert result.answer.user_goal_achieved is True
    assert result.input_tokens > 0 and result.output_tokens > 0 and result.calls == 1
    assert double.calls[0].messages == [{"role": "user", "content": "What next?"}]


async def test_unusable_answer_is_reasked_once_with_the_error():
    double = ScriptedLLM(["I think you should click", '{"actions": [{"action_type": "WAIT"}]}'])
    result = await complete_json(double.model_name, _request())
    assert result.answer.actions[0].action_type == "WAIT" and result.calls == 2
    reask = double.calls[1].messages[-1]["content"]
    assert "could not be used" in reask and "no JSON object found" in reask


async def test_still_unusable_after_the_reask_is_an_llm_error():
    double = ScriptedLLM(["nope", "still nope"])
    with pytest.raises(LLMError, match="did not fit, even when asked again: it is not JSON"):
        await complete_json(double.model_name, _request())


@pytest.mark.parametrize(
    ("purpose", "answer", "named"),
    [
        ("verify", {"goal_achieved": True}, "missing key 'user_goal_achieved'"),
        ("verify", {"user_goal_achieved": "perhaps"}, "'user_goal_achieved'"),
        ("plan", {"actions": [{"action_type": "FLY"}]}, "unknown action_type 'FLY'"),
        ("plan", {"action": [{"action_type": "WAIT"}]}, "missing key 'actions'"),
        ("plan", {"actions": [{"action_type": "CLICK", "id": "99"}]}, "id '99'"),
        ("plan_v2", {"user_goal_achieved": False, "task_type": "fly"}, "'task_type'"),
        ("summarize_v2", {"description": "done"}, "missing key 'output'"),
        ("error_codes", {"errors": "none"}, "'errors'"),
    ],
)
async def test_json_that_does_not_fit_is_reasked_naming_what_was_wrong(purpose, answer, named):
    double = ScriptedLLM([answer, answer])
    request = _request(purpose)
    request.element_ids = frozenset({"1", "2"})
    with pytest.raises(AnswerMisfitError) as caught:
        await complete_json(double.model_name, request)
    assert len(double.calls) == 2
    reask = double.calls[1].messages[-1]["content"]
    assert named in reask and named in str(caught.value)
    assert caught.value.result.calls == 2  # both calls are still counted


async def test_a_misfit_corrected_on_the_reask_is_used():
    double = ScriptedLLM([{"goal_achieved": True}, {"user_goal_achieved": False}])
    result = await complete_json(double.model_name, _request("verify"))
    assert result.answer.user_goal_achieved is False and result.calls == 2


async def test_a_failing_double_is_the_policys_error_not_the_models():
    double = ScriptedLLM([])  # runs out at once
    with pytest.raises(PolicyError, match="ran out of answers") as caught:
        await complete_json(double.model_name, _request())
    assert not isinstance(caught.value, LLMError)  # no engine reports it as a model error


async def test_real_models_are_blocked_in_tests():
    with pytest.raises(RealLLMBlockedError, match="blocked"):
        await complete_json("gpt-4o-mini", _request())


def test_import_agent_is_lazy():
    # how fast it is, is measured by tests/bench, not asserted here
    import subprocess
    import sys

    code = (
        "import sys, time; t = time.perf_counter(); import agent; "
        "print(time.perf_counter() - t); "
        "print(any(m.startswith(('litellm', 'playwright')) for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[1] == "False", "import agent must not import litellm or playwright"


def test_creating_an_agent_loads_litellm_in_the_background_and_freezes_it():
    # a fresh process: this one may have loaded litellm already
    import subprocess
    import sys

    code = (
        "import gc, sys, time\n"
        "import agent.llm.call as llm\n"
        "from agent import Agent\n"
        "from agent.testing import ScriptedLLM\n"
        "with Agent(llm=ScriptedLLM([])) as a:\n"
        "    print('litellm' in sys.modules)\n"  # importing (or done), with no run started
        "    deadline = time.monotonic() + 100\n"
        "    while llm._loaded is None and time.monotonic() < deadline:\n"
        "        time.sleep(0.05)\n"
        "    print(llm._loaded is not None, gc.get_freeze_count() > 0, gc.isenabled())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=110
    ).stdout.split()
    assert out[0] == "True", "the import starts when the Agent is created, before any run"
    assert out[1:] == ["True", "True", "True"], "loaded, frozen, and the collector back on"


def test_the_warm_up_call_stays_out_of_the_users_litellm_callbacks():
    import time

    from litellm.integrations.custom_logger import CustomLogger

    from agent.llm.call import load_litellm
    from agent.llm.doubles import WARM_UP_MODEL, warm_call

    litellm = load_litellm()
    seen: list[str] = []

    class Spy(CustomLogger):  # a user's logger (Langfuse, a cost tracker, ...)
        def log_success_event(self, kwargs, response_obj, start_time, end_time):
            seen.append(kwargs.get("model"))

    spy = Spy()
    litellm.callbacks.append(spy)
    try:
        warm_call(litellm)
        # The same call without "no-log" does reach the logger: wait for it to be logged.
        answer = litellm.completion(
            model=WARM_UP_MODEL, messages=[{"role": "user", "content": "logged"}]
        )
        deadline = time.monotonic() + 10
        while not seen and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        litellm.callbacks.remove(spy)
    assert answer.choices[0].message.content == "{}"
    assert len(seen) == 1, seen


async def test_rate_limits_are_retried_with_backoff(monkeypatch):
    import litellm

    import agent.llm.call as llm_module

    failures = [
        litellm.RateLimitError("slow down", llm_provider="openai", model="gpt-4o-mini"),
        litellm.Timeout("took too long", model="gpt-4o-mini", llm_provider="openai"),
    ]
    double = FunctionLLM(lambda r: {"actions": [{"action_type": "WAIT"}]})
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
    assert result.data == {"actions": [{"action_type": "WAIT"}]}
    assert sleeps == [1.0, 2.0]


async def test_errors_that_retrying_cannot_fix_fail_at_once(monkeypatch):
    import litellm

    import agent.llm.call as llm_module

    calls = []

    async def unauthorized(**kwargs):
        calls.append(kwargs)
        raise litellm.AuthenticationError("bad key", llm_provider="openai", model="gpt-4o-mini")

    monkeypatch.setattr(litellm, "acompletion", unauthorized)
    monkeypatch.setattr(llm_module, "_block_real_calls", False)
    with pytest.raises(LLMError, match="AuthenticationError"):
        await complete_json("gpt-4o-mini", _request())
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[" * 200_000, "levels deep"),
        ('{"a": ' * 5_000 + "1" + "}" * 5_000, "levels deep"),
        ('{"thoughts": "' + "x" * 2_000_000 + '"}', "characters long"),
    ],
    ids=["open-brackets", "deep-objects", "huge"],
)
def test_unparseable_answers_are_value_errors_not_crashes(text, named):
    with pytest.raises(ValueError, match=named):
        parse_json(text)


async def test_a_deeply_nested_answer_is_a_misfit_that_is_reasked():
    double = ScriptedLLM(["[" * 200_000, '{"actions": [{"action_type": "WAIT"}]}'])
    result = await complete_json(double.model_name, _request())
    assert result.answer.actions[0].action_type == "WAIT" and result.calls == 2
    reask = double.calls[1].messages
    assert "levels deep" in reask[-1]["content"]
    assert len(reask[-2]["content"]) < 5_000 and "[cut: " in reask[-2]["content"]
