"""The page layer: observing a page and acting on it, for users who drive their own page.

    from agent.browser import observe, act
    observation = await observe(page)
    print(observation.render())
    result = await act(page, {"action_type": "CLICK", "id": "3"}, observation)

Playwright-dependent names load lazily, so ``import agent`` does not import Playwright.

The work lives in three packages, by concern: ``seeing`` (the in-page walker,
:func:`observe`, locators), ``acting`` (action kinds and their handlers, effects, the
in-page helpers) and ``lifecycle`` (launching and connecting, sessions, tabs, downloads,
dialogs, watchdogs). This face may import all three; inside, acting may import lifecycle
and seeing, lifecycle may import seeing, and all may import ``agent.stores`` and
``agent.records`` (the layers are in docs/architecture.md).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Imported here, not lazily: the function must win over its module of the same name.
from agent.browser.seeing.observe import observe  # noqa: F401  (re-exported)

_EXPORTS = {
    "observe": "agent.browser.seeing.observe",
    "track_click_listeners": "agent.browser.seeing.observe",
    "Observation": "agent.records.observation",
    "Element": "agent.records.observation",
    "StaleElementError": "agent.records.observation",
    "act": "agent.browser.acting.actions",
    "ActionResult": "agent.browser.acting.actions",
    "parse_actions": "agent.browser.acting.action_types",
    "Tabs": "agent.browser.lifecycle.tabs",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'agent.browser' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
