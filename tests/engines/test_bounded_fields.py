"""Text the model writes into a run's fields is bounded, with a marker where it was cut."""

from __future__ import annotations

from typing import Any

from agent import RunStatus
from agent.records.validation import MODEL_TEXT_CHARS
from agent.testing import Prompt, PromptLLM
from fixtures_sites.server import FixtureServer

HUGE = "The page refuses. " * 25_000  # 450,000 characters (a 5 MB answer is refused whole)
MARKER = "more characters]"


def _bounded(text: str | None) -> bool:
    return text is not None and len(text) < MODEL_TEXT_CHARS + 100 and text.endswith(MARKER)


def test_a_huge_terminate_reason_is_stored_cut_with_a_marker(agent_for, server: FixtureServer):
    def policy(prompt: Prompt) -> Any:
        if prompt.purpose == "plan":
            return {"actions": [{"action_type": "TERMINATE", "reason": HUGE, "reasoning": HUGE}]}
        return {"errors": [{"error_code": "refused", "reasoning": HUGE}]}

    agent = agent_for(PromptLLM(policy))
    run = agent.run_task(
        "Press Continue",
        server.url("/faults/steady.html"),
        engine="skyvern-1.0",
        error_code_mapping={"refused": "the page refuses"},
    )
    assert run.status == RunStatus.terminated
    assert _bounded(run.failure_reason), len(run.failure_reason or "")
    assert run.failure_reason.startswith("The page refuses.")
    assert all(len(entry.reasoning) < MODEL_TEXT_CHARS + 100 for entry in run.errors)
    for step in agent.list_steps(run.run_id):
        for text in (step.reasoning, step.failure_reason):
            assert text is None or len(text) < MODEL_TEXT_CHARS + 100
        for action in step.actions:
            assert len(action.get("reason") or "") < MODEL_TEXT_CHARS + 100
            assert len(action.reasoning or "") < MODEL_TEXT_CHARS + 100
