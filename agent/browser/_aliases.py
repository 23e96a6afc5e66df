"""How loosely written actions and key names map to the canonical ones.

Models (small local ones above all) write ``"type"``, ``"press enter"``, ``"element_id": 7``,
``"option": "Blue"`` or ``"keys": "ctrl+a"``. This module rewrites such an entry into the
canonical dict that the pydantic models in :mod:`agent.browser.action_types` validate, or
raises ``ValueError`` with a short reason when nothing sensible can be made of it.

    >>> normalize_key("ctrl+shift+t"), normalize_key("esc"), normalize_key("a")
    ('Control+Shift+t', 'Escape', 'a')
"""

from __future__ import annotations

import re
from typing import Any

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


# Alias type name → (canonical type, fields to set when absent).
_TYPE_ALIASES: dict[str, tuple[str, dict[str, Any]]] = {
    "PRESS_ENTER": ("KEYPRESS", {"keys": ["Enter"]}),
    "ENTER": ("KEYPRESS", {"keys": ["Enter"]}),
    "PRESS_TAB": ("KEYPRESS", {"keys": ["Tab"]}),
    "PRESS_ESCAPE": ("KEYPRESS", {"keys": ["Escape"]}),
    "DOUBLE_CLICK": ("CLICK", {"double_click": True}),
    "DBLCLICK": ("CLICK", {"double_click": True}),
    "CHECK": ("CLICK", {"checked": True}),
    "UNCHECK": ("CLICK", {"checked": False}),
    "CHECKBOX": ("CLICK", {"checked": True}),
    "SCROLL_DOWN": ("SCROLL", {"direction": "down"}),
    "SCROLL_UP": ("SCROLL", {"direction": "up"}),
    "SCROLL_LEFT": ("SCROLL", {"direction": "left"}),
    "SCROLL_RIGHT": ("SCROLL", {"direction": "right"}),
    "ACCEPT_DIALOG": ("ANSWER_DIALOG", {"accept": True}),
    "DISMISS_DIALOG": ("ANSWER_DIALOG", {"accept": False}),
}
_SIMPLE_ALIASES = {
    "CLICK": ("TAP", "PRESS_BUTTON", "CLICK_ELEMENT", "LEFT_CLICK"),
    "INPUT_TEXT": ("TYPE", "FILL", "INPUT", "TYPE_TEXT", "ENTER_TEXT", "PASTE_TEXT", "FILL_TEXT"),
    "SELECT_OPTION": (
        "SELECT",
        "SELECT_DROPDOWN",
        "SELECT_DROPDOWN_OPTION",
        "CHOOSE",
        "CHOOSE_OPTION",
        "DROPDOWN",
    ),
    "UPLOAD_FILE": ("UPLOAD", "FILE_UPLOAD", "ATTACH_FILE", "SET_FILE"),
    "KEYPRESS": (
        "KEY",
        "KEYS",
        "PRESS",
        "PRESS_KEY",
        "PRESS_KEYS",
        "KEY_PRESS",
        "SEND_KEYS",
        "KEYBOARD",
    ),
    "WAIT": ("SLEEP", "PAUSE"),
    "HOVER": ("MOUSE_OVER", "MOUSEOVER", "HOVER_OVER"),
    "GOTO_URL": ("GOTO", "GO_TO", "GO_TO_URL", "NAVIGATE", "NAVIGATE_TO", "OPEN_URL", "VISIT"),
    "GO_BACK": ("BACK", "NAVIGATE_BACK", "GO_BACKWARD"),
    "RELOAD_PAGE": ("RELOAD", "REFRESH", "REFRESH_PAGE"),
    "NEW_TAB": ("OPEN_TAB", "OPEN_NEW_TAB", "NEW_PAGE"),
    "SWITCH_TAB": ("SWITCH_PAGE", "FOCUS_TAB", "CHANGE_TAB"),
    "CLOSE_PAGE": ("CLOSE_TAB", "CLOSE"),
    "EXTRACT": ("EXTRACT_INFORMATION", "EXTRACT_DATA", "SCRAPE"),
    "COMPLETE": ("DONE", "FINISH", "FINISHED", "SUCCESS", "COMPLETED", "COMPLETE_TASK"),
    "TERMINATE": ("FAIL", "ABORT", "STOP", "GIVE_UP", "TERMINATE_TASK"),
    "SOLVE_CAPTCHA": ("CAPTCHA",),
}
for _canonical, _names in _SIMPLE_ALIASES.items():
    for _name in _names:
        _TYPE_ALIASES.setdefault(_name, (_canonical, {}))

