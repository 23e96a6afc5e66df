"""A local browser agent: a goal and a URL in, a Tasks-API run object out.

    from agent import run_task
    run = run_task("Apply for a job on behalf of Chris P Bacon, chris@pbacon.com",
                   "http://127.0.0.1:8000/jobs/apply.html",
                   {"application_success": {"type": "boolean"}})
    print(run.status, run.output)

Importing this package is cheap: Playwright and litellm load on first use.

The face: ``Agent`` and its method groups (``client*``), the module-level functions
(``_api``), the checks on ``Agent(...)``'s arguments, the pytest plugin, the documented
paths kept as thin re-exports (``engine_registry``, ``prompt_reading``,
``workflow_records``) and the old paths kept for one release (``_moved``). May import
every package below it; never ``engines`` and never
``agent.cli`` (the layers are in docs/architecture.md).
"""

from agent._api import (
    cancel_run,
    get_run,
    list_runs,
    list_steps,
    run_task,
    run_task_async,
    run_tasks,
)
from agent.client import Agent
from agent.records.errors import (
    AgentError,
    InvalidRequestError,
    LLMError,
    LLMNotConfiguredError,
    RunError,
    RunNotFoundError,
    UsageError,
)
from agent.records.runs import RunRequest, RunStatus, Step, StepStatus, TaskRun

__all__ = [
    "Agent",
    "AgentError",
    "InvalidRequestError",
    "LLMError",
    "LLMNotConfiguredError",
    "RunError",
    "RunNotFoundError",
    "RunRequest",
    "RunStatus",
    "Step",
    "StepStatus",
    "TaskRun",
    "UsageError",
    "cancel_run",
    "get_run",
    "list_runs",
    "list_steps",
    "run_task",
    "run_task_async",
    "run_tasks",
]

from agent.ui.hooks import install as _install_views

_install_views()  # the records' report, notebook cards and prompt text (agent.records.views)

from agent._moved import install as _allow_old_paths  # noqa: E402

_allow_old_paths()  # old module paths import for one release, with a warning
