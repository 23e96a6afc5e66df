"""The actions a plan may ask for, as a tagged union of pydantic models, and a lenient parser.

Each action type is declared once, with its model and its handler, in one of the modules
of :data:`ACTION_MODULES` (:class:`~agent.browser.acting.action_kind.ActionKind`); this module
imports them and builds from their declarations the union :data:`Action`, the list
:data:`ACTION_TYPES` and the parser.

An LLM answers the ``plan`` purpose with ``{"actions": [{"action_type": "CLICK", "id": "12",
"reasoning": "..."}, ...]}``. :func:`parse_actions` turns that answer into typed actions and
never raises: entries it cannot use are dropped, each with a note a person (or the next
prompt) can read.

    >>> actions, notes = parse_actions({"actions": [
    ...     {"action_type": "click", "element_id": 7},
    ...     {"action_type": "PRESS_ENTER"},
    ...     {"action_type": "FLY"},
    ... ]})
    >>> [a.action_type for a in actions], notes
    (['CLICK', 'KEYPRESS'], ["action 3 dropped: unknown action_type 'FLY'"])

What the parser forgives: lowercase or spaced type names, common aliases (``TYPE``/``FILL``
for INPUT_TEXT, ``SELECT`` for SELECT_OPTION, ``PRESS_ENTER`` for a KEYPRESS of Enter,
``EXTRACT_INFORMATION`` for EXTRACT, ...), ``element_id`` for ``id``, numeric ids, an option
given as a bare string, keys given as one string, a JSON string instead of a dict.
"""

from __future__ import annotations

import importlib
import json
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from agent.browser.acting._aliases import normalize_entry
from agent.browser.acting.action_kind import ActionBase, ActionKind, action_kinds

# The models, for ``from agent.browser.acting.action_types import ClickAction`` and the like.
from agent.browser.acting.decisions import (
    AskUserAction,
    CallToolAction,
    CompleteAction,
    ExtractAction,
    SolveCaptchaAction,
    TerminateAction,
)
from agent.browser.acting.navigation import (
    ClosePageAction,
    GoBackAction,
    GotoUrlAction,
    NewTabAction,
    ReloadPageAction,
    SwitchTabAction,
)
from agent.browser.acting.page_actions import (
    MAX_WAIT_SECONDS,
    AnswerDialogAction,
    KeypressAction,
    ScrollAction,
    WaitAction,
)
from agent.browser.acting.pointer import ClickAction, HoverAction, SelectTextAction
from agent.browser.acting.select import SelectOption, SelectOptionAction
from agent.browser.acting.text_input import InputTextAction, UploadFileAction

ACTION_MODULES = (
    "agent.browser.acting.pointer",
    "agent.browser.acting.text_input",
    "agent.browser.acting.select",
    "agent.browser.acting.page_actions",
    "agent.browser.acting.navigation",
    "agent.browser.acting.decisions",
)
"""The modules that declare the action types; their order is the plan prompt's order."""
for _module in ACTION_MODULES:
    importlib.import_module(_module)


def _in_module_order() -> dict[str, ActionKind]:
    rank = {name: index for index, name in enumerate(ACTION_MODULES)}
    return dict(
        sorted(
            action_kinds().items(),
            key=lambda item: rank.get(item[1].model.__module__, len(rank)),
        )
    )


KINDS: dict[str, ActionKind] = _in_module_order()
"""Every declared action type by name, in the order of :data:`ACTION_MODULES`."""

__all__ = [
    "ACTION_ADAPTER",
    "ACTION_MODULES",
    "ACTION_TYPES",
    "DECISIONS",
    "KINDS",
    "MAX_WAIT_SECONDS",
    "Action",
    "ActionBase",
    "AnswerDialogAction",
    "AskUserAction",
    "CallToolAction",
    "ClickAction",
    "ClosePageAction",
    "CompleteAction",
    "ExtractAction",
    "GoBackAction",
    "GotoUrlAction",
    "HoverAction",
    "InputTextAction",
    "KeypressAction",
    "NewTabAction",
    "ReloadPageAction",
    "ScrollAction",
    "SelectOption",
    "SelectOptionAction",
    "SelectTextAction",
    "SolveCaptchaAction",
    "SwitchTabAction",
    "TerminateAction",
    "UploadFileAction",
    "WaitAction",
    "parse_action",
    "parse_actions",
    "prompt_lines",
]

