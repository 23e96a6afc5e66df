"""A store in PostgreSQL, shared by many processes on many machines.

Design: the same shape as :mod:`agent.stores.sqlite` (a few indexed columns, the whole
pydantic model as JSON in ``data``), with append-only named migrations recorded in the
``migrations`` table and applied under an advisory lock, so workers starting together
migrate once.

Every change to a run is one transaction that locks the run's row
(``SELECT ... FOR UPDATE``), applies a checked transition and writes it back: a cancel
from a laptop is never overwritten by a worker holding an older copy, and
:meth:`PostgresStore.claim_run` lets exactly one worker move a queued run to
``running``.

Liveness across machines: a run that is running (or was created by a process that
runs it itself) records its owner, ``host`` and ``pid``, and that owner's store
refreshes ``heartbeat_at`` every few seconds from a background thread. A run whose
owner is a dead pid on this host, or whose heartbeat is older than ``lease_seconds``,
is marked ``failed`` with a reason that says it was interrupted, when runs are read;
its steps stay as they were, a step left running is closed as failed.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from agent.records.config import redact_url
from agent.records.errors import RunNotFoundError, UsageError
from agent.records.runs import RunStatus, Step, StepStatus, TaskRun
from agent.records.workflows import Workflow
from agent.stores.base import (
    ACTIVE_STATUSES,
    apply_update,
    check_page,
    process_alive,
    workflow_json,
)

if TYPE_CHECKING:
    import psycopg

HOST = socket.gethostname()
_ACTIVE = [s.value for s in ACTIVE_STATUSES]
_MIGRATION_LOCK = 0x6167656E74  # "agent": the advisory lock migrations run under

MIGRATIONS: list[tuple[str, str]] = [
    (
        "001_runs_and_steps",
        """
        CREATE TABLE runs (
            run_id TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            owner_host TEXT,
            owner_pid INTEGER,
            heartbeat_at TIMESTAMPTZ,
            data JSONB NOT NULL
        );
        CREATE INDEX runs_created ON runs (created_at DESC, run_id DESC);
        CREATE INDEX runs_active ON runs (status) WHERE status IN ('created', 'queued', 'running');
        CREATE TABLE steps (
            step_id TEXT PRIMARY KEY,
            task_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
            step_order INTEGER NOT NULL,
            retry_index INTEGER NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            data JSONB NOT NULL
        );
        CREATE INDEX steps_task ON steps (task_id, step_order, retry_index);
        """,
    ),
    (
        "002_totp_codes",
        """
        CREATE TABLE totp_codes (
            id BIGSERIAL PRIMARY KEY,
            identifier TEXT NOT NULL,
            code TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
            used_at TIMESTAMPTZ
        );
        CREATE INDEX totp_codes_identifier ON totp_codes (identifier, created_at);
        """,
    ),
    (
        "003_workflows",
        """
        CREATE TABLE workflows (
            workflow_id TEXT PRIMARY KEY,
            created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
            data JSONB NOT NULL
        );
        """,
    ),
]


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise UsageError(
            "A postgresql:// store needs psycopg 3: pip install 'local-browser-agent[scale]' "
            "(or pip install 'psycopg[binary]')"
        ) from None
    return psycopg


class PostgresStore:
    """Runs, steps, 2FA codes and workflows in a PostgreSQL database.

    ``PostgresStore("postgresql://user@db-host/agent")``; ``lease_seconds`` is how long
    a run's owner may stay silent before others take it for dead (heartbeats come every
    quarter of it). Pushed 2FA codes are stamped by the database's clock, or by ``clock``
    when one is given (tests inject one to order codes without waiting).
    """

    def __init__(
        self,
        url: str,
        *,
        lease_seconds: float = 60.0,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.url = url
        self._clock = clock
        self.lease_seconds = lease_seconds
        self._psycopg = _psycopg()
        self._local = threading.local()
        self._connections: list[psycopg.Connection[Any]] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._heartbeat: threading.Thread | None = None
        self._stopping = threading.Event()
        self._migrate()

    # -- connections ---------------------------------------------------------------------------
    def _conn(self) -> psycopg.Connection[Any]:
        if os.getpid() != self._pid:  # forked: the parent's sockets are not ours to use
            self._local, self._connections, self._pid = threading.local(), [], os.getpid()
            self._heartbeat = None
        conn: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            try:
                conn = self._psycopg.connect(self.url, autocommit=True)
            except self._psycopg.OperationalError as exc:
                raise UsageError(
                    f"Cannot reach the PostgreSQL store at {redact_url(self.url)}: {exc}".strip()
                ) from exc
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _tx(self) -> Iterator[psycopg.Connection[Any]]:
        conn = self._conn()
        with conn.transaction():
            yield conn

    def _migrate(self) -> None:
        with self._tx() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS migrations "
                "(name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            done = {row[0] for row in conn.execute("SELECT name FROM migrations")}
            for name, sql in MIGRATIONS:
                if name not in done:
                    conn.execute(sql)
                    conn.execute("INSERT INTO migrations (name) VALUES (%s)", (name,))

    def close(self) -> None:
        self._stopping.set()
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    # -- runs ----------------------------------------------------------------------------------
    def create_run(self, run: TaskRun) -> None:
        owned = run.owner_pid is not None
        with self._tx() as conn:
            cursor = conn.execute(
                "INSERT INTO runs (run_id, status, created_at, owner_host, owner_pid, heartbeat_at,"
                " data) VALUES (%s, %s, %s, %s, %s, CASE WHEN %s THEN now() END, %s)"
                " ON CONFLICT (run_id) DO NOTHING",
                (
                    run.run_id,
                    run.status.value,
                    run.created_at,
                    HOST if owned else None,
                    run.owner_pid,
                    owned,
                    run.model_dump_json(),
                ),
            )
            if cursor.rowcount == 0:
                raise ValueError(f"run {run.run_id} already exists")
        if run.owner_pid == os.getpid():
            self._start_heartbeat()

    def _locked_run(self, conn: psycopg.Connection[Any], run_id: str) -> TaskRun:
        row = conn.execute(
            "SELECT data::text FROM runs WHERE run_id = %s FOR UPDATE", (run_id,)
        ).fetchone()
        if row is None:
            raise RunNotFoundError(f"No run with id {run_id!r}")
        return TaskRun.model_validate_json(row[0])

    def _save_run(self, conn: psycopg.Connection[Any], run: TaskRun) -> None:
        conn.execute(
            "UPDATE runs SET status = %s, data = %s WHERE run_id = %s",
            (run.status.value, run.model_dump_json(), run.run_id),
        )

    def get_run(self, run_id: str) -> TaskRun:
        row = (
            self._conn()
            .execute(
                f"SELECT data::text, {_DEAD} FROM runs WHERE run_id = %s",
                (*self._dead_args(), run_id),
            )
            .fetchone()
        )
        if row is None:
            raise RunNotFoundError(f"No run with id {run_id!r}")
        run = TaskRun.model_validate_json(row[0])
        if row[1] or self._dead_here(row[1:]):
            return self._fail_interrupted(run_id) or self.get_run(run_id)
        return run

    def update_run(self, run_id: str, status: RunStatus | None = None, **changes: Any) -> TaskRun:
        with self._tx() as conn:
            updated = apply_update(self._locked_run(conn, run_id), status, changes)
            self._save_run(conn, updated)
            return updated

    def claim_run(self, run_id: str, owner_pid: int) -> TaskRun | None:
        with self._tx() as conn:
            run = self._locked_run(conn, run_id)
            if run.status != RunStatus.queued:
                return None
            claimed = run.transition(RunStatus.running, owner_pid=owner_pid)
            self._save_run(conn, claimed)
            conn.execute(
                "UPDATE runs SET owner_host = %s, owner_pid = %s, heartbeat_at = now() "
                "WHERE run_id = %s",
                (HOST, owner_pid, run_id),
            )
        if owner_pid == os.getpid():
            self._start_heartbeat()
        return claimed

    def list_runs(self, page: int = 1, page_size: int = 10) -> list[TaskRun]:
        check_page(page, page_size)
        self.recover_interrupted()
        rows = self._conn().execute(
            "SELECT data::text FROM runs ORDER BY created_at DESC, run_id DESC LIMIT %s OFFSET %s",
            (page_size, (page - 1) * page_size),
        )
        return [TaskRun.model_validate_json(row[0]) for row in rows]

    # -- liveness ------------------------------------------------------------------------------
    def _dead_args(self) -> tuple[Any, ...]:
        return (_ACTIVE, self.lease_seconds, _ACTIVE)

    def _dead_here(self, columns: tuple[Any, ...]) -> bool:
        """Owner on this host whose process is gone (``columns``: stale, host, pid, active)."""
        _stale, host, pid, active = columns
        return bool(active and host == HOST and not process_alive(pid))

    def recover_interrupted(self) -> int:
        """Fail the runs whose owner is gone; returns how many were fixed."""
        rows = (
            self._conn()
            .execute(
                f"SELECT run_id, {_DEAD} FROM runs WHERE status = ANY(%s) AND owner_host IS NOT NULL",
                (*self._dead_args(), _ACTIVE),
            )
            .fetchall()
        )
        dead = [row[0] for row in rows if row[1] or self._dead_here(row[1:])]
        return sum(self._fail_interrupted(run_id) is not None for run_id in dead)

    def _fail_interrupted(self, run_id: str) -> TaskRun | None:
        with self._tx() as conn:
            run = self._locked_run(conn, run_id)
            owner = conn.execute(
                "SELECT owner_host, owner_pid, heartbeat_at FROM runs WHERE run_id = %s", (run_id,)
            ).fetchone()
            if run.status not in ACTIVE_STATUSES:
                return None
            assert owner is not None  # _locked_run found and locked this row
            host, pid, beat = owner
            reason = (
                f"Run interrupted: the process running it (pid {pid} on {host}) stopped before "
                f"it finished (last heartbeat {beat:%Y-%m-%d %H:%M:%S} UTC). Start the task again."
            )
            rows = conn.execute(
                "SELECT data::text FROM steps WHERE task_id = %s FOR UPDATE", (run_id,)
            ).fetchall()
            for (data,) in rows:
                step = Step.model_validate_json(data)
                if step.status in (StepStatus.created, StepStatus.running):
                    self._upsert_step(
                        conn, step.transition(StepStatus.failed, failure_reason=reason)
                    )
            # step_count: only the run's ending writes it, and that never came
            failed = run.transition(RunStatus.failed, failure_reason=reason, step_count=len(rows))
            self._save_run(conn, failed)
            return failed

    def _start_heartbeat(self) -> None:
        with self._lock:
            if self._heartbeat is not None and self._heartbeat.is_alive():
                return
            self._heartbeat = threading.Thread(
                target=self._beat, name="agent-store-heartbeat", daemon=True
            )
            self._heartbeat.start()

    def _beat(self) -> None:
        """Refresh the heartbeat of every active run this process owns, until closed."""
        pid = os.getpid()
        conn = self._psycopg.connect(self.url, autocommit=True)
        try:
            while not self._stopping.wait(self.lease_seconds / 4):
                if os.getpid() != pid:
                    return
                conn.execute(
                    "UPDATE runs SET heartbeat_at = now() "
                    "WHERE owner_host = %s AND owner_pid = %s AND status = ANY(%s)",
                    (HOST, pid, _ACTIVE),
                )
        except self._psycopg.Error:  # the next heartbeat thread starts with the next run
            return
        finally:
            conn.close()

    # -- steps ---------------------------------------------------------------------------------
    def save_step(self, step: Step) -> None:
        with self._tx() as conn:
            if (
                conn.execute("SELECT 1 FROM runs WHERE run_id = %s", (step.task_id,)).fetchone()
                is None
            ):
                raise RunNotFoundError(f"No run with id {step.task_id!r}")
            self._upsert_step(conn, step)

    def _upsert_step(self, conn: psycopg.Connection[Any], step: Step) -> None:
        conn.execute(
            "INSERT INTO steps (step_id, task_id, step_order, retry_index, created_at, data) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (step_id) DO UPDATE SET "
            "step_order = excluded.step_order, retry_index = excluded.retry_index, "
            "data = excluded.data",
            (
                step.step_id,
                step.task_id,
                step.order,
                step.retry_index,
                step.created_at,
                step.model_dump_json(),
            ),
        )

    def list_steps(self, run_id: str) -> list[Step]:
        conn = self._conn()
        if conn.execute("SELECT 1 FROM runs WHERE run_id = %s", (run_id,)).fetchone() is None:
            raise RunNotFoundError(f"No run with id {run_id!r}")
        rows = conn.execute(
            "SELECT data::text FROM steps WHERE task_id = %s "
            "ORDER BY step_order, retry_index, created_at",
            (run_id,),
        )
        return [Step.model_validate_json(row[0]) for row in rows]

    # -- pushed 2FA codes ----------------------------------------------------------------------
    def add_totp_code(self, identifier: str, code: str) -> None:
        self._conn().execute(
            "INSERT INTO totp_codes (identifier, code, created_at) "
            "VALUES (%s, %s, COALESCE(%s::timestamptz, clock_timestamp()))",
            (identifier, code, self._clock() if self._clock is not None else None),
        )

    def take_totp_code(self, identifier: str, since: datetime) -> str | None:
        row = (
            self._conn()
            .execute(
                "UPDATE totp_codes SET used_at = now() WHERE id = ("
                " SELECT id FROM totp_codes WHERE identifier = %s AND used_at IS NULL"
                " AND created_at > %s ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"
                ") RETURNING code",
                (identifier, since),
            )
            .fetchone()
        )
        return None if row is None else str(row[0])

    # -- workflows -----------------------------------------------------------------------------
    def save_workflow(self, workflow_id: str, data: Workflow | Mapping[str, Any]) -> None:
        self._conn().execute(
            "INSERT INTO workflows (workflow_id, data) VALUES (%s, %s) "
            "ON CONFLICT (workflow_id) DO UPDATE SET data = excluded.data",
            (workflow_id, workflow_json(data)),
        )

    def get_workflow(self, workflow_id: str) -> Workflow:
        row = (
            self._conn()
            .execute("SELECT data::text FROM workflows WHERE workflow_id = %s", (workflow_id,))
            .fetchone()
        )
        if row is None:
            raise RunNotFoundError(f"No workflow with id {workflow_id!r}")
        return Workflow.model_validate_json(row[0])

    def list_workflows(self) -> list[Workflow]:
        rows = self._conn().execute(
            "SELECT data::text FROM workflows ORDER BY created_at DESC, workflow_id DESC"
        )
        return [Workflow.model_validate_json(row[0]) for row in rows]

    def delete_workflow(self, workflow_id: str) -> None:
        cursor = self._conn().execute(
            "DELETE FROM workflows WHERE workflow_id = %s", (workflow_id,)
        )
        if cursor.rowcount == 0:
            raise RunNotFoundError(f"No workflow with id {workflow_id!r}")


_DEAD = (
    "(status = ANY(%s) AND owner_host IS NOT NULL "
    "AND heartbeat_at < now() - make_interval(secs => %s)), owner_host, owner_pid, "
    "status = ANY(%s)"
)
"""Columns telling whether a run's owner is gone: stale heartbeat, then who owns it."""
