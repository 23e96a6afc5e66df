"""What every action handler shares: the target lookup, the in-page helpers, the failure type.

A handler raises :class:`ActionFailed` with a sentence the next prompt can use; :func:`act`
turns it into ``ActionResult(success=False, message=...)``. A handler that hands over to
another action type does so with :meth:`ActionContext.run`. Handlers never re-target: an
id that is unknown or whose node is gone is reported as stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from agent.browser.observation import StaleElementError

if TYPE_CHECKING:
    from playwright.async_api import ElementHandle, Locator, Page

    from agent.browser.observation import Observation
    from agent.browser.tabs import Tabs

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
    return Path(__file__).with_name("actions.js").read_text(encoding="utf-8")


async def js(target: Target, name: str, arg: object = None) -> Any:
    """Run helper ``name`` of ``actions.js`` on ``target`` (an element)."""
    return await target.evaluate(_script(), [name, arg])


async def js_handle(target: Target, name: str, arg: object = None) -> ElementHandle | None:
    """Run a helper that returns an element; give it back as a handle (or None)."""
    handle = await target.evaluate_handle(_script(), [name, arg])
    element = handle.as_element()
    if element is None:
        await handle.dispose()
    return element


async def page_js(page: Page, name: str, arg: object = None) -> Any:
    """Run helper ``name`` of ``actions.js`` in the page's main frame, with no element."""
    return await page.evaluate(_script(), [name, arg])


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
    """An :class:`~agent.browser.effects.EffectProbe` a handler started: act() checks after
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
        from agent.browser.action_kind import action_kind

        kind = action_kind(action_type)
        if kind.handler is None:
            raise ActionFailed(f"{action_type} is decided by the engine, not run on the page")
        return await kind.handler(self, kind.model(action_type=action_type, **fields))

    async def resolve(self, element_id: str) -> Locator:
        """The locator of ``element_id``; ActionFailed if it is unknown or gone (stale)."""
        if self.observation is None:
            raise ActionFailed(
                f"there is no observation to find element {element_id} in; observe the page first"
            )
        try:
            locator = self.observation.locate(self.page, element_id)
        except StaleElementError as exc:
            raise ActionFailed(str(exc)) from None
        # A node that merely copied the attribute (cloneNode, outerHTML) is not the observed
        # one: the walker's own registry says which node owns the id.
        index = await locator.evaluate_all(_OWNER_JS)  # -1 when no node has the id
        if index < 0:
            raise ActionFailed(
                f"element {element_id} is no longer on the page (stale id); observe the page again"
            )
        return locator.nth(index)


_OWNER_JS = """els => els.findIndex(el => {
  const state = window.__agentDomState;
  return !state || !state.ids || state.ids.get(el) === el.getAttribute("data-agent-id");
})"""
