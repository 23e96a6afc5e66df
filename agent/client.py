"""The :class:`Agent`: configuration, a store, a browser, and the Tasks API as methods.

Every behaviour lives in async methods run on the Agent's own event-loop thread
(:mod:`agent._loop`); the sync methods submit to that loop and wait. That is why the
same Agent works in a script, in async code and in a notebook cell whose loop is
already running, and why browser sessions survive between calls.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from agent._loop import LoopThread
from agent.browser.manager import BrowserManager
from agent.config import Settings
from agent.engine_registry import Engine, engine_spec
from agent.errors import InvalidRequestError, LLMNotConfiguredError
from agent.models import RunRequest, RunStatus, Step, TaskRun, build_request, new_id
from agent.runner import RunnerConfig, execute_run
from agent.secrets import Secrets, SecretValue, resolve_secrets
from agent.stores import open_store
from agent.stores.base import RunStore, process_alive

logger = logging.getLogger("agent")

CANCEL_GRACE = 5.0
"""Seconds ``cancel_run`` and ``close`` wait for an interrupted run to record its ending."""
CLOSE_TIMEOUT = 15.0
"""Seconds ``close`` gives the browser to shut down before it stops waiting."""


def _model_name(llm: Any) -> str | None:
    if llm is None or isinstance(llm, str):
        return llm
    name = getattr(llm, "model_name", None)
    if not isinstance(name, str):
        raise TypeError(
            f"llm= takes a litellm model name or a double from agent.testing, "
            f"not {type(llm).__name__}"
        )
    return name


def _patterns(value: Sequence[str] | None, name: str) -> list[str]:
    from agent.browser.policy import check_patterns

    try:
        return check_patterns(value or ())
    except ValueError as exc:
        raise InvalidRequestError(name, str(exc)) from None


def _queue_for(broker: str | None, store: RunStore) -> Any:
    if not broker:
        return None
    from agent.errors import UsageError
    from agent.queue import CeleryQueue
    from agent.stores import shared_store

    if not shared_store(store):
        raise UsageError(
            "A broker needs a store the workers share: pass store='postgresql://...' "
            "(or a SQLite file for workers on this machine) with broker="
        )
    return CeleryQueue(broker)


class Agent:
    """A local browser agent with the hosted Tasks API's methods.

    The model: ``llm`` is a litellm model name (``"gpt-4o-mini"``, ``"ollama_chat/llama3.1"``,
    ``"openai/<name>"`` for any OpenAI-compatible server) or a double from ``agent.testing``.
    ``llm_base_url`` points it at a server of your own (Ollama, vLLM, LM Studio, a proxy);
    ``llm_timeout`` bounds each call in seconds and ``llm_retries`` how often a call that
    failed on the way is retried; ``llm_options`` adds litellm arguments (``api_key``,
    ``extra_headers``, ...). Unset, each comes from ``AGENT_LLM_BASE_URL``,
    ``AGENT_LLM_TIMEOUT``, ``AGENT_LLM_RETRIES``, ``AGENT_LLM_OPTIONS``
    (see ``docs/local-models.md``).

    ``store=`` takes a store or a store URL (:mod:`agent.stores.open`); with ``broker=`` (a
    Redis URL) runs go to ``python -m agent worker`` processes instead of this one
    (:mod:`agent.queue`, docs/scaling-out.md).

    >>> from agent.testing import ScriptedLLM
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
        settings = settings or Settings.from_env()
        self.settings = settings
        self.llm = llm if llm is not None else settings.llm
        self.model = _model_name(self.llm)
        self.llm_options = settings.llm_options_with(
            base_url=llm_base_url, timeout=llm_timeout, retries=llm_retries, options=llm_options
        )
        self.data_dir = Path(data_dir if data_dir is not None else settings.data_dir).resolve()
        self.store = open_store(store if store is not None else settings.store, self.data_dir)
        self._owns_store = not isinstance(store, RunStore)  # a store passed in stays open
        self._queue = _queue_for(broker or settings.broker, self.store)
        from agent.recovery import tidy_interrupted_runs

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
            from agent.llm import warm_up

            warm_up(self.model)  # litellm's slow import overlaps the browser launch
        self._loop = LoopThread()
        self._browsers = BrowserManager(
            headless=settings.headless if headless is None else headless,
            browser_path=browser_path or settings.browser_path,
            cdp_url=settings.browser_cdp_url,
        )
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._engine_tasks: dict[str, asyncio.Task[Any]] = {}
        self._closed = False
        from agent.totp import TOTPSecrets

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
        from agent.files import FileRegistry
        from agent.pause import PauseBoard
        from agent.profiles import BrowserProfiles
        from agent.tools import ToolBox

        self.tools = ToolBox(tools)  # a function that cannot be a tool fails here, at once
        self.run_timeout_seconds = run_timeout_seconds
        self.profiles = BrowserProfiles(self.data_dir)
        self.files = FileRegistry(self.data_dir)
        self._pauses = PauseBoard(self.store, on_pause)
        self._cdp_headers: dict[str, dict[str, str]] = {}
        from agent.browser.watchdog import PAGE_TIMEOUT

        self.page_timeout = PAGE_TIMEOUT if page_timeout is None else float(page_timeout)
        """Seconds a page operation may take before the run checks that the page still runs."""

    # -- runs ------------------------------------------------------------------------------------
    def run_task(
        self,
        prompt: str,
        url: str | None = None,
        data_extraction_schema: Any = None,
        *,
        title: str | None = None,
        engine: str = "skyvern-2.0",
        proxy_location: str | dict[str, Any] | None = "RESIDENTIAL",
        error_code_mapping: dict[str, str] | None = None,
        max_steps: int | None = None,
        webhook_url: str | None = None,
        totp_identifier: str | None = None,
        totp_url: str | None = None,
        browser_session_id: str | None = None,
        publish_workflow: bool = False,
        secrets: Mapping[str, SecretValue] | None = None,
        allowed_domains: Sequence[str] | None = None,
        blocked_domains: Sequence[str] | None = None,
        browser_profile_id: str | None = None,
        start_fresh_browser: bool = False,
        model: dict[str, Any] | None = None,
        extra_http_headers: dict[str, str] | None = None,
        cdp_connect_headers: dict[str, str] | None = None,
        include_action_history_in_verification: bool | None = False,
        max_screenshot_scrolls: int | None = None,
        browser_address: str | None = None,
        run_with: str | None = None,
        file_ids: list[str] | None = None,
        user_agent: str | None = None,
        timeout_seconds: float | None = None,
        max_cost: float | None = None,
        max_total_tokens: int | None = None,
        wait: bool = True,
    ) -> TaskRun:
        """Run a task and return its run (``wait=False``: return at once; poll ``get_run``).

        Every field of the hosted ``TaskRunRequest`` is a keyword with its hosted name and
        default (see ``docs/run-object.md``); ``user_agent``, ``timeout_seconds``,
        ``max_cost`` and ``max_total_tokens`` are local additions (``docs/limits.md``).
        """
        fields = {k: v for k, v in locals().items() if k not in ("self", "wait")}
        return self._loop.run(self._start(fields, wait))

    async def run_task_async(
        self,
        prompt: str,
        url: str | None = None,
        data_extraction_schema: Any = None,
        *,
        title: str | None = None,
        engine: str = "skyvern-2.0",
        proxy_location: str | dict[str, Any] | None = "RESIDENTIAL",
        error_code_mapping: dict[str, str] | None = None,
        max_steps: int | None = None,
        webhook_url: str | None = None,
        totp_identifier: str | None = None,
        totp_url: str | None = None,
        browser_session_id: str | None = None,
        publish_workflow: bool = False,
        secrets: Mapping[str, SecretValue] | None = None,
        allowed_domains: Sequence[str] | None = None,
        blocked_domains: Sequence[str] | None = None,
        browser_profile_id: str | None = None,
        start_fresh_browser: bool = False,
        model: dict[str, Any] | None = None,
        extra_http_headers: dict[str, str] | None = None,
        cdp_connect_headers: dict[str, str] | None = None,
        include_action_history_in_verification: bool | None = False,
        max_screenshot_scrolls: int | None = None,
        browser_address: str | None = None,
        run_with: str | None = None,
        file_ids: list[str] | None = None,
        user_agent: str | None = None,
        timeout_seconds: float | None = None,
        max_cost: float | None = None,
        max_total_tokens: int | None = None,
        wait: bool = True,
    ) -> TaskRun:
        """The awaitable form of :meth:`run_task`, usable from any event loop."""
        fields = {k: v for k, v in locals().items() if k not in ("self", "wait")}
        return await self._loop.run_async(self._start(fields, wait))

    async def _start(self, fields: dict[str, Any], wait: bool) -> TaskRun:
        if self.model is not None and not fields.get("browser_session_id"):
            self._browsers.prelaunch()  # Chromium starts while the request is checked
        secrets = self.secrets_for(fields.pop("secrets", None))
        fields = secrets.redact_data(fields)  # a value in the prompt: its placeholder instead
        fields["secrets"] = secrets.names or None
        return await self._launch(build_request(**fields), wait, secrets=secrets)

    def secrets_for(self, run_secrets: Mapping[str, SecretValue] | None) -> Secrets:
        """The Agent's secrets with a run's own on top, read now (callables are called)."""
        return resolve_secrets(self._secrets, run_secrets)

    async def _launch(
        self,
        request: RunRequest,
        wait: bool,
        *,
        engine: Engine | None = None,
        workflow_id: str | None = None,
        secrets: Secrets | None = None,
    ) -> TaskRun:
        """Check what can be checked before anything runs, store the run, start it.

        ``engine`` overrides the request's engine (workflow replay uses it).
        """
        secrets = secrets if secrets is not None else self.secrets_for(None)
        missing = [name for name in request.secrets or [] if name not in secrets.names]
        if missing:
            raise InvalidRequestError(
                "secrets",
                f"the run types {', '.join('{{' + n + '}}' for n in missing)} but has no value "
                f"for it: pass secrets={{{missing[0]!r}: ...}} or Agent(secrets=...)",
            )
        request = request.model_copy(
            update={
                "secrets": secrets.names or None,
                "allowed_domains": (
                    request.allowed_domains
                    if request.allowed_domains is not None
                    else self.allowed_domains or None  # empty: no restriction, echoed as unset
                ),
                "blocked_domains": sorted({*self.blocked_domains, *(request.blocked_domains or [])})
                or None,
            }
        )
        if self._queue is not None:  # a worker runs it (agent/queue.py)
            return await self._queue.launch(
                self, request, wait, engine=engine, workflow_id=workflow_id, secrets=secrets
            )
        if self.model is None and request.model_name is None:
            raise LLMNotConfiguredError(
                "No model configured: set the AGENT_LLM environment variable to a litellm model "
                "name (e.g. AGENT_LLM=gpt-4o-mini) or pass llm= to Agent(...)."
            )
        from agent.proxy import resolve_proxy

        if not request.browser_session_id:
            resolve_proxy(request.proxy_location, self.proxies)  # a bad location fails now
        self.profiles.check(request.browser_profile_id)
        self.files.paths(request.file_ids)  # an unknown file id fails now
        if request.run_with == "code" and engine is None:
            from agent.code_runs import code_run_for

            engine, workflow_id = code_run_for(self.store, request)
        from agent.validation import check_data_dir

        check_data_dir(self.data_dir)  # before the run is stored: it could never run
        run_id = new_id(str(engine_spec(request.engine).id_prefix))
        if request.cdp_connect_headers:
            self._cdp_headers[run_id] = dict(request.cdp_connect_headers)
        if request.browser_session_id:
            self._browsers.claim_session(request.browser_session_id, run_id)
        run = TaskRun(
            run_id=run_id,
            status=RunStatus.created,
            run_type=request.run_type,
            run_request=request,
            title=request.title,
            workflow_id=workflow_id,
            browser_session_id=request.browser_session_id,
            browser_profile_id=request.browser_profile_id,
            max_screenshot_scrolls=request.max_screenshot_scrolls,
            owner_pid=os.getpid(),
        )
        self.store.create_run(run)
        run = self.store.update_run(run_id, RunStatus.queued)
        progress = self._progress_for()  # lines in a terminal, a live card in a notebook
        progress.started(run)
        task = asyncio.get_running_loop().create_task(
            execute_run(
                self._runner_config(
                    request.model_name,
                    can_ask=self._pauses.on_pause is not None or not wait,
                    on_step=progress.on_step,
                ),
                run_id,
                engine=engine,
                secrets=secrets,
            )
        )
        self._tasks[run_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(run_id, None))
        task.add_done_callback(lambda _: progress.close(lambda: self.store.get_run(run_id)))
        if not wait:
            return run
        await asyncio.shield(task)
        return self.store.get_run(run_id)

    def _runner_config(
        self, model: str | None = None, *, can_ask: bool = False, on_step: Any = None
    ) -> RunnerConfig:
        model = model or self.model
        assert model is not None
        return RunnerConfig(
            store=self.store,
            browsers=self._browsers,
            model=model,
            profiles=self.profiles,
            files=self.files,
            cdp_headers=self._cdp_headers,
            run_timeout_seconds=self.run_timeout_seconds,
            pauses=self._pauses,
            can_ask=can_ask,
            tools=self.tools,
            llm_options=self.llm_options,
            data_dir=self.data_dir,
            upload_files=self.upload_files,
            webhook_key=self.webhook_key,
            proxies=self.proxies,
            totp=self.totp_secrets,
            totp_timeout=self.totp_timeout,
            totp_poll_interval=self.totp_poll_interval,
            page_timeout=self.page_timeout,
            interruptible=self._engine_tasks,
            record_video=self.record_video,
            on_step=on_step if on_step is not None else self._progress_for().on_step,
            block_private_networks=self.block_private_networks,
            max_download_bytes=self.max_download_bytes,
            max_downloads=self.max_downloads,
        )

    def _progress_for(self) -> Any:
        from agent.progress import progress_for

        return progress_for(self.progress)

    def run_tasks(
        self,
        requests: Iterable[Mapping[str, Any]],
        *,
        concurrency: int | None = None,
        progress: Any = None,
    ) -> Iterator[TaskRun]:
        """Submit many runs (each a dict of ``run_task`` arguments); yield each as it finishes.

        See :func:`agent.batch.run_tasks`: with a broker all go to the queue, without one at
        most ``concurrency`` (default 4) run at a time here.
        """
        from agent.batch import run_tasks

        return run_tasks(self, requests, concurrency=concurrency, progress=progress)

    def get_run(self, run_id: str) -> TaskRun:
        """The run as stored now; raises :class:`~agent.errors.RunNotFoundError`."""
        return self.store.get_run(run_id)

    def list_runs(self, page: int = 1, page_size: int = 10) -> list[TaskRun]:
        """Runs, newest first."""
        return self.store.list_runs(page=page, page_size=page_size)

    def list_steps(self, run_id: str) -> list[Step]:
        """A run's steps in order."""
        return self.store.list_steps(run_id)

    def report(self, run_id: str, path: str | Path | None = None) -> str:
        """Write the run's self-contained HTML report (default data_dir/runs/<id>/report.html)."""
        from agent.report import report_for

        return str(report_for(self, run_id, path))

    def cancel_run(self, run_id: str) -> TaskRun:
        """Cancel a created, queued or running run, and stop its work at once.

        The run is marked ``canceled``; a run of this Agent is also interrupted wherever
        it is (a model call and its retries, a 2FA wait, a page action) and this returns
        once it has wound down (at most :data:`CANCEL_GRACE` seconds).
        """
        run = self.store.get_run(run_id)
        if run.status.is_final:
            return run
        run = self.store.update_run(run_id, RunStatus.canceled)
        self._interrupt(run_id)
        self._join([run_id], CANCEL_GRACE)
        return self.store.get_run(run_id)

    def _interrupt(self, run_id: str) -> None:
        """Cancel the run's engine task on the loop: its awaits raise CancelledError now."""
        work = self._engine_tasks.get(run_id)  # the engine only: the ending still gets recorded
        if work is not None:
            self._loop.loop.call_soon_threadsafe(work.cancel)

    def _join(self, run_ids: Sequence[str], timeout: float) -> None:
        """Wait (from outside the loop) until these runs' tasks are done, or ``timeout``."""
        tasks = [t for t in (self._tasks.get(r) for r in run_ids) if t is not None]
        if not tasks or self._loop.is_current:
            return

        async def _wait() -> None:
            await asyncio.wait(tasks, timeout=timeout)

        try:
            self._loop.submit(_wait()).result(timeout + 1)
        except Exception as exc:  # the loop is stopping: nothing more to wait for
            logger.debug("waiting for canceled runs: %r", exc)

    def wait(self, run_id: str, timeout: float | None = None) -> TaskRun:
        """Block until a run started with ``wait=False`` reaches a final status."""
        task = self._tasks.get(run_id)
        if task is None:  # run by a worker or another process: read the shared store
            from agent.queue import wait_final

            return wait_final(self.store, run_id, timeout)

        async def _join() -> None:
            await asyncio.shield(task)

        self._loop.submit(_join()).result(timeout)
        return self.store.get_run(run_id)

    def resume_run(self, run_id: str, answer: str) -> TaskRun:
        """Answer a ``paused`` run's ``question``; it goes on from where it stopped.

        Works from any thread, and from another process sharing the SQLite store while the
        process that runs it (and holds its browser) is alive.
        """
        run = self.store.get_run(run_id)
        if run.status == RunStatus.paused and not process_alive(run.owner_pid):
            from agent.errors import InvalidRequestError

            raise InvalidRequestError(
                "run_id",
                f"run {run_id} is paused, but the process that ran it (pid {run.owner_pid}) "
                "has ended and its browser with it; start a new run",
            )
        return self._pauses.resume(run_id, answer)

    # -- files and browser profiles --------------------------------------------------------------
    def upload_file(self, path: str | Path) -> str:
        """Register a file that runs may upload; returns its ``file_...`` id for ``file_ids``."""
        return self.files.add(path)

    def create_browser_profile(self, name: str, *, run_id: str | None = None) -> Any:
        """A new browser profile (``bp_...``), empty or saved from finished run ``run_id``.

        Returns an :class:`agent.profiles.BrowserProfile`. Runs given its id start from its
        cookies and storage and save theirs back into it.
        """
        from agent.errors import InvalidRequestError
        from agent.profiles import run_state_path
        from agent.runner import run_dir

        source = None
        if run_id is not None:
            run = self.store.get_run(run_id)
            source = run_state_path(run_dir(self.data_dir, run_id))
            if not run.status.is_final or not source.is_file():
                raise InvalidRequestError(
                    "run_id",
                    f"run {run_id} has no saved browser state (it is {run.status}, or it ran "
                    "with start_fresh_browser, with secrets, or in a browser session): pass "
                    "browser_profile_id= to the run to keep its state",
                )
        return self.profiles.create(name, source_state=source)

    def list_browser_profiles(self) -> list[Any]:
        """Every browser profile, newest first."""
        return self.profiles.list()

    def get_browser_profile(self, browser_profile_id: str) -> Any:
        """One profile; raises :class:`~agent.errors.RunNotFoundError`."""
        return self.profiles.get(browser_profile_id)

    def delete_browser_profile(self, browser_profile_id: str) -> None:
        """Delete a profile and its saved state."""
        self.profiles.delete(browser_profile_id)

    # -- 2FA -------------------------------------------------------------------------------------
    def add_totp_secret(self, totp_identifier: str, secret: str) -> None:
        """Register a TOTP secret: runs with this ``totp_identifier`` generate their codes."""
        self.totp_secrets.add(totp_identifier, secret)

    def push_totp_code(self, totp_identifier: str, code: str) -> None:
        """Hand a code (from mail or SMS) to a run waiting for one; each code is used once."""
        from agent.totp import push_totp_code

        push_totp_code(self.store, totp_identifier, code)

    # -- browser sessions ------------------------------------------------------------------------
    def create_browser_session(
        self, timeout_minutes: float = 60, proxy_location: str | dict[str, Any] | None = None
    ) -> str:
        """Open a browser that stays alive between runs; returns its ``pbs_...`` id."""
        from agent.proxy import resolve_proxy

        proxy = resolve_proxy(proxy_location, self.proxies)

        async def _create() -> str:
            session = await self._browsers.create_session(
                timeout_minutes, proxy=proxy, downloads_dir=self.data_dir / "sessions"
            )
            return session.session_id

        return self._loop.run(_create())

    def close_browser_session(self, browser_session_id: str) -> None:
        """Close a browser session."""
        self._loop.run(self._browsers.close_session(browser_session_id))

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

    # -- workflows -------------------------------------------------------------------------------
    def publish_workflow(self, run_id: str) -> dict[str, Any]:
        """Save a completed run as a workflow (``wpid_...``) that replays without the model."""
        from agent.workflows import publish

        return publish(self.store, run_id)

    def run_workflow(
        self,
        workflow_id: str,
        parameters: dict[str, Any] | None = None,
        *,
        url: str | None = None,
        wait: bool = True,
        secrets: Mapping[str, SecretValue] | None = None,
    ) -> TaskRun:
        """Replay a workflow with ``parameters``; ``url`` overrides its start URL.

        A workflow published from a run with secrets stores their names only: the values
        come from ``secrets`` here or the Agent's.
        """
        from agent.workflows import start_replay

        return self._loop.run(
            start_replay(self, workflow_id, parameters, url=url, wait=wait, secrets=secrets)
        )

    async def run_workflow_async(
        self,
        workflow_id: str,
        parameters: dict[str, Any] | None = None,
        *,
        url: str | None = None,
        wait: bool = True,
        secrets: Mapping[str, SecretValue] | None = None,
    ) -> TaskRun:
        """The awaitable form of :meth:`run_workflow`."""
        from agent.workflows import start_replay

        return await self._loop.run_async(
            start_replay(self, workflow_id, parameters, url=url, wait=wait, secrets=secrets)
        )

    def list_workflows(self) -> list[dict[str, Any]]:
        """All workflows, newest first."""
        return self.store.list_workflows()

    def get_workflow(self, workflow_id: str) -> dict[str, Any]:
        """One workflow; raises :class:`~agent.errors.RunNotFoundError`."""
        return self.store.get_workflow(workflow_id)

    def delete_workflow(self, workflow_id: str) -> None:
        """Remove a workflow; raises :class:`~agent.errors.RunNotFoundError`."""
        self.store.delete_workflow(workflow_id)
