"""The browser a run drives, as its request asks: where it runs, what it sends, what it remembers.

:func:`open_run_browser` makes the run's context: in the Agent's own Chromium, or in a
running one reached over CDP (``browser_address``); with the request's
``extra_http_headers`` and ``user_agent``; starting from a saved profile's cookies and
storage (``browser_profile_id``), unless ``start_fresh_browser``. :meth:`RunBrowser.close`
keeps the final storage state (in the run folder, and in the profile when there is one),
closes the context, and lets go of a CDP browser without stopping it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.integrations.profiles import BrowserProfiles, run_state_path

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, ProxySettings

    from agent.browser.lifecycle.manager import BrowserManager
    from agent.records.runs import RunRequest

logger = logging.getLogger("agent.run")


@dataclass
class RunBrowser:
    """A run's own context, and what to do with it at the end."""

    context: BrowserContext
    request: RunRequest
    run_dir: Path
    profiles: BrowserProfiles
    remote: Browser | None = None
    """The CDP-connected browser, disconnected (not closed) at the end."""

    async def keep_state(self) -> None:
        """Save cookies and storage for later runs (never for a fresh browser)."""
        if self.request.start_fresh_browser:
            return
        try:
            state = await self.context.storage_state()
        except Exception as exc:  # the browser may be gone; the run's ending matters more
            logger.warning("could not read the browser's storage state: %s", exc)
            return
        if not self.request.secrets:
            # A site's cookies may hold what the run typed from a secret: with secrets, only
            # a profile the caller asked for keeps the state (docs/secrets.md says so).
            run_state_path(self.run_dir).write_text(json.dumps(state), encoding="utf-8")
        if self.request.browser_profile_id:
            try:
                self.profiles.save_state(self.request.browser_profile_id, state)
            except KeyError:  # deleted while the run went on
                logger.warning(
                    "profile %s is gone; state not saved", self.request.browser_profile_id
                )

    async def disconnect(self) -> None:
        """Let go of a CDP browser (after the context is closed); it keeps running."""
        if self.remote is not None:
            try:
                await self.remote.close()
            except Exception as exc:
                logger.debug("disconnecting from the CDP browser failed: %s", exc)


def context_options(request: RunRequest, profiles: BrowserProfiles) -> dict[str, Any]:
    """The Playwright context options the request asks for."""
    options: dict[str, Any] = {}
    if request.extra_http_headers:
        options["extra_http_headers"] = dict(request.extra_http_headers)
    if request.user_agent:
        options["user_agent"] = request.user_agent
    if request.browser_profile_id and not request.start_fresh_browser:
        state = profiles.state(request.browser_profile_id)
        if state is not None:
            options["storage_state"] = state
    return options


async def open_run_browser(
    browsers: BrowserManager,
    request: RunRequest,
    *,
    run_dir: Path,
    profiles: BrowserProfiles,
    proxy: ProxySettings | None,
    video_dir: Path | None,
    cdp_headers: dict[str, str] | None = None,
) -> RunBrowser:
    """Open the run's context as the request asks."""
    remote = None
    if request.browser_address:
        remote = await browsers.connect_over_cdp(request.browser_address, cdp_headers)
        video_dir = None  # frames of a browser elsewhere are not ours to encode
    context = await browsers.new_context(
        proxy=proxy, video_dir=video_dir, browser=remote, **context_options(request, profiles)
    )
    return RunBrowser(context, request, run_dir, profiles, remote)
