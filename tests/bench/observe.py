"""Benchmark observe(): speed, size and token count on the bench pages and the fixture sites.

Run by hand (not collected by pytest):

    .venv/bin/python tests/bench/observe.py [--runs 7] [--budget 1200] [--show NAME]

Bench pages (/work/shared/bench/pages/*.html, or --pages DIR) are served from loopback by
a route that fulfils the page itself and aborts every other request, so nothing reaches
the network. Fixture site pages are served by FixtureServer. For each page the table
gives elements found, interactable ones, rendered characters, tokens (litellm's counter
for gpt-4o), observe's median time over --runs runs, the main frame walker's median time
inside the page (what the walk itself costs, without the Playwright channel and Python;
on a loaded machine the two differ most), the screenshot's median time, and whether every
interactable element in the viewport made it into the render with its id.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DEFAULT_PAGES = Path("/work/shared/bench/pages")
HOSTILE_DIR = "faults/"
"""Fixture pages built to hang or crash a run (script loops, popup storms): not measured."""
PAGE_SECONDS = 120
"""A page whose measurement takes longer is skipped with a note (the table goes on)."""


def count_tokens(text: str) -> int:
    """gpt-4o tokens, counted offline (litellm is imported only here, configured first)."""
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    os.environ["LITELLM_OFFLINE_MODE"] = "true"
    import litellm

    return int(litellm.token_counter(model="gpt-4o", text=text))


async def measure(page: Any, name: str, runs: int, budget: int, show: str | None) -> dict[str, Any]:
    from agent.browser.seeing.observe import observe

    times = []
    obs = None
    for _ in range(runs):
        start = time.perf_counter()
        obs = await observe(page, token_budget=budget)
        times.append((time.perf_counter() - start) * 1000)
    assert obs is not None
    walker = await _walker_ms(page, runs)
    shots = []
    for _ in range(3):
        start = time.perf_counter()
        await page.screenshot(type="png")
        shots.append((time.perf_counter() - start) * 1000)
    text = obs.render()
    if show and show in name:
        print(f"----- {name}\n{text}\n-----")
    visible = [e for e in obs.elements if e.in_viewport and e.interactable]
    return {
        "page": name,
        "elements": len(obs.elements),
        "interactable": sum(e.interactable for e in obs.elements),
        "chars": len(text),
        "tokens": count_tokens(text),
        "observe_ms": statistics.median(times),
        "walker_ms": walker,
        "shot_ms": statistics.median(shots),
        "viewport_ok": all(f"[{e.id}]" in text for e in visible),
    }


_TIMED_WALK = """([src, args]) => {
  const walk = (0, eval)(src);
  const start = performance.now();
  walk(args);
  return performance.now() - start;
}"""


async def _walker_ms(page: Any, runs: int) -> float:
    """Median time of the main frame's walk inside the page (no channel, no Python)."""
    from agent.browser.seeing.observe import TRACKER, _script

    args = {"prefix": "", "start": 1, "tracker": TRACKER}
    times = [await page.evaluate(_TIMED_WALK, [_script(), args]) for _ in range(runs)]
    return float(statistics.median(times))


def _serve_only(url: str, body: bytes) -> Any:
    """A route handler that fulfils ``url`` with ``body`` and aborts every other request."""

    async def handler(route: Any) -> None:
        if route.request.url == url:
            await route.fulfill(body=body, content_type="text/html; charset=utf-8")
        else:
            await route.abort()

    return handler


async def bench_pages(
    browser: Any, pages_dir: Path, args: argparse.Namespace
) -> list[dict[str, Any]]:
    rows = []
    for path in sorted(pages_dir.glob("*.html")):
        context, page = await _fresh_page(browser)
        url = f"http://127.0.0.1:9/bench/{path.name}"
        await page.route("**/*", _serve_only(url, path.read_bytes()))
        await page.goto(url, wait_until="load")
        rows.append(await measure(page, f"bench/{path.name}", args.runs, args.budget, args.show))
        await context.close()
    return rows


async def fixture_pages(browser: Any, args: argparse.Namespace) -> list[dict[str, Any]]:
    from playwright.async_api import Error as PlaywrightError

    from fixtures_sites.server import SITES_DIR, FixtureServer

    rows = []
    with FixtureServer(max_lifetime=900) as server:
        for path in sorted(SITES_DIR.rglob("*.html")):
            rel = path.relative_to(SITES_DIR).as_posix()
            if rel.startswith(HOSTILE_DIR):
                continue
            context, page = await _fresh_page(browser)
            try:
                await page.goto(server.url("/" + rel), wait_until="load", timeout=10000)
                rows.append(
                    await asyncio.wait_for(
                        measure(page, rel, args.runs, args.budget, args.show), PAGE_SECONDS
                    )
                )
            except (PlaywrightError, asyncio.TimeoutError) as exc:  # reported, not fatal
                reason = str(exc) or f"no result in {PAGE_SECONDS}s"
                print(f"skip {rel}: {reason}", file=sys.stderr)
            await context.close()
    return rows


async def _fresh_page(browser: Any) -> tuple[Any, Any]:
    """A page in its own context, set up as the Agent sets up its contexts.

    Each page starts its ids at 1 (so token counts do not depend on the pages measured
    before it), and script-attached click handlers are seen from the first load.
    """
    from agent.browser.seeing.observe import track_click_listeners

    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    await track_click_listeners(context)
    return context, await context.new_page()


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| page | elements | interactable | chars | tokens | observe ms (median) "
        "| walker ms in page | screenshot ms | viewport ids |"
    )
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        lines.append(
            f"| {r['page']} | {r['elements']} | {r['interactable']} | {r['chars']} | {r['tokens']} "
            f"| {r['observe_ms']:.1f} | {r['walker_ms']:.1f} | {r['shot_ms']:.1f} "
            f"| {'all' if r['viewport_ok'] else 'MISSING'} |"
        )
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--budget", type=int, default=1200)
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--show", help="print the render of pages whose name contains this")
    args = parser.parse_args()

    from playwright.async_api import async_playwright

    from agent.browser.lifecycle.launch import launch_chromium

    async with async_playwright() as playwright:
        browser = await launch_chromium(playwright)
        try:
            rows = await bench_pages(browser, args.pages, args) if args.pages.is_dir() else []
            rows += await fixture_pages(browser, args)
        finally:
            await browser.close()
    print(table(rows))


if __name__ == "__main__":
    asyncio.run(main())
