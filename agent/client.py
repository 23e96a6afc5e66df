"""The :class:`Agent`: configuration, a store, a browser, and the Tasks API as methods.

Every behaviour lives in async methods run on the Agent's own event-loop thread
(:mod:`agent.run.loop_thread`); the sync methods submit to that loop and wait. That is why the
same Agent works in a script, in async code and in a notebook cell whose loop is
already running, and why browser sessions survive between calls.

This module holds the configuration and the lifecycle; the methods come from two mixins:
the Tasks-API run methods (:mod:`agent.client_runs`) and the files, profiles, 2FA,
sessions and workflows (:mod:`agent.client_resources`).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.agent_arguments import check_agent_arguments, check_store_argument
from agent.browser.lifecycle.manager import BrowserManager
from agent.client_resources import ResourceMethods
from agent.client_runs import CANCEL_GRACE, RunMethods
from agent.integrations.secrets import SecretValue
from agent.records.config import Settings
from agent.records.errors import InvalidRequestError
from agent.records.runs import RunStatus, TaskRun
from agent.run.loop_thread import LoopThread
from agent.stores import open_store
from agent.stores.base import RunStore

if TYPE_CHECKING:
    from agent.scale.queue import CeleryQueue

logger = logging.getLogger("agent")

CLOSE_TIMEOUT = 15.0
"""Seconds ``close`` gives the browser to shut down before it stops waiting."""


def _model_name(llm: Any) -> str | None:
    if isinstance(llm, str) and llm.startswith("manual/"):
        from agent.llm.manual import relay_name

        relay_name(llm)  # a bad relay name fails here, before any run
    if llm is None or isinstance(llm, str):
        return llm
    name = getattr(llm, "model_name", None)
    if not isinstance(name, str):
        raise TypeError(
            f"llm= takes a litellm model name or a double from agent.testing.stand_ins, "
            f"not {type(llm).__name__}"
        )
    return name


def _patterns(value: Sequence[str] | None, name: str) -> list[str]:
    from agent.records.policy import check_patterns

    try:
        return check_patterns(value or ())
    except ValueError as exc:
        raise InvalidRequestError(name, str(exc)) from None


def _queue_for(broker: str | None, store: RunStore) -> CeleryQueue | None:
    if not broker:
        return None
    from agent.records.errors import UsageError
    from agent.scale.queue import CeleryQueue
    from agent.stores import shared_store

    if not shared_store(store):
        raise UsageError(
            "A broker needs a store the workers share: pass store='postgresql://...' "
            "(or a SQLite file for workers on this machine) with broker="
        )
    return CeleryQueue(broker)


class Agent(RunMethods, ResourceMethods):
    """A local browser agent with the hosted Tasks API's methods.

    The model: ``llm`` is a litellm model name (``"gpt-4o-mini"``, ``"ollama_chat/llama3.1"``,
    ``"openai/<name>"`` for any OpenAI-compatible server) or a double from ``agent.testing.stand_ins``.
    ``llm_base_url`` points it at a server of your own (Ollama, vLLM, LM Studio, a proxy);
    ``llm_timeout`` bounds each call in seconds and ``llm_retries`` how often a call that
    failed on the way is retried, ``llm_deadline`` a call's attempts in all (180 s);
    ``llm_options`` adds litellm arguments (``api_key``, ``extra_headers``, ...). Unset,
    each comes from ``AGENT_LLM_BASE_URL``, ``AGENT_LLM_TIMEOUT``, ``AGENT_LLM_RETRIES``,
    ``AGENT_LLM_DEADLINE``, ``AGENT_LLM_OPTIONS``
    (see ``docs/local-models.md``).

    ``store=`` takes a store or a store URL (:mod:`agent.stores.open`); with ``broker=`` (a
    Redis URL) runs go to ``python -m agent worker`` processes instead of this one
    (:mod:`agent.scale.queue`, docs/scaling-out.md).

    >>> from agent.testing.stand_ins import ScriptedLLM
    >>> with Agent(llm=ScriptedLLM([])) as agent:
    ...     agent.list_runs()
    []
    """

    def __init__(
        self,
        *,
        llm: Any = None,
        llm_base_url: str | None = None,
        llm_timeout: float | None = None,
        llm_retries: int | None = None,
        llm_options: Mapping[str, Any] | None = None,
        llm_deadline: float | None = None,
        store: RunStore | str | os.PathLike[str] | None = None,
        broker: str | None = None,
        data_dir: str | Path | None = None,
        headless: bool | None = None,
        browser_path: str | None = None,
        webhook_key: str | None = None,
        proxies: Mapping[str, str] | None = None,
        upload_files: Sequence[str | Path] = (),
        progress: bool | None = None,
        record_video: bool = True,
        totp_timeout: float = 15 * 60,
        totp_poll_interval: float = 10.0,
        secrets: Mapping[str, SecretValue] | None = None,
        allowed_domains: Sequence[str] | None = None,
        blocked_domains: Sequence[str] | None = None,
        block_private_networks: bool | None = None,
        max_download_bytes: int | None = None,
        max_downloads: int | None = None,
        tools: Sequence[Callable[..., Any]] = (),
        on_pause: Callable[[TaskRun], str | None] | None = None,
        run_timeout_seconds: float | None = None,
        page_timeout: float | None = None,
        settings: Settings | None = None,
    ) -> None:
        self._closed = True  # until made: close() on a half-made Agent does nothing
        check_agent_arguments(
            {name: value for name, value in locals().items() if name not in ("self", "settings")}
        )
        check_store_argument(store)
        settings = settings or Settings.from_env()
        if store is None:
            check_store_argument(settings.store, "AGENT_STORE")
        self.settings = settings
        self.llm = llm if llm is not None else settings.llm
        self.model = _model_name(self.llm)
        self.llm_options = settings.llm_options_with(
            base_url=llm_base_url,
            timeout=llm_timeout,
            retries=llm_retries,
            options=llm_options,
            deadline=llm_deadline,
        )
        self.data_dir = Path(data_dir if data_dir is not None else settings.data_dir).resolve()
        self.store = open_store(store if store is not None else settings.store, self.data_dir)
        self._owns_store = not isinstance(store, RunStore)  # a store passed in stays open
        try:
            self._queue = _queue_for(broker or settings.broker, self.store)
        except BaseException:
            if self._owns_store:
                self.store.close()
            raise
        from agent.run.recovery import tidy_interrupted_runs

        try:  # runs whose process died: keep their video, drop half-written files
            tidy_interrupted_runs(self.store, self.data_dir)
        except OSError as exc:  # an unreadable data dir is reported when a run starts
            logger.warning("could not tidy interrupted runs in %s: %s", self.data_dir, exc)
        uploads = [Path(p).resolve() for p in upload_files]
        if settings.upload_dir is not None and settings.upload_dir.is_dir():
            uploads += sorted(p.resolve() for p in settings.upload_dir.iterdir() if p.is_file())
        self.upload_files = uploads
        self.webhook_key = webhook_key if webhook_key is not None else settings.webhook_key
        self.proxies = dict(proxies if proxies is not None else settings.proxies)
        self.progress = progress
        self.record_video = record_video
        if self.model is not None:
            from agent.llm.call import warm_up

            warm_up(self.model)  # litellm's slow import overlaps the browser launch
        self._loop = LoopThread()
        self._browsers = BrowserManager(
            headless=settings.headless if headless is None else headless,
            browser_path=browser_path or settings.browser_path,
            cdp_url=settings.browser_cdp_url,
        )
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._engine_tasks: dict[str, asyncio.Task[Any]] = {}
        from agent.integrations.totp import TOTPSecrets

        self.totp_secrets = TOTPSecrets()
        self.totp_timeout = totp_timeout
        self.totp_poll_interval = totp_poll_interval
        self._secrets: dict[str, SecretValue] = {**settings.secrets, **(secrets or {})}
        self.allowed_domains = _patterns(allowed_domains, "allowed_domains")
        self.blocked_domains = _patterns(blocked_domains, "blocked_domains")
        self.block_private_networks = (
            settings.block_private_networks
            if block_private_networks is None
            else block_private_networks
        )
        self.max_download_bytes = max_download_bytes or settings.max_download_bytes
        self.max_downloads = max_downloads or settings.max_downloads
        from agent.integrations.files import FileRegistry
        from agent.integrations.profiles import BrowserProfiles
        from agent.run.pause import PauseBoard
        from agent.run.tools import ToolBox

        self.tools = ToolBox(tools)  # a function that cannot be a tool fails here, at once
        self.run_timeout_seconds = run_timeout_seconds
        self.profiles = BrowserProfiles(self.data_dir)
        self.files = FileRegistry(self.data_dir)
        self._pauses = PauseBoard(self.store, on_pause)
        self._cdp_headers: dict[str, dict[str, str]] = {}
        from agent.browser.lifecycle.watchdog import PAGE_TIMEOUT

        self.page_timeout = PAGE_TIMEOUT if page_timeout is None else float(page_timeout)
        """Seconds a page operation may take before the run checks that the page still runs."""
        self._closed = False

    # -- AI steps on your own page and scripts of runs ----------------------------------------
    def on(
        self, page: Any, *, cache: bool | str | Path = True, max_cost: float | None = None
    ) -> Any:
        """AI steps on a Playwright ``page`` you hold: ``ai = agent.on(page)``.

        An async page gives awaitable ``act``/``extract``/``observe``/``check``; a sync page
        (pytest-playwright's ``page``) gives plain calls, made from the page's own thread.
        They use this Agent's model, secrets, browsing policy and data dir; ``ai.history``
        lists each call and ``ai.run_id`` is the run recording them. ``cache`` keeps resolved
        acts in ``data_dir/page_cache`` (True), in a folder of your own, or not (False);
        ``max_cost`` (USD) bounds what the session's model calls may cost.
        See docs/page-steps.md.
        """
        from agent.page_steps import page_ai

        return page_ai(self, page, cache=cache, max_cost=max_cost)

    def export_script(self, run_id: str, heal: bool = False) -> str:
        """A readable sync Playwright script replaying the completed run ``run_id``.

        Plain (default) it imports nothing from this library; ``heal=True`` makes each step
        fall back to ``agent.on(page).act(<its goal>)`` when its locator no longer fits.
        See docs/export.md.
        """
        from agent.ui.script_export import export_script

        return export_script(self.get_run(run_id), self.list_steps(run_id), heal=heal)

    # -- lifecycle -------------------------------------------------------------------------------
    def close(self) -> None:
        """Cancel running runs, close the browser and the store, stop the loop (idempotent).

        Returns within seconds even when a page hangs or the browser process is gone.
        """
        if self._closed:
            return
        self._closed = True
        running = list(self._tasks)
        for run_id in running:
            try:
                if not self.store.get_run(run_id).status.is_final:
                    self.store.update_run(run_id, RunStatus.canceled)
            except Exception as exc:  # closing must go on
                logger.warning("could not cancel %s on close: %s", run_id, exc)
            self._interrupt(run_id)
        self._join(running, CANCEL_GRACE)

        async def _shutdown() -> None:
            await self._browsers.close()

        try:
            self._loop.submit(_shutdown()).result(CLOSE_TIMEOUT)
        except Exception as exc:  # a hung or dead browser must not keep close() waiting
            logger.warning("closing the browser did not finish: %r", exc)
        finally:
            self._loop.stop()
            if self._queue is not None:
                self._queue.close()
            if self._owns_store:
                self.store.close()

    def __enter__(self) -> Agent:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["CANCEL_GRACE", "CLOSE_TIMEOUT", "Agent"]
