"""Each action type is one declaration: the parser, act(), publishing and the plan prompt
all read it (no browser needed)."""

from __future__ import annotations

from typing import Literal

import pytest

from agent.browser.action_kind import ActionKind, TargetedAction, action_kind, register_action
from agent.browser.action_types import ACTION_TYPES, DECISIONS, KINDS, parse_action
from engines.prompts import render


def _plan_prompt(**extra: object) -> str:
    return render(
        "plan",
        today="Monday 7 December 2026",
        goal="Apply for the job",
        context_goal="",
        error_codes={},
        tabs=[],
        dialogs=[],
        totp_available=False,
        totp_placeholder="{{TOTP_CODE}}",
        upload_files=[],
        elements="[1] <button> Apply",
        history=[],
        warnings=[],
        **extra,
    )


def _listed(prompt: str) -> list[str]:
    listing = prompt.split("Action types and their fields:\n", 1)[1].split("\n\nRules:", 1)[0]
    return [line.removeprefix("- ") for line in listing.splitlines()]


def test_the_plan_prompt_lists_every_declared_type_from_its_declaration():
    listed = _listed(_plan_prompt())
    assert listed == [kind.prompt for kind in KINDS.values() if kind.prompt_if is None]
    assert [line.split()[0] for line in listed] == [n for n in ACTION_TYPES if n != "CALL_TOOL"]
    with_tools = _listed(_plan_prompt(tools=[{"signature": "f()", "description": "d"}]))
    assert with_tools[-1] == KINDS["CALL_TOOL"].prompt


def test_declarations_drive_dispatch_and_publishing():
    assert DECISIONS == {
        "EXTRACT",
        "COMPLETE",
        "TERMINATE",
        "SOLVE_CAPTCHA",
        "ASK_USER",
        "CALL_TOOL",
    }
    assert all(KINDS[name].handler is None and KINDS[name].settle is None for name in DECISIONS)
    assert {n for n, k in KINDS.items() if k.idempotent} == {
        "INPUT_TEXT",
        "SELECT_OPTION",
        "UPLOAD_FILE",
    }
    assert {n for n, k in KINDS.items() if k.targeted} == {
        "CLICK",
        "HOVER",
        "INPUT_TEXT",
        "SELECT_OPTION",
        "UPLOAD_FILE",
    }
    assert action_kind("CLICK").alias("DOUBLE_CLICK") == {"double_click": True}
    assert parse_action({"action_type": "dblclick", "id": 4}).double_click  # type: ignore[attr-defined]


def test_a_name_or_alias_cannot_be_declared_twice():
    class TapAction(TargetedAction):
        action_type: Literal["TAP_TWICE"] = "TAP_TWICE"

    with pytest.raises(ValueError, match="alias TAP of TAP_TWICE is already taken by CLICK"):
        register_action(ActionKind(TapAction, None, prompt="TAP_TWICE (id)", aliases=("TAP",)))

    class OtherClick(TargetedAction):
        action_type: Literal["CLICK"] = "CLICK"

    with pytest.raises(ValueError, match="already declared by ClickAction"):
        register_action(ActionKind(OtherClick, None, prompt="CLICK"))
    assert "TAP_TWICE" not in KINDS
