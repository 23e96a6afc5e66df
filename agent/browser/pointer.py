"""CLICK and HOVER, with the fallbacks real pages need.

A click first asks the page whether a pointer at the element would reach it
(``hitTest`` in ``actions.js``, which also scrolls it into view):

- reached: a normal Playwright click, at a point of the element that is not covered
  (a sticky header over its middle does not stop it);
- the point hits an ancestor (the element has ``pointer-events: none``): a forced click there;
- a hidden control with a visible ``<label>`` (styled checkboxes, radio cards): the label;
- covered by something else (a modal, a cookie banner): no click; the message names the
  blocker and its close button, so the next step can dismiss it;
- hidden with no label: ``element.click()`` in the page, and the message says so.

For checkboxes, radios and switches the state is read before and after: ``checked=``
names the state wanted (no click when it is already there), and a click that does not
change the state is a failure, never silently reported as done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError

from agent.browser._context import (
    CLICK_TIMEOUT_MS,
    ActionContext,
    ActionFailed,
    Target,
    js,
    js_handle,
)
from agent.browser.effects import EffectProbe

if TYPE_CHECKING:
    from playwright.async_api import Position

    from agent.browser.action_types import ClickAction, HoverAction

HOVER_SETTLE_SECONDS = 0.15
NAVIGATION_WAIT_SECONDS = 1.0
"""How long a click on a link or a submit button waits for the navigation to start."""
NEW_TAB_WAIT_SECONDS = 2.0
"""The same for a link into a new tab (a new tab takes longer to be announced)."""


async def _nothing() -> None:
    return None


def _blocked_message(verb: str, what: str, hit: dict[str, Any]) -> str:
    blocker = hit.get("blocker") or "another element"
    if hit.get("blocker_id"):
        blocker += f" (element {hit['blocker_id']})"
    if hit.get("heading"):
        blocker += f' showing "{hit["heading"]}"'
    message = f"{verb} on {what} was blocked by {blocker}; close it first"
    if hit.get("closer_text") or hit.get("closer_id"):
        closer = f'"{hit["closer_text"]}"' if hit.get("closer_text") else "a close button"
        if hit.get("closer_id"):
            closer += f" (element {hit['closer_id']})"
        message += f", e.g. with its {closer} button"
    return message


async def pointer_click(
    target: Target,
    what: str,
    *,
    double: bool = False,
    info: dict[str, Any] | None = None,
    before_press: Callable[[], Awaitable[None]] | None = None,
) -> str:
    """Click ``target`` the way a person would, or raise ActionFailed naming the obstacle.

    Returns a note about the route taken when it was not a plain click ("" otherwise).
    ``before_press`` runs just before the click itself, once the mouse is over the element
    (so what the hover alone changes is not taken for the click's effect).
    """
    ready = before_press or _nothing
    info = info if info is not None else await js(target, "probe")
    if info["disabled"]:
        raise ActionFailed(f"{what} is disabled; it cannot be clicked now")
    if not info["visible"]:
        await ready()
        return await _click_hidden(target, what, info, double=double)
    hit = await js(target, "hitTest")
    if hit["kind"] == "blocked" and info["has_visible_label"]:
        await ready()
        return await _click_label(target, what, double=double)
    if hit["kind"] == "blocked":
        raise ActionFailed(_blocked_message("click", what, hit))
    if hit["kind"] == "unreachable":
        await ready()
        if info["has_visible_label"]:
            return await _click_label(target, what, double=double)
        await js(target, "scriptClick")
        return "it could not be reached with the mouse, so it was clicked by script"
    position: Position = {"x": hit["x"], "y": hit["y"]}
    force = hit["kind"] == "ancestor"
    if before_press is not None:
        await target.hover(position=position, force=force, timeout=CLICK_TIMEOUT_MS)
        await before_press()
    try:
        if double:
            await target.dblclick(position=position, force=force, timeout=CLICK_TIMEOUT_MS)
        else:
            await target.click(position=position, force=force, timeout=CLICK_TIMEOUT_MS)
    except PlaywrightError as exc:
        if "Timeout" not in str(exc) or double:
            raise
        # Moving or re-rendering under the pointer: fall back to a script click.
        await js(target, "scriptClick")
        return "the mouse click did not go through, so it was clicked by script"
    return ""


async def _click_label(target: Target, what: str, *, double: bool) -> str:
    label = await js_handle(target, "related", "label")
    if label is None:
        raise ActionFailed(f"{what} is hidden and has no visible label to click")
    try:
        if double:
            await label.dblclick(timeout=CLICK_TIMEOUT_MS)
        else:
            await label.click(timeout=CLICK_TIMEOUT_MS)
    finally:
        await label.dispose()
    return "it is hidden, so its label was clicked"


async def _click_hidden(target: Target, what: str, info: dict[str, Any], *, double: bool) -> str:
    if info["has_visible_label"]:
        return await _click_label(target, what, double=double)
    if double:
        raise ActionFailed(f"{what} is not visible, so it cannot be double-clicked")
    await js(target, "scriptClick")
    return "it is not visible, so it was clicked by script"


def _state_word(checkable: str, state: bool) -> str:
    if checkable == "radio":
        return "selected" if state else "not selected"
    if checkable == "switch":
        return "on" if state else "off"
    return "checked" if state else "unchecked"


async def click(ctx: ActionContext, action: ClickAction) -> str:
    """CLICK: returns the success message or raises ActionFailed."""
    from agent.browser.text_input import upload_file  # a click with file_url is an upload

    what = ctx.describe(action.id)
    locator = await ctx.resolve(action.id)
    if action.file_url:
        return await upload_file(ctx, action.id, action.file_url)
    info = await js(locator, "probe")
    checkable, before = info["checkable"], info["checked"]
    verb = "double-clicked" if action.double_click else "clicked"
    if action.checked is not None and checkable and before == action.checked:
        return f"{what} was already {_state_word(checkable, before)}; left as is"
    if info["navigates"]:  # a link or a submit button: wait for the load it starts
        new_tab = info["target"] not in ("", "_self", "_top", "_parent")
        ctx.expect_activity = NEW_TAB_WAIT_SECONDS if new_tab else NAVIGATION_WAIT_SECONDS
    probe: list[EffectProbe] = []

    async def start_probe() -> None:
        if not info["select"] and not checkable:
            probe.append(
                await EffectProbe.start(
                    ctx,
                    locator,
                    "click",
                    what,
                    element_id=action.id,
                    native=info["native_activation"],
                )
            )

    route = await pointer_click(
        locator, what, double=action.double_click, info=info, before_press=start_probe
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
    locator = await ctx.resolve(action.id)
    info = await js(locator, "probe")
    if not info["visible"]:
        raise ActionFailed(f"{what} is not visible, so the mouse cannot hover over it")
    hit = await js(locator, "hitTest")
    if hit["kind"] == "blocked":
        raise ActionFailed(_blocked_message("hover", what, hit))
    await js(locator, "markVisible")
    position: Position | None = {"x": hit["x"], "y": hit["y"]} if "x" in hit else None
    await locator.hover(position=position, force=hit["kind"] != "self", timeout=CLICK_TIMEOUT_MS)
    await asyncio.sleep(HOVER_SETTLE_SECONDS)
    revealed = [name for name in await js(locator, "revealed") if name]
    if not revealed:
        return f"hovered over {what}; nothing new appeared"
    shown = ", ".join(f'"{name}"' for name in revealed[:6]) + (" ..." if len(revealed) > 6 else "")
    return f"hovered over {what}; it revealed {len(revealed)} new items: {shown} (observe again to use them)"
