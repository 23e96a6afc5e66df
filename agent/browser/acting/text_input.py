"""INPUT_TEXT and UPLOAD_FILE: their models, handlers and declarations.

Typing clears the field and types keys, as a person does (keydown, keypress, input and
keyup for each character). Into a field that may open suggestions while one types (a
combobox, ``aria-autocomplete``, ``autocomplete=off``, a search field: autocompletes in
the jQuery UI style that read keys only) the whole text is typed key by key (up to
:data:`KEY_BY_KEY_MAX` characters), and the field is watched a moment after the last key
(:mod:`agent.browser.acting.suggestions`, also for any field whose typing sent a request), so the
list it opens is on the page when the next observation
is made, and the message names its first options. Into other fields all but the last
:data:`TYPED_TAIL` characters are filled at once, and those are typed, so pages that listen
to keys (live search, masks, "enable the button once something was typed") see real
keystrokes while forms stay fast. The value is read back: a field that
shows something else afterwards is reported (masked fields that only reformat, like phone
numbers, count as a match). Date and time inputs get the format they accept; a
``<select>`` is handed to SELECT_OPTION; a read-only field is reported as a picker to click.

An element that is no text field but takes keyboard focus (a terminal, a game board: a
``<div tabindex=0>`` reading keydown) is focused and gets the text as key presses; its
effect is checked as a KEYPRESS's is. Secret values (password fields, fields that got a
``{{SECRET}}``) never appear in messages: only their length does.

Uploads accept only the files the caller allowed (``upload_files``), named by path,
``file://`` URL or file name; anything else fails with the list of what is allowed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator
from pydantic import field_validator

from agent.browser.acting._context import (
    CLICK_TIMEOUT_MS,
    ActionContext,
    ActionFailed,
    Target,
    js,
    js_handle,
)
from agent.browser.acting._dates import input_value
from agent.browser.acting.action_kind import ActionKind, TargetedAction, register_action
from agent.browser.acting.effects import EffectProbe
from agent.browser.acting.mouse import pointer_click
from agent.browser.acting.suggestions import watch_suggestions

if TYPE_CHECKING:
    from playwright.async_api import Keyboard


class InputTextAction(TargetedAction):
    """Replace the text of an input, textarea or contenteditable element."""

    action_type: Literal["INPUT_TEXT"] = "INPUT_TEXT"
    text: str
    """The text to type; the field is cleared first."""

    @field_validator("text", mode="before")
    @classmethod
    def _text_to_str(cls, value: object) -> object:
        return (
            str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        )


class UploadFileAction(TargetedAction):
    """Put a file into a file input (directly, or through the file chooser the element opens)."""

    action_type: Literal["UPLOAD_FILE"] = "UPLOAD_FILE"
    file_url: str
    """Path, file:// URL or file name of one of the files the task may upload."""


KEY_BY_KEY_MAX = 64
"""Texts up to this long are typed key by key, whole, into a field that may suggest."""
TYPED_TAIL = 3
"""How many trailing characters are typed key by key into other fields and of longer
texts (the rest is filled at once)."""
KEY_DELAY_MS = 0

DATE_TYPES = frozenset({"date", "time", "datetime-local", "month", "week"})
_PLAIN_VALUE_TYPES = frozenset({"number", "range", "color"})


def _alnum(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).casefold()


def _shown(text: str, secret: bool) -> str:
    return f"{len(text)} characters" if secret else repr(text)


