"""What a step writes down: each action with its result and element, and how it ended.

Shared by the step loop (:mod:`engines.v1`, which skyvern-2.0's blocks run too) and the
workflow replay (:mod:`engines.replay`), so a replayed step reads like a planned one.
"""

from __future__ import annotations

import re
import time
from typing import Any

from agent.records.actions import ActionOutcome, ActionRecord, ElementSnapshot
from agent.records.runs import Step, StepStatus
from agent.run.run_context import RunContext


def record_action(
    action: Any,
    result: Any,
    note: str | None,
    observation: Any = None,
    duration_ms: int | None = None,
) -> ActionRecord:
    """An action and its result for the step record, with typed secrets redacted."""
    data: dict[str, Any] = action.model_dump(mode="json", exclude_none=True)
    element = observation.element(action.id) if observation is not None and action.id else None
    password = element is not None and element.attributes.get("type") == "password"
    if "text" in data and password:
        placeholder_only = re.fullmatch(r"(\{\{\w+\}\})+", str(data["text"]))
        data["text"] = data["text"] if placeholder_only else "•" * 8
    snapshot = None
    if element is not None:  # how to find it again (workflow replay, reports)
        snapshot = ElementSnapshot.model_validate(element.model_dump(exclude_none=True))
        if password:
            snapshot.attributes.pop("value", None)
    if result is None:
        outcome = ActionOutcome(success=True, message=note or "")
    else:
        outcome = ActionOutcome(
            success=result.success, message=result.message, page_changed=result.page_changed
        )
    return ActionRecord.model_validate(
        {**data, "result": outcome, "element": snapshot, "duration_ms": duration_ms}
    )


def finish_step(
    ctx: RunContext,
    step: Step,
    started: float,
    status: StepStatus,
    failure: str | None = None,
    *,
    is_last: bool = False,
) -> None:
    step.duration_ms = int((time.monotonic() - started) * 1000)
    finished = step.transition(status, failure_reason=failure, is_last=is_last)
    ctx.save_step(finished)
    step.__dict__.update(finished.__dict__)
