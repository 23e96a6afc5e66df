"""The actions a plan may ask for, as a tagged union of pydantic models, and a lenient parser.

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

import json
from typing import Annotated, Any, Literal, Union, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from agent.browser._aliases import normalize_entry, normalize_key

MAX_WAIT_SECONDS = 5.0
"""WAIT never sleeps longer than this: a plan that wants to wait longer waits again."""

MAX_KEY_REPEAT = 20


class _Action(BaseModel):
    """Fields every action has."""

    model_config = ConfigDict(extra="ignore", use_attribute_docstrings=True, populate_by_name=True)

    id: str | None = None
    """The target element's id from the observation (``data-agent-id``), when the action has one."""
    reasoning: str = ""
    """Why the model chose this action; kept for logs and the next prompt."""

    @field_validator("id", mode="before")
    @classmethod
    def _id_to_str(cls, value: object) -> object:
        if isinstance(value, bool):
            return None
        if isinstance(value, int | float):
            return str(int(value))
        if isinstance(value, str):
            return value.strip() or None
        return value


class _TargetedAction(_Action):
    """An action on one element: ``id`` is required."""

    id: str
    """The target element's id from the observation (``data-agent-id``)."""


class ClickAction(_TargetedAction):
    """Click an element; for a checkbox or radio, ``checked`` names the state to reach."""

    action_type: Literal["CLICK"] = "CLICK"
    double_click: bool = False
    """Double-click instead of a single click."""
    checked: bool | None = None
    """For checkboxes, radios and switches: the state wanted after the click (no click if already there)."""
    file_url: str | None = None
    """When set, the click opens a file chooser that receives this (allowed) file."""


class InputTextAction(_TargetedAction):
    """Replace the text of an input, textarea or contenteditable element."""

    action_type: Literal["INPUT_TEXT"] = "INPUT_TEXT"
    text: str
    """The text to type; the field is cleared first."""

    @field_validator("text", mode="before")
    @classmethod
    def _text_to_str(cls, value: object) -> object:
        return (
            str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        )


class SelectOption(BaseModel):
    """Which option to choose: any of label, value, index (tried in the order index, value, label)."""

    model_config = ConfigDict(extra="ignore", use_attribute_docstrings=True)

    label: str | None = None
    """The visible text of the option (matched loosely: case, spacing, then a close match)."""
    value: str | None = None
    """The option's value attribute."""
    index: int | None = None
    """The option's position, from 0."""

    @field_validator("label", "value", mode="before")
    @classmethod
    def _to_str(cls, value: object) -> object:
        return (
            str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        )

    @model_validator(mode="after")
    def _needs_one(self) -> SelectOption:
        if self.label is None and self.value is None and self.index is None:
            raise ValueError("option needs a label, a value or an index")
        return self


class SelectOptionAction(_TargetedAction):
    """Choose an option in a native select, a custom dropdown, a listbox or a radio group.

    In a ``<select multiple>``, ``add`` keeps what is already chosen and adds ``option``;
    a list of options (``"option": ["News", "Sport"]``) chooses exactly those.
    """

    action_type: Literal["SELECT_OPTION"] = "SELECT_OPTION"
    option: SelectOption
    """The option to choose (the first one, when a list was given)."""
    add: bool = False
    """Multi-selects: add ``option`` to the options already chosen instead of replacing them."""
    also: list[SelectOption] = Field(default_factory=list)
    """Multi-selects: more options to choose together with ``option``."""

    @model_validator(mode="before")
    @classmethod
    def _option_list(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("option"), list):
            options = list(data["option"])
            if not options:
                raise ValueError("option is an empty list")
            data = {**data, "option": options[0], "also": [*options[1:], *data.get("also", [])]}
        return data

    @property
    def options(self) -> list[SelectOption]:
        """Every option asked for: ``option`` then ``also``."""
        return [self.option, *self.also]


class UploadFileAction(_TargetedAction):
    """Put a file into a file input (directly, or through the file chooser the element opens)."""

    action_type: Literal["UPLOAD_FILE"] = "UPLOAD_FILE"
    file_url: str
    """Path, file:// URL or file name of one of the files the task may upload."""


class KeypressAction(_Action):
    """Press keys in order (``["Control+a", "Backspace"]``), on ``id`` when given, else on the focused element."""

    action_type: Literal["KEYPRESS"] = "KEYPRESS"
    keys: list[str]
    """Playwright key names or chords; aliases such as ``enter``, ``esc``, ``ctrl+a`` are normalized."""
    repeat: int = 1
    """How many times to press the whole sequence (capped)."""

    @field_validator("keys", mode="before")
    @classmethod
    def _keys_list(cls, value: object) -> object:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            return [normalize_key(k) if isinstance(k, str) else k for k in value]
        return value

    @field_validator("keys")
    @classmethod
    def _non_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("keys is empty")
        return value

    @field_validator("repeat")
    @classmethod
    def _cap_repeat(cls, value: int) -> int:
        return max(1, min(value, MAX_KEY_REPEAT))


class ScrollAction(_Action):
    """Scroll the page, or the scroll container that holds element ``id``."""

    action_type: Literal["SCROLL"] = "SCROLL"
    direction: Literal["up", "down", "left", "right"] = "down"
    """Which way to scroll."""
    amount: int | None = None
    """Pixels; by default most of the visible height (or width)."""


