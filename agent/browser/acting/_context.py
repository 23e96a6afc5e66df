"""What every action handler shares: the target lookup, the in-page helpers, the failure type.

A handler raises :class:`ActionFailed` with a sentence the next prompt can use; :func:`act`
turns it into ``ActionResult(success=False, message=...)``. A handler that hands over to
another action type does so with :meth:`ActionContext.run`. Handlers never re-target: an
id that is unknown or whose node is gone is reported as stale.

Round trips: the helpers of ``actions.js`` are installed once per document (a hidden window
property the page cannot replace, sent again only to a new document), so a helper call sends
a few lines. :meth:`ActionContext.resolve_with` finds the observed node and runs a first
helper on it in one frame-level call, and :func:`js` on the locator it returns is one call
by id in the element's frame (a plain ``locator.evaluate`` is three: wait, evaluate, release)::

    locator, info = await ctx.resolve_with(action.id, "probe")
    hit = await js(locator, "hitTest")       # one round trip
    await locator.click(...)                 # Playwright's own actions go through the locator
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union
from weakref import WeakKeyDictionary

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator

from agent.records.observation import StaleElementError

if TYPE_CHECKING:
    from playwright.async_api import ElementHandle, Frame, Page

    from agent.browser.lifecycle.tabs import Tabs
    from agent.records.observation import Observation

Target = Union["Locator", "ElementHandle"]
"""Something Playwright can click and evaluate on: an observation locator or a handle."""

CLICK_TIMEOUT_MS = 3000
"""How long a click, hover or fill may wait for its element to become actionable."""
NAVIGATION_TIMEOUT_MS = 10_000
"""How long GOTO_URL, GO_BACK and RELOAD_PAGE wait for the new document."""


class ActionFailed(Exception):
    """An action could not be done; the message says why, for the next prompt."""


@cache
def _script() -> str:
    from agent.browser.seeing.ambient import with_ambient  # effectStart installs the learner

    return with_ambient(Path(__file__).with_name("actions.js").read_text(encoding="utf-8"))


@cache
def _host_key() -> str:
    """The window property the helpers are installed under: it changes with their text, so
    a page that outlives an upgrade gets the new helpers."""
    text = _script() + Path(__file__).with_name("actions_host.js").read_text(encoding="utf-8")
    return "__agentActions_" + hashlib.sha1(text.encode()).hexdigest()[:10]


@cache
def _install_script() -> str:
    host = Path(__file__).with_name("actions_host.js").read_text(encoding="utf-8")
    return host.replace("__KEY__", _host_key()).replace("__ACTIONS__", _script().strip())


@cache
def _call_script() -> str:
    return (
        "(first, second) => { const [el, call] = second === undefined ? [null, first] : "
        f'[first, second]; const host = window["{_host_key()}"]; '
        f'if (!host) throw new Error("{_MISSING}"); return host.call(el, call); }}'
    )


_MISSING = "__MISSING__"
_STALE = "__STALE__"


@dataclass(frozen=True)
class _Observed:
    """Where a locator that :meth:`ActionContext.resolve` gave points: a frame and an id."""

    frame: Frame
    element_id: str
    index: int
    """Its index among the nodes carrying the id attribute (the locator is ``.nth(index)``)."""


_OBSERVED: WeakKeyDictionary[Locator, _Observed] = WeakKeyDictionary()
"""The locators resolve() made: helpers run on them with one frame-level call by id."""


class StaleTarget(ActionFailed, PlaywrightError):
    """The observed element is gone from its document (removed, or the frame navigated).

    An :class:`ActionFailed` for handlers, and a Playwright error for code that already
    treats a vanished element's error as "it went away"."""


def _stale_message(element_id: str) -> str:
    return f"element {element_id} is no longer on the page (stale id); observe the page again"


async def _call(
    evaluate: Callable[[str, object], Awaitable[Any]],
    call: list[object],
    element_id: str,
    *,
    install: bool = False,
) -> Any:
    """One helper call through the installed host; the whole script only where it is missing
    (or with ``install``, where it most likely is: the first call after an observation)."""
    if not install:
        try:
            return await evaluate(_call_script(), call)
        except PlaywrightError as exc:
            if _STALE in str(exc):
                raise StaleTarget(_stale_message(element_id)) from None
            if _MISSING not in str(exc):
                raise
    try:
        return await evaluate(_install_script(), call)
    except PlaywrightError as exc:
        if _STALE in str(exc):
            raise StaleTarget(_stale_message(element_id)) from None
        raise


def _route(
    target: Target, handle: bool
) -> tuple[Callable[[str, object], Awaitable[Any]], str | None]:
    """How to evaluate on ``target``: its frame with its id (one round trip) when resolve()
    made it, else the element itself."""
    observed = _OBSERVED.get(target) if isinstance(target, Locator) else None
    if observed is not None:
        evaluate = observed.frame.evaluate_handle if handle else observed.frame.evaluate
        return evaluate, observed.element_id
    return (target.evaluate_handle if handle else target.evaluate), None


