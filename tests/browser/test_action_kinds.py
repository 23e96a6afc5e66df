"""Each action type is one declaration: the parser, act(), publishing and the plan prompt
all read it (no browser needed)."""

from __future__ import annotations

from typing import Literal

import pytest

from agent.browser.acting.action_types import ACTION_TYPES, DECISIONS, KINDS, parse_action
from agent.browser.action_kind import ActionKind, TargetedAction, action_kind, register_action
from engines.prompts import action_lines, render


def _plan_prompt(tools: list[dict[str, str]] | None = None) -> str:
    """The plan prompt's static part, as a run with these options sends it."""
    tools = tools or []
    return render(
        "plan_system",
        error_codes={},
        secret_placeholders=[],
        totp_placeholder="",
        upload_files=["cv.pdf"],  # every type listed: UPLOAD_FILE shows only with files
        tools=tools,
        action_lines=action_lines(tools=bool(tools), upload_files=True),
    )


def _listed(prompt: str) -> list[str]:
    listing = prompt.split("## Action types\n", 1)[1].split("\n\n## Rules", 1)[0]
    return [line.removeprefix("- ") for line in listing.splitlines()[1:]]


def test_the_plan_prompt_lists_every_declared_type_from_its_declaration():
    listed = _listed(_plan_prompt())
    assert listed == [kind.prompt for kind in KINDS.values() if kind.prompt_if != "tools"]
    assert [line.split()[0] for line in listed] == [n for n in ACTION_TYPES if n != "CALL_TOOL"]
    with_tools = _listed(_plan_prompt(tools=[{"signature": "f()", "description": "d"}]))
    assert with_tools[-1] == KINDS["CALL_TOOL"].prompt


BUILT_IN = (
    *("CLICK", "HOVER", "INPUT_TEXT", "UPLOAD_FILE", "SELECT_OPTION", "KEYPRESS", "SCROLL"),
    *("WAIT", "ANSWER_DIALOG", "GOTO_URL", "GO_BACK", "RELOAD_PAGE", "NEW_TAB", "SWITCH_TAB"),
    *("CLOSE_PAGE", "EXTRACT", "COMPLETE", "TERMINATE", "SOLVE_CAPTCHA", "ASK_USER", "CALL_TOOL"),
)
"""The types this library ships with (the checks below leave room for more)."""


def _having(flag: str) -> set[str]:
    return {name for name in BUILT_IN if getattr(KINDS[name], flag)}


def test_declarations_keep_what_the_tables_said():
    assert set(BUILT_IN) <= set(KINDS)
    assert _having("decision") == DECISIONS & set(BUILT_IN)
    assert DECISIONS & set(BUILT_IN) == {
        *("EXTRACT", "COMPLETE", "TERMINATE", "SOLVE_CAPTCHA", "ASK_USER", "CALL_TOOL"),
    }
    assert all(KINDS[name].handler is None and KINDS[name].settle is None for name in DECISIONS)
    assert _having("idempotent") == {"INPUT_TEXT", "SELECT_OPTION", "UPLOAD_FILE"}
    assert _having("targeted") == {"CLICK", "HOVER", "INPUT_TEXT", "SELECT_OPTION", "UPLOAD_FILE"}
    assert _having("leaves_page") == {"GOTO_URL", "GO_BACK", "RELOAD_PAGE", "CLOSE_PAGE"}
    assert _having("changes_tab") == {"NEW_TAB", "SWITCH_TAB", "CLOSE_PAGE"}
    assert {n for n in BUILT_IN if KINDS[n].while_dialog} - DECISIONS == {
        *("ANSWER_DIALOG", "WAIT", "SWITCH_TAB", "NEW_TAB"),
    }
    settles = {n: KINDS[n].settle for n in BUILT_IN if n not in DECISIONS}
    assert {n for n, s in settles.items() if s is None} == {"WAIT", "SCROLL", "HOVER", "SWITCH_TAB"}
    assert settles["CLICK"] == settles["KEYPRESS"] == 0.15 and settles["INPUT_TEXT"] == 0.02
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
