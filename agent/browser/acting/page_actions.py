"""KEYPRESS, SCROLL, WAIT and ANSWER_DIALOG: their models, handlers and declarations.

Keys go to the element named by ``id`` (focused first) or to whatever has focus; Enter in
a form field waits a moment for the submission it starts. A scroll moves the page or the
scroll box holding the element and says how far it got. A wait is capped. A JS dialog the
page waits on is answered here; nothing else may be done on its tab until then.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from pydantic import field_validator

from agent.browser.acting._aliases import normalize_key
from agent.browser.acting._context import CLICK_TIMEOUT_MS, ActionContext, ActionFailed, js, page_js
from agent.browser.acting.action_kind import ActionBase, ActionKind, register_action
from agent.browser.acting.effects import EffectProbe

MAX_WAIT_SECONDS = 5.0
"""WAIT never sleeps longer than this: a plan that wants to wait longer waits again."""
MAX_KEY_REPEAT = 20
ENTER_WAIT_SECONDS = 1.0
"""How long Enter in a form field waits for the submission to start."""


class KeypressAction(ActionBase):
    """Press keys in order (``["Control+a", "Backspace"]``), on ``id`` when given, else on the focused element."""

    action_type: Literal["KEYPRESS"] = "KEYPRESS"
    keys: list[str]
    """Playwright key names or chords; aliases such as ``enter``, ``esc``, ``ctrl+a`` are normalized."""
    repeat: int = 1
    """How many times to press the whole sequence (capped)."""

    @field_validator("keys", mode="before")
    @classmethod
    def _keys_list(cls, value: object) -> object:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):  # a nested list ([["ArrowRight", "ArrowRight"]]) is flattened
            flat = [k for item in value for k in (item if isinstance(item, list) else [item])]
            return [normalize_key(k) if isinstance(k, str) else k for k in flat]
        return value

    @field_validator("keys")
    @classmethod
    def _non_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("keys is empty")
        return value

    @field_validator("repeat")
    @classmethod
    def _cap_repeat(cls, value: int) -> int:
        return max(1, min(value, MAX_KEY_REPEAT))


class ScrollAction(ActionBase):
    """Scroll the page, or the scroll container that holds element ``id``."""

    action_type: Literal["SCROLL"] = "SCROLL"
    direction: Literal["up", "down", "left", "right"] = "down"
    """Which way to scroll."""
    amount: int | None = None
    """Pixels; by default most of the visible height (or width)."""


class WaitAction(ActionBase):
    """Wait a little for the page to settle."""

    action_type: Literal["WAIT"] = "WAIT"
    seconds: float = 2.0
    """How long; capped at MAX_WAIT_SECONDS."""

    @field_validator("seconds")
    @classmethod
    def _cap(cls, value: float) -> float:
        return max(0.0, min(value, MAX_WAIT_SECONDS))


class AnswerDialogAction(ActionBase):
    """Answer the JS ``confirm``/``prompt`` dialog waiting on the active tab."""

    action_type: Literal["ANSWER_DIALOG"] = "ANSWER_DIALOG"
    accept: bool = True
    """True presses OK, False presses Cancel."""
    text: str | None = None
    """For a ``prompt`` dialog: the text to answer with (its default text when omitted)."""


async def _wait(_ctx: ActionContext, action: WaitAction) -> str:
    await asyncio.sleep(action.seconds)
    return f"waited {action.seconds:g}s"


_TAKES_FOCUS_JS = """el => {
  let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  if (a && (el === a || el.contains(a))) return true;
  if (a && a !== document.body) a.blur();
  return false;
}"""
_FOCUS_IN_FRAME_JS = "() => /^i?frame$/i.test(document.activeElement?.tagName || '')"


async def _keypress(ctx: ActionContext, action: KeypressAction) -> str:
    where = ""
    locator = None
    if action.id:
        locator = await ctx.resolve(action.id)
        await locator.focus(timeout=CLICK_TIMEOUT_MS)
        where = f" on {ctx.describe(action.id)}"
        if not await locator.evaluate(_TAKES_FOCUS_JS):
            # Keys would go to whatever had focus before: send them to the page instead.
            where += " (it cannot take keyboard focus, so the keys went to the page)"
    if "Enter" in action.keys:  # Enter in a form field submits it
        in_form = await ctx.page.evaluate("() => !!(document.activeElement?.form)")
        ctx.expect_activity = ENTER_WAIT_SECONDS if in_form else 0.0
    # Keys sent to whatever has focus: when that is inside a frame, the probe cannot see it.
    in_frame = locator is None and await ctx.page.evaluate(_FOCUS_IN_FRAME_JS)
    if not in_frame:
        ctx.effect = await EffectProbe.start(
            ctx, locator, "keypress", where.removeprefix(" on "), element_id=action.id
        )
    for _ in range(action.repeat):
        for key in action.keys:
            await ctx.page.keyboard.press(key)
    times = f" {action.repeat} times" if action.repeat > 1 else ""
    return f"pressed {' then '.join(action.keys)}{times}{where}"


async def _scroll(ctx: ActionContext, action: ScrollAction) -> str:
    sign = -1 if action.direction in ("up", "left") else 1
    vertical = action.direction in ("up", "down")
    delta = {"vertical": vertical, "sign": sign, "amount": action.amount}
    if action.id:
        moved = await js(await ctx.resolve(action.id), "scroll", delta)
    else:
        moved = await page_js(ctx.page, "scroll", delta)
    what = "the page" if moved["what"] == "page" else moved["what"]
    if moved["id"]:
        what += f" (element {moved['id']})"
    if moved["after"] == moved["before"]:
        end = "top" if sign < 0 and vertical else "bottom" if vertical else "edge"
        raise ActionFailed(f"{what} did not move: it is already at the {end}")
    distance = abs(moved["after"] - moved["before"])
    if moved["after"] >= moved["max"] - 1:
        where = "reached the end"
    elif moved["after"] <= 0:
        where = "reached the start"
    else:
        where = "more beyond"
    await asyncio.sleep(0.1)  # lazy lists load on scroll events
    position = f"now at {moved['after']} of {moved['max']}px"
    return f"scrolled {what} {action.direction} by {distance}px ({position}; {where})"


async def _answer_dialog(ctx: ActionContext, action: AnswerDialogAction) -> str:
    try:
        return await ctx.tabs.dialogs_state.answer(ctx.page, action.accept, action.text)
    except LookupError as exc:
        raise ActionFailed(str(exc)) from None


def _loose_scroll(data: dict[str, Any]) -> None:
    """``"direction": "Down"`` or ``scroll_y: 300`` (a signed distance) as a direction."""
    direction = data.get("direction")
    if isinstance(direction, str):
        data["direction"] = direction.strip().lower()
    for axis, (neg, pos) in (("scroll_y", ("up", "down")), ("scroll_x", ("left", "right"))):
        delta = data.get(axis)
        if "direction" not in data and isinstance(delta, int | float) and delta:
            data["direction"] = pos if delta > 0 else neg
            data.setdefault("amount", abs(int(delta)))


KEYPRESS = register_action(
    ActionKind(
        KeypressAction,
        _keypress,
        prompt="KEYPRESS (keys, id) — presses keys in order, each a key name or a chord: "
        '["Enter"], ["ArrowRight", "ArrowRight"], ["Control+a", "Backspace"]; with an id, that '
        "element gets the keyboard focus first (else the focused element gets the keys)",
        aliases=(
            "KEY",
            "KEYS",
            "PRESS",
            "PRESS_KEY",
            "PRESS_KEYS",
            "KEY_PRESS",
            "SEND_KEYS",
            "KEYBOARD",
        ),
        shorthands={
            "PRESS_ENTER": {"keys": ["Enter"]},
            "ENTER": {"keys": ["Enter"]},
            "PRESS_TAB": {"keys": ["Tab"]},
            "PRESS_ESCAPE": {"keys": ["Escape"]},
        },
        field_aliases=(("keys", ("key", "text", "value")),),
        uses_id=True,
        settle=0.15,
    )
)
SCROLL = register_action(
    ActionKind(
        ScrollAction,
        _scroll,
        prompt='SCROLL (direction: "down"/"up", id of a scrollable box or null for the page)',
        shorthands={
            "SCROLL_DOWN": {"direction": "down"},
            "SCROLL_UP": {"direction": "up"},
            "SCROLL_LEFT": {"direction": "left"},
            "SCROLL_RIGHT": {"direction": "right"},
        },
        field_aliases=(("amount", ("pixels", "distance")),),
        normalize=_loose_scroll,
        uses_id=True,
        settle=None,
        submits=False,
    )
)
WAIT = register_action(
    ActionKind(
        WaitAction,
        _wait,
        prompt="WAIT (seconds)",
        aliases=("SLEEP", "PAUSE"),
        field_aliases=(("seconds", ("duration", "time", "wait")),),
        settle=None,
        while_dialog=True,
        submits=False,
    )
)
ANSWER_DIALOG = register_action(
    ActionKind(
        AnswerDialogAction,
        _answer_dialog,
        prompt="ANSWER_DIALOG (accept: true/false, text) — answer the open browser dialog",
        shorthands={"ACCEPT_DIALOG": {"accept": True}, "DISMISS_DIALOG": {"accept": False}},
        while_dialog=True,
    )
)
