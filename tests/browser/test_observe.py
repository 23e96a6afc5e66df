"""observe(): ids, frames, shadow DOM, state, masking and the token budget, on real pages."""

from __future__ import annotations

import asyncio

import pytest

from agent.browser.seeing.observe import observe, track_click_listeners
from agent.records.observation import Observation, StaleElementError
from agent.records.observation_text import estimate_tokens


def by_text(obs: Observation, text: str) -> str:
    """Id of the element whose accessible name is ``text``."""
    matches = [e.id for e in obs.elements if e.text == text]
    assert len(matches) == 1, (text, [(e.id, e.text) for e in obs.elements])
    return matches[0]


async def test_ids_are_stable_across_observations(page, server):
    await page.goto(server.url("/hard_cases/widgets.html"))
    first = await observe(page)
    second = await observe(page)
    assert [(e.id, e.text) for e in first.elements] == [(e.id, e.text) for e in second.elements]
    save = by_text(first, "Save")
    assert await page.get_attribute(f'[data-agent-id="{save}"]', "type") == "submit"
    assert len({e.id for e in first.elements}) == len(first.elements)


async def test_removed_node_is_stale_and_its_id_is_never_reused(page, server):
    await page.goto(server.url("/hard_cases/widgets.html"))
    obs = await observe(page)
    save = by_text(obs, "Save")
    await obs.locate(page, save).evaluate("el => el.remove()")
    assert await obs.locate(page, save).count() == 0
    await page.evaluate("document.body.insertAdjacentHTML('beforeend', '<button>Save</button>')")
    again = await observe(page)
    assert again.element(save) is None
    assert by_text(again, "Save") != save
    with pytest.raises(StaleElementError, match=f"element {save} is no longer on the page"):
        again.locate(page, save)
    with pytest.raises(StaleElementError, match="stale id"):
        obs.locate(page, "9999")


async def test_cloned_node_gets_its_own_id(page, server):
    await page.goto(server.url("/hard_cases/widgets.html"))
    obs = await observe(page)
    save = by_text(obs, "Save")
    await page.evaluate(
        "id => { const b = document.querySelector(`[data-agent-id='${id}']`);"
        " b.after(b.cloneNode(true)); }",
        save,
    )
    again = await observe(page)
    ids = [e.id for e in again.elements if e.text == "Save"]
    assert ids[0] == save and len(ids) == 2 and ids[1] != save
    assert await again.locate(page, ids[1]).count() == 1


async def test_ids_are_not_reused_after_navigation(page, server):
    await page.goto(server.url("/hard_cases/widgets.html"))
    first = await observe(page)
    await page.goto(server.url("/hard_cases/shadow.html"))
    second = await observe(page)
    assert not {e.id for e in first.elements} & {e.id for e in second.elements}
    assert await first.locate(page, first.elements[0].id).count() == 0


async def test_same_and_cross_origin_frames(page, server):
    await page.goto(server.url("/hard_cases/frames.html"))
    obs = await observe(page)
    street = next(e for e in obs.elements if e.attributes.get("name") == "street")
    card = next(e for e in obs.elements if e.attributes.get("name") == "card")
    nested = next(e for e in obs.elements if e.text == "Nested terms link")
    assert street.frame and card.frame and nested.frame
    assert len({street.frame, card.frame, nested.frame}) == 3
    assert obs.frames[nested.frame].parent == card.frame
    assert street.id.startswith(street.frame + "-") and card.in_viewport
    assert street.text == "Street"
    # Only the two visible iframes and the nested one are walked.
    assert len(obs.frames) == 3
    await obs.locate(page, card.id).fill("4242")
    await obs.locate(page, street.id).fill("1 Rue")
    again = await observe(page)
    assert again.element(card.id).attributes["value"] == "4242"  # type: ignore[union-attr]
    assert again.element(street.id).attributes["value"] == "1 Rue"  # type: ignore[union-attr]
    text = again.render()
    assert text.index("Top button") < text.index("Save address") < text.index("Pay now")
    assert "  [" + card.id + "]<input" in text  # indented under its iframe


async def test_open_shadow_roots_are_walked(page, server):
    await page.goto(server.url("/hard_cases/shadow.html"))
    obs = await observe(page)
    user = next(e for e in obs.elements if e.attributes.get("name") == "user")
    assert user.text == "User name"
    button = by_text(obs, "Sign in (nested shadow)")
    link = by_text(obs, "Forgot password?")
    assert "Closed shadow button" not in obs.render()
    await obs.locate(page, user.id).fill("chris")
    await obs.locate(page, button).click()
    assert await obs.locate(page, link).get_attribute("href") == "/hard_cases/shadow.html#forgot"
    text = obs.render()
    assert text.index("Sign in inside a shadow root") < text.index("User name")
    assert text.index("Forgot password?") < text.index("After the components.")


