"""``python -m agent worker``: a Celery worker that runs queued runs.

    python -m agent worker --store postgresql://agent@db/agent --broker redis://queue:6379/0 \\
        --concurrency 4 --data-dir /mnt/agent-data

Each worker process (Celery's prefork pool: ``--concurrency`` processes) makes its own
:class:`~agent.client.Agent` on its first run and keeps it, so each process owns one
browser (launched, or reached over CDP at ``AGENT_BROWSER_CDP_URL``) reused by all its
runs, and its own store connections. A run is claimed in the store first
(``queued`` -> ``running``, row-locked): a run canceled while queued, or already taken,
is skipped. The run then goes through the same :func:`~agent.run.runner.execute_run` as a
local run: steps and files, the ending, the webhook, sent once by this process.

The model comes from ``--llm`` / ``AGENT_LLM``, or from ``--llm-factory module:name``
(a callable returning a model name or an ``agent.testing.stand_ins`` double; for tests and demos).
Run files go under ``--data-dir`` / ``AGENT_DATA_DIR``: mount one shared folder at the
same path on every machine, so the ``file://`` URLs in run objects stay valid.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.cli import command
from agent.records.errors import UsageError

logger = logging.getLogger("agent.cli.worker")


@dataclass(frozen=True)
class WorkerConfig:
    """What every process of one worker is started with."""

    store: str
    broker: str
    llm: Any
    data_dir: Path
    concurrency: int = 1
    record_video: bool = True
    loglevel: str = "INFO"


_config: WorkerConfig | None = None
_agent: Any = None


def process_agent() -> Any:
    """This process's Agent, made on first use (after the pool forked, never before)."""
    global _agent
    if _agent is None:
        from agent.client import Agent

        assert _config is not None, "the worker's configuration is set before it starts"
        _agent = Agent(
            llm=_config.llm,
            store=_config.store,
            data_dir=_config.data_dir,
            progress=False,
            record_video=_config.record_video,
        )
    return _agent


def execute(run_id: str) -> str:
    """Claim ``run_id`` and run it in this process; returns the status it ended with."""
    from agent.run.runner import execute_run

    agent = process_agent()
    run = agent.store.claim_run(run_id, owner_pid=os.getpid())
    if run is None:  # canceled while queued, or another worker has it
        status = agent.store.get_run(run_id).status.value
        logger.info("run %s not started: it is %s", run_id, status)
        return str(status)
    logger.info("run %s started in pid %s", run_id, os.getpid())
    agent._loop.run(execute_run(agent._runner_config(), run_id))
    final = agent.store.get_run(run_id)
    logger.info("run %s ended %s", run_id, final.status.value)
    return str(final.status.value)


def _close_process_agent(**_: Any) -> None:
    global _agent
    if _agent is not None:
        _agent.close()
        _agent = None


def load_llm(factory: str) -> Any:
    """Call ``module:name`` and return what it returns (a model name or a double)."""
    module_name, sep, attr = factory.partition(":")
    if not sep or not attr:
        raise UsageError(f"--llm-factory takes module:name (got {factory!r})")
    try:
        target = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise UsageError(f"--llm-factory {factory}: {exc}") from exc
    return target() if callable(target) else target


def _preload() -> None:
    """Import the slow libraries once, in the parent: each pool process forks with them
    loaded (a new process after a crash starts faster, and their pages are shared)."""
    from agent.records.config import quiet_litellm_env

    quiet_litellm_env()
    import litellm  # noqa: F401
    import playwright.async_api  # noqa: F401

    from agent.records.engines import engine_for, engine_names

    for name in engine_names():
        engine_for(name)


def run_worker(config: WorkerConfig) -> None:
    """Start a Celery worker with ``config`` (blocks until it is stopped)."""
    global _config
    from celery.signals import worker_process_shutdown

    from agent.scale.queue import QUEUE, TASK_NAME, celery_app
    from agent.stores import open_store, shared_store

    store = open_store(config.store, config.data_dir)  # bad URLs and migrations fail here
    try:
        if not shared_store(store):
            raise UsageError(
                "A worker needs a shared store: --store postgresql://... (or a SQLite file "
                "for workers on one machine), not memory"
            )
    finally:
        store.close()
    _config = config
    _preload()
    app = celery_app(config.broker)
    app.task(name=TASK_NAME, ignore_result=True)(execute)
    worker_process_shutdown.connect(_close_process_agent, weak=False)
    app.worker_main(
        [
            "worker",
            f"--concurrency={config.concurrency}",
            "--pool=prefork",
            f"--loglevel={config.loglevel}",
            f"--queues={QUEUE}",
            f"--hostname=agent-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
            "--prefetch-multiplier=1",
        ]
    )


def _configure(parser: argparse.ArgumentParser) -> None:
    # --store, --llm and --data-dir are the CLI's common options (agent/cli/__init__.py);
    # redefining them here would change the shared option objects of every command.
    parser.add_argument("--broker", help="broker URL, e.g. redis://host:6379/0 (AGENT_BROKER)")
    parser.add_argument("--concurrency", type=int, default=1, help="worker processes")
    parser.add_argument("--llm-factory", help="module:name returning the model (tests, demos)")
    parser.add_argument("--no-video", action="store_true", help="do not record runs")
    parser.add_argument("--loglevel", default="INFO")


@command("worker", "run queued runs from the broker (a Celery worker)", _configure)
def worker_command(args: argparse.Namespace) -> int:
    """``agent worker``: check the options, then run the worker until it is stopped."""
    from agent.records.config import Settings

    settings = Settings.from_env()
    store = getattr(args, "store", None) or os.environ.get("AGENT_STORE")
    broker = args.broker or settings.broker
    if not store or not broker:
        raise UsageError("agent worker needs --store URL and --broker URL (or AGENT_STORE/_BROKER)")
    llm_name = getattr(args, "llm", None)
    llm = load_llm(args.llm_factory) if args.llm_factory else (llm_name or settings.llm)
    if llm is None:
        raise UsageError("agent worker needs a model: --llm NAME or AGENT_LLM")
    if args.concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    run_worker(
        WorkerConfig(
            store=store,
            broker=broker,
            llm=llm,
            data_dir=Path(getattr(args, "data_dir", None) or settings.data_dir).resolve(),
            concurrency=args.concurrency,
            record_video=not args.no_video,
            loglevel=args.loglevel,
        )
    )
    return 0
