"""Issue 22 points 8 and 9: honest scroll markers, states in the text (fixtures_sites/seeing)."""

from __future__ import annotations

import re

from agent.browser.seeing.observe import observe
from agent.records.observation_text import OPTIONS_NOTE
from tests.browser.action_support import by_text, do, open_page


async def test_a_partly_shown_result_keeps_its_button_and_markers_wrap_only_hidden_runs(
    page, server
):
    obs = await open_page(page, server, "/seeing/scrollbox.html")
    text = obs.render()
    box = by_text(obs, "Results")
    # Result three's text shows, its button lies past the edge: both stay on the visible side.
    assert text.index("Add three") < text.index(f"… below the visible part of [{box}]:"), text
    await page.eval_on_selector("#results", "el => el.scrollTop = 250")
    scrolled = (await observe(page)).render()
    lines = scrolled.splitlines()
    above = lines.index(f"… above the visible part of [{box}]:")
    visible = lines.index(f"… the visible part of [{box}]:")
    below = lines.index(f"… below the visible part of [{box}]:")
    assert above < lines.index("Result one: blue kettle") < visible, scrolled
    assert visible < lines.index("Result three: green kettle") < below, scrolled
    assert below < lines.index("Result six: steel kettle"), scrolled


async def test_page_summaries_agree_with_the_scroll_position(page, server):
    await page.set_viewport_size({"width": 1280, "height": 800})
    await page.goto(server.url("/seeing/checkout.html"))
    # A control moved off the page (a skip link at top:-500px) cannot be scrolled to.
    await page.evaluate(
        """() => { const a = document.createElement('a'); a.href = '#main'; a.textContent = 'Skip';
        a.style.cssText = 'position:absolute;top:-500px'; document.body.prepend(a); }"""
    )
    obs = await observe(page)
    text = obs.render(token_budget=150)
    assert "above (scroll up" not in text, text
    assert "placed off the page (not reachable by scrolling)" in text, text
    reach = int(re.search(r"Scroll: y=0 of (\d+)", text).group(1))  # type: ignore[union-attr]
    screens = int(re.search(r"~(\d+) screens? down", text).group(1))  # type: ignore[union-attr]
    assert screens <= -(-reach // 800), text


async def test_states_a_person_sees_are_in_the_text(page, server):
    obs = await open_page(page, server, "/seeing/states.html")
    text = obs.render()
    assert "Your code: ERXZ" in text, text
    assert re.search(r"<input name=nick value=\"\" invalid>Nickname", text), text
    assert "format=YYYY-MM-DD>Departure date" in text, text
    assert "format=HH:MM>Departure time" in text
    assert "format=YYYY-MM-DDTHH:MM>Reminder" in text
    assert "current=page>2</a>" in text and "7 (current)" in text, text
    assert "<div role=tab selected>Profile</div>" in text
    nxt = obs.element(by_text(obs, "Next"))
    assert nxt is not None and nxt.attributes.get("disabled") == "true" and not nxt.interactable
    assert "<li disabled>Previous</li>" in text and "?p=1 current>1</a>" in text, text
    assert f"…+4 more ({OPTIONS_NOTE})" in text, text
    chosen = await do(
        page, obs, action_type="SELECT_OPTION", id=by_text(obs, "Country"), option="Peru"
    )
    assert chosen.success, chosen.message


async def test_a_field_the_user_made_invalid_says_so(page, server):
    obs = await open_page(page, server, "/seeing/states.html")
    assert "invalid" not in (obs.element(by_text(obs, "Email")) or obs.elements[0]).attributes
    await page.locator("#email").fill("not-an-email")
    await page.locator("#email").blur()
    again = await observe(page)
    email = again.element(by_text(again, "Email"))
    assert email is not None and "@" in email.attributes.get("invalid", ""), email.attributes


async def test_a_password_field_says_empty_or_how_long_never_the_value(page, server):
    obs = await open_page(page, server, "/seeing/states.html")
    assert 'name=password value="">Password' in obs.render()
    await page.locator("input[name=password]").fill("hunter22")
    text = (await observe(page)).render()
    assert 'value="(hidden, 8 characters)">Password' in text, text
    assert "hunter22" not in text