async def test_select_and_listbox_options(page, server):
    await page.goto(server.url("/hard_cases/widgets.html"))
    obs = await observe(page)
    country = next(e for e in obs.elements if e.tag == "select")
    assert country.text == "Country" and country.attributes["value"] == "Germany"
    assert country.options is not None
    assert [o["label"] for o in country.options] == ["Choose…", "France", "Germany", "Italy"]
    assert [o["selected"] for o in country.options] == [False, False, True, False]
    assert country.options[1] == {"label": "France", "value": "fr", "selected": False, "index": 1}
    listbox = next(e for e in obs.elements if e.role == "listbox")
    assert listbox.options is not None and [o["label"] for o in listbox.options] == [
        "Red",
        "Green",
        "Blue",
    ]
    green = obs.element(listbox.options[1]["id"])
    assert green is not None and green.text == "Green" and green.attributes["selected"] == "true"
    assert 'options: "Choose…" | "France"' in obs.render()


async def test_password_value_never_leaves_the_page(page, server):
    await page.goto(server.url("/hard_cases/widgets.html"))
    secret = "hunter2-S3cret!"
    await page.fill("#password", secret)
    obs = await observe(page, screenshot=True)
    password = next(e for e in obs.elements if e.attributes.get("type") == "password")
    assert password.attributes["value"] == "(hidden, 15 characters)"  # filled, never the value
    assert secret not in obs.render()
    assert secret not in obs.model_dump_json()
    assert secret not in repr(obs)
    assert obs.screenshot is not None and obs.screenshot.startswith(b"\x89PNG")
    assert "screenshot" not in obs.model_dump()
    await page.evaluate("document.querySelector('#password').type = 'text'")  # "show password"
    shown = await observe(page)
    assert secret not in shown.render() and secret not in shown.model_dump_json()


async def test_states_and_values(page, server):
    await page.goto(server.url("/hard_cases/widgets.html"))
    await page.fill("#email", "me@example.com")
    obs = await observe(page)
    email = next(e for e in obs.elements if e.attributes.get("type") == "email")
    assert email.attributes["value"] == "me@example.com"
    assert email.attributes["required"] == "true" and email.text == "Email *"
    assert email.attributes["placeholder"] == "you@example.com"
    remember = by_text(obs, "Remember me")
    assert obs.element(remember).attributes["checked"] == "true"  # type: ignore[union-attr]
    terms = by_text(obs, "I accept the terms")  # hidden checkbox: its label is the target
    assert obs.element(terms).tag == "label"  # type: ignore[union-attr]
    delete = obs.element(by_text(obs, "Delete account"))
    assert delete is not None and not delete.interactable and delete.attributes["disabled"]
    assert "Invisible button" not in obs.render()
    photo = next(e for e in obs.elements if e.attributes.get("type") == "file")
    assert photo.attributes["hidden"] == "true" and photo.attributes["name"] == "photo"
    await obs.locate(page, photo.id).set_input_files(
        files=[{"name": "a.png", "mimeType": "image/png", "buffer": b"x"}]
    )
    assert (await observe(page)).element(photo.id).attributes["value"] == "a.png"  # type: ignore[union-attr]
    combo = obs.element(by_text(obs, "Pick a colour"))
    assert combo is not None and combo.attributes["expanded"] == "true"
    before = (await observe(page)).fingerprint()
    assert (await observe(page)).fingerprint() == before
    await obs.locate(page, remember).click()
    assert (await observe(page)).fingerprint() != before


async def test_interactables_beyond_tags_and_roles(page, server):
    await track_click_listeners(page)
    await page.goto(server.url("/hard_cases/widgets.html"))
    obs = await observe(page)
    found = {e.text: e for e in obs.elements}
    for name in (
        "Pointer card opens the offer",
        "Listener div, no pointer",
        "Inline onclick div",
        "Focusable panel",
        "Editable notes",
        "Close dialog",
        "Search",
        "Help centre",
        "Dark mode",
        "Profile",
        "More options",
    ):
        assert name in found and found[name].interactable, name
    icon = next(e for e in obs.elements if e.role == "button" and not e.text)
    assert "icon-cart" in icon.attributes["class"]
    await obs.locate(page, found["Listener div, no pointer"].id).click()
    assert "Listener fired" in (await observe(page)).render()


