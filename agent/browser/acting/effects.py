"""Did a click or a key press do anything? The effect probe behind CLICK and KEYPRESS.

A handler starts an :class:`EffectProbe` just before the input event (``actions.js``
``effectStart`` records DOM mutations, ``input``/``change``/``scroll``/``toggle`` events,
focus, the selection and the target's own state), and :func:`verify_effect` reads it after
:func:`~agent.browser.acting.actions.act` has settled. Besides what the page did in the document,
the action watch counts too: a navigation, a new tab, a dialog, a download, and so does a
request a script sent (fetch, XHR), whose answer may change the page later. What the page
changes on its own (a ticking clock, a turning carousel, learned by
:mod:`agent.browser.seeing.ambient`) is not counted: ``effectRead`` says "the page changed"
only for mutations outside such live content.

A click is fired once. When nothing at all happened within a short window
(:data:`EFFECT_WINDOW_SECONDS`), where the real click landed decides (a capturing listener
records it):

- it reached the element itself: a second, script click would only do the same again (a
  handler that sends a message after a pause would send it twice), so none is made; the
  action waits a little longer (:data:`LATE_EFFECT_SECONDS`) for a late effect, such as a
  request sent after an "undo" pause, and otherwise fails with "had no visible effect";
- it landed on a node inside the element (a ``<span>`` whose handler ignores clicks on its
  icon) or never reached it (something else took it): after that same longer wait, a
  script click on the element itself, and the message says so when that worked.

A request a script sent (fetch, XHR, beacon) is an effect of its own: the message names
it (``the page sent POST /api/send``), so a send button whose page shows nothing is
reported as done, not as a click to try again.

    probe = await EffectProbe.start(ctx, locator, "click", what)
    ...  # the click
    ctx.effect = probe          # act() verifies after settling
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator

from agent.browser.acting._context import ActionContext, Target, frame_js, js

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.async_api import Frame, Page, Request

    from agent.browser.acting.watch import ActionWatch

EFFECT_WINDOW_SECONDS = 0.5
"""How long after the action (settling included) an effect may take to show."""
LATE_EFFECT_SECONDS = 1.0
"""How much longer a click that reached its element waits for a late effect (a request sent
after a pause) before it is reported without one or retried by script."""
_POLL_SECONDS = 0.07
_SCRIPT_REQUESTS = frozenset({"fetch", "xhr", "websocket", "eventsource", "ping"})
_NAMED_REQUESTS = 3


@dataclass
class EffectProbe:
    """What is being watched for one action: the frame, the target and how to retry."""

    frame: Frame
    kind: str
    """``"click"`` or ``"keypress"``."""
    what: str
    """How the message names the target."""
    target: Target | None = None
    retry_by_script: bool = False
    """A script click may still work (the element has no native activation behaviour)."""
    downloads_before: int = 0
    seen: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    """Script requests (fetch, XHR, beacon, WebSocket) sent since the start: ``POST /api/send``."""
    _unlisten: Callable[[], None] | None = field(default=None, repr=False)

    @classmethod
    async def start(
        cls,
        ctx: ActionContext,
        target: Target | None,
        kind: str,
        what: str,
        *,
        element_id: str | None = None,
        native: bool | None = None,
    ) -> EffectProbe:
        """Begin recording in the target's frame (the main frame without a target).

        ``element_id`` lets the observation name the frame (saving round trips); ``native``
        is the probe's ``native_activation`` when the caller has it already.
        """
        frame = ctx.page.main_frame
        retry = False
        if target is not None:
            known = ctx.observation.frame_of(element_id) if ctx.observation and element_id else None
            frame = known or await _frame_of(ctx, target)
            if native is None:
                native = bool(await js(target, "nativeActivation"))
            retry = kind == "click" and not native
        probe = cls(
            frame=frame,
            kind=kind,
            what=what,
            target=target,
            retry_by_script=retry,
            downloads_before=ctx.tabs.started_downloads,
        )
        if target is not None:
            await js(target, "effectStart")
        else:
            await frame_js(frame, "effectStart")
        probe._listen(ctx.page)
        return probe

    def _listen(self, page: Page) -> None:
        # A request sent by a script counts: its answer may change the page after the
        # window, and a second (script) click would then do the thing twice.
        def on_request(request: Request) -> None:
            if request.resource_type in _SCRIPT_REQUESTS:
                self.requests.append(f"{request.method} {urlsplit(request.url).path or '/'}")

        page.on("request", on_request)
        self._unlisten = lambda: page.remove_listener("request", on_request)

    async def reached(self) -> str:
        """Where the real click landed: ``"self"``, ``"inside"``, ``"elsewhere"`` or ``""``."""
        try:
            return str(await frame_js(self.frame, "effectReached") or "")
        except PlaywrightError:
            return ""

    def sent(self) -> str:
        """The requests seen, for the message: ``; the page sent POST /a`` ("" when none)."""
        if not self.requests:
            return ""
        named = ", ".join(dict.fromkeys(self.requests[:_NAMED_REQUESTS]))
        more = len(self.requests) - _NAMED_REQUESTS
        return f"; the page sent {named}" + (f" and {more} more requests" if more > 0 else "")

    def close(self) -> None:
        """Stop listening to the page's requests (idempotent)."""
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None

    async def read(self, *, stop: bool = False) -> list[str]:
        """What changed in the document since the start (``["the page was replaced"]`` if gone)."""
        try:
            seen: list[str] = await frame_js(self.frame, "effectRead", stop)
        except PlaywrightError:  # the frame navigated or was removed: that is an effect
            seen = ["the page was replaced"]
        self.seen = seen
        return seen