async def input_text(ctx: ActionContext, action: InputTextAction) -> str | tuple[str, Any]:
    """INPUT_TEXT: returns the success message or raises ActionFailed."""
    what = ctx.describe(action.id)
    target: Target
    target, info = await ctx.resolve_with(action.id, "probe")
    if info["select"] or info["role"] in ("listbox", "radiogroup"):  # a choice, not text
        return await ctx.run("SELECT_OPTION", id=action.id, option={"label": action.text})
    if info["checkable"] and not info["editable"]:
        raise ActionFailed(f"{what} is a {info['checkable']}, not a text field; use CLICK on it")
    if info["file_input"] and not info["editable"]:
        raise ActionFailed(f"{what} is a file input; use UPLOAD_FILE with one of the allowed files")
    if not info["editable"]:
        inner = (
            await js_handle(target, "related", "editable") if info["editable_inside"] == 1 else None
        )
        if inner is None and info["focusable"] and not info["disabled"]:
            return await _type_keys(ctx, target, action, what, secret=info["secret"])
        if inner is None:
            raise ActionFailed(
                f"{what} does not accept text (it is a <{info['tag']}> that takes no keyboard "
                "focus); type into a field, or click the element that opens one"
            )
        target, info = inner, await js(inner, "probe")
    if info["disabled"]:
        raise ActionFailed(f"{what} is disabled; it cannot take text now")
    if info["readonly"]:
        raise ActionFailed(
            f"{what} is read-only: it is probably filled by a picker; click it and choose instead"
        )
    secret = info["type"] == "password" or info["secret"]
    if info["type"] in DATE_TYPES:
        return await _fill_exact(target, what, action.text, info["type"])
    if info["type"] in _PLAIN_VALUE_TYPES:
        return await _fill_exact(target, what, action.text, None)
    multiline = info["tag"] == "textarea" or info["contenteditable"]
    may_suggest = info["suggests"] and not secret
    async with watch_suggestions(ctx.page, target, may_suggest) as suggested:
        await _type(
            target, ctx.page.keyboard, action.text, multiline=multiline, by_key=info["suggests"]
        )
    shown = await js(target, "settledDisplay")
    if not isinstance(shown, str):
        shown = ""
    wanted = action.text
    if info["contenteditable"]:
        shown, wanted = shown.strip(), re.sub(r"\s+", " ", wanted).strip()
    if shown == wanted or (_alnum(shown) == _alnum(wanted) and _alnum(wanted)):
        extra = "" if shown == wanted or secret else f" (the field shows {shown!r})"
        message = f"typed {_shown(action.text, secret)} into {what}{extra}{suggested.note()}"
        return (message, suggested) if suggested.count else message
    if not shown:
        raise ActionFailed(
            f"typed into {what} but the field is empty afterwards; the page cleared it"
        )
    raise ActionFailed(
        f"typed {_shown(action.text, secret)} into {what} but the field shows "
        f"{_shown(shown, secret)} (it may limit length or reformat input)"
    )


async def _type(
    target: Target, keyboard: Keyboard, text: str, *, multiline: bool, by_key: bool
) -> None:
    """Clear the field and type ``text`` key by key (a long one, or one with line breaks:
    fill all but its tail, then type that)."""
    if not multiline and ("\n" in text or "\r" in text):  # Enter would submit the form
        await target.fill(text, timeout=CLICK_TIMEOUT_MS)
        return
    whole = len(text) <= KEY_BY_KEY_MAX and by_key
    cut = 0 if whole else max(0, len(text) - TYPED_TAIL)
    # Line breaks are filled, never typed: Enter in a chat box or an editor may send or submit.
    cut = max(cut, text.rfind("\n") + 1, text.rfind("\r") + 1)
    head, tail = text[:cut], text[cut:]
    await target.fill(head, timeout=CLICK_TIMEOUT_MS)
    if not tail:
        return
    # fill() left the focus in the field and the caret at the end, where the keys go; the
    # keyboard types there without the per-key checks of press_sequentially (~3x faster).
    await keyboard.type(tail, delay=KEY_DELAY_MS)


async def _type_keys(
    ctx: ActionContext, target: Target, action: InputTextAction, what: str, *, secret: bool
) -> str:
    """Focus an element that is not a text field and send ``action.text`` as key presses."""
    if isinstance(target, Locator):
        await target.focus(timeout=CLICK_TIMEOUT_MS)
    else:
        await target.focus()
    if not await js(target, "hasFocus"):  # some widgets take the focus on a click only
        await pointer_click(target, what)
    # The probe proves the keys did something (act() reads it), as for a KEYPRESS.
    ctx.effect = await EffectProbe.start(ctx, target, "keypress", what, element_id=action.id)
    await ctx.page.keyboard.type(action.text, delay=KEY_DELAY_MS)
    return (
        f"typed {_shown(action.text, secret)} into {what} key by key "
        "(it is not a text field: each character was sent as a key press)"
    )


