"""One contract, run against the three stores (PostgreSQL: a real server, tests/services.py)."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from agent.records.errors import InvalidRequestError, InvalidTransitionError, RunNotFoundError
from agent.records.runs import RunRequest, RunStatus, Step, StepStatus, TaskRun, new_id, utcnow
from agent.stores import (
    MemoryStore,
    RunStepStore,
    RunStore,
    SQLiteStore,
    TOTPCodeStore,
    WorkflowStore,
)
from tests.clock import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request, tmp_path, clock) -> RunStore:
    if request.param == "postgres":
        from agent.stores.postgres import PostgresStore

        s = PostgresStore(request.getfixturevalue("postgres_url"), clock=clock)
    elif request.param == "memory":
        s = MemoryStore(clock=clock)
    else:
        s = SQLiteStore(tmp_path / "a.db", clock=clock)
    yield s
    s.close()


def make_run(status: RunStatus = RunStatus.created, **changes) -> TaskRun:
    return TaskRun(
        run_id=new_id("tsk"),
        status=status,
        run_type="task_v1",
        run_request=RunRequest(prompt="goal", engine="skyvern-1.0"),
        **{"owner_pid": os.getpid(), **changes},
    )


def test_store_satisfies_the_protocol(store):
    assert isinstance(store, RunStore)
    for narrow in (RunStepStore, TOTPCodeStore, WorkflowStore):
        assert isinstance(store, narrow)


def test_the_narrow_protocols_split_the_store_without_overlap():
    """Runs/steps, 2FA codes and workflows: each method in exactly one narrow protocol."""
    names = [
        {n for n in vars(p) if not n.startswith("_")}
        for p in (RunStepStore, TOTPCodeStore, WorkflowStore)
    ]
    assert all(names) and not any(a & b for i, a in enumerate(names) for b in names[i + 1 :])
    assert {n for n in dir(RunStore) if not n.startswith("_")} == set().union(*names) | {"close"}


def test_create_get_roundtrip_is_exact(store):
    run = make_run(output={"a": [1, 2]}, errors=[{"error_code": "X"}])
    store.create_run(run)
    assert store.get_run(run.run_id) == run
    with pytest.raises(ValueError, match="already exists"):
        store.create_run(run)


def test_unknown_run_is_a_clear_key_error(store):
    with pytest.raises(RunNotFoundError, match="No run with id 'tsk_404'") as info:
        store.get_run("tsk_404")
    assert isinstance(info.value, KeyError)
    with pytest.raises(KeyError):
        store.list_steps("tsk_404")


def test_update_checks_transitions_against_the_stored_status(store):
    run = make_run()
    store.create_run(run)
    store.update_run(run.run_id, RunStatus.running)
    store.update_run(run.run_id, RunStatus.canceled)
    with pytest.raises(InvalidTransitionError, match="from canceled to completed"):
        store.update_run(run.run_id, RunStatus.completed, output={"x": 1})
    assert store.get_run(run.run_id).status == RunStatus.canceled
    updated = store.update_run(run.run_id, step_count=3)
    assert updated.step_count == 3 and updated.status == RunStatus.canceled


def test_list_is_newest_first_and_paged(store):
    runs = [make_run(created_at=utcnow() + timedelta(seconds=i)) for i in range(7)]
    for run in runs:
        store.create_run(run)
    newest_first = [r.run_id for r in reversed(runs)]
    assert [r.run_id for r in store.list_runs(page=1, page_size=3)] == newest_first[:3]
    assert [r.run_id for r in store.list_runs(page=3, page_size=3)] == newest_first[6:]
    assert store.list_runs(page=4, page_size=3) == []
    assert len(store.list_runs()) == 7
    with pytest.raises(InvalidRequestError, match="page: must be at least 1"):
        store.list_runs(page=0)
    with pytest.raises(InvalidRequestError, match="page_size: must be at least 1"):
        store.list_runs(page_size=0)


def test_steps_come_back_in_order(store):
    run = make_run()
    store.create_run(run)
    steps = [
        Step(task_id=run.run_id, order=o, retry_index=r)
        for o, r in [(1, 0), (0, 1), (2, 0), (0, 0)]
    ]
    for step in steps:
        store.save_step(step)
    assert [(s.order, s.retry_index) for s in store.list_steps(run.run_id)] == [
        (0, 0),
        (0, 1),
        (1, 0),
        (2, 0),
    ]
    done = (
        steps[0]
        .transition(StepStatus.running)
        .transition(StepStatus.completed, actions=[{"action_type": "CLICK", "id": "3"}])
    )
    store.save_step(done)
    again = next(s for s in store.list_steps(run.run_id) if s.step_id == done.step_id)
    assert again == done


def test_pushed_totp_codes_are_used_once_and_only_if_newer(store, clock):
    before = clock.now
    clock.advance()
    store.add_totp_code("me@example.com", "111111")
    later = clock.advance()
    clock.advance()
    store.add_totp_code("me@example.com", "222222")
    assert store.take_totp_code("me@example.com", since=later) == "222222"
    assert store.take_totp_code("me@example.com", since=later) is None
    assert store.take_totp_code("me@example.com", since=before) == "111111"
    assert store.take_totp_code("other", since=before) is None
    store.add_totp_code("me@example.com", "333333")  # pushed at clock.now: not after it
    assert store.take_totp_code("me@example.com", since=clock.now) is None
    assert store.take_totp_code("me@example.com", since=before) == "333333"


def test_workflows_roundtrip(store):
    store.save_workflow("wpid_1", {"workflow_id": "wpid_1", "steps": [1]})
    assert store.get_workflow("wpid_1")["steps"] == [1]
    assert [w["workflow_id"] for w in store.list_workflows()] == ["wpid_1"]
    store.delete_workflow("wpid_1")
    with pytest.raises(RunNotFoundError):
        store.get_workflow("wpid_1")


def test_only_one_of_many_claims_wins(store):
    run = make_run()
    store.create_run(run)
    assert store.claim_run(run.run_id, owner_pid=os.getpid()) is None  # created, not queued
    store.update_run(run.run_id, RunStatus.queued)
    winners: list[TaskRun] = []
    barrier = threading.Barrier(4)

    def claim() -> None:
        barrier.wait()
        got = store.claim_run(run.run_id, owner_pid=os.getpid())
        if got is not None:
            winners.append(got)

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1 and winners[0].status == RunStatus.running
    assert store.get_run(run.run_id).status == RunStatus.running
    canceled = make_run(RunStatus.queued)
    store.create_run(canceled)
    store.update_run(canceled.run_id, RunStatus.canceled)
    assert store.claim_run(canceled.run_id, owner_pid=os.getpid()) is None


def test_concurrent_updates_from_threads_lose_nothing(store):
    run = make_run()
    store.create_run(run)
    errors: list[Exception] = []

    def add_steps(n: int) -> None:
        try:
            for i in range(20):
                store.save_step(Step(task_id=run.run_id, order=n * 100 + i))
                current = store.get_run(run.run_id)
                store.update_run(run.run_id, llm_calls=current.llm_calls)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add_steps, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(store.list_steps(run.run_id)) == 80


def _writer(path: str, n: int) -> None:
    store = SQLiteStore(path)
    for _ in range(n):
        store.create_run(make_run())
    store.close()


def test_sqlite_is_safe_from_two_processes(tmp_path):
    path = str(tmp_path / "shared.db")
    SQLiteStore(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, 25)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert len(SQLiteStore(path).list_runs(page_size=100)) == 50


def test_sqlite_fails_runs_whose_process_died(tmp_path):
    path = tmp_path / "dead.db"
    code = (
        "import os, sys\n"
        "from agent.records.runs import *\n"
        "from agent.stores import SQLiteStore\n"
        "s = SQLiteStore(sys.argv[1])\n"
        "r = TaskRun(run_id=new_id('tsk'), status='created', run_type='task_v1',"
        " run_request=RunRequest(prompt='x'), owner_pid=os.getpid())\n"
        "s.create_run(r); s.update_run(r.run_id, RunStatus.running)\n"
        "print(r.run_id)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    run_id = out.stdout.strip()
    run = SQLiteStore(path).get_run(run_id)
    assert run.status == RunStatus.failed
    assert run.failure_reason.startswith("Run interrupted: the process running it")


def test_sqlite_migrations_are_recorded_and_reopen_cleanly(tmp_path):
    path = tmp_path / "m.db"
    SQLiteStore(path).close()
    store = SQLiteStore(path)
    names = [r[0] for r in store._conn().execute("SELECT name FROM migrations ORDER BY name")]
    assert names == ["001_runs_and_steps", "002_totp_codes", "003_workflows"]
    journal = store._conn().execute("PRAGMA journal_mode").fetchone()[0]
    assert journal == "wal"
