"""Watching what an action set off: navigations, new tabs, downloads, dialogs.

:class:`ActionWatch` is entered before an action runs and settled after it. Settling waits
only as long as something is happening: a short grace for events to start (a click's
navigation request, a popup, a download), then for the navigation to commit and the new
document to load, for new tabs to load, and for downloads to be saved; when nothing of
that started, for the answers to the fetch/XHR requests the action sent (a choice that
loads the next field's options). A click that changes nothing costs the grace period (a
fifth of a second at most), not a fixed sleep.

    with ActionWatch(page, tabs) as watch:
        await locator.click()
        await watch.settle()
    watch.page_changed, watch.new_downloads, watch.new_dialogs, watch.notes()
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError

if TYPE_CHECKING:
    from playwright.async_api import Download, Frame, Page, Request

    from agent.browser.lifecycle.tabs import DownloadedFile, Tabs

GRACE_SECONDS = 0.2
"""How long to wait for an action's consequences to start."""
COMMIT_SECONDS = 5.0
"""How long a started navigation may take to commit (or turn into a download)."""
LOAD_TIMEOUT_MS = 5000
"""How long a committed document or a new tab may take to reach DOMContentLoaded."""
DOWNLOAD_START_SECONDS = 1.0
"""How long an aborted navigation may take to show up as a download."""
DOWNLOAD_SECONDS = 15.0
"""How long to wait for downloads to be saved."""
SCRIPT_REQUEST_SECONDS = 1.0
"""How long to wait for the fetch/XHR requests the action set off (a choice that loads the
next field's options, a search box's suggestions) before the next action runs."""
_SCRIPT_REQUESTS = frozenset({"fetch", "xhr"})


