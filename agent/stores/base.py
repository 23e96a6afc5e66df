"""The store interface: where runs, steps, pushed 2FA codes and workflows live.

Three small protocols, one per kind of record, and :class:`RunStore`, all three plus
``close``::

    RunStore
    ├── RunStepStore     create_run, get_run, update_run, claim_run, list_runs,
    │                    save_step, list_steps
    ├── TOTPCodeStore    add_totp_code, take_totp_code
    └── WorkflowStore    save_workflow, get_workflow, list_workflows, delete_workflow

Every backend (memory, SQLite, PostgreSQL) implements all of them; code that needs one
kind of record takes the narrow protocol (the 2FA wait takes a ``TOTPCodeStore``).

A store keeps pydantic models and nothing else; both backends serialize through
``model_dump_json`` so what comes back is exactly what went in. Status changes go
through :meth:`RunStore.update_run`, which re-reads the stored run and applies the
change atomically, so a cancel from another thread or process is never overwritten
by an engine that had an older copy.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from agent.records.errors import InvalidRequestError
from agent.records.runs import RunStatus, Step, TaskRun
from agent.records.workflows import Workflow

ACTIVE_STATUSES = (RunStatus.created, RunStatus.queued, RunStatus.running, RunStatus.paused)


@runtime_checkable
class RunStepStore(Protocol):
    """Runs and their steps."""

    def create_run(self, run: TaskRun) -> None:
        """Store a new run; raises ValueError if its id exists."""

    def get_run(self, run_id: str) -> TaskRun:
        """The stored run; raises :class:`~agent.records.errors.RunNotFoundError`."""

    def update_run(self, run_id: str, status: RunStatus | None = None, **changes: Any) -> TaskRun:
        """Apply ``changes`` (and a legal status change) to the stored run, atomically."""

    def claim_run(self, run_id: str, owner_pid: int) -> TaskRun | None:
        """Move a ``queued`` run to ``running`` for ``owner_pid``, atomically.

        Returns the claimed run, or None when it is no longer queued (canceled, or
        claimed by another worker): of two workers claiming one run, one wins.
        """

    def list_runs(self, page: int = 1, page_size: int = 10) -> list[TaskRun]:
        """Runs, newest first, one page at a time."""

    def save_step(self, step: Step) -> None:
        """Insert or replace a step."""

    def list_steps(self, run_id: str) -> list[Step]:
        """A run's steps in order (order, then retry index)."""


@runtime_checkable
class TOTPCodeStore(Protocol):
    """2FA codes pushed for a run to take (:func:`agent.integrations.totp.push_totp_code`)."""

    def add_totp_code(self, identifier: str, code: str) -> None:
        """Record a 2FA code pushed for ``identifier``."""

    def take_totp_code(self, identifier: str, since: datetime) -> str | None:
        """The oldest unused code pushed after ``since``, marked used; None if there is none."""


@runtime_checkable
class WorkflowStore(Protocol):
    """Published workflows (:mod:`agent.workflows.recipes`)."""

    def save_workflow(self, workflow_id: str, data: Workflow | Mapping[str, Any]) -> None:
        """Insert or replace a workflow (a dict in its JSON shape is validated into one)."""

    def get_workflow(self, workflow_id: str) -> Workflow:
        """A stored workflow; raises :class:`~agent.records.errors.RunNotFoundError`."""

    def list_workflows(self) -> list[Workflow]:
        """All workflows, newest first."""

    def delete_workflow(self, workflow_id: str) -> None:
        """Remove a workflow; raises :class:`~agent.records.errors.RunNotFoundError`."""


@runtime_checkable
class RunStore(RunStepStore, TOTPCodeStore, WorkflowStore, Protocol):
    """What the Agent needs from a store: every kind of record, and ``close``.

    ``MemoryStore``, ``SQLiteStore`` and ``PostgresStore`` implement it.
    """

    def close(self) -> None:
        """Release resources."""


def claimed(run: TaskRun, owner_pid: int) -> TaskRun | None:
    """``run`` moved to running for ``owner_pid``, or None if it is not queued."""
    if run.status != RunStatus.queued:
        return None
    return run.transition(RunStatus.running, owner_pid=owner_pid)


def check_page(page: int, page_size: int) -> None:
    if page < 1:
        raise InvalidRequestError("page", f"must be at least 1 (got {page})")
    if page_size < 1:
        raise InvalidRequestError("page_size", f"must be at least 1 (got {page_size})")


def apply_update(run: TaskRun, status: RunStatus | None, changes: dict[str, Any]) -> TaskRun:
    """The run after an update: a checked transition, or plain field changes."""
    if status is not None and status != run.status:
        return run.transition(status, **changes)
    if "status" in changes:
        raise ValueError("pass the new status as `status=`, not in changes")
    from agent.records.runs import utcnow

    return run.model_copy(update={**changes, "modified_at": utcnow()})


def process_alive(pid: int | None) -> bool:
    if pid is None:
        return True  # unknown owner: leave it alone
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def interrupted_reason(pid: int | None) -> str:
    return (
        f"Run interrupted: the process running it (pid {pid}) exited before it finished. "
        "Start the task again."
    )


def workflow_json(data: Workflow | Mapping[str, Any]) -> str:
    """A workflow as stored: the JSON of its record, with only the keys it was given."""
    return Workflow.model_validate(data).model_dump_json(exclude_unset=True)


def step_sort_key(step: Step) -> tuple[int, int, datetime]:
    """Steps are listed by order, then retry index."""
    return (step.order, step.retry_index, step.created_at)