async def _fill_exact(target: Target, what: str, text: str, input_type: str | None) -> str:
    try:
        value = input_value(text, input_type) if input_type else text.strip()
    except ValueError as exc:
        raise ActionFailed(f"{what}: {exc}") from None
    try:
        await target.fill(value, timeout=CLICK_TIMEOUT_MS)
    except PlaywrightError as exc:
        raise ActionFailed(f"{what} did not accept {value!r}: {str(exc).splitlines()[0]}") from None
    shown = await js(target, "display")
    if shown != value:
        raise ActionFailed(f"set {what} to {value!r} but it shows {shown!r}")
    note = "" if value == text else f" (from {text!r})"
    return f"set {what} to {value!r}{note}"


def allowed_file(file_url: str, allowed: tuple[Path, ...]) -> Path:
    """The allowed file that ``file_url`` names (path, file:// URL or bare name), else ActionFailed."""
    if not allowed:
        raise ActionFailed(
            f"no files may be uploaded in this task, so {file_url!r} cannot be; "
            "finish without the upload or terminate"
        )
    raw = file_url.strip().strip("'\"")
    if raw.lower().startswith("file:"):
        raw = url2pathname(urlsplit(raw).path)
    asked = Path(unquote(raw)).expanduser()
    chosen = next((p for p in allowed if asked.is_absolute() and asked.resolve() == p), None)
    if chosen is None:
        same_name = [p for p in allowed if p.name == asked.name]
        if len(same_name) == 1:
            chosen = same_name[0]
    if chosen is None:
        names = ", ".join(p.name for p in allowed)
        raise ActionFailed(f"{file_url!r} is not one of the files this task may upload ({names})")
    if not chosen.is_file():
        raise ActionFailed(f"the allowed file {chosen.name} does not exist on disk")
    return chosen


async def upload_file(ctx: ActionContext, action: UploadFileAction) -> str:
    """UPLOAD_FILE (and CLICK with file_url): returns the success message or raises ActionFailed."""
    what = ctx.describe(action.id)
    path = allowed_file(action.file_url, ctx.upload_files)
    locator, info = await ctx.resolve_with(action.id, "probe")
    if info["disabled"]:
        raise ActionFailed(f"{what} is disabled; it cannot take a file now")
    file_input = await js_handle(locator, "related", "file") if info["file_input"] else None
    if file_input is not None:
        try:
            await file_input.set_input_files(path, timeout=CLICK_TIMEOUT_MS)
            names: Any = await file_input.evaluate("el => Array.from(el.files).map(f => f.name)")
        finally:
            await file_input.dispose()
        if path.name not in names:
            raise ActionFailed(f"set {path.name} on {what} but the input holds {names}")
        return f"attached {path.name} to {what}"
    try:
        async with ctx.page.expect_file_chooser(timeout=CLICK_TIMEOUT_MS) as chooser_info:
            await pointer_click(locator, what, info=info)
        chooser = await chooser_info.value
    except PlaywrightError as exc:
        if "Timeout" not in str(exc):
            raise
        raise ActionFailed(
            f"clicking {what} did not open a file chooser; target the file input or its upload button"
        ) from None
    await chooser.set_files(path, timeout=CLICK_TIMEOUT_MS)
    return f"attached {path.name} through the file chooser opened by {what}"


INPUT_TEXT = register_action(
    ActionKind(
        InputTextAction,
        input_text,
        prompt="INPUT_TEXT (id, text) — types the text into a field, replacing its content; "
        "into another element that takes keys (a terminal, a game) it types the keys there",
        aliases=("TYPE", "FILL", "INPUT", "TYPE_TEXT", "ENTER_TEXT", "PASTE_TEXT", "FILL_TEXT"),
        field_aliases=(("text", ("value", "input", "content", "input_text")),),
        uses_id=True,
        settle=0.02,  # typing (no Enter) rarely sets anything off
        submits=False,
        idempotent=True,
    )
)
UPLOAD_FILE = register_action(
    ActionKind(
        UploadFileAction,
        upload_file,
        prompt="UPLOAD_FILE (id, file_url) — only a file listed as one you may upload",
        aliases=("UPLOAD", "FILE_UPLOAD", "ATTACH_FILE", "SET_FILE"),
        field_aliases=(
            ("file_url", ("file", "path", "file_path", "filename", "file_name", "url")),
        ),
        uses_id=True,
        settle=0.1,
        idempotent=True,
        prompt_if="upload_files",
    )
)
