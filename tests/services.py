"""Real PostgreSQL and Redis servers for the tests, started in temporary directories.

Each server listens on 127.0.0.1 on a free port, keeps its files in a temporary
directory, and is stopped when the test session ends. A small watchdog process stops
it too if the test process dies without cleaning up (a killed pytest must not leave a
database behind). PostgreSQL refuses to run as root, so as root its ``initdb`` and
server run as the ``postgres`` user (``subprocess`` switches user in the child, which
keeps the server's pid the one we started and can stop).

Where the binaries are missing the fixtures skip with the reason and the exact command
that installs them, except in CI (``CI=true``), where a missing server is a failure.
``make test`` installs them first where it can (``agent.browser.lifecycle.setup --servers``).

    def test_something(postgres_url, redis_url): ...
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from agent.browser.lifecycle.setup import SERVER_PACKAGES, manual_command, postgres_bin

PG_BIN = postgres_bin() or Path("/usr/lib/postgresql/<version>/bin")
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
INITDB = ["-E", "UTF8", "--locale=C", "--no-sync"]
PG_OPTIONS = [
    "-h",
    "127.0.0.1",
    "-c",
    "fsync=off",
    "-c",
    "synchronous_commit=off",
    "-c",
    "full_page_writes=off",
]
PG_OPTIONS += ["-c", "max_connections=200"]
REDIS_OPTIONS = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"]

_WATCHDOG = """
import os, shutil, signal, sys, time
parent, child, sig = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
directory = sys.argv[4] if len(sys.argv) > 4 else None
def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
while alive(child):
    if not alive(parent) or os.getppid() != parent:
        os.kill(child, sig)
        for _ in range(100):
            if not alive(child):
                break
            time.sleep(0.1)
        if alive(child):
            os.kill(child, signal.SIGKILL)
        if directory:
            time.sleep(1)
            shutil.rmtree(directory, ignore_errors=True)
        break
    time.sleep(1)
"""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def missing(what: str) -> None:
    """Skip for a developer without ``what``; fail in CI, where it must be installed."""
    message = (
        f"{what} is not installed: run `{manual_command(SERVER_PACKAGES)}` "
        "(Debian/Ubuntu; `make test` does it itself as root or with passwordless sudo)"
    )
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI must have it: {message}")
    pytest.skip(message)


def _watch(pid: int, sig: int, directory: Path | None = None) -> subprocess.Popen[bytes]:
    extra = [str(directory)] if directory is not None else []
    return subprocess.Popen(
        [sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(pid), str(sig), *extra],
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], log: Path, what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on port {port} within 30 s: {log.read_text()}")


def _wait_for_connection(server: Postgres, log: Path) -> None:
    """The port opens before the server takes connections ("starting up"): wait for that."""
    import psycopg

    deadline = time.monotonic() + 60
    while True:
        try:
            psycopg.connect(server.url(), connect_timeout=5).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline or server.proc.poll() is not None:
                raise RuntimeError(f"postgres takes no connections: {log.read_text()}") from None
            time.sleep(0.2)


@dataclass
class Server:
    """A server process we started, its watchdog and its directory."""

    proc: subprocess.Popen[bytes]
    watchdog: subprocess.Popen[bytes]
    directory: Path
    port: int
    stop_signal: int
    databases: list[str] = field(default_factory=list)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(self.stop_signal)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.watchdog.kill()
        self.watchdog.wait(5)
        shutil.rmtree(self.directory, ignore_errors=True)


@dataclass
class Postgres(Server):
    """A PostgreSQL cluster; :meth:`new_database` gives each test a clean database."""

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def start_postgres() -> Postgres:
    """initdb a cluster in a temporary directory and start it on a free 127.0.0.1 port."""
    if not (PG_BIN / "initdb").exists():
        missing(f"PostgreSQL ({PG_BIN}/initdb)")
    directory = Path(tempfile.mkdtemp(prefix="agent-pg-"))
    as_user: dict[str, str] = {}
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root
        shutil.chown(directory, "postgres", "postgres")
        as_user = {"user": "postgres", "group": "postgres"}
    data, log = directory / "data", directory / "server.log"
    subprocess.run(
        [str(PG_BIN / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres", *INITDB],
        check=True,
        capture_output=True,
        **as_user,  # type: ignore[arg-type]
    )
    port = free_port()
    command = [str(PG_BIN / "postgres"), "-D", str(data), "-k", str(directory), "-p", str(port)]
    command += PG_OPTIONS
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **as_user,  # type: ignore[arg-type]
        )
    import signal

    # immediate shutdown (SIGQUIT): the cluster is thrown away, no checkpoint needed
    server = Postgres(
        proc, _watch(proc.pid, signal.SIGQUIT, directory), directory, port, signal.SIGQUIT
    )
    try:
        _wait_for_port(port, proc, log, "postgres")
        _wait_for_connection(server, log)
    except BaseException:
        server.stop()
        raise
    return server


def start_redis() -> Server:
    """A Redis server without persistence in a temporary directory, on a free port."""
    if not Path(REDIS_SERVER).exists():
        missing("redis-server")
    import signal

    directory = Path(tempfile.mkdtemp(prefix="agent-redis-"))
    port, log = free_port(), directory / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(port), "--dir", str(directory), *REDIS_OPTIONS],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(
        proc, _watch(proc.pid, signal.SIGTERM, directory), directory, port, signal.SIGTERM
    )
    try:
        _wait_for_port(port, proc, log, "redis-server")
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Postgres]:
    """One PostgreSQL cluster for the test session."""
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: Postgres) -> str:
    """A fresh, empty database on the session's cluster."""
    return postgres_server.new_database()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Server]:
    """One Redis server for the test session."""
    server = start_redis()
    yield server
    server.stop()


_redis_dbs = iter(range(1_000_000))


@pytest.fixture
def redis_url(redis_server: Server) -> str:
    """A Redis database of its own on the session's server (16 databases, reused in turn)."""
    return redis_server_url(redis_server)


def redis_server_url(server: Server) -> str:
    """The next of the server's 16 databases, emptied."""
    import redis

    url = f"redis://127.0.0.1:{server.port}/{next(_redis_dbs) % 16}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


def watch(pid: int, sig: int) -> subprocess.Popen[bytes]:
    """A watchdog sending ``sig`` to ``pid`` (a negative pid: a process group) if we die."""
    return _watch(pid, sig)
