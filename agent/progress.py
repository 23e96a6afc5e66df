"""Live progress: one short line per step while a run goes.

    run tsk_58… step 2/10 http://127.0.0.1:8000/lever/apply INPUT_TEXT#2 ok, CLICK#8 ok | 1,107 tok $0.0004

Shown on stderr when attached to a terminal or a notebook (or when asked with
``progress=True``), silent otherwise (``progress=False`` silences it everywhere).
Every line also goes to the ``agent.progress`` logger; the library never configures
logging handlers itself.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from agent.config import DEFAULT_MAX_STEPS_V1, DEFAULT_MAX_STEPS_V2
from agent.models import Step, StepStatus, TaskRun

logger = logging.getLogger("agent.progress")


def _interactive() -> bool:
    if "ipykernel" in sys.modules:
        return True
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


def describe_step(step: Step, run: TaskRun) -> str:
    """One line: step number out of the budget, url, actions and outcomes, tokens and cost."""
    request = run.run_request
    budget = request.max_steps or (
        DEFAULT_MAX_STEPS_V1 if request.engine == "skyvern-1.0" else DEFAULT_MAX_STEPS_V2
    )
    label = f"step {step.order + 1}/{budget}" + (
        f" (retry {step.retry_index})" if step.retry_index else ""
    )
    acts = (
        ", ".join(
            f"{a.get('action_type', '?')}{'#' + str(a['id']) if a.get('id') else ''} "
            f"{'ok' if (a.get('result') or {}).get('success') else 'failed'}"
            for a in step.actions
        )
        or step.status.value
    )
    tokens = run.input_token_count + run.output_token_count
    cost = f" ${run.total_cost:.4f}" if run.total_cost else ""
    return f"run {run.run_id} {label} {step.url or ''} {acts} | {tokens:,} tok{cost}"


def progress_printer(enabled: bool | None) -> Callable[[Step, TaskRun], None]:
    """A step callback: logs every finished step, and prints it when enabled."""
    show = _interactive() if enabled is None else enabled

    def on_step(step: Step, run: TaskRun) -> None:
        if step.status in (StepStatus.created, StepStatus.running):
            return
        line = describe_step(step, run)
        logger.info(line)
        if show:
            print(line, file=sys.stderr, flush=True)

    return on_step
