"""Executing one action on a page: :func:`act` and its :class:`ActionResult`.

``act`` never raises for what a page does: a stale id, a blocked click, an option that
does not exist, a navigation that times out all come back as ``success=False`` with a
sentence the next prompt can use. Each action has short timeouts (a few seconds), so a
failing action costs little. What an action set off (a navigation, a new tab, a download,
a JS dialog) is waited for briefly and reported in the result.

    obs = await observe(page)
    result = await act(page, {"action_type": "CLICK", "id": "12"}, obs, tabs=tabs)
    result.success, result.message, result.page_changed, result.downloaded

Each action type's handler, and how long act() waits for what it set off, are declared
with the type (:class:`~agent.browser.acting.action_kind.ActionKind`, in the modules of
:data:`~agent.browser.acting.action_types.ACTION_MODULES`); this module only dispatches.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError
from pydantic import BaseModel, Field

from agent.browser.acting import action_types as at
from agent.browser.acting._context import ActionContext, ActionFailed
from agent.browser.acting.effects import verify_effect
from agent.browser.acting.suggestions import Suggested
from agent.browser.acting.watch import ActionWatch
from agent.browser.lifecycle.dialogs import OpenDialog, until_dialog
from agent.browser.lifecycle.tabs import DownloadedFile, Tabs

if TYPE_CHECKING:
    from playwright.async_api import Page

    from agent.records.observation import Observation

ACTION_TIMEOUT_SECONDS = 30.0
"""Hard ceiling for one action, settling included."""


class ActionResult(BaseModel):
    """What one action did, in words for the next prompt and in fields for the engine."""

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
    list_opened: int = 0
    """Options a list showed once the action typed (an autocomplete's suggestions, 0: none).

    The plan's later actions were chosen before the list existed, so an engine stops the
    batch here and lets the model pick from the list.
    """


async def act(
    page: Page,
    action: at.Action | dict[str, Any],
    observation: Observation | None,
    *,
    tabs: Tabs | None = None,
    upload_files: Sequence[str | Path] = (),
    followed: bool = False,
) -> ActionResult:
    """Execute one action on ``page`` and report what happened (never raises for page failures).

    ``action`` is an action model or a dict in the ``plan`` answer's form. ``observation`` is
    the one the action's element id comes from. ``tabs`` is the run's :class:`Tabs` (needed
    for tab actions; without it, dialogs and downloads are still handled for this action).
    ``upload_files`` lists the only files UPLOAD_FILE may use. ``followed`` says another
    action of the same plan comes next (with the run's ``tabs``): a choice this one makes
    may then be read again while that one runs (:mod:`agent.browser.lifecycle.holds`).
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
    kind = at.KINDS[action.action_type]
    waiting = run_tabs.dialogs_state.open_on(page)
    if waiting is not None and not kind.while_dialog:
        return ActionResult(
            success=False,
            message=f"{waiting.describe()} and the tab waits for it: answer it first with "
            "ANSWER_DIALOG (accept true or false)",
            url=page.url,
        )
    holds = run_tabs.holds
    holds.forget(action.id)  # acting on it again: its earlier choice no longer counts
    # Before it may submit the form, the choices made so far must hold (a page frozen by a
    # dialog cannot be read: the dialog is answered first).
    if holds and waiting is None and _may_submit(action, observation):
        refused = await _confirm(run_tabs, page)
        if refused:
            why = "; ".join(reason for _, reason in refused)
            return ActionResult(
                success=False, message=f"{action.action_type} was not run: {why}", url=page.url
            )
    try:
        leaving = kind.leaves_page
        with ActionWatch(page, run_tabs) as watch, run_tabs.dialogs_state.leaving(leaving):
            success, message, data = await _attempt(ctx, action)
            if kind.settle is not None and not run_tabs.dialogs_state.open_on(page):
                # how long to wait for its consequences to start (see ActionWatch.settle)
                await watch.settle(ctx.expect_activity or kind.settle)
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
        if result.page_changed:
            holds.drop()  # the choices' page is gone (or was submitted)
        elif run_tabs.dialogs_state.open_on(page):
            pass  # read once the dialog is answered, by the next action
        elif own_tabs or not followed or not result.success:
            _refused_now(result, action, await _confirm(run_tabs, page))
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
        if _closed_its_own_tab(ctx):
            # The page closed its tab in answer to the action (window.close() in a click
            # handler) before Playwright saw the action finish: that is the action's effect.
            target = f" on {ctx.describe(action.id)}" if action.id else ""
            return True, f"{action.action_type}{target} was answered by the page closing", None
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
    tab_changed = at.KINDS[action.action_type].changes_tab and success
    opened = data.count if isinstance(data, Suggested) else 0
    return ActionResult(
        success=success,
        message=message,
        page_changed=watch.page_changed or tab_changed,
        url=active.url,
        data=None if isinstance(data, Suggested) else data,
        downloaded=list(watch.new_downloads),
        dialog="; ".join(watch.new_dialogs) or None,
        list_opened=opened,
    )


async def _confirm(tabs: Tabs, page: Page) -> list[tuple[str, str]]:
    """``tabs.holds.confirm``; a dialog that opens meanwhile (the page freezes) ends it."""
    refused = await until_dialog(tabs.dialogs_state, page, tabs.holds.confirm())
    return [] if isinstance(refused, OpenDialog) else refused


def _may_submit(action: at.Action, observation: Observation | None) -> bool:
    """Whether ``action`` may submit the form, so pending choices must hold before it runs."""
    element = observation.element(action.id) if observation is not None and action.id else None
    return at.KINDS[action.action_type].may_submit(action, element)


def _refused_now(result: ActionResult, action: at.Action, refused: list[tuple[str, str]]) -> None:
    """Fail ``result`` for the choices the page took back (its own choice's words first)."""
    if not refused:
        return
    own = [why for element_id, why in refused if element_id == action.id]
    earlier = [why for element_id, why in refused if element_id != action.id]
    head = own or [result.message]
    result.success = False
    result.message = "; ".join([*head, *(f"earlier in this plan, {why}" for why in earlier)])


def _closed_its_own_tab(ctx: ActionContext) -> bool:
    """Whether the action's tab is gone while the browser and its other tabs live on."""
    return ctx.page.is_closed() and bool(ctx.page.context.pages)


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
    handler = at.KINDS[action.action_type].handler
    if handler is None:
        return f"{action.action_type} is decided by the engine; act() did nothing on the page", None
    outcome = await handler(ctx, action)
    return outcome if isinstance(outcome, tuple) else (outcome, None)
