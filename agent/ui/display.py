"""Rich display in Jupyter: ``TaskRun._repr_html_`` and ``Step._repr_html_``.

A run shows its status badge, totals, failure reason, output, its latest screenshot
(small, embedded) and a link to its HTML report once :meth:`TaskRun.report` has written
one. While a run goes, :class:`LiveCard` shows it live (:mod:`agent.ui.progress` picks it
in a notebook): a card updated in place per step, ending as the run's card. A step shows its status, the actions it took with their results, and its
screenshot. Everything is escaped (page text and model output are untrusted) and
styled inline, since a notebook output cannot carry a stylesheet of its own.

    run = agent.run_task(...)
    run                  # in a notebook cell: the card below
    agent.list_steps(run.run_id)[0]
"""

from __future__ import annotations

import contextvars
import threading
from typing import Any

from agent.records.actions import ActionRecord
from agent.records.runs import Step, TaskRun
from agent.ui.local_files import load_image
from agent.ui.progress import RunProgress, step_label
from agent.ui.report import (
    REPORT_NAME,
    action_view,
    find_run_dir,
    pretty_json,
    render_template,
    status_class,
    step_facts,
)

MAX_OUTPUT_CHARS = 4000
"""Longer output is cut in the card (the report and ``run.output`` have all of it)."""
MAX_SHOT_BYTES = 2_000_000
"""Screenshots larger than this are not embedded, to keep notebooks small."""
RECENT_ACTIONS = 5
"""The live card lists this many of the latest actions."""
BADGE_COLORS = {"good": "#1a7f37", "bad": "#cf222e", "busy": "#0969da", "muted": "#6e7781"}


def run_html(run: TaskRun) -> str:
    """An HTML card of a run for Jupyter.

    >>> from agent.records.runs import RunRequest
    >>> request = RunRequest(prompt="Say hi", url="https://example.com")
    >>> run = TaskRun(run_id="tsk_1", status="completed", run_type="task_v1",
    ...               run_request=request, output={"x": "<script>"})
    >>> html = run_html(run)
    >>> "&lt;script&gt;" in html and "<script>" not in html
    True
    """
    facts = [
        run.run_request.engine,
        f"{run.step_count} step{'' if run.step_count == 1 else 's'}",
        f"{run.input_token_count + run.output_token_count} tokens",
        f"{run.llm_calls} model call{'' if run.llm_calls == 1 else 's'}",
        f"${run.total_cost:.4f}",
    ]
    if run.started_at and run.finished_at:
        facts.append(f"{(run.finished_at - run.started_at).total_seconds():.1f} s")
    output = None
    if run.output is not None:
        output = pretty_json(run.output)
        if len(output) > MAX_OUTPUT_CHARS:
            output = output[:MAX_OUTPUT_CHARS] + "\n… (cut; see run.output)"
    shot = _shot(run.screenshot_urls[0] if run.screenshot_urls else None)
    folder = find_run_dir(run)
    report = folder / REPORT_NAME if folder is not None else None
    if report is not None and not report.is_file():
        report = None
    return render_template(
        "run_card.html",
        heading=run.title or _shorten(run.run_request.prompt, 80),
        status=run.status.value,
        color=BADGE_COLORS[status_class(run.status)],
        run_id=run.run_id,
        facts=" · ".join(facts),
        failure_reason=run.failure_reason,
        output_json=output,
        shot=shot,
        report_href=report.as_uri() if report is not None else None,
        report_path=str(report or ""),
    )


def step_html(step: Step) -> str:
    """An HTML card of a step for Jupyter: status, actions and results, screenshot."""
    label = f"Step {step.order}" + (f" · retry {step.retry_index}" if step.retry_index else "")
    return render_template(
        "step_card.html",
        label=label,
        status=step.status.value,
        color=BADGE_COLORS[status_class(step.status)],
        step_id=step.step_id,
        facts=step_facts(step),
        url=step.url,
        failure_reason=step.failure_reason,
        reasoning=step.reasoning,
        actions=[action_view(i, a) for i, a in enumerate(step.actions, start=1)],
        shot=_shot(step.artifacts.get("screenshot")),
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _shot(url: str | None) -> str | None:
    image = load_image(url, max_bytes=MAX_SHOT_BYTES)
    return image.data_uri if image is not None else None


def live_html(run: TaskRun, step: Step | None, actions: list[ActionRecord]) -> str:
    """The live card of a run that is going: step n/budget, url, last actions, screenshot.

    ``actions`` are the latest actions (oldest first), as the steps record them.
    """
    facts = [
        f"{run.input_token_count + run.output_token_count:,} tokens",
        f"{run.llm_calls} model call{'' if run.llm_calls == 1 else 's'}",
        f"${run.total_cost:.4f}",
    ]
    first = max(len(actions) - RECENT_ACTIONS, 0)
    return render_template(
        "live_card.html",
        heading=run.title or _shorten(run.run_request.prompt, 80),
        status=run.status.value,
        color=BADGE_COLORS[status_class(run.status)],
        run_id=run.run_id,
        position=step_label(step, run) if step is not None else "starting",
        step_status=step.status.value if step is not None else "",
        url=step.url if step is not None else run.run_request.url,
        facts=" · ".join(facts),
        actions=[action_view(first + i + 1, a) for i, a in enumerate(actions[first:])],
        shot=_shot(run.screenshot_urls[0] if run.screenshot_urls else None),
    )


class LiveCard(RunProgress):
    """A run's card in a notebook, shown when it starts and updated in place per step.

    Uses IPython's display handles (``display(..., display_id=True)`` then ``update``), so
    it needs nothing beyond what a notebook has. When the run ends it becomes the usual
    :func:`run_html` card.
    """

    def __init__(self, html_type: Any, display: Any) -> None:
        self._html = html_type
        self._display = display
        self._handle: Any = None
        self._actions: dict[tuple[int, int], list[ActionRecord]] = {}
        self._lock = threading.Lock()

    @classmethod
    def create(cls) -> LiveCard | None:
        """A card using IPython's display, or None when IPython is not there."""
        try:
            from IPython.display import HTML, display
        except ImportError:
            return None
        return cls(HTML, display)

    def _show(self, html: str) -> None:
        # Run in an empty context: the run's task carries the context of the cell that
        # started it, and ipykernel would address every update to that (finished) cell;
        # without it, messages go with the cell executing now, where front ends and
        # nbclient alike apply them to the card by its display id.
        with self._lock:
            contextvars.Context().run(self._publish, html)

    def _publish(self, html: str) -> None:
        if self._handle is None:
            self._handle = self._display(self._html(html), display_id=True)
        else:
            self._handle.update(self._html(html))

    def started(self, run: TaskRun) -> None:
        self._show(live_html(run, None, []))

    def on_step(self, step: Step, run: TaskRun) -> None:
        super().on_step(step, run)
        self._actions[(step.order, step.retry_index)] = list(step.actions)
        recent = [a for key in sorted(self._actions) for a in self._actions[key]]
        self._show(live_html(run, step, recent))

    def finished(self, run: TaskRun) -> None:
        self._show(run_html(run))
