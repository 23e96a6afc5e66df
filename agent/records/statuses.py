"""Run and step statuses, and the transitions between them (``reference/skyvern-behaviour.md`` §1.4).

Both are string enums: a status prints, formats and JSON-encodes as its value.
"""

from __future__ import annotations

import enum


class FinalFlag:
    """Whether a status is final, usable both as a property and as the hosted SDK's method.

    The hosted SDK calls ``status.is_final()``; code written here reads ``status.is_final``.
    Both work: the flag is truthy or falsy and returns itself as a bool when called.

    >>> RunStatus.completed.is_final(), bool(RunStatus.running.is_final)
    (True, False)
    """

    __slots__ = ("_value",)

    def __init__(self, value: bool) -> None:
        self._value = value

    def __bool__(self) -> bool:
        return self._value

    def __call__(self) -> bool:
        return self._value

    def __eq__(self, other: object) -> bool:
        return bool(other) == self._value if isinstance(other, bool | FinalFlag) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return repr(self._value)


class RunStatus(enum.StrEnum):
    """Status of a run, as in the Tasks API.

    A plain string in every way that shows: it prints, formats and JSON-encodes as its
    value and compares equal to it.

    >>> f"{RunStatus.completed}", RunStatus.completed == "completed", str(RunStatus.paused)
    ('completed', True, 'paused')
    """

    created = "created"
    queued = "queued"
    running = "running"
    paused = "paused"
    timed_out = "timed_out"
    failed = "failed"
    terminated = "terminated"
    completed = "completed"
    canceled = "canceled"

    @property
    def is_final(self) -> FinalFlag:
        """True for completed, failed, terminated, canceled and timed_out (``is_final()`` too)."""
        return FinalFlag(self in FINAL_STATUSES)

    def can_become(self, new: RunStatus) -> bool:
        return new in _RUN_TRANSITIONS[self]


FINAL_STATUSES = frozenset(
    {
        RunStatus.completed,
        RunStatus.failed,
        RunStatus.terminated,
        RunStatus.canceled,
        RunStatus.timed_out,
    }
)
_RUN_TRANSITIONS: dict[RunStatus, frozenset[RunStatus]] = {
    RunStatus.created: frozenset(
        {
            RunStatus.queued,
            RunStatus.running,
            RunStatus.timed_out,
            RunStatus.failed,
            RunStatus.canceled,
        }
    ),
    RunStatus.queued: frozenset(
        {RunStatus.running, RunStatus.timed_out, RunStatus.failed, RunStatus.canceled}
    ),
    RunStatus.running: frozenset(
        {
            RunStatus.paused,
            RunStatus.completed,
            RunStatus.failed,
            RunStatus.terminated,
            RunStatus.timed_out,
            RunStatus.canceled,
        }
    ),
    # A paused run waits for a person: an answer resumes it; it may also be canceled,
    # run out of time, or be ended by its process.
    RunStatus.paused: frozenset(
        {
            RunStatus.running,
            RunStatus.timed_out,
            RunStatus.failed,
            RunStatus.terminated,
            RunStatus.canceled,
        }
    ),
    # Unlike the hosted service, a canceled run stays canceled: cancel always wins.
    **{status: frozenset() for status in FINAL_STATUSES},
}


class StepStatus(enum.StrEnum):
    """Status of one step; like :class:`RunStatus`, a plain string where it shows."""

    created = "created"
    running = "running"
    completed = "completed"
    failed = "failed"
    canceled = "canceled"

    def can_become(self, new: StepStatus) -> bool:
        return new in _STEP_TRANSITIONS[self]


_STEP_TRANSITIONS: dict[StepStatus, frozenset[StepStatus]] = {
    StepStatus.created: frozenset(
        {StepStatus.running, StepStatus.failed, StepStatus.canceled, StepStatus.completed}
    ),
    StepStatus.running: frozenset({StepStatus.completed, StepStatus.failed, StepStatus.canceled}),
    StepStatus.completed: frozenset(),
    StepStatus.failed: frozenset(),
    StepStatus.canceled: frozenset(),
}
