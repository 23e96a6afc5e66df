"""Run stores: one interface, an in-memory and a SQLite backend."""

from agent.stores.base import RunStore
from agent.stores.memory import MemoryStore
from agent.stores.sqlite import SQLiteStore

__all__ = ["MemoryStore", "RunStore", "SQLiteStore"]
