"""What typing like a person costs: act() times of INPUT_TEXT on a plain form field and on
an autocomplete (whose wait for the list is part of the action), and of a click whose only
effect is a late request.

    .venv/bin/python tests/bench/acting.py [repeats]

Run it from a checkout; it prints medians (the machine's load shows in them: compare runs
made one after the other).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from playwright.async_api import async_playwright

from agent.browser.acting.actions import act
from agent.browser.lifecycle.launch import launch_chromium
from agent.browser.seeing.observe import observe
from fixtures_sites.server import FixtureServer


async def _timed(
    page: Any, server: FixtureServer, path: str, selector: str, action: dict[str, Any]
) -> float:
    await page.goto(server.url(path))
    observation = await observe(page)
    element_id = await page.locator(selector).get_attribute("data-agent-id")
    started = time.monotonic()
    result = await act(page, {**action, "id": element_id}, observation)
    if not result.success:
        print(f"  failed: {result.message[:100]}")
    return time.monotonic() - started


async def main(repeats: int) -> None:
    cases = {
        "INPUT_TEXT, plain field, 23 chars": (
            "/lever/apply",
            "input[name=name]",
            {"action_type": "INPUT_TEXT", "text": "Chris P Bacon the third"},
        ),
        "INPUT_TEXT, autocomplete (300 ms pause)": (
            "/acting/airports.html",
            "#from",
            {"action_type": "INPUT_TEXT", "text": "Pullm"},
        ),
        "CLICK, request after 0.7 s": (
            "/acting/send.html",
            "#send-later",
            {"action_type": "CLICK"},
        ),
    }
    with FixtureServer() as server:
        async with async_playwright() as playwright:
            browser = await launch_chromium(playwright)
            page = await (await browser.new_context()).new_page()
            for name, (path, selector, action) in cases.items():
                times = [await _timed(page, server, path, selector, action) for _ in range(repeats)]
                print(
                    f"{name:45} median {statistics.median(times) * 1000:6.0f} ms ({repeats} runs)"
                )
            await browser.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
