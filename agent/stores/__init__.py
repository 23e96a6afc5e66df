"""Run stores: one interface; memory, SQLite and PostgreSQL backends; :func:`open_store`.

May import: ``agent.records`` only.
"""

from agent.stores.base import RunStepStore, RunStore, TOTPCodeStore, WorkflowStore
from agent.stores.memory import MemoryStore
from agent.stores.open import open_store, shared_store
from agent.stores.sqlite import SQLiteStore

__all__ = [
    "MemoryStore",
    "RunStepStore",
    "RunStore",
    "SQLiteStore",
    "TOTPCodeStore",
    "WorkflowStore",
    "open_store",
    "shared_store",
]
