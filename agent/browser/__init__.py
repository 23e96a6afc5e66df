"""The page layer: observing a page and acting on it, for users who drive their own page.

    from agent.browser import observe, act
    observation = await observe(page)
    print(observation.render())
    result = await act(page, {"action_type": "CLICK", "id": "3"}, observation)

Playwright-dependent names load lazily, so ``import agent`` does not import Playwright.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Imported here, not lazily: the function must win over its module of the same name.
from agent.browser.observe import observe  # noqa: F401  (re-exported)

_EXPORTS = {
    "observe": "agent.browser.observe",
    "track_click_listeners": "agent.browser.observe",
    "Observation": "agent.browser.observation",
    "Element": "agent.browser.observation",
    "StaleElementError": "agent.browser.observation",
    "act": "agent.browser.actions",
    "ActionResult": "agent.browser.actions",
    "parse_actions": "agent.browser.action_types",
    "Tabs": "agent.browser.tabs",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'agent.browser' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
