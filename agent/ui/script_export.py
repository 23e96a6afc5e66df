"""A completed run as a readable sync Playwright script (``agent export RUN_ID > flow.py``).

:func:`export_script` writes one line per action the run did, with the locator that found
its element (:func:`agent.page_steps.selectors.selector_for`, from the element snapshot
each step record keeps, the same data workflow replays use), a comment per step with the
goal it served, ``wait_for_load_state`` where the page changed and ``wait_for_timeout``
where the run waited. Values the run typed are parameters at the top; secrets
(``{{NAME}}``), passwords and 2FA codes are read from environment variables and never
written. Plain, the script imports only Playwright and the standard library.

``heal=True``: each step carries its instruction; when its locator no longer fits (a
Playwright error), ``agent.on(page).act(instruction)`` does it with the model of
``Agent()`` (``AGENT_LLM``), and the script goes on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from agent.browser.acting.action_types import DECISIONS
from agent.browser.seeing.locators import describe, locator_from_snapshot
from agent.page_steps.selectors import selector_for
from agent.records.actions import ActionRecord
from agent.records.errors import InvalidRequestError
from agent.records.runs import RunStatus, Step, TaskRun
from agent.records.workflows import WorkflowAction
from agent.workflows.recipes import intent

TOTP_PLACEHOLDER = "{{TOTP_CODE}}"
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_MASK = "•"
_INDENT = " " * 8
_SCROLL = {"down": (0, 600), "up": (0, -600), "right": (600, 0), "left": (-600, 0)}


@dataclass
class _Script:
    """What the body needs from the top of the script, collected while writing it."""

    origin: str
    heal: bool
    parameters: dict[str, str] = field(default_factory=dict)
    """Name -> the Python expression of its value."""
    secrets: list[str] = field(default_factory=list)
    totp: bool = False
    downloads: bool = False
    uploads: int = 0

    def name_for(self, wanted: str, expression: str) -> str:
        base = re.sub(r"\W+", "_", wanted).strip("_").upper() or "VALUE"
        if base[0].isdigit():
            base = "V_" + base
        name, number = base, 2
        while name in self.parameters and self.parameters[name] != expression:
            name, number = f"{base}_{number}", number + 1
        self.parameters[name] = expression
        return name

    def url(self, url: str) -> str:
        if self.origin and url.startswith(self.origin + "/"):
            return f"ORIGIN + {json.dumps(url[len(self.origin) :])}"
        return json.dumps(url)


def export_script(run: TaskRun, steps: list[Step], *, heal: bool = False) -> str:
    """The script for ``run`` and its stored ``steps`` (see the module docstring).

    Raises :class:`~agent.records.errors.InvalidRequestError` for a run that did not complete.
    """
    if run.status != RunStatus.completed:
        raise InvalidRequestError(
            "run_id",
            f"run {run.run_id} is {run.status.value}; only a completed run can be exported "
            "(its actions are known to reach the goal)",
        )
    start = run.run_request.url or next((s.url for s in steps if s.url), None) or "about:blank"
    parts = urlsplit(start)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""
    script = _Script(origin=origin, heal=heal)
    body: list[str] = []
    here = start
    count = 0
    for step in sorted(steps, key=lambda s: (s.order, s.retry_index)):
        records = [ActionRecord.coerce(a) for a in step.actions]
        done = [
            a for a in records if a.succeeded and not a.skipped and a.action_type not in DECISIONS
        ]
        extracted = any(a.action_type == "EXTRACT" for a in records)
        if not done and not extracted:
            continue
        body.append("")
        body.append(f"{_INDENT}# step {step.order}: {_goal(run, step)}")
        if step.url and here != "?" and step.url.split("#")[0] != here.split("#")[0]:
            body.append(f"{_INDENT}page.goto({script.url(step.url)})  # where this step began")
        for record in done:
            if record.action_type == "EXTRACT":
                continue
            body.extend(_INDENT + line for line in _action_lines(script, record, run))
            count += 1
        if extracted:
            body.append(f"{_INDENT}# the run read data from this page here ({_first_line(run)})")
        here = _after(step, records, here)
    return _assemble(run, script, body, start, count)


def _goal(run: TaskRun, step: Step) -> str:
    if step.block is not None and run.blocks and 0 <= step.block < len(run.blocks):
        block = run.blocks[step.block]
        return _short(f"{block.task_type} block {step.block}: {block.goal}")
    if run.title == "page steps" and step.reasoning:
        return _short(step.reasoning)
    return _first_line(run)


def _first_line(run: TaskRun) -> str:
    return _short(run.run_request.prompt.strip().splitlines()[0] if run.run_request.prompt else "")


def _short(text: str, limit: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _after(step: Step, records: list[ActionRecord], here: str) -> str:
    """Where the page is after the step: its URL when nothing navigated, else unknown."""
    if any(a.result is not None and a.result.page_changed for a in records):
        return "?"  # an action took the page elsewhere: the next step begins where it went
    return step.url or here


def _value(script: _Script, record: ActionRecord, text: str, field_name: str) -> str:
    """The Python expression for what an INPUT_TEXT typed (parameters collected)."""
    if text and set(text) == {_MASK}:  # a password the run did not record
        name = script.name_for(field_name or "password", "")
        script.parameters[name] = f"os.environ[{json.dumps(name)}]"
        script.secrets.append(name)
        return name
    pieces: list[str] = []
    position = 0
    for found in _PLACEHOLDER.finditer(text):
        if found.start() > position:
            pieces.append(json.dumps(text[position : found.start()]))
        if found.group(0) == TOTP_PLACEHOLDER:
            script.totp = True
            pieces.append("totp_code()")
        else:
            name = found.group(1)
            script.parameters[name] = f"os.environ[{json.dumps(name)}]"
            if name not in script.secrets:
                script.secrets.append(name)
            pieces.append(name)
        position = found.end()
    if position == 0:
        return script.name_for(field_name, json.dumps(text))
    if position < len(text):
        pieces.append(json.dumps(text[position:]))
    return " + ".join(pieces)


def _action_lines(script: _Script, record: ActionRecord, run: TaskRun) -> list[str]:
    kind = record.action_type
    snapshot = record.element.model_dump(mode="json") if record.element is not None else None
    locator = locator_from_snapshot(snapshot) if snapshot else None
    selector = selector_for(locator) if locator else None
    target = f"page.locator({json.dumps(selector)})" if selector else None
    timeout = "timeout=STEP_TIMEOUT"
    lines: list[str] = []
    if locator is not None and locator.get("frame"):
        lines.append("# (the run found this element inside a frame; the selector is the frame's)")
    call: str | None = None
    value: str | None = None
    if kind == "CLICK" and target:
        call = f"{target}.click({timeout})"
    elif kind == "HOVER" and target:
        call = f"{target}.hover({timeout})"
    elif kind == "INPUT_TEXT" and target:
        field_name = _field_name(locator or {})
        value = _value(script, record, str(record.detail("text") or ""), field_name)
        call = f"{target}.fill({value}, {timeout})"
    elif kind == "SELECT_OPTION" and target:
        option = record.detail("option") or {}
        how = next((k for k in ("label", "value", "index") if option.get(k) is not None), "label")
        call = f"{target}.select_option({how}={json.dumps(option.get(how))}, {timeout})"
    elif kind == "UPLOAD_FILE" and target:
        script.uploads += 1
        name = script.name_for(
            f"upload_{script.uploads}", json.dumps(str(record.detail("file_url") or ""))
        )
        call = f"{target}.set_input_files({name}, {timeout})"
    elif kind == "KEYPRESS":
        keys = [str(k) for k in record.detail("keys") or []]
        receiver = f"{target}" if target else "page.keyboard"
        calls = [f"{receiver}.press({json.dumps(k)})" for k in keys]
        call = "; ".join(calls) if calls else None
    elif kind == "WAIT":
        seconds = float(record.detail("seconds") or 2.0)
        lines.append(f"page.wait_for_timeout({int(seconds * 1000)})  # the run waited here")
    elif kind == "SCROLL":
        dx, dy = _SCROLL.get(str(record.detail("direction") or "down"), (0, 600))
        lines.append(f"page.mouse.wheel({dx}, {dy})")
    elif kind == "GOTO_URL":
        lines.append(f"page.goto({script.url(str(record.detail('url') or ''))})")
    elif kind == "GO_BACK":
        lines.append("page.go_back()")
    elif kind == "RELOAD_PAGE":
        lines.append("page.reload()")
    else:
        lines.append(f"# {kind} is not exported: {record.result.message if record.result else ''}")
    if call is not None:
        lines.extend(_wrapped(script, record, call, run, value))
    if record.result is not None and record.result.page_changed:
        lines.append("page.wait_for_load_state()")
    return lines


def _wrapped(
    script: _Script, record: ActionRecord, call: str, run: TaskRun, value: str | None
) -> list[str]:
    """The call as a line, with its instruction when healing and in a download catcher."""
    line = call
    if script.heal:
        line = f"heal(lambda: {call}, {_instruction(script, record, value)})"
    if _downloaded(record, run):
        script.downloads = True
        return [
            "with page.expect_download() as download:",
            f"    {line}",
            "download.value.save_as(DOWNLOAD_DIR / download.value.suggested_filename)",
        ]
    return [line]


def _instruction(script: _Script, record: ActionRecord, value: str | None) -> str:
    """The step in words, as a Python expression (a typed parameter stays a parameter)."""
    snapshot = record.element.model_dump(mode="json") if record.element is not None else None
    if value and value.isidentifier() and value not in script.secrets and snapshot:
        target = describe(locator_from_snapshot(snapshot)).replace("{", "{{").replace("}", "}}")
        return "f" + json.dumps(f"type {{{value}!r}} into {target}")
    fields = record.model_dump(
        mode="json", exclude={"id", "reasoning", "element", "result", "replay", "duration_ms"}
    )
    action = WorkflowAction.model_validate(
        {**fields, "locators": [locator_from_snapshot(snapshot)] if snapshot else []}
    )
    text = intent(action)
    return json.dumps(text.replace(_MASK * 8, "the password"))


def _downloaded(record: ActionRecord, run: TaskRun) -> bool:
    message = record.result.message if record.result is not None else ""
    names = [f.filename for f in run.downloaded_files or []]
    return "download" in message.lower() or any(name and name in message for name in names)


def _field_name(locator: dict[str, Any]) -> str:
    attributes = locator.get("attributes") or {}
    return str(
        attributes.get("name")
        or locator.get("label")
        or locator.get("name")
        or attributes.get("placeholder")
        or attributes.get("aria-label")
        or "value"
    )[:40]


def _assemble(run: TaskRun, script: _Script, body: list[str], start: str, count: int) -> str:
    from agent.ui.script_template import render_script

    return render_script(run=run, script=script, body=body, start=start, count=count)
