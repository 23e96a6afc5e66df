"""A local browser agent: a goal and a URL in, a Tasks-API run object out.

    from agent import run_task
    run = run_task("Apply for a job on behalf of Chris P Bacon, chris@pbacon.com",
                   "http://127.0.0.1:8000/jobs/apply.html",
                   {"application_success": {"type": "boolean"}})
    print(run.status, run.output)

Importing this package is cheap: Playwright and litellm load on first use.
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
from agent.errors import (
    AgentError,
    InvalidRequestError,
    LLMError,
    LLMNotConfiguredError,
    RunError,
    RunNotFoundError,
    UsageError,
)
from agent.models import RunRequest, RunStatus, Step, StepStatus, TaskRun

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

from agent.ui_hooks import install as _install_views

_install_views()  # the records' report, notebook cards and prompt text (agent.views)
