"""Workflows: a completed run saved as a replayable recipe, and the replays of it.

:func:`publish` turns a **completed** run into a workflow: its goal, start URL, engine
and schema, and each action that succeeded, in order, with several locators to find its
element again (:mod:`agent.browser.seeing.locators`), the value it typed (values from the
prompt become named parameters, :mod:`agent.workflows.params`) and the URL it happened
on. A workflow is readable JSON, kept by the store::

    {"workflow_id": "wpid_...", "title": "...", "goal": "Apply ... name: {{name}} ...",
     "url": "http://.../lever/apply", "engine": "skyvern-1.0",
     "data_extraction_schema": null, "parameters": [{"key": "name", "default": "..."}],
     "actions": [{"index": 0, "step": 0, "action_type": "INPUT_TEXT", "text": "{{name}}",
                  "url": "http://.../lever/apply", "intent": "type the name into ...",
                  "locators": [{"tag": "input", "name": "Full name", ...}]}, ...],
     "end": {"url": "...", "title": "Application submitted"},
     "version": 1, "source_run_id": "tsk_...", "history": [...]}

:func:`start_replay` runs a workflow as a normal run (own run id, steps, output) with
the replay engine (``engines/replay.py``, registered as
:data:`~agent.records.engines.REPLAY_ENGINE`): no model call while the page is as recorded, a
model call for a step that changed, and the workflow updated with what worked.

    workflow = publish_workflow(agent, run.run_id)
    run = run_workflow(agent, workflow.workflow_id, {"name": "Ada Lovelace"})

The workflow is a :class:`~agent.records.workflows.Workflow` record; its JSON is the shape above.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from agent.browser.acting.action_types import DECISIONS, KINDS
from agent.browser.seeing.locators import MAX_VARIANTS, describe, locator_from_snapshot, merge_live
from agent.records.actions import ErrorEntry
from agent.records.engines import replay_engine
from agent.records.errors import InvalidRequestError
from agent.records.runs import RunStatus, Step, TaskRun, build_request, new_id, utcnow
from agent.records.workflows import (
    Workflow,
    WorkflowAction,
    WorkflowEnd,
    WorkflowEvent,
    WorkflowParameter,
)
from agent.stores.base import RunStore, WorkflowStore
from agent.workflows.params import fill, parameterize, resolve

if TYPE_CHECKING:
    from agent.client import Agent

logger = logging.getLogger("agent.workflows.recipes")

WORKFLOW_PREFIX = "wpid"
_DROPPED_FIELDS = frozenset({"id", "reasoning", "element", "result", "replay"})
_REQUEST_FIELDS = (
    "error_code_mapping",
    "max_steps",
    "proxy_location",
    "totp_identifier",
    "totp_url",
    "allowed_domains",
    "blocked_domains",
)


# -- publishing ---------------------------------------------------------------------------------
def publish(store: RunStore, run_id: str) -> Workflow:
    """Save the completed run ``run_id`` as a workflow; returns it.

    Raises :class:`~agent.records.errors.InvalidRequestError` for a run that did not complete.
    """
    run = store.get_run(run_id)
    if run.status != RunStatus.completed:
        raise InvalidRequestError(
            "run_id",
            f"run {run_id} is {run.status.value}; only a "
            "completed run can be published as a workflow",
        )
    workflow = build_workflow(run, store.list_steps(run_id))
    store.save_workflow(workflow.workflow_id, workflow)
    if run.workflow_id is None:
        store.update_run(run_id, workflow_id=workflow.workflow_id)
    return workflow


def build_workflow(run: TaskRun, steps: list[Step]) -> Workflow:
    """The workflow for ``run`` and its ``steps`` (not stored)."""
    request = run.run_request
    recorded: list[dict[str, Any]] = []
    seen: set[str] = set()  # a retried step types the same values again: keep them once
    for step in steps:
        for record in step.actions:
            if record.action_type in DECISIONS or record.skipped or not record.succeeded:
                continue
            action = record.model_dump(mode="json", exclude=set(_DROPPED_FIELDS))
            snapshot = record.element
            action["locators"] = (
                [locator_from_snapshot(snapshot.model_dump(mode="json"))] if snapshot else []
            )
            action["step"] = step.order
            action["url"] = step.url
            key = json.dumps([step.order, action], sort_keys=True, default=str)
            kind = KINDS.get(action["action_type"])
            if kind is not None and kind.idempotent and key in seen:
                continue
            seen.add(key)
            recorded.append(action)
    goal, parameters, slotted = parameterize(request.prompt, recorded, request.secrets or ())
    actions = [WorkflowAction.model_validate({**a, "index": i}) for i, a in enumerate(slotted)]
    for recorded_action in actions:
        recorded_action.intent = intent(recorded_action)
    now = utcnow().isoformat()
    return Workflow(
        workflow_id=new_id(WORKFLOW_PREFIX),
        title=run.title or request.title or request.prompt[:80],
        goal=goal,
        url=request.url or (steps[0].url if steps else None),
        engine=request.engine,
        data_extraction_schema=request.data_extraction_schema,
        **{name: getattr(request, name) for name in _REQUEST_FIELDS},
        parameters=[WorkflowParameter.model_validate(p) for p in parameters],
        secrets=list(request.secrets or []),
        actions=actions,
        end=_end_of(steps),
        extract=any(a.action_type == "EXTRACT" for s in steps for a in s.actions),
        version=1,
        source_run_id=run.run_id,
        created_at=now,
        modified_at=now,
        history=[WorkflowEvent(run_id=run.run_id, at=now, event="published")],
    )


def intent(action: WorkflowAction) -> str:
    """The action in words: ``type {{name}} into the field "Full name"``."""
    kind = action.action_type
    target = describe(action.locators[0]) if action.locators else "the page"
    if kind == "INPUT_TEXT":
        return f"type {action.detail('text') or ''!r} into {target}"
    if kind == "SELECT_OPTION":
        option = action.detail("option") or {}
        choice = option.get("label") or option.get("value") or f"option {option.get('index')}"
        return f"choose {choice!r} in {target}"
    if kind in ("GOTO_URL", "NEW_TAB"):
        return f"{kind.lower().replace('_', ' ')} {action.url or ''}"
    if kind == "KEYPRESS":
        return f"press {'+'.join(action.detail('keys') or [])}" + (
            f" in {target}" if action.locators else ""
        )
    return f"{kind.lower().replace('_', ' ')} {target}".strip()


def _end_of(steps: list[Step]) -> WorkflowEnd:
    """Where the run ended: the last step's URL and, when known, the page title."""
    if not steps:
        return WorkflowEnd(url=None, title=None)
    last = steps[-1]
    title = getattr(last, "title", None)
    acted = any(a.action_type not in DECISIONS for a in last.actions)
    if title is None and not acted:  # the title the last prompt showed (render's header)
        title = _title_from_artifacts(last)
    return WorkflowEnd(url=last.url, title=title)


