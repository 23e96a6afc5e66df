"""What only the PostgreSQL store does: migrations, many processes, owners that vanish."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.records.errors import InvalidRequestError
from agent.records.runs import RunStatus, Step, StepStatus
from agent.stores import MemoryStore, SQLiteStore, open_store
from agent.stores.postgres import PostgresStore
from tests.stores.test_contract import make_run

ROOT = Path(__file__).parents[2]


def test_store_urls(tmp_path, postgres_url):
    assert isinstance(open_store(None, tmp_path), MemoryStore)
    assert isinstance(open_store("memory", tmp_path), MemoryStore)
    assert open_store("sqlite", tmp_path).path == str(tmp_path / "agent.db")
    assert open_store(str(tmp_path / "plain.db"), tmp_path).path == str(tmp_path / "plain.db")
    assert open_store(f"sqlite:///{tmp_path}/abs.db", tmp_path).path == f"{tmp_path}/abs.db"
    assert open_store("sqlite:///:memory:", tmp_path).path == ":memory:"
    with pytest.raises(InvalidRequestError, match="names no file"):
        open_store("sqlite://", tmp_path)
    with pytest.raises(InvalidRequestError, match="unknown store URL scheme 'redis'"):
        open_store("redis://localhost", tmp_path)
    pg = open_store(postgres_url, tmp_path)
    assert isinstance(pg, PostgresStore)
    pg.close()


def test_unreachable_database_names_the_url_without_password():
    from agent.records.errors import UsageError

    with pytest.raises(UsageError, match=r"postgresql://me:\*\*\*@127.0.0.1:1/x"):
        PostgresStore("postgresql://me:secret@127.0.0.1:1/x?connect_timeout=2")


def test_migrations_are_recorded_once_and_reopen_cleanly(postgres_url):
    PostgresStore(postgres_url).close()
    store = PostgresStore(postgres_url)
    names = [r[0] for r in store._conn().execute("SELECT name FROM migrations ORDER BY name")]
    assert names == ["001_runs_and_steps", "002_totp_codes", "003_workflows"]
    store.close()


def _claimer(url: str, run_ids: list[str], out: multiprocessing.Queue) -> None:
    store = PostgresStore(url)
    out.put([r for r in run_ids if store.claim_run(r, owner_pid=os.getpid()) is not None])
    store.close()


def test_two_processes_never_claim_the_same_run(postgres_url):
    store = PostgresStore(postgres_url)
    runs = [make_run(RunStatus.queued, owner_pid=None) for _ in range(30)]
    for run in runs:
        store.create_run(run)
    ids = [r.run_id for r in runs]
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_claimer, args=(postgres_url, ids, out)) for _ in range(2)]
    for p in procs:
        p.start()
    claimed = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(30)
    assert sorted(claimed[0] + claimed[1]) == sorted(ids)  # every run once, none twice
    assert not set(claimed[0]) & set(claimed[1])
    store.close()


def test_a_dead_owner_on_this_host_fails_the_run_and_closes_its_step(postgres_url):
    code = (
        "import os, sys\n"
        "from agent.records.runs import *\n"
        "from agent.stores.postgres import PostgresStore\n"
        "s = PostgresStore(sys.argv[1])\n"
        "r = TaskRun(run_id=new_id('tsk'), status='queued', run_type='task_v1',"
        " run_request=RunRequest(prompt='x'))\n"
        "s.create_run(r); s.claim_run(r.run_id, os.getpid())\n"
        "s.save_step(Step(task_id=r.run_id, order=0, status='running'))\n"
        "print(r.run_id)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, postgres_url], capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    run_id = out.stdout.strip()
    store = PostgresStore(postgres_url)
    run = store.get_run(run_id)
    assert run.status == RunStatus.failed
    assert run.failure_reason.startswith("Run interrupted: the process running it (pid ")
    [step] = store.list_steps(run_id)
    assert step.status == StepStatus.failed and "interrupted" in step.failure_reason
    assert run.step_count == 1  # the stored steps, as the ending would have counted them
    store.close()


def test_a_silent_owner_elsewhere_is_failed_after_its_lease(postgres_url):
    store = PostgresStore(postgres_url, lease_seconds=0.5)
    run = make_run(RunStatus.queued, owner_pid=None)
    store.create_run(run)
    store.claim_run(run.run_id, owner_pid=os.getpid())
    store.save_step(Step(task_id=run.run_id, order=0, status=StepStatus.running))
    # the owner is on another machine and stopped beating a while ago
    store._conn().execute(
        "UPDATE runs SET owner_host = 'elsewhere', heartbeat_at = now() - interval '1 hour' "
        "WHERE run_id = %s",
        (run.run_id,),
    )
    [listed] = store.list_runs()
    assert listed.status == RunStatus.failed and "on elsewhere" in listed.failure_reason


def test_a_live_owner_keeps_its_run_by_heartbeat(postgres_url):
    import time

    store = PostgresStore(postgres_url, lease_seconds=0.4)
    run = make_run(RunStatus.queued, owner_pid=None)
    store.create_run(run)
    store.claim_run(run.run_id, owner_pid=os.getpid())
    time.sleep(1.2)  # three leases: only the heartbeat keeps it alive
    assert store.get_run(run.run_id).status == RunStatus.running
    store.close()


def test_sqlite_claims_too(tmp_path):
    store = SQLiteStore(tmp_path / "c.db")
    run = make_run(RunStatus.queued)
    store.create_run(run)
    assert store.claim_run(run.run_id, os.getpid()).status == RunStatus.running
    assert store.claim_run(run.run_id, os.getpid()) is None
