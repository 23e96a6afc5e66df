"""Runs on a real queue: PostgreSQL, Redis, two Celery worker processes, fixture sites.

The workers are ``python -m agent worker`` processes started here; their model is the
double in ``tests/queue/policy.py``, which reads only the prompt text. The test process
is the client: it enqueues with ``Agent(store=..., broker=...)`` and reads results from
the store; a third process reads them too.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from agent import Agent, RunStatus, StepStatus
from agent.records.errors import UsageError
from tests.queue.workers import ROOT, Worker, start_worker, stop_all, wait_ready
from tests.services import Postgres, Server, redis_server_url

# Worker start-up and first browser launches are slow on a loaded 2-core machine.
pytestmark = pytest.mark.timeout(420)

PRODUCTS = "List the products on this page with their prices"
WAITING = "Keep waiting on this page until told otherwise"


@pytest.fixture(scope="module")
def queue(postgres_server: Postgres, redis_server: Server, tmp_path_factory) -> Iterator[dict]:
    """A fresh database and Redis database, and two workers of one process each."""
    store, broker = postgres_server.new_database(), redis_server_url(redis_server)
    data = tmp_path_factory.mktemp("queue-data")
    workers = [start_worker(store, broker, data, data / f"worker{i}.log") for i in range(2)]
    try:
        wait_ready(workers)
        yield {"store": store, "broker": broker, "data": data, "workers": workers}
    finally:
        stop_all(workers)


@pytest.fixture
def client(queue) -> Iterator[Agent]:
    with Agent(store=queue["store"], broker=queue["broker"], data_dir=queue["data"]) as agent:
        yield agent


def _owner_pids(store: str, run_ids: list[str]) -> dict[str, int | None]:
    with psycopg.connect(store) as conn:
        rows = conn.execute(
            "SELECT run_id, owner_pid FROM runs WHERE run_id = ANY(%s)", (run_ids,)
        ).fetchall()
    return dict(rows)


def _wait_for(check, timeout: float = 90.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _worker_logs(queue) -> str:
    return "\n".join(w.log.read_text(errors="replace")[-3000:] for w in queue["workers"])


def test_twelve_runs_on_two_workers_each_run_once(queue, client, server):
    hook = uuid.uuid4().hex
    requests = [
        {
            "prompt": PRODUCTS,
            "url": server.url("/products/"),
            "engine": "skyvern-1.0",
            "webhook_url": server.url(f"/hooks/ok?id={hook}"),
            "title": f"batch {i}",
        }
        for i in range(12)
    ]
    seen: list[tuple[str, int]] = []
    runs = list(
        client.run_tasks(requests, progress=lambda run, p: seen.append((run.run_id, p.done)))
    )

    assert len(runs) == 12 and len({r.run_id for r in runs}) == 12
    assert [done for _, done in seen] == list(range(1, 13))
    for run in runs:
        assert run.status == RunStatus.completed, (run.failure_reason, _worker_logs(queue))
        assert len(run.output["products"]) == 10
        assert run.output["products"][0] == {"name": "Hammer", "brand": "Makita", "price": 8.49}
        assert run.step_count == 1 and run.owner_pid is None

    # each run ran once: one webhook per run, sent by the worker that ran it (just after
    # it stored the ending)
    def hooks() -> list[dict]:
        return [r for r in server.state["webhook_receiver"]["received"] if r["id"] == hook]

    _wait_for(lambda: len(hooks()) >= 12, what="12 webhooks")
    time.sleep(0.5)  # a duplicate would come now
    received = hooks()
    assert sorted(r["payload"]["run_id"] for r in received) == sorted(r.run_id for r in runs)
    owners = _owner_pids(queue["store"], [r.run_id for r in runs])
    assert os.getpid() not in owners.values()
    assert len(set(owners.values())) == 2, "both workers took runs"
    # run files are in the shared data dir
    assert all((queue["data"] / "runs" / r.run_id / "steps").is_dir() for r in runs)

    # a third process sees the same results
    code = (
        "import json, sys\n"
        "from agent import Agent\n"
        "with Agent(store=sys.argv[1]) as a:\n"
        "    runs = {r.run_id: r for r in a.list_runs(page_size=50)}\n"
        "    print(json.dumps({i: [r.status.value, len(r.output['products']),"
        " len(a.list_steps(i))] for i, r in runs.items()}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, queue["store"]],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    seen_there = json.loads(out.stdout)
    for run in runs:
        assert seen_there[run.run_id] == ["completed", 10, 1]

    # wait=True through the broker returns the worker's result
    run = client.run_task(PRODUCTS, server.url("/products/"), engine="skyvern-1.0")
    assert run.status == RunStatus.completed and len(run.output["products"]) == 10


def test_cancel_a_queued_run_and_a_running_one(queue, client, server):
    url = server.url("/products/")
    long_runs = [
        client.run_task(WAITING, url, engine="skyvern-1.0", max_steps=40, wait=False)
        for _ in range(2)
    ]
    _wait_for(  # both workers are busy now
        lambda: all(client.get_run(r.run_id).status == RunStatus.running for r in long_runs),
        what="both long runs running",
    )
    queued = client.run_task(PRODUCTS, url, engine="skyvern-1.0", wait=False)
    assert queued.status == RunStatus.queued
    assert client.cancel_run(queued.run_id).status == RunStatus.canceled

    running = long_runs[0]
    _wait_for(lambda: client.list_steps(running.run_id), what="a first step")
    client.cancel_run(running.run_id)
    final = client.wait(running.run_id, timeout=60)
    assert final.status == RunStatus.canceled
    # the worker stops at the next step boundary and closes the step it was in
    steps = _wait_for(
        lambda: (
            [s for s in client.list_steps(running.run_id) if s.status != StepStatus.running]
            == (all_steps := client.list_steps(running.run_id))
            and all_steps
        ),
        what="the worker to close its steps",
    )
    time.sleep(1.5)  # WAIT steps take 0.5 s: a run still going would add some
    assert client.list_steps(running.run_id) == steps
    client.cancel_run(long_runs[1].run_id)
    assert client.wait(long_runs[1].run_id, timeout=60).status == RunStatus.canceled

    # the canceled queued run reached a worker after a long run ended, and never started
    _wait_for(lambda: f"run {queued.run_id} not started" in _worker_logs(queue), what="skip")
    never = client.get_run(queued.run_id)
    assert never.status == RunStatus.canceled and never.started_at is None
    assert client.list_steps(queued.run_id) == []
    assert _owner_pids(queue["store"], [queued.run_id])[queued.run_id] is None


def test_a_worker_killed_mid_run_leaves_it_failed_interrupted(queue, client, server):
    url = server.url("/products/")
    run = client.run_task(WAITING, url, engine="skyvern-1.0", max_steps=40, wait=False)
    _wait_for(lambda: len(client.list_steps(run.run_id)) >= 2, what="two steps")
    pid = _owner_pids(queue["store"], [run.run_id])[run.run_id]
    worker: Worker = next(w for w in queue["workers"] if pid in w.pool_pids())
    os.kill(pid, signal.SIGKILL)

    final = client.wait(run.run_id, timeout=60)
    assert final.status == RunStatus.failed
    assert final.failure_reason.startswith(f"Run interrupted: the process running it (pid {pid}")
    steps = client.list_steps(run.run_id)
    assert len(steps) >= 2 and steps[0].status == StepStatus.completed  # kept as they were
    assert all(s.status != StepStatus.running for s in steps)

    # the worker replaces its pool process; the queue goes on and the run is not redone
    _wait_for(lambda: worker.pool_pids() and pid not in worker.pool_pids(), what="new pool process")
    after = client.run_task(PRODUCTS, url, engine="skyvern-1.0", wait=True)
    assert after.status == RunStatus.completed, after.failure_reason
    assert client.get_run(run.run_id).status == RunStatus.failed
    assert "WorkerLostError" in _worker_logs(queue) or "SIGKILL" in _worker_logs(queue)


def test_a_broker_needs_a_shared_store(tmp_path):
    with pytest.raises(UsageError, match="store the workers share"):
        Agent(store="memory", broker="redis://127.0.0.1:1/0", data_dir=tmp_path)


def test_an_unreachable_broker_fails_the_run_at_once_and_hides_the_password(tmp_path):
    with Agent(store=tmp_path / "runs.db", broker="redis://:s3cret@127.0.0.1:1/0") as agent:
        with pytest.raises(UsageError, match=r"Cannot reach the broker redis://:\*\*\*@") as info:
            agent.run_task("List the products", "http://127.0.0.1:1/", wait=False)
        [run] = agent.list_runs()
    assert "s3cret" not in str(info.value)
    assert run.status == RunStatus.failed and run.failure_reason == str(info.value)


def test_worker_command_checks_its_options(tmp_path: Path):
    options = ["--store", "memory", "--broker", "redis://x", "--llm", "gpt-4o-mini"]
    out = subprocess.run(
        [sys.executable, "-m", "agent", "worker", *options],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert out.returncode == 2 and "needs a shared store" in out.stderr
