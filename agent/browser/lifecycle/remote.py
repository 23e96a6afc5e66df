"""Driving a Chromium that is already running, over the Chrome DevTools Protocol.

``browser_address`` is the browser's DevTools endpoint: ``http://127.0.0.1:9222`` for a
Chrome started with ``--remote-debugging-port=9222``, or a ``ws://.../devtools/browser/<id>``
URL from a remote browser service. ``cdp_connect_headers`` go on the connection handshake
only (a service's API key), never to the websites the run visits.

The run opens its own context in that browser and closes it at the end; the browser
itself keeps running, since it is not ours to stop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.records.errors import BrowserError

if TYPE_CHECKING:
    from playwright.async_api import Browser, Playwright

CONNECT_TIMEOUT_MS = 15_000


async def connect(
    playwright: Playwright, address: str, headers: dict[str, str] | None = None
) -> Browser:
    """Connect to the Chromium at ``address``; a clear error when nothing answers there."""
    try:
        return await playwright.chromium.connect_over_cdp(
            address, headers=headers or None, timeout=CONNECT_TIMEOUT_MS
        )
    except Exception as exc:  # Playwright raises its generic Error for every connect failure
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise BrowserError(
            f"could not connect to the browser at {address} over CDP ({first_line}); "
            "start Chromium with --remote-debugging-port=<port> and pass "
            "browser_address='http://127.0.0.1:<port>', or check the service URL and "
            "cdp_connect_headers"
        ) from exc
