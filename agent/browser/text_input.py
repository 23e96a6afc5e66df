"""INPUT_TEXT and UPLOAD_FILE: their models, handlers and declarations.

Typing clears the field, fills all but the last few characters at once and types those
key by key, so pages that listen to ``keydown``/``keyup`` (live search, masks, "enable the
button once something was typed") see real keystrokes, while long texts stay fast. The
value is read back: a field that shows something else afterwards is reported (masked
fields that only reformat, like phone numbers, count as a match). Date and time inputs get
the format they accept; a ``<select>`` is handed to SELECT_OPTION; a read-only field is
reported as a picker to click. Password values never appear in messages.

Uploads accept only the files the caller allowed (``upload_files``), named by path,
``file://`` URL or file name; anything else fails with the list of what is allowed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator
from pydantic import field_validator

from agent.browser._context import (
    CLICK_TIMEOUT_MS,
    ActionContext,
    ActionFailed,
    Target,
    js,
    js_handle,
)
from agent.browser._dates import input_value
from agent.browser.action_kind import ActionKind, TargetedAction, register_action
from agent.browser.mouse import pointer_click


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


TYPED_TAIL = 2
"""How many trailing characters are typed key by key (the rest is filled at once)."""
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
        if inner is None:
            raise ActionFailed(f"{what} does not accept text (it is a <{info['tag']}>)")
        target, info = inner, await js(inner, "probe")
    if info["disabled"]:
        raise ActionFailed(f"{what} is disabled; it cannot take text now")
    if info["readonly"]:
        raise ActionFailed(
            f"{what} is read-only: it is probably filled by a picker; click it and choose instead"
        )
    secret = info["type"] == "password"
    if info["type"] in DATE_TYPES:
        return await _fill_exact(target, what, action.text, info["type"])
    if info["type"] in _PLAIN_VALUE_TYPES:
        return await _fill_exact(target, what, action.text, None)
    await _type(target, action.text, multiline=info["tag"] == "textarea" or info["contenteditable"])
    shown = await js(target, "settledDisplay")
    if not isinstance(shown, str):
        shown = ""
    wanted = action.text
    if info["contenteditable"]:
        shown, wanted = shown.strip(), re.sub(r"\s+", " ", wanted).strip()
    if shown == wanted or (_alnum(shown) == _alnum(wanted) and _alnum(wanted)):
        extra = "" if shown == wanted or secret else f" (the field shows {shown!r})"
        return f"typed {_shown(action.text, secret)} into {what}{extra}"
    if not shown:
        raise ActionFailed(
            f"typed into {what} but the field is empty afterwards; the page cleared it"
        )
    raise ActionFailed(
        f"typed {_shown(action.text, secret)} into {what} but the field shows "
        f"{_shown(shown, secret)} (it may limit length or reformat input)"
    )


async def _type(target: Target, text: str, *, multiline: bool) -> None:
    head, tail = text[:-TYPED_TAIL], text[-TYPED_TAIL:]
    if not multiline and ("\n" in tail or "\r" in tail):  # Enter would submit the form
        head, tail = text, ""
    await target.fill(head, timeout=CLICK_TIMEOUT_MS)
    if not tail:
        return
    # fill() left the caret at the end, where the typed keys go.
    if isinstance(target, Locator):
        await target.press_sequentially(tail, delay=KEY_DELAY_MS, timeout=CLICK_TIMEOUT_MS)
    else:
        await target.type(tail, delay=KEY_DELAY_MS, timeout=CLICK_TIMEOUT_MS)


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
        prompt="INPUT_TEXT (id, text) — replaces the field's content",
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
