"""The LLM boundary: every model call goes through :func:`complete_json`.

Each call has a ``purpose`` (``plan``, ``verify``, ``extract``, ``error_codes``,
``plan_v2``, ``validate_v2``, ``summarize_v2``, ``generate_url``) and must answer JSON.
The answer is parsed leniently (:mod:`agent.llm.json_text`: code fences, prose around
it, trailing commas, Python literals, a truncated tail), then fitted to the purpose's answer model
(:mod:`agent.llm.answers`): when it does not parse, or parses but does not fit (a missing
or misspelt key, a wrong type, an unknown action type, an element id not on the page),
the model is asked once more with what was wrong named; a second misfit raises
:class:`~agent.records.errors.AnswerMisfitError`. Token counts and cost come from litellm.
Every call has a timeout; rate limits (their ``Retry-After`` honoured, bounded), 5xx
answers, timeouts and dropped connections are retried with backoff
(:mod:`agent.llm.transport` holds those decisions).

Test doubles (``agent.testing.stand_ins``) are registered with litellm as a custom provider
(:mod:`agent.llm.doubles`), so they go through this same path. :func:`block_real_calls`
makes any other model raise instead of reaching the network; ``tests/conftest.py``
switches it on.

litellm is imported on the first call (or by :func:`warm_up`, which an Agent starts when it
is created), never at ``import agent``.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from agent.llm.doubles import (
    DOUBLE_ERROR_KEY,
    TEST_PROVIDER,
    double_of,
    double_priced_as,
    double_supports_vision,
    policy_error,
    policy_error_in,
    register_provider,
    warm_call,
    warm_counting,
)
from agent.llm.json_text import parse_json
from agent.llm.prompt_cache import cached_tokens, with_cache_control
from agent.llm.request import LLMRequest, serving
from agent.records.config import LLMOptions, quiet_litellm_env
from agent.records.errors import AnswerMisfitError, LLMError, RealLLMBlockedError
from agent.records.validation import cut_text

logger = logging.getLogger("agent.llm.call")

_block_real_calls = False


def block_real_calls(block: bool = True) -> None:
    """Switch real model calls off (tests) or back on.

    Doubles always work, and so do calls to a model server on this machine (an api_base on
    ``localhost``/``127.0.0.1``/``::1``, such as ``agent.fake_providers``): they cannot
    spend money or leave the machine. Everything else raises ``RealLLMBlockedError``.
    """
    global _block_real_calls
    _block_real_calls = block


def real_calls_blocked() -> bool:
    return _block_real_calls


def _allowed_while_blocked(model: str, options: LLMOptions) -> bool:
    if model.startswith(TEST_PROVIDER + "/"):
        return True
    from agent.llm.transport import api_base_of, is_loopback_url

    return is_loopback_url(api_base_of(model, options))


@dataclass
class LLMResult:
    """A parsed answer and what it cost."""

    data: Any
    """The parsed JSON answer."""
    text: str
    model: str
    answer: Any = None
    """The answer as its purpose's model (:mod:`agent.llm.answers`), when the purpose has one."""
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    """Input tokens the provider read from its prompt cache (included in ``input_tokens``)."""
    cost: float = 0.0
    seconds: float = 0.0
    calls: int = 1


call_options: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "agent_llm_options", default=None
)
"""Extra litellm arguments for the calls made in this context (a run's ``model`` options)."""


