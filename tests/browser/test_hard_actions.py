"""act() on the hard cases of pages in the wild: clicks and keys that do nothing, scripted
rows, delegated lists, icon-only controls, SVG shapes and multi-selects (fixtures_sites/hard_cases)."""

from __future__ import annotations

from agent.browser.acting.action_types import parse_action
from agent.browser.seeing.observe import observe, track_click_listeners
from tests.browser.action_support import by_text, css_id, do
from tests.browser.action_support import open_page as _open_page


async def open_page(page, server, path):
    """As the agent's browser contexts do: script-attached handlers are seen from page one."""
    await track_click_listeners(page)
    return await _open_page(page, server, path)


_CENTRE_JS = """sel => { const e = document.querySelector(sel); const r = e.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return e.contains(hit); }"""


async def test_clicks_and_keys_without_effect_are_reported(page, server):
    obs = await open_page(page, server, "/hard_cases/clicks.html")
    # A span whose handler ignores clicks on its icon: the mouse click does nothing, the
    # script click works, and the message says so.
    more = await do(page, obs, action_type="CLICK", id=await css_id(page, "#more"))
    assert more.success and "clicked by script" in more.message, more.message
    assert await page.is_visible("#menu")
    noop = await do(page, obs, action_type="CLICK", id=by_text(obs, "Refresh preview"))
    assert not noop.success and "had no visible effect" in noop.message, noop.message
    # A background save shows nothing but sends a request: that is its effect, and it is
    # not clicked a second time by script.
    save = await do(page, obs, action_type="CLICK", id=by_text(obs, "Save draft"))
    assert save.success and "by script" not in save.message, save.message
    server.wait_for_submission("/hard_cases/draft")
    assert len(server.submissions_to("/hard_cases/draft")) == 1
    # The wrapped link's box centre is not on the link; the click lands on one of its lines.
    assert not await page.evaluate(_CENTRE_JS, "#wrapped")
    link = await do(page, obs, action_type="CLICK", id=by_text(obs, "terms of service", tag="a"))
    assert link.success, link.message
    assert await page.text_content("#result") == "Terms opened"
    # Keys on the slider's track go nowhere (a div cannot take focus), and that is said;
    # the handle has its own id inside the clickable track and takes them.
    track = await css_id(page, "#track")
    stuck = await do(page, obs, action_type="KEYPRESS", id=track, keys=["ArrowRight"])
    assert not stuck.success and "nothing changed" in stuck.message, stuck.message
    assert "cannot take keyboard focus" in stuck.message
    assert await page.text_content("#volume") == "50"
    handle = await css_id(page, "#handle")
    assert obs.element(handle) is not None and obs.element(handle).interactable
    moved = await do(page, obs, action_type="KEYPRESS", id=handle, keys=["ArrowRight"])
    assert moved.success and await page.text_content("#volume") == "51", moved.message
    # Clicking a text field that already has the focus is fine: it is ready for typing.
    coupon = by_text(obs, "Coupon")
    for _ in range(2):
        focus = await do(page, obs, action_type="CLICK", id=coupon)
        assert focus.success, focus.message
    # A field that the page empties after typing stays an honest failure.
    typed = await do(page, obs, action_type="INPUT_TEXT", id=coupon, text="SAVE10")
    assert not typed.success and "empty afterwards" in typed.message, typed.message


async def test_scripted_row_children_icons_and_a_delegated_suggestion_list(page, server):
    obs = await open_page(page, server, "/hard_cases/mail.html")
    reply = await do(page, obs, action_type="CLICK", id=by_text(obs, "Reply", tag="span"))
    assert reply.success and await page.text_content("#result") == "Replying to Ana"
    forward = await do(page, obs, action_type="CLICK", id=by_text(obs, "Forward", tag="span"))
    assert forward.success and await page.text_content("#result") == "Forwarding"
    # Icon-only controls are named by a background image file, a title, an SVG <title>, an img file.
    for name, key in (("send", "send"), ("Close draft", "close"), ("Star message", "star")):
        done = await do(page, obs, action_type="CLICK", id=by_text(obs, name))
        assert done.success and await page.text_content("#result") == f"Pressed {key}"
    assert by_text(obs, "trash can") == await css_id(page, "#trash")
    # A clickable card whose parts differ in class stays one target with its whole name.
    assert by_text(obs, "Weekly report 3 files") == await css_id(page, "#card")
    assert not any(e.text == "Weekly report" for e in obs.elements)
    typed = await do(
        page, obs, action_type="INPUT_TEXT", id=by_text(obs, "Destination"), text="City"
    )
    assert typed.success, typed.message
    menu = await observe(page)
    text = menu.render()
    items = [e for e in menu.elements if e.text.startswith("City ")]
    assert [e.text for e in items] == [
        "City One (AAA)",
        "City Two (BBB)",
        "City Three (CCC)",
        "City Four (DDD)",
        "City Five (EEE)",
    ]
    assert all(f"[{e.id}]<li>{e.text}</li>" in text for e in items), text
    picked = await do(page, menu, action_type="CLICK", id=items[2].id)
    assert picked.success and await page.input_value("#city") == "City Three (CCC)"
    sent = await do(page, menu, action_type="CLICK", id=by_text(menu, "Submit"))
    assert sent.success, sent.message
    assert server.submissions[-1].form["city"] == "City Three (CCC)"


async def test_svg_shapes_are_observed_and_clickable(page, server):
    obs = await open_page(page, server, "/hard_cases/svg_menu.html")
    text = obs.render()
    for label in ("Copy", "Paste", "Cut", "Delete"):
        assert f"]<g>{label}</g>" in text, text
    assert "Help (SVG link)" in text
    for label in ("Cut", "Delete"):
        done = await do(page, obs, action_type="CLICK", id=by_text(obs, label))
        assert done.success, done.message
        assert await page.text_content("#result") == f"Chose {label.lower()}"


async def test_multiple_select_adds_and_takes_a_list(page, server):
    obs = await open_page(page, server, "/hard_cases/multiselect.html")
    topics = by_text(obs, "Topics")
    assert f"[{topics}]<select name=topics" in obs.render() and " multiple>" in obs.render()
    selected = "el => Array.from(el.selectedOptions).map(o => o.value)"
    first = await do(page, obs, action_type="SELECT_OPTION", id=topics, option={"label": "News"})
    assert first.success, first.message
    added = await do(
        page, obs, action_type="SELECT_OPTION", id=topics, option={"label": "Science"}, add=True
    )
    assert added.success and "'News', 'Science' selected" in added.message, added.message
    assert await page.eval_on_selector("#topics", selected) == ["news", "science"]
    listed = parse_action(
        {"action_type": "SELECT_OPTION", "id": topics, "option": ["Sport", "food"]}
    )
    several = await do(page, obs, **listed.model_dump())
    assert several.success, several.message
    assert await page.eval_on_selector("#topics", selected) == ["sport", "food"]
    await do(page, obs, action_type="CLICK", id=by_text(obs, "Subscribe"))
    assert server.submissions[-1].form_lists["topics"] == ["sport", "food"]


async def test_adding_to_a_single_select_is_refused_with_the_fix(page, server):
    obs = await open_page(page, server, "/widgets/dropdowns.html")
    refused = await do(
        page,
        obs,
        action_type="SELECT_OPTION",
        id=by_text(obs, "Shipping"),
        option={"label": "Standard"},
        add=True,
    )
    assert not refused.success and "takes one choice only" in refused.message
