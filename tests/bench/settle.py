"""Benchmark settle(): how long a page is waited for before observe() reads it.

Run by hand (not collected by pytest):

    .venv/bin/python tests/bench/settle.py [--runs 5] [--pages DIR]

Bench pages (/work/shared/bench/pages/*.html) are served as tests/bench/observe.py serves
them (every other request aborted), opened with ``wait_until="domcontentloaded"`` as the
engines open a start page. For each page: the wait right after DOMContentLoaded, what was
still busy then (empty: it settled before the cap), and the median wait on the settled
page (what every later observation pays when nothing moves). Fixture pages that settle
late or never (fixtures_sites/seeing/late.html, never.html) show the bounds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
SEEING = ("seeing/late.html", "seeing/accordion.html", "seeing/never.html")


async def _row(page: Any, name: str, runs: int) -> str:
    from agent.browser.seeing.settle import settle

    first = await settle(page)
    later = [(await settle(page)).waited_ms for _ in range(runs)]
    busy = ",".join(first.busy) or "-"
    return f"| {name} | {first.waited_ms:.1f} | {busy} | {statistics.median(later):.1f} |"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", type=Path, default=Path("/work/shared/bench/pages"))
    args = parser.parse_args()

    from playwright.async_api import async_playwright

    from agent.browser.lifecycle.launch import launch_chromium
    from agent.browser.seeing.observe import track_click_listeners
    from fixtures_sites.server import FixtureServer
    from tests.bench.observe import _serve_only

    rows = ["| page | wait after DOMContentLoaded ms | still busy | wait when settled ms |"]
    rows.append("|---|---:|---|---:|")
    async with async_playwright() as playwright:
        browser = await launch_chromium(playwright)
        try:
            targets: list[tuple[str, str, bytes | None]] = [
                (f"bench/{p.name}", f"http://127.0.0.1:9/bench/{p.name}", p.read_bytes())
                for p in sorted(args.pages.glob("*.html"))
            ]
            with FixtureServer() as server:
                targets += [(rel, server.url("/" + rel), None) for rel in SEEING]
                for name, url, body in targets:
                    context = await browser.new_context(viewport={"width": 1280, "height": 800})
                    await track_click_listeners(context)
                    page = await context.new_page()
                    if body is not None:
                        await page.route("**/*", _serve_only(url, body))
                    await page.goto(url, wait_until="domcontentloaded")
                    rows.append(await _row(page, name, args.runs))
                    await context.close()
        finally:
            await browser.close()
    print("\n".join(rows))


if __name__ == "__main__":
    asyncio.run(main())
