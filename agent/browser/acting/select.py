"""SELECT_OPTION: native selects, custom dropdowns, comboboxes and radio groups (its model,
handler and declaration).

The option is matched by index, then value, then label: exact, then ignoring case and
spacing, then a unique partial match, then a close spelling (``"navy"`` finds "Navy blue",
``"Untied States"`` finds "United States"). Ambiguous or missing options fail with the
list of options, so the next step can pick one.

- A native ``<select>`` (visible or hidden behind a styled surrogate) is set with
  Playwright's ``select_option``; a ``<select multiple>`` takes several options at once,
  or one more with ``add``.
- A custom dropdown is clicked open; its options are found inside ``aria-controls``, a
  listbox, or among the elements the click revealed; the option is clicked.
- A text combobox gets the label typed and a suggestion picked.
- A radio group (or a radio of it) has the matching radio clicked.

Every route reads the control back at once and again a moment later (a choice pending in
the run's :class:`~agent.browser.lifecycle.holds.Holds`, read while the next actions run): pages that
accept a choice and then silently revert it are reported as failures.
"""

from __future__ import annotations

import asyncio
import difflib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agent.browser.acting._context import (
    CLICK_TIMEOUT_MS,
    ActionContext,
    ActionFailed,
    Target,
    js,
    js_handle,
    norm,
)
from agent.browser.acting.action_kind import ActionKind, TargetedAction, register_action
from agent.browser.acting.effects import EffectProbe
from agent.browser.acting.mouse import pointer_click
from agent.browser.lifecycle.holds import PendingChoice

if TYPE_CHECKING:
    from playwright.async_api import Locator


class SelectOption(BaseModel):
    """Which option to choose: any of label, value, index (tried in the order index, value, label)."""

    model_config = ConfigDict(extra="ignore")

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


class SelectOptionAction(TargetedAction):
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


OPEN_WAIT_SECONDS = 1.5
"""How long a dropdown may take to show its options after the click or the typing."""
_POLL = 0.05


def _wanted(option: SelectOption) -> str:
    parts = [
        f"label {option.label!r}" if option.label is not None else "",
        f"value {option.value!r}" if option.value is not None else "",
        f"index {option.index}" if option.index is not None else "",
    ]
    return " / ".join(p for p in parts if p)


def _listing(options: list[dict[str, Any]]) -> str:
    labels = [f'"{o["label"]}"' for o in options if o["label"]][:15]
    more = f" and {len(options) - 15} more" if len(options) > 15 else ""
    return ", ".join(labels) + more


