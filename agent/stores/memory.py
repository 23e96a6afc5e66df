"""A store that keeps everything in this process's memory (the default for scripts and tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from agent.records.errors import RunNotFoundError
from agent.records.runs import RunStatus, Step, TaskRun, utcnow
from agent.records.workflows import Workflow
from agent.stores.base import apply_update, check_page, claimed
from agent.stores.base import step_sort_key as _step_key


class MemoryStore:
    """Runs and steps in dicts, guarded by one lock. Lost when the process ends.

    ``clock`` stamps pushed 2FA codes (``take_totp_code`` compares ``since`` with it);
    tests inject one to order codes without waiting.

    >>> store = MemoryStore()
    >>> store.list_runs()
    []
    """

    def __init__(self, *, clock: Callable[[], datetime] = utcnow) -> None:
        self._clock = clock
        self._lock = threading.RLock()
        self._runs: dict[str, TaskRun] = {}
        self._steps: dict[str, dict[str, Step]] = {}
        self._codes: list[dict[str, Any]] = []
        self._workflows: dict[str, Workflow] = {}

    def create_run(self, run: TaskRun) -> None:
        with self._lock:
            if run.run_id in self._runs:
                raise ValueError(f"run {run.run_id} already exists")
            self._runs[run.run_id] = run.model_copy(deep=True)
            self._steps[run.run_id] = {}

    def get_run(self, run_id: str) -> TaskRun:
        with self._lock:
            try:
                return self._runs[run_id].model_copy(deep=True)
            except KeyError:
                raise RunNotFoundError(f"No run with id {run_id!r}") from None

    def update_run(self, run_id: str, status: RunStatus | None = None, **changes: Any) -> TaskRun:
        with self._lock:
            updated = apply_update(self.get_run(run_id), status, changes)
            self._runs[run_id] = updated
            return updated.model_copy(deep=True)

    def claim_run(self, run_id: str, owner_pid: int) -> TaskRun | None:
        with self._lock:
            run = claimed(self.get_run(run_id), owner_pid)
            if run is not None:
                self._runs[run_id] = run
            return None if run is None else run.model_copy(deep=True)

    def list_runs(self, page: int = 1, page_size: int = 10) -> list[TaskRun]:
        check_page(page, page_size)
        with self._lock:
            runs = sorted(self._runs.values(), key=lambda r: (r.created_at, r.run_id), reverse=True)
            start = (page - 1) * page_size
            return [r.model_copy(deep=True) for r in runs[start : start + page_size]]

    def save_step(self, step: Step) -> None:
        with self._lock:
            if step.task_id not in self._runs:
                raise RunNotFoundError(f"No run with id {step.task_id!r}")
            self._steps[step.task_id][step.step_id] = step.model_copy(deep=True)

    def list_steps(self, run_id: str) -> list[Step]:
        with self._lock:
            if run_id not in self._runs:
                raise RunNotFoundError(f"No run with id {run_id!r}")
            steps = sorted(self._steps[run_id].values(), key=_step_key)
            return [s.model_copy(deep=True) for s in steps]

    def add_totp_code(self, identifier: str, code: str) -> None:
        with self._lock:
            self._codes.append(
                {"identifier": identifier, "code": code, "created_at": self._clock(), "used": False}
            )

    def take_totp_code(self, identifier: str, since: datetime) -> str | None:
        with self._lock:
            for row in self._codes:
                if (
                    row["identifier"] == identifier
                    and not row["used"]
                    and row["created_at"] > since
                ):
                    row["used"] = True
                    return str(row["code"])
            return None

    def save_workflow(self, workflow_id: str, data: Workflow | Mapping[str, Any]) -> None:
        workflow = Workflow.model_validate(data).model_copy(deep=True)
        with self._lock:
            self._workflows[workflow_id] = workflow

    def get_workflow(self, workflow_id: str) -> Workflow:
        with self._lock:
            try:
                return self._workflows[workflow_id].model_copy(deep=True)
            except KeyError:
                raise RunNotFoundError(f"No workflow with id {workflow_id!r}") from None

    def list_workflows(self) -> list[Workflow]:
        with self._lock:
            return [w.model_copy(deep=True) for w in reversed(self._workflows.values())]

    def delete_workflow(self, workflow_id: str) -> None:
        with self._lock:
            if self._workflows.pop(workflow_id, None) is None:
                raise RunNotFoundError(f"No workflow with id {workflow_id!r}")

    def close(self) -> None:
        pass