def _title_from_artifacts(step: Step) -> str | None:
    for key in ("verify-prompt", "plan-prompt"):
        uri = step.artifacts.get(key)
        if not uri:
            continue
        try:
            text = Path(url2pathname(urlsplit(uri).path)).read_text(encoding="utf-8")
        except OSError:
            continue
        found = re.search(r"^URL: .*\nTitle: (.*)$", text, re.MULTILINE)
        if found:
            return found.group(1).strip()
    return None


def publish_on_completion(store: RunStore, run_id: str) -> TaskRun:
    """Publish a completed run that asked for it (``publish_workflow=True``); never raises.

    A failure to publish does not undo the run: it is added to the run's ``errors``.
    """
    try:
        publish(store, run_id)
    except Exception as exc:  # the run completed; publishing is an extra
        logger.warning("publishing run %s as a workflow failed: %s", run_id, exc)
        run = store.get_run(run_id)
        return store.update_run(
            run_id,
            errors=[
                *run.errors,
                ErrorEntry(error_code="WORKFLOW_PUBLISH_FAILED", reasoning=str(exc)),
            ],
        )
    return store.get_run(run_id)


# -- replaying ----------------------------------------------------------------------------------
def replay_request_fields(
    workflow: Workflow, values: dict[str, str], *, url: str | None = None, **overrides: Any
) -> dict[str, Any]:
    """The run request of a replay: the workflow's goal with ``values``, its URL or ``url``."""
    fields: dict[str, Any] = {
        "prompt": fill(workflow.goal, values),
        "url": url or workflow.url,
        "title": workflow.title,
        "engine": workflow.engine,
        "data_extraction_schema": workflow.data_extraction_schema,
        "secrets": workflow.secrets or None,  # names; values come from the replay's
    }
    for name in _REQUEST_FIELDS:  # only those the workflow gives: the rest keep their defaults
        given, value = workflow.request_field(name)
        if given:
            fields[name] = value
    fields.update({k: v for k, v in overrides.items() if v is not None})
    return fields