class ActionWatch:
    """Before/after bookkeeping of one action on ``page`` within ``tabs``."""

    def __init__(self, page: Page, tabs: Tabs) -> None:
        self.page = page
        self.tabs = tabs
        self.url_before = page.url
        self._pages_before = list(page.context.pages)
        self._downloads_before = len(tabs.downloads)
        self._errors_before = len(tabs.download_errors)
        self._dialogs_before = len(tabs.dialogs)
        self._blocked_before = len(tabs.blocked)
        self._started_before = tabs.started_downloads
        self._activity = asyncio.Event()
        self._committed = asyncio.Event()
        self._download = asyncio.Event()
        self._nav_request: Request | None = None
        self._nav_failed = False
        self._navigated = False
        self._script_requests: set[Request] = set()
        self._scripts_done = asyncio.Event()
        self._handlers: list[tuple[Any, str, Any]] = []

    # -- listeners -------------------------------------------------------------------------
    def __enter__(self) -> ActionWatch:
        self._listen(self.page, "request", self._on_request)
        self._listen(self.page, "requestfailed", self._on_request_failed)
        self._listen(self.page, "requestfinished", self._on_request_finished)
        self._listen(self.page, "framenavigated", self._on_navigated)
        self._listen(self.page, "download", self._on_download)
        self._listen(self.page, "dialog", self._on_any)
        self._listen(self.page, "close", self._on_any)
        self._listen(self.page.context, "page", self._on_any)
        return self

    def __exit__(self, *exc: object) -> None:
        for emitter, event, handler in self._handlers:
            emitter.remove_listener(event, handler)
        self._handlers.clear()

    def _listen(self, emitter: Any, event: str, handler: Any) -> None:
        emitter.on(event, handler)
        self._handlers.append((emitter, event, handler))

    def _on_any(self, *_args: object) -> None:
        self._activity.set()

    def _on_request(self, request: Request) -> None:
        if request.is_navigation_request() and request.frame == self.page.main_frame:
            self._nav_request = request
            self._activity.set()
        elif request.resource_type in _SCRIPT_REQUESTS:
            self._script_requests.add(request)
            self._scripts_done.clear()

    def _on_request_finished(self, request: Request) -> None:
        self._script_requests.discard(request)
        if not self._script_requests:
            self._scripts_done.set()

    def _on_request_failed(self, request: Request) -> None:
        if request is self._nav_request:
            self._nav_failed = True  # aborted: often because the response became a download
            self._committed.set()
        self._on_request_finished(request)

    def _on_navigated(self, frame: Frame) -> None:
        if frame == self.page.main_frame:
            self._navigated = True
            self._activity.set()
            self._committed.set()

    def _on_download(self, _download: Download) -> None:
        self._download.set()
        self._activity.set()
        self._committed.set()

    # -- settling --------------------------------------------------------------------------
    async def settle(self, grace: float = GRACE_SECONDS) -> None:
        """Wait for what the action started: navigation, new tabs, downloads."""
        if self.tabs.dialogs_state.open_on(self.page) is not None:
            return  # the page is frozen until the dialog is answered
        if not self._activity.is_set() and not self.page.is_closed():
            # A round trip to the page first: events the action caused before it answers
            # are delivered by then, however slow the machine is.
            try:
                await self.page.evaluate("0")
            except PlaywrightError:
                pass
        if grace > 0 and not self._activity.is_set():
            try:
                await asyncio.wait_for(self._activity.wait(), grace)
            except asyncio.TimeoutError:
                await self._script_answers()
                return
        if self._nav_request is not None and not self._committed.is_set():
            try:
                await asyncio.wait_for(self._committed.wait(), COMMIT_SECONDS)
            except asyncio.TimeoutError:
                pass
        if self._nav_failed and not self._navigated and not self._download.is_set():
            # The aborted request of a download is reported a moment before the download.
            try:
                await asyncio.wait_for(self._download.wait(), DOWNLOAD_START_SECONDS)
            except asyncio.TimeoutError:
                pass
        if self._navigated and not self.page.is_closed():
            await _loaded(self.page)
        for new_page in self.new_pages:
            await _loaded(new_page)
        if self.tabs.started_downloads > self._started_before:
            await self.tabs.wait_for_downloads(DOWNLOAD_SECONDS)
        if self.new_blocked and not self.page.is_closed():
            from agent.browser.lifecycle.tabs import leave_error_page

            await leave_error_page(self.page)  # refused: back where the action started

    async def _script_answers(self) -> None:
        """Wait (briefly) for the answers to the fetch/XHR requests the action sent."""
        if not self._script_requests or self.page.is_closed():
            return
        try:
            await asyncio.wait_for(self._scripts_done.wait(), SCRIPT_REQUEST_SECONDS)
            await self.page.evaluate("0")  # a round trip: time for the page to use them
        except (asyncio.TimeoutError, PlaywrightError):
            pass

    # -- outcome ---------------------------------------------------------------------------
    @property
    def new_pages(self) -> list[Page]:
        """Tabs opened during the action (still open)."""
        return [
            p for p in self.page.context.pages if p not in self._pages_before and not p.is_closed()
        ]

    @property
    def new_downloads(self) -> list[DownloadedFile]:
        """Files saved during the action."""
        return self.tabs.downloads[self._downloads_before :]

    @property
    def new_download_errors(self) -> list[str]:
        """Downloads refused or failed during the action."""
        return self.tabs.download_errors[self._errors_before :]

    @property
    def new_dialogs(self) -> list[str]:
        """JS dialogs answered during the action."""
        return self.tabs.dialogs[self._dialogs_before :]

    @property
    def new_blocked(self) -> list[str]:
        """Requests the browsing policy refused during the action."""
        return self.tabs.blocked[self._blocked_before :]

    @property
    def page_changed(self) -> bool:
        """The URL changed, a new document loaded, a tab opened or the page closed."""
        return (
            self._navigated
            or self.page.is_closed()
            or self.page.url != self.url_before
            or bool(self.new_pages)
        )

    def notes(self) -> list[str]:
        """Sentences about side effects, for the action's message."""
        notes: list[str] = []
        if self.page.is_closed():
            notes.append("the tab closed")
        elif self.page.url != self.url_before:
            notes.append(f"the page is now {self.page.url}")
        elif self._navigated:
            notes.append("a new page loaded at the same address")
        for new_page in self.new_pages:
            index = self.tabs.pages.index(new_page) if new_page in self.tabs.pages else None
            where = f"tab {index}" if index is not None else "a tab"
            active = " (now the active tab)" if new_page is self.tabs.page else ""
            notes.append(f"a new tab opened: {where}, {new_page.url}{active}")
        for file in self.new_downloads:
            notes.append(f"downloaded {file.filename} ({file.file_size} bytes)")
        notes.extend(self.new_download_errors)
        if self.tabs.started_downloads - self._started_before > len(self.new_downloads) + len(
            self.new_download_errors
        ):
            notes.append("a download is still in progress")
        for dialog in self.new_dialogs:
            notes.append(f"the page showed a dialog, {dialog}")
        for reason in dict.fromkeys(self.new_blocked):
            notes.append(f"refused by the browsing policy: {reason}")
        return notes


async def _loaded(page: Page) -> None:
    try:
        await page.wait_for_load_state("domcontentloaded", timeout=LOAD_TIMEOUT_MS)
    except PlaywrightError:  # slow or closed: the next observation shows what is there
        pass
