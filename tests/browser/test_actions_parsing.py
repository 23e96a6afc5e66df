"""parse_actions: the lenient reading of a plan answer (no browser needed)."""

from __future__ import annotations

import pytest

from agent.browser.acting.action_types import (
    ACTION_TYPES,
    KINDS,
    MAX_WAIT_SECONDS,
    ClickAction,
    KeypressAction,
    SelectOption,
    SelectOptionAction,
    parse_actions,
)
from agent.browser.acting.select import match_option


def test_plan_answer_with_aliases_and_loose_fields():
    actions, notes = parse_actions(
        {
            "actions": [
                {"action_type": "click", "element_id": 7, "reasoning": "open the form"},
                {"action_type": "type", "id": "3", "value": "Chris"},
                {"action_type": "SELECT", "id": "5", "option": "Navy blue"},
                {"action_type": "select_option", "id": "6", "option": 2},
                {"action_type": "PRESS_ENTER"},
                {"action_type": "EXTRACT_INFORMATION", "goal": "prices"},
                {"action_type": "double click", "id": "9"},
                {"action_type": "checkbox", "id": "10", "is_checked": False},
                {"action_type": "upload", "id": "11", "file": "resume.pdf"},
                {"action_type": "navigate", "url": "example.com", "id": "4"},
                {"action_type": "done", "reasoning": "application sent"},
            ]
        }
    )
    assert notes == []
    assert [a.action_type for a in actions] == [
        "CLICK",
        "INPUT_TEXT",
        "SELECT_OPTION",
        "SELECT_OPTION",
        "KEYPRESS",
        "EXTRACT",
        "CLICK",
        "CLICK",
        "UPLOAD_FILE",
        "GOTO_URL",
        "COMPLETE",
    ]
    click, typed, select, by_index, enter, extract, double, uncheck, upload, goto, done = actions
    assert isinstance(click, ClickAction) and click.id == "7" and click.reasoning == "open the form"
    assert typed.text == "Chris"  # type: ignore[union-attr]
    assert isinstance(select, SelectOptionAction) and select.option.label == "Navy blue"
    assert by_index.option.index == 2  # type: ignore[union-attr]
    assert isinstance(enter, KeypressAction) and enter.keys == ["Enter"]
    assert extract.data_extraction_goal == "prices"  # type: ignore[union-attr]
    assert double.double_click is True and uncheck.checked is False  # type: ignore[union-attr]
    assert upload.file_url == "resume.pdf"  # type: ignore[union-attr]
    assert goto.url == "example.com" and goto.id is None  # non-element actions drop the id
    assert done.reason == "application sent"  # type: ignore[union-attr]


def test_bad_entries_are_dropped_with_readable_notes():
    actions, notes = parse_actions(
        [
            {"action_type": "FLY", "id": "1"},
            {"action_type": "CLICK"},
            {"action_type": "SELECT_OPTION", "id": "3"},
            {"action_type": "KEYPRESS", "keys": ["Hyperspace"]},
            "click 5",
            {"id": "6"},
            {"action_type": "HOVER", "id": "7"},
        ]
    )
    assert [a.action_type for a in actions] == ["HOVER"]
    assert notes == [
        "action 1 dropped: unknown action_type 'FLY'",
        "action 2 dropped: CLICK: id is missing",
        "action 3 dropped: SELECT_OPTION: option is missing",
        "action 4 dropped: KEYPRESS: keys: unknown key 'Hyperspace'",
        "action 5 dropped: is not an object (got str)",
        "action 6 dropped: has no action_type",
    ]


@pytest.mark.parametrize(
    ("raw", "note"),
    [
        (None, "the answer has no actions"),
        ("not json at all", "the answer is not valid JSON"),
        ({"thoughts": "hmm"}, "the answer has no 'actions' list"),
        ({"actions": "CLICK 5"}, "'actions' should be a list, got str"),
        (42, "'actions' should be a list, got int"),
    ],
)
def test_garbage_never_raises(raw, note):
    assert parse_actions(raw) == ([], [note])


