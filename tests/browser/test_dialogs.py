"""JS dialogs decided, not assumed: alert acknowledged, confirm/prompt answered on purpose."""

from __future__ import annotations

import asyncio

from agent.browser.lifecycle import dialogs as dialogs_module
from tests.browser.action_support import by_text, do, open_page, tabs_fixture  # noqa: F401 - a fixture


async def test_alert_is_acknowledged_and_reported(page, server, tabs):
    obs = await open_page(tabs.page, server, "/widgets/dialogs.html")
    saved = await do(tabs.page, obs, tabs, action_type="CLICK", id=by_text(obs, "Save settings"))
    assert saved.success and saved.dialog == "alert: Settings saved."
    assert await tabs.page.inner_text("#result") == "saved"
    assert tabs.take_dialogs() == ["alert: Settings saved."]


async def test_confirm_waits_for_the_answer_and_cancel_keeps_the_drafts(page, server, tabs):
    obs = await open_page(tabs.page, server, "/widgets/dialogs.html")
    asked = await do(tabs.page, obs, tabs, action_type="CLICK", id=by_text(obs, "Delete drafts"))
    assert asked.success, asked.message
    assert 'a confirm dialog asks: "Delete all drafts?"' in asked.message
    assert "ANSWER_DIALOG" in asked.message
    assert tabs.dialogs_state.describe_open() == ['a confirm dialog asks: "Delete all drafts?"']
    # Nothing else runs on a frozen tab: a click is refused at once, with what to do.
    other = await do(tabs.page, obs, tabs, action_type="CLICK", id=by_text(obs, "Save settings"))
    assert not other.success and "answer it first with ANSWER_DIALOG" in other.message
    answered = await do(tabs.page, None, tabs, action_type="ANSWER_DIALOG", accept=False)
    assert answered.success and 'dismissed the confirm "Delete all drafts?"' in answered.message
    assert await tabs.page.inner_text("#result") == "kept drafts"
    assert tabs.dialogs_state.describe_open() == []
    assert tabs.take_dialogs() == ["confirm: Delete all drafts? (dismissed)"]


async def test_confirm_accepted_and_prompt_answered_with_text(page, server, tabs):
    obs = await open_page(tabs.page, server, "/widgets/dialogs.html")
    await do(tabs.page, obs, tabs, action_type="CLICK", id=by_text(obs, "Delete drafts"))
    ok = await do(tabs.page, None, tabs, action_type="ACCEPT_DIALOG")
    assert ok.success, ok.message
    assert await tabs.page.inner_text("#result") == "drafts deleted"
    asked = await do(tabs.page, obs, tabs, action_type="CLICK", id=by_text(obs, "Rename"))
    assert "a prompt dialog asks" in asked.message and "default answer is 'Chris'" in asked.message
    named = await do(tabs.page, None, tabs, action_type="ANSWER_DIALOG", accept=True, text="Ada")
    assert named.success and "with 'Ada'" in named.message
    assert await tabs.page.inner_text("#result") == "name: Ada"
    none = await do(tabs.page, None, tabs, action_type="ANSWER_DIALOG", accept=True)
    assert not none.success and "there is no open dialog" in none.message


async def test_a_dialog_left_unanswered_is_dismissed_and_recorded(page, server, tabs, monkeypatch):
    monkeypatch.setattr(dialogs_module, "DIALOG_TIMEOUT_SECONDS", 0.3)
    obs = await open_page(tabs.page, server, "/widgets/dialogs.html")
    await do(tabs.page, obs, tabs, action_type="CLICK", id=by_text(obs, "Delete drafts"))
    for _ in range(100):
        if not tabs.dialogs_state.describe_open():
            break
        await asyncio.sleep(0.05)
    assert tabs.dialogs_state.describe_open() == []
    assert await tabs.page.inner_text("#result") == "kept drafts"
    assert tabs.take_dialogs() == ["confirm: Delete all drafts? (dismissed: no answer within 0.3s)"]


async def test_without_the_run_s_tabs_a_confirm_is_dismissed_not_accepted(page, server):
    obs = await open_page(page, server, "/widgets/dialogs.html")
    result = await do(page, obs, action_type="CLICK", id=by_text(obs, "Delete drafts"))
    assert result.success and "dismissed: no one to answer it" in (result.dialog or "")
    assert await page.inner_text("#result") == "kept drafts"


async def test_beforeunload_is_accepted_only_when_the_model_navigates(page, server, tabs):
    obs = await open_page(tabs.page, server, "/widgets/leave.html")
    typed = await do(
        tabs.page, obs, tabs, action_type="INPUT_TEXT", id=by_text(obs, "Note"), text="draft"
    )
    assert typed.success, typed.message
    # A click on a link is not leaving on purpose: the page asks, the agent stays.
    clicked = await do(tabs.page, obs, tabs, action_type="CLICK", id=by_text(obs, "Go to keys"))
    assert tabs.page.url.endswith("/widgets/leave.html"), clicked.message
    assert "the agent stayed" in (clicked.dialog or ""), clicked.message
    left = await do(tabs.page, obs, tabs, action_type="GOTO_URL", url="/widgets/keys.html")
    assert left.success and tabs.page.url.endswith("/widgets/keys.html"), left.message
    assert "left on purpose" in (left.dialog or ""), left.message
