"""act() on the widgets that break naive agents: custom dropdowns, overlays, hover menus, keys, scrolling."""

from __future__ import annotations

import time

from agent.browser.acting.action_types import parse_action
from agent.browser.acting.page_actions import MAX_WAIT_SECONDS
from agent.browser.seeing.observe import observe
from tests.browser.action_support import by_text, css_id, do, open_page


async def test_native_select_fuzzy_label_and_a_page_that_reverts(page, server):
    obs = await open_page(page, server, "/widgets/dropdowns.html")
    shipping = by_text(obs, "Shipping")
    fuzzy = await do(
        page, obs, action_type="SELECT_OPTION", id=shipping, option={"label": "pick up"}
    )
    assert fuzzy.success and "'Pick up in store'" in fuzzy.message
    assert await page.input_value("#shipping") == "pickup"
    by_value = await do(
        page, obs, action_type="SELECT_OPTION", id=shipping, option={"value": "standard"}
    )
    assert by_value.success and await page.input_value("#shipping") == "standard"
    refused = await do(
        page, obs, action_type="SELECT_OPTION", id=shipping, option={"label": "Express"}
    )
    assert not refused.success and "changed it back to 'Standard (3-5 days)'" in refused.message
    missing = await do(
        page, obs, action_type="SELECT_OPTION", id=shipping, option={"label": "Drone"}
    )
    assert not missing.success and "no option matches 'Drone'" in missing.message
    assert '"Pick up in store"' in missing.message  # the options are listed for the next step
    typed = await do(page, obs, action_type="INPUT_TEXT", id=shipping, text="Standard")
    assert typed.success and await page.input_value("#shipping") == "standard"
    typo = await do(
        page, obs, action_type="SELECT_OPTION", id=shipping, option={"label": "Pick up in stroe"}
    )
    assert typo.success and await page.input_value("#shipping") == "pickup"


async def test_custom_dropdowns_listbox_menu_and_combobox(page, server):
    obs = await open_page(page, server, "/widgets/dropdowns.html")
    colour = await do(
        page,
        obs,
        action_type="SELECT_OPTION",
        id=by_text(obs, "Shirt colour"),
        option={"label": "navy"},
    )
    assert colour.success and "'Navy blue'" in colour.message, colour.message
    assert await page.input_value("#color-value") == "navy"
    size_id = await css_id(page, "#size-trigger")
    size = await do(page, obs, action_type="SELECT_OPTION", id=size_id, option={"label": "Large"})
    assert size.success, size.message
    city = await do(
        page,
        obs,
        action_type="SELECT_OPTION",
        id=by_text(obs, "Delivery city"),
        option={"label": "Prague"},
    )
    assert city.success and "picked the suggestion 'Prague'" in city.message, city.message
    ambiguous = await do(
        page,
        obs,
        action_type="SELECT_OPTION",
        id=by_text(obs, "Shirt colour"),
        option={"label": "blue"},
    )
    assert not ambiguous.success and "matches several options" in ambiguous.message
    assert '"Navy blue"' in ambiguous.message and '"Sky blue"' in ambiguous.message
    await do(page, obs, action_type="KEYPRESS", keys=["Escape"])
    await do(page, obs, action_type="CLICK", id=by_text(obs, "Place order"))
    form = server.wait_for_submission("/widgets/dropdowns").form
    assert (form["color"], form["size"], form["city_code"]) == ("navy", "l", "PRG")


async def test_custom_dropdown_that_silently_reverts_is_a_failure(page, server):
    obs = await open_page(page, server, "/widgets/dropdowns.html")
    size_id = await css_id(page, "#size-trigger")
    result = await do(page, obs, action_type="SELECT_OPTION", id=size_id, option={"label": "XL"})
    assert not result.success
    assert "picked 'XL (sold out)'" in result.message and "did not stick" in result.message
    assert await page.input_value("#size-value") == ""


async def test_click_blocked_by_a_modal_names_it_and_its_close_button(page, server):
    obs = await open_page(page, server, "/widgets/modal.html")
    add, close = by_text(obs, "Add to cart"), by_text(obs, "Close")
    blocked = await do(page, obs, action_type="CLICK", id=add)
    assert not blocked.success
    assert f"click on {add}" in blocked.message and 'id="newsletter-overlay"' in blocked.message
    assert (
        "Get 10% off your first order" in blocked.message
        and f"(element {close})" in blocked.message
    )
    assert await page.inner_text("#cart-status") == "Your cart is empty."
    assert (await do(page, obs, action_type="CLICK", id=close)).success
    added = await do(page, obs, action_type="CLICK", id=add)
    assert added.success, added.message
    assert await page.inner_text("#cart-status") == "Added to cart: 1 item."


