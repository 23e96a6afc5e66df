"""A run as one self-contained HTML file: the request, the result and a step timeline.

    path = write_report(run, steps=agent.list_steps(run.run_id))   # or run.report()
    # -> <data_dir>/runs/<run_id>/report.html

The file opens offline in any browser: CSS is inline, each step's screenshot is embedded
as a ``data:`` URI, and a Content-Security-Policy forbids scripts and any fetch. Links
(recording, downloads, the prompt and answer of each call) point at the run's own files,
relative to the report when it sits in the run folder, so the folder can be moved whole.

Page text and model output are untrusted: everything goes through Jinja2 with
autoescape on, and only ``file:``, ``http:`` and ``https:`` URLs become links.

Without ``steps`` the step records the run folder keeps are read back
(``steps/NNN-R/step.json``, see :mod:`agent.run.run_folder`), so ``run.report()`` writes the
same report as ``agent.report(run_id)``. A folder without them (a run from before they
were kept) gives a timeline of the screenshots and the actions the model planned.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.records.actions import ActionRecord
from agent.records.errors import UsageError
from agent.records.runs import RunStatus, Step, StepStatus, TaskRun
from agent.run.run_folder import read_run, read_steps
from agent.ui.local_files import file_path, load_image, safe_href

if TYPE_CHECKING:
    from agent.client import Agent

TEMPLATES_DIR = Path(__file__).resolve().parent / "report_templates"
REPORT_NAME = "report.html"
_STEP_DIR = re.compile(r"^(\d+)-(\d+)$")
_DETAIL_FIELDS = ("text", "option", "url", "file_url", "keys", "direction", "reason")
_SHOWN_REQUEST_FIELDS = (
    "title",
    "engine",
    "max_steps",
    "proxy_location",
    "error_code_mapping",
    "webhook_url",
    "totp_identifier",
    "totp_url",
    "browser_session_id",
    "publish_workflow",
)


# -- public API --------------------------------------------------------------------------------


def write_report(
    run: TaskRun,
    path: str | Path | None = None,
    *,
    steps: list[Step] | None = None,
    run_dir: str | Path | None = None,
) -> Path:
    """Write the run's HTML report and return its path.

    ``path`` defaults to ``report.html`` in the run folder, which is found from the run's
    screenshot, recording or step file URLs (or given as ``run_dir``, else looked for in
    ``AGENT_DATA_DIR``). ``steps`` are the stored steps (``agent.list_steps(run_id)``);
    without them the step records the run folder keeps are read (:mod:`agent.run.run_folder`),
    so the report is the same; only a folder without records (written before they were
    kept) gives a timeline of planned actions without their results.
    """
    folder = Path(run_dir).resolve() if run_dir is not None else find_run_dir(run, steps)
    if folder is None:
        folder = _default_run_dir(run.run_id)
    if steps is None and folder is not None:
        steps = read_steps(folder)  # the records the run folder keeps (agent.run.run_folder)
        kept = read_run(folder)
        if kept is not None and kept.run_id == run.run_id and kept.modified_at > run.modified_at:
            run = kept  # the object is older than the run's own record (e.g. wait=False)
    if path is None:
        if folder is None:
            raise UsageError(
                f"cannot tell where the files of run {run.run_id} are (it has no screenshot, "
                "recording or step file); pass path= to say where the report goes"
            )
        target = folder / REPORT_NAME
    else:
        target = Path(path).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_report(run, steps, folder, target.parent), encoding="utf-8")
    return target


def _default_run_dir(run_id: str) -> Path | None:
    """``runs/<run_id>`` in the environment's data dir, when it exists."""
    from agent.records.config import Settings

    folder = (Settings.from_env().data_dir / "runs" / run_id).resolve()
    return folder if folder.is_dir() else None


def report_for(agent: Agent, run_id: str, path: str | Path | None = None) -> Path:
    """Write the report of a stored run, with its stored steps; returns its path.

    This is what ``Agent.report(run_id)`` and ``python -m agent report RUN_ID`` call.
    Raises :class:`~agent.records.errors.RunNotFoundError` for an unknown id.
    """
    run = agent.get_run(run_id)
    steps = agent.list_steps(run_id)
    folder = find_run_dir(run, steps) or Path(agent.data_dir) / "runs" / run_id
    return write_report(run, path, steps=steps, run_dir=folder)


def find_run_dir(run: TaskRun, steps: list[Step] | None = None) -> Path | None:
    """The folder ``.../runs/<run_id>`` holding the run's files, or None when none is known.

    Looks at the file:// URLs the run and its steps carry and takes the ancestor named
    after the run id (so a download saved elsewhere, e.g. by a browser session, is skipped).
    """
    urls = [*run.screenshot_urls, run.recording_url or ""]
    urls += [url for step in steps or [] for url in step.artifacts.values()]
    urls += [f.url for f in run.downloaded_files or []]
    for url in urls:
        local = file_path(url)
        if local is None:
            continue
        for parent in local.parents:
            if parent.name == run.run_id and parent.parent.name == "runs":
                return parent
    return None


