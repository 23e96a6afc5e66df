"""One Chromium per Agent, a fresh context per run, and live browser sessions.

The browser process is launched on first use and shared by concurrent runs; each run
gets its own context (cookies, storage, video) that is closed when the run ends. A
browser session (``pbs_...``) is a context kept open between runs until it is closed
or its timeout passes; one run at a time may use it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.records.errors import BrowserError, RunNotFoundError, SessionBusyError
from agent.records.runs import new_id

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Playwright, ProxySettings

    from agent.browser.lifecycle.tabs import Tabs

logger = logging.getLogger("agent.browser")

VIEWPORT = {"width": 1280, "height": 800}


@dataclass
class BrowserSession:
    """A context kept alive between runs."""

    session_id: str
    context: BrowserContext
    tabs: Tabs
    expires_at: float
    timeout_minutes: float
    busy_with: str | None = None
    """The run using it now, if any."""

    def describe(self) -> dict[str, Any]:
        return {
            "browser_session_id": self.session_id,
            "status": "busy" if self.busy_with else "available",
            "runnable_id": self.busy_with,
            "timeout_minutes": self.timeout_minutes,
            "url": self.tabs.page.url if self.tabs.pages else None,
        }


@dataclass
class BrowserManager:
    """Owns Playwright, the browser process and the sessions of one Agent."""

    headless: bool = True
    browser_path: str | None = None
    cdp_url: str | None = None
    """A running Chromium to connect to over CDP instead of launching one."""
    _playwright: Playwright | None = None
    _browser: Browser | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    sessions: dict[str, BrowserSession] = field(default_factory=dict)
    _closing: set[asyncio.Future[None]] = field(default_factory=set)
    _remote: dict[str, Browser] = field(default_factory=dict)
    _prelaunch: asyncio.Task[Browser] | None = None

    @property
    def launched(self) -> Browser | None:
        """The browser this manager launched and has not closed, or None."""
        return self._browser

    def prelaunch(self) -> None:
        """Start Playwright and the browser in the background, if they are not up yet.

        A run calls this first thing, so Chromium starts while the request is checked and
        stored; the run's :meth:`new_context` then waits for the same launch. A failed
        launch is left for :meth:`browser` to raise again, with its cause, in the run.
        """
        if self._browser is not None and self._browser.is_connected():
            return
        if self._prelaunch is not None and not self._prelaunch.done():
            return
        task = asyncio.get_running_loop().create_task(self.browser())
        task.add_done_callback(_forget_failure)
        self._prelaunch = task

    async def browser(self) -> Browser:
        """This Agent's browser: launched, or the one at ``cdp_url`` (connected once, reused)."""
        async with self._lock:
            if self.cdp_url is not None:
                return await self._connect(self.cdp_url)
            if self._browser is None or not self._browser.is_connected():
                from agent.browser.lifecycle.launch import launch_chromium

                self._browser = await launch_chromium(
                    await self._driver(), headless=self.headless, browser_path=self.browser_path
                )
            return self._browser

    async def _driver(self) -> Playwright:
        if self._playwright is None:
            from playwright.async_api import async_playwright

            self._playwright = await async_playwright().start()
        return self._playwright

    async def _connect(self, address: str) -> Browser:
        browser = self._remote.get(address)
        if browser is None or not browser.is_connected():
            try:
                browser = await (await self._driver()).chromium.connect_over_cdp(address)
            except Exception as exc:
                raise BrowserError(
                    f"No browser answers over CDP at {address}: {exc}. Start Chromium with "
                    "--remote-debugging-port, or fix AGENT_BROWSER_CDP_URL."
                ) from exc
            self._remote[address] = browser
        return browser

    async def new_context(
        self,
        *,
        proxy: ProxySettings | None = None,
        video_dir: Path | None = None,
        browser: Browser | None = None,
        **extra: Any,
    ) -> BrowserContext:
        """A fresh context in the Agent's browser (or in ``browser``, e.g. one over CDP).

        ``extra`` goes to Playwright's ``new_context`` (``extra_http_headers``,
        ``user_agent``, ``storage_state``, ...).
        """
        browser = browser or await self.browser()
        options: dict[str, Any] = {"viewport": VIEWPORT, "accept_downloads": True, **extra}
        if proxy:
            options["proxy"] = proxy
        if video_dir is not None:
            options["record_video_dir"] = str(video_dir)
            options["record_video_size"] = VIEWPORT
        context = await browser.new_context(**options)
        from agent.browser.lifecycle.watchdog import limit_tabs
        from agent.browser.seeing.observe import track_click_listeners

        limit_tabs(context)  # a popup storm cannot open tabs without end
        await track_click_listeners(context)  # script-attached click handlers, from page one
        return context

    async def connect_over_cdp(
        self, address: str, headers: dict[str, str] | None = None
    ) -> Browser:
        """Attach to an already running Chromium at ``address`` (its DevTools endpoint)."""
        from agent.browser.lifecycle.remote import connect

        async with self._lock:
            if self._playwright is None:
                from playwright.async_api import async_playwright

                self._playwright = await async_playwright().start()
        return await connect(self._playwright, address, headers)

    # -- sessions ----------------------------------------------------------------------------
    async def create_session(
        self, timeout_minutes: float, *, proxy: ProxySettings | None, downloads_dir: Path
    ) -> BrowserSession:
        from agent.browser.lifecycle.tabs import Tabs

        self.expire_sessions()
        context = await self.new_context(proxy=proxy)
        tabs = Tabs(context, downloads_dir=downloads_dir)
        await tabs.start(None)
        session = BrowserSession(
            session_id=new_id("pbs"),
            context=context,
            tabs=tabs,
            expires_at=time.monotonic() + timeout_minutes * 60,
            timeout_minutes=timeout_minutes,
        )
        self.sessions[session.session_id] = session
        self._schedule_expiry(session)
        return session

    def get_session(self, session_id: str) -> BrowserSession:
        self.expire_sessions()
        try:
            return self.sessions[session_id]
        except KeyError:
            raise RunNotFoundError(
                f"No browser session {session_id!r}: it was closed, expired, or belongs to "
                "another Agent. Create one with Agent.create_browser_session()."
            ) from None

    def claim_session(self, session_id: str, run_id: str) -> BrowserSession:
        session = self.get_session(session_id)
        if session.busy_with is not None and session.busy_with != run_id:
            raise SessionBusyError(
                f"Browser session {session_id} is in use by run {session.busy_with}; wait for "
                "it to finish or cancel it first."
            )
        session.busy_with = run_id
        return session

    def release_session(self, session_id: str, run_id: str) -> None:
        session = self.sessions.get(session_id)
        if session is not None and session.busy_with == run_id:
            session.busy_with = None
            session.expires_at = time.monotonic() + session.timeout_minutes * 60
            self._schedule_expiry(session)

    def expire_sessions(self) -> None:
        now = time.monotonic()
        for session_id, session in list(self.sessions.items()):
            if session.busy_with is None and session.expires_at <= now:
                logger.info("browser session %s expired", session_id)
                self.sessions.pop(session_id)
                task = asyncio.ensure_future(_close_quietly(session.context))
                self._closing.add(task)
                task.add_done_callback(self._closing.discard)

    def _schedule_expiry(self, session: BrowserSession) -> None:
        """Check again when the session's timeout has passed, so an idle one closes itself."""
        delay = max(0.0, session.expires_at - time.monotonic()) + 0.5
        asyncio.get_running_loop().call_later(delay, self.expire_sessions)

    async def close_session(self, session_id: str) -> None:
        session = self.sessions.pop(session_id, None)
        if session is None:
            raise RunNotFoundError(f"No browser session {session_id!r}")
        await _close_quietly(session.context)

    async def close(self) -> None:
        if self._prelaunch is not None and not self._prelaunch.done():
            await asyncio.wait([self._prelaunch])  # a launch still starting is closed below
        for session_id in list(self.sessions):
            await self.close_session(session_id)
        if self._browser is not None:
            await _close_quietly(self._browser)
            self._browser = None
        for remote in self._remote.values():  # disconnects; the remote browser lives on
            await _close_quietly(remote)
        self._remote.clear()
        if self._playwright is not None:
            try:  # bounded: the driver may be stuck on a browser that was killed
                await asyncio.wait_for(self._playwright.stop(), 10)
            except Exception as exc:
                logger.warning("stopping Playwright did not finish: %r", exc)
            self._playwright = None


def _forget_failure(task: asyncio.Task[Browser]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.debug("browser prelaunch failed (the run will retry): %r", task.exception())


async def _close_quietly(closable: BrowserContext | Browser) -> None:
    from agent.browser.lifecycle.watchdog import close_quietly

    await close_quietly(closable, type(closable).__name__)  # bounded, and quiet when gone