def match_option(options: list[dict[str, Any]], option: SelectOption) -> dict[str, Any]:
    """The option (``{label, value, index, ...}``) that ``option`` asks for; ValueError if none or several."""
    usable = [o for o in options if not o.get("disabled")]
    if option.index is not None:
        hit = next((o for o in options if o["index"] == option.index), None)
        if hit is None:
            raise ValueError(f"there is no option at index {option.index} ({len(options)} options)")
        return hit
    if option.value is not None:
        for same in (
            lambda o: o["value"] == option.value,
            lambda o: norm(o["value"]) == norm(option.value or ""),
        ):
            hits = [o for o in usable if o["value"] and same(o)]
            if len(hits) == 1:
                return hits[0]
    wanted = option.label if option.label is not None else option.value or ""
    key = norm(wanted)
    if not key:
        hits = [o for o in usable if not o["label"].strip()]
        if hits:
            return hits[0]
        raise ValueError("an empty label matches no option")
    disabled = [o for o in options if o.get("disabled") and norm(o["label"]) == key]
    if disabled and not any(norm(o["label"]) == key for o in usable):
        raise ValueError(f"the option {disabled[0]['label']!r} is disabled")
    tests = (
        lambda o: o["label"] == wanted,
        lambda o: norm(o["label"]) == key,
        lambda o: norm(o["value"]) == key,
        lambda o: norm(o["label"]).startswith(key),
        lambda o: key in norm(o["label"]),
        lambda o: bool(norm(o["label"])) and norm(o["label"]) in key,
    )
    for test in tests:
        hits = [o for o in usable if test(o)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise ValueError(f"{wanted!r} matches several options: {_listing(hits)}")
    scored = sorted(
        ((difflib.SequenceMatcher(None, key, norm(o["label"])).ratio(), o) for o in usable),
        key=lambda pair: -pair[0],
    )
    if scored and scored[0][0] >= 0.75 and (len(scored) == 1 or scored[1][0] < scored[0][0] - 0.05):
        return scored[0][1]
    raise ValueError(f"no option matches {wanted!r}")


async def select_option(ctx: ActionContext, action: SelectOptionAction) -> str:
    """SELECT_OPTION: returns the success message or raises ActionFailed."""
    what = ctx.describe(action.id)
    locator, info = await ctx.resolve_with(action.id, "probe")
    if info["disabled"]:
        raise ActionFailed(f"{what} is disabled; no option can be chosen now")
    if info["select"] and info["multiple"]:
        return await _native_multiple(ctx, locator, action)
    if action.add or action.also:
        raise ActionFailed(
            f"{what} takes one choice only (it is not a multiple select); give one option"
        )
    if info["select"]:
        return await _native(ctx, locator, action, info)
    if info["role"] in ("option", "menuitem", "menuitemradio", "treeitem"):

        async def watch_effect() -> None:  # act() checks the click changed something
            ctx.effect = await EffectProbe.start(
                ctx, locator, "click", what, element_id=action.id, native=True
            )

        await pointer_click(locator, what, info=info, before_press=watch_effect)
        return f"clicked the option {what}"
    if (
        info["checkable"] == "radio"
        or info["role"] == "radiogroup"
        or (info["tag"] == "fieldset" and not info["editable_inside"])
    ):
        return await _radio(locator, what, action.option)
    if info["editable"]:
        return await _combobox(ctx, locator, action)
    return await _custom(ctx, locator, action, info)


async def _native(
    ctx: ActionContext, locator: Locator, action: SelectOptionAction, info: dict[str, Any]
) -> str:
    what = ctx.describe(action.id)
    options = await js(locator, "nativeOptions")
    try:
        chosen = match_option(options, action.option)
    except ValueError as exc:
        raise ActionFailed(f"{what}: {exc}; the options are {_listing(options)}") from None
    await locator.select_option(
        index=chosen["index"], force=not info["visible"], timeout=CLICK_TIMEOUT_MS
    )

    async def kept() -> str | None:
        now = await js(locator, "selectedIndex")
        if now == chosen["index"]:
            return None
        current = next((o["label"] for o in options if o["index"] == now), "nothing")
        return (
            f"chose {chosen['label']!r} in {what} but the page changed it back to {current!r}; "
            "the page refused that option (look for a message next to it)"
        )

    await _hold(ctx, action.id, kept)
    return f"selected {chosen['label']!r} in {what}"


async def _native_multiple(ctx: ActionContext, locator: Locator, action: SelectOptionAction) -> str:
    """A ``<select multiple>``: choose the options asked for, keeping the others with ``add``."""
    what = ctx.describe(action.id)
    options = await js(locator, "nativeOptions")
    try:
        chosen = [match_option(options, option) for option in action.options]
    except ValueError as exc:
        raise ActionFailed(f"{what}: {exc}; the options are {_listing(options)}") from None
    keep = [o["index"] for o in options if o["selected"]] if action.add else []
    wanted = sorted({*keep, *(o["index"] for o in chosen)})
    await locator.select_option(index=wanted, timeout=CLICK_TIMEOUT_MS)
    labels = {o["index"]: o["label"] for o in options}
    now: list[int] = []

    async def kept() -> str | None:
        now[:] = [o["index"] for o in await js(locator, "nativeOptions") if o["selected"]]
        missing = [labels[i] for i in wanted if i not in now]
        if not missing:
            return None
        return (
            f"chose {', '.join(map(repr, missing))} in {what} but the page did not keep "
            "them selected (look for a message next to it)"
        )

    await _hold(ctx, action.id, kept)  # reads the selection into ``now``
    names = ", ".join(repr(o["label"]) for o in chosen)
    shown = ", ".join(repr(labels[i]) for i in now)
    verb = "added" if action.add else "selected"
    return f"{verb} {names} in {what}; it now has {shown} selected"


async def _hold(
    ctx: ActionContext, element_id: str, kept: Callable[[], Awaitable[str | None]]
) -> None:
    """Fail now if the choice is already gone; else leave it pending for the run to read again."""
    why = await kept()
    if why is not None:
        raise ActionFailed(why)
    ctx.tabs.holds.add(PendingChoice(element_id, kept))


async def _choose_from(
    target: Target, what: str, option: SelectOption, *, fresh: bool
) -> dict[str, Any]:
    """Wait for the options to show, match one, click it; return it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + OPEN_WAIT_SECONDS
    options: list[dict[str, Any]] = await js(target, "options", fresh)
    while not options and loop.time() < deadline:
        await asyncio.sleep(_POLL)
        options = await js(target, "options", fresh)
    if not options:
        raise ActionFailed(f"{what} showed no options to choose from (is it a dropdown?)")
    try:
        chosen = match_option(options, option)
    except ValueError as exc:
        raise ActionFailed(f"{what}: {exc}; the options are {_listing(options)}") from None
    handle = await js_handle(target, "pick", chosen["index"])
    if handle is None:
        raise ActionFailed(
            f"the option {chosen['label']!r} of {what} disappeared before it could be clicked"
        )
    try:
        await pointer_click(handle, f"option {chosen['label']!r}")
    finally:
        await handle.dispose()
    return chosen


def _display_check(
    target: Target, label: str, before: str, selected_check: bool, index: int
) -> Callable[[], Awaitable[tuple[bool, str]]]:
    """A read of whether the control shows ``label`` now; and what it shows."""
    wanted = norm(label)

    async def shows() -> tuple[bool, str]:
        shown = await js(target, "display")
        shown = shown if isinstance(shown, str) else ""
        now = norm(shown)
        if now and (wanted in now or (now != norm(before) and now in wanted)):
            return True, shown
        if selected_check and await js(target, "pickSelected", index):
            return True, shown
        return False, shown

    return shows


async def _hold_shown(
    ctx: ActionContext,
    element_id: str,
    shows: Callable[[], Awaitable[tuple[bool, str]]],
    refused: Callable[[str], str],
) -> None:
    """Wait (up to :data:`OPEN_WAIT_SECONDS`) for the control to show the choice, then
    :func:`_hold` it; ``refused(shown)`` says why when it does not."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + OPEN_WAIT_SECONDS
    ok, _ = await shows()
    while not ok and loop.time() < deadline:
        await asyncio.sleep(_POLL * 2)
        ok, _ = await shows()

    async def kept() -> str | None:
        ok, shown = await shows()
        return None if ok else refused(shown)

    await _hold(ctx, element_id, kept)


async def _custom(
    ctx: ActionContext, locator: Locator, action: SelectOptionAction, info: dict[str, Any]
) -> str:
    what = ctx.describe(action.id)
    before = await js(locator, "display")
    is_list = info["role"] in ("listbox", "menu", "grid", "tree")
    # A list, or a dropdown already open: choose in it; otherwise click it open first and
    # look at what the click revealed.
    fresh = not ((is_list or info["expanded"]) and await js(locator, "options", False))
    if fresh:
        await js(locator, "markVisible")
        await pointer_click(locator, what, info=info)
    chosen = await _choose_from(locator, what, action.option, fresh=fresh)
    shows = _display_check(locator, chosen["label"], before, is_list, chosen["index"])
    await _hold_shown(
        ctx,
        action.id,
        shows,
        lambda shown: (
            f"picked {chosen['label']!r} in {what} but the control shows "
            f"{shown.strip()[:60]!r}: the choice did not stick (the page may have refused or "
            "reverted it)"
        ),
    )
    return f"selected {chosen['label']!r} in {what}"


async def _combobox(ctx: ActionContext, locator: Locator, action: SelectOptionAction) -> str:
    what = ctx.describe(action.id)
    option = action.option
    text = option.label if option.label is not None else option.value
    if text is None:
        raise ActionFailed(f"{what} is a text box: give the option's label to type")
    await js(locator, "markVisible")
    await locator.fill("", timeout=CLICK_TIMEOUT_MS)
    await locator.press_sequentially(text, delay=10, timeout=CLICK_TIMEOUT_MS)
    try:
        chosen = await _choose_from(locator, what, option, fresh=True)
    except ActionFailed:
        if norm(await js(locator, "display")) == norm(text):
            return f"typed {text!r} into {what} (no suggestion list appeared)"
        raise
    shows = _display_check(locator, chosen["label"], text, False, chosen["index"])
    await _hold_shown(
        ctx,
        action.id,
        shows,
        lambda shown: (
            f"picked the suggestion {chosen['label']!r} in {what} but the field shows {shown!r}"
        ),
    )
    return f"typed {text!r} into {what} and picked the suggestion {chosen['label']!r}"


async def _radio(locator: Locator, what: str, option: SelectOption) -> str:
    radios = await js(locator, "radios")
    try:
        chosen = match_option(radios, option)
    except ValueError as exc:
        raise ActionFailed(f"{what}: {exc}; the choices are {_listing(radios)}") from None
    if chosen["selected"]:
        return f"{chosen['label']!r} was already selected in {what}"
    handle = await js_handle(locator, "pick", chosen["index"])
    if handle is None:
        raise ActionFailed(f"the choice {chosen['label']!r} of {what} is gone")
    try:
        await pointer_click(handle, f"choice {chosen['label']!r}")
        selected = await js(handle, "checked")
    finally:
        await handle.dispose()
    if not selected:
        raise ActionFailed(f"clicked {chosen['label']!r} in {what} but it is not selected")
    return f"selected {chosen['label']!r} in {what}"


def _loose_option(data: dict[str, Any]) -> None:
    """``"option": "Blue"``, ``2``, a list, or label/value/index/text beside it: one form."""
    option = data.get("option")
    if option is None:
        option = {k: data[k] for k in ("label", "value", "index") if data.get(k) is not None}
        if not option and data.get("text") is not None:
            option = {"label": data["text"]}
    if isinstance(option, list):  # several options of a multi-select
        option = [_one_option(o) for o in option] or None
    else:
        option = _one_option(option) or None
    if option is None:
        data.pop("option", None)
    else:
        data["option"] = option


def _one_option(option: Any) -> Any:
    if isinstance(option, str):
        return {"label": option}
    if isinstance(option, int) and not isinstance(option, bool):
        return {"index": option}
    return option


SELECT_OPTION = register_action(
    ActionKind(
        SelectOptionAction,
        select_option,
        prompt=(
            'SELECT_OPTION (id, option: {"label": "..."} or {"value": "..."} or {"index": n}) '
            '— selects and dropdowns; in a `multiple` select add "add": true to keep earlier '
            'choices, or give them all as a list (option: [{"label": "A"}, {"label": "B"}])'
        ),
        aliases=(
            "SELECT",
            "SELECT_DROPDOWN",
            "SELECT_DROPDOWN_OPTION",
            "CHOOSE",
            "CHOOSE_OPTION",
            "DROPDOWN",
        ),
        normalize=_loose_option,
        uses_id=True,
        settle=0.03,  # a handler's own navigation is seen by the settling round trip
        submits=False,
        idempotent=True,
    )
)
