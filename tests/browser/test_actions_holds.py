"""A plan's choices must hold: a choice the page takes back stops the plan before it submits.

act() reads a choice again a moment later (agent.browser.lifecycle.holds); within a plan, that second
read happens while the next actions run, and before any action that may submit the form.
"""

from __future__ import annotations

import asyncio
from typing import Any

from agent.browser.acting.actions import ActionResult
from agent.browser.lifecycle.tabs import Tabs
from agent.records.observation import Observation
from fixtures_sites.server import FixtureServer
from tests.browser.action_support import by_text, do, open_page, tabs_fixture

__all__ = ["tabs_fixture"]

REFUSED = "changed it back to 'Standard (3-5 days)'"


async def choose_express(page: Any, obs: Observation, tabs: Tabs) -> ActionResult:
    """Choose Express shipping with more of the plan to come (the page takes it back 100 ms later)."""
    shipping = by_text(obs, "Shipping")
    option = {"label": "Express"}
    return await do(
        page, obs, tabs, action_type="SELECT_OPTION", id=shipping, option=option, followed=True
    )


async def test_a_choice_taken_back_stops_the_submit_that_follows(
    page: Any, server: FixtureServer, tabs: Tabs
) -> None:
    obs = await open_page(page, server, "/widgets/dropdowns.html")
    chosen = await choose_express(page, obs, tabs)
    assert chosen.success, chosen.message  # at first
    submit = await do(
        page, obs, tabs, action_type="CLICK", id=by_text(obs, "Place order", tag="button")
    )
    assert not submit.success
    assert submit.message.startswith("CLICK was not run: chose 'Express (next day)'"), (
        submit.message
    )
    assert REFUSED in submit.message
    assert server.submissions_to("/widgets/dropdowns") == []
    assert await page.input_value("#shipping") == "standard"


async def test_the_last_action_of_a_plan_reports_an_earlier_choice_taken_back(
    page: Any, server: FixtureServer, tabs: Tabs
) -> None:
    obs = await open_page(page, server, "/widgets/dropdowns.html")
    await choose_express(page, obs, tabs)
    colour = await do(
        page,
        obs,
        tabs,
        action_type="SELECT_OPTION",
        id=by_text(obs, "Shirt colour"),
        option={"label": "navy"},
    )
    assert not colour.success
    assert colour.message.startswith("selected 'Navy blue'"), colour.message
    assert (
        "earlier in this plan, chose 'Express (next day)'" in colour.message
        and REFUSED in colour.message
    )
    assert await page.input_value("#color-value") == "navy"  # its own choice did happen


async def test_a_new_choice_in_the_same_select_replaces_the_pending_one(
    page: Any, server: FixtureServer, tabs: Tabs
) -> None:
    obs = await open_page(page, server, "/widgets/dropdowns.html")
    first = await choose_express(page, obs, tabs)
    await asyncio.sleep(0.3)  # the page has taken Express back, and its check is due
    second = await do(
        page,
        obs,
        tabs,
        action_type="SELECT_OPTION",
        id=by_text(obs, "Shipping"),
        option={"value": "pickup"},
    )
    assert first.success and second.success, (first.message, second.message)
    assert await page.input_value("#shipping") == "pickup"


async def test_a_choice_that_loads_the_next_field_lets_the_next_action_use_it(
    page: Any, server: FixtureServer, tabs: Tabs
) -> None:
    obs = await open_page(page, server, "/widgets/dependent.html")
    country = await do(
        page,
        obs,
        tabs,
        action_type="SELECT_OPTION",
        id=by_text(obs, "Country"),
        option={"label": "Canada"},
        followed=True,
    )
    assert country.success, country.message
    region = await do(
        page,
        obs,
        tabs,
        action_type="SELECT_OPTION",
        id=by_text(obs, "Region"),
        option={"label": "Quebec"},
        followed=True,
    )
    assert region.success, region.message  # the regions had arrived (0.3 s after the choice)
    street = await do(
        page, obs, tabs, action_type="INPUT_TEXT", id=by_text(obs, "Street"), text="1 Rue Sainte"
    )
    assert street.success, street.message
    assert await page.input_value("#region") == "Quebec"
