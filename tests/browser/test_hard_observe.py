"""observe() and render() on scroll boxes and long texts (fixtures_sites/hard_cases)."""

from __future__ import annotations

import re

from agent.browser.seeing.observe import observe, track_click_listeners
from agent.records.observation_text import CUT_NOTE, cut_text
from tests.browser.action_support import by_text, css_id, do
from tests.browser.action_support import open_page as _open_page


async def open_page(page, server, path):
    await track_click_listeners(page)
    return await _open_page(page, server, path)


async def test_scroll_box_lists_what_it_hides_and_clicks_it_into_view(page, server):
    obs = await open_page(page, server, "/hard_cases/inbox.html")
    box = await css_id(page, "#inbox")
    text = obs.render()
    assert f"[{box}]<ul scrollable>Inbox</ul>" in text, text
    assert f"… below the visible part of [{box}]:" in text
    hidden = [e for e in obs.elements if e.hidden_in == box]
    assert [e.text for e in hidden][-1] == "Sender 9 Subject number 9"
    assert all(e.hidden_side == "down" and not e.in_viewport for e in hidden)
    assert text.index(f"visible part of [{box}]") < text.index("Sender 9")
    # With a budget too small to list them, they are counted with the way to see them.
    small = obs.render(token_budget=150)
    assert re.search(rf"… \d+ more items below inside \[{box}\]: SCROLL {box} down", small), small
    clicked = await do(page, obs, action_type="CLICK", id=by_text(obs, "Sender 8"))
    assert clicked.success, clicked.message
    assert await page.text_content("#opened") == "Opened Sender 8"
    assert await page.eval_on_selector("#inbox", "el => el.scrollTop") > 0


async def test_overflow_hidden_box_counts_its_posts_and_scrolls_by_id(page, server):
    obs = await open_page(page, server, "/hard_cases/inbox.html")
    feed = await css_id(page, "#feed")
    text = obs.render()
    assert f"[{feed}]<div scrollable>" in text
    assert f"… 12 more items below inside [{feed}]: SCROLL {feed} down" in text, text
    assert "Like post 3" not in text and "Like post 2" in text
    scrolled = await do(page, obs, action_type="SCROLL", id=feed, direction="down")
    assert scrolled.success and f"(element {feed})" in scrolled.message, scrolled.message
    again = await observe(page)
    assert re.search(rf"… \d+ more items above inside \[{feed}\]: SCROLL {feed} up", again.render())
    liked = await do(page, again, action_type="CLICK", id=by_text(again, "Like post 3"))
    assert liked.success and await page.is_visible("text=Liked post 3")


async def test_long_text_and_values_are_whole_in_the_observation_and_cut_by_the_rule(page, server):
    obs = await open_page(page, server, "/hard_cases/terminal.html")
    notes = obs.element(by_text(obs, "Notes"))
    assert notes is not None and notes.attributes["value"].endswith("ship on May 14.")
    console = next(t for t in obs.texts if t.tag == "pre")
    assert len(console.text) > 2000 and console.text.endswith("artifact id XK-4471-QZ")
    # The budget has room: the terminal and the field's value are rendered whole.
    full = obs.render()
    assert "artifact id XK-4471-QZ" in full and "ship on May 14." in full
    # A small budget cuts them at a word boundary, says by how much, and how to read it all.
    small = obs.render(token_budget=300)
    assert CUT_NOTE in small, small
    match = re.search(r"(\S+)…\[\+([\d,]+) chars\]", small)
    assert match, small
    kept = small[: match.end(1)].rsplit("\n", 1)[-1]
    assert int(match.group(2).replace(",", "")) > 500
    assert any(
        kept.endswith(word)
        for word in console.text.split(" ") + notes.attributes["value"].split(" ")
    )


def test_cut_text_keeps_whole_words_and_counts_the_rest():
    text = "alpha beta gamma delta epsilon " * 20
    cut = cut_text(text, 50)
    head, rest = cut.split("…[+")
    assert text.startswith(head) and text[len(head)] == " "
    assert int(rest.removesuffix(" chars]").replace(",", "")) == len(text) - len(head)
    assert cut_text("short", 50) == "short"