def render_report(
    run: TaskRun, steps: list[Step] | None, run_dir: Path | None, report_dir: Path
) -> str:
    """The report's HTML; links are made relative to ``report_dir`` where they can be."""
    if steps is not None:
        views = [_step_view(step, report_dir) for step in steps]
        note = ""
    elif run_dir is not None:
        views = _folder_step_views(run_dir, report_dir)
        note = (
            "This run folder keeps no step records, so this timeline is rebuilt from its "
            "files: the actions the model planned, without their results, tokens or timings. "
            "Agent.report(run_id) or `agent report RUN_ID` include them from the store."
        )
    else:
        views, note = [], "Step records were not given and the run folder is unknown."
    return render_template(
        "report.html",
        run=_run_view(run, report_dir),
        steps=views,
        steps_note=note,
        written_at=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    )


# -- shared helpers (also used by agent.ui.display) -----------------------------------------------


@cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_template(name: str, **variables: Any) -> str:
    """Render ``agent/ui/report_templates/<name>`` with autoescape; a missing variable raises."""
    return str(_environment().get_template(name).render(**variables))


def status_class(status: RunStatus | StepStatus | str) -> str:
    """The badge colour class for a run or step status."""
    value = status.value if isinstance(status, (RunStatus, StepStatus)) else status
    if value == "completed":
        return "good"
    if value in ("failed", "terminated", "timed_out"):
        return "bad"
    if value == "canceled":
        return "muted"
    return "busy"


