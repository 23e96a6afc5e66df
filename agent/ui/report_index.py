"""One page listing every run of a data dir, each linking to its report.

    path = index_for(agent)                 # <data_dir>/index.html, runs from the store
    path = write_index(Path("agent-data"))  # runs from the run folders' records alone

``agent report --all`` calls :func:`index_for`. Runs come from the store and from the
``run.json`` each run folder keeps (:mod:`agent.run.run_folder`), so runs of a memory store or
another process show up too. Each run's report is (re)written when it is missing or older
than the run's last change. The page is self-contained and offline like the reports: no
script (the CSP forbids them), the status filters are radio buttons and CSS, links are
relative so the data dir can be moved whole.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from agent.records.runs import RunStatus, Step, TaskRun
from agent.run.run_folder import read_run
from agent.ui.report import REPORT_NAME, render_template, status_class, write_report

if TYPE_CHECKING:
    from agent.client import Agent

INDEX_NAME = "index.html"


def index_for(agent: Agent, path: str | Path | None = None) -> Path:
    """Write the index of every run in the Agent's store and data dir; returns its path."""
    return write_index(agent.data_dir, all_runs(agent), steps_of=agent.list_steps, path=path)


def all_runs(agent: Agent, page_size: int = 100) -> list[TaskRun]:
    """Every run in the Agent's store, newest first (read a page at a time)."""
    runs: list[TaskRun] = []
    page = 1
    while True:
        batch = agent.list_runs(page=page, page_size=page_size)
        runs += batch
        if len(batch) < page_size:
            return runs
        page += 1


def write_index(
    data_dir: str | Path,
    runs: Iterable[TaskRun] = (),
    *,
    steps_of: Callable[[str], list[Step]] | None = None,
    path: str | Path | None = None,
) -> Path:
    """Write ``data_dir/index.html`` (or ``path``) listing ``runs`` and the folders' runs.

    ``steps_of(run_id)`` gives a stored run's steps for its report; runs known only from
    their folder use the step records kept there.
    """
    data_dir = Path(data_dir).resolve()
    target = Path(path).resolve() if path is not None else data_dir / INDEX_NAME
    stored = {run.run_id: run for run in runs}
    everything = dict(stored)
    runs_dir = data_dir / "runs"
    for folder in sorted(runs_dir.iterdir()) if runs_dir.is_dir() else []:
        if folder.name not in everything and (kept := read_run(folder)) is not None:
            everything[kept.run_id] = kept
    ordered = sorted(everything.values(), key=lambda r: r.created_at, reverse=True)
    rows = []
    for run in ordered:
        report = _fresh_report(
            run, runs_dir / run.run_id, steps_of if run.run_id in stored else None
        )
        rows.append(_row(run, report, target.parent))
    counts = Counter(run.status.value for run in ordered)
    statuses = [(s.value, counts[s.value]) for s in RunStatus if counts[s.value]]
    target.parent.mkdir(parents=True, exist_ok=True)
    html = render_template(
        "index.html",
        rows=rows,
        statuses=statuses,
        total=len(rows),
        data_dir=str(data_dir),
        written_at=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    )
    target.write_text(html, encoding="utf-8")
    return target


def _fresh_report(run: TaskRun, folder: Path, steps_of: Callable[[str], list[Step]] | None) -> Path:
    report = folder / REPORT_NAME
    try:
        current = report.stat().st_mtime >= run.modified_at.timestamp()
    except OSError:
        current = False
    if not current:
        steps = steps_of(run.run_id) if steps_of is not None else None
        write_report(run, report, steps=steps, run_dir=folder)
    return report


def _row(run: TaskRun, report: Path, base: Path) -> dict[str, object]:
    try:
        href = report.relative_to(base).as_posix()
    except ValueError:
        href = report.as_uri()
    took = None
    if run.started_at and run.finished_at:
        took = f"{(run.finished_at - run.started_at).total_seconds():.1f} s"
    return {
        "run_id": run.run_id,
        "href": href,
        "status": run.status.value,
        "status_class": status_class(run.status),
        "title": run.title or run.run_request.prompt,
        "url": run.run_request.url or "",
        "engine": run.run_request.engine,
        "created": run.created_at.strftime("%Y-%m-%d %H:%M"),
        "steps": run.step_count,
        "tokens": run.input_token_count + run.output_token_count,
        "cost": f"${run.total_cost:.4f}",
        "duration": took or "",
        "failure_reason": run.failure_reason or "",
    }
