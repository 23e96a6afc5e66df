"""Live progress while a run goes: a line per step in a terminal, a live card in a notebook.

    run tsk_58… step 2/10 http://127.0.0.1:8000/lever/apply INPUT_TEXT#2 ok, CLICK#8 ok | 1,107 tok $0.0004

The Agent asks :func:`progress_for` for one :class:`RunProgress` per run and calls it when
the run starts, at each step saved and when the run ends. In Jupyter (an IPython kernel)
that is a :class:`~agent.ui.display.LiveCard`: an HTML card shown at once, updated in place
per step (step n/budget, url, last actions, latest screenshot, tokens and cost) and ending
as the run's usual card, whether the run was started with ``wait=True`` or ``wait=False``.
Elsewhere the lines go to stderr when attached to a terminal (or when asked with
``progress=True``). ``progress=False`` silences both. Every line also goes to the
``agent.ui.progress`` logger; the library never configures logging handlers itself.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from agent.records.engines import engine_spec
from agent.records.runs import Step, StepStatus, TaskRun
from agent.records.views import view

logger = logging.getLogger("agent.ui.progress")


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where a live card can be shown).

    ipykernel being imported is not enough (jupyter_client imports it to find kernel specs):
    the running IPython shell must be a kernel's.
    """
    if "ipykernel" not in sys.modules or "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    return getattr(get_ipython(), "kernel", None) is not None


def _interactive() -> bool:
    if in_notebook():
        return True
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


def step_budget(run: TaskRun) -> int:
    """The run's step budget: its ``max_steps`` or the engine's default."""
    request = run.run_request
    return engine_spec(request.engine).step_budget(request.max_steps)


def step_label(step: Step, run: TaskRun) -> str:
    """``step 2/10`` (``(retry 1)`` added for a retry)."""
    label = f"step {step.order + 1}/{step_budget(run)}"
    return label + (f" (retry {step.retry_index})" if step.retry_index else "")


def describe_step(step: Step, run: TaskRun) -> str:
    """One line: step number out of the budget, url, actions and outcomes, tokens and cost."""
    acts = (
        ", ".join(
            f"{a.action_type}{'#' + a.id if a.id else ''} {'ok' if a.succeeded else 'failed'}"
            for a in step.actions
        )
        or step.status.value
    )
    tokens = run.input_token_count + run.output_token_count
    cost = f" ${run.total_cost:.4f}" if run.total_cost else ""
    return (
        f"run {run.run_id} {step_label(step, run)} {step.url or ''} {acts} | {tokens:,} tok{cost}"
    )


class RunProgress:
    """What the Agent calls around one run. This base logs a line per finished step."""

    def started(self, run: TaskRun) -> None:
        """The run is stored and about to start."""

    def on_step(self, step: Step, run: TaskRun) -> None:
        """A step was saved (created, running or finished); ``run`` is the run as it stands."""
        if step.status not in (StepStatus.created, StepStatus.running):
            self.step_finished(describe_step(step, run))

    def step_finished(self, line: str) -> None:
        logger.info(line)

    def finished(self, run: TaskRun) -> None:
        """The run reached its ending (or this process stopped running it)."""

    def close(self, get_run: Callable[[], TaskRun]) -> None:
        """Call :meth:`finished` with the run as stored; a display error is logged, not raised."""
        try:
            self.finished(get_run())
        except Exception:  # showing progress must never break a run or its shutdown
            logger.exception("progress display failed at the end of the run")


class ProgressLines(RunProgress):
    """A line per finished step on stderr."""

    def step_finished(self, line: str) -> None:
        super().step_finished(line)
        print(line, file=sys.stderr, flush=True)


def progress_for(enabled: bool | None) -> RunProgress:
    """The progress display for one run: a live card in a notebook, lines or nothing elsewhere.

    ``enabled``: None decides from where we run (a notebook or a terminal shows progress),
    True shows it, False shows nothing (lines still reach the logger).
    """
    if enabled is False:
        return RunProgress()
    if in_notebook():
        card = view("notebook_card")()  # agent.ui.display's LiveCard, registered by agent.ui.hooks
        if card is not None:
            return card  # type: ignore[no-any-return]
    show = _interactive() if enabled is None else enabled
    return ProgressLines() if show else RunProgress()


def progress_printer(enabled: bool | None) -> Callable[[Step, TaskRun], None]:
    """A step callback printing a line per finished step when enabled (logging it always)."""
    show = _interactive() if enabled is None else enabled
    return (ProgressLines() if show else RunProgress()).on_step
