"""A run's wall clock: the whole run, paused time included, within ``timeout_seconds``.

:func:`within_limit` ends a run that passes its limit with a ``timed_out``
:class:`~agent.run.run_context.Outcome`. It sits beside the run context whose Outcome it
returns, not with the other limits (:mod:`agent.run.limits`), which the run context itself
uses: so neither imports the other back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from agent.records.runs import RunStatus
from agent.run.limits import timeout_reason
from agent.run.run_context import Outcome


async def within_limit(work: Awaitable[Any], seconds: float | None) -> Any:
    """Await ``work``; past ``seconds`` stop it and return a ``timed_out`` Outcome."""
    if seconds is None:
        return await work
    try:
        async with asyncio.timeout(seconds) as deadline:
            return await work
    except TimeoutError:
        if not deadline.expired():
            raise  # a timeout of something inside, not ours
        return Outcome(RunStatus.timed_out, failure_reason=timeout_reason(seconds))