async def _litellm_call(model: str, messages: list[dict[str, Any]], *, options: LLMOptions) -> Any:
    from agent.llm import transport as transport

    litellm = load_litellm()
    is_double = model.startswith(TEST_PROVIDER + "/")
    # a double's error is the test's point, not a network hiccup
    attempts = 1 if is_double else options.retries + 1
    kwargs = (
        {"timeout": options.timeout}
        if is_double
        else transport.call_arguments(litellm, model, options)
    )
    backoff = 1.0
    # a double answers in-process: its timeout is the call's, as a provider's is
    per_attempt = options.timeout if is_double else transport.outer_deadline(options.timeout)
    give_up_at = time.monotonic() + options.deadline  # all attempts and waits together
    for attempt in range(1, attempts + 1):
        left = give_up_at - time.monotonic()
        try:
            return await asyncio.wait_for(
                litellm.acompletion(
                    model=model,
                    messages=with_cache_control(litellm, model, messages),
                    **{**kwargs, **(call_options.get() or {})},
                ),
                max(0.0, min(per_attempt, left)),
            )
        except Exception as exc:  # litellm maps provider errors to its own classes
            if isinstance(exc, asyncio.TimeoutError):
                exc = TimeoutError()
            failed_policy = policy_error_in(str(exc))
            if failed_policy is not None:  # a fake provider's policy raised: the test's bug
                raise failed_policy from None
            wait = transport.retry_wait(exc, backoff)
            out_of_time = time.monotonic() + (0 if attempt == attempts else wait) >= give_up_at
            if not transport.is_retryable(exc) or attempt == attempts or out_of_time:
                raise LLMError(
                    transport.describe_failure(
                        model, exc, attempt, options, past_deadline=out_of_time
                    )
                ) from exc
            logger.warning("model %s: %s, retrying in %.1fs", model, type(exc).__name__, wait)
            await asyncio.sleep(wait)
            backoff *= 2
    raise AssertionError("unreachable")


def _usage(model: str, response: Any) -> tuple[int, int, float]:
    usage = getattr(response, "usage", None)
    tokens_in = int(getattr(usage, "prompt_tokens", 0) or 0)
    tokens_out = int(getattr(usage, "completion_tokens", 0) or 0)
    import litellm

    if model.startswith(TEST_PROVIDER + "/"):
        from agent.llm.pricing import price_of

        priced_as = double_priced_as(model)  # a double may cost what a real model would
        cost = price_of(priced_as, tokens_in, tokens_out) if priced_as else None
        return tokens_in, tokens_out, cost or 0.0

    try:  # cached input tokens at the model's cache-read price, where the table has one
        cost = float(litellm.completion_cost(completion_response=response) or 0.0)
    except Exception:  # a model missing from litellm's price table costs "unknown", not a crash
        cost = 0.0
    return tokens_in, tokens_out, cost


async def complete_json(
    model: str,
    request: LLMRequest,
    *,
    options: LLMOptions | None = None,
) -> LLMResult:
    """Send ``request.messages`` to ``model`` and return the parsed JSON answer.

    ``options`` say where the call goes, its timeout and retries (default: litellm's
    provider defaults, 120 s, 3 retries).

    Raises :class:`~agent.records.errors.LLMError` when the model cannot be reached or still
    answers unusably after one re-ask.
    """
    options = options or LLMOptions()
    if _block_real_calls and not _allowed_while_blocked(model, options):
        raise RealLLMBlockedError(
            f"real model call to {model!r} blocked (agent.llm.call.block_real_calls is on); "
            "use a double from agent.testing.stand_ins, or a fake provider on 127.0.0.1 "
            "(agent.fake_providers) as llm_base_url"
        )
    from agent.llm.answers import fit_answer

    messages = list(request.messages)
    result = LLMResult(data=None, text="", model=model, calls=0)
    started = time.monotonic()
    for attempt in range(2):
        call_request = LLMRequest(
            request.purpose,
            messages,
            request.prompt,
            request.observation,
            dict(request.context),
            request.element_ids,
        )
        try:
            with serving(call_request):
                response = await _litellm_call(model, messages, options=options)
        except LLMError:
            double_error = call_request.context.get(DOUBLE_ERROR_KEY)
            if double_error is not None:  # the test's policy failed, not the model: say so
                logger.error(
                    "the test double %s raised answering %r",
                    model,
                    request.purpose,
                    exc_info=double_error,
                )
                raise policy_error(double_of(model), request.purpose, double_error) from None
            raise
        tokens_in, tokens_out, cost = _usage(model, response)
        result.input_tokens += tokens_in
        result.output_tokens += tokens_out
        result.cached_tokens += cached_tokens(response)
        result.cost += cost
        result.calls += 1
        text = response.choices[0].message.content or ""
        result.text = text
        try:
            result.data = parse_json(text)
        except ValueError as exc:
            problems = [f"it is not JSON ({exc})"]
        else:
            result.answer, problems = fit_answer(
                request.purpose, result.data, element_ids=request.element_ids
            )
        if not problems:
            break
        if attempt == 1:
            raise AnswerMisfitError(
                f"the model's answer for {request.purpose!r} did not fit, even when asked "
                f"again: {'; '.join(problems)} (answer began {text[:200]!r})",
                problems,
                result,
            )
        from agent.llm.prompts import render

        logger.info("re-asking %s: %s", request.purpose, "; ".join(problems))
        messages = [
            *messages,
            {"role": "assistant", "content": cut_text(text, ECHO_CHARS)},
            {"role": "user", "content": render("reask_json", problems=problems)},
        ]
    result.seconds = time.monotonic() - started
    return result


