"""Chromium's launch flags: ours keep Playwright's disabled features, and no window brings
an omnibox popup renderer with it."""

from __future__ import annotations

import re
from pathlib import Path

import playwright
import pytest

from agent.browser.lifecycle import launch
from agent.browser.lifecycle.launch import (
    CHROMIUM_ARGS,
    OWN_DISABLED_FEATURES,
    PLAYWRIGHT_DISABLED_FEATURES,
    launch_chromium,
)

DISABLED_LIST = re.compile(r"disabledFeatures\s*=\s*\[(.*?)\]", re.DOTALL)


def playwright_disabled_features() -> set[str]:
    """The features the installed Playwright's driver disables, read from its JavaScript."""
    lib = Path(playwright.__file__).parent / "driver" / "package" / "lib"
    candidates = [*lib.rglob("chromiumSwitches.js"), *lib.glob("coreBundle.js")]
    for source in candidates:
        found = DISABLED_LIST.search(source.read_text(encoding="utf-8"))
        if found:
            body = re.sub(r"//[^\n]*", "", found.group(1))
            return set(re.findall(r"\"([A-Za-z0-9]+)\"", body))
    raise AssertionError(
        f"no `disabledFeatures = [...]` in {[str(c) for c in candidates]}: the installed "
        "Playwright keeps its Chromium switches elsewhere; point this test at them"
    )


def test_our_disable_features_flag_carries_playwrights_list():
    # Chromium honours only the last --disable-features; ours comes after Playwright's.
    flags = [arg for arg in CHROMIUM_ARGS if arg.startswith("--disable-features=")]
    assert len(flags) == 1
    ours = set(flags[0].removeprefix("--disable-features=").split(","))
    assert set(OWN_DISABLED_FEATURES) <= ours
    theirs = playwright_disabled_features()
    assert theirs, "found Playwright's list but no feature names in it"
    missing = theirs - set(PLAYWRIGHT_DISABLED_FEATURES)
    assert not missing, (
        f"Playwright {playwright.__version__} also disables {sorted(missing)}: add them to "
        "agent.browser.lifecycle.launch.PLAYWRIGHT_DISABLED_FEATURES, or our flag turns them "
        "back on"
    )


async def _omnibox_targets(browser: object) -> list[str]:
    context = await browser.new_context()  # type: ignore[attr-defined]
    try:
        await context.new_page()
        session = await browser.new_browser_cdp_session()  # type: ignore[attr-defined]
        targets = await session.send("Target.getTargets", {"filter": [{}]})
        await session.detach()
    finally:
        await context.close()
    return [t["url"] for t in targets["targetInfos"] if "omnibox-popup" in t["url"]]


async def test_a_window_opens_no_omnibox_popup_renderer(monkeypatch):
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        # Without our flag, a full Chromium draws each window's omnibox popup in a renderer
        # of its own (Playwright's headless shell has none: nothing to prove there).
        plain = [arg for arg in CHROMIUM_ARGS if not arg.startswith("--disable-features=")]
        monkeypatch.setattr(launch, "CHROMIUM_ARGS", plain)
        browser = await launch_chromium(pw)
        try:
            without = await _omnibox_targets(browser)
        finally:
            await browser.close()
        if not without:
            pytest.skip("this Chromium opens no omnibox popup renderer (a headless shell)")
        monkeypatch.undo()
        browser = await launch_chromium(pw)
        try:
            assert await _omnibox_targets(browser) == []
        finally:
            await browser.close()
