"""Many runs at once: :func:`run_tasks` submits a batch and yields runs as they finish.

    requests = [{"prompt": "Get the total", "url": u} for u in invoice_urls]
    for run in agent.run_tasks(requests, progress=True):
        print(run.run_id, run.status, run.output)

Every request is checked before the first one is submitted, so a typo in the tenth
fails the batch at once instead of after nine runs. With a broker every run goes to
the queue at once and the workers set the pace; without one, at most ``concurrency``
runs go at a time in the Agent's own browser. Either way the runs are read back from
the store, so the same loop works for both.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agent.records.runs import TaskRun, build_request

if TYPE_CHECKING:
    from agent.client import Agent

logger = logging.getLogger("agent.ui.progress")

LOCAL_CONCURRENCY = 4
"""Runs at a time in one Agent without a broker (each has its own browser context)."""


@dataclass
class BatchProgress:
    """Where a batch stands; passed to a progress callback after each run that finishes."""

    total: int
    started_at: float = field(default_factory=time.monotonic)
    done: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    def add(self, run: TaskRun) -> None:
        self.done += 1
        self.by_status[run.status.value] = self.by_status.get(run.status.value, 0) + 1

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started_at

    def line(self, run: TaskRun) -> str:
        counts = ", ".join(f"{n} {s}" for s, n in sorted(self.by_status.items()))
        return (
            f"batch {self.done}/{self.total} {run.run_id} {run.status.value} "
            f"| {counts} | {self.elapsed:.1f} s"
        )


Progress = Callable[[TaskRun, BatchProgress], None]


def _printer(progress: bool | Progress | None) -> Progress | None:
    if callable(progress):
        return progress
    if not progress:
        return None

    def show(run: TaskRun, state: BatchProgress) -> None:
        line = state.line(run)
        logger.info(line)
        print(line, file=sys.stderr, flush=True)

    return show


def run_tasks(
    agent: Agent,
    requests: Iterable[Mapping[str, Any]],
    *,
    concurrency: int | None = None,
    progress: bool | Progress | None = None,
    poll_interval: float = 0.25,
) -> Iterator[TaskRun]:
    """Submit ``requests`` (each the keyword arguments of ``run_task``) and yield each run
    when it reaches a final status, in the order they finish.

    ``progress=True`` prints one line per finished run on stderr; a callable gets the run
    and a :class:`BatchProgress`.
    """
    batch = [dict(r) for r in requests]
    for index, fields in enumerate(batch):  # every request is valid before any runs
        fields.pop("wait", None)
        try:
            build_request(**fields)
        except (ValueError, TypeError) as exc:
            raise _in_batch(exc, index) from exc
    queued = agent._queue is not None
    limit = len(batch) if queued else max(1, concurrency or LOCAL_CONCURRENCY)
    state, show = BatchProgress(total=len(batch)), _printer(progress)
    waiting = iter(batch)
    pending: list[str] = []

    def submit_more() -> None:
        while len(pending) < limit:
            fields = next(waiting, None)
            if fields is None:
                return
            pending.append(agent.run_task(**fields, wait=False).run_id)

    submit_more()
    while pending:
        for run_id in list(pending):
            run = agent.get_run(run_id)
            if run.status.is_final:
                pending.remove(run_id)
                state.add(run)
                if show is not None:
                    show(run, state)
                submit_more()
                yield run
        if pending:
            time.sleep(poll_interval)


def _in_batch(exc: Exception, index: int) -> Exception:
    from agent.records.errors import InvalidRequestError

    if isinstance(exc, InvalidRequestError):
        return InvalidRequestError(f"requests[{index}].{exc.field}", str(exc).split(": ", 1)[-1])
    if isinstance(exc, TypeError):
        return TypeError(f"requests[{index}]: {exc}")
    return exc
