"""What an action type is: :class:`ActionKind`, one declaration per type, and their registry.

Each action type is declared once, in the module that executes it, as an
:class:`ActionKind`: its pydantic model (a subclass of :class:`ActionBase` whose
``action_type`` default is the type's name), the other names a model may write for it,
its handler, how long :func:`~agent.browser.acting.actions.act` waits for its consequences, what
a workflow and its replay may assume of it, and the line the plan prompt shows for it.
Everything else (the tagged union, the lenient parser, ``act``'s dispatch, the plan
prompt's action list, publishing) reads these declarations. Adding an action type is
one declaration::

    class FocusAction(TargetedAction):
        action_type: Literal["FOCUS"] = "FOCUS"

    async def focus(ctx: ActionContext, action: FocusAction) -> str: ...

    register_action(ActionKind(FocusAction, focus, prompt="FOCUS (id) — give it keyboard focus"))

in one of the modules :data:`agent.browser.acting.action_types.ACTION_MODULES` imports.
This module imports no handler: it is the layer every handler module stands on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, field_validator

if TYPE_CHECKING:
    from agent.browser.acting._context import ActionContext
    from agent.records.observation import Element

Handler = Callable[["ActionContext", Any], Awaitable["str | tuple[str, Any]"]]
"""``async def handler(ctx, action) -> message`` (or ``(message, data)``); raises
:class:`~agent.browser.acting._context.ActionFailed` with a sentence for the next prompt."""

DEFAULT_SETTLE = 0.05
"""Seconds act() waits for an action's consequences to start, unless its kind says otherwise."""


class ActionBase(BaseModel):
    """Fields every action has."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    action_type: str
    """The action's type (each kind's model fixes it with a ``Literal``)."""
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


class TargetedAction(ActionBase):
    """An action on one element: ``id`` is required."""

    id: str
    """The target element's id from the observation (``data-agent-id``)."""


@dataclass(frozen=True)
class ActionKind:
    """One action type, declared in one place."""

    model: type[ActionBase]
    """Its pydantic model; the ``action_type`` field's default is the type's name."""
    handler: Handler | None
    """What executes it on the page; None for a decision the engine takes (COMPLETE, ...)."""
    prompt: str
    """Its line in the plan prompt's list of action types (without the leading ``- ``)."""
    aliases: tuple[str, ...] = ()
    """Other type names a model may write for it (``TYPE``, ``FILL`` for INPUT_TEXT)."""
    shorthands: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Type names that also imply fields (``{"PRESS_ENTER": {"keys": ["Enter"]}}``)."""
    field_aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """``(field, other names for it)``, first match wins (``("text", ("value", "input"))``)."""
    normalize: Callable[[dict[str, Any]], None] | None = None
    """Rewrites a loosely written entry in place after the aliases (the option of a select)."""
    uses_id: bool = False
    """Whether an element id means something to it (others drop a stray ``id``)."""
    settle: float | None = DEFAULT_SETTLE
    """Seconds act() waits for its consequences to start; None: it sets nothing off."""
    while_dialog: bool = False
    """Allowed on a tab whose page waits for a JS dialog's answer."""
    leaves_page: bool = False
    """It leaves the page on purpose (a ``beforeunload`` prompt is accepted)."""
    changes_tab: bool = False
    """Once it succeeds, the active tab is another one (or shows another page)."""
    submits: bool | Callable[[Any, Element | None], bool] = True
    """It may submit what the form holds (a button, a key, a navigation): choices still
    pending (:mod:`agent.browser.lifecycle.holds`) are confirmed before it runs. False for actions
    that only fill the form (typing, choosing, hovering, scrolling); a function of the
    action and its target element where that decides (a click on a checkbox)."""
    idempotent: bool = False
    """Doing it twice is doing it once (typing a value): a retried step's repeat is kept once
    when a run is published as a workflow."""
    prompt_if: str | None = None
    """The prompt shows the line only when this template variable is set (``tools``)."""

    def may_submit(self, action: ActionBase, element: Element | None) -> bool:
        """Whether ``action`` (on ``element``, when it has a target) may submit the form."""
        return self.submits if isinstance(self.submits, bool) else self.submits(action, element)

    def alias(self, name: str) -> Mapping[str, Any] | None:
        """The fields implied when a model writes ``name`` for this type; None: not an alias."""
        if name in self.shorthands:
            return self.shorthands[name]
        return {} if name in self.aliases else None

    @property
    def name(self) -> str:
        """The canonical ``action_type`` value."""
        return str(self.model.model_fields["action_type"].default)

    @property
    def decision(self) -> bool:
        """The engine decides on it; act() only acknowledges it."""
        return self.handler is None

    @property
    def targeted(self) -> bool:
        """It needs an element (``id`` is required)."""
        return issubclass(self.model, TargetedAction)


_kinds: dict[str, ActionKind] = {}
_alias_owner: dict[str, str] = {}


def register_action(kind: ActionKind) -> ActionKind:
    """Declare an action type; returns it. A name or alias taken by another type raises."""
    name = kind.name
    if not name or name == "None":
        raise ValueError(f"{kind.model.__name__}.action_type needs a Literal default")
    known = _kinds.get(name)
    if known is not None and known.model is not kind.model:
        raise ValueError(f"action type {name} is already declared by {known.model.__name__}")
    aliases = (*kind.aliases, *kind.shorthands)
    for alias in aliases:
        owner = _alias_owner.get(alias, name)
        if owner != name or alias in _kinds:
            raise ValueError(f"alias {alias} of {name} is already taken by {owner}")
    for alias in aliases:
        _alias_owner[alias] = name
    _kinds[name] = kind
    return kind


def action_kinds() -> dict[str, ActionKind]:
    """Every declared action type by name, in declaration order."""
    return dict(_kinds)


def action_kind(name: str) -> ActionKind:
    """The declaration of ``name``; ``KeyError`` for an unknown type."""
    return _kinds[name]
