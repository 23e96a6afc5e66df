"""What the command line prints for people: a run's summary and plain tables.

Machine output is ``--json`` (the run object as the hosted API returns it); these are
for reading in a terminal, and ``make demo`` ends with :func:`run_summary`.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agent.records.actions import ActionRecord
from agent.records.runs import Step, TaskRun
from agent.records.workflows import Workflow

MAX_OUTPUT_LINES = 12
"""The summary shows this many lines of the output; ``--json`` has all of it."""


def shorten(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters.

    >>> shorten("Apply for a job\\non behalf of Chris", 20)
    'Apply for a job on…'
    """
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def duration(run: TaskRun) -> str | None:
    """``12.3 s`` from start to end (or to now for a run still going), None before it starts."""
    if run.started_at is None:
        return None
    from agent.records.runs import utcnow

    return f"{((run.finished_at or utcnow()) - run.started_at).total_seconds():.1f} s"


def run_summary(
    run: TaskRun, *, run_dir: Path | None = None, report: str | Path | None = None
) -> str:
    """A few lines saying how a run went and where its files are.

    >>> from agent.records.runs import RunRequest
    >>> run = TaskRun(run_id="tsk_1", status="failed", run_type="task_v1", failure_reason="No form",
    ...               run_request=RunRequest(prompt="Apply", url="https://example.com"))
    >>> print(run_summary(run))
    Run tsk_1 failed · Apply
      reason   No form
      steps    0 · 0 tokens (0 in / 0 out) · 0 model calls · $0.0000
    """
    head = f"Run {run.run_id} {run.status.value}"
    took = duration(run)
    if took and run.status.is_final:
        head += f" in {took}"
    lines = [f"{head} · {shorten(run.title or run.run_request.prompt, 60)}"]
    if run.failure_reason:
        lines.append(f"  reason   {shorten(run.failure_reason, 300)}")
    if run.output is not None:
        lines += _labelled("output", json.dumps(run.output, indent=2, ensure_ascii=False))
    for error in run.errors:
        lines.append(f"  error    {error.error_code}: {error.reasoning}")
    tokens = run.input_token_count + run.output_token_count
    calls = f"{run.llm_calls} model call{'' if run.llm_calls == 1 else 's'}"
    cached = f", {run.cached_token_count:,} of them cached" if run.cached_token_count else ""
    lines.append(
        f"  steps    {run.step_count} · {tokens:,} tokens ({run.input_token_count:,} in{cached} / "
        f"{run.output_token_count:,} out) · {calls} · ${run.total_cost:.4f}"
    )
    if run.workflow_id:
        lines.append(f"  workflow {run.workflow_id}")
    for item in run.downloaded_files or []:
        lines.append(f"  download {item.filename} ({item.file_size or 0:,} bytes)")
    if run_dir is not None:
        lines.append(f"  files    {run_dir}")
    if report is not None:
        lines.append(f"  report   {report}")
    return "\n".join(lines)


def _labelled(label: str, text: str) -> list[str]:
    rows = text.splitlines() or [""]
    if len(rows) > MAX_OUTPUT_LINES:
        rows = [*rows[: MAX_OUTPUT_LINES - 1], f"… ({len(rows) - MAX_OUTPUT_LINES + 1} more lines)"]
    return [f"  {label:<8} {rows[0]}", *(f"           {row}" for row in rows[1:])]


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, wrap_last: bool = True) -> str:
    """Left-aligned columns; the last column is cut to the terminal's width.

    >>> print(table(["id", "status"], [["tsk_1", "completed"], ["tsk_22", "failed"]]))
    id      status
    tsk_1   completed
    tsk_22  failed
    """
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    width = shutil.get_terminal_size((120, 24)).columns
    lines = []
    for row in cells:
        parts = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        line = "  ".join([*parts, row[-1]])
        if wrap_last and len(line) > max(width, 60):
            line = line[: max(width, 60) - 1] + "…"
        lines.append(line.rstrip())
    return "\n".join(lines)


def runs_table(runs: Sequence[TaskRun]) -> str:
    """The ``agent runs`` table: id, status, title or prompt, created, steps, cost."""
    rows = [
        [
            run.run_id,
            run.status.value,
            f"{run.created_at:%Y-%m-%d %H:%M}",
            run.step_count,
            f"${run.total_cost:.4f}",
            shorten(run.title or run.run_request.prompt, 70),
        ]
        for run in runs
    ]
    return table(["run_id", "status", "created (UTC)", "steps", "cost", "title / prompt"], rows)


def action_line(action: ActionRecord) -> str:
    """``INPUT_TEXT#2 ok``: what an action did, in a few characters."""
    target = f"#{action.id}" if action.id else ""
    result = action.result
    outcome = "" if result is None else " ok" if result.success else " failed"
    return f"{action.action_type}{target}{outcome}"


def steps_table(steps: Sequence[Step]) -> str:
    """The ``agent steps`` table: order, status, url, actions, tokens, cost, time."""
    rows = []
    for step in steps:
        order = f"{step.order}" + (f".{step.retry_index}" if step.retry_index else "")
        took = f"{step.duration_ms / 1000:.1f} s" if step.duration_ms is not None else ""
        acts = ", ".join(action_line(a) for a in step.actions) or (step.failure_reason or "")
        rows.append(
            [
                order,
                step.status.value,
                step.input_token_count + step.output_token_count,
                f"${step.step_cost:.4f}",
                took,
                shorten(step.url or "", 50),
                acts,
            ]
        )
    return table(["step", "status", "tokens", "cost", "time", "url", "actions"], rows)


def workflows_table(workflows: Sequence[Workflow | dict[str, Any]]) -> str:
    """The ``agent workflows`` table: id, title, parameters, actions, source run."""
    records = [Workflow.model_validate(w) for w in workflows]
    rows = [
        [
            item.workflow_id,
            len(item.actions),
            ",".join(p.key for p in item.parameters) or "-",
            item.source_run_id or "",
            shorten(item.title or item.goal, 60),
        ]
        for item in records
    ]
    return table(["workflow_id", "actions", "parameters", "from run", "title"], rows)
