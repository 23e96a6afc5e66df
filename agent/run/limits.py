"""Run limits: a wall clock, a spending limit and a token limit.

- ``timeout_seconds`` (request) or ``Agent(run_timeout_seconds=...)``: the whole run,
  paused time included, gets this long; past it the run ends ``timed_out`` with its
  steps kept and its browser closed.
- ``max_cost`` (USD): before each model call the cost of its prompt is estimated from
  litellm's price table; a call that would take the run past the limit is not made and
  the run ends ``failed`` with ``REACH_MAX_COST``.
- ``max_total_tokens``: the same with tokens (prompt and answer), for local models that
  have no price; ends with ``REACH_MAX_TOKENS``.

The check before a call counts only the prompt it is about to send (the answer's size is
not known yet), so a run stops at the last call that fits, never after one that did not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agent.llm.pricing import price_of, prompt_tokens
from agent.records.errors import RunError

if TYPE_CHECKING:
    from agent.run.run_context import RunContext

ANSWER_TOKENS_GUESS = 200
"""Tokens an answer is assumed to take when checking a call against a limit."""


class RunLimitError(RunError):
    """A run limit would be passed; ends the run with ``error_code`` and this message."""

    def __init__(self, message: str, error_code: str) -> None:
        super().__init__(message)
        self.error_code = error_code


@dataclass(frozen=True)
class Spent:
    """What a run has used so far."""

    cost: float
    tokens: int


def timeout_reason(seconds: float) -> str:
    """The ``failure_reason`` of a run that passed its wall-clock limit."""
    return (
        f"Timed out: the run passed its wall-clock limit of {seconds:g} seconds "
        "(timeout_seconds); its steps so far are kept. Raise timeout_seconds to give it longer."
    )


def check_before_call(
    *,
    model: str,
    priced_as: str | None,
    messages: list[dict[str, Any]],
    spent: Spent,
    max_cost: float | None,
    max_total_tokens: int | None,
) -> None:
    """Raise :class:`RunLimitError` when the next call would pass a limit."""
    if max_cost is None and max_total_tokens is None:
        return
    tokens = prompt_tokens(model, messages)
    if (
        max_total_tokens is not None
        and spent.tokens + tokens + ANSWER_TOKENS_GUESS > max_total_tokens
    ):
        raise RunLimitError(
            f"Token limit reached: {spent.tokens} tokens used, and the next model call "
            f"(~{tokens} prompt tokens) would pass max_total_tokens={max_total_tokens}. "
            "Raise max_total_tokens or give the run a narrower goal.",
            "REACH_MAX_TOKENS",
        )
    if max_cost is not None:
        estimate = price_of(priced_as or model, tokens, ANSWER_TOKENS_GUESS)
        if estimate is None:
            raise RunLimitError(
                f"max_cost is set but litellm has no price for {priced_as or model!r}, so the "
                "spending cannot be checked; use max_total_tokens for this model instead.",
                "REACH_MAX_COST",
            )
        if spent.cost + estimate > max_cost:
            raise RunLimitError(
                f"Spending limit reached: ${spent.cost:.4f} spent, and the next model call "
                f"(~${estimate:.4f}) would pass max_cost=${max_cost:g}. Raise max_cost to go on.",
                "REACH_MAX_COST",
            )


def check_run_budget(ctx: RunContext, messages: list[dict[str, Any]]) -> None:
    """:func:`check_before_call` for the run of ``ctx``, with what it spent."""
    request = ctx.request
    if request.max_cost is None and request.max_total_tokens is None:
        return
    from agent.llm.doubles import double_priced_as

    run = ctx.store.get_run(ctx.run_id)
    check_before_call(
        model=ctx.model,
        priced_as=double_priced_as(ctx.model),
        messages=messages,
        spent=Spent(run.total_cost, run.input_token_count + run.output_token_count),
        max_cost=request.max_cost,
        max_total_tokens=request.max_total_tokens,
    )


CALL_GRACE_SECONDS = 5.0
"""How long a model call that was cut off may take to wind down before it is dropped."""


async def let_finish(work: Awaitable[Any], grace: float = CALL_GRACE_SECONDS) -> Any:
    """Await ``work``; when cancelled meanwhile, cancel it too and let it wind down, then re-raise.

    A run stopped by its wall clock, ``cancel_run`` or ``close`` is cancelled wherever it
    is. In the middle of a litellm call the call's own task is cancelled at once (a model
    that goes on thinking must not hold the cancel up) and awaited while it unwinds, at
    most ``grace`` seconds, so litellm's coroutine is not left unawaited. A double's
    function still running on its thread finishes there; its answer is dropped.
    """
    call = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(call)
    except asyncio.CancelledError:
        call.cancel()
        done, _ = await asyncio.wait({call}, timeout=grace)
        if call in done and not call.cancelled():
            call.exception()  # retrieved, so it is not reported as lost
        raise
