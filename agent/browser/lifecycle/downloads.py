"""Downloads bounded while they stream: a size limit, a count limit, safe unique names.

:class:`Downloads` saves what a run's pages download into one folder. The limits are
enforced during the transfer, not after it.

A download a page's document navigation starts (a link, a form, ``location.href``) is
taken from the browser and streamed to its file by the agent
(:mod:`agent.browser.lifecycle.download_stream`): the bytes on disk never pass
:attr:`Downloads.max_bytes`, one chunk (:data:`~agent.browser.lifecycle.download_stream.
CHUNK_BYTES`) is the most read past it, and the browser keeps no temporary copy.

A download the browser saves itself is weaker bounded. On a page with a DevTools
session it is followed through ``Page.downloadProgress`` events, which Chromium sends
only every half second, and canceled at the first one past the limit: it may pass the
limit by what arrives in half a second. One a popup starts before its first document
is in has no session yet (see :meth:`Downloads.watch_progress`) and is checked only
once saved. Every saved file's size is checked again. A download started when
:attr:`Downloads.max_count` files are already saved or in flight is refused before it
transfers anything.

Names come from the server (``Content-Disposition``) or the URL and are never trusted:
:func:`safe_filename` keeps only a plain file name, and a name already used in the
folder gets a number (``report (1).csv``): nothing is ever overwritten.

Defaults: :data:`DEFAULT_MAX_DOWNLOAD_BYTES` (50 MB) per file and
:data:`DEFAULT_MAX_DOWNLOADS` (20) files per run; ``AGENT_MAX_DOWNLOAD_MB`` and
``AGENT_MAX_DOWNLOADS`` change them (:mod:`agent.records.config`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError
from pydantic import BaseModel

from agent.browser.lifecycle.download_stream import (
    DOCUMENT_RESPONSES,
    PausedDownload,
    as_download,
    stream_to,
)

if TYPE_CHECKING:
    from playwright.async_api import Download, Page

logger = logging.getLogger("agent.browser")

DEFAULT_MAX_DOWNLOAD_BYTES = 50_000_000
"""Largest file a run may download (bytes)."""
DEFAULT_MAX_DOWNLOADS = 20
"""Most files a run may download."""


class DownloadedFile(BaseModel):
    """A file the page downloaded, saved on disk (the seed's ``downloaded_files`` entry)."""

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
    """A file name with no folder part, control or reserved characters, or leading dot.

    >>> safe_filename("../../.secret<1>.txt")
    'secret_1_.txt'
    """
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


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


class _Transfer:
    """One download in flight: its Playwright object, its DevTools guid, what arrived."""

    def __init__(self, key: tuple[str, str]) -> None:
        self.key = key
        self.download: Download | None = None
        self.guid: str | None = None
        self.received = 0
        self.total = 0
        self.stopped: str | None = None


class Downloads:
    """The files one run downloaded, the refusals, and the limits (see the module doc)."""

    def __init__(
        self,
        downloads_dir: Path | None = None,
        *,
        max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
        max_count: int = DEFAULT_MAX_DOWNLOADS,
    ) -> None:
        self.max_bytes = max_bytes
        self.max_count = max_count
        self.files: list[DownloadedFile] = []
        """Every file saved so far, in order."""
        self.errors: list[str] = []
        """Why a download was refused or failed, one sentence each."""
        self.started = 0
        """Downloads started so far (saved, refused, failed or in flight)."""
        self._dir = Path(downloads_dir) if downloads_dir is not None else None
        self._pending: set[asyncio.Task[None]] = set()
        self._transfers: list[_Transfer] = []
        self._reserved: set[str] = set()
        self._sessions: dict[Page, Any] = {}
        self._cancels: set[asyncio.Future[None]] = set()

    @property
    def folder(self) -> Path:
        """Where downloads are saved (a fresh temporary folder unless one was given)."""
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="agent-downloads-"))
        self._dir.mkdir(parents=True, exist_ok=True)
        return self._dir

    # -- progress from DevTools -------------------------------------------------------------
    async def watch_progress(self, page: Page) -> None:
        """Follow ``page``'s download progress (Chromium); without it, sizes are checked after.

        Call it for a page the run opened itself, or once a popup has loaded its first
        document: a DevTools session attached to a popup still opening can let its first
        request past the context's routes (:class:`~agent.records.policy.BrowsingPolicy`).
        A session attached after a download began gets no events for it.
        """
        if page in self._sessions or page.is_closed():
            return
        self._sessions[page] = None
        try:
            session = await page.context.new_cdp_session(page)
            session.on("Page.downloadWillBegin", self._on_will_begin)
            session.on("Page.downloadProgress", self._on_progress)
            session.on("Fetch.requestPaused", lambda event: self._on_paused(session, event))
            await session.send("Page.enable")
            await session.send("Fetch.enable", {"patterns": DOCUMENT_RESPONSES})
        except PlaywrightError as exc:  # not Chromium, or the page closed meanwhile
            logger.debug("no download progress for this page: %s", exc)
            return
        self._sessions[page] = session

    def _transfer_for(self, key: tuple[str, str], *, guid: str | None) -> _Transfer:
        for transfer in self._transfers:
            if transfer.key == key and (
                transfer.guid is None if guid else transfer.download is None
            ):
                return transfer
        transfer = _Transfer(key)
        self._transfers.append(transfer)
        return transfer

    def _on_will_begin(self, event: dict[str, Any]) -> None:
        key = (str(event.get("url", "")), str(event.get("suggestedFilename", "")))
        self._transfer_for(key, guid=str(event.get("guid"))).guid = str(event.get("guid"))

    def _on_progress(self, event: dict[str, Any]) -> None:
        guid = event.get("guid")
        transfer = next((t for t in self._transfers if t.guid == guid), None)
        if transfer is None:
            return
        transfer.received = int(event.get("receivedBytes") or 0)
        transfer.total = int(event.get("totalBytes") or 0)
        self._enforce(transfer)

    def _enforce(self, transfer: _Transfer) -> None:
        if transfer.stopped or transfer.download is None:
            return
        size = max(transfer.received, transfer.total)
        if size <= self.max_bytes:
            return
        name = safe_filename(transfer.key[1])
        if transfer.total > self.max_bytes:
            transfer.stopped = (
                f"download of {name} refused: it is {_megabytes(transfer.total)}, over the "
                f"{_megabytes(self.max_bytes)} limit per file"
            )
        else:
            transfer.stopped = (
                f"download of {name} stopped at {_megabytes(transfer.received)}: over the "
                f"{_megabytes(self.max_bytes)} limit per file"
            )
        task = asyncio.ensure_future(_cancel(transfer.download))
        self._cancels.add(task)
        task.add_done_callback(self._cancels.discard)

    # -- downloads streamed by the agent (agent.browser.lifecycle.download_stream) -------------------------
    def _on_paused(self, session: Any, event: dict[str, Any]) -> None:
        found = as_download(event)
        if found is None:  # a page to show: on it goes
            self._in_background(_send(session, "Fetch.continueRequest", event["requestId"]))
            return
        self.started += 1
        task = asyncio.ensure_future(self._take(session, found))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _take(self, session: Any, found: PausedDownload) -> None:
        name = safe_filename(found.suggested)
        target: Path | None = None
        try:
            if len(self.files) + len(self._pending) - 1 >= self.max_count:
                self.errors.append(
                    f"download of {name} refused: the limit of {self.max_count} "
                    "downloads per run is reached"
                )
                return
            if found.length is not None and found.length > self.max_bytes:
                self.errors.append(
                    f"download of {name} refused: it is {_megabytes(found.length)}, over the "
                    f"{_megabytes(self.max_bytes)} limit per file"
                )
                return
            target = self._reserve(name)
            streamed = await stream_to(session, found.request_id, target, self.max_bytes)
            if not streamed.complete:
                self._release(target)
                self.errors.append(
                    f"download of {name} stopped at {_megabytes(streamed.arrived)}: over the "
                    f"{_megabytes(self.max_bytes)} limit per file"
                )
                return
            checksum = await asyncio.to_thread(_sha256, target)
        except (PlaywrightError, OSError) as exc:
            if target is not None:
                self._release(target)
            self.errors.append(f"download of {name} failed: {exc}")
            return
        finally:  # the page stays where it was, as it does for a download
            await _send(session, "Fetch.failRequest", found.request_id, errorReason="Aborted")
        self.files.append(
            DownloadedFile(
                url=target.resolve().as_uri(),
                checksum=checksum,
                filename=target.name,
                file_size=streamed.written,
                source_url=found.url,
                modified_at=datetime.now(timezone.utc),
            )
        )

    def _release(self, target: Path) -> None:
        """Remove a file that was not kept, and free its name."""
        target.unlink(missing_ok=True)
        self._reserved.discard(target.name)

    def _in_background(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self._cancels.add(task)
        task.add_done_callback(self._cancels.discard)

    # -- saving ---------------------------------------------------------------------------
    def on_download(self, download: Download) -> None:
        """The handler for a page's ``download`` event."""
        self.started += 1
        key = (download.url, download.suggested_filename)
        transfer = self._transfer_for(key, guid=None)
        transfer.download = download
        task = asyncio.ensure_future(self._save(download, transfer))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        self._enforce(transfer)  # progress may have arrived first

    async def wait(self, timeout: float = 15.0) -> bool:
        """Wait until the downloads in flight end; False if some are still running."""
        pending = set(self._pending)
        if not pending:
            return True
        _done, still = await asyncio.wait(pending, timeout=timeout)
        return not still

    async def _save(self, download: Download, transfer: _Transfer) -> None:
        name = safe_filename(download.suggested_filename)
        try:
            if len(self.files) + len(self._pending) - 1 >= self.max_count:
                transfer.stopped = (
                    f"download of {name} refused: the limit of {self.max_count} "
                    "downloads per run is reached"
                )
                await _cancel(download)
                self.errors.append(transfer.stopped)
                return
            failure = await download.failure()
            if failure:
                await _delete(download)
                self.errors.append(transfer.stopped or f"download of {name} failed: {failure}")
                return
            temp = await download.path()
            size = temp.stat().st_size
            if size > self.max_bytes:
                await _delete(download)
                self.errors.append(
                    f"download of {name} refused: {_megabytes(size)} is over the "
                    f"{_megabytes(self.max_bytes)} limit per file"
                )
                return
            target = self._reserve(name)
            await download.save_as(target)
            await _delete(download)
            checksum = await asyncio.to_thread(_sha256, target)
        except (PlaywrightError, OSError) as exc:
            self.errors.append(f"download of {name} failed: {exc}")
            return
        finally:
            if transfer in self._transfers:
                self._transfers.remove(transfer)
        self.files.append(
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
        """A path in the folder for ``name`` that no earlier download used: ``a (1).pdf``."""
        folder = self.folder
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


async def _send(session: Any, method: str, request_id: str, **params: Any) -> None:
    """Release a paused request; a page that closed meanwhile has nothing left to release."""
    try:
        await session.send(method, {"requestId": request_id, **params})
    except Exception as exc:  # the page or its session is gone
        logger.debug("%s failed: %s", method, exc)


async def _cancel(download: Download) -> None:
    try:
        await download.cancel()
    except PlaywrightError as exc:
        logger.debug("could not cancel a download: %s", exc)


async def _delete(download: Download) -> None:
    try:
        await download.delete()
    except PlaywrightError as exc:
        logger.debug("could not delete a download's temporary file: %s", exc)
