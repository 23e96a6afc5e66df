"""The doubles' side of the LLM boundary: the doubles by model name, and the litellm
provider that serves them.

A double (:mod:`agent.testing.stand_ins`) registers itself here under a model name
``agent-test/<name>-<n>``; :func:`register_provider` makes litellm send calls for such
names to :class:`Double.serve_request`, with the :class:`~agent.llm.request.LLMRequest`
being served. :mod:`agent.llm.call` registers the provider when it loads litellm and asks here
what a double costs and whether it sees screenshots; it never imports :mod:`agent.testing.stand_ins`.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import sysconfig
import threading
import traceback
from collections.abc import Callable, Coroutine, Generator
from pathlib import Path
from typing import Any, Protocol

from agent.llm.request import LLMRequest, current_request
from agent.records.errors import RunError

_NOT_THE_POLICY = tuple(
    {str(Path(__file__).resolve().parent) + os.sep}
    | {
        str(Path(path)) + os.sep
        for name, path in sysconfig.get_paths().items()
        if name in ("stdlib", "platstdlib", "purelib", "platlib")
    }
)
"""Where frames of the library, the standard library and installed packages (litellm) live:
left out of a policy's traceback."""

TEST_PROVIDER = "agent-test"
"""litellm provider name under which the doubles in ``agent.testing.stand_ins`` are registered."""
DOUBLE_ERROR_KEY = "_double_error"
"""Key of the request context under which a double's own exception is handed back."""
COUNTING_MODEL = "gpt-4o"
"""The tokenizer the doubles count with (litellm's, offline)."""
WARM_UP_MODEL = f"{TEST_PROVIDER}/warm-up"
"""A model name the provider answers itself (``{}``, no tokens): :func:`warm_call`'s."""


class PolicyError(RunError):
    """A test double's own function (the policy) raised: a bug in the test, not the model.

    Not an :class:`~agent.records.errors.LLMError`, so no engine reports it as a model error; the
    run fails with this message, which names the policy and the exception and carries the
    traceback of the policy's own frames.
    """


POLICY_ERROR_MARK = "[test policy error] "
"""Begins a fake provider's error answer when its policy raised (:mod:`agent.fake_providers`):
:mod:`agent.llm.call` turns such an answer into a :class:`PolicyError`, not a model error."""


def describe_policy_error(name: str, purpose: str, exc: BaseException) -> str:
    """What a policy ``name`` that raised ``exc`` answering ``purpose`` did, with the
    traceback of the policy's own frames (the library's are left out)."""
    every = traceback.extract_tb(exc.__traceback__)
    frames = [frame for frame in every if not frame.filename.startswith(_NOT_THE_POLICY)]
    frames = frames or every  # a policy installed as a package: show it all
    trace = "".join(traceback.format_list(frames)).rstrip()
    message = f"the test policy {name}() raised {type(exc).__name__} answering {purpose!r}: {exc}"
    if trace:
        message += f"\nTraceback (the policy's frames, most recent call last):\n{trace}"
    return message


def policy_error(double: Double | None, purpose: str, exc: BaseException) -> PolicyError:
    """The :class:`PolicyError` for ``exc``, raised by ``double``'s policy answering ``purpose``."""
    name = getattr(getattr(double, "fn", None), "__name__", None) or type(double).__name__
    return PolicyError(describe_policy_error(name, purpose, exc))


def policy_error_in(text: str) -> PolicyError | None:
    """The :class:`PolicyError` a fake provider's error answer carries, if it carries one."""
    _, mark, rest = text.partition(POLICY_ERROR_MARK)
    return PolicyError(rest.strip()) if mark else None


class Double(Protocol):
    """What the provider needs of a double."""

    model_name: str
    vision: bool
    priced_as: str | None

    def serve_request(self, request: LLMRequest) -> str:
        """The answer text for ``request`` (recorded by the double)."""
        ...


_doubles: dict[str, Double] = {}
_registered_with: set[int] = set()
_lock = threading.Lock()


def add_double(double: Double) -> None:
    """Make ``double`` reachable under its ``model_name``."""
    with _lock:
        _doubles[double.model_name] = double


def double_of(model: str) -> Double | None:
    """The double registered as ``model``, or None."""
    return _doubles.get(model)


def double_priced_as(model: str) -> str | None:
    """The litellm model whose prices a double's calls cost, or None (free, or not a double)."""
    double = _doubles.get(model)
    return double.priced_as if double else None


def double_supports_vision(model: str) -> bool:
    """Whether the double registered as ``model`` is sent screenshots."""
    double = _doubles.get(model)
    return bool(double and double.vision)


def _full_name(model: str) -> str:
    """``agent-test/<name>`` for the name litellm hands the provider (with or without it)."""
    return model if model.startswith(TEST_PROVIDER + "/") else f"{TEST_PROVIDER}/{model}"