if TYPE_CHECKING:  # the shipped types, so that checking action_type narrows statically
    Action = Union[  # noqa: UP007
        ClickAction,
        HoverAction,
        SelectTextAction,
        InputTextAction,
        UploadFileAction,
        SelectOptionAction,
        KeypressAction,
        ScrollAction,
        WaitAction,
        AnswerDialogAction,
        GotoUrlAction,
        GoBackAction,
        ReloadPageAction,
        NewTabAction,
        SwitchTabAction,
        ClosePageAction,
        ExtractAction,
        CompleteAction,
        TerminateAction,
        SolveCaptchaAction,
        AskUserAction,
        CallToolAction,
    ]
else:  # at run time, every declared type
    Action = Annotated[
        Union[tuple(kind.model for kind in KINDS.values())],  # noqa: UP007
        Field(discriminator="action_type"),
    ]
"""Any action; ``action_type`` picks the model (built from the declared action types)."""

ACTION_ADAPTER: TypeAdapter[Action] = TypeAdapter(Action)

ACTION_TYPES: tuple[str, ...] = tuple(KINDS)
"""Every canonical action_type value."""

DECISIONS = frozenset(name for name, kind in KINDS.items() if kind.decision)
"""Action types the engine decides on; :func:`act` only acknowledges them."""


def prompt_lines(**shown: Any) -> list[str]:
    """The plan prompt's list of action types, one line each, from their declarations.

    A line declared with ``prompt_if="tools"`` shows only when ``tools`` is given and truthy.

    >>> lines = prompt_lines()
    >>> lines[0].startswith("CLICK (id)"), any(line.startswith("CALL_TOOL") for line in lines)
    (True, False)
    """
    return [
        kind.prompt
        for kind in KINDS.values()
        if kind.prompt_if is None or bool(shown.get(kind.prompt_if))
    ]


def _describe_error(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"][1:]) or "action"
        msg = item["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {msg}" if item["type"] != "missing" else f"{where} is missing")
    return "; ".join(parts)


def parse_action(entry: object) -> Action:
    """Parse one action (a dict in the plan's form, or an action model); raises ValueError."""
    if isinstance(entry, BaseModel):
        entry = entry.model_dump()
    if not isinstance(entry, dict):
        raise ValueError(f"is not an object (got {type(entry).__name__})")
    data = normalize_entry(entry, KINDS)
    try:
        return ACTION_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise ValueError(f"{data['action_type']}: {_describe_error(exc)}") from None


def parse_actions(raw: object) -> tuple[list[Action], list[str]]:
    """Turn a ``plan`` answer into actions; return them with notes about what was dropped.

    ``raw`` may be the answer dict (``{"actions": [...]}``), a list of action dicts, a single
    action dict, or the JSON text of any of these. Never raises.
    """
    if isinstance(raw, str | bytes):
        try:
            raw = json.loads(raw)
        except ValueError:
            return [], ["the answer is not valid JSON"]
    if isinstance(raw, dict):
        if "actions" in raw:
            raw = raw["actions"]
        elif any(k in raw for k in ("action_type", "type", "action")):
            raw = [raw]
        else:
            return [], ["the answer has no 'actions' list"]
    if raw is None:
        return [], ["the answer has no actions"]
    if not isinstance(raw, list):
        return [], [f"'actions' should be a list, got {type(raw).__name__}"]
    actions: list[Action] = []
    notes: list[str] = []
    for number, entry in enumerate(raw, start=1):
        try:
            actions.append(parse_action(entry))
        except ValueError as exc:
            notes.append(f"action {number} dropped: {exc}")
    return actions, notes
