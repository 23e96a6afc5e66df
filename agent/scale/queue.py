"""Runs on a task queue: the client side of the Celery executor.

With ``Agent(store=URL, broker="redis://...")`` (or ``AGENT_BROKER``), ``run_task``
stores the run as ``queued`` and sends its id to the broker; a worker
(``python -m agent worker``, :mod:`agent.cli.worker`) claims it in the store and runs it.
The store is the single source of truth: status, steps, cancel and the result are read
and written there, by any process on any machine that reaches it, so the broker only
carries run ids and needs no result backend.

Delivery: a message is acknowledged when its run has ended, and each worker process
holds one message at a time, so a queued run never waits behind a long one in a busy
worker while another process is idle. A message delivered twice (a worker that lost
its broker connection) is harmless: the run is claimed in the store first, and a run
that is no longer ``queued`` is dropped. A worker process killed mid-run does not get
its run redelivered to another (``task_reject_on_worker_lost`` stays off): a browser
run has effects on real sites (a form sent, an invoice paid) that must not happen twice
without a person deciding so. The store marks such a run ``failed`` with a reason
saying it was interrupted (see :mod:`agent.stores.postgres`); re-run it on purpose.
A canceled queued run is dropped by the worker when it comes up.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from agent.records.config import redact_url
from agent.records.engines import engine_spec
from agent.records.errors import UsageError
from agent.records.runs import RunRequest, RunStatus, TaskRun, new_id
from agent.stores.base import RunStepStore

if TYPE_CHECKING:
    from celery import Celery

    from agent.client import Agent

TASK_NAME = "agent.execute_run"
"""The Celery task a worker runs; its only argument is the run id."""
QUEUE = "agent-runs"
"""The broker queue runs go through."""
POLL_SECONDS = 0.25
"""How often a waiting client reads the run from the store."""


def celery_app(broker: str) -> Celery:
    """The Celery app of both sides: JSON messages, ack after the run, no prefetch, no results."""
    try:
        from celery import Celery
    except ImportError:
        raise UsageError(
            "A broker needs Celery: pip install 'local-browser-agent[scale]' "
            "(or pip install 'celery[redis]')"
        ) from None
    app = Celery("agent", broker=broker, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=False,
        worker_prefetch_multiplier=1,
        task_default_queue=QUEUE,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=10,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    return app


class CeleryQueue:
    """Sends runs to the broker; one per Agent that was given ``broker=``."""

    def __init__(self, broker: str) -> None:
        self.broker = broker
        self.app = celery_app(broker)

    def send(self, run_id: str) -> None:
        """Put the run's id on the queue (the Celery task id is the run id)."""
        try:
            self.app.send_task(TASK_NAME, args=[run_id], task_id=run_id, queue=QUEUE)
        except Exception as exc:  # kombu's errors vary by transport
            raise UsageError(
                f"Cannot reach the broker {redact_url(self.broker)}: {type(exc).__name__}: "
                f"{str(exc).rstrip('.')}. "
                "Start it (e.g. redis-server) or fix AGENT_BROKER / broker=."
            ) from exc

    async def launch(
        self,
        agent: Agent,
        request: RunRequest,
        wait: bool,
        *,
        engine: Any,
        workflow_id: str | None,
        secrets: Any = None,
    ) -> TaskRun:
        """Store the run as ``queued``, enqueue it, and (``wait``) wait for its ending."""
        if secrets:  # values live in memory only: never in the broker's messages or the store
            raise UsageError(
                "Runs with secrets do not go to the queue: secret values stay in the process "
                "that holds them. Run them with an Agent without broker=."
            )
        if engine is not None:
            raise UsageError(
                "Workflow replays run in the Agent that starts them: use an Agent without "
                "broker= for run_workflow (its runs still go to the shared store)."
            )
        if request.browser_session_id:
            raise UsageError(
                "browser_session_id names a browser in this process; a queued run runs in a "
                "worker. Drop broker= to use a browser session."
            )
        from agent.integrations.proxy import resolve_proxy

        resolve_proxy(request.proxy_location, agent.proxies)  # a bad location fails now
        run_id = new_id(str(engine_spec(request.engine).id_prefix))
        agent.store.create_run(TaskRun.created_from(request, run_id, workflow_id=workflow_id))
        run = agent.store.update_run(run_id, RunStatus.queued)
        try:
            await asyncio.to_thread(self.send, run_id)
        except UsageError as exc:
            agent.store.update_run(run_id, RunStatus.failed, failure_reason=str(exc))
            raise
        if not wait:
            return run
        return await asyncio.to_thread(wait_final, agent.store, run_id)

    def close(self) -> None:
        self.app.close()


def wait_final(store: RunStepStore, run_id: str, timeout: float | None = None) -> TaskRun:
    """Read the run from the store until it is final; TimeoutError after ``timeout`` seconds."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        run = store.get_run(run_id)
        if run.status.is_final:
            return run
        if deadline is not None and time.monotonic() >= deadline:
            raise TimeoutError(f"run {run_id} is still {run.status.value} after {timeout} s")
        time.sleep(POLL_SECONDS)
