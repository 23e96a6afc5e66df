"""CLICK, HOVER and SELECT_TEXT: their models, handlers and declarations.

A click goes through :func:`~agent.browser.acting.mouse.pointer_click` (the route a person's
mouse would take, with the fallbacks real pages need). A click with ``file_url`` is an
upload: it is handed to UPLOAD_FILE through the action context.

For checkboxes, radios and switches the state is read before and after: ``checked=``
names the state wanted (no click when it is already there), and a click that does not
change the state is a failure, never silently reported as done.

SELECT_TEXT selects (highlights) text as a person does: a mouse drag from the first to the
last character of the text asked for (``text``, found inside the element with whitespace
and case forgiven; all of the element's text without it). The selection is read back from
``window.getSelection()``; where the drag did not select exactly that text (a page that
stops drags), the range is selected by script and the message says so.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Literal

from playwright.async_api import Error as PlaywrightError
from pydantic import model_validator

from agent.browser.acting._context import (
    CLICK_TIMEOUT_MS,
    ActionContext,
    ActionFailed,
    Target,
    js,
    js_handle,
    page_js,
)
from agent.browser.acting.action_kind import ActionBase, ActionKind, TargetedAction, register_action
from agent.browser.acting.effects import EffectProbe
from agent.browser.acting.mouse import blocked_message, pointer_click

if TYPE_CHECKING:
    from playwright.async_api import Position

    from agent.records.observation import Element


class ClickAction(TargetedAction):
    """Click an element; for a checkbox or radio, ``checked`` names the state to reach."""

    action_type: Literal["CLICK"] = "CLICK"
    double_click: bool = False
    """Double-click instead of a single click."""
    checked: bool | None = None
    """For checkboxes, radios and switches: the state wanted after the click (no click if already there)."""
    file_url: str | None = None
    """When set, the click opens a file chooser that receives this (allowed) file."""


class SelectTextAction(ActionBase):
    """Select (highlight) text: ``text`` on the page or inside element ``id``; all of the
    element's text with an ``id`` and no ``text``."""

    action_type: Literal["SELECT_TEXT"] = "SELECT_TEXT"
    text: str | None = None
    """The words to select, as the page shows them (None: all of element ``id``'s text)."""

    @model_validator(mode="after")
    def _needs_a_target(self) -> SelectTextAction:
        if not self.id and not (self.text or "").strip():
            raise ValueError("give the words to select in text, or the id of an element")
        return self


class HoverAction(TargetedAction):
    """Move the mouse over an element (to open a hover menu or a tooltip)."""

    action_type: Literal["HOVER"] = "HOVER"


HOVER_SETTLE_SECONDS = 0.15
NAVIGATION_WAIT_SECONDS = 1.0
"""How long a click on a link or a submit button waits for the navigation to start."""
CHECKED_SETTLE_SECONDS = 0.03
"""act()'s grace after a checkbox, radio or switch click whose new state was read back."""
NEW_TAB_WAIT_SECONDS = 2.0
"""The same for a link into a new tab (a new tab takes longer to be announced)."""


def _state_word(checkable: str, state: bool) -> str:
    if checkable == "radio":
        return "selected" if state else "not selected"
    if checkable == "switch":
        return "on" if state else "off"
    return "checked" if state else "unchecked"


async def click(ctx: ActionContext, action: ClickAction) -> str | tuple[str, Any]:
    """CLICK: returns the success message or raises ActionFailed."""
    what = ctx.describe(action.id)
    if action.file_url:  # a click that picks a file is an upload
        await ctx.resolve(action.id)
        return await ctx.run("UPLOAD_FILE", id=action.id, file_url=action.file_url)
    locator, info = await ctx.resolve_with(action.id, "probe")
    checkable, before = info["checkable"], info["checked"]
    verb = "double-clicked" if action.double_click else "clicked"
    if action.checked is not None and checkable and before == action.checked:
        return f"{what} was already {_state_word(checkable, before)}; left as is"
    if info["navigates"]:  # a link or a submit button: wait for the load it starts
        new_tab = info["target"] not in ("", "_self", "_top", "_parent")
        ctx.expect_activity = NEW_TAB_WAIT_SECONDS if new_tab else NAVIGATION_WAIT_SECONDS
    probe: list[EffectProbe] = []

    async def start_probe() -> None:
        probe.append(
            await EffectProbe.start(
                ctx, locator, "click", what, element_id=action.id, native=info["native_activation"]
            )
        )

    # A <select> or a checkbox proves its click by its state: no effect probe to start.
    probed = not info["select"] and not checkable
    route = await pointer_click(
        locator,
        what,
        double=action.double_click,
        info=info,
        before_press=start_probe if probed else None,
    )
    ctx.effect = probe[0] if probe else None
    if ctx.effect is not None and "by script" in route:
        ctx.effect.retry_by_script = False  # it was a script click already
    suffix = f" ({route})" if route else ""
    if info["select"]:
        return f"{verb} {what}{suffix}; it is a <select>: choose an option with SELECT_OPTION"
    if not checkable:
        note = (
            " (it is not a checkbox, so its state could not be checked)"
            if action.checked is not None
            else ""
        )
        return f"{verb} {what}{suffix}{note}"
    wanted = (
        action.checked
        if action.checked is not None
        else (True if checkable == "radio" else not before)
    )
    after = await _read_checked(locator)
    if after != wanted and action.checked is not None and after == before:
        # One more way in: the control itself (or its label) by script.
        control = await js_handle(locator, "related", "check")
        if control is not None:
            await control.evaluate("el => el.click()")
            await control.dispose()
            after = await _read_checked(locator)
    if after is None:
        return f"{verb} {what}{suffix}; it is gone from the page now"
    if after != wanted:
        raise ActionFailed(
            f"{verb} {what} but it is still {_state_word(checkable, after)}{suffix}; "
            "the page did not accept the change"
        )
    if not info["navigates"]:  # its effect is proven; a navigation its handler starts is
        ctx.expect_activity = CHECKED_SETTLE_SECONDS  # seen by act()'s settling round trip
    return f"{verb} {what}: it is now {_state_word(checkable, after)}{suffix}"