async def _frame_of(ctx: ActionContext, target: Target) -> Frame:
    if isinstance(target, Locator):
        handle = await target.element_handle(timeout=1000)
        try:
            frame = await handle.owner_frame()
        finally:
            await handle.dispose()
    else:
        frame = await target.owner_frame()
    return frame or ctx.page.main_frame


def _outside(watch: ActionWatch, probe: EffectProbe) -> bool:
    """Something happened beyond the document: a navigation, a tab, a dialog, a download."""
    return bool(
        probe.requests
        or watch.page_changed
        or watch.new_dialogs
        or watch.new_downloads
        or watch.new_download_errors
        or watch.tabs.started_downloads > probe.downloads_before
    )


async def _wait_for_effect(watch: ActionWatch, probe: EffectProbe, seconds: float) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        if _outside(watch, probe) or await probe.read():
            return True
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(_POLL_SECONDS)


async def verify_effect(
    ctx: ActionContext, watch: ActionWatch, probe: EffectProbe, message: str
) -> tuple[bool, str]:
    """After the action settled: (success, message), with no-effect actions failed."""
    try:
        if await _wait_for_effect(watch, probe, EFFECT_WINDOW_SECONDS):
            return True, _with_requests(probe, message)
        if probe.kind == "keypress":
            return False, (
                f"{message} but nothing changed on the page (no change, focus move, scroll, "
                "request or navigation): the keys went nowhere; name the element that should "
                "receive them by its id (KEYPRESS takes an id too)"
            )
        reached = await probe.reached()
        if await _wait_for_effect(watch, probe, LATE_EFFECT_SECONDS):
            return True, _with_requests(probe, message)
        if probe.retry_by_script and probe.target is not None and reached != "self":
            return await _script_retry(watch, probe, message)
        landed = " (the click reached it)" if reached == "self" else ""
        return False, (
            f"{message} but it had no visible effect{landed}: nothing on the page changed "
            "and there was no request, navigation, focus move, new tab, dialog or download; "
            "it may not be a control, or the page ignores it now"
        )
    finally:
        probe.close()
        await probe.read(stop=True)


async def _script_retry(watch: ActionWatch, probe: EffectProbe, message: str) -> tuple[bool, str]:
    """The mouse click never reached the element itself: click it once more, by script."""
    assert probe.target is not None
    try:
        await js(probe.target, "scriptClick")
    except PlaywrightError:
        return True, message  # the element went away meanwhile: something happened
    await watch.settle(0.1)
    if await _wait_for_effect(watch, probe, EFFECT_WINDOW_SECONDS):
        return True, _with_requests(
            probe, f"{message} (the mouse click had no effect, so it was clicked by script)"
        )
    return False, (
        f"clicked {probe.what} but it had no visible effect: nothing on the page changed, "
        "no request, navigation, focus, new tab, dialog or download, even with a script "
        "click; try another element (a parent, a child or a nearby control)"
    )


def _with_requests(probe: EffectProbe, message: str) -> str:
    sent = probe.sent()
    if not sent or probe.seen:
        return message + sent
    return f"{message}{sent} (nothing on the page changed)"


__all__ = ["EFFECT_WINDOW_SECONDS", "LATE_EFFECT_SECONDS", "EffectProbe", "verify_effect"]