async def js(target: Target, name: str, arg: object = None) -> Any:
    """Run helper ``name`` of ``actions.js`` on ``target`` (an element).

    On a locator from :meth:`ActionContext.resolve` this is one round trip, and an element
    gone since raises :class:`StaleTarget`."""
    evaluate, element_id = _route(target, handle=False)
    return await _call(evaluate, [element_id, name, arg, False], element_id or "")


async def js_handle(target: Target, name: str, arg: object = None) -> ElementHandle | None:
    """Run a helper that returns an element; give it back as a handle (or None)."""
    evaluate, element_id = _route(target, handle=True)
    handle = await _call(evaluate, [element_id, name, arg, False], element_id or "")
    element: ElementHandle | None = handle.as_element()
    if element is None:
        await handle.dispose()
    return element


async def page_js(page: Page, name: str, arg: object = None) -> Any:
    """Run helper ``name`` of ``actions.js`` in the page's main frame, with no element.

    One round trip that carries the helpers: a page-level action is most often the first
    helper call in its document."""
    return await _call(page.main_frame.evaluate, [None, name, arg, None], "", install=True)


async def frame_js(frame: Frame, name: str, arg: object = None) -> Any:
    """Run helper ``name`` of ``actions.js`` in ``frame``, with no element: one short round
    trip where the helpers are installed (two the first time in a document)."""
    return await _call(frame.evaluate, [None, name, arg, None], "")


def norm(text: str) -> str:
    """Lower-case, whitespace collapsed: the form in which labels are compared."""
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass
class ActionContext:
    """The page, the observation the action refers to, the run's tabs and allowed uploads."""

    page: Page
    observation: Observation | None
    tabs: Tabs
    upload_files: tuple[Path, ...] = field(default_factory=tuple)
    tabs_given: bool = True
    """False when act() made a throwaway Tabs for this one action (no tab actions then)."""
    expect_activity: float = 0.0
    """Seconds worth waiting for the action's effect to start, set by a handler whose action
    most likely navigates, opens a tab or downloads (0: use the action type's short grace)."""
    effect: Any = None
    """An :class:`~agent.browser.acting.effects.EffectProbe` a handler started: act() checks after
    settling that the action had a visible effect."""

    def describe(self, element_id: str) -> str:
        """``12 (<button> "Submit application")``: how messages name an element."""
        element = self.observation.element(element_id) if self.observation else None
        if element is None:
            return str(element_id)
        text = element.text.strip()
        if len(text) > 40:
            text = text[:37] + "..."
        kind = element.tag if not element.role else f"{element.tag} role={element.role}"
        return f'{element.id} (<{kind}> "{text}")' if text else f"{element.id} (<{kind}>)"

    async def run(self, action_type: str, **fields: Any) -> str | tuple[str, Any]:
        """Run another action type's handler on this same context (a handler hands over:
        INPUT_TEXT on a ``<select>`` is a SELECT_OPTION); handlers never import each other."""
        from agent.browser.acting.action_kind import action_kind

        kind = action_kind(action_type)
        if kind.handler is None:
            raise ActionFailed(f"{action_type} is decided by the engine, not run on the page")
        return await kind.handler(self, kind.model(action_type=action_type, **fields))

    async def resolve(self, element_id: str) -> Locator:
        """The locator of ``element_id``; ActionFailed if it is unknown or gone (stale)."""
        locator, _ = await self.resolve_with(element_id, None)
        return locator

    async def resolve_with(
        self, element_id: str, helper: str | None, arg: object = None
    ) -> tuple[Locator, Any]:
        """:meth:`resolve`, and helper ``helper`` of ``actions.js`` run on the element in the
        same round trip (None: no helper, None back)."""
        if self.observation is None:
            raise ActionFailed(
                f"there is no observation to find element {element_id} in; observe the page first"
            )
        try:
            locator = self.observation.locate(self.page, element_id)
        except StaleElementError as exc:
            raise ActionFailed(str(exc)) from None
        element = self.observation.element(element_id)
        assert element is not None  # locate() raised otherwise
        frame = self.observation.frame_of(element.id) or self.page.main_frame
        # A node that merely copied the attribute (cloneNode, outerHTML) is not the observed
        # one: the walker's own registry says which node owns the id.
        index, value = await _call(
            frame.evaluate, [element.id, helper, arg, None], element.id, install=True
        )
        if index < 0:  # no node owns the id
            raise ActionFailed(_stale_message(element_id))
        resolved = locator.nth(index)
        _OBSERVED[resolved] = _Observed(frame, element.id, index)
        return resolved, value
