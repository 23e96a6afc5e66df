"""The planning loops: ``skyvern-1.0`` (:mod:`engines.v1`) and ``skyvern-2.0`` (:mod:`engines.v2`).

An engine is an async function taking a :class:`~agent.run_context.RunContext` and
returning an :class:`~agent.run_context.Outcome`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from agent.run_context import Outcome, RunContext

Engine = Callable[[RunContext], Awaitable[Outcome]]


def engine_for(name: str) -> Engine:
    """The engine function for an ``engine`` request value."""
    if name == "skyvern-1.0":
        from engines.v1 import run_v1

        return run_v1
    if name == "skyvern-2.0":
        from engines.v2 import run_v2

        return run_v2
    raise ValueError(f"unknown engine {name!r}")
