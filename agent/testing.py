"""Test doubles for the model, shipped with the library.

Pass one wherever a model name goes: ``Agent(llm=FunctionLLM(policy))``. The double is
registered with litellm as a custom provider, so every call still goes through
``agent.llm`` and litellm, exactly like a real model; only the answer comes from you.

    def policy(request):
        if request.purpose == "plan":
            button = next(e for e in request.observation.elements if e.tag == "button")
            return {"actions": [{"action_type": "CLICK", "id": button.id}]}
        if request.purpose == "verify":
            return {"user_goal_achieved": True, "thoughts": "clicked"}
        return {}

    with Agent(llm=FunctionLLM(policy)) as agent:
        run = agent.run_task("Press the button", url)

``ScriptedLLM([...])`` answers from a list, in order. Both record every request they
served in ``.calls``.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from agent.llm import DOUBLE_ERROR_KEY, TEST_PROVIDER, LLMRequest, current_request

Answer = dict[str, Any] | list[Any] | str

COUNTING_MODEL = "gpt-4o"
"""The tokenizer the doubles count with (litellm's, offline)."""

_registry: dict[str, FakeLLM] = {}
_counter = itertools.count(1)
_registered_with: set[int] = set()
_lock = threading.Lock()


class FakeLLM:
    """Base of the doubles: a unique litellm model name and a record of the calls served."""

    def __init__(self, *, vision: bool = False, name: str | None = None) -> None:
        self.vision = vision
        self.calls: list[LLMRequest] = []
        with _lock:
            self.model_name = (
                f"{TEST_PROVIDER}/{name or type(self).__name__.lower()}-{next(_counter)}"
            )
            _registry[self.model_name] = self

    def answer(self, request: LLMRequest) -> Answer:
        raise NotImplementedError

    def calls_for(self, purpose: str) -> list[LLMRequest]:
        """The calls made with one purpose."""
        return [c for c in self.calls if c.purpose == purpose]

    def _serve(self, request: LLMRequest) -> str:
        self.calls.append(request)
        reply = self.answer(request)
        return reply if isinstance(reply, str) else json.dumps(reply)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.model_name!r}, calls={len(self.calls)})"


class FunctionLLM(FakeLLM):
    """A model whose answer is ``fn(request)``: a dict/list (sent as JSON) or raw text.

    ``request`` is an :class:`~agent.llm.LLMRequest` with ``purpose``, ``messages``,
    ``prompt`` and, for page purposes, ``observation``.
    """

    def __init__(self, fn: Callable[[LLMRequest], Answer], *, vision: bool = False) -> None:
        super().__init__(vision=vision, name=getattr(fn, "__name__", "function").strip("<>"))
        self.fn = fn

    def answer(self, request: LLMRequest) -> Answer:
        return self.fn(request)


class ScriptedLLM(FakeLLM):
    """A model that gives the listed answers in order, whatever it is asked.

    An entry may be a dict/list/str, or a callable taking the request.
    """

    def __init__(
        self, answers: Iterable[Answer | Callable[[LLMRequest], Answer]], *, vision: bool = False
    ) -> None:
        super().__init__(vision=vision)
        self.answers = list(answers)

    def answer(self, request: LLMRequest) -> Answer:
        if not self.answers:
            raise RuntimeError(
                f"ScriptedLLM ran out of answers at call {len(self.calls)} "
                f"(purpose {request.purpose!r}); add more answers to the script"
            )
        nxt = self.answers.pop(0)
        return nxt(request) if callable(nxt) else nxt


def double_supports_vision(model: str) -> bool:
    double = _registry.get(model)
    return bool(double and double.vision)


def _handler_class(litellm: Any) -> type:
    from litellm.llms.custom_llm import CustomLLM
    from litellm.types.utils import Choices, Message, ModelResponse, Usage

    class _DoubleProvider(CustomLLM):  # type: ignore[misc]
        """Serves ``agent-test/<name>`` models from the registered doubles."""

        async def acompletion(
            self, model: str, messages: list[Any], *args: Any, **kwargs: Any
        ) -> Any:
            full = model if model.startswith(TEST_PROVIDER + "/") else f"{TEST_PROVIDER}/{model}"
            double = _registry.get(full)
            if double is None:
                raise RuntimeError(f"no test double registered as {full!r}")
            request = current_request() or LLMRequest("unknown", list(messages), "")
            try:
                text = double._serve(request)
            except Exception as exc:
                request.context[DOUBLE_ERROR_KEY] = exc
                raise
            # Count as a real model would, so token figures in tests and benchmarks mean something.
            tokens_in = litellm.token_counter(model=COUNTING_MODEL, messages=messages)
            tokens_out = litellm.token_counter(model=COUNTING_MODEL, text=text)
            return ModelResponse(
                model=full,
                choices=[
                    Choices(
                        index=0,
                        finish_reason="stop",
                        message=Message(role="assistant", content=text),
                    )
                ],
                usage=Usage(
                    prompt_tokens=tokens_in,
                    completion_tokens=tokens_out,
                    total_tokens=tokens_in + tokens_out,
                ),
            )

        def completion(self, *args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("agent-test doubles are async only (agent.llm uses acompletion)")

    return _DoubleProvider


def register_provider(litellm: Any) -> None:
    """Register the doubles' provider with litellm (once per litellm module)."""
    with _lock:
        if id(litellm) in _registered_with:
            return
        handler = _handler_class(litellm)()
        providers = [
            p for p in (litellm.custom_provider_map or []) if p.get("provider") != TEST_PROVIDER
        ]
        litellm.custom_provider_map = [
            *providers,
            {"provider": TEST_PROVIDER, "custom_handler": handler},
        ]
        from litellm.utils import custom_llm_setup

        custom_llm_setup()
        _registered_with.add(id(litellm))


def offline_llm() -> FunctionLLM:
    """A double driven by :func:`agent.offline_policy.offline_policy` (used by the demo)."""
    from agent.offline_policy import offline_policy

    return FunctionLLM(offline_policy)
