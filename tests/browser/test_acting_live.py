"""A page that changes on its own (a clock ticking every 250 ms, a carousel turning) does
not make a dead click look effective: what the page was seen changing with no action behind
it is learned (agent/browser/seeing/ambient.js) and is no action's effect, while a panel
that opens on the same page still is. The observation marks the live parts, so the loop
guard's page state stays the same while the clock ticks (fixtures_sites/acting/live.html)."""

from __future__ import annotations

from typing import Any

from agent.browser.seeing.observe import observe, track_click_listeners
from engines.loops import page_state
from tests.browser.action_support import css_id, do, open_page

_TICKED = "window.ticks >= 5 && window.turns >= 4"
"""The page has shown its clock and carousel change several times (as it does while a model
thinks between two observations)."""


async def _live(page: Any, server: Any, query: str = "") -> Any:
    obs = await open_page(page, server, "/acting/live.html" + query)
    if not query:
        await page.wait_for_function(_TICKED)
        obs = await observe(page)
    return obs


async def test_a_dead_button_on_a_live_page_fails_as_on_a_still_one(page, server):
    await track_click_listeners(page)
    results = []
    for query in ("?still=1", ""):
        obs = await _live(page, server, query)
        ticks = await page.evaluate("window.ticks")
        result = await do(page, obs, action_type="CLICK", id=await css_id(page, "#print"))
        results.append(result)
        assert not result.success, (query, result.message)
        assert "had no visible effect (the click reached it)" in result.message, result.message
    # The clock really ticked while the click was judged.
    assert await page.evaluate("window.ticks") > ticks
    still, live = (r.message.split(" ", 2)[2] for r in results)  # "clicked <id> ..."
    assert still == live


async def test_a_working_button_on_a_live_page_still_reports_its_effect(page, server):
    await track_click_listeners(page)
    obs = await _live(page, server)
    result = await do(page, obs, action_type="CLICK", id=await css_id(page, "#show"))
    assert result.success, result.message
    assert await page.is_visible("#delays")
    # A button that draws its list again changed the document: that is an effect too.
    again = await do(page, obs, action_type="CLICK", id=await css_id(page, "#reload"))
    assert again.success, again.message


async def test_the_live_parts_are_marked_and_left_out_of_the_page_state(page, server):
    await track_click_listeners(page)
    first = await _live(page, server)
    clock = next(line for line in first.texts if line.text.startswith("Local time"))
    assert clock.steady == "Local time ~", clock
    fixed = next(line for line in first.texts if line.text.startswith("Departures board"))
    assert fixed.steady is None
    assert not any(e.ambient for e in first.elements)  # the buttons are not live
    await page.wait_for_function(
        "(n) => window.ticks > n + 1", arg=await page.evaluate("window.ticks")
    )
    second = await observe(page)
    assert [t.text for t in first.texts] != [t.text for t in second.texts]  # the clock moved
    assert page_state(first) == page_state(second), [t.steady for t in second.texts]
    # A real change still changes the state.
    await do(page, second, action_type="CLICK", id=await css_id(page, "#show"))
    assert page_state(await observe(page)) != page_state(second)
