"""The browser state of one run around a ``BrowserContext``: tabs, JS dialogs, downloads.

:class:`Tabs` watches every page of the context. A page that opens (a link with
``target=_blank``, ``window.open``, NEW_TAB) becomes the active tab; when the active tab
closes, the one before it takes over. JS dialogs are decided, not assumed
(:mod:`agent.browser.lifecycle.dialogs`: alerts acknowledged, confirm and prompt left for the
model to answer); their texts are kept for the next prompt. Downloads are saved into
``downloads_dir`` under safe, unique names, with their sha256, and bounded while they
stream (:mod:`agent.browser.lifecycle.downloads`). A document that commits on a host the run's
:class:`~agent.records.policy.BrowsingPolicy` refuses (after a redirect) is left at once.

    tabs = Tabs(context, downloads_dir=run_dir / "downloads")
    page = await tabs.start("http://127.0.0.1:8000/downloads/")
    ...                       # actions run on tabs.page
    tabs.take_dialogs()       # ["alert: Saved!"]
    tabs.downloads            # [DownloadedFile(filename="report.pdf", ...)]
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.async_api import BrowserContext, Frame, Page
from playwright.async_api import Error as PlaywrightError

from agent.browser.lifecycle.dialogs import Dialogs
from agent.browser.lifecycle.downloads import (
    DEFAULT_MAX_DOWNLOAD_BYTES,
    DEFAULT_MAX_DOWNLOADS,
    DownloadedFile,
    Downloads,
    safe_filename,
)
from agent.browser.lifecycle.holds import Holds
from agent.records.policy import BrowsingPolicy

if TYPE_CHECKING:
    from playwright.async_api import Request

__all__ = ["DownloadedFile", "Tabs", "safe_filename"]


class Tabs:
    """The run's tabs, dialogs and downloads, around one ``BrowserContext``."""

    def __init__(
        self,
        context: BrowserContext,
        *,
        downloads_dir: Path | None = None,
        max_download_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
        max_downloads: int = DEFAULT_MAX_DOWNLOADS,
        policy: BrowsingPolicy | None = None,
        hold_dialogs: bool = True,
    ) -> None:
        self.context = context
        self.policy = policy or BrowsingPolicy()
        """Where this run's browser may go (checked by navigation actions and on commit)."""
        self.dialogs_state = Dialogs(hold=hold_dialogs)
        """The JS dialogs: history, the ones waiting for an answer."""
        self.download_state = Downloads(
            downloads_dir, max_bytes=max_download_bytes, max_count=max_downloads
        )
        self.holds = Holds()
        """Choices made on the page that are still to be read again (see :mod:`.holds`)."""
        self.blocked: list[str] = []
        """Why each request the browsing policy refused was refused, in order."""
        self._dialog_cursor = 0
        self._pages: list[Page] = []
        self._titles: dict[Page, str] = {}
        self._listeners: dict[Page, list[tuple[str, Callable[..., Any]]]] = {}
        self._active: Page | None = None
        self._hooked = False
        self._background: set[asyncio.Future[Any]] = set()

    # -- what other modules read -----------------------------------------------------------
    @property
    def max_download_bytes(self) -> int:
        return self.download_state.max_bytes

    @property
    def max_downloads(self) -> int:
        return self.download_state.max_count

    @property
    def downloads(self) -> list[DownloadedFile]:
        """Every file saved so far, in order."""
        return self.download_state.files

    @property
    def download_errors(self) -> list[str]:
        """Why a download was refused or failed, one sentence each."""
        return self.download_state.errors

    @property
    def dialogs(self) -> list[str]:
        """Every JS dialog so far ("alert: ...", "confirm: ... (dismissed)")."""
        return self.dialogs_state.history

    # -- pages -----------------------------------------------------------------------------
    async def start(self, url: str | None = None) -> Page:
        """Watch the context's pages (and every later one); open ``url`` in the first tab."""
        if not self._hooked:
            self.context.on("page", self._on_new_page)
            self._hooked = True
        for existing in self.context.pages:
            self.watch(existing)
        page = self._active or (self.context.pages[0] if self.context.pages else None)
        if page is None:
            page = await self.context.new_page()
        self.watch(page)
        self._active = page
        if url:
            await page.goto(url, wait_until="domcontentloaded")
        await self.refresh_titles()
        return page

    @classmethod
    def around(cls, page: Page, *, downloads_dir: Path | None = None) -> Tabs:
        """Watch this one page only (for a single action); call :meth:`detach` afterwards."""
        tabs = cls(page.context, downloads_dir=downloads_dir, hold_dialogs=False)
        tabs.watch(page)
        tabs._active = page
        return tabs

    @property
    def page(self) -> Page:
        """The active tab."""
        if self._active is None or self._active.is_closed():
            open_pages = self.pages
            if not open_pages:
                raise RuntimeError("no open tab: call Tabs.start() first")
            self._active = open_pages[-1]
        return self._active

    @property
    def pages(self) -> list[Page]:
        """Open tabs, in the order they were opened."""
        return [p for p in self._pages if not p.is_closed()]

    def describe(self) -> list[dict[str, Any]]:
        """The tabs as the prompt lists them: index, url, title, active."""
        active = self._active
        return [
            {"index": i, "url": p.url, "title": self._titles.get(p, ""), "active": p is active}
            for i, p in enumerate(self.pages)
        ]

    async def refresh_titles(self) -> None:
        """Re-read the titles that :meth:`describe` shows."""
        for p in self.pages:
            await self._read_title(p)

    async def switch(self, index: int) -> Page:
        """Make tab ``index`` active and bring it to the front; ``IndexError`` if there is none."""
        page = self._tab(index)
        self._active = page
        await page.bring_to_front()
        await self._read_title(page)
        return page

    async def new_tab(self, url: str | None = None) -> Page:
        """Open a tab (on ``url``), make it active, return it."""
        page = await self.context.new_page()
        self.watch(page)
        self._active = page
        if url:
            await page.goto(url, wait_until="domcontentloaded")
        await self._read_title(page)
        return page

    async def close_tab(self, index: int | None = None) -> None:
        """Close tab ``index`` (the active one by default). The only open tab is never closed."""
        page = self.page if index is None else self._tab(index)
        if len(self.pages) == 1:
            raise ValueError("cannot close the only open tab")
        await page.close()
        self._after_close(page)

    def _tab(self, index: int) -> Page:
        pages = self.pages
        if not 0 <= index < len(pages):
            raise IndexError(f"there is no tab {index}; open tabs are 0 to {len(pages) - 1}")
        return pages[index]

    def watch(self, page: Page, *, popup: bool = False) -> None:
        """Answer this page's dialogs, save its downloads, follow its closing (idempotent)."""
        if page in self._listeners:
            return
        if popup:  # download progress once its first document is in (see watch_progress)
            page.once(
                "domcontentloaded",
                lambda p: self._in_background(self.download_state.watch_progress(p)),
            )
        else:
            self._in_background(self.download_state.watch_progress(page))
        handlers: list[tuple[str, Callable[..., Any]]] = [
            ("dialog", self.dialogs_state.on_dialog),
            ("download", self.download_state.on_download),
            ("close", self._after_close),
            ("load", self._read_title),
            ("framenavigated", self._on_committed),
        ]
        for event, handler in handlers:
            page.on(event, handler)  # type: ignore[call-overload]  # one overload per event name
        self._listeners[page] = handlers
        if page not in self._pages:
            self._pages.append(page)

    def detach(self) -> None:
        """Stop watching: remove every listener this object added."""
        for page, handlers in self._listeners.items():
            for event, handler in handlers:
                page.remove_listener(event, handler)
        self._listeners.clear()
        if self._hooked:
            self.context.remove_listener("page", self._on_new_page)
            self._hooked = False

    def _on_new_page(self, page: Page) -> None:
        self.watch(page, popup=True)
        self._active = page

    def _after_close(self, page: Page) -> None:
        if page not in self._pages:
            return
        position = self._pages.index(page)
        self._pages.remove(page)
        self._titles.pop(page, None)
        if self._active is page:
            remaining = self.pages
            self._active = remaining[max(0, position - 1)] if remaining else None

    async def _read_title(self, page: Page) -> None:
        try:
            self._titles[page] = await page.title()
        except PlaywrightError:  # closed or navigating: keep the last known title
            pass

    # -- the browsing policy ----------------------------------------------------------------
    def note_blocked(self, request: Request, reason: str) -> None:
        """Record a request the policy refused (the route calls this).

        A popup whose document was refused never loaded anything: it is closed. (A tab
        left on the browser's error page goes back: :func:`leave_error_page`.)
        """
        self.blocked.append(reason)
        if not request.is_navigation_request():
            return
        try:
            frame = request.frame
        except PlaywrightError:  # a popup's first request comes before its frame exists
            self._in_background(self._close_refused_popups())
            return
        if frame.parent_frame is None and frame.page.url in ("", "about:blank"):
            if len(self.pages) > 1:
                self._in_background(_close(frame.page))

    async def _close_refused_popups(self) -> None:
        await asyncio.sleep(0.2)  # the popup's page is announced just after its request
        for page in self.pages[1:]:
            try:
                refused = page.url.startswith(("about:blank", "chrome-error:"))
                if refused and await page.opener() is not None:
                    await page.close()
            except PlaywrightError:  # closed meanwhile
                pass

    def _on_committed(self, frame: Frame) -> None:
        if frame.parent_frame is not None:
            return
        reason = self.policy.committed_refusal(frame.url)
        if reason is None:
            return
        self.blocked.append(f"the page was redirected: {reason}; the tab was taken to about:blank")
        self._in_background(_leave(frame.page))

    def _in_background(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- dialogs ---------------------------------------------------------------------------
    def take_dialogs(self) -> list[str]:
        """The dialog texts since the last call."""
        history = self.dialogs_state.history
        new = history[self._dialog_cursor :]
        self._dialog_cursor = len(history)
        return new

    # -- downloads -------------------------------------------------------------------------
    @property
    def downloads_dir(self) -> Path:
        """Where downloads are saved (a fresh temporary folder unless one was given)."""
        return self.download_state.folder

    @property
    def started_downloads(self) -> int:
        """How many downloads have started so far (saved, failed or in progress)."""
        return self.download_state.started

    async def wait_for_downloads(self, timeout: float = 15.0) -> bool:
        """Wait until the downloads in progress are saved; False if some are still running."""
        return await self.download_state.wait(timeout)


async def _close(page: Page) -> None:
    try:
        await page.close()
    except PlaywrightError:  # already closed
        pass


async def leave_error_page(page: Page) -> None:
    """After a refused navigation, leave the browser's error page if it is shown."""
    if page.is_closed() or not page.url.startswith("chrome-error:"):
        return
    try:
        await page.go_back(wait_until="domcontentloaded", timeout=5000)
    except PlaywrightError:
        pass


async def _leave(page: Page) -> None:
    try:
        await page.goto("about:blank")
    except PlaywrightError:  # closed, or already somewhere else
        pass
