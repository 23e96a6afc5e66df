"""A click is fired once: a control whose only effect is a request (sent after an "undo"
pause) is clicked once and reported done with the request it sent (fixtures_sites/acting)."""

from __future__ import annotations

import asyncio

from agent.browser.seeing.observe import track_click_listeners
from tests.browser.action_support import css_id, do, open_page


async def _sent(server, wanted: int) -> list[str]:
    """The send requests the server got, once ``wanted`` arrived or a second later."""
    for _ in range(50):
        if len(server.submissions_to("/acting/send")) >= wanted:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(1.0)  # a second (script) click would send 0.7 s after it was made
    return [r.query["how"] for r in server.submissions_to("/acting/send")]


async def test_a_span_that_only_sends_is_clicked_once_and_reported_with_its_request(page, server):
    await track_click_listeners(page)
    obs = await open_page(page, server, "/acting/send.html")
    result = await do(page, obs, action_type="CLICK", id=await css_id(page, "#send-now"))
    assert result.success, result.message
    assert "by script" not in result.message
    assert "the page sent POST /acting/send" in result.message, result.message
    assert await _sent(server, 1) == ["now"]


async def test_a_button_that_only_sends_is_done_not_a_failure(page, server):
    obs = await open_page(page, server, "/acting/send.html")
    result = await do(page, obs, action_type="CLICK", id=await css_id(page, "#send-later"))
    assert result.success, result.message
    assert "no visible effect" not in result.message and "try another" not in result.message
    assert "POST /acting/send" in result.message, result.message
    assert await _sent(server, 1) == ["later"]
