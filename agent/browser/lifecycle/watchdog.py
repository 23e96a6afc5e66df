"""Page operations under a watchdog: no page can hang a run.

Playwright's own timeouts cover waiting for elements, but not a renderer whose main
thread is stuck in a script (``while (true) {}`` after load, or in a click handler):
``page.evaluate`` then waits forever. :func:`guard` runs one page operation (observing
the page, one action, a screenshot) and, once it has taken longer than
``timeout - PROBE_TIMEOUT`` seconds, asks the renderer a trivial question every few
seconds. A renderer that does not answer within :data:`PROBE_TIMEOUT` is stuck: at
``timeout`` at the latest the operation is abandoned and :class:`PageUnresponsiveError`
raised. An operation still running after
``hard_timeout`` ends the same way, whatever the probe says.

:func:`limit_tabs` keeps a popup storm from opening tabs without end.

Playwright errors that mean the page or the browser is gone become
:class:`PageCrashedError` (the renderer died: out of memory, ``Page.crash``) and
:class:`BrowserGoneError` (the browser process exited or was killed), with the cause
in words a ``failure_reason`` can carry.

    observation = await guard(observe(page), page, what="reading the page", timeout=15)
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, TypeVar

from agent.records.errors import BrowserError

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Page

logger = logging.getLogger("agent.browser")

T = TypeVar("T")

PAGE_TIMEOUT = 15.0
"""Seconds a page operation may take before the watchdog checks that the renderer is alive."""
PROBE_TIMEOUT = 5.0
"""Seconds a live renderer needs, at most, to evaluate ``0``."""
PROBE_INTERVAL = 2.0
"""Seconds between probes while a slow operation goes on."""
RECOVERY_TRIAL = 2.0
"""Seconds a page opened again after a hang must keep responding once loaded."""
TRIAL_PROBE_INTERVAL = 0.5
"""Seconds between probes during :data:`RECOVERY_TRIAL`."""
CLOSE_TIMEOUT = 10.0
"""Seconds closing a page, context or browser may take before it is abandoned."""

MAX_TABS = 10
"""Open tabs a run's context may hold; a tab opened beyond it (a popup storm) is closed."""

STOPPED_RESPONDING = "The page stopped responding"
"""How every :class:`PageUnresponsiveError` message begins."""


class PageUnresponsiveError(BrowserError):
    """The page's renderer is stuck (a script that never yields); the page is unusable."""


class PageCrashedError(BrowserError):
    """The page's renderer process died."""


class BrowserGoneError(BrowserError):
    """The browser process exited, crashed or was killed."""


_crashed: weakref.WeakSet[Page] = weakref.WeakSet()
_listening: weakref.WeakSet[Page] = weakref.WeakSet()


def _listen(page: Page) -> None:
    """Remember when ``page`` crashes (the ``crash`` event comes before any error does)."""
    if page in _listening:
        return
    _listening.add(page)
    page.on("crash", lambda crashed: _crashed.add(crashed))


def page_failure(page: Page, error: BaseException | str | None = None) -> BrowserError | None:
    """The page-level failure behind ``error`` (or the page's state), if there is one."""
    text = str(error or "")
    browser = page.context.browser
    if browser is not None and not browser.is_connected():
        return BrowserGoneError(
            "The browser closed unexpectedly: its process exited or was killed "
            f"({_first_line(text) or 'connection lost'})"
        )
    if page in _crashed or "Target crashed" in text:
        return PageCrashedError(
            "The page crashed: its renderer process died (out of memory, or killed); "
            f"the page was {page.url}"
        )
    if "has been closed" in text and "Browser" in text:
        return BrowserGoneError(f"The browser closed unexpectedly ({_first_line(text)})")
    return None


async def settled_failure(
    page: Page, error: BaseException | str | None = None, grace: float = 1.0
) -> BrowserError | None:
    """:func:`page_failure`, told apart once the browser had a moment to show it is gone.

    A killed browser takes its renderers with it: the page's ``crash`` event often comes
    before the connection drops, so a crash is checked again for up to ``grace`` seconds.
    """
    failure = page_failure(page, error)
    browser = page.context.browser
    waited = 0.0
    while isinstance(failure, PageCrashedError) and browser is not None and waited < grace:
        await asyncio.sleep(0.1)
        waited += 0.1
        if not browser.is_connected():
            return page_failure(page, error)
    return failure


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


async def responds(page: Page, timeout: float = PROBE_TIMEOUT) -> bool:
    """Whether the page's renderer evaluates ``0`` within ``timeout`` seconds."""
    try:
        await asyncio.wait_for(page.evaluate("0"), timeout)
    except asyncio.TimeoutError:
        return False
    except Exception:  # navigating, closed: not a stuck renderer
        return True
    return True


