"""Carrying one run from ``queued`` to a final status.

:func:`execute_run` opens the run's browser context (or takes its browser session),
hands a :class:`~agent.run.run_context.RunContext` to the engine, and then, whatever
happened, records the ending: status, failure reason, output, downloaded files,
recording, step count; then it sends the webhook. An exception anywhere ends the run
``failed`` with its cause; a run is never left ``running``.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from agent.browser.lifecycle.manager import BrowserManager
from agent.browser.lifecycle.watchdog import PAGE_TIMEOUT, close_quietly
from agent.integrations.secrets import RedactingStore, Secrets, redacting_logs
from agent.records.actions import ErrorEntry
from agent.records.config import LLMOptions
from agent.records.engines import engine_for
from agent.records.errors import AgentError, BrowserError, InvalidTransitionError
from agent.records.policy import BrowsingPolicy
from agent.records.runs import FileInfo, RunRequest, RunStatus, Step, StepStatus, TaskRun, utcnow
from agent.run.clock import within_limit
from agent.run.limits import RunLimitError
from agent.run.pause import asker
from agent.run.run_context import Outcome, RunContext, StepLimitError
from agent.run.run_folder import keep_run, keep_step
from agent.stores.base import RunStore

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext

    from agent.browser.lifecycle.tabs import Tabs
    from agent.run.run_browser import RunBrowser

logger = logging.getLogger("agent.run")


@dataclass
class RunnerConfig:
    """What every run of one Agent shares."""

    store: RunStore
    browsers: BrowserManager
    model: str
    data_dir: Path
    llm_options: LLMOptions = field(default_factory=LLMOptions)
    """Where model calls go, their timeout and retries, extra litellm arguments."""
    upload_files: list[Path] = field(default_factory=list)
    webhook_key: str | None = None
    proxies: Mapping[str, str] = field(default_factory=dict)
    totp: Any = None
    """The Agent's ``agent.integrations.totp.TOTPSecrets``."""
    record_video: bool = True
    totp_timeout: float = 15 * 60
    totp_poll_interval: float = 10.0
    on_step: Callable[[Step, TaskRun], None] | None = None
    block_private_networks: bool = False
    """Refuse every request to private and link-local addresses (agent.records.policy)."""
    max_download_bytes: int | None = None
    max_downloads: int | None = None
    profiles: Any = None
    """The Agent's ``agent.integrations.profiles.BrowserProfiles``."""
    files: Any = None
    """The Agent's ``agent.integrations.files.FileRegistry`` (for ``file_ids``)."""
    cdp_headers: dict[str, dict[str, str]] = field(default_factory=dict)
    """Unmasked ``cdp_connect_headers`` by run id (the stored request has them masked)."""
    run_timeout_seconds: float | None = None
    """The Agent's default wall-clock limit; the request's ``timeout_seconds`` wins."""
    pauses: Any = None
    """The Agent's ``agent.run.pause.PauseBoard``."""
    can_ask: bool = False
    """Whether someone can answer a paused run (on_pause set, or started with wait=False)."""
    tools: Any = None
    """The Agent's ``agent.run.tools.ToolBox``."""
    page_timeout: float = PAGE_TIMEOUT
    """Seconds a page operation may take before the watchdog checks the page is alive."""
    interruptible: dict[str, asyncio.Task[Any]] = field(default_factory=dict)
    """The engine task of each running run; cancelling one stops that run at once."""


def run_dir(data_dir: Path, run_id: str) -> Path:
    path = (data_dir / "runs" / run_id).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


async def execute_run(
    config: RunnerConfig,
    run_id: str,
    engine: Callable[[RunContext], Awaitable[Outcome]] | None = None,
    secrets: Secrets | None = None,
) -> None:
    """Run the engine for ``run_id`` and record how it ended. Never raises.

    ``engine`` replaces the request's engine (a workflow replay, ``engines.replay``).
    ``secrets`` are the run's values (in memory only): typed for their placeholders and
    redacted from the store, the logs and every file (:mod:`agent.integrations.secrets`).
    The engine runs in its own task, kept in ``config.interruptible`` while it runs:
    cancelling that task (``Agent.cancel_run``, ``Agent.close``) stops the run wherever
    it is, and the ending is still recorded.
    """
    secrets = secrets or Secrets()
    if secrets:
        config = replace(config, store=RedactingStore(config.store, secrets))
    with redacting_logs(secrets):
        await _execute(config, run_id, engine, secrets)