ECHO_CHARS = 4000
"""How much of an unusable answer is sent back with the re-ask (the rest is cut, marked)."""


_load_lock = threading.Lock()
_loaded: Any = None
_warm_started = False
_counting_started = False
_wanted = False
"""Set once something needed litellm while it was still importing (see :func:`warm_up`)."""


def load_litellm() -> Any:
    """litellm, imported once per process and made ready for calls (doubles registered).

    The import builds some 370k objects that live as long as the process. It runs with
    the cyclic garbage collector paused (every full collection during it would walk them
    all again), and then they are frozen out of later collections (``gc.freeze``): full
    collections while runs go on, and the one at interpreter exit, no longer walk them.
    Objects freed by reference counting are freed as before. Thread-safe; a second
    caller waits for the first.
    """
    global _wanted
    if _loaded is not None:
        return _loaded
    _wanted = True  # a caller needs it now: the warm-up's own call would only compete
    return _import_litellm()


def _import_litellm() -> Any:
    global _loaded
    with _load_lock:
        if _loaded is None:
            quiet_litellm_env()
            collecting = gc.isenabled()
            gc.disable()
            try:
                import litellm
            finally:
                if collecting:
                    gc.enable()
            gc.freeze()
            register_provider(litellm)
            litellm.suppress_debug_info = True  # its "Give Feedback" banners are not ours
            _loaded = litellm
    return _loaded


def litellm_loaded() -> bool:
    """Whether litellm is imported already (a call to :func:`load_litellm` returns at once)."""
    return _loaded is not None


def warm_up(model: str | None = None) -> None:
    """Get litellm ready for a first call to ``model`` on a background thread.

    The import takes seconds of CPU; started when the Agent is created, it overlaps the
    browser launch and the first page load instead of holding up the first model call
    (started any earlier, it only competes with the caller's own imports for the GIL: an
    ``agent run`` that started it before parsing its arguments took 0.5 s longer). Then
    one call to a built-in stand-in imports what litellm's first call imports
    (:func:`~agent.llm.doubles.warm_call`), unless a run already waited for the import
    (a cold start): its own first call imports the same, and the warm-up's call would
    only take the interpreter from it (some 0.1-0.2 s of CPU). For a test double it also loads the tokenizer
    the doubles count with. Each part is done once per process; a later call only adds
    what an earlier one did not start.
    """
    global _warm_started, _counting_started
    with _load_lock:
        call = not _warm_started
        counting = (
            model is not None and model.startswith(TEST_PROVIDER + "/") and not _counting_started
        )
        _warm_started = True
        _counting_started = _counting_started or counting
    if not (call or counting):
        return

    def _warm() -> None:
        try:
            litellm = _import_litellm()
            if call and not _wanted:
                warm_call(litellm)
            if counting:
                warm_counting(litellm)
        except BaseException as exc:  # interpreter shutting down: the real import will tell
            logger.debug("litellm warm-up did not finish: %r", exc)

    # Not a daemon thread: a process that ends meanwhile waits for it, since finalizing the
    # interpreter while this thread holds an import lock deadlocks the exit.
    threading.Thread(target=_warm, name="litellm-warm-up", daemon=False).start()


def supports_vision_now(model: str) -> bool | None:
    """:func:`supports_vision`, or None when answering would wait for litellm's import."""
    if model.startswith(TEST_PROVIDER + "/") or _loaded is not None:
        return supports_vision(model)
    return None


def supports_vision(model: str) -> bool:
    """Whether to send screenshots to ``model`` (litellm's table; doubles say for themselves)."""
    if model.startswith(TEST_PROVIDER + "/"):
        return double_supports_vision(model)
    litellm = load_litellm()
    try:
        return bool(litellm.supports_vision(model=model))
    except Exception:  # unknown model: text only
        return False
