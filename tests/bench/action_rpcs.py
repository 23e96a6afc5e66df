"""Playwright round trips and wall time per page action, on the fixture form and widgets.

Each case loads its page, observes it, then runs one action through ``act()`` while every
message the Playwright client sends to the driver is counted. Printed per case: the median
RPC count and the median milliseconds over the repeats (warm: the first repeat of each case
is not counted).

    PYTHONPATH=$PWD .venv/bin/python tests/bench/action_rpcs.py [repeats]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from playwright._impl.connection import Connection
from playwright.async_api import async_playwright

import agent.browser.acting.actions as actions_module
from agent.browser.acting.actions import act
from agent.browser.lifecycle.launch import launch_chromium
from agent.browser.lifecycle.tabs import Tabs
from agent.browser.seeing.observe import observe
from fixtures_sites.server import FixtureServer

CASES: list[tuple[str, str, str, dict[str, Any]]] = [
    # (name, page, css of the target, action without its id)
    ("form INPUT_TEXT", "/volunteer/", "#full_name", {"action_type": "INPUT_TEXT", "text": "Ann"}),
    (
        "form SELECT_OPTION",
        "/volunteer/",
        "#role",
        {"action_type": "SELECT_OPTION", "option": "Driver"},
    ),
    ("form CLICK checkbox", "/volunteer/", "#code_of_conduct", {"action_type": "CLICK"}),
    ("widgets CLICK button", "/widgets/modal.html", "#nl-close", {"action_type": "CLICK"}),
    ("widgets CLICK span", "/widgets/keys.html", "#title", {"action_type": "CLICK"}),
    (
        "widgets CLICK uncheck",
        "/widgets/controls.html",
        "#updates",
        {"action_type": "CLICK", "checked": False},
    ),
    (
        "widgets CLICK radio card",
        "/widgets/controls.html",
        "label[for=plan-pro]",
        {"action_type": "CLICK"},
    ),
    ("widgets CLICK switch", "/widgets/controls.html", "#dark", {"action_type": "CLICK"}),
    (
        "widgets SELECT_OPTION listbox",
        "/widgets/dropdowns.html",
        "#color-button",
        {"action_type": "SELECT_OPTION", "option": "Navy blue"},
    ),
    ("widgets HOVER", "/widgets/hover.html", "#account-menu", {"action_type": "HOVER"}),
    ("widgets CLICK blocked", "/widgets/modal.html", "#add", {"action_type": "CLICK"}),
]


class Counting:
    """Counts the messages sent to the Playwright driver while on."""

    def __init__(self) -> None:
        self.on = False
        self.methods: Counter[str] = Counter()
        original = Connection.send_message_to_server

        def send(conn: Connection, obj: Any, method: str, params: Any, options: Any) -> Any:
            if self.on:
                self.methods[method] += 1
            return original(conn, obj, method, params, options)

        Connection.send_message_to_server = send  # type: ignore[method-assign]


class HandlerClock:
    """Times the handler alone (act() also settles and checks the effect afterwards)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        original = actions_module._run

        async def timed(ctx: Any, action: Any) -> Any:
            start = time.perf_counter()
            try:
                return await original(ctx, action)
            finally:
                self.seconds = time.perf_counter() - start

        actions_module._run = timed  # type: ignore[assignment]


async def main(repeats: int) -> None:
    counting = Counting()
    clock = HandlerClock()
    with FixtureServer() as server:
        async with async_playwright() as playwright:
            browser = await launch_chromium(playwright)
            context = await browser.new_context()
            page = await context.new_page()
            tabs = Tabs(context, downloads_dir=Path(tempfile.mkdtemp(prefix="action-rpcs-")))
            await tabs.start()  # the run's tabs, as an Agent passes them to act()
            for name, path, css, action in CASES:
                rpcs: list[int] = []
                millis: list[float] = []
                handler_millis: list[float] = []
                methods: Counter[str] = Counter()
                messages = []
                for attempt in range(repeats + 1):
                    await page.goto(server.url(path))
                    obs = await observe(page)
                    element_id = await page.locator(css).get_attribute("data-agent-id")
                    counting.methods = Counter()
                    counting.on = True
                    start = time.perf_counter()
                    result = await act(page, {**action, "id": element_id}, obs, tabs=tabs)
                    elapsed = (time.perf_counter() - start) * 1000
                    counting.on = False
                    messages.append(f"{result.success}: {result.message[:100]}")
                    if attempt:  # the first is a warm-up
                        rpcs.append(sum(counting.methods.values()))
                        millis.append(elapsed)
                        handler_millis.append(clock.seconds * 1000)
                        methods = counting.methods
                print(
                    f"{name:32} rpcs {statistics.median(rpcs):5.1f}  "
                    f"act ms {statistics.median(millis):6.1f}  "
                    f"handler ms {statistics.median(handler_millis):6.1f}  "
                    f"{dict(methods.most_common(8))}"
                )
                print(f"{'':34}{messages[-1]}")
            tabs.detach()
            await browser.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