async def _execute(
    config: RunnerConfig,
    run_id: str,
    engine: Callable[[RunContext], Awaitable[Outcome]] | None,
    secrets: Secrets,
) -> None:
    store = config.store
    run = store.get_run(run_id)
    request = run.run_request
    opened = _Opened(folder=(config.data_dir / "runs" / run_id).resolve())
    limit = request.timeout_seconds or config.run_timeout_seconds
    outcome: Outcome
    try:
        work = asyncio.ensure_future(
            within_limit(_work(config, run, opened, engine, secrets), limit)
        )
        config.interruptible[run_id] = work
        try:
            outcome = await work
        finally:
            config.interruptible.pop(run_id, None)
    except asyncio.CancelledError:  # cancel_run or close(): interrupted wherever it was
        outcome = Outcome(RunStatus.canceled)
    except RunLimitError as exc:
        outcome = Outcome(
            RunStatus.failed,
            failure_reason=str(exc),
            errors=[ErrorEntry(error_code=exc.error_code, reasoning=str(exc))],
        )
    except (BrowserError, StepLimitError) as exc:  # their messages are written as reasons
        outcome = Outcome(RunStatus.failed, failure_reason=str(exc))
    except AgentError as exc:
        outcome = Outcome(RunStatus.failed, failure_reason=f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a bug or a browser crash must still end the run with its cause
        logger.exception("run %s crashed", run_id)
        outcome = Outcome(
            RunStatus.failed, failure_reason=f"Unexpected error: {type(exc).__name__}: {exc}"
        )
    finally:
        tabs = opened.tabs
        if tabs is not None:
            try:  # bounded: the page may be hung or gone
                await asyncio.wait_for(tabs.dialogs_state.dismiss_all(), 10)
            except Exception as exc:
                logger.debug("dismissing dialogs at the end failed: %r", exc)
            if request.browser_session_id:  # a session outlives the run: so must not its rules
                tabs.policy = BrowsingPolicy()
        if opened.unroute is not None:
            try:
                await asyncio.wait_for(opened.unroute(), 10)
            except Exception as exc:
                logger.debug("removing the browsing policy failed: %r", exc)
        files = _downloaded_files(tabs)
        if opened.browser is not None:
            try:  # bounded: reading storage waits on every page, a stuck one too
                await asyncio.wait_for(opened.browser.keep_state(), 10)
            except asyncio.TimeoutError:
                logger.warning("run %s: the browser's storage state was not saved (hung)", run_id)
        recording = await _close_context(opened.context, opened.folder)
        if opened.browser is not None:
            await opened.browser.disconnect()
        if request.browser_session_id:
            config.browsers.release_session(request.browser_session_id, run_id)
    await _record_ending(config, run_id, outcome, files, recording)


@dataclass
class _Opened:
    """What the run opened, for the ending to close (filled in as it opens)."""

    folder: Path
    context: BrowserContext | None = None
    tabs: Tabs | None = None
    unroute: Callable[[], Awaitable[None]] | None = None
    browser: RunBrowser | None = None


async def _work(
    config: RunnerConfig,
    run: TaskRun,
    opened: _Opened,
    engine: Callable[[RunContext], Awaitable[Outcome]] | None,
    secrets: Secrets,
) -> Outcome:
    """The interruptible part of a run: open the browser context, run the engine."""
    store, run_id, request = config.store, run.run_id, run.run_request
    opened.folder = folder = run_dir(config.data_dir, run_id)  # an OSError still ends the run
    if store.get_run(run_id).status == RunStatus.canceled:
        return Outcome(RunStatus.canceled)
    store.update_run(run_id, RunStatus.running)
    from agent.llm.manual import relay_model

    model = relay_model(str(request.model_name or config.model))  # manual/<name>: the relay
    if request.browser_session_id:
        session = config.browsers.claim_session(request.browser_session_id, run_id)
        tabs = opened.tabs = session.tabs
    else:
        from agent.browser.lifecycle.recording import ensure_ffmpeg
        from agent.browser.lifecycle.tabs import Tabs
        from agent.integrations.proxy import resolve_proxy
        from agent.run.run_browser import open_run_browser

        proxy = resolve_proxy(request.proxy_location, config.proxies)
        video_dir = folder / "video" if config.record_video and ensure_ffmpeg() else None
        opened.browser = await open_run_browser(
            config.browsers,
            request,
            run_dir=folder,
            profiles=config.profiles,
            proxy=proxy,
            video_dir=video_dir,
            cdp_headers=config.cdp_headers.pop(run_id, None),
        )
        opened.context = opened.browser.context
        tabs = opened.tabs = Tabs(
            opened.context, downloads_dir=folder / "downloads", **_download_limits(config)
        )
        await tabs.start(None)
    tabs.policy = BrowsingPolicy.of(
        request.allowed_domains,
        request.blocked_domains,
        block_private_networks=config.block_private_networks,
    )
    opened.unroute = await tabs.policy.install(tabs.context, tabs.note_blocked)
    vision, vision_pending = _vision(model)
    ctx = RunContext(
        run_id=run_id,
        request=request,
        store=store,
        model=model,
        llm_options=config.llm_options,
        run_dir=folder,
        tabs=tabs,
        started_at=run.created_at,
        vision=vision,
        vision_pending=vision_pending,
        upload_files=[*config.upload_files, *_request_files(config, request)],
        get_totp_code=_totp_source(config, run_id, request, run.created_at),
        on_step=config.on_step,
        secrets=secrets,
        tools=config.tools,
        ask_person=asker(config.pauses, run_id, config.can_ask),
        page_timeout=config.page_timeout,
    )
    return await (engine or engine_for(request.engine))(ctx)


class _DownloadLimits(TypedDict, total=False):
    """The download limits a run sets; those left out keep the browser's defaults."""

    max_download_bytes: int
    max_downloads: int


def _download_limits(config: RunnerConfig) -> _DownloadLimits:
    limits: _DownloadLimits = {}
    if config.max_download_bytes is not None:
        limits["max_download_bytes"] = config.max_download_bytes
    if config.max_downloads is not None:
        limits["max_downloads"] = config.max_downloads
    return limits


def _request_files(config: RunnerConfig, request: RunRequest) -> list[Path]:
    return config.files.paths(request.file_ids) if config.files and request.file_ids else []


def _vision(model: str) -> tuple[bool, asyncio.Future[bool] | None]:
    """Whether ``model`` sees screenshots, or a future for it while litellm still imports.

    On a cold start litellm's import (seconds of CPU) is still running on its warm-up
    thread when the browser is up; asking litellm here would hold up the event loop, and
    the start page's load with it, until the import ends. The future answers from a
    worker thread instead, and the first observation waits for it only to decide on
    its screenshot, after the page has loaded and been read.
    """
    from agent.llm.call import supports_vision, supports_vision_now

    known = supports_vision_now(model)
    if known is not None:
        return known, None
    pending = asyncio.ensure_future(asyncio.to_thread(supports_vision, model))
    pending.add_done_callback(_retrieve)  # a run that ends before it is read: no warning
    return False, pending


def _retrieve(future: asyncio.Future[bool]) -> None:
    if not future.cancelled():
        future.exception()


def _totp_source(
    config: RunnerConfig, run_id: str, request: RunRequest, started_at: datetime
) -> Callable[[], Awaitable[str]] | None:
    if not (request.totp_identifier or request.totp_url):
        return None

    async def get_code() -> str:
        from agent.integrations.totp import get_totp_code

        return await get_totp_code(
            identifier=request.totp_identifier,
            totp_url=request.totp_url,
            run_id=run_id,
            run_started_at=started_at,
            secrets=config.totp,
            store=config.store,
            signing_key=config.webhook_key,
            poll_interval=config.totp_poll_interval,
            timeout=config.totp_timeout,
        )

    return get_code


def _downloaded_files(tabs: Tabs | None) -> list[FileInfo]:
    if tabs is None:
        return []
    return [
        FileInfo(
            url=d.url,
            checksum=d.checksum,
            filename=d.filename,
            file_size=d.file_size,
            modified_at=utcnow(),
        )
        for d in getattr(tabs, "downloads", [])
    ]


async def _close_context(context: BrowserContext | None, folder: Path) -> str | None:
    """Close the run's own context (which finishes the video) and keep the video.

    Whatever happens, no unnamed video file is left behind in the run folder.
    """
    if context is None:
        return None
    videos = [page.video for page in context.pages if page.video is not None]
    await close_quietly(context, "the run's browser context")  # bounded: may hang or be gone
    try:
        for video in videos[:1]:
            try:
                source = Path(await asyncio.wait_for(video.path(), 10))
            except Exception as exc:  # the browser died before finishing it
                logger.warning("no recording: %r", exc)
                return None
            if source.is_file() and source.stat().st_size > 0:
                target = folder / "recording.webm"
                shutil.move(str(source), target)
                return target.as_uri()
        return None
    finally:
        shutil.rmtree(folder / "video", ignore_errors=True)


async def _record_ending(
    config: RunnerConfig,
    run_id: str,
    outcome: Outcome,
    files: list[FileInfo],
    recording: str | None,
) -> None:
    store = config.store
    outcome.bound()  # an engine may have set a reason after making the outcome
    steps = store.list_steps(run_id)
    for step in steps:  # a step cut short by cancel or a crash is closed, never left running
        if step.status in (StepStatus.created, StepStatus.running):
            ended = (
                StepStatus.canceled if outcome.status == RunStatus.canceled else StepStatus.failed
            )
            closed = step.transition(
                ended, failure_reason=step.failure_reason or outcome.failure_reason
            )
            store.save_step(closed)
    extra: dict[str, Any] = {
        "downloaded_files": files or None,
        "recording_url": recording,
        "step_count": len(steps),
        "owner_pid": None,
    }
    current = store.get_run(run_id)
    if current.status.is_final:  # canceled meanwhile: keep that status, add the files
        run = store.update_run(run_id, **extra)
    else:
        if outcome.status == RunStatus.canceled:
            run = store.update_run(run_id, RunStatus.canceled, **extra)
        else:
            try:
                run = store.update_run(
                    run_id,
                    outcome.status,
                    output=outcome.output,
                    failure_reason=outcome.failure_reason,
                    errors=[*current.errors, *outcome.errors],
                    **extra,
                )
            except InvalidTransitionError as exc:  # an engine bug must not leave it running
                logger.error("run %s: engine ended with an invalid outcome: %s", run_id, exc)
                run = store.update_run(
                    run_id,
                    RunStatus.failed,
                    failure_reason=f"Internal error: the engine ended the run invalidly ({exc})",
                    **extra,
                )
    if run.status == RunStatus.completed and run.run_request.publish_workflow:
        from agent.workflows.recipes import publish_on_completion

        run = publish_on_completion(store, run_id)
    if run.run_request.webhook_url:
        from agent.integrations.webhooks import deliver_webhook, run_webhook_payload

        delivery = await deliver_webhook(
            run.run_request.webhook_url,
            run_webhook_payload(run.model_dump(mode="json")),
            signing_key=config.webhook_key or "",
        )
        if not delivery.delivered:
            store.update_run(run_id, webhook_failure_reason=delivery.error or "not delivered")
    folder = run_dir(config.data_dir, run_id)  # the folder's copy: exactly what the store keeps
    for step in store.list_steps(run_id):
        keep_step(folder, step)
    keep_run(folder, store.get_run(run_id))