async def freezes_by_itself(
    page: Page, *, trial: float = RECOVERY_TRIAL, load_timeout: float = PAGE_TIMEOUT
) -> bool:
    """Whether ``page``, just opened, stops responding within ``trial`` s of its ``load``.

    A page that loops by itself (after load, in an early timer) would hang the next
    operation again; finding it here costs at most ``trial + PROBE_TIMEOUT`` seconds,
    not another page timeout.
    """
    loop = asyncio.get_running_loop()
    try:
        await asyncio.wait_for(page.wait_for_load_state("load"), load_timeout)
    except Exception:  # still loading, navigating or closed: the probes below tell
        pass
    end = loop.time() + trial
    while True:
        if not await responds(page):
            return True
        if loop.time() >= end:
            return False
        await asyncio.sleep(min(TRIAL_PROBE_INTERVAL, max(0.0, end - loop.time())))


async def guard(
    operation: Awaitable[T],
    page: Page,
    *,
    what: str,
    timeout: float = PAGE_TIMEOUT,
    hard_timeout: float | None = None,
) -> T:
    """Await ``operation`` on ``page``; raise :class:`PageUnresponsiveError` if it hangs.

    A renderer that has not answered a probe by ``timeout`` seconds is stuck (the first
    probe is sent :data:`PROBE_TIMEOUT` seconds before, so a hang ends at ``timeout``, not
    later); past ``timeout`` a live renderer is probed again every :data:`PROBE_INTERVAL`
    seconds; past ``hard_timeout`` (default
    three times ``timeout``) the operation is abandoned regardless. Playwright errors
    that mean a crash or a lost browser are raised as :class:`PageCrashedError` or
    :class:`BrowserGoneError`; other errors pass through unchanged.
    """
    _listen(page)
    task = asyncio.ensure_future(operation)
    loop = asyncio.get_running_loop()
    started = loop.time()
    deadline = started + (hard_timeout if hard_timeout is not None else 3 * timeout)
    probe: asyncio.Future[bool] | None = None
    try:
        # The first probe starts early enough to have its answer when ``timeout`` is up.
        early = max(0.0, timeout - PROBE_TIMEOUT)
        done, _ = await asyncio.wait({task}, timeout=early)
        if not done:
            probe = asyncio.ensure_future(responds(page))
            done, _ = await asyncio.wait({task}, timeout=max(0.0, started + timeout - loop.time()))
        while not done:
            failure = await settled_failure(page)
            if failure is not None:
                raise failure
            if probe is None:
                probe = asyncio.ensure_future(responds(page))
            alive = await probe
            probe = None
            if not alive:
                raise PageUnresponsiveError(
                    f"{STOPPED_RESPONDING}: {what} did not finish in {timeout:g}s and the page "
                    "does not run scripts any more (a script that never ends?)"
                )
            left = deadline - loop.time()
            if left <= 0:
                raise PageUnresponsiveError(
                    f"{STOPPED_RESPONDING}: {what} did not finish within "
                    f"{(hard_timeout or 3 * timeout):g}s"
                )
            done, _ = await asyncio.wait({task}, timeout=min(PROBE_INTERVAL, left))
        try:
            return task.result()
        except Exception as exc:
            failure = await settled_failure(page, exc)
            if failure is not None:
                raise failure from exc
            raise
    finally:
        if probe is not None and not probe.done():
            probe.cancel()
        if not task.done():
            task.cancel()
            task.add_done_callback(_swallow)


def _swallow(task: asyncio.Future[Any]) -> None:
    """An abandoned operation's late error is expected, not news."""
    if not task.cancelled() and task.exception() is not None:
        logger.debug("abandoned page operation ended with %r", task.exception())


async def close_quietly(
    closable: Page | BrowserContext | Browser, what: str, timeout: float = CLOSE_TIMEOUT
) -> None:
    """Close a page, context or browser; give up after ``timeout`` (it may be hung or gone)."""
    try:
        await asyncio.wait_for(closable.close(), timeout)
    except asyncio.TimeoutError:
        logger.warning("closing %s took longer than %gs; left behind", what, timeout)
    except Exception as exc:  # already gone (crashed, killed, closed)
        logger.debug("closing %s failed: %s", what, exc)


def limit_tabs(context: BrowserContext, max_tabs: int = MAX_TABS) -> None:
    """Close any tab that opens while ``context`` already holds ``max_tabs`` (popup storms)."""
    refused: list[int] = [0]

    def on_page(page: Page) -> None:
        if len(context.pages) <= max_tabs:
            return
        refused[0] += 1
        if refused[0] == 1 or refused[0] % 50 == 0:
            logger.warning(
                "the page opened more than %d tabs; closed %d beyond the limit",
                max_tabs,
                refused[0],
            )
        task = asyncio.ensure_future(close_quietly(page, "a tab beyond the limit", timeout=5))
        _closing.add(task)
        task.add_done_callback(_closing.discard)

    context.on("page", on_page)


_closing: set[asyncio.Future[None]] = set()
