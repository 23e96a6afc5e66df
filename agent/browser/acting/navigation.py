"""GOTO_URL, GO_BACK, RELOAD_PAGE and the tab actions (NEW_TAB, SWITCH_TAB, CLOSE_PAGE):
their models, handlers and declarations.

A URL the model writes is restored (a shortened href from the observation), resolved
against the page, given a scheme, and checked against the run's browsing policy before
anything loads. Tab actions need the run's :class:`~agent.browser.lifecycle.tabs.Tabs`.
"""

from __future__ import annotations

import re
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from playwright.async_api import Error as PlaywrightError

from agent.browser.acting._context import NAVIGATION_TIMEOUT_MS, ActionContext, ActionFailed
from agent.browser.acting.action_kind import ActionBase, ActionKind, register_action


class GotoUrlAction(ActionBase):
    """Load a URL in the active tab."""

    action_type: Literal["GOTO_URL"] = "GOTO_URL"
    url: str
    """Absolute URL, a shortened URL from the observation, or a host name."""


class GoBackAction(ActionBase):
    """Go back one entry in the active tab's history."""

    action_type: Literal["GO_BACK"] = "GO_BACK"


class ReloadPageAction(ActionBase):
    """Reload the active tab."""

    action_type: Literal["RELOAD_PAGE"] = "RELOAD_PAGE"


class NewTabAction(ActionBase):
    """Open a new tab (on ``url`` when given) and make it the active one."""

    action_type: Literal["NEW_TAB"] = "NEW_TAB"
    url: str | None = None
    """What to load in the new tab."""


class SwitchTabAction(ActionBase):
    """Make tab ``tab_index`` (from 0, as listed in the prompt) the active one."""

    action_type: Literal["SWITCH_TAB"] = "SWITCH_TAB"
    tab_index: int
    """The tab's index, from 0."""


class ClosePageAction(ActionBase):
    """Close a tab (the active one by default); the tab before it becomes active."""

    action_type: Literal["CLOSE_PAGE"] = "CLOSE_PAGE"
    tab_index: int | None = None
    """The tab to close, from 0; the active tab when omitted."""


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


async def _goto(ctx: ActionContext, action: GotoUrlAction) -> str:
    url = _absolute_url(ctx, action.url)
    downloads = ctx.tabs.started_downloads
    try:
        response = await ctx.page.goto(
            url, wait_until="domcontentloaded", timeout=NAVIGATION_TIMEOUT_MS
        )
    except PlaywrightError as exc:
        # A download the browser saves says so; one the agent streams aborts the navigation.
        if "Download is starting" in str(exc) or ctx.tabs.started_downloads > downloads:
            return f"opening {url} started a download"
        raise ActionFailed(f"could not open {url}: {str(exc).splitlines()[0]}") from None
    status = f" (HTTP {response.status})" if response is not None and response.status >= 400 else ""
    return f"opened {url}{status}"


async def _go_back(ctx: ActionContext, _action: GoBackAction) -> str:
    before = ctx.page.url
    response = await ctx.page.go_back(wait_until="domcontentloaded", timeout=NAVIGATION_TIMEOUT_MS)
    if response is None and ctx.page.url == before:
        raise ActionFailed("there is no previous page in this tab's history")
    return f"went back to {ctx.page.url}"


async def _reload(ctx: ActionContext, _action: ReloadPageAction) -> str:
    await ctx.page.reload(wait_until="domcontentloaded", timeout=NAVIGATION_TIMEOUT_MS)
    return "reloaded the page"


def _needs_tabs(ctx: ActionContext, kind: str) -> None:
    if not ctx.tabs_given:
        raise ActionFailed(f"{kind} needs the run's tabs: pass tabs= to act()")


async def _new_tab(ctx: ActionContext, action: NewTabAction) -> tuple[str, Any]:
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


async def _switch_tab(ctx: ActionContext, action: SwitchTabAction) -> tuple[str, Any]:
    _needs_tabs(ctx, "SWITCH_TAB")
    try:
        page = await ctx.tabs.switch(action.tab_index)
    except IndexError as exc:
        raise ActionFailed(str(exc)) from None
    return f"switched to tab {action.tab_index}: {page.url}", ctx.tabs.describe()


async def _close_page(ctx: ActionContext, action: ClosePageAction) -> tuple[str, Any]:
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


_TAB_INDEX = ("tab_index", ("index", "tab", "tab_id", "page_index"))

GOTO_URL = register_action(
    ActionKind(
        GotoUrlAction,
        _goto,
        prompt="GOTO_URL (url) — http(s) addresses only",
        aliases=("GOTO", "GO_TO", "GO_TO_URL", "NAVIGATE", "NAVIGATE_TO", "OPEN_URL", "VISIT"),
        field_aliases=(("url", ("href", "link", "address")),),
        leaves_page=True,
    )
)
GO_BACK = register_action(
    ActionKind(
        GoBackAction,
        _go_back,
        prompt="GO_BACK",
        aliases=("BACK", "NAVIGATE_BACK", "GO_BACKWARD"),
        leaves_page=True,
    )
)
RELOAD_PAGE = register_action(
    ActionKind(
        ReloadPageAction,
        _reload,
        prompt="RELOAD_PAGE",
        aliases=("RELOAD", "REFRESH", "REFRESH_PAGE"),
        leaves_page=True,
    )
)
NEW_TAB = register_action(
    ActionKind(
        NewTabAction,
        _new_tab,
        prompt="NEW_TAB (url) — http(s) addresses only",
        aliases=("OPEN_TAB", "OPEN_NEW_TAB", "NEW_PAGE"),
        field_aliases=(("url", ("href", "link")),),
        while_dialog=True,
        changes_tab=True,
    )
)
SWITCH_TAB = register_action(
    ActionKind(
        SwitchTabAction,
        _switch_tab,
        prompt="SWITCH_TAB (tab_index)",
        aliases=("SWITCH_PAGE", "FOCUS_TAB", "CHANGE_TAB"),
        field_aliases=(_TAB_INDEX,),
        settle=None,
        while_dialog=True,
        changes_tab=True,
    )
)
CLOSE_PAGE = register_action(
    ActionKind(
        ClosePageAction,
        _close_page,
        prompt="CLOSE_PAGE",
        aliases=("CLOSE_TAB", "CLOSE"),
        field_aliases=(_TAB_INDEX,),
        leaves_page=True,
        changes_tab=True,
    )
)
