"""Shared fixtures: the fixture-site server, a real headless Chromium, and no real LLM."""

from __future__ import annotations

import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")

from collections.abc import AsyncIterator, Iterator

import pytest

from agent.llm.call import block_real_calls
from fixtures_sites.server import FixtureServer

pytest_plugins = ["tests.services"]  # real PostgreSQL and Redis, started only when asked for

block_real_calls(True)  # no test reaches a real model; a marker-gated test may switch it off


@pytest.fixture(scope="session")
def server() -> Iterator[FixtureServer]:
    """The fixture sites on 127.0.0.1 (two ports: ``url()`` and ``alt_url()``)."""
    with FixtureServer(max_lifetime=1800) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _clear_submissions(server: FixtureServer) -> None:
    server.submissions.clear()
    server.requests.clear()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[object]:
    """One headless Chromium for the whole test session (pages get fresh contexts)."""
    from playwright.async_api import async_playwright

    from agent.browser.lifecycle.launch import launch_chromium

    async with async_playwright() as playwright:
        chromium = await launch_chromium(playwright)
        yield chromium
        await chromium.close()


@pytest.fixture
async def page(browser: object) -> AsyncIterator[object]:
    """A fresh page in its own context, closed after the test."""
    context = await browser.new_context(accept_downloads=True)  # type: ignore[attr-defined]
    pg = await context.new_page()
    yield pg
    await context.close()
