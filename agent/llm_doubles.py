"""The doubles' side of the LLM boundary: the doubles by model name, and the litellm
provider that serves them.

A double (:mod:`agent.testing`) registers itself here under a model name
``agent-test/<name>-<n>``; :func:`register_provider` makes litellm send calls for such
names to :class:`Double.serve_request`, with the :class:`~agent.llm_request.LLMRequest`
being served. :mod:`agent.llm` registers the provider when it loads litellm and asks here
what a double costs and whether it sees screenshots; it never imports :mod:`agent.testing`.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from agent.llm_request import LLMRequest, current_request

TEST_PROVIDER = "agent-test"
"""litellm provider name under which the doubles in ``agent.testing`` are registered."""
DOUBLE_ERROR_KEY = "_double_error"
"""Key of the request context under which a double's own exception is handed back."""
COUNTING_MODEL = "gpt-4o"
"""The tokenizer the doubles count with (litellm's, offline)."""
WARM_UP_MODEL = f"{TEST_PROVIDER}/warm-up"
"""A model name the provider answers itself (``{}``, no tokens): :func:`warm_call`'s."""


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


def _handler_class(litellm: Any) -> type:
    from litellm.llms.custom_llm import CustomLLM
    from litellm.types.utils import Choices, Message, ModelResponse, Usage

    class _DoubleProvider(CustomLLM):
        """Serves ``agent-test/<name>`` models from the registered doubles."""

        async def acompletion(
            self, model: str, messages: list[Any], *args: Any, **kwargs: Any
        ) -> Any:
            full = _full_name(model)
            double = _doubles.get(full)
            if double is None:
                raise RuntimeError(f"no test double registered as {full!r}")
            request = current_request() or LLMRequest("unknown", list(messages), "")
            try:
                serve_async = getattr(double, "aserve_request", None)  # waits off the loop
                text = (
                    await serve_async(request)
                    if serve_async is not None
                    else double.serve_request(request)
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

        custom_llm_setup()  # type: ignore[no-untyped-call]  # litellm leaves it unannotated
        _registered_with.add(id(litellm))


def warm_call(litellm: Any) -> None:
    """Make one call through litellm to :data:`WARM_UP_MODEL`.

    litellm imports more on its first call (some 0.15-0.3 s of CPU: the types its call
    path checks against); :func:`agent.llm.warm_up` makes that call in the background so a
    run's first model call does not pay for it. The call is synchronous: an async one on a
    loop of the warm-up thread's own would tie litellm's logging worker to that loop (it
    warns when the run's loop takes over). ``no-log`` keeps it out of the callbacks a user
    gave litellm.
    """
    messages = [{"role": "user", "content": "warm up"}]
    litellm.completion(model=WARM_UP_MODEL, messages=messages, **{"no-log": True})


def warm_counting(litellm: Any) -> None:
    """Load the tokenizer the doubles count with (a fraction of a second, once per process).

    :func:`agent.llm.warm_up` calls it for a double, so a first call does not wait for it.
    """
    litellm.token_counter(model=COUNTING_MODEL, text="warm")
