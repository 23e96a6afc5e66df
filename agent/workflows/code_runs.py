"""``run_with="code"``: run a task by replaying the workflow published for it.

A task run with ``run_with="code"`` looks for a published workflow whose goal, with its
parameters at their recorded values, is this request's prompt, and whose start URL is
this request's URL. When there is one the run replays it (no model calls while the page
matches; the replay's own fallback heals what changed) and names it in ``workflow_id``.
When there is none, the agent runs as usual: publish the run (``publish_workflow=True``
or ``Agent.publish_workflow``) and the next ``run_with="code"`` run replays it.
"""

from __future__ import annotations

from typing import Any

from agent.records.engines import replay_engine
from agent.records.errors import InvalidRequestError
from agent.records.runs import RunRequest
from agent.records.workflows import Workflow
from agent.stores.base import WorkflowStore


def _same_url(a: str | None, b: str | None) -> bool:
    return (a or "").rstrip("/") == (b or "").rstrip("/")


def find_workflow_for(
    store: WorkflowStore, request: RunRequest
) -> tuple[Workflow, dict[str, str]] | None:
    """The newest workflow published for this same task, with its parameter values."""
    from agent.workflows.params import fill, resolve

    for workflow in store.list_workflows():
        if not _same_url(workflow.url, request.url):
            continue
        try:
            values = resolve(workflow.parameters, None)
        except InvalidRequestError:  # a parameter with no recorded value (a secret)
            continue
        if fill(workflow.goal, values).strip() == request.prompt.strip():
            return workflow, values
    return None


def code_run_for(store: WorkflowStore, request: RunRequest) -> tuple[Any, str | None]:
    """``(engine, workflow_id)`` for a ``run_with="code"`` request: a replay, or ``(None, None)``."""
    found = find_workflow_for(store, request)
    if found is None:
        return None, None
    workflow, values = found
    engine = replay_engine(workflow, values)
    return engine, workflow.workflow_id
