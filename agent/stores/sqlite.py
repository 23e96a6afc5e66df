"""A store in one SQLite file, shared safely by threads and by processes.

Design: each table keeps a few indexed columns for lookups and ordering, and the
whole pydantic model as JSON in ``data``, so the file stays readable with any SQLite
tool and models can grow fields without a migration. Migrations are append-only and
named; the ``migrations`` table records which ran. The file uses WAL so readers never
block the writer; every write is one short ``BEGIN IMMEDIATE`` transaction, and each
thread has its own connection.

Runs left ``created``/``queued``/``running`` by a process that is gone are marked
``failed`` with a reason saying they were interrupted, when the store opens and when
runs are read; the step that was running when the process died ends ``failed`` with
the same reason. Runs read back are not validated again (``context=STORED``): their
request was checked once, when the run was created.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any

from agent.records.errors import RunNotFoundError
from agent.records.runs import RunStatus, Step, StepStatus, TaskRun, utcnow
from agent.records.validation import STORED
from agent.records.workflows import Workflow
from agent.stores.base import (
    ACTIVE_STATUSES,
    apply_update,
    check_page,
    claimed,
    interrupted_reason,
    process_alive,
    workflow_json,
)

MIGRATIONS: list[tuple[str, str]] = [
    (
        "001_runs_and_steps",
        """
        CREATE TABLE runs (
            run_id TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            created_at TEXT NOT NULL,
            data TEXT NOT NULL
        );
        CREATE INDEX runs_created ON runs (created_at DESC, run_id DESC);
        CREATE INDEX runs_status ON runs (status);
        CREATE TABLE steps (
            step_id TEXT PRIMARY KEY,
            task_id TEXT NOT NULL REFERENCES runs (run_id),
            step_order INTEGER NOT NULL,
            retry_index INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            data TEXT NOT NULL
        );
        CREATE INDEX steps_task ON steps (task_id, step_order, retry_index);
        """,
    ),
    (
        "002_totp_codes",
        """
        CREATE TABLE totp_codes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            identifier TEXT NOT NULL,
            code TEXT NOT NULL,
            created_at TEXT NOT NULL,
            used_at TEXT
        );
        CREATE INDEX totp_codes_identifier ON totp_codes (identifier, created_at);
        """,
    ),
    (
        "003_workflows",
        """
        CREATE TABLE workflows (
            workflow_id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            data TEXT NOT NULL
        );
        """,
    ),
]


class SQLiteStore:
    """Runs and steps in a SQLite file.

    ``clock`` stamps pushed 2FA codes, as in :class:`~agent.stores.memory.MemoryStore`.

    >>> store = SQLiteStore(":memory:")
    >>> store.list_runs(page=1, page_size=5)
    []
    """

    def __init__(self, path: str | Path, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.path = str(path)
        self._clock = clock
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._migrate()
        self.recover_interrupted()

    # -- connections -------------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self.path == ":memory:" and self._connections:
                conn = self._connections[0]  # one shared in-memory database
            else:
                conn = sqlite3.connect(
                    self.path, timeout=30, isolation_level=None, check_same_thread=False
                )
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA busy_timeout=30000")
                with self._lock:
                    self._connections.append(conn)
            self._local.conn = conn
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        with self._lock if self.path == ":memory:" else nullcontext():
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _migrate(self) -> None:
        with self._write() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
            )
            done = {row[0] for row in conn.execute("SELECT name FROM migrations")}
            for name, sql in MIGRATIONS:
                if name in done:
                    continue
                for statement in filter(str.strip, sql.split(";")):
                    conn.execute(statement)
                conn.execute("INSERT INTO migrations VALUES (?, ?)", (name, utcnow().isoformat()))

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    # -- runs ----------------------------------------------------------------------------------
    def create_run(self, run: TaskRun) -> None:
        with self._write() as conn:
            try:
                conn.execute(
                    "INSERT INTO runs (run_id, status, created_at, data) VALUES (?, ?, ?, ?)",
                    (
                        run.run_id,
                        run.status.value,
                        run.created_at.isoformat(),
                        run.model_dump_json(),
                    ),
                )
            except sqlite3.IntegrityError:
                raise ValueError(f"run {run.run_id} already exists") from None

    def _load_run(self, conn: sqlite3.Connection, run_id: str) -> TaskRun:
        row = conn.execute("SELECT data FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        if row is None:
            raise RunNotFoundError(f"No run with id {run_id!r}")
        return TaskRun.model_validate_json(row[0], context=STORED)

    def _save_run(self, conn: sqlite3.Connection, run: TaskRun) -> None:
        conn.execute(
            "UPDATE runs SET status = ?, data = ? WHERE run_id = ?",
            (run.status.value, run.model_dump_json(), run.run_id),
        )

    def get_run(self, run_id: str) -> TaskRun:
        run = self._load_run(self._conn(), run_id)
        if run.status in ACTIVE_STATUSES and not process_alive(run.owner_pid):
            self.recover_interrupted()
            run = self._load_run(self._conn(), run_id)
        return run

    def update_run(self, run_id: str, status: RunStatus | None = None, **changes: Any) -> TaskRun:
        with self._write() as conn:
            updated = apply_update(self._load_run(conn, run_id), status, changes)
            self._save_run(conn, updated)
            return updated

    def claim_run(self, run_id: str, owner_pid: int) -> TaskRun | None:
        with self._write() as conn:
            run = claimed(self._load_run(conn, run_id), owner_pid)
            if run is not None:
                self._save_run(conn, run)
            return run

    def list_runs(self, page: int = 1, page_size: int = 10) -> list[TaskRun]:
        check_page(page, page_size)
        self.recover_interrupted()
        rows = self._conn().execute(
            "SELECT data FROM runs ORDER BY created_at DESC, run_id DESC LIMIT ? OFFSET ?",
            (page_size, (page - 1) * page_size),
        )
        return [TaskRun.model_validate_json(row[0], context=STORED) for row in rows]

    def recover_interrupted(self) -> int:
        """Fail runs whose owning process is gone; returns how many were fixed."""
        placeholders = ",".join("?" for _ in ACTIVE_STATUSES)
        rows = (
            self._conn()
            .execute(
                f"SELECT data FROM runs WHERE status IN ({placeholders})",
                [s.value for s in ACTIVE_STATUSES],
            )
            .fetchall()
        )
        dead = [
            r.run_id
            for r in (TaskRun.model_validate_json(row[0], context=STORED) for row in rows)
            if not process_alive(r.owner_pid)
        ]
        for run_id in dead:
            with self._write() as conn:
                run = self._load_run(conn, run_id)
                if run.status in ACTIVE_STATUSES:
                    reason = interrupted_reason(run.owner_pid)
                    steps = self._fail_open_steps(conn, run_id, reason)
                    failed = run.transition(
                        RunStatus.failed, failure_reason=reason, step_count=steps
                    )
                    self._save_run(conn, failed)
        return len(dead)

    def _fail_open_steps(self, conn: sqlite3.Connection, run_id: str, reason: str) -> int:
        """The step the dead process was in the middle of ends failed, with the run's cause.

        Returns how many steps the run has (its ``step_count``, which only the run's
        ending would have written)."""
        rows = conn.execute("SELECT data FROM steps WHERE task_id = ?", (run_id,)).fetchall()
        for (data,) in rows:
            step = Step.model_validate_json(data)
            if step.status in (StepStatus.created, StepStatus.running):
                ended = step.transition(StepStatus.failed, failure_reason=reason)
                conn.execute(
                    "UPDATE steps SET data = ? WHERE step_id = ?",
                    (ended.model_dump_json(), ended.step_id),
                )
        return len(rows)

    # -- steps ---------------------------------------------------------------------------------
    def save_step(self, step: Step) -> None:
        with self._write() as conn:
            self._load_run(conn, step.task_id)
            conn.execute(
                "INSERT OR REPLACE INTO steps (step_id, task_id, step_order, retry_index, "
                "created_at, data) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    step.step_id,
                    step.task_id,
                    step.order,
                    step.retry_index,
                    step.created_at.isoformat(),
                    step.model_dump_json(),
                ),
            )

    def list_steps(self, run_id: str) -> list[Step]:
        conn = self._conn()
        self._load_run(conn, run_id)
        rows = conn.execute(
            "SELECT data FROM steps WHERE task_id = ? ORDER BY step_order, retry_index, created_at",
            (run_id,),
        )
        return [Step.model_validate_json(row[0]) for row in rows]

    # -- pushed 2FA codes ----------------------------------------------------------------------
    def add_totp_code(self, identifier: str, code: str) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO totp_codes (identifier, code, created_at) VALUES (?, ?, ?)",
                (identifier, code, self._clock().isoformat()),
            )

    def take_totp_code(self, identifier: str, since: datetime) -> str | None:
        with self._write() as conn:
            row = conn.execute(
                "SELECT id, code FROM totp_codes WHERE identifier = ? AND used_at IS NULL "
                "AND created_at > ? ORDER BY created_at, id LIMIT 1",
                (identifier, since.isoformat()),
            ).fetchone()
            if row is None:
                return None
            conn.execute(
                "UPDATE totp_codes SET used_at = ? WHERE id = ?",
                (self._clock().isoformat(), row[0]),
            )
            return str(row[1])

    # -- workflows -----------------------------------------------------------------------------
    def save_workflow(self, workflow_id: str, data: Workflow | Mapping[str, Any]) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO workflows (workflow_id, created_at, data) VALUES (?, ?, ?) "
                "ON CONFLICT (workflow_id) DO UPDATE SET data = excluded.data",
                (workflow_id, utcnow().isoformat(), workflow_json(data)),
            )

    def get_workflow(self, workflow_id: str) -> Workflow:
        row = (
            self._conn()
            .execute("SELECT data FROM workflows WHERE workflow_id = ?", (workflow_id,))
            .fetchone()
        )
        if row is None:
            raise RunNotFoundError(f"No workflow with id {workflow_id!r}")
        return Workflow.model_validate_json(row[0])

    def list_workflows(self) -> list[Workflow]:
        rows = self._conn().execute(
            "SELECT data FROM workflows ORDER BY created_at DESC, workflow_id DESC"
        )
        return [Workflow.model_validate_json(row[0]) for row in rows]

    def delete_workflow(self, workflow_id: str) -> None:
        with self._write() as conn:
            if (
                conn.execute("DELETE FROM workflows WHERE workflow_id = ?", (workflow_id,)).rowcount
                == 0
            ):
                raise RunNotFoundError(f"No workflow with id {workflow_id!r}")