def test_json_text_and_a_single_action_are_accepted():
    actions, notes = parse_actions('{"actions": [{"action_type": "go_back"}]}')
    assert [a.action_type for a in actions] == ["GO_BACK"] and notes == []
    actions, _ = parse_actions({"action_type": "reload"})
    assert [a.action_type for a in actions] == ["RELOAD_PAGE"]


def test_field_normalization():
    actions, notes = parse_actions(
        [
            {"action_type": "KEYPRESS", "keys": "ctrl+a"},
            {"action_type": "press", "key": "esc"},
            {"action_type": "PRESS_ARROW_DOWN"},
            {"action_type": "WAIT", "seconds": 60},
            {"action_type": "SCROLL", "scroll_y": -300, "id": 4},
            {"action_type": "scroll_down"},
            {"action_type": "SWITCH_TAB", "index": "1"},
            {"action_type": "TERMINATE", "reasoning": "the site is down"},
            {"action_type": "INPUT_TEXT", "id": 2, "text": 12345},
        ]
    )
    assert notes == []
    keys, esc, arrow, wait, scroll_up, scroll_down, switch, terminate, number = actions
    assert keys.keys == ["Control+a"] and esc.keys == ["Escape"] and arrow.keys == ["ArrowDown"]  # type: ignore[union-attr]
    assert wait.seconds == MAX_WAIT_SECONDS  # type: ignore[union-attr]
    assert (scroll_up.direction, scroll_up.amount, scroll_up.id) == ("up", 300, "4")  # type: ignore[union-attr]
    assert scroll_down.direction == "down"  # type: ignore[union-attr]
    assert switch.tab_index == 1  # type: ignore[union-attr]
    assert terminate.reason == "the site is down"  # type: ignore[union-attr]
    assert number.text == "12345"  # type: ignore[union-attr]


def test_every_action_type_round_trips_through_json():
    samples = {  # required fields besides the element id
        "INPUT_TEXT": {"text": "x"},
        "SELECT_TEXT": {"text": "x"},
        "SELECT_OPTION": {"option": {"value": "v"}},
        "UPLOAD_FILE": {"file_url": "a.txt"},
        "KEYPRESS": {"keys": ["Tab"]},
        "GOTO_URL": {"url": "http://x"},
        "SWITCH_TAB": {"tab_index": 0},
        "CALL_TOOL": {"tool": "lookup", "arguments": {"sku": "A-1"}},
    }
    raw = [
        {"action_type": t, **({"id": "1"} if KINDS[t].targeted else {}), **samples.get(t, {})}
        for t in ACTION_TYPES
    ]
    actions, notes = parse_actions(raw)
    assert notes == [] and [a.action_type for a in actions] == list(ACTION_TYPES)
    again, notes = parse_actions([a.model_dump(mode="json") for a in actions])
    assert notes == [] and again == actions


OPTIONS = [
    {"label": "Choose…", "value": "", "index": 0},
    {"label": "United States", "value": "us", "index": 1},
    {"label": "United Kingdom", "value": "uk", "index": 2},
    {"label": "Germany", "value": "de", "index": 3},
    {"label": "Greenland", "value": "gl", "index": 4, "disabled": True},
]


@pytest.mark.parametrize(
    ("asked", "index"),
    [
        ({"index": 3}, 3),
        ({"value": "uk"}, 2),
        ({"value": "Germany"}, 3),  # a label given as the value
        ({"label": "  united   states "}, 1),
        ({"label": "germ"}, 3),
        ({"label": "Untied States"}, 1),
        ({"label": "Federal Republic of Germany"}, 3),  # the option's label inside the asked text
    ],
)
def test_option_matching(asked, index):
    assert match_option(OPTIONS, SelectOption(**asked))["index"] == index


@pytest.mark.parametrize(
    ("asked", "error"),
    [
        ({"label": "United"}, "'United' matches several options"),
        ({"label": "France"}, "no option matches 'France'"),
        ({"label": "Greenland"}, "the option 'Greenland' is disabled"),
        ({"index": 9}, "there is no option at index 9"),
    ],
)
def test_option_matching_failures(asked, error):
    with pytest.raises(ValueError, match=error):
        match_option(OPTIONS, SelectOption(**asked))
