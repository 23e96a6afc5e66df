"""How actions find their element: in shadow roots and frames, through the helpers installed
once per document, and what a node that goes away during the action gives."""

from __future__ import annotations

import time

from agent.browser.acting._context import frame_js
from agent.browser.seeing.observe import observe
from tests.browser.action_support import by_text, do, open_page

_HOSTS_JS = "Object.getOwnPropertyNames(window).filter(n => n.startsWith('__agentActions'))"


async def test_actions_in_open_shadow_roots_and_in_same_and_cross_origin_frames(page, server):
    obs = await open_page(page, server, "/hard_cases/shadow.html")
    user = next(e for e in obs.elements if e.attributes.get("name") == "user")
    typed = await do(page, obs, action_type="INPUT_TEXT", id=user.id, text="ann")
    assert typed.success, typed.message
    assert await page.locator("#user").input_value() == "ann"
    await page.evaluate(
        "document.querySelector('login-box').shadowRoot.querySelector('inner-button')"
        ".shadowRoot.querySelector('button').onclick = () => { document.title = 'signed in'; }"
    )
    clicked = await do(page, obs, action_type="CLICK", id=by_text(obs, "Sign in (nested shadow)"))
    assert clicked.success, clicked.message
    assert await page.title() == "signed in"

    obs = await open_page(page, server, "/hard_cases/frames.html")
    street = next(e for e in obs.elements if e.attributes.get("name") == "street")
    card = next(e for e in obs.elements if e.attributes.get("name") == "card")
    for element, text in ((street, "1 Rue"), (card, "4242")):
        result = await do(page, obs, action_type="INPUT_TEXT", id=element.id, text=text)
        assert result.success, result.message
    again = await observe(page)
    assert again.element(street.id).attributes["value"] == "1 Rue"  # type: ignore[union-attr]
    assert again.element(card.id).attributes["value"] == "4242"  # type: ignore[union-attr]
    saved = await do(page, obs, action_type="CLICK", id=by_text(obs, "Save address"))
    assert saved.success, saved.message
    inner = obs.frame_of(street.id)
    assert inner is not None and await inner.title() == "saved"


async def test_the_helpers_survive_a_page_that_overwrites_or_deletes_them(page):
    await page.set_content(
        "<input aria-label=Name id=name>"
        "<button onclick=\"document.body.append('clicked ')\">Add</button>"
    )
    obs = await observe(page)
    first = await do(page, obs, action_type="CLICK", id=by_text(obs, "Add"))
    assert first.success, first.message
    hosts = await page.evaluate(_HOSTS_JS)
    assert len(hosts) == 1  # installed in this document, under one hidden name
    await page.evaluate(
        """names => { for (const n of names) {
             try { window[n] = { call() { throw new Error("hijacked"); } }; } catch (e) {}
             try { delete window[n]; } catch (e) {}
           } }""",
        hosts,
    )
    assert await page.evaluate(_HOSTS_JS) == hosts
    typed = await do(page, obs, action_type="INPUT_TEXT", id=by_text(obs, "Name"), text="Ann")
    assert typed.success, typed.message
    assert await page.input_value("#name") == "Ann"
    again = await do(page, obs, action_type="CLICK", id=by_text(obs, "Add"))
    assert again.success, again.message
    assert (await page.inner_text("body")).count("clicked") == 2


async def test_a_checkbox_that_removes_itself_when_clicked_is_reported_gone_at_once(page):
    await page.set_content(
        "<label><input type=checkbox id=once onclick='this.remove()'> Accept once</label><p>x</p>"
    )
    obs = await observe(page)
    box = next(e for e in obs.elements if e.tag == "input")
    start = time.monotonic()
    result = await do(page, obs, action_type="CLICK", id=box.id)
    assert result.success and "gone from the page" in result.message, result.message
    assert time.monotonic() - start < 5  # told at once, not after a wait for the node


async def test_a_node_that_goes_away_during_the_action_is_stale_at_once(page):
    await page.set_content(
        "<button onmouseover='setTimeout(() => this.remove(), 30)'>Vanish</button><button>Stay</button>"
    )
    obs = await observe(page)
    vanish = by_text(obs, "Vanish")
    start = time.monotonic()
    result = await do(page, obs, action_type="HOVER", id=vanish)
    assert not result.success, result.message
    assert f"element {vanish} is no longer on the page (stale id)" in result.message
    assert time.monotonic() - start < 5


async def test_frame_helpers_run_in_a_cross_origin_frame_and_see_its_changes(page, server):
    obs = await open_page(page, server, "/hard_cases/frames.html")
    card = next(e for e in obs.elements if e.attributes.get("name") == "card")
    frame = obs.frame_of(card.id)
    assert frame is not None and frame.url.startswith(server.alt_url("/"))
    await frame_js(frame, "effectStart")  # the helpers' first call in that document
    assert await frame_js(frame, "effectRead", False) == []
    await frame.evaluate("document.body.append('paid')")
    assert "the page changed" in await frame_js(frame, "effectRead", True)
