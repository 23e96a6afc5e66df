"""Typing anywhere: key by key into a terminal, keys and chords on a named element, text
selected as a person would, and an autocomplete that listens to keys only
(fixtures_sites/acting)."""

from __future__ import annotations

from agent.browser.acting.action_types import parse_action, prompt_lines
from agent.browser.seeing.observe import observe
from agent.integrations.secrets import mark_secret_field
from tests.browser.action_support import css_id, do, open_page

_SELECTION = "() => String(window.getSelection()).trim()"


async def test_input_text_types_key_by_key_into_a_terminal(page, server):
    obs = await open_page(page, server, "/acting/terminal.html")
    terminal = await css_id(page, "#term")
    typed = await do(page, obs, action_type="INPUT_TEXT", id=terminal, text="cat todo.txt")
    assert typed.success, typed.message
    assert "key by key" in typed.message and "does not accept text" not in typed.message
    assert await page.text_content("#typed") == "cat todo.txt"
    run = await do(page, obs, action_type="KEYPRESS", id=terminal, keys=["Enter"])
    assert run.success, run.message
    assert "water the plants" in await page.text_content("#out")


async def test_a_secret_typed_key_by_key_shows_only_its_length(page, server):
    obs = await open_page(page, server, "/acting/terminal.html")
    terminal = await css_id(page, "#term")
    await mark_secret_field(page.locator("#term"))  # what fill_action does for {{PASSWORD}}
    typed = await do(page, obs, action_type="INPUT_TEXT", id=terminal, text="hunter2-secret")
    assert typed.success, typed.message
    assert "hunter2" not in typed.message and "14 characters" in typed.message


async def test_keypress_takes_an_id_and_chords(page, server):
    obs = await open_page(page, server, "/acting/airports.html")
    field = await css_id(page, "#from")
    await do(page, obs, action_type="INPUT_TEXT", id=field, text="Paris")
    cleared = await do(page, obs, action_type="KEYPRESS", id=field, keys=["Control+a", "Backspace"])
    assert cleared.success, cleared.message
    assert await page.input_value("#from") == ""
    obs = await open_page(page, server, "/acting/slider.html")
    nested = parse_action(
        {
            "action_type": "KEYPRESS",
            "id": await css_id(page, "#handle"),
            "keys": [["ArrowRight", "ArrowRight"]],
        }
    )
    moved = await do(page, obs, **nested.model_dump())
    assert moved.success and await page.text_content("#volume") == "40", moved.message
    # A key that goes nowhere says how to name the element that should get it.
    nowhere = await do(page, obs, action_type="KEYPRESS", keys=["F8"])
    assert not nowhere.success and "by its id" in nowhere.message, nowhere.message
    assert "focus the right element" not in nowhere.message
    keypress = next(line for line in prompt_lines() if line.startswith("KEYPRESS"))
    assert '"Control+a"' in keypress and '["ArrowRight", "ArrowRight"]' in keypress
    assert "id" in keypress


async def test_select_text_highlights_words_the_page_can_read(page, server):
    obs = await open_page(page, server, "/acting/article.html")
    sentence = "A returning forager dances to tell the hive where the flowers are."
    chosen = await do(page, obs, action_type="SELECT_TEXT", text=sentence)
    assert chosen.success and "by script" not in chosen.message, chosen.message
    assert await page.evaluate(_SELECTION) == sentence
    assert await page.text_content("#highlighted") == sentence
    # With an id and no text: all of the element's text; words it does not have fail.
    obs = await open_page(page, server, "/acting/terminal.html")
    terminal = await css_id(page, "#term")
    whole = await do(page, obs, action_type="SELECT_TEXT", id=terminal)
    assert whole.success, whole.message
    assert (await page.evaluate(_SELECTION)).startswith("Welcome to box-7.")
    missing = await do(page, obs, action_type="SELECT_TEXT", id=terminal, text="rm -rf")
    assert not missing.success and "'rm -rf' is not in the text" in missing.message
    bare = await do(page, obs, action_type="SELECT_TEXT")
    assert not bare.success and "give the words to select" in bare.message


async def test_an_autocomplete_listening_to_keys_opens_before_the_next_observation(page, server):
    obs = await open_page(page, server, "/acting/airports.html")
    typed = await do(
        page, obs, action_type="INPUT_TEXT", id=await css_id(page, "#from"), text="Pullm"
    )
    assert typed.success, typed.message
    assert int(await page.text_content("#keys")) >= len("Pullm")  # a keydown per character
    assert '"Pullman, WA (PUW)"' in typed.message, typed.message
    after = await observe(page)
    option = [e for e in after.elements if e.text == "Pullman, WA (PUW)"]
    assert option, after.render()
    chosen = await do(page, after, action_type="CLICK", id=option[0].id)
    assert chosen.success and await page.text_content("#chosen") == "Pullman, WA (PUW)"
