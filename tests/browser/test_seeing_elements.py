"""Issue 22 points 4, 6 and 7: every control listed, and named (fixtures_sites/seeing)."""

from __future__ import annotations

from agent.browser.seeing.observe import observe, track_click_listeners
from tests.browser.action_support import by_text, do
from tests.browser.action_support import open_page as _open_page


async def open_page(page, server, path):
    await track_click_listeners(page)
    return await _open_page(page, server, path)


async def test_fields_below_the_fold_are_listed_and_their_autofill_twins_are_not(page, server):
    await page.set_viewport_size({"width": 1280, "height": 800})
    obs = await open_page(page, server, "/seeing/checkout.html")
    for name in ("City", "State", "ZIP code", "Phone"):
        field = obs.element(by_text(obs, name))
        assert field is not None and not field.in_viewport  # just below the fold
    # The aria-hidden, tabindex=-1 twins with the same names are not for people: no ids.
    assert await page.locator(".twin[data-agent-id]").count() == 0
    assert [e.attributes.get("name") for e in obs.elements].count("city") == 1
    # Even a render too small for the page keeps the fields a form needs next, and says
    # what else lies below, with a count and a direction.
    small = obs.render(token_budget=150)
    for name in ("City", "State", "ZIP code", "Phone"):
        assert f">{name}</input>" in small, small
    assert "… 3 more elements below" in small, small


async def test_a_focusable_table_named_by_a_label_still_shows_its_rows(page, server):
    obs = await open_page(page, server, "/seeing/checkout.html")
    text = obs.render()
    assert "<div role=table>Shopping cart</div>" in text, text
    assert "Linen throw pillow Qty 2 $58.00" in text and "Stoneware mug Qty 1 $14.95" in text, text


async def test_icon_only_controls_are_named_by_their_image_and_id(page, server):
    obs = await open_page(page, server, "/seeing/icons.html")
    text = obs.render()
    assert "<span id=send-forward>send</span>" in text, text
    assert "<span id=close-reply>discard draft</span>" in text, text
    sent = await do(page, obs, action_type="CLICK", id=by_text(obs, "send"))
    assert sent.success and await page.text_content("#log") == "sent"


async def test_class_words_are_cleaned_of_hashes_and_layout_words(page, server):
    obs = await open_page(page, server, "/seeing/icons.html")
    text = obs.render()
    assert "sc-AxjAm" not in text and "kLmNoP" not in text, text
    assert "ui-corner" not in text and "ui-widget" not in text and "…" not in text, text
    assert '<span class="spin ui-spinner-button ui-spinner-up">' in text, text
    assert '<span class="spin ui-spinner-button ui-spinner-down">' in text, text
    assert "default" not in text, text


async def test_a_tree_item_is_named_by_its_own_text_not_its_childrens(page, server):
    obs = await open_page(page, server, "/seeing/icons.html")
    items = [e.text for e in obs.elements if e.role == "treeitem"]
    assert items == ["Documents", "Report.pdf", "Budget.xlsx"], items
    assert "Documents Report.pdf" not in obs.render()


async def test_an_open_suggestion_list_lists_its_last_item_as_an_element(page, server):
    obs = await open_page(page, server, "/seeing/autocomplete.html")
    await page.locator("#from").press_sequentially("P")
    many = await observe(page)
    assert {"Pullman, WA (PUW)", "Portland, OR (PDX)"} <= {e.text for e in many.elements}
    await page.locator("#from").press_sequentially("u")
    one = await observe(page)
    item = one.element(by_text(one, "Pullman, WA (PUW)"))
    assert item is not None and item.tag == "li", one.render()
    assert "Pullman, WA (PUW)</ul>" not in one.render()
    picked = await do(page, one, action_type="CLICK", id=item.id)
    assert picked.success and await page.text_content("#picked") == "Picked Pullman, WA (PUW)"
    del obs
