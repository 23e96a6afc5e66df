"""Step screenshots that reach below the fold (``max_screenshot_scrolls``).

With ``max_screenshot_scrolls=N`` a step's picture covers the page from the top down
to N viewport heights below the first screen (N scrolls), or to the page's end when it
is shorter: Chromium renders the whole strip in one capture, so the picture is seamless
and the page's own scroll position is left alone. ``0`` or None keeps the viewport.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.async_api import Page

_PAGE_HEIGHT_JS = "() => Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)"


async def scrolled_screenshot(page: Page, scrolls: int, *, timeout_ms: float = 10_000) -> bytes:
    """A JPEG of the page's top ``scrolls + 1`` screens (fewer when the page ends sooner)."""
    viewport = page.viewport_size or {"width": 1280, "height": 800}
    page_height = int(await page.evaluate(_PAGE_HEIGHT_JS))
    height = max(1, min(page_height, viewport["height"] * (scrolls + 1)))
    return await page.screenshot(
        type="jpeg",
        quality=70,
        full_page=True,
        clip={"x": 0, "y": 0, "width": viewport["width"], "height": height},
        timeout=timeout_ms,
    )
