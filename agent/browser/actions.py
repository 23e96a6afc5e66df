"""Executing one action on a page: :func:`act` and its :class:`ActionResult`.

``act`` never raises for what a page does: a stale id, a blocked click, an option that
does not exist, a navigation that times out all come back as ``success=False`` with a
sentence the next prompt can use. Each action has short timeouts (a few seconds), so a
failing action costs little. What an action set off (a navigation, a new tab, a download,
a JS dialog) is waited for briefly and reported in the result.

    obs = await observe(page)
    result = await act(page, {"action_type": "CLICK", "id": "12"}, obs, tabs=tabs)
    result.success, result.message, result.page_changed, result.downloaded

Element actions live in :mod:`~agent.browser.pointer` (CLICK, HOVER),
:mod:`~agent.browser.text_input` (INPUT_TEXT, UPLOAD_FILE) and
:mod:`~agent.browser.select` (SELECT_OPTION); page and tab actions are here.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from playwright.async_api import Error as PlaywrightError
from pydantic import BaseModel, ConfigDict, Field

from agent.browser import action_types as at
from agent.browser._context import (
    CLICK_TIMEOUT_MS,
    NAVIGATION_TIMEOUT_MS,
    ActionContext,
    ActionFailed,
    js,
    page_js,
)
from agent.browser.dialogs import LEAVING_ACTIONS, OpenDialog, until_dialog
from agent.browser.effects import EffectProbe, verify_effect
from agent.browser.pointer import click, hover
from agent.browser.select import select_option
from agent.browser.tabs import DownloadedFile, Tabs
from agent.browser.text_input import input_text, upload_file
from agent.browser.watch import ActionWatch

if TYPE_CHECKING:
    from playwright.async_api import Page

    from agent.browser.observation import Observation

ACTION_TIMEOUT_SECONDS = 30.0
"""Hard ceiling for one action, settling included."""
_NO_SETTLE = frozenset({"WAIT", "SCROLL", "HOVER", "SWITCH_TAB"}) | at.DECISIONS
_WHILE_DIALOG = frozenset({"ANSWER_DIALOG", "WAIT", "SWITCH_TAB", "NEW_TAB"}) | at.DECISIONS
"""What may be done on a tab whose page waits for a dialog's answer."""
# How long to wait for an action's consequences to start (see watch.ActionWatch.settle).
_GRACE = {
    "CLICK": 0.15,
    "KEYPRESS": 0.15,
    "UPLOAD_FILE": 0.1,
    "SELECT_OPTION": 0.1,
    "INPUT_TEXT": 0.02,
}  # typing (no Enter) rarely sets anything off
_DEFAULT_GRACE = 0.05
ENTER_WAIT_SECONDS = 1.0
"""How long Enter in a form field waits for the submission to start."""


class ActionResult(BaseModel):
    """What one action did, in words for the next prompt and in fields for the engine."""

    model_config = ConfigDict(use_attribute_docstrings=True)

    success: bool
    """Whether the action did what it asked for."""
    message: str
    """What happened, or why it failed."""
    page_changed: bool = False
    """The URL changed, a new document loaded, or the active tab changed."""
    url: str = ""
    """URL of the active tab afterwards."""
    data: Any = None
    """Extra data for the engine (the tab list after tab actions)."""
    downloaded: list[DownloadedFile] = Field(default_factory=list)
    """Files downloaded during the action."""
    dialog: str | None = None
    """JS dialogs the page showed during the action, joined with "; "."""


async def act(
    page: Page,
    action: at.Action | dict[str, Any],
    observation: Observation | None,
    *,
    tabs: Tabs | None = None,
    upload_files: Sequence[str | Path] = (),
) -> ActionResult:
    """Execute one action on ``page`` and report what happened (never raises for page failures).

    ``action`` is an action model or a dict in the ``plan`` answer's form. ``observation`` is
    the one the action's element id comes from. ``tabs`` is the run's :class:`Tabs` (needed
    for tab actions; without it, dialogs and downloads are still handled for this action).
    ``upload_files`` lists the only files UPLOAD_FILE may use.
    """
    if not isinstance(action, BaseModel):
        try:
            action = at.parse_action(action)
        except ValueError as exc:
            return ActionResult(
                success=False, message=f"the action was not understood: {exc}", url=page.url
            )
    own_tabs = tabs is None
    run_tabs = tabs if tabs is not None else Tabs.around(page)
    ctx = ActionContext(
        page=page,
        observation=observation,
        tabs=run_tabs,
        upload_files=tuple(Path(p).expanduser().resolve() for p in upload_files),
        tabs_given=not own_tabs,
    )
    waiting = run_tabs.dialogs_state.open_on(page)
    if waiting is not None and action.action_type not in _WHILE_DIALOG:
        return ActionResult(
            success=False,
            message=f"{waiting.describe()} and the tab waits for it: answer it first with "
            "ANSWER_DIALOG (accept true or false)",
            url=page.url,
        )
    try:
        leaving = action.action_type in LEAVING_ACTIONS
        with ActionWatch(page, run_tabs) as watch, run_tabs.dialogs_state.leaving(leaving):
            success, message, data = await _attempt(ctx, action)
            if action.action_type not in _NO_SETTLE and not run_tabs.dialogs_state.open_on(page):
                grace = ctx.expect_activity or _GRACE.get(action.action_type, _DEFAULT_GRACE)
                await watch.settle(grace)
            if success and ctx.effect is not None and not run_tabs.dialogs_state.open_on(page):
                # A dialog that opens meanwhile is the effect (and freezes the page).
                checked = await until_dialog(
                    run_tabs.dialogs_state, page, verify_effect(ctx, watch, ctx.effect, message)
                )
                if not isinstance(checked, OpenDialog):
                    success, message = checked
        if ctx.effect is not None:
            ctx.effect.close()
        result = _result(ctx, action, watch, success, message, data)
        if result.page_changed and not own_tabs:
            await run_tabs.refresh_titles()  # so describe() shows the new titles at once
        return result
    finally:
        if own_tabs:
            run_tabs.detach()


