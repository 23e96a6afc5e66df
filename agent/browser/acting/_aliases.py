"""How loosely written actions and key names map to the canonical ones.

Models (small local ones above all) write ``"type"``, ``"press enter"``, ``"element_id": 7``,
``"option": "Blue"`` or ``"keys": "ctrl+a"``. This module rewrites such an entry into the
canonical dict that the pydantic models in :mod:`agent.browser.acting.action_types` validate, or
raises ``ValueError`` with a short reason when nothing sensible can be made of it. The
type names and field names each action type forgives are declared with the type
(:class:`~agent.browser.acting.action_kind.ActionKind`); the key names are here.

    >>> normalize_key("ctrl+shift+t"), normalize_key("esc"), normalize_key("a")
    ('Control+Shift+t', 'Escape', 'a')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.browser.acting.action_kind import ActionKind

_KEY_ALIASES = {
    "enter": "Enter",
    "return": "Enter",
    "esc": "Escape",
    "escape": "Escape",
    "tab": "Tab",
    "space": "Space",
    "spacebar": "Space",
    "backspace": "Backspace",
    "delete": "Delete",
    "del": "Delete",
    "insert": "Insert",
    "home": "Home",
    "end": "End",
    "pageup": "PageUp",
    "pgup": "PageUp",
    "pagedown": "PageDown",
    "pgdn": "PageDown",
    "up": "ArrowUp",
    "arrowup": "ArrowUp",
    "uparrow": "ArrowUp",
    "down": "ArrowDown",
    "arrowdown": "ArrowDown",
    "downarrow": "ArrowDown",
    "left": "ArrowLeft",
    "arrowleft": "ArrowLeft",
    "leftarrow": "ArrowLeft",
    "right": "ArrowRight",
    "arrowright": "ArrowRight",
    "rightarrow": "ArrowRight",
    "ctrl": "Control",
    "control": "Control",
    "shift": "Shift",
    "alt": "Alt",
    "option": "Alt",
    "meta": "Meta",
    "cmd": "Meta",
    "command": "Meta",
    "win": "Meta",
    "super": "Meta",
    "controlormeta": "ControlOrMeta",
}
_CODE_KEY = re.compile(r"^(F([1-9]|1[0-9]|2[0-4])|Key[A-Z]|Digit[0-9]|Numpad[0-9])$")


def _one_key(name: str) -> str:
    if len(name) == 1:
        return name
    canonical = _KEY_ALIASES.get(re.sub(r"[\s_\-]", "", name).lower())
    if canonical:
        return canonical
    if _CODE_KEY.match(name) or _CODE_KEY.match(name.capitalize()):
        return name if _CODE_KEY.match(name) else name.capitalize()
    raise ValueError(f"unknown key {name!r}")


def normalize_key(key: str) -> str:
    """Return the Playwright name of ``key`` (``"enter"`` → ``"Enter"``, ``"ctrl+a"`` → ``"Control+a"``)."""
    key = key.strip() if key.strip() else key
    if len(key) <= 1:
        if not key:
            raise ValueError("empty key")
        return key
    if key.endswith("++"):  # "Control++" presses the plus key with Control
        parts = [*key[:-2].split("+"), "+"]
    else:
        parts = key.split("+")
    if any(not part.strip() for part in parts):
        raise ValueError(f"unknown key {key!r}")
    return "+".join(_one_key(part.strip()) for part in parts)


def _canonical_type(
    entry: dict[str, Any], kinds: Mapping[str, ActionKind]
) -> tuple[str, Mapping[str, Any]]:
    kind = next((entry[k] for k in ("action_type", "type", "action") if entry.get(k)), None)
    if not isinstance(kind, str) or not kind.strip():
        raise ValueError("has no action_type")
    name = re.sub(r"[\s\-.]+", "_", kind.strip()).upper()
    if name in kinds:
        return name, {}
    for canonical, declared in kinds.items():
        implied = declared.alias(name)
        if implied is not None:
            return canonical, implied
    if name.startswith("PRESS_") and "KEYPRESS" in kinds:  # PRESS_ARROWDOWN, PRESS_SPACE ...
        try:
            return "KEYPRESS", {"keys": [normalize_key(name.removeprefix("PRESS_"))]}
        except ValueError:
            pass
    raise ValueError(f"unknown action_type {kind.strip()!r}")


def normalize_entry(entry: dict[str, Any], kinds: Mapping[str, ActionKind]) -> dict[str, Any]:
    """Rewrite one loosely written action into the canonical dict (raises ``ValueError``).

    ``kinds`` are the declared action types (:func:`~agent.browser.acting.action_kind.action_kinds`):
    their aliases, field aliases and ``normalize`` hooks say what each forgives.
    """
    action_type, defaults = _canonical_type(entry, kinds)
    declared = kinds[action_type]
    data = {k: v for k, v in entry.items() if k not in ("type", "action")}
    data["action_type"] = action_type
    if data.get("id") is None and data.get("element_id") is not None:
        data["id"] = data["element_id"]
    data.pop("element_id", None)
    for field, others in declared.field_aliases:
        if data.get(field) is None:
            found = next((data[o] for o in others if data.get(o) is not None), None)
            if found is not None:
                data[field] = found
    for key, value in defaults.items():
        data.setdefault(key, value)
    if not declared.uses_id:
        data.pop("id", None)
    if declared.normalize is not None:
        declared.normalize(data)
    return data