# Canonical type → (field, other names a model may use for it), first match wins.
_FIELD_ALIASES: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "INPUT_TEXT": [("text", ("value", "input", "content", "input_text"))],
    "UPLOAD_FILE": [("file_url", ("file", "path", "file_path", "filename", "file_name", "url"))],
    "CLICK": [("checked", ("is_checked",)), ("double_click", ("dblclick", "double"))],
    "KEYPRESS": [("keys", ("key", "text", "value"))],
    "WAIT": [("seconds", ("duration", "time", "wait"))],
    "GOTO_URL": [("url", ("href", "link", "address"))],
    "NEW_TAB": [("url", ("href", "link"))],
    "SWITCH_TAB": [("tab_index", ("index", "tab", "tab_id", "page_index"))],
    "CLOSE_PAGE": [("tab_index", ("index", "tab", "tab_id", "page_index"))],
    "EXTRACT": [("data_extraction_goal", ("goal", "extraction_goal", "query"))],
    "COMPLETE": [("reason", ("message", "summary"))],
    "TERMINATE": [("reason", ("termination_reason", "message", "error"))],
    "SCROLL": [("amount", ("pixels", "distance"))],
}
# Types whose element id means something; every other type drops it.
_USES_ID = {"CLICK", "INPUT_TEXT", "SELECT_OPTION", "UPLOAD_FILE", "HOVER", "SCROLL", "KEYPRESS"}


def _canonical_type(entry: dict[str, Any], known: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    kind = next((entry[k] for k in ("action_type", "type", "action") if entry.get(k)), None)
    if not isinstance(kind, str) or not kind.strip():
        raise ValueError("has no action_type")
    name = re.sub(r"[\s\-.]+", "_", kind.strip()).upper()
    if name in known:
        return name, {}
    if name in _TYPE_ALIASES:
        return _TYPE_ALIASES[name]
    if name.startswith("PRESS_"):  # PRESS_ARROWDOWN, PRESS_SPACE ...
        try:
            return "KEYPRESS", {"keys": [normalize_key(name.removeprefix("PRESS_"))]}
        except ValueError:
            pass
    raise ValueError(f"unknown action_type {kind.strip()!r}")


def _option(entry: dict[str, Any]) -> Any:
    option = entry.get("option")
    if option is None:
        option = {k: entry[k] for k in ("label", "value", "index") if entry.get(k) is not None}
        if not option and entry.get("text") is not None:
            option = {"label": entry["text"]}
    if isinstance(option, list):  # several options of a multi-select
        return [_one_option(o) for o in option] or None
    return _one_option(option) or None


def _one_option(option: Any) -> Any:
    if isinstance(option, str):
        return {"label": option}
    if isinstance(option, int) and not isinstance(option, bool):
        return {"index": option}
    return option


def _scroll(data: dict[str, Any]) -> None:
    direction = data.get("direction")
    if isinstance(direction, str):
        data["direction"] = direction.strip().lower()
    for axis, (neg, pos) in (("scroll_y", ("up", "down")), ("scroll_x", ("left", "right"))):
        delta = data.get(axis)
        if "direction" not in data and isinstance(delta, int | float) and delta:
            data["direction"] = pos if delta > 0 else neg
            data.setdefault("amount", abs(int(delta)))


def normalize_entry(entry: dict[str, Any], known: tuple[str, ...]) -> dict[str, Any]:
    """Rewrite one loosely written action into the canonical dict (raises ``ValueError``)."""
    action_type, defaults = _canonical_type(entry, known)
    data = {k: v for k, v in entry.items() if k not in ("type", "action")}
    data["action_type"] = action_type
    if data.get("id") is None and data.get("element_id") is not None:
        data["id"] = data["element_id"]
    data.pop("element_id", None)
    for field, others in _FIELD_ALIASES.get(action_type, []):
        if data.get(field) is None:
            found = next((data[o] for o in others if data.get(o) is not None), None)
            if found is not None:
                data[field] = found
    for key, value in defaults.items():
        data.setdefault(key, value)
    if action_type not in _USES_ID:
        data.pop("id", None)
    if action_type == "SELECT_OPTION":
        data["option"] = _option(data)
        if data["option"] is None:
            del data["option"]
    elif action_type == "SCROLL":
        _scroll(data)
    elif action_type in ("COMPLETE", "TERMINATE") and not data.get("reason"):
        data["reason"] = str(data.get("reasoning") or "")
    return data