async def _attempt(ctx: ActionContext, action: at.Action) -> tuple[bool, str, Any]:
    """Run the handler; turn every page-level failure into (False, reason, None)."""
    try:
        outcome = await asyncio.wait_for(
            until_dialog(ctx.tabs.dialogs_state, ctx.page, _run(ctx, action)),
            ACTION_TIMEOUT_SECONDS,
        )
    except ActionFailed as exc:
        return False, str(exc), None
    except asyncio.TimeoutError:
        limit = f"{ACTION_TIMEOUT_SECONDS:.0f}s"
        return False, f"{action.action_type} took longer than {limit} and was stopped", None
    except PlaywrightError as exc:
        return False, _playwright_failure(ctx, action, exc), None
    if isinstance(outcome, OpenDialog):  # the page waits: the model answers next step
        target = f" on {ctx.describe(action.id)}" if action.id else ""
        return (
            True,
            f"{action.action_type}{target} opened a dialog: {outcome.describe()}; the tab "
            "waits for your answer (ANSWER_DIALOG with accept true or false)",
            None,
        )
    message, data = outcome
    return True, message, data


def _result(
    ctx: ActionContext,
    action: at.Action,
    watch: ActionWatch,
    success: bool,
    message: str,
    data: Any,
) -> ActionResult:
    notes = watch.notes()
    if watch.new_download_errors or watch.new_blocked:
        success = False
    if notes:
        message = f"{message}; " + "; ".join(notes)
    try:
        active = ctx.tabs.page
    except RuntimeError:  # every tab is closed
        active = ctx.page
    tab_changed = action.action_type in ("NEW_TAB", "SWITCH_TAB", "CLOSE_PAGE") and success
    return ActionResult(
        success=success,
        message=message,
        page_changed=watch.page_changed or tab_changed,
        url=active.url,
        data=data,
        downloaded=list(watch.new_downloads),
        dialog="; ".join(watch.new_dialogs) or None,
    )


def _playwright_failure(ctx: ActionContext, action: at.Action, exc: PlaywrightError) -> str:
    text = str(exc)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    target = f" on {ctx.describe(action.id)}" if action.id else ""
    if "closed" in text.lower() and ("target" in text.lower() or "page" in text.lower()):
        return f"{action.action_type}{target} failed: the tab was closed during the action"
    if "Timeout" in text:
        return f"{action.action_type}{target} timed out: {first}"
    return f"{action.action_type}{target} failed: {first}"


async def _run(ctx: ActionContext, action: at.Action) -> tuple[str, Any]:
    handler = _HANDLERS.get(action.action_type)
    if handler is None:
        return f"{action.action_type} is decided by the engine; act() did nothing on the page", None
    outcome = await handler(ctx, action)
    return outcome if isinstance(outcome, tuple) else (outcome, None)


# -- page and tab actions ------------------------------------------------------------------
def _absolute_url(ctx: ActionContext, url: str) -> str:
    """The URL to load, if the run's browsing policy lets the model open it."""
    absolute = _resolve_url(ctx, url)
    refused = ctx.tabs.policy.refusal(absolute)
    if refused is not None:
        raise ActionFailed(f"{refused} (the browsing policy)")
    return absolute


def _resolve_url(ctx: ActionContext, url: str) -> str:
    """Shortened hrefs restored, relative ones resolved, a scheme added."""
    url = url.strip().strip("\"'<>` ")
    if ctx.observation is not None:
        url = ctx.observation.expand_url(url)
    if url.startswith(("/", "?", "#", "./", "../")):
        return urljoin(ctx.page.url, url)
    if url.startswith("//"):
        return "https:" + url
    if _HOST_PORT.match(url) or not urlsplit(url).scheme:
        local = _LOCAL_HOST.match(url)
        return ("http://" if local else "https://") + url
    return url


