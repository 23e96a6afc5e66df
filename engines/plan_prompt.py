"""What the skyvern-1.0 actor is sent: the run's fixed rules, the page hints, the history lines.

:func:`plan_messages` builds one ``plan`` call's messages (see :func:`engines.prompts.messages`):
the system part from the run's options alone (:func:`plan_rules`), then the goal, the data
the goal must capture, the history, one-line hints about the browser's state
(:func:`browser_hints`) and the page. :func:`history_line` writes one action as the
history shows it: what it typed, chose or pressed (secrets as their placeholders, as the
model wrote them), on which labelled element, and what came of it.
"""

from __future__ import annotations

import json
import re
from itertools import groupby
from typing import Any

from agent.run.run_context import RunContext
from engines.prompts import action_lines, messages

TOTP_PLACEHOLDER = "{{TOTP_CODE}}"
HISTORY_LINES = 12
"""How many of the latest history lines the plan prompt shows (older ones are counted)."""
LABEL_CHARS = 40
DETAIL_CHARS = 120
OUTCOME_CHARS = 200
_LABEL_ATTRIBUTES = ("aria-label", "placeholder", "title", "name", "alt", "id")
_CAPTCHA = re.compile(r"captcha|i'?m not a robot|verify you are human", re.I)


def plan_rules(ctx: RunContext) -> dict[str, Any]:
    """The plan prompt's system part variables: the run's options, nothing from the page."""
    tools = ctx.tools.listing() if ctx.tools else []
    upload_files = [p.name for p in ctx.upload_files]
    return {
        "error_codes": ctx.request.error_code_mapping or {},
        "secret_placeholders": list(ctx.secrets.placeholders),
        "totp_placeholder": TOTP_PLACEHOLDER if ctx.get_totp_code is not None else "",
        "upload_files": upload_files,
        "tools": tools,
        "action_lines": action_lines(tools=bool(tools), upload_files=bool(upload_files)),
    }


def browser_hints(ctx: RunContext, page_text: str) -> list[str]:
    """One line per thing about the browser the page text does not say, with its action."""
    hints: list[str] = []
    for text in ctx.tabs.dialogs_state.describe_open():
        hints.append(
            f"A browser dialog is open and the tab waits for its answer ({text}): answer it "
            'first with ANSWER_DIALOG ("accept": true for OK, false for Cancel; "text" for a '
            "prompt dialog); Cancel unless the goal needs OK."
        )
    for text in ctx.tabs.take_dialogs():
        hints.append(f"The page showed a browser dialog since your last actions: {text}")
    tabs = ctx.tabs.describe()
    if len(tabs) > 1:
        listed = "; ".join(
            f"[{t['index']}] {t['title']} {t['url']}" + (" (active)" if t["active"] else "")
            for t in tabs
        )
        hints.append(f"Open tabs: {listed}. SWITCH_TAB with tab_index changes the active tab.")
    if _CAPTCHA.search(page_text):
        hints.append(
            "The page seems to show a CAPTCHA: if it blocks the way, answer SOLVE_CAPTCHA."
        )
    return hints


def compact_schema(schema: Any) -> str:
    """A JSON Schema on one line, for the prompts that only need to know what data counts."""
    if not isinstance(schema, dict | list):
        return str(schema or "")
    return json.dumps(schema, ensure_ascii=False, separators=(",", ":"))


def recent(history: list[str], limit: int = HISTORY_LINES) -> tuple[int, list[str]]:
    """How many lines are left out, and the latest ``limit`` lines of ``history``."""
    shown = history[-limit:] if limit else []
    return len(history) - len(shown), shown


def plan_messages(
    ctx: RunContext,
    observation: Any,
    *,
    goal: str,
    context_goal: str | None,
    history: list[str],
    warnings: list[str],
    schema: Any = None,
) -> list[dict[str, Any]]:
    """The messages of one ``plan`` call on ``observation``."""
    elements = observation.render()
    omitted, shown = recent(history)
    return messages(
        "plan",
        rules=plan_rules(ctx),
        task={
            "today": ctx.today(),
            "goal": goal,
            "context_goal": context_goal,
            "schema": compact_schema(schema),
            "history": shown,
            "omitted": omitted,
            "warnings": warnings,
            "hints": browser_hints(ctx, elements),
            "elements": elements,
        },
        screenshot=observation.screenshot,
    )


def element_label(element: Any) -> str:
    """What names an element for a person: its text, else a naming attribute."""
    if element is None:
        return ""
    text = " ".join(str(element.text or "").split())
    if not text:
        attributes = element.attributes or {}
        text = next((str(attributes[k]) for k in _LABEL_ATTRIBUTES if attributes.get(k)), "")
    return _short(text, LABEL_CHARS)


def describe_action(action: Any, observation: Any) -> str:
    """``INPUT_TEXT #5 'Email' text="ada@example.com"``: the type, the target, the details."""
    target = ""
    if action.id:
        element = observation.element(action.id) if observation is not None else None
        label = element_label(element)
        target = f" #{action.id}" + (f" '{label}'" if label else "")
    fields = action.model_dump(
        mode="json",
        exclude={"action_type", "id", "reasoning"},
        exclude_none=True,
        exclude_defaults=True,  # a setting the model never gave is not news to it
    )
    if isinstance(fields.get("keys"), list):
        fields["keys"] = _runs(fields["keys"])
    details = " ".join(
        f"{name}={_short(json.dumps(value, ensure_ascii=False))}"
        for name, value in fields.items()
        if value not in ("", [], {})
    )
    return f"{action.action_type}{target}" + (f" {details}" if details else "")


def history_line(order: int, described: str, success: bool, message: str) -> str:
    """One history line: the step, the action as described, and its outcome."""
    outcome = "ok" if success else "failed"
    said = _short(" ".join(message.split()), OUTCOME_CHARS)
    return f"step {order}: {described} → {outcome}" + (f": {said}" if said else "")


def _runs(keys: list[Any]) -> list[Any]:
    """``["ArrowRight" x 40]`` for forty presses in a row: the count survives the cut."""
    runs = [(key, len(list(group))) for key, group in groupby(keys)]
    return [key if count == 1 else f"{key} x {count}" for key, count in runs]


def _short(text: str, limit: int = DETAIL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
