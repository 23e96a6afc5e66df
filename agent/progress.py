"""Live progress: one short line per step while a run goes.

Shown when attached to a terminal or a notebook (or when asked with ``progress=True``),
silent otherwise. Everything also goes to the ``agent`` loggers; the library never
configures handlers itself.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from agent.models import Step, StepStatus

logger = logging.getLogger("agent.progress")


def _interactive() -> bool:
    if "ipykernel" in sys.modules:
        return True
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


def describe_step(step: Step) -> str:
    """``step 2.1 running http://... CLICK#12 ok, INPUT_TEXT#13 failed | 1234 tok``."""
    label = f"step {step.order}" + (f".{step.retry_index}" if step.retry_index else "")
    acts = ", ".join(
        f"{a.get('action_type', '?')}{'#' + str(a['id']) if a.get('id') else ''} "
        f"{'ok' if (a.get('result') or {}).get('success') else 'failed'}"
        for a in step.actions
    )
    tokens = step.input_token_count + step.output_token_count
    return f"{label} {step.status.value:<9} {step.url or ''} {acts} | {tokens} tok".strip()


def progress_printer(enabled: bool | None) -> Callable[[Step], None]:
    """A step callback: logs every step, and prints finished ones when enabled."""
    show = _interactive() if enabled is None else enabled

    def on_step(step: Step) -> None:
        line = describe_step(step)
        logger.info(line)
        if show and step.status != StepStatus.running:
            print(line, file=sys.stderr, flush=True)

    return on_step
