"""Registers the records' views (:mod:`agent.records.views`): report, notebook cards, prompt text.

``import agent`` calls :func:`install`. The report and the notebook display load on first
use (they are not needed on ``import agent``'s path); the observation's renderer is
small and registered as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agent.records.observation_text import render_observation
from agent.records.views import register_view

if TYPE_CHECKING:
    from pathlib import Path

    from agent.records.runs import Step, TaskRun


def _report(run: TaskRun, path: str | None = None) -> Path:
    from agent.ui.report import write_report

    return write_report(run, path)


def _run_html(run: TaskRun) -> str:
    from agent.ui.display import run_html

    return run_html(run)


def _step_html(step: Step) -> str:
    from agent.ui.display import step_html

    return step_html(step)


def _notebook_card() -> Any:
    from agent.ui.display import LiveCard

    return LiveCard.create()


def install() -> None:
    """Register every view; calling it again changes nothing."""
    register_view("report", _report)
    register_view("run_html", _run_html)
    register_view("step_html", _step_html)
    register_view("observation_text", render_observation)
    register_view("notebook_card", _notebook_card)
