"""Clicking an element the way a person would: :func:`pointer_click`, shared by the handlers.

A click first asks the page whether a pointer at the element would reach it
(``hitTest`` in ``actions.js``, which also scrolls it into view):

- reached: a normal Playwright click, at a point of the element that is not covered
  (a sticky header over its middle does not stop it);
- the point hits an ancestor (the element has ``pointer-events: none``): a forced click there;
- a hidden control with a visible ``<label>`` (styled checkboxes, radio cards): the label;
- covered by something else (a modal, a cookie banner): no click; the message names the
  blocker and its close button, so the next step can dismiss it;
- hidden with no label: ``element.click()`` in the page, and the message says so.

A caller that records the click's effect (``before_press``) gets the mouse moved first (a
hover, with Playwright's checks), its recording started, then the press where the mouse is:
what the hover alone changes is not taken for the click's effect. Without one, a plain click.

CLICK, SELECT_OPTION (custom dropdowns) and UPLOAD_FILE (a button opening the file
chooser) all click through here; this module is no action's handler, so the handler
modules share it without importing each other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator

from agent.browser.acting._context import CLICK_TIMEOUT_MS, ActionFailed, Target, js, js_handle

if TYPE_CHECKING:
    from playwright.async_api import Mouse, Position


async def _nothing() -> None:
    return None


def blocked_message(verb: str, what: str, hit: dict[str, Any]) -> str:
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
        raise ActionFailed(blocked_message("click", what, hit))
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
        if isinstance(target, Locator):
            # The hover took the mouse there through Playwright's checks: only the press is left.
            await _press(target.page.mouse, double=double)
            return ""
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


async def _press(mouse: Mouse, *, double: bool) -> None:
    """Press where the mouse is, as Playwright's click and dblclick do after moving it."""
    for count in (1, 2) if double else (1,):
        await mouse.down(click_count=count)
        await mouse.up(click_count=count)


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