async def test_hover_reveals_a_menu_that_can_then_be_clicked(page, server):
    obs = await open_page(page, server, "/widgets/hover.html")
    hovered = await do(page, obs, action_type="HOVER", id=await css_id(page, "#account-menu"))
    assert hovered.success and '"Settings"' in hovered.message, hovered.message
    obs = await observe(page)
    clicked = await do(page, obs, action_type="CLICK", id=by_text(obs, "Settings"))
    assert clicked.success, clicked.message
    assert await page.inner_text("#status") == "Account settings"


async def test_keypress_enter_escape_and_double_click(page, server):
    obs = await open_page(page, server, "/widgets/keys.html")
    query = by_text(obs, "Search the docs")
    await do(page, obs, action_type="INPUT_TEXT", id=query, text="tabs api")
    enter = await do(page, obs, action_type="KEYPRESS", keys="enter", id=query)
    assert enter.success and enter.message.startswith("pressed Enter on")
    assert await page.inner_text("#search-status") == "Results for: tabs api"
    await do(page, obs, action_type="KEYPRESS", keys=["esc"])
    assert await page.inner_text("#last-key") == "Escape"
    title = await css_id(page, "#title")
    double = await do(page, obs, action_type="CLICK", id=title, double_click=True)
    assert double.success and double.message.startswith("double-clicked")
    assert await page.inner_text("#title") == "Editing title"


async def test_scroll_the_page_and_an_inner_box(page, server):
    obs = await open_page(page, server, "/products/")
    top = await do(page, obs, action_type="SCROLL", direction="up")
    assert not top.success and "already at the top" in top.message
    down = await do(page, obs, action_type="SCROLL", direction="down")
    assert down.success and "scrolled the page down" in down.message
    assert await page.evaluate("scrollY") > 300
    await page.evaluate("scrollTo(0, 0)")
    brand = await css_id(page, "#filters label:first-of-type input")
    inner = await do(page, obs, action_type="SCROLL", id=brand, direction="down", amount=150)
    assert inner.success and 'id="filters"' in inner.message, inner.message
    assert await page.evaluate("document.getElementById('filters').scrollTop") == 150
    assert await page.evaluate("scrollY") == 0
    bottom = await do(page, obs, action_type="SCROLL", id=brand, direction="down", amount=5000)
    assert bottom.success and "reached the end" in bottom.message


async def test_wait_is_short_and_capped(page, server):
    obs = await open_page(page, server, "/widgets/keys.html")
    started = time.monotonic()
    result = await do(page, obs, action_type="WAIT", seconds=0.3)
    assert result.success and result.message == "waited 0.3s"
    assert time.monotonic() - started >= 0.3  # it waited (an upper bound would race the machine)
    # A plan asking for a minute waits the cap, and a negative wait none.
    assert parse_action({"action_type": "WAIT", "seconds": 60}).seconds == MAX_WAIT_SECONDS
    assert parse_action({"action_type": "WAIT", "seconds": -2}).seconds == 0


async def test_typing_and_clicking_inside_an_iframe(page, server):
    obs = await open_page(page, server, "/widgets/checkout.html")
    number = by_text(obs, "Card number")
    assert obs.element(number).frame  # the field lives in the payment frame
    typed = await do(page, obs, action_type="INPUT_TEXT", id=number, text="4242424242424242")
    assert typed.success and "'4242 4242 4242 4242'" in typed.message, typed.message
    await do(page, obs, action_type="INPUT_TEXT", id=by_text(obs, "Expiry (MM/YY)"), text="12/29")
    paid = await do(page, obs, action_type="CLICK", id=by_text(obs, "Pay €89.00"))
    assert paid.success, paid.message
    form = server.wait_for_submission("/widgets/payment").form
    assert form == {"card_number": "4242 4242 4242 4242", "expiry": "12/29"}
    assert await page.inner_text("#payment-status") == "Paid with card ending 4242"
