"""Store URLs: how ``Agent(store=...)`` and ``AGENT_STORE`` name a store.

| value                                   | store                                        |
|-----------------------------------------|----------------------------------------------|
| ``memory`` (the default)                | :class:`MemoryStore`, this process only      |
| ``sqlite``                              | ``agent.db`` in the data dir                 |
| ``sqlite:///relative.db``, ``sqlite:////abs/path.db`` | a SQLite file (SQLAlchemy's spelling) |
| a plain path (``runs.db``, ``/srv/agent.db``) | a SQLite file                          |
| ``postgresql://user:pw@host:5432/db``   | :class:`~agent.stores.postgres.PostgresStore` |

>>> open_store("memory", Path(".")).list_runs()
[]
>>> open_store("mysql://db/agent", Path("."))
Traceback (most recent call last):
...
agent.records.errors.InvalidRequestError: store: unknown store URL scheme 'mysql' ...
"""

from __future__ import annotations

import os
from pathlib import Path

from agent.records.errors import InvalidRequestError
from agent.stores.base import RunStore

_URL_HELP = "use memory, sqlite, sqlite:///path.db, a file path, or postgresql://user@host/db"


def open_store(store: RunStore | str | os.PathLike[str] | None, data_dir: Path) -> RunStore:
    """The store named by ``store`` (a path is a SQLite file; a store object is returned)."""
    from agent.stores.memory import MemoryStore
    from agent.stores.sqlite import SQLiteStore

    if store is None or store == "memory":
        return MemoryStore()
    if isinstance(store, os.PathLike):
        return _sqlite(Path(store))
    if not isinstance(store, str):
        return store
    if store == "sqlite":
        return _sqlite(data_dir / "agent.db")
    scheme, sep, rest = store.partition("://")
    if not sep:
        return _sqlite(Path(store))
    if scheme in ("postgresql", "postgres") or scheme.startswith("postgresql+"):
        from agent.stores.postgres import PostgresStore

        return PostgresStore("postgresql://" + rest)
    if scheme == "sqlite":
        path = rest.removeprefix("/")
        if not path:
            raise InvalidRequestError("store", f"{store!r} names no file; {_URL_HELP}")
        return SQLiteStore(path) if path == ":memory:" else _sqlite(Path(path))
    raise InvalidRequestError("store", f"unknown store URL scheme {scheme!r} ({_URL_HELP})")


def _sqlite(path: Path) -> RunStore:
    """A SQLite store at ``path``, or an error naming the file and the fix."""
    import sqlite3

    from agent.stores.sqlite import SQLiteStore

    try:
        return SQLiteStore(path)
    except (sqlite3.Error, OSError) as exc:
        raise InvalidRequestError(
            "store",
            f"cannot open the SQLite file {str(path)!r} ({exc}); give a path in a folder "
            "this process can write, or store='memory'",
        ) from None


def shared_store(store: RunStore) -> bool:
    """Whether other processes see what ``store`` holds (not so for memory)."""
    from agent.stores.memory import MemoryStore

    if isinstance(store, MemoryStore):
        return False
    return getattr(store, "path", None) != ":memory:"
