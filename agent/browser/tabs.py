"""The browser state of one run around a ``BrowserContext``: tabs, JS dialogs, downloads.

:class:`Tabs` watches every page of the context. A page that opens (a link with
``target=_blank``, ``window.open``, NEW_TAB) becomes the active tab; when the active tab
closes, the one before it takes over. JS dialogs are answered at once so a page never
hangs on them (alert and confirm accepted, prompt accepted with its default text) and
their texts are kept for the next prompt. Downloads are saved into ``downloads_dir``
under safe, unique names, with their sha256.

    tabs = Tabs(context, downloads_dir=run_dir / "downloads")
    page = await tabs.start("http://127.0.0.1:8000/downloads/")
    ...                       # actions run on tabs.page
    tabs.take_dialogs()       # ["alert: Saved!"]
    tabs.downloads            # [DownloadedFile(filename="report.pdf", ...)]
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import tempfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from playwright.async_api import BrowserContext, Dialog, Download, Page
from playwright.async_api import Error as PlaywrightError
from pydantic import BaseModel, ConfigDict


class DownloadedFile(BaseModel):
    """A file the page downloaded, saved on disk (the seed's ``downloaded_files`` entry)."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    url: str
    """``file://`` URL of the saved file."""
    checksum: str
    """sha256 of the content, hex."""
    filename: str
    """Name of the saved file (sanitized, made unique in the folder)."""
    file_size: int
    """Size in bytes."""
    source_url: str
    """Where the browser downloaded it from."""
    modified_at: datetime
    """When it was saved (UTC)."""


def safe_filename(suggested: str) -> str:
    """A file name with no folder part, control or reserved characters, or leading dot."""
    name = suggested.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r'[\x00-\x1f\x7f<>:"|?*]', "_", name).strip().lstrip(".").strip()
    if not name:
        return "download"
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > 16:
        return name[:150]
    return f"{stem[:130]}.{ext}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Tabs:
    """The run's tabs, dialogs and downloads, around one ``BrowserContext``."""

    def __init__(
        self,
        context: BrowserContext,
        *,
        downloads_dir: Path | None = None,
        max_download_bytes: int = 50_000_000,
        max_downloads: int = 20,
    ) -> None:
        self.context = context
        self.max_download_bytes = max_download_bytes
        self.max_downloads = max_downloads
        self.downloads: list[DownloadedFile] = []
        """Every file saved so far, in order."""
        self.download_errors: list[str] = []
        """Why a download was refused or failed, one sentence each."""
        self.dialogs: list[str] = []
        """Every JS dialog so far ("alert: ...", "confirm: ... (accepted)")."""
        self._downloads_dir = Path(downloads_dir) if downloads_dir is not None else None
        self._dialog_cursor = 0
        self._pages: list[Page] = []
        self._titles: dict[Page, str] = {}
        self._listeners: dict[Page, list[tuple[str, Callable[..., Any]]]] = {}
        self._active: Page | None = None
        self._pending: set[asyncio.Task[None]] = set()
        self._started_downloads = 0
        self._reserved: set[str] = set()
        self._hooked = False

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
        tabs = cls(page.context, downloads_dir=downloads_dir)
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

    def watch(self, page: Page) -> None:
        """Answer this page's dialogs, save its downloads, follow its closing (idempotent)."""
        if page in self._listeners:
            return
        handlers: list[tuple[str, Callable[..., Any]]] = [
            ("dialog", self._on_dialog),
            ("download", self._on_download),
            ("close", self._after_close),
            ("load", self._read_title),
        ]
        for event, handler in handlers:
            page.on(event, handler)  # type: ignore[call-overload]
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
        self.watch(page)
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

    # -- dialogs ---------------------------------------------------------------------------
    def take_dialogs(self) -> list[str]:
        """The dialog texts since the last call."""
        new = self.dialogs[self._dialog_cursor :]
        self._dialog_cursor = len(self.dialogs)
        return new

    async def _on_dialog(self, dialog: Dialog) -> None:
        kind, message = dialog.type, dialog.message
        if kind == "prompt":
            text = f"prompt: {message} (answered {dialog.default_value!r})"
        elif kind == "alert":
            text = f"alert: {message}"
        else:
            text = f"{kind}: {message} (accepted)"
        self.dialogs.append(text)
        try:
            if kind == "prompt":
                await dialog.accept(dialog.default_value)
            else:
                await dialog.accept()
        except PlaywrightError:  # another handler answered it first, or the page went away
            pass

    # -- downloads -------------------------------------------------------------------------
    @property
    def downloads_dir(self) -> Path:
        """Where downloads are saved (a fresh temporary folder unless one was given)."""
        if self._downloads_dir is None:
            self._downloads_dir = Path(tempfile.mkdtemp(prefix="agent-downloads-"))
        self._downloads_dir.mkdir(parents=True, exist_ok=True)
        return self._downloads_dir

    @property
    def started_downloads(self) -> int:
        """How many downloads have started so far (saved, failed or in progress)."""
        return self._started_downloads

    async def wait_for_downloads(self, timeout: float = 15.0) -> bool:
        """Wait until the downloads in progress are saved; False if some are still running."""
        pending = set(self._pending)
        if not pending:
            return True
        _done, still = await asyncio.wait(pending, timeout=timeout)
        return not still

    def _on_download(self, download: Download) -> None:
        self._started_downloads += 1
        task = asyncio.ensure_future(self._save(download))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _save(self, download: Download) -> None:
        name = safe_filename(download.suggested_filename)
        try:
            if len(self.downloads) + len(self._pending) - 1 >= self.max_downloads:
                await download.cancel()
                self.download_errors.append(
                    f"download of {name} refused: the limit of {self.max_downloads} "
                    "downloads per run is reached"
                )
                return
            failure = await download.failure()
            if failure:
                self.download_errors.append(f"download of {name} failed: {failure}")
                return
            temp = await download.path()
            size = temp.stat().st_size
            if size > self.max_download_bytes:
                await download.delete()
                self.download_errors.append(
                    f"download of {name} refused: {size} bytes is over the "
                    f"{self.max_download_bytes} byte limit"
                )
                return
            target = self._reserve(name)
            await download.save_as(target)
            await download.delete()
            checksum = await asyncio.to_thread(_sha256, target)
        except (PlaywrightError, OSError) as exc:
            self.download_errors.append(f"download of {name} failed: {exc}")
            return
        self.downloads.append(
            DownloadedFile(
                url=target.resolve().as_uri(),
                checksum=checksum,
                filename=target.name,
                file_size=target.stat().st_size,
                source_url=download.url,
                modified_at=datetime.now(timezone.utc),
            )
        )

    def _reserve(self, name: str) -> Path:
        """A path in downloads_dir for ``name`` that no earlier download used: ``a (1).pdf``."""
        folder = self.downloads_dir
        stem, dot, ext = name.rpartition(".")
        if not dot or not stem:
            stem, dot, ext = name, "", ""
        number = 0
        while True:
            candidate = name if number == 0 else f"{stem} ({number}){dot}{ext}"
            path = folder / candidate
            if candidate not in self._reserved:
                try:
                    path.open("xb").close()  # claim it: never overwrite an existing file
                except FileExistsError:
                    pass
                else:
                    self._reserved.add(candidate)
                    return path
            number += 1
