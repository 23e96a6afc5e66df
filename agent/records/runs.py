"""The run object and its steps, in the hosted Tasks API's shape.

Field names follow ``seed/tasks-api.txt`` one for one; extra fields (token totals,
errors, screenshots, the v2 plan history) come after them. Everything that is stored
goes through these models, in memory and in SQLite alike.

The request lives in :mod:`agent.records.request` and the statuses in :mod:`agent.records.statuses`;
both are re-exported here, so ``from agent.records.runs import RunRequest, RunStatus`` works.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel, Field, SerializeAsAny, field_validator

from agent.records.actions import ActionOutcome, ActionRecord, Block, ErrorEntry
from agent.records.errors import InvalidTransitionError
from agent.records.request import (
    RunRequest,
    build_request,
    check_schema,
    effective_schema,
    normalize_url,
)
from agent.records.statuses import FINAL_STATUSES, FinalFlag, RunStatus, StepStatus
from agent.records.views import view

ORGANIZATION_ID = "o_local"
"""Every local run belongs to this one organization (the seed's Step has the field)."""


# -- ids and time ------------------------------------------------------------------------------

_EPOCH = 1655683200  # 2022-06-20, the hosted ids' epoch: ids sort by creation time
_sequence = itertools.count(random.randrange(1 << 12))
_id_lock = threading.Lock()


def new_id(prefix: str) -> str:
    """A time-ordered id such as ``tsk_512345678901234567``: newer ids sort after older ones."""
    with _id_lock:
        millis = int((time.time() - _EPOCH) * 1000)
        seq = next(_sequence) & 0xFFF
    return f"{prefix}_{(millis << 22) | (seq << 10) | random.randrange(1 << 10)}"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# -- the run object ----------------------------------------------------------------------------


class FileInfo(BaseModel):
    """A file the run downloaded."""

    url: str = Field(description="file:// URL of the saved copy.")
    checksum: str = Field(description="sha256 of the content, hex.")
    filename: str = Field(description="Name of the saved file.")
    file_size: int | None = Field(None, description="Size in bytes.")
    modified_at: datetime | None = Field(None, description="When it was saved.")


class TaskRun(BaseModel):
    """A run, as ``run_task`` and ``get_run`` return it: the Tasks API's response."""

    run_id: str = Field(description="tsk_... for skyvern-1.0, tsk_v2_... for skyvern-2.0.")
    status: RunStatus = Field(description="Where the run is in its lifecycle.")
    output: dict[str, Any] | list[Any] | str | None = Field(None, description="Extracted data.")
    downloaded_files: list[FileInfo] | None = Field(None, description="Files the run downloaded.")
    recording_url: str | None = Field(None, description="file:// URL of the video.")
    failure_reason: str | None = Field(None, description="Why it failed or was terminated.")
    created_at: datetime = Field(default_factory=utcnow, description="Creation time, UTC.")
    modified_at: datetime = Field(default_factory=utcnow, description="Last change, UTC.")
    run_type: str = Field(description="task_v1 or task_v2.")
    run_request: RunRequest = Field(description="The request the run was started with.")
    # -- beyond the seed --
    title: str | None = Field(None, description="The request's title, or one chosen for it.")
    # SerializeAsAny: a dict put in with model_copy (which does not validate) is written as
    # it is, and read back as a record.
    errors: list[SerializeAsAny[ErrorEntry]] = Field(
        default_factory=list, description="Error codes raised."
    )
    step_count: int = Field(0, description="Steps taken, retries included.")
    screenshot_urls: list[str] = Field(
        default_factory=list, description="Latest screenshots, newest first (at most 3)."
    )
    queued_at: datetime | None = Field(None, description="When it was queued.")
    started_at: datetime | None = Field(None, description="When it started running.")
    finished_at: datetime | None = Field(None, description="When it reached a final status.")
    input_token_count: int = Field(0, description="Prompt tokens over all model calls.")
    output_token_count: int = Field(0, description="Completion tokens over all model calls.")
    cached_token_count: int = Field(
        0, description="Of input_token_count, tokens the provider read from its prompt cache."
    )
    llm_calls: int = Field(0, description="Number of model calls.")
    total_cost: float = Field(0.0, description="Model cost in USD, from litellm's tables.")
    browser_session_id: str | None = Field(None, description="The session it ran in, if any.")
    webhook_failure_reason: str | None = Field(None, description="Why the webhook failed.")
    blocks: list[SerializeAsAny[Block]] | None = Field(
        None, description="skyvern-2.0: the planner's blocks, their goals and results."
    )
    workflow_id: str | None = Field(None, description="Workflow published from or replayed.")
    owner_pid: int | None = Field(None, description="Process running it (to spot dead runs).")
    browser_profile_id: str | None = Field(None, description="The profile it loaded, if any.")
    max_screenshot_scrolls: int | None = Field(None, description="As requested.")
    question: str | None = Field(
        None, description="While paused: what the agent asks the person (see resume_run)."
    )
    answer: str | None = Field(
        None, description="The person's last answer, set by resume_run until the run reads it."
    )

    @classmethod
    def created_from(
        cls,
        request: RunRequest,
        run_id: str,
        *,
        workflow_id: str | None = None,
        owner_pid: int | None = None,
    ) -> TaskRun:
        """A new run of ``request`` (status ``created``), the same whether it runs here or
        is queued for a worker."""
        return cls(
            run_id=run_id,
            status=RunStatus.created,
            run_type=request.run_type,
            run_request=request,
            title=request.title,
            workflow_id=workflow_id,
            browser_session_id=request.browser_session_id,
            browser_profile_id=request.browser_profile_id,
            max_screenshot_scrolls=request.max_screenshot_scrolls,
            owner_pid=owner_pid,
        )

    def transition(self, new: RunStatus, **changes: Any) -> TaskRun:
        """A copy moved to ``new`` with ``changes``; raises on an illegal transition."""
        if new != self.status and not self.status.can_become(new):
            raise InvalidTransitionError(
                f"run {self.run_id} cannot go from {self.status.value} to {new.value}"
            )
        reason = changes.get("failure_reason", self.failure_reason)
        if new in (RunStatus.failed, RunStatus.terminated) and not reason:
            raise InvalidTransitionError(f"a {new.value} run needs a failure_reason")
        if self.failure_reason and changes.get("failure_reason") not in (None, self.failure_reason):
            changes.pop("failure_reason")  # a failure reason, once set, is never overwritten
        now = utcnow()
        stamps: dict[str, Any] = {"modified_at": now}
        if new == RunStatus.queued and self.queued_at is None:
            stamps["queued_at"] = now
        if new == RunStatus.running and self.started_at is None:
            stamps["started_at"] = now
        if new.is_final and self.finished_at is None:
            stamps["finished_at"] = now
        return self.model_copy(update={"status": new, **stamps, **changes})

    def report(self, path: str | None = None) -> str:
        """Write a self-contained HTML report of this run; returns its path.

        Needs the run's files (screenshots) from the data dir it ran with.
        """
        return str(view("report")(self, path))

    def _repr_html_(self) -> str:
        """Rich display in Jupyter."""
        return str(view("run_html")(self))


def hosted_action(action: ActionRecord) -> dict[str, Any]:
    """``action`` as the hosted ``Action`` JSON: its fields, ``action_type`` in the hosted
    enum's lower case (``click``, ``input_text``), the target as ``element_id`` too, and the
    hosted ``status`` (``completed``, ``failed``, ``skipped``; ``pending`` when not run).

    The record itself keeps the upper-case names the ``plan`` answer uses; only this view,
    read by the hosted SDK, is lower case. Types the hosted enum lacks (``answer_dialog``,
    ``ask_user``, ``call_tool``) are lower-cased the same way.

    >>> hosted_action(ActionRecord(action_type="INPUT_TEXT", id="4", text="hi"))["action_type"]
    'input_text'
    """
    record: dict[str, Any] = action.model_dump(mode="json", exclude={"result", "element"})
    record["action_type"] = action.action_type.lower()
    if action.id is not None:
        record.setdefault("element_id", action.id)
    if action.skipped:
        record["status"] = "skipped"
    elif action.result is None:
        record["status"] = "pending"
    else:
        record["status"] = "completed" if action.result.success else "failed"
    return record


class StepOutput(BaseModel):
    """What a finished step did, in the hosted ``AgentStepOutput`` shape.

    ``actions_and_results`` pairs each action with its results, so the hosted SDK's step
    helpers (``is_success``, ``is_goal_achieved``) read a completed step correctly.
    """

    actions_and_results: list[tuple[dict[str, Any], list[dict[str, Any]]]] = Field(
        default_factory=list, description="Each action and the list of its results."
    )
    errors: list[SerializeAsAny[ErrorEntry]] = Field(
        default_factory=list, description="User error codes."
    )
    browser_metadata: dict[str, Any] | None = Field(None, description="{'website_url': ...}")
    step_exception: str | None = Field(None, description="Why the step failed, if it did.")

    @field_validator("actions_and_results", mode="after")
    @classmethod
    def _hosted_case(
        cls, pairs: list[tuple[dict[str, Any], list[dict[str, Any]]]]
    ) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
        """Outputs stored by an earlier version carried upper-case types: read as hosted."""
        for action, _ in pairs:
            if isinstance(action.get("action_type"), str):
                action["action_type"] = action["action_type"].lower()
        return pairs

    @classmethod
    def of(cls, step: Step) -> StepOutput:
        """The output of ``step`` from its recorded actions."""
        pairs = []
        for action in map(ActionRecord.coerce, step.actions):
            result = action.result or ActionOutcome(success=True)
            pairs.append(
                (
                    hosted_action(action),
                    [
                        {
                            "success": result.success,
                            "exception_message": None if result.success else result.message,
                            "data": result.data,
                        }
                    ],
                )
            )
        return cls(
            actions_and_results=pairs,
            browser_metadata={"website_url": step.url} if step.url else None,
            step_exception=step.failure_reason,
        )


class Step(BaseModel):
    """One step of a run: an observation, one model answer, its actions and their results."""

    organization_id: str = Field(ORGANIZATION_ID, description="Always o_local here.")
    task_id: str = Field(description="The run this step belongs to.")
    step_id: str = Field(default_factory=lambda: new_id("stp"), description="stp_...")
    status: StepStatus = Field(StepStatus.created, description="Where the step is.")
    order: int = Field(0, description="Zero-based step number; retries share it.")
    retry_index: int = Field(0, description="0 for a first attempt, +1 per retry.")
    input_token_count: int = Field(0, description="Prompt tokens of this step's model calls.")
    output_token_count: int = Field(0, description="Completion tokens of this step's calls.")
    # -- beyond the seed --
    created_at: datetime = Field(default_factory=utcnow, description="Creation time, UTC.")
    modified_at: datetime = Field(default_factory=utcnow, description="Last change, UTC.")
    is_last: bool = Field(False, description="True for the run's final step.")
    step_cost: float = Field(0.0, description="Model cost of this step, USD.")
    llm_calls: int = Field(0, description="Model calls made in this step.")
    cached_token_count: int = Field(
        0, description="Of input_token_count, tokens the provider read from its prompt cache."
    )
    url: str | None = Field(None, description="Page URL when the step observed it.")
    actions: list[SerializeAsAny[ActionRecord]] = Field(
        default_factory=list, description="Each action the model chose, with its result."
    )
    reasoning: str | None = Field(None, description="What the model said it was doing.")
    failure_reason: str | None = Field(None, description="Why the step failed.")
    duration_ms: int | None = Field(None, description="Wall time of the step.")
    artifacts: dict[str, str] = Field(
        default_factory=dict, description="file:// URLs: screenshot, prompt, answer."
    )
    block: int | None = Field(None, description="skyvern-2.0: index of the block it ran in.")
    output: StepOutput | None = Field(
        None, description="Set when the step ends: its actions and results, hosted shape."
    )

    def _repr_html_(self) -> str:
        """Rich display in Jupyter."""
        return str(view("step_html")(self))

    def transition(self, new: StepStatus, **changes: Any) -> Step:
        if new != self.status and not self.status.can_become(new):
            raise InvalidTransitionError(
                f"step {self.step_id} cannot go from {self.status.value} to {new.value}"
            )
        actions = [ActionRecord.coerce(a) for a in self.actions]  # appended dicts, validated
        moved = self.model_copy(
            update={"status": new, "modified_at": utcnow(), "actions": actions, **changes}
        )
        if new in (StepStatus.completed, StepStatus.failed) and moved.output is None:
            moved.output = StepOutput.of(moved)
        return moved


__all__ = [
    "FINAL_STATUSES",
    "ORGANIZATION_ID",
    "FileInfo",
    "FinalFlag",
    "RunRequest",
    "RunStatus",
    "Step",
    "StepOutput",
    "StepStatus",
    "TaskRun",
    "build_request",
    "check_schema",
    "effective_schema",
    "hosted_action",
    "new_id",
    "normalize_url",
    "utcnow",
]
