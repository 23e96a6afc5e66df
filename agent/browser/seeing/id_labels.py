"""Screenshots with the element ids drawn on them, for vision models.

A vision model answers with element ids; a plain screenshot gives it nothing to tie what
it sees to those ids. :func:`labelled_screenshot` draws, for each element listed in the
viewport, a thin outline around its box and a small tag with its id at the box's top-left
corner (the same ids as the text), captures the viewport, and removes the drawing.

The drawing is one fixed-position host on the root element with a closed shadow root,
``pointer-events: none``: it takes no room in the page's layout, catches no clicks, and
its styles neither leak into the page nor take the page's. The settle tracker ignores it
(``data-agent-overlay``), so drawing it does not make the page look busy.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.async_api import Page

    from agent.records.observation import Element

logger = logging.getLogger(__name__)

MAX_LABELS = 400
"""More labels than this would bury the page under them."""

_DRAW_JS = """
(boxes) => {
  const host = document.createElement("div");
  host.setAttribute("data-agent-overlay", "ids");
  host.setAttribute("data-agent-ids", boxes.map((b) => b.id).join(" "));
  host.style.cssText = "position:fixed;left:0;top:0;width:0;height:0;margin:0;padding:0;" +
    "border:0;overflow:visible;pointer-events:none;z-index:2147483647;contain:layout style;";
  const root = host.attachShadow({ mode: "closed" });
  const colors = ["#d0021b", "#0a6ebd", "#1b8a3a", "#8b3fd9", "#c76a00"];
  const parts = [];
  for (const [i, b] of boxes.entries()) {
    const c = colors[i % colors.length];
    parts.push(`<div style="position:fixed;left:${b.x}px;top:${b.y}px;width:${b.w}px;` +
      `height:${b.h}px;outline:1px solid ${c};box-sizing:border-box"></div>`);
    const top = b.y >= 14 ? b.y - 14 : b.y;
    parts.push(`<div style="position:fixed;left:${Math.max(0, b.x)}px;top:${Math.max(0, top)}px;` +
      `background:${c};color:#fff;font:bold 11px/13px monospace;padding:0 2px;` +
      `border-radius:2px;white-space:nowrap">${b.id}</div>`);
  }
  root.innerHTML = parts.join("");
  document.documentElement.appendChild(host);
}
"""
_REMOVE_JS = """
() => { for (const h of document.querySelectorAll("[data-agent-overlay]")) h.remove(); }
"""


async def labelled_screenshot(page: Page, elements: list[Element]) -> bytes:
    """A viewport PNG with each given in-viewport element's id drawn at its box."""
    boxes = [
        {"id": e.id, "x": e.box.x, "y": e.box.y, "w": e.box.width, "h": e.box.height}
        for e in elements
        if e.in_viewport and e.box is not None
    ][:MAX_LABELS]
    from playwright.async_api import Error as PlaywrightError  # not at `import agent`

    drawn = False
    try:
        if boxes:
            await page.main_frame.evaluate(_DRAW_JS, boxes)
            drawn = True
        return await page.screenshot(type="png")
    finally:
        if drawn:
            from playwright.async_api import Error as PlaywrightError  # off `import agent`'s path

            try:
                await page.main_frame.evaluate(_REMOVE_JS)
            except PlaywrightError as exc:  # the page navigated away: nothing left to remove
                logger.debug("could not remove the id labels: %s", exc)
