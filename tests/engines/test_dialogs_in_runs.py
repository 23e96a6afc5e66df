"""Dialogs through a run: the model reads the question in its prompt and answers it."""

from __future__ import annotations

from typing import Any

from agent.browser.lifecycle import dialogs as dialogs_module
from agent.prompt_reading import Prompt
from agent.testing import PromptLLM


def careful(request: Prompt) -> Any:
    """Presses "Delete drafts", and says Cancel to whatever asks to really delete."""
    text = request.text
    if request.purpose == "verify":
        return {"user_goal_achieved": "kept drafts" in text, "thoughts": "checked"}
    if request.purpose != "plan":
        return {"errors": []}
    if "A browser dialog is open" in text:
        return {"actions": [{"action_type": "ANSWER_DIALOG", "accept": False}]}
    if "kept drafts" in text or "dismissed" in text:
        return {"actions": [{"action_type": "COMPLETE", "reason": "nothing was deleted"}]}
    button = request.find(tag="button", text="Delete drafts")
    assert button, text
    return {"actions": [{"action_type": "CLICK", "id": button.id}]}


def test_a_confirm_is_shown_to_the_model_and_its_cancel_is_what_the_page_gets(agent_for, server):
    model = PromptLLM(careful)
    agent = agent_for(model)
    run = agent.run_task(
        "Open the drafts menu but keep every draft",
        server.url("/widgets/dialogs.html"),
        engine="skyvern-1.0",
        max_steps=5,
    )
    assert run.status == "completed", run.failure_reason
    asked = [p.text for p in model.prompts_for("plan")]
    assert any('a confirm dialog asks: "Delete all drafts?"' in t for t in asked)
    kinds = [a["action_type"] for s in agent.list_steps(run.run_id) for a in s.actions]
    assert kinds[:2] == ["CLICK", "ANSWER_DIALOG"], kinds
    assert any("kept drafts" in t for t in asked[2:])  # the page got Cancel


def test_a_dialog_nobody_answers_is_dismissed_and_the_next_prompt_says_so(
    agent_for, server, monkeypatch
):
    monkeypatch.setattr(dialogs_module, "DIALOG_TIMEOUT_SECONDS", 0.5)

    def slow(request: Prompt) -> Any:
        text = request.text
        if request.purpose != "plan":
            return {"user_goal_achieved": True, "thoughts": "ok"}
        if "no answer within 0.5s" in text:
            return {"actions": [{"action_type": "COMPLETE", "reason": "it went away"}]}
        if "A browser dialog is open" in text:
            return {"actions": [{"action_type": "WAIT", "seconds": 1}]}
        button = request.find(tag="button", text="Delete drafts")
        return {"actions": [{"action_type": "CLICK", "id": button.id if button else "x"}]}

    model = PromptLLM(slow)
    run = agent_for(model).run_task(
        "Press delete", server.url("/widgets/dialogs.html"), engine="skyvern-1.0", max_steps=5
    )
    assert run.status == "completed", run.failure_reason
    last = model.prompts_for("plan")[-1].text
    assert "confirm: Delete all drafts? (dismissed: no answer within 0.5s)" in last
    assert "kept drafts" in last
