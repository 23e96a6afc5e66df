"""The Agent's Tasks-API methods: start a run, read runs and steps, wait, cancel, resume.

A mixin of :class:`agent.client.Agent`, which holds the state these methods read (the
store, the loop, the browsers, the queue); they run on the Agent's loop like the rest.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from agent.integrations.secrets import Secrets, SecretValue, resolve_secrets
from agent.records.engines import Engine, engine_spec
from agent.records.errors import InvalidRequestError, LLMNotConfiguredError
from agent.records.runs import RunRequest, RunStatus, Step, TaskRun, build_request, new_id
from agent.run.parameters import method_parameters_of, run_task_arguments, run_task_parameters
from agent.run.runner import RunnerConfig, execute_run
from agent.stores.base import RunStore, process_alive

if TYPE_CHECKING:
    from agent.browser.lifecycle.manager import BrowserManager
    from agent.client import Agent
    from agent.integrations.files import FileRegistry
    from agent.integrations.profiles import BrowserProfiles
    from agent.integrations.totp import TOTPSecrets
    from agent.records.config import LLMOptions
    from agent.run.loop_thread import LoopThread
    from agent.run.pause import PauseBoard
    from agent.run.tools import ToolBox
    from agent.scale.queue import CeleryQueue

logger = logging.getLogger("agent")

CANCEL_GRACE = 5.0
"""Seconds ``cancel_run`` and ``close`` wait for an interrupted run to record its ending."""


def the_agent(methods: object) -> Agent:
    """``self`` of a mixin method as the :class:`~agent.client.Agent` it is part of.

    The mixins are only ever mixed into Agent; functions that take the Agent get it typed.
    """
    return cast("Agent", methods)


class RunMethods:
    """The run methods of :class:`~agent.client.Agent` (see there for the attributes)."""

    store: RunStore
    model: str | None
    llm_options: LLMOptions
    data_dir: Path
    upload_files: list[Path]
    webhook_key: str | None
    proxies: dict[str, str]
    progress: bool | None
    record_video: bool
    totp_secrets: TOTPSecrets
    totp_timeout: float
    totp_poll_interval: float
    allowed_domains: list[str]
    blocked_domains: list[str]
    block_private_networks: bool
    max_download_bytes: int | None
    max_downloads: int | None
    tools: ToolBox
    run_timeout_seconds: float | None
    profiles: BrowserProfiles
    files: FileRegistry
    page_timeout: float
    _loop: LoopThread
    _browsers: BrowserManager
    _queue: CeleryQueue | None
    _tasks: dict[str, asyncio.Task[None]]
    _engine_tasks: dict[str, asyncio.Task[Any]]
    _secrets: dict[str, SecretValue]
    _pauses: PauseBoard
    _cdp_headers: dict[str, dict[str, str]]

    @method_parameters_of(run_task_parameters)
    def run_task(self, *args: Any, **kwargs: Any) -> TaskRun:
        """Run a task and return its run (``wait=False``: return at once; poll ``get_run``).

        Every field of the hosted ``TaskRunRequest`` is a keyword with its hosted name and
        default (see ``docs/run-object.md``); ``user_agent``, ``timeout_seconds``,
        ``max_cost`` and ``max_total_tokens`` are local additions (``docs/limits.md``).
        The parameters are declared once, in :func:`agent.run.parameters.run_task_parameters`.
        """
        fields, wait = run_task_arguments(args, kwargs)
        return self._loop.run(self._start(fields, wait))

    @method_parameters_of(run_task_parameters)
    async def run_task_async(self, *args: Any, **kwargs: Any) -> TaskRun:
        """The awaitable form of :meth:`run_task`, usable from any event loop."""
        fields, wait = run_task_arguments(args, kwargs)
        return await self._loop.run_async(self._start(fields, wait))

    async def _start(self, fields: dict[str, Any], wait: bool) -> TaskRun:
        if self.model is not None and not fields.get("browser_session_id"):
            self._browsers.prelaunch()  # Chromium starts while the request is checked
        secrets = self.secrets_for(fields.pop("secrets", None))
        fields = secrets.redact_data(fields)  # a value in the prompt: its placeholder instead
        fields["secrets"] = secrets.names or None
        return await self._launch(build_request(**fields), wait, secrets=secrets)

    def run_request(
        self,
        request: RunRequest,
        *,
        wait: bool = True,
        engine: Engine | None = None,
        secrets: Mapping[str, SecretValue] | None = None,
    ) -> TaskRun:
        """Run a request built beforehand, optionally with an engine of your own.

        ``request`` comes from :func:`agent.records.runs.build_request` (or ``RunRequest(...)``);
        it goes through the same checks, store and runner as :meth:`run_task`. ``engine``
        is an entry point ``async (ctx: RunContext) -> Outcome`` (:mod:`agent.run.run_context`)
        run in place of the one ``request.engine`` names: a planning loop of your own, or
        in tests an engine that misbehaves on purpose.

        Example (``Outcome`` from :mod:`agent.run.run_context`)::

            async def give_up(ctx):
                return Outcome(RunStatus.terminated, failure_reason="nothing to do")

            run = agent.run_request(build_request(prompt="Look", url=url), engine=give_up)
        """
        return self._loop.run(
            self._launch(request, wait, engine=engine, secrets=self.secrets_for(secrets))
        )

    async def run_request_async(
        self,
        request: RunRequest,
        *,
        wait: bool = True,
        engine: Engine | None = None,
        secrets: Mapping[str, SecretValue] | None = None,
    ) -> TaskRun:
        """The awaitable form of :meth:`run_request`."""
        launch = self._launch(request, wait, engine=engine, secrets=self.secrets_for(secrets))
        return await self._loop.run_async(launch)

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
        if self._queue is not None:  # a worker runs it (agent/scale/queue.py)
            return await self._queue.launch(
                the_agent(self),
                request,
                wait,
                engine=engine,
                workflow_id=workflow_id,
                secrets=secrets,
            )
        if self.model is None and request.model_name is None:
            raise LLMNotConfiguredError(
                "No model configured: set the AGENT_LLM environment variable to a litellm model "
                "name (e.g. AGENT_LLM=gpt-4o-mini) or pass llm= to Agent(...)."
            )
        from agent.integrations.proxy import resolve_proxy

        if not request.browser_session_id:
            resolve_proxy(request.proxy_location, self.proxies)  # a bad location fails now
        self.profiles.check(request.browser_profile_id)
        self.files.paths(request.file_ids)  # an unknown file id fails now
        if request.run_with == "code" and engine is None:
            from agent.workflows.code_runs import code_run_for

            engine, workflow_id = code_run_for(self.store, request)
        from agent.records.validation import check_data_dir

        check_data_dir(self.data_dir)  # before the run is stored: it could never run
        run_id = new_id(str(engine_spec(request.engine).id_prefix))
        if request.cdp_connect_headers:
            self._cdp_headers[run_id] = dict(request.cdp_connect_headers)
        if request.browser_session_id:
            self._browsers.claim_session(request.browser_session_id, run_id)
        run = TaskRun.created_from(request, run_id, workflow_id=workflow_id, owner_pid=os.getpid())
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
        from agent.ui.progress import progress_for

        return progress_for(self.progress)

    def run_tasks(
        self,
        requests: Iterable[Mapping[str, Any]],
        *,
        concurrency: int | None = None,
        progress: Any = None,
    ) -> Iterator[TaskRun]:
        """Submit many runs (each a dict of ``run_task`` arguments); yield each as it finishes.

        See :func:`agent.scale.batch.run_tasks`: with a broker all go to the queue, without one at
        most ``concurrency`` (default 4) run at a time here.
        """
        from agent.scale.batch import run_tasks

        return run_tasks(the_agent(self), requests, concurrency=concurrency, progress=progress)

    def get_run(self, run_id: str) -> TaskRun:
        """The run as stored now; raises :class:`~agent.records.errors.RunNotFoundError`."""
        return self.store.get_run(run_id)

    def list_runs(self, page: int = 1, page_size: int = 10) -> list[TaskRun]:
        """Runs, newest first."""
        return self.store.list_runs(page=page, page_size=page_size)

    def list_steps(self, run_id: str) -> list[Step]:
        """A run's steps in order."""
        return self.store.list_steps(run_id)

    def report(self, run_id: str, path: str | Path | None = None) -> str:
        """Write the run's self-contained HTML report (default data_dir/runs/<id>/report.html)."""
        from agent.ui.report import report_for

        return str(report_for(the_agent(self), run_id, path))

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
            from agent.scale.queue import wait_final

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
            from agent.records.errors import InvalidRequestError

            raise InvalidRequestError(
                "run_id",
                f"run {run_id} is paused, but the process that ran it (pid {run.owner_pid}) "
                "has ended and its browser with it; start a new run",
            )
        return self._pauses.resume(run_id, answer)
