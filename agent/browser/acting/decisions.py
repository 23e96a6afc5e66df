"""The action types the engine decides on: EXTRACT, COMPLETE, TERMINATE, SOLVE_CAPTCHA,
ASK_USER and CALL_TOOL (their models and declarations; none has a handler).

:func:`~agent.browser.acting.actions.act` only acknowledges them; the engines act on them
(extract data, verify the goal, end the run, ask a person, call a user's tool).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from agent.browser.acting.action_kind import ActionBase, ActionKind, register_action


class ExtractAction(ActionBase):
    """Ask the engine to extract data from the page (the engine runs it, not :func:`act`)."""

    action_type: Literal["EXTRACT"] = "EXTRACT"
    data_extraction_goal: str = ""
    """What to extract, in words."""


class CompleteAction(ActionBase):
    """The model believes the goal is reached (the engine verifies it)."""

    action_type: Literal["COMPLETE"] = "COMPLETE"
    reason: str = ""
    """Why the goal is reached."""


class TerminateAction(ActionBase):
    """The model believes the goal cannot be reached."""

    action_type: Literal["TERMINATE"] = "TERMINATE"
    reason: str = ""
    """Why the run should stop."""
    errors: list[Any] = Field(default_factory=list)
    """User-defined error codes the model saw on the page, if any."""


class SolveCaptchaAction(ActionBase):
    """A captcha is in the way (the engine decides what to do: wait for a human, or fail)."""

    action_type: Literal["SOLVE_CAPTCHA"] = "SOLVE_CAPTCHA"
    captcha_type: str | None = None
    """The kind of captcha, if the model named it."""


class AskUserAction(ActionBase):
    """Only a person can go on: a detail the goal does not give, a confirmation (the engine asks)."""

    action_type: Literal["ASK_USER"] = "ASK_USER"
    question: str = ""
    """What to ask the person, in one or two sentences."""


class CallToolAction(ActionBase):
    """Call one of the user's tools (``Agent(tools=...)``); the engine runs it, not :func:`act`."""

    action_type: Literal["CALL_TOOL"] = "CALL_TOOL"
    tool: str
    """The tool's name, as the prompt lists it."""
    arguments: dict[str, Any] = Field(default_factory=dict)
    """The tool's arguments by name."""


def _reason_from_reasoning(data: dict[str, Any]) -> None:
    """A verdict without ``reason`` gives its ``reasoning`` as the reason."""
    if not data.get("reason"):
        data["reason"] = str(data.get("reasoning") or "")


def _decision(model: type[ActionBase], prompt: str, **declared: Any) -> ActionKind:
    return register_action(
        ActionKind(model, None, prompt=prompt, settle=None, while_dialog=True, **declared)
    )


EXTRACT = _decision(
    ExtractAction,
    "EXTRACT — the information the goal asks for is on this page; read it",
    aliases=("EXTRACT_INFORMATION", "EXTRACT_DATA", "SCRAPE"),
    field_aliases=(("data_extraction_goal", ("goal", "extraction_goal", "query")),),
)
COMPLETE = _decision(
    CompleteAction,
    "COMPLETE (reason) — the goal is achieved, as the page shows",
    aliases=("DONE", "FINISH", "FINISHED", "SUCCESS", "COMPLETED", "COMPLETE_TASK"),
    field_aliases=(("reason", ("message", "summary")),),
    normalize=_reason_from_reasoning,
)
TERMINATE = _decision(
    TerminateAction,
    "TERMINATE (reason) — the goal cannot be achieved (wrong credentials, item unavailable, "
    "...); not for things waiting could fix",
    aliases=("FAIL", "ABORT", "STOP", "GIVE_UP", "TERMINATE_TASK"),
    field_aliases=(("reason", ("termination_reason", "message", "error")),),
    normalize=_reason_from_reasoning,
)
SOLVE_CAPTCHA = _decision(
    SolveCaptchaAction,
    "SOLVE_CAPTCHA — a CAPTCHA blocks the way; a person is asked to solve it",
    aliases=("CAPTCHA",),
)
ASK_USER = _decision(
    AskUserAction,
    "ASK_USER (question) — only the user can answer: a detail the goal does not give, "
    "or a confirmation you should not give on your own",
)
CALL_TOOL = _decision(
    CallToolAction,
    "CALL_TOOL (tool, arguments) — run one of the tools listed above",
    prompt_if="tools",
)
