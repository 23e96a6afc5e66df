"""Issue 22 point 5 and 10: pages are read settled, screenshots carry the ids (fixtures_sites/seeing)."""

from __future__ import annotations

from agent.browser.seeing.observe import observe, track_click_listeners
from agent.browser.seeing.settle import settle
from tests.browser.action_support import by_text, do


async def test_an_app_that_renders_after_load_is_read_whole(page, server):
    await track_click_listeners(page)
    await page.goto(server.url("/seeing/late.html"), wait_until="domcontentloaded")
    obs = await observe(page, settled=True)
    text = obs.render()
    assert "Export orders" in text and "Loading..." not in text, text
    assert obs.settle_ms is not None and obs.unsettled == []


async def test_a_section_that_slides_open_is_read_once_it_is_open(page, server):
    await track_click_listeners(page)
    await page.goto(server.url("/seeing/accordion.html"))
    obs = await observe(page, settled=True)
    assert "Return shipping label" not in obs.render()  # the panel is closed: nothing shows
    clicked = await do(page, obs, action_type="CLICK", id=by_text(obs, "Shipping questions"))
    assert clicked.success, clicked.message
    after = await observe(page, settled=True)
    assert "Return shipping label" in after.render(), after.render()


async def test_a_page_that_never_settles_is_read_after_the_cap_with_what_was_busy(page, server):
    await track_click_listeners(page)
    await page.goto(server.url("/seeing/never.html"), wait_until="domcontentloaded")
    report = await settle(page)
    assert not report.settled and "animation" in report.busy, report
    obs = await observe(page)
    assert "Buy" in obs.render()


async def test_settle_without_the_tracker_still_waits_for_an_animation(page, server):
    await page.goto(server.url("/seeing/accordion.html"))  # no init script on this page
    await page.click("#toggle")
    report = await settle(page)
    assert report.settled, report
    assert "Return shipping label" in (await observe(page)).render()


async def test_the_vision_screenshot_carries_the_ids_and_leaves_the_page_as_it_was(page, server):
    await page.goto(server.url("/seeing/checkout.html"))
    plain = await page.screenshot(type="png")
    before = await page.locator("input[name=name]").bounding_box()
    obs = await observe(page, screenshot=True)
    assert obs.screenshot is not None and obs.screenshot != plain
    # While the labels are drawn they name the listed ids; after capture they are gone, and
    # the page looks and lies out as before.
    assert await page.locator("[data-agent-overlay]").count() == 0
    assert await page.screenshot(type="png") == plain
    assert await page.locator("input[name=name]").bounding_box() == before


async def test_the_labels_drawn_are_the_ids_of_the_listed_elements(page, server):
    from agent.browser.seeing import id_labels

    await page.goto(server.url("/seeing/checkout.html"))
    seen: list[list[str]] = []
    original = page.screenshot

    async def spy(**kwargs):  # read the drawing at the moment of capture
        seen.append(await page.evaluate(_READ_LABELS))
        return await original(**kwargs)

    page.screenshot = spy
    obs = await observe(page, screenshot=True)
    listed = [e.id for e in obs.elements if e.in_viewport]
    assert seen and seen[0] == listed[: id_labels.MAX_LABELS], (seen, listed)
    text = obs.render()
    assert all(f"[{i}]" in text for i in seen[0])


_READ_LABELS = """() => {
  const host = document.querySelector("[data-agent-overlay]");
  return host ? host.getAttribute("data-agent-ids").split(" ") : [];
}"""
