"""How a run (or a skyvern-2.0 block) ended: the :class:`Outcome` an engine hands back.

Engines return one; the run limits and the pause make one when they end a run; the
Agent applies it to the stored run. It is a record of the ending and needs nothing of
the run machinery (:mod:`agent.run_context` re-exports it for the engines).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.models import RunStatus, Step
from agent.records import ErrorEntry


@dataclass
class Outcome:
    """How a run (or a skyvern-2.0 block) ended."""

    status: RunStatus
    output: Any = None
    failure_reason: str | None = None
    errors: list[ErrorEntry] = field(default_factory=list)
    summary: str = ""
    """What was achieved, in words (used by the v2 planner and budget messages)."""
    last_step: Step | None = None