async def start_replay(
    agent: Agent,
    workflow_id: str,
    parameters: dict[str, Any] | None = None,
    *,
    url: str | None = None,
    wait: bool = True,
    webhook_url: str | None = None,
    browser_session_id: str | None = None,
    secrets: Any = None,
) -> TaskRun:
    """Start a replay of ``workflow_id`` on the Agent's loop (what ``run_workflow`` awaits).

    The run goes through ``Agent._launch`` like any other, with ``workflow_id`` set and the
    replay engine in place of the request's.
    """
    workflow = agent.store.get_workflow(workflow_id)
    values = resolve(workflow.parameters, parameters)
    request = build_request(
        **replay_request_fields(
            workflow,
            values,
            url=url,
            webhook_url=webhook_url,
            browser_session_id=browser_session_id,
        )
    )
    engine = replay_engine(workflow, values)
    return await agent._launch(
        request, wait, engine=engine, workflow_id=workflow_id, secrets=agent.secrets_for(secrets)
    )


def record_replay(
    store: WorkflowStore,
    workflow_id: str,
    run_id: str,
    repaired: dict[int, dict[str, Any]],
    learned: dict[int, dict[str, Any]],
    moved: dict[int, str],
) -> Workflow | None:
    """Write what a completed replay learned into the stored workflow; returns it.

    ``repaired``: action index -> the locator that worked after a model fallback (it goes
    first; older variants stay behind it, so a page that changes back still matches).
    ``learned``: index -> live details (id, CSS path, label) for the matched variant.
    ``moved``: index -> the URL the action now happens on. None when the workflow is gone.
    """
    if not (repaired or learned or moved):
        return None
    try:
        workflow = store.get_workflow(workflow_id)
    except KeyError:  # deleted while the replay ran
        return None
    changed = False
    for index, action in enumerate(workflow.actions):
        variants = list(action.locators)
        if index in repaired:
            variants = [repaired[index], *variants][:MAX_VARIANTS]
            action.locators = variants
            action.intent = intent(action)
            changed = True
        elif index in learned and variants:
            which = min(int(learned[index].get("variant", 0)), len(variants) - 1)
            changed = merge_live(variants[which], learned[index]) or changed
        if index in moved and moved[index] != action.url:
            action.url = moved[index]
            changed = True
        action.locators = variants
    if not changed:
        return workflow
    now = utcnow().isoformat()
    if repaired or moved:
        workflow.version += 1
        workflow.history = [
            *workflow.history,
            WorkflowEvent(
                run_id=run_id, at=now, event="repaired", actions=sorted({*repaired, *moved})
            ),
        ]
    workflow.modified_at = now
    store.save_workflow(workflow_id, workflow)
    return workflow