async def _read_checked(target: Target) -> bool | None:
    try:
        value = await js(target, "checked")
    except PlaywrightError:  # the click navigated or removed the element
        return None
    return None if value is None else bool(value)


async def hover(ctx: ActionContext, action: HoverAction) -> str:
    """HOVER: move the mouse over the element; say what it revealed."""
    what = ctx.describe(action.id)
    locator, info = await ctx.resolve_with(action.id, "probe")
    if not info["visible"]:
        raise ActionFailed(f"{what} is not visible, so the mouse cannot hover over it")
    hit = await js(locator, "hitTest")
    if hit["kind"] == "blocked":
        raise ActionFailed(blocked_message("hover", what, hit))
    await js(locator, "markVisible")
    position: Position | None = {"x": hit["x"], "y": hit["y"]} if "x" in hit else None
    await locator.hover(position=position, force=hit["kind"] != "self", timeout=CLICK_TIMEOUT_MS)
    await asyncio.sleep(HOVER_SETTLE_SECONDS)
    revealed = [name for name in await js(locator, "revealed") if name]
    if not revealed:
        return f"hovered over {what}; nothing new appeared"
    shown = ", ".join(f'"{name}"' for name in revealed[:6]) + (" ..." if len(revealed) > 6 else "")
    return f"hovered over {what}; it revealed {len(revealed)} new items: {shown} (observe again to use them)"


async def select_text(ctx: ActionContext, action: SelectTextAction) -> str:
    """SELECT_TEXT: drag over the text (by script where the drag fails); read it back."""
    text = (action.text or "").strip()
    if action.id:
        what = ctx.describe(action.id)
        locator, span = await ctx.resolve_with(action.id, "textSpan", text)
        frame = ctx.observation.frame_of(action.id) if ctx.observation else None

        async def helper(name: str) -> Any:
            return await js(locator, name)
    else:
        what, frame = "the page", None
        span = await page_js(ctx.page, "textSpan", text)

        async def helper(name: str) -> Any:
            return await page_js(ctx.page, name)

    if span is None:
        where = f"{text!r} is not in the text of {what}" if text else f"{what} has no text"
        raise ActionFailed(f"{where}; quote the words exactly as the page shows them")
    wanted = _words(span["found"])
    points = span["points"]
    if points and (frame is None or frame == ctx.page.main_frame):
        mouse = ctx.page.mouse
        await mouse.move(points[0], points[1])
        await mouse.down()
        await mouse.move(points[2], points[3], steps=4)
        await mouse.up()
    how = ""
    if _words(await helper("selectionText")) != wanted:
        how = " (the mouse could not select it, so it was selected by script)"
        if _words(await helper("selectRange")) != wanted:
            raise ActionFailed(f"could not select {_quote(span['found'])} in {what}")
    return f"selected {_quote(span['found'])} in {what}{how}"


def _words(text: str) -> str:
    """The text compared without its spacing (a selection adds line breaks between blocks)."""
    return "".join(str(text or "").split()).casefold()


def _quote(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _click_submits(action: ClickAction, element: Element | None) -> bool:
    """A click may submit the form, unless it is on a checkbox or radio input."""
    if element is None or element.tag != "input":
        return True
    return element.attributes.get("type") not in ("checkbox", "radio")


CLICK = register_action(
    ActionKind(
        ClickAction,
        click,
        prompt="CLICK (id) — buttons, links, checkboxes, radios, custom dropdown options",
        aliases=("TAP", "PRESS_BUTTON", "CLICK_ELEMENT", "LEFT_CLICK"),
        shorthands={
            "DOUBLE_CLICK": {"double_click": True},
            "DBLCLICK": {"double_click": True},
            "CHECK": {"checked": True},
            "UNCHECK": {"checked": False},
            "CHECKBOX": {"checked": True},
        },
        field_aliases=(("checked", ("is_checked",)), ("double_click", ("dblclick", "double"))),
        uses_id=True,
        settle=0.15,
        submits=_click_submits,
    )
)
HOVER = register_action(
    ActionKind(
        HoverAction,
        hover,
        prompt="HOVER (id)",
        aliases=("MOUSE_OVER", "MOUSEOVER", "HOVER_OVER"),
        uses_id=True,
        settle=None,
        submits=False,
    )
)
SELECT_TEXT = register_action(
    ActionKind(
        SelectTextAction,
        select_text,
        prompt="SELECT_TEXT (text, id) — select (highlight) the words given in text as the page "
        "shows them; with an id, inside that element (all of its text when text is left out)",
        aliases=("HIGHLIGHT", "HIGHLIGHT_TEXT", "SELECT_TEXT_RANGE", "MARK_TEXT"),
        field_aliases=(("text", ("selection", "value", "content", "words")),),
        uses_id=True,
        settle=None,
        submits=False,
        idempotent=True,
    )
)
