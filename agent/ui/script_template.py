"""Rendering an exported script (:mod:`agent.ui.script_export`) from its template file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.llm.prompts import PromptFolder

if TYPE_CHECKING:
    from agent.records.runs import TaskRun

STEP_TIMEOUT_MS = 10_000
"""How long a plain step waits for its element before the script stops (or heals)."""

_FOLDER = PromptFolder(Path(__file__).resolve().parent / "script_templates")


def render_script(*, run: TaskRun, script: Any, body: list[str], start: str, count: int) -> str:
    """The whole script: docstring, parameters, helpers and ``body`` (indented lines)."""
    origin = script.origin
    start_expr = script.url(start) if origin else json.dumps(start)
    prompt = run.run_request.prompt.strip().splitlines()[0] if run.run_request.prompt else ""
    text = _FOLDER.render(
        "flow.py",
        run_id=run.run_id,
        goal=" ".join(prompt.split())[:100].replace('"""', "'''"),
        count=count,
        heal=script.heal,
        origin_json=json.dumps(origin),
        start_expr=start_expr,
        parameters=sorted(script.parameters.items(), key=lambda kv: kv[0] in script.secrets),
        secrets=script.secrets,
        totp=script.totp,
        downloads=script.downloads,
        step_timeout=STEP_TIMEOUT_MS,
        body=body,
    )
    return text