async def off_the_loop(fn: Callable[[LLMRequest], str], request: LLMRequest) -> str:
    """``fn(request)`` on a thread of its own, awaited without blocking the event loop.

    A double's function is the user's code: it may sleep or block as a slow model would.
    Run on the loop it would freeze the Agent (no timeout, no cancel could act). Here the
    call's timeout and a cancel end the wait at once, as for a provider; the thread (a
    daemon, so it never holds up the process's exit) finishes in the background and its
    result is discarded.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str] = loop.create_future()
    context = contextvars.copy_context()

    def deliver(outcome: Callable[[], None]) -> None:
        if not future.done():  # cancelled or timed out meanwhile: the answer is dropped
            outcome()

    def work() -> None:
        try:
            text = context.run(fn, request)
        except BaseException as exc:  # handed to the awaiting call, whatever it is
            error = exc
            _post(loop, deliver, lambda: future.set_exception(error))
        else:
            _post(loop, deliver, lambda: future.set_result(text))

    threading.Thread(target=work, name="agent-test-double", daemon=True).start()
    return await future


def _post(
    loop: asyncio.AbstractEventLoop,
    deliver: Callable[[Callable[[], None]], None],
    outcome: Callable[[], None],
) -> None:
    try:
        loop.call_soon_threadsafe(deliver, outcome)
    except RuntimeError:  # the loop closed while the double still worked: nobody waits
        pass


class LazyCoroutine(Coroutine[Any, Any, Any]):
    """A coroutine made by ``make()`` when first awaited; dropped unawaited, nothing was made."""

    def __init__(self, make: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        self._make = make
        self._made: Coroutine[Any, Any, Any] | None = None

    def _coroutine(self) -> Coroutine[Any, Any, Any]:
        if self._made is None:
            self._made = self._make()
        return self._made

    def send(self, value: Any) -> Any:
        return self._coroutine().send(value)

    def throw(self, *args: Any) -> Any:
        return self._coroutine().throw(*args)

    def close(self) -> None:
        if self._made is not None:
            self._made.close()

    def __await__(self) -> Generator[Any, None, Any]:
        return self._coroutine().__await__()


def _handler_class(litellm: Any) -> type:
    from litellm.llms.custom_llm import CustomLLM
    from litellm.types.utils import Choices, Message, ModelResponse, Usage

    class _DoubleProvider(CustomLLM):
        """Serves ``agent-test/<name>`` models from the registered doubles."""

        def acompletion(self, model: str, messages: list[Any], *args: Any, **kwargs: Any) -> Any:
            # litellm builds this in a worker thread; a call cancelled meanwhile drops it, so
            # it is a coroutine made only when awaited (a dropped one would warn)
            return LazyCoroutine(lambda: self._answer(model, messages))

        async def _answer(self, model: str, messages: list[Any]) -> Any:
            full = _full_name(model)
            double = _doubles.get(full)
            if double is None:
                raise RuntimeError(f"no test double registered as {full!r}")
            request = current_request() or LLMRequest("unknown", list(messages), "")
            try:
                serve_async = getattr(double, "aserve_request", None)  # waits off the loop itself
                text = (
                    await serve_async(request)
                    if serve_async is not None
                    else await off_the_loop(double.serve_request, request)
                )
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

        def completion(self, model: str, *args: Any, **kwargs: Any) -> Any:
            if _full_name(model) == WARM_UP_MODEL:
                return ModelResponse(
                    model=WARM_UP_MODEL,
                    choices=[Choices(index=0, message=Message(role="assistant", content="{}"))],
                    usage=Usage(prompt_tokens=0, completion_tokens=0, total_tokens=0),
                )
            raise RuntimeError(
                "agent-test doubles are async only (agent.llm.call uses acompletion)"
            )

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

        custom_llm_setup()  # type: ignore[no-untyped-call]  # litellm leaves it unannotated
        _registered_with.add(id(litellm))


def warm_call(litellm: Any) -> None:
    """Make one call through litellm to :data:`WARM_UP_MODEL`.

    litellm imports more on its first call (some 0.15-0.3 s of CPU: the types its call
    path checks against); :func:`agent.llm.call.warm_up` makes that call in the background so a
    run's first model call does not pay for it. The call is synchronous: an async one on a
    loop of the warm-up thread's own would tie litellm's logging worker to that loop (it
    warns when the run's loop takes over). ``no-log`` keeps it out of the callbacks a user
    gave litellm.
    """
    messages = [{"role": "user", "content": "warm up"}]
    litellm.completion(model=WARM_UP_MODEL, messages=messages, **{"no-log": True})


def warm_counting(litellm: Any) -> None:
    """Load the tokenizer the doubles count with (a fraction of a second, once per process).

    :func:`agent.llm.call.warm_up` calls it for a double, so a first call does not wait for it.
    """
    litellm.token_counter(model=COUNTING_MODEL, text="warm")
