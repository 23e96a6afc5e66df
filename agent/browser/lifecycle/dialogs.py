"""JS dialogs decided, not assumed: what the page asks is answered by the model.

- ``alert``: acknowledged at once (it only informs) and reported.
- ``confirm`` and ``prompt``: kept open, and the page waits. The action that opened it
  returns at once saying so (:func:`until_dialog`), the next prompt shows the question,
  and the model answers with ``ANSWER_DIALOG`` (``accept`` true/false, ``text`` for a
  prompt). A dialog nobody answers within :data:`DIALOG_TIMEOUT_SECONDS` is dismissed
  (Cancel, the safe answer), and that is recorded.
- ``beforeunload`` ("leave this page?"): accepted only while the model navigates on
  purpose (GOTO_URL, GO_BACK, RELOAD_PAGE, CLOSE_PAGE, a skyvern-2.0 loop moving to the
  next item: :meth:`Dialogs.leaving`); otherwise dismissed, so the page stays.

A page with an open dialog is frozen: no script runs and no screenshot can be taken,
so observing it gives only its URL (:meth:`Dialogs.open_on` tells callers).

Without a run to answer (``act()`` called with no ``tabs``), ``confirm`` and ``prompt``
are dismissed at once and reported.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from playwright.async_api import Error as PlaywrightError

if TYPE_CHECKING:
    from playwright.async_api import Dialog, Page

logger = logging.getLogger("agent.browser")

T = TypeVar("T")

DIALOG_TIMEOUT_SECONDS = 60.0
"""How long a confirm or prompt may wait for the model's answer before it is dismissed."""


@dataclass
class OpenDialog:
    """A confirm or prompt waiting for an answer."""

    page: Page
    dialog: Dialog
    kind: str
    message: str
    default: str
    opened_at: float
    timer: asyncio.TimerHandle | None = None

    def describe(self) -> str:
        """The question as the prompt shows it."""
        text = f'a {self.kind} dialog asks: "{self.message}"'
        if self.kind == "prompt":
            text += f" (its default answer is {self.default!r})"
        return text