def pretty_json(value: Any) -> str:
    """Indented JSON for display (non-JSON values as their text)."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def step_facts(step: Step) -> str:
    """``12.0 s · 776 tokens (683 in / 93 out) · 1 model call · $0.0000``."""
    facts = []
    if step.duration_ms is not None:
        facts.append(f"{step.duration_ms / 1000:.1f} s")
    tokens = step.input_token_count + step.output_token_count
    facts.append(f"{tokens} tokens ({step.input_token_count} in / {step.output_token_count} out)")
    facts.append(f"{step.llm_calls} model call{'' if step.llm_calls == 1 else 's'}")
    facts.append(f"${step.step_cost:.4f}")
    if step.block is not None:
        facts.append(f"block {step.block}")
    return " · ".join(facts)


# -- views: plain values for the template ------------------------------------------------------


def _run_view(run: TaskRun, report_dir: Path) -> dict[str, Any]:
    request = run.run_request
    fields = []
    for name in _SHOWN_REQUEST_FIELDS:
        value = getattr(request, name)
        if value is not None and value is not False:
            fields.append((name, value if isinstance(value, (str, int)) else pretty_json(value)))
    duration = None
    if run.started_at and run.finished_at:
        duration = f"{(run.finished_at - run.started_at).total_seconds():.1f} s"
    return {
        "heading": run.title or "Run " + run.run_id,
        "run_id": run.run_id,
        "status": run.status.value,
        "status_class": status_class(run.status),
        "engine": request.engine,
        "run_type": run.run_type,
        "workflow_id": run.workflow_id,
        "created_at": run.created_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "duration": duration,
        "prompt": request.prompt,
        "url": request.url,
        "schema_json": (
            pretty_json(request.data_extraction_schema)
            if request.data_extraction_schema is not None
            else None
        ),
        "request_fields": fields,
        "failure_reason": run.failure_reason,
        "output_json": pretty_json(run.output) if run.output is not None else None,
        "errors": [{"code": e.error_code, "reasoning": e.reasoning} for e in run.errors],
        "downloads": [
            {
                "filename": f.filename,
                "href": safe_href(f.url, report_dir),
                "size": f"{f.file_size} bytes" if f.file_size is not None else "",
                "checksum": f.checksum,
            }
            for f in run.downloaded_files or []
        ],
        "recording": safe_href(run.recording_url, report_dir),
        "blocks": [
            {
                "index": str(block.index),
                "task_type": block.task_type,
                "goal": block.goal,
                "status": block.status,
                "result": block.result,
            }
            for block in run.blocks or []
        ],
        "step_count": run.step_count,
        "llm_calls": run.llm_calls,
        "input_tokens": run.input_token_count,
        "output_tokens": run.output_token_count,
        "cost": f"${run.total_cost:.4f}",
    }


def _step_view(step: Step, report_dir: Path) -> dict[str, Any]:
    label = f"Step {step.order}" + (f" · retry {step.retry_index}" if step.retry_index else "")
    files = {name: url for name, url in step.artifacts.items() if name != "screenshot"}
    return _step_common(
        label=label,
        order=step.order,
        retry_index=step.retry_index,
        status=step.status.value,
        status_class=status_class(step.status),
        facts=step_facts(step),
        url=step.url,
        failure_reason=step.failure_reason,
        reasoning=step.reasoning,
        actions=step.actions,
        screenshot_url=step.artifacts.get("screenshot"),
        files=files,
        report_dir=report_dir,
    )


def _folder_step_views(run_dir: Path, report_dir: Path) -> list[dict[str, Any]]:
    """Steps rebuilt from ``steps/NNN-R/`` folders when no step records were given."""
    found = []
    steps_dir = run_dir / "steps"
    for folder in steps_dir.iterdir() if steps_dir.is_dir() else []:
        match = _STEP_DIR.match(folder.name)
        if match and folder.is_dir():
            found.append((int(match[1]), int(match[2]), folder))
    views = []
    for order, retry, folder in sorted(found):
        answer = _read_json(folder / "plan-answer.json")
        planned = answer.get("actions") if isinstance(answer, dict) else answer  # a file's JSON
        reasoning = answer.get("page_summary") if isinstance(answer, dict) else None
        actions = [a for a in map(ActionRecord.planned, planned or []) if a is not None]
        files = {
            p.stem: p.resolve().as_uri()
            for p in sorted(folder.iterdir())
            if p.suffix in (".txt", ".json")
        }
        shots = sorted(folder.glob("screenshot.*"))
        views.append(
            _step_common(
                label=f"Step {order}" + (f" · retry {retry}" if retry else ""),
                order=order,
                retry_index=retry,
                status=None,
                status_class="muted",
                facts="",
                url=None,
                failure_reason=None,
                reasoning=str(reasoning) if reasoning else None,
                actions=actions,
                screenshot_url=shots[0].resolve().as_uri() if shots else None,
                files=files,
                report_dir=report_dir,
            )
        )
    return views


def _step_common(
    *,
    actions: list[ActionRecord],
    screenshot_url: str | None,
    files: dict[str, str],
    report_dir: Path,
    **facts: Any,
) -> dict[str, Any]:
    image = load_image(screenshot_url)
    size = image.size if image is not None else None
    marks = []
    for number, action in enumerate(actions, start=1):
        mark = _mark(number, action, size) if size else None
        if mark is not None:
            marks.append(mark)
    targeted = any(a.element is not None for a in actions)
    links = [
        {"name": name, "href": href}
        for name, url in files.items()
        for href in [safe_href(url, report_dir)]
        if href
    ]
    return {
        **facts,
        "screenshot": image.data_uri if image is not None else None,
        "marks": marks,
        "unmarked": bool(image is not None and targeted and not marks),
        "actions": [action_view(i + 1, a) for i, a in enumerate(actions)],
        "files": links,
    }


def action_view(number: int, action: ActionRecord) -> dict[str, Any]:
    """What a report or a notebook card shows of one recorded action."""
    element = action.element
    target = ""
    if element is not None:
        target = f"#{element.id} <{element.tag}>"
        if element.text:
            target += f" “{element.text[:80]}”"
    elif action.id:
        target = f"#{action.id}"
    details = []
    for name in _DETAIL_FIELDS:
        value = action.detail(name)
        if value not in (None, "", []):
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            details.append(f"{name}: {shown}")
    replay = action.replay
    if replay is not None:  # a workflow replay says how it found the element
        matched = ", ".join(str(m) for m in replay.matched_by or [])
        details.append(
            "replay: "
            + (
                "model fallback"
                if replay.fallback
                else f"matched by {matched}"
                if matched
                else "as recorded"
            )
        )
    result = action.result
    return {
        "number": number,
        "action_type": action.action_type,
        "target": target,
        "detail": " · ".join(details),
        "reasoning": action.reasoning or "",
        "success": None if result is None else result.success,
        "message": result.message if result is not None else "",
    }


def _mark(number: int, action: ActionRecord, size: tuple[int, int]) -> dict[str, Any] | None:
    """A box around the acted-on element, in percent of the screenshot.

    Element boxes are viewport CSS pixels and run contexts use a device scale factor of 1,
    so they map one to one onto the screenshot's pixels.
    """
    box = action.element.box if action.element is not None else None
    if box is None:
        return None
    x, y, w, h = box.x, box.y, box.width, box.height
    width, height = size
    left, top = max(x, 0.0), max(y, 0.0)
    right, bottom = min(x + w, float(width)), min(y + h, float(height))
    if right <= left or bottom <= top:
        return None  # outside the screenshot (scrolled away)
    return {
        "number": number,
        "left": f"{100 * left / width:.3f}",
        "top": f"{100 * top / height:.3f}",
        "width": f"{100 * (right - left) / width:.3f}",
        "height": f"{100 * (bottom - top) / height:.3f}",
    }


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