_HOST_PORT = re.compile(r"^[\w.-]+:\d+(/|$)")
_LOCAL_HOST = re.compile(r"^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)([:/]|$)")


async def _goto(ctx: ActionContext, action: at.GotoUrlAction) -> str:
    url = _absolute_url(ctx, action.url)
    try:
        response = await ctx.page.goto(
            url, wait_until="domcontentloaded", timeout=NAVIGATION_TIMEOUT_MS
        )
    except PlaywrightError as exc:
        if "Download is starting" in str(exc):
            return f"opening {url} started a download"
        raise ActionFailed(f"could not open {url}: {str(exc).splitlines()[0]}") from None
    status = f" (HTTP {response.status})" if response is not None and response.status >= 400 else ""
    return f"opened {url}{status}"


async def _go_back(ctx: ActionContext, _action: at.GoBackAction) -> str:
    before = ctx.page.url
    response = await ctx.page.go_back(wait_until="domcontentloaded", timeout=NAVIGATION_TIMEOUT_MS)
    if response is None and ctx.page.url == before:
        raise ActionFailed("there is no previous page in this tab's history")
    return f"went back to {ctx.page.url}"


async def _reload(ctx: ActionContext, _action: at.ReloadPageAction) -> str:
    await ctx.page.reload(wait_until="domcontentloaded", timeout=NAVIGATION_TIMEOUT_MS)
    return "reloaded the page"


def _needs_tabs(ctx: ActionContext, kind: str) -> None:
    if not ctx.tabs_given:
        raise ActionFailed(f"{kind} needs the run's tabs: pass tabs= to act()")


async def _new_tab(ctx: ActionContext, action: at.NewTabAction) -> tuple[str, Any]:
    _needs_tabs(ctx, "NEW_TAB")
    url = _absolute_url(ctx, action.url) if action.url else None
    page = await ctx.tabs.new_tab(None)
    if url:
        try:
            await page.goto(url, wait_until="domcontentloaded", timeout=NAVIGATION_TIMEOUT_MS)
        except PlaywrightError as exc:
            raise ActionFailed(
                f"opened a new tab but could not load {url}: {str(exc).splitlines()[0]}"
            ) from None
    index = ctx.tabs.pages.index(page)
    return (
        f"opened tab {index}{' on ' + url if url else ''}; it is now the active tab",
        ctx.tabs.describe(),
    )


async def _switch_tab(ctx: ActionContext, action: at.SwitchTabAction) -> tuple[str, Any]:
    _needs_tabs(ctx, "SWITCH_TAB")
    try:
        page = await ctx.tabs.switch(action.tab_index)
    except IndexError as exc:
        raise ActionFailed(str(exc)) from None
    return f"switched to tab {action.tab_index}: {page.url}", ctx.tabs.describe()


async def _close_page(ctx: ActionContext, action: at.ClosePageAction) -> tuple[str, Any]:
    _needs_tabs(ctx, "CLOSE_PAGE")
    index = (
        action.tab_index if action.tab_index is not None else ctx.tabs.pages.index(ctx.tabs.page)
    )
    try:
        await ctx.tabs.close_tab(index)
    except (IndexError, ValueError) as exc:
        raise ActionFailed(str(exc)) from None
    active = ctx.tabs.pages.index(ctx.tabs.page)
    return (
        f"closed tab {index}; tab {active} ({ctx.tabs.page.url}) is now active",
        ctx.tabs.describe(),
    )


async def _wait(_ctx: ActionContext, action: at.WaitAction) -> str:
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


async def _keypress(ctx: ActionContext, action: at.KeypressAction) -> str:
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


async def _scroll(ctx: ActionContext, action: at.ScrollAction) -> str:
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


async def _upload(ctx: ActionContext, action: at.UploadFileAction) -> str:
    return await upload_file(ctx, action.id, action.file_url)


async def _answer_dialog(ctx: ActionContext, action: at.AnswerDialogAction) -> str:
    try:
        return await ctx.tabs.dialogs_state.answer(ctx.page, action.accept, action.text)
    except LookupError as exc:
        raise ActionFailed(str(exc)) from None


_HANDLERS: dict[str, Callable[[ActionContext, Any], Awaitable[str | tuple[str, Any]]]] = {
    "CLICK": click,
    "INPUT_TEXT": input_text,
    "SELECT_OPTION": select_option,
    "UPLOAD_FILE": _upload,
    "HOVER": hover,
    "KEYPRESS": _keypress,
    "SCROLL": _scroll,
    "WAIT": _wait,
    "GOTO_URL": _goto,
    "GO_BACK": _go_back,
    "RELOAD_PAGE": _reload,
    "NEW_TAB": _new_tab,
    "SWITCH_TAB": _switch_tab,
    "CLOSE_PAGE": _close_page,
    "ANSWER_DIALOG": _answer_dialog,
}
