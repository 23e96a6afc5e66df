"""``agent.on(page)``: the page steps with awaitable methods (async page) or plain ones (sync).

Both fronts call the same async core (:class:`~agent.page_steps.core.PageSteps`). The
async front awaits it on the caller's loop, where the user's async page lives. The sync
front runs it on the Playwright loop behind the user's sync page, in the user's thread
(:mod:`agent.page_steps.bridge`), and waits.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.page_steps.bridge import async_view, is_async_page, is_sync_page, run_on_sync_page
from agent.page_steps.cache import cache_folder
from agent.page_steps.core import PageSteps
from agent.page_steps.records import Candidate, PageCall, Verdict
from agent.records.actions import ActionRecord

if TYPE_CHECKING:
    from agent.client import Agent
    from agent.page_steps.cache import ActCache


class _Front:
    def __init__(self, steps: PageSteps) -> None:
        self._steps = steps

    @property
    def history(self) -> list[PageCall]:
        """Every call so far: prompts, answers, tokens, cost, effect, actions."""
        return list(self._steps.history)

    @property
    def run_id(self) -> str | None:
        """The run recording this session (None before the first call)."""
        return self._steps.run_id

    @property
    def cache(self) -> ActCache | None:
        """The act cache (None when switched off)."""
        return self._steps.cache

    def report(self) -> str:
        """Write the session's HTML report (as for a task run); returns its path."""
        if self._steps.run_id is None:
            raise ValueError("nothing to report yet: call act/extract/observe/check first")
        return self._steps.agent.report(self._steps.run_id)


class AsyncPageAI(_Front):
    """The page steps on an async Playwright page: ``await ai.act(...)``."""

    async def act(self, instruction: str) -> list[ActionRecord]:
        """Do ``instruction`` (one or a few actions); returns their records, effects proven."""
        return await self._steps.act(instruction)

    async def extract(self, instruction: str, schema: Any = None) -> Any:
        """Data the instruction asks for, validated against ``schema`` (pydantic or JSON)."""
        return await self._steps.extract(instruction, schema)

    async def observe(self, instruction: str) -> list[Candidate]:
        """Candidate elements for ``instruction``, each with a selector; nothing is done."""
        return await self._steps.observe(instruction)

    async def check(self, statement: str) -> Verdict:
        """The verdict on ``statement``; ``AssertionError`` saying what the page showed if false."""
        return await self._steps.check(statement)


class SyncPageAI(_Front):
    """The page steps on a sync Playwright page (pytest-playwright's ``page``): ``ai.act(...)``."""

    def __init__(self, steps: PageSteps, sync_page: Any) -> None:
        super().__init__(steps)
        self._page = sync_page

    def act(self, instruction: str) -> list[ActionRecord]:
        """Do ``instruction`` (one or a few actions); returns their records, effects proven."""
        return run_on_sync_page(self._page, self._steps.act(instruction))

    def extract(self, instruction: str, schema: Any = None) -> Any:
        """Data the instruction asks for, validated against ``schema`` (pydantic or JSON)."""
        return run_on_sync_page(self._page, self._steps.extract(instruction, schema))

    def observe(self, instruction: str) -> list[Candidate]:
        """Candidate elements for ``instruction``, each with a selector; nothing is done."""
        return run_on_sync_page(self._page, self._steps.observe(instruction))

    def check(self, statement: str) -> Verdict:
        """The verdict on ``statement``; ``AssertionError`` saying what the page showed if false."""
        return run_on_sync_page(self._page, self._steps.check(statement))


def page_ai(
    agent: Agent, page: Any, *, cache: bool | str | Path = True, max_cost: float | None = None
) -> AsyncPageAI | SyncPageAI:
    """What :meth:`Agent.on` returns for ``page`` (see there)."""
    if max_cost is not None and not max_cost > 0:
        raise ValueError(f"max_cost must be a positive number of USD, not {max_cost!r}")
    folder = cache_folder(agent, cache)
    if is_sync_page(page):
        steps = PageSteps(agent, async_view(page), cache=folder, max_cost=max_cost)
        return SyncPageAI(steps, page)
    if is_async_page(page):
        return AsyncPageAI(PageSteps(agent, page, cache=folder, max_cost=max_cost))
    raise TypeError(
        f"agent.on() takes a Playwright Page (playwright.sync_api or playwright.async_api), "
        f"not {type(page).__name__}"
    )
