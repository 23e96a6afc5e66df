"""Workflow parameters: values typed during a run turned into named, replaceable slots.

When a run is published, every value it typed that came from the prompt becomes a
parameter. ``name: Chris P Bacon`` in the prompt and ``Chris P Bacon`` typed into a field
give the parameter ``name``: the typed text is stored as ``{{name}}`` and the goal as
``... name: {{name}} ...``. A value typed verbatim from the prompt without a ``key:``
before it is named after its field (``full_name``). A password (steps store it redacted)
becomes a *secret* parameter without a default: it must be passed to each replay.

    >>> goal, params, actions = parameterize(
    ...     "Apply. name: Chris P Bacon. email: chris@pbacon.com",
    ...     [{"action_type": "INPUT_TEXT", "text": "Chris P Bacon", "locators": []}])
    >>> goal, actions[0]["text"], [p["key"] for p in params]
    ('Apply. name: {{name}}. email: chris@pbacon.com', '{{name}}', ['name'])
    >>> fill("Hi {{name}}, {{TOTP_CODE}}", {"name": "Ada"})
    'Hi Ada, {{TOTP_CODE}}'
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from agent.records.errors import InvalidRequestError
from agent.records.workflows import WorkflowParameter
from agent.workflows.goal_details import details_from_prompt

REDACTED = "•" * 8
"""How steps store a typed password (see ``engines.step_records.record_action``)."""
MIN_VERBATIM = 3
"""A value found in the prompt without a ``key:`` becomes a parameter from this length."""
_SLOT = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


def parameterize(
    prompt: str, actions: list[dict[str, Any]], secrets: Collection[str] = ()
) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    """The goal template, the parameters and the actions with their values as slots.

    ``actions`` are workflow actions (``action_type``, ``text``, ``option``, ``locators``);
    they are returned as new dicts, the input is not changed. A text holding the
    placeholder of one of the run's ``secrets`` (``{{PASSWORD}}``) stays as it is: a
    replay takes the value from its own secrets.
    """
    placeholders = ["{{" + name + "}}" for name in secrets]
    details = details_from_prompt(prompt)
    params: dict[str, dict[str, Any]] = {}
    goal = prompt
    out: list[dict[str, Any]] = []
    for action in actions:
        action = dict(action)
        field = _field_words(action)
        if action.get("action_type") == "INPUT_TEXT" and isinstance(action.get("text"), str):
            text = action["text"]
            if any(p in text for p in placeholders):
                pass
            elif text == REDACTED:
                key = _secret_key(details, field, params)
                params.setdefault(
                    key, {"key": key, "secret": True, "description": f"secret typed into {field}"}
                )
                goal = _slot_detail(goal, key, details.get(key))
                action["text"] = slot(key)
            else:
                found, goal = _slot_for(text, goal, details, field, params)
                if found:
                    action["text"] = slot(found)
        elif action.get("action_type") == "SELECT_OPTION" and isinstance(
            action.get("option"), dict
        ):
            option = dict(action["option"])
            for part in ("label", "value"):
                if isinstance(option.get(part), str):
                    found, goal = _slot_for(
                        option[part], goal, details, field, params, verbatim=False
                    )
                    if found:
                        option[part] = slot(found)
            action["option"] = option
        out.append(action)
    return goal, list(params.values()), out


def slot(key: str) -> str:
    """The placeholder for parameter ``key``: ``{{key}}``."""
    return "{{" + key + "}}"


def _slot_for(
    value: str,
    goal: str,
    details: dict[str, str],
    field: str,
    params: dict[str, dict[str, Any]],
    *,
    verbatim: bool = True,
) -> tuple[str | None, str]:
    """The parameter for a typed value (creating it), and the goal with its slot."""
    value_clean = value.strip()
    for key, detail in details.items():
        if detail == value_clean and value_clean:
            key = _slug(key)
            params.setdefault(
                key, {"key": key, "default": value, "description": f"typed into {field}"}
            )
            return key, _slot_detail(goal, key, detail)
    if verbatim and len(value_clean) >= MIN_VERBATIM and value_clean in goal:
        key = _unique(_slug(field), params, value)
        params.setdefault(key, {"key": key, "default": value, "description": f"typed into {field}"})
        return key, goal.replace(value_clean, slot(key))
    for key, param in params.items():  # the same value typed twice
        if param.get("default") == value:
            return key, goal
    return None, goal


def _slot_detail(goal: str, key: str, value: str | None) -> str:
    """Replace ``key: value`` in the goal by ``key: {{key}}`` (only there, not elsewhere)."""
    if not value:
        return goal
    words = re.escape(key).replace("_", "[ _]")
    pattern = re.compile(rf"(\b{words}\s*:\s*){re.escape(value)}", re.IGNORECASE)
    replaced, count = pattern.subn(lambda m: m.group(1) + slot(key), goal, count=1)
    return replaced if count else goal.replace(value, slot(key), 1)


def _secret_key(details: dict[str, str], field: str, params: dict[str, Any]) -> str:
    for key in details:
        if any(word in key for word in ("pass", "pwd", "secret", "pin")):
            return _slug(key)
    return _unique(_slug(field) or "password", params, None)


def _field_words(action: dict[str, Any]) -> str:
    """A short name for the action's field: label, placeholder or name attribute."""
    for locator in action.get("locators") or []:
        attributes = locator.get("attributes") or {}
        for word in (
            locator.get("name"),
            locator.get("label"),
            attributes.get("placeholder"),
            attributes.get("name"),
            attributes.get("aria-label"),
        ):
            if word:
                return str(word)
    return "the field"


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40]
    return ("p_" + slug if slug[:1].isdigit() else slug) or "value"


def _unique(key: str, params: dict[str, dict[str, Any]], value: str | None) -> str:
    base, n = key or "value", 2
    while key in params and params[key].get("default") != value:
        key, n = f"{base}_{n}", n + 1
    return key


def fill(value: Any, values: dict[str, str]) -> Any:
    """``value`` with every ``{{key}}`` of ``values`` replaced (strings, dicts, lists).

    Unknown slots (such as ``{{TOTP_CODE}}``) are left as they are.
    """
    if isinstance(value, str):
        return _SLOT.sub(lambda m: values.get(m.group(1), m.group(0)), value)
    if isinstance(value, dict):
        return {k: fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, values) for v in value]
    return value


def resolve(
    parameters: Sequence[WorkflowParameter | Mapping[str, Any]], given: dict[str, Any] | None
) -> dict[str, str]:
    """The values for a replay: ``given`` over the defaults; raises on unknown or missing keys.

    >>> resolve([{"key": "name", "default": "Chris"}], {"name": "Ada"})
    {'name': 'Ada'}
    """
    given = dict(given or {})
    known = {p.key: p for p in map(WorkflowParameter.model_validate, parameters)}
    unknown = sorted(set(given) - set(known))
    if unknown:
        takes = ", ".join(sorted(known)) or "no parameters"
        raise InvalidRequestError(
            "parameters", f"unknown parameter {unknown[0]!r}; this workflow takes: {takes}"
        )
    values: dict[str, str] = {}
    for key, param in known.items():
        if key in given and given[key] is not None:
            values[key] = str(given[key])
        elif param.default is not None:
            values[key] = str(param.default)
        else:
            why = param.description or "no default is stored"
            raise InvalidRequestError(
                "parameters", f"{key!r} is required ({why}); pass parameters={{{key!r}: ...}}"
            )
    return values