async def test_pointer_cursor_found_without_listener_tracking(browser, server):
    context = await browser.new_context()
    try:
        page = await context.new_page()
        await page.goto(server.url("/hard_cases/widgets.html"))
        obs = await observe(page)  # tracking only starts with the next load
        texts = {e.text for e in obs.elements}
        assert "Pointer card opens the offer" in texts and "Inline onclick div" in texts
        assert "Listener div, no pointer" not in texts
        assert "Listener div, no pointer" in obs.render()  # still read as text
    finally:
        await context.close()


async def test_text_lines_in_document_order(page, server):
    await page.goto(server.url("/hard_cases/widgets.html"))
    text = (await observe(page)).render()
    assert text.startswith("URL: ") and "\nTitle: Hard cases: widgets\n" in text
    order = [
        "# Account settings",
        "(alert) Email is invalid",
        "## Orders",
        "A-100 | $12.00",
        "(status) All changes saved",
    ]
    positions = [text.index(line) for line in order]
    assert positions == sorted(positions)
    assert "Email *" not in text.replace(">Email *</input>", "")  # the label is not repeated


async def test_budget_keeps_viewport_and_summarizes_the_rest(page, server):
    await page.goto(server.url("/hard_cases/long.html"))
    obs = await observe(page, token_budget=800)
    text = obs.render()
    assert estimate_tokens(text) <= 800
    for element in obs.elements:
        if element.in_viewport:
            assert f"[{element.id}]" in text
    assert "more elements" in text.splitlines()[-1] and "below" in text.splitlines()[-1]
    assert "Product number 200" not in text
    await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    bottom = await observe(page)
    rendered = bottom.render()
    assert "Contact" in rendered and "above" in rendered
    assert not bottom.elements[0].in_viewport and bottom.viewport.scroll_y > 0


async def test_long_hrefs_are_shortened_and_expand_back(page, server):
    await page.goto(server.url("/hard_cases/widgets.html"))
    obs = await observe(page)
    link = obs.element(by_text(obs, "Long link"))
    assert link is not None
    full = link.attributes["href"]
    short = next(line for line in obs.render().splitlines() if "Long link" in line)
    short_href = short.split('href="', 1)[1].split('"', 1)[0]
    assert "…~" in short_href and len(short_href) < len(full)
    assert obs.expand_url(short_href) == full
    assert obs.expand_url(f"open {short_href} now") == f"open {full} now"
    assert obs.expand_url("/hard_cases/long.html") == server.url("/hard_cases/long.html")
    assert obs.expand_url("https://example.com/x") == "https://example.com/x"


async def test_crowded_viewport_is_compacted_then_thinned(page, server):
    await page.goto(server.url("/hard_cases/dense.html"))
    obs = await observe(page)
    text = obs.render()
    assert estimate_tokens(text) <= obs.token_budget
    assert "more elements here like those around them" in text
    visible = [e for e in obs.elements if e.in_viewport]
    assert len(visible) > 300
    assert f"[{visible[0].id}]" in text and f"[{visible[-1].id}]" in text
    assert obs.render() is text  # rendered once per budget


async def test_blank_page_and_observing_during_navigation(page, server):
    blank = await observe(page)
    assert blank.elements == [] and "shows no text" in blank.render()
    await page.goto(server.url("/hard_cases/widgets.html"))
    navigation = page.goto(server.url("/hard_cases/shadow.html"))
    observed, _ = await asyncio.gather(observe(page), navigation)
    assert observed.url  # either page, never an error
    assert (await observe(page)).title == "Hard cases: shadow DOM"


async def test_a_hidden_iframe_costs_nothing_until_it_shows_and_then_is_read_at_once(page, server):
    await page.goto(server.url("/hard_cases/frames.html"))
    first = await observe(page)
    streets = [e for e in first.elements if e.attributes.get("name") == "street"]
    assert len(streets) == 1  # the hidden copy of the inner frame is not read
    await page.evaluate(
        "document.querySelector('iframe[title=\"Hidden tracker\"]').style.display = 'block'"
    )
    shown = await observe(page)
    streets = [e for e in shown.elements if e.attributes.get("name") == "street"]
    assert len(streets) == 2 and len({e.frame for e in streets}) == 2
    assert '<iframe "Hidden tracker">' in shown.render()