class WaitAction(_Action):
    """Wait a little for the page to settle."""

    action_type: Literal["WAIT"] = "WAIT"
    seconds: float = 2.0
    """How long; capped at MAX_WAIT_SECONDS."""

    @field_validator("seconds")
    @classmethod
    def _cap(cls, value: float) -> float:
        return max(0.0, min(value, MAX_WAIT_SECONDS))


class HoverAction(_TargetedAction):
    """Move the mouse over an element (to open a hover menu or a tooltip)."""

    action_type: Literal["HOVER"] = "HOVER"


class GotoUrlAction(_Action):
    """Load a URL in the active tab."""

    action_type: Literal["GOTO_URL"] = "GOTO_URL"
    url: str
    """Absolute URL, a shortened URL from the observation, or a host name."""


class GoBackAction(_Action):
    """Go back one entry in the active tab's history."""

    action_type: Literal["GO_BACK"] = "GO_BACK"


class ReloadPageAction(_Action):
    """Reload the active tab."""

    action_type: Literal["RELOAD_PAGE"] = "RELOAD_PAGE"


class NewTabAction(_Action):
    """Open a new tab (on ``url`` when given) and make it the active one."""

    action_type: Literal["NEW_TAB"] = "NEW_TAB"
    url: str | None = None
    """What to load in the new tab."""


class SwitchTabAction(_Action):
    """Make tab ``tab_index`` (from 0, as listed in the prompt) the active one."""

    action_type: Literal["SWITCH_TAB"] = "SWITCH_TAB"
    tab_index: int
    """The tab's index, from 0."""


class ClosePageAction(_Action):
    """Close a tab (the active one by default); the tab before it becomes active."""

    action_type: Literal["CLOSE_PAGE"] = "CLOSE_PAGE"
    tab_index: int | None = None
    """The tab to close, from 0; the active tab when omitted."""


class AnswerDialogAction(_Action):
    """Answer the JS ``confirm``/``prompt`` dialog waiting on the active tab."""

    action_type: Literal["ANSWER_DIALOG"] = "ANSWER_DIALOG"
    accept: bool = True
    """True presses OK, False presses Cancel."""
    text: str | None = None
    """For a ``prompt`` dialog: the text to answer with (its default text when omitted)."""


class ExtractAction(_Action):
    """Ask the engine to extract data from the page (the engine runs it, not :func:`act`)."""

    action_type: Literal["EXTRACT"] = "EXTRACT"
    data_extraction_goal: str = ""
    """What to extract, in words."""


class CompleteAction(_Action):
    """The model believes the goal is reached (the engine verifies it)."""

    action_type: Literal["COMPLETE"] = "COMPLETE"
    reason: str = ""
    """Why the goal is reached."""


class TerminateAction(_Action):
    """The model believes the goal cannot be reached."""

    action_type: Literal["TERMINATE"] = "TERMINATE"
    reason: str = ""
    """Why the run should stop."""
    errors: list[Any] = Field(default_factory=list)
    """User-defined error codes the model saw on the page, if any."""


class SolveCaptchaAction(_Action):
    """A captcha is in the way (the engine decides what to do: wait for a human, or fail)."""

    action_type: Literal["SOLVE_CAPTCHA"] = "SOLVE_CAPTCHA"
    captcha_type: str | None = None
    """The kind of captcha, if the model named it."""


class AskUserAction(_Action):
    """Only a person can go on: a detail the goal does not give, a confirmation (the engine asks)."""

    action_type: Literal["ASK_USER"] = "ASK_USER"
    question: str = ""
    """What to ask the person, in one or two sentences."""


class CallToolAction(_Action):
    """Call one of the user's tools (``Agent(tools=...)``); the engine runs it, not :func:`act`."""

    action_type: Literal["CALL_TOOL"] = "CALL_TOOL"
    tool: str
    """The tool's name, as the prompt lists it."""
    arguments: dict[str, Any] = Field(default_factory=dict)
    """The tool's arguments by name."""


Action = Annotated[
    Union[  # noqa: UP007 - a discriminated union reads best spelled out
        ClickAction,
        InputTextAction,
        SelectOptionAction,
        UploadFileAction,
        KeypressAction,
        ScrollAction,
        WaitAction,
        HoverAction,
        GotoUrlAction,
        GoBackAction,
        ReloadPageAction,
        NewTabAction,
        SwitchTabAction,
        ClosePageAction,
        AnswerDialogAction,
        ExtractAction,
        CompleteAction,
        TerminateAction,
        SolveCaptchaAction,
        AskUserAction,
        CallToolAction,
    ],
    Field(discriminator="action_type"),
]
"""Any action; ``action_type`` picks the model."""

ACTION_ADAPTER: TypeAdapter[Action] = TypeAdapter(Action)

ACTION_TYPES: tuple[str, ...] = tuple(
    model.model_fields["action_type"].default for model in get_args(get_args(Action)[0])
)
"""Every canonical action_type value."""

DECISIONS = frozenset(
    {"EXTRACT", "COMPLETE", "TERMINATE", "SOLVE_CAPTCHA", "ASK_USER", "CALL_TOOL"}
)
"""Action types the engine decides on; :func:`act` only acknowledges them."""


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
    data = normalize_entry(entry, ACTION_TYPES)
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
