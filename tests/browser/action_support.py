"""Helpers shared by the tests/browser/test_actions_*.py modules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from agent.browser.acting.actions import ActionResult, act
from agent.browser.lifecycle.tabs import Tabs
from agent.browser.seeing.observe import observe
from agent.records.observation import Observation
from fixtures_sites.server import FixtureServer


@pytest.fixture(name="tabs")
async def tabs_fixture(page: Any, tmp_path: Path) -> AsyncIterator[Tabs]:
    """The run's Tabs around the test page's context, saving downloads under tmp_path."""
    run_tabs = Tabs(page.context, downloads_dir=tmp_path / "downloads")
    await run_tabs.start()
    yield run_tabs
    run_tabs.detach()


async def open_page(page: Any, server: FixtureServer, path: str) -> Observation:
    await page.goto(server.url(path))
    return await observe(page)


def by_text(obs: Observation, text: str, *, tag: str | None = None) -> str:
    """Id of the one element whose accessible name is ``text`` (or starts with it)."""
    hits = [e for e in obs.elements if e.text == text and (tag is None or e.tag == tag)]
    if not hits:
        hits = [
            e for e in obs.elements if e.text.startswith(text) and (tag is None or e.tag == tag)
        ]
    assert len(hits) == 1, (text, [(e.id, e.tag, e.text) for e in obs.elements])
    return hits[0].id


async def css_id(page: Any, selector: str) -> str:
    """The observation id of the element ``selector`` finds (observe first)."""
    value = await page.locator(selector).get_attribute("data-agent-id")
    assert value, f"{selector} has no data-agent-id: was it observed?"
    return str(value)


async def do(
    page: Any, obs: Observation | None, tabs: Tabs | None = None, **action: Any
) -> ActionResult:
    """act() with the action given as keywords (``followed``: act()'s); returns the result."""
    followed = bool(action.pop("followed", False))
    uploads = action.pop("_uploads", ())
    return await act(page, action, obs, tabs=tabs, upload_files=uploads, followed=followed)
