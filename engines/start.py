"""Opening the run's first page: the given ``url``, or one the model picks."""

from __future__ import annotations

from typing import Any

from agent.browser.lifecycle.dialogs import OpenDialog, until_dialog
from agent.llm.answers import GenerateUrlAnswer
from agent.records.runs import RunStatus, Step, normalize_url
from agent.run.run_context import Outcome, RunContext
from engines.prompts import messages

NAVIGATION_TIMEOUT_MS = 30_000


async def open_start_page(ctx: RunContext, step: Step | None) -> Outcome | None:
    """Go to the start page; returns a failed Outcome when it cannot be loaded.

    With a browser session and no ``url``, the run continues where the session is.
    With neither, a ``generate_url`` call picks the page (and a title if none was given).
    """
    url = ctx.request.url
    if url is None:
        if ctx.request.browser_session_id and ctx.page.url not in ("", "about:blank"):
            return None
        url = await _generate_url(ctx, step)
        if url is None:
            return Outcome(
                RunStatus.failed,
                failure_reason=(
                    "No url was given and the model could not suggest a start page; pass url=."
                ),
            )
    dialogs = ctx.tabs.dialogs_state
    shown = len(dialogs.history)
    try:  # a confirm while it loads freezes the page: the first step shows the question
        loaded = await until_dialog(
            dialogs,
            ctx.page,
            ctx.page.goto(url, wait_until="domcontentloaded", timeout=NAVIGATION_TIMEOUT_MS),
        )
    except Exception as exc:  # DNS, refused connection, timeout: all end the run the same way
        message = str(exc).splitlines()[0]
        if ctx.tabs.blocked:  # refused by the run's browsing policy: say which rule
            message = f"{ctx.tabs.blocked[-1]} (the browsing policy)"
        if dialogs.history[shown:]:
            message += "; while it loaded, the page showed " + "; ".join(dialogs.history[shown:])
        return Outcome(
            RunStatus.failed,
            failure_reason=f"Failed to navigate to URL. URL:{url}, Error:{message}",
        )
    if isinstance(loaded, OpenDialog):
        return None
    response = loaded
    if response is not None and response.status >= 400:
        return Outcome(
            RunStatus.failed,
            failure_reason=(
                f"Failed to navigate to URL. URL:{url}, Error:the server answered HTTP "
                f"{response.status}"
            ),
        )
    return None


async def _generate_url(ctx: RunContext, step: Step | None) -> str | None:
    sent = messages("generate_url", rules={}, task={"goal": ctx.request.prompt})
    result = await ctx.llm("generate_url", sent, step=step)
    answer: GenerateUrlAnswer = result.answer
    raw = answer.url.strip()
    if not raw:
        return None
    try:
        url = normalize_url(raw)
    except ValueError:
        return None
    changes: dict[str, Any] = {"run_request": ctx.request.model_copy(update={"url": url})}
    if not ctx.request.title and answer.title:
        changes["title"] = answer.title[:200]
    ctx.store.update_run(ctx.run_id, **changes)
    return url
