"""Module-level functions over one default :class:`~agent.client.Agent`.

The default Agent is configured from the environment (``AGENT_LLM``, ``AGENT_STORE``,
``AGENT_DATA_DIR``, ... see :mod:`agent.records.config`), created on first use and closed at
interpreter exit. Each function is a thin call of the method of the same name.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from agent.client import Agent
from agent.records.runs import Step, TaskRun
from agent.run.parameters import parameters_of, run_task_parameters

_default: Agent | None = None
_lock = threading.Lock()


def default_agent() -> Agent:
    """The Agent the module-level functions use."""
    global _default
    with _lock:
        if _default is None:
            _default = Agent()
            atexit.register(_default.close)
        return _default


@parameters_of(run_task_parameters)
def run_task(*args: Any, **kwargs: Any) -> TaskRun:
    """Run a task with the default Agent; see :meth:`Agent.run_task`.

    >>> run = run_task("Apply for a job ...", "http://127.0.0.1:8000/jobs/apply")  # doctest: +SKIP
    """
    return default_agent().run_task(*args, **kwargs)


@parameters_of(run_task_parameters)
async def run_task_async(*args: Any, **kwargs: Any) -> TaskRun:
    """Awaitable :func:`run_task`; see :meth:`Agent.run_task_async`."""
    return await default_agent().run_task_async(*args, **kwargs)


def run_tasks(requests: Iterable[Mapping[str, Any]], **kwargs: Any) -> Iterator[TaskRun]:
    """Run many tasks with the default Agent, yielding runs as they finish; see
    :meth:`Agent.run_tasks`."""
    return default_agent().run_tasks(requests, **kwargs)


def get_run(run_id: str) -> TaskRun:
    """See :meth:`Agent.get_run`."""
    return default_agent().get_run(run_id)


def list_runs(page: int = 1, page_size: int = 10) -> list[TaskRun]:
    """See :meth:`Agent.list_runs`."""
    return default_agent().list_runs(page=page, page_size=page_size)


def list_steps(run_id: str) -> list[Step]:
    """See :meth:`Agent.list_steps`."""
    return default_agent().list_steps(run_id)


def cancel_run(run_id: str) -> TaskRun:
    """See :meth:`Agent.cancel_run`."""
    return default_agent().cancel_run(run_id)
