"""Test doubles for the model, shipped with the library.

Pass one wherever a model name goes: ``Agent(llm=FunctionLLM(policy))``. The double is
registered with litellm as a custom provider, so every call still goes through
``agent.llm.call`` and litellm, exactly like a real model; only the answer comes from you.

    def policy(request):
        if request.purpose == "plan":
            button = next(e for e in request.observation.elements if e.tag == "button")
            return {"actions": [{"action_type": "CLICK", "id": button.id}]}
        if request.purpose == "verify":
            return {"user_goal_achieved": True, "thoughts": "clicked"}
        return {}

    with Agent(llm=FunctionLLM(policy)) as agent:
        run = agent.run_task("Press the button", url)

``PromptLLM(fn)`` is the honest one, for end-to-end tests: ``fn`` gets a
:class:`~agent.llm.prompt_reading.Prompt` holding only the purpose and the messages as
sent, read back with helpers (``prompt.find(tag="button")``, ``prompt.page``,
``prompt.schema``), exactly what a real model would see::

    def policy(prompt):
        if prompt.purpose == "plan":
            return {"actions": [{"action_type": "CLICK", "id": prompt.find(tag="button").id}]}
        return {"user_goal_achieved": "thank you" in prompt.page.lower()}

``FunctionLLM`` also hands over the structured observation; keep it for tests of the
page layer. ``ScriptedLLM([...])`` answers from a list, in order. All of them record
every request they served in ``.calls``.

A double's function runs on a thread of its own, never on the Agent's event loop: one
that sleeps or blocks is cut off by ``llm_timeout``, ``cancel_run`` and ``close`` as a
slow provider would be (it finishes in the background and its answer is dropped). One
that raises fails the run with a ``PolicyError`` naming it, with its traceback, not as a
model error.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from agent.llm.doubles import TEST_PROVIDER, add_double
from agent.llm.prompt_reading import Prompt, PromptElement, purpose_of
from agent.llm.request import LLMRequest

__all__ = [
    "FakeLLM",
    "FunctionLLM",
    "Prompt",
    "PromptElement",
    "PromptLLM",
    "ScriptedLLM",
    "offline_llm",
    "purpose_of",
]

Answer = dict[str, Any] | list[Any] | str

_counter = itertools.count(1)
_lock = threading.Lock()


class FakeLLM:
    """Base of the doubles: a unique litellm model name and a record of the calls served."""

    def __init__(
        self, *, vision: bool = False, name: str | None = None, priced_as: str | None = None
    ) -> None:
        self.vision = vision
        self.priced_as = priced_as
        """A litellm model whose prices this double's tokens cost (None: free)."""
        self.calls: list[LLMRequest] = []
        with _lock:
            self.model_name = (
                f"{TEST_PROVIDER}/{name or type(self).__name__.lower()}-{next(_counter)}"
            )
        add_double(self)

    def answer(self, request: LLMRequest) -> Answer:
        raise NotImplementedError

    def calls_for(self, purpose: str) -> list[LLMRequest]:
        """The calls made with one purpose."""
        return [c for c in self.calls if c.purpose == purpose]

    def serve_request(self, request: LLMRequest) -> str:
        """Record ``request`` and answer it as text (what the litellm provider calls)."""
        self.calls.append(request)
        reply = self.answer(request)
        return reply if isinstance(reply, str) else json.dumps(reply)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.model_name!r}, calls={len(self.calls)})"


class FunctionLLM(FakeLLM):
    """A model whose answer is ``fn(request)``: a dict/list (sent as JSON) or raw text.

    ``request`` is an :class:`~agent.llm.call.LLMRequest` with ``purpose``, ``messages``,
    ``prompt`` and, for page purposes, ``observation``.
    """

    def __init__(
        self,
        fn: Callable[[LLMRequest], Answer],
        *,
        vision: bool = False,
        priced_as: str | None = None,
    ) -> None:
        super().__init__(
            vision=vision,
            name=getattr(fn, "__name__", "function").strip("<>"),
            priced_as=priced_as,
        )
        self.fn = fn

    def answer(self, request: LLMRequest) -> Answer:
        return self.fn(request)


class PromptLLM(FakeLLM):
    """A model whose answer is ``fn(prompt)``, where ``prompt`` holds only what was sent.

    ``prompt`` is a :class:`~agent.llm.prompt_reading.Prompt`: the call's ``purpose`` and its
    ``messages`` (text parts and, for ``vision=True``, the screenshots), with helpers that
    read the rendered page, the goal and the schema back out of the text. The library's
    structured observation and run internals are not reachable from it, so a policy that
    works here works for the same reasons a model's answer would.

    ``.prompts`` keeps every prompt served, in order.
    """

    def __init__(
        self,
        fn: Callable[[Prompt], Answer],
        *,
        vision: bool = False,
        priced_as: str | None = None,
    ) -> None:
        super().__init__(
            vision=vision,
            name=getattr(fn, "__name__", "prompt").strip("<>"),
            priced_as=priced_as,
        )
        self.fn = fn
        self.prompts: list[Prompt] = []

    def answer(self, request: LLMRequest) -> Answer:
        prompt = Prompt(request.purpose, [dict(m) for m in request.messages])
        self.prompts.append(prompt)
        return self.fn(prompt)

    def prompts_for(self, purpose: str) -> list[Prompt]:
        """The prompts served with one purpose."""
        return [p for p in self.prompts if p.purpose == purpose]


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


def offline_llm() -> PromptLLM:
    """A messages-only double driven by :func:`agent.testing.offline_policy.offline_policy` (the demo's)."""
    from agent.testing.offline_policy import offline_policy

    return PromptLLM(offline_policy)