class Dialogs:
    """The dialogs of one run's tabs: history, the ones waiting, and the answers."""

    def __init__(self, *, hold: bool = True, timeout: float | None = None) -> None:
        self.hold = hold
        """Keep confirm/prompt open for the model (False: dismiss them at once)."""
        self.timeout = timeout
        """Seconds an open dialog waits (None: :data:`DIALOG_TIMEOUT_SECONDS`)."""
        self.history: list[str] = []
        """Every dialog so far, in words ("alert: Saved", "confirm: Delete? (dismissed ...)")."""
        self._open: dict[Page, OpenDialog] = {}
        self._waiters: list[tuple[Page, asyncio.Future[OpenDialog]]] = []
        self._leaving = 0
        self._tasks: set[asyncio.Future[None]] = set()

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- state ---------------------------------------------------------------------------
    def open_on(self, page: Page) -> OpenDialog | None:
        """The dialog waiting on ``page``, if any."""
        entry = self._open.get(page)
        if entry is not None and page.is_closed():
            self._open.pop(page, None)
            return None
        return entry

    def describe_open(self) -> list[str]:
        """Each waiting dialog, for the prompt."""
        return [entry.describe() for entry in self._open.values() if not entry.page.is_closed()]

    @contextmanager
    def leaving(self, on_purpose: bool = True) -> Iterator[None]:
        """While inside, a ``beforeunload`` dialog is accepted (the model navigates away)."""
        self._leaving += 1 if on_purpose else 0
        try:
            yield
        finally:
            self._leaving -= 1 if on_purpose else 0

    def wait_opened(self, page: Page) -> asyncio.Future[OpenDialog]:
        """A future set when a confirm/prompt opens on ``page`` and waits."""
        future: asyncio.Future[OpenDialog] = asyncio.get_running_loop().create_future()
        self._waiters.append((page, future))
        return future

    # -- events --------------------------------------------------------------------------
    async def on_dialog(self, dialog: Dialog) -> None:
        """The handler for a page's ``dialog`` event."""
        kind, message = dialog.type, dialog.message
        if kind == "alert":
            self.history.append(f"alert: {message}")
            await _answer(dialog, True)
        elif kind == "beforeunload":
            if self._leaving:
                self.history.append("beforeunload: the page asked before leaving; left on purpose")
                await _answer(dialog, True)
            else:
                self.history.append(
                    "beforeunload: the page asked to confirm leaving it; the agent stayed "
                    "(GOTO_URL leaves on purpose)"
                )
                await _answer(dialog, False)
        elif not self.hold:
            self.history.append(f"{kind}: {message} (dismissed: no one to answer it)")
            await _answer(dialog, False)
        else:
            self._hold(dialog)

    def _hold(self, dialog: Dialog) -> None:
        page = dialog.page
        if page is None or page in self._open:  # a second dialog at once cannot happen
            self._spawn(_answer(dialog, False))
            return
        entry = OpenDialog(
            page, dialog, dialog.type, dialog.message, dialog.default_value, time.monotonic()
        )
        delay = DIALOG_TIMEOUT_SECONDS if self.timeout is None else self.timeout
        entry.timer = asyncio.get_running_loop().call_later(
            delay, lambda: self._spawn(self._expire(entry, delay))
        )
        self._open[page] = entry
        for waiter_page, future in list(self._waiters):
            if waiter_page is page and not future.done():
                future.set_result(entry)
        self._waiters = [(p, f) for p, f in self._waiters if not f.done()]

    async def _expire(self, entry: OpenDialog, delay: float) -> None:
        if self._open.get(entry.page) is not entry:
            return
        self._open.pop(entry.page, None)
        self.history.append(
            f"{entry.kind}: {entry.message} (dismissed: no answer within {delay:g}s)"
        )
        logger.info("a %s dialog waited %gs and was dismissed", entry.kind, delay)
        await _answer(entry.dialog, False)

    # -- answers -------------------------------------------------------------------------
    async def answer(self, page: Page, accept: bool, text: str | None = None) -> str:
        """Answer the dialog waiting on ``page``; returns what was done, in words.

        Raises ``LookupError`` when no dialog waits there.
        """
        entry = self._open.pop(page, None)
        if entry is None:
            raise LookupError("there is no open dialog on this tab to answer")
        if entry.timer is not None:
            entry.timer.cancel()
        if entry.kind == "prompt" and accept:
            reply = entry.default if text is None else text
            self.history.append(f"prompt: {entry.message} (answered {reply!r})")
            await _answer(entry.dialog, True, reply)
            return f'answered the prompt "{entry.message}" with {reply!r}'
        verb = "accepted" if accept else "dismissed"
        self.history.append(f"{entry.kind}: {entry.message} ({verb})")
        await _answer(entry.dialog, accept)
        return f'{verb} the {entry.kind} "{entry.message}"'

    async def dismiss_all(self) -> None:
        """Dismiss every waiting dialog (the run is ending)."""
        for page in list(self._open):
            entry = self._open.pop(page)
            if entry.timer is not None:
                entry.timer.cancel()
            await _answer(entry.dialog, False)


async def _answer(dialog: Dialog, accept: bool, text: str | None = None) -> None:
    try:
        if accept and text is not None:
            await dialog.accept(text)
        elif accept:
            await dialog.accept()
        else:
            await dialog.dismiss()
    except PlaywrightError:  # answered elsewhere already, or the page went away
        pass


async def until_dialog(dialogs: Dialogs, page: Page, work: Awaitable[T]) -> T | OpenDialog:
    """Await ``work``, or return the dialog as soon as one opens on ``page`` and waits.

    The page is frozen while a dialog waits, so an action that opened one (a click)
    would not finish until it is answered. Its task goes on in the background and ends
    once the dialog is answered; its outcome no longer matters.
    """
    task = asyncio.ensure_future(work)
    opened = dialogs.wait_opened(page)
    racing: set[asyncio.Future[Any]] = {task, opened}  # two results of different types
    try:
        done, _ = await asyncio.wait(racing, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        raise
    finally:
        if not opened.done():
            opened.cancel()
    if task in done:
        return task.result()
    task.add_done_callback(_forget)
    return opened.result()


def _forget(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved, so it is not reported as never retrieved
