"""What an engine is, and the engines this process knows: :class:`EngineSpec` and its registry.

An engine is an async function taking a :class:`~agent.run.run_context.RunContext` and
returning an :class:`~agent.run.run_context.Outcome`. The core never imports one: it knows an
engine by its :class:`EngineSpec` (name, run type, id prefix, default step budget) and
loads the function from the spec's ``entry_point`` string when a run needs it. So
``agent/`` does not depend on ``engines/``; ``engines/`` depends on ``agent/`` and
registers its engines here.

Where the specs come from, the first time one is looked up:

- the modules in :data:`BUILTIN_ENGINE_MODULES` (``engines``, which registers
  ``skyvern-1.0``, ``skyvern-2.0`` and the workflow replay), imported by name;
- every entry point of the group :data:`ENTRY_POINT_GROUP` of the installed
  distributions, loaded (a module that registers, or a function called to register);
- any :func:`register_engine` call made before the run.

A third party registers one the same way the built-ins do::

    # in my_package/engine.py
    from agent.records.engines import EngineSpec, register_engine

    register_engine(EngineSpec(name="my-engine", run_type="task_v1", id_prefix="tsk",
                               default_max_steps=5, entry_point="my_package.engine:run"))

and either imports that module before calling ``run_task(engine="my-engine")`` or declares
it in its ``pyproject.toml``::

    [project.entry-points."local_browser_agent.engines"]
    my-engine = "my_package.engine"
"""

from __future__ import annotations

import functools
import importlib
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.records.workflows import Workflow
    from agent.run.run_context import Outcome, RunContext

Engine = Callable[["RunContext"], Awaitable["Outcome"]]
"""An engine: ``async def run(ctx: RunContext) -> Outcome``."""

ENTRY_POINT_GROUP = "local_browser_agent.engines"
"""Entry-point group whose entries are loaded (so they register) before the first lookup."""
BUILTIN_ENGINE_MODULES = ("engines",)
"""Modules imported by name (never statically) before the first lookup; they register."""

REPLAY_ENGINE = "workflow-replay"
"""The engine that replays a published workflow (started by the core, not by ``engine=``)."""


@dataclass(frozen=True)
class EngineSpec:
    """One engine, as the core sees it.

    >>> spec = EngineSpec(name="demo", run_type="task_v1", id_prefix="tsk",
    ...                   default_max_steps=10, entry_point="engines.v1:run_v1")
    >>> spec.step_budget(None), spec.step_budget(3), spec.requestable
    (10, 3, True)
    """

    name: str
    """The ``engine`` request value (``skyvern-1.0``)."""
    entry_point: str
    """``"module:function"`` of the engine function, imported when a run needs it."""
    run_type: str | None = None
    """The run object's ``run_type`` (``task_v1``); None for an engine ``engine=`` cannot pick."""
    id_prefix: str | None = None
    """Prefix of its run ids (``tsk`` gives ``tsk_123...``)."""
    default_max_steps: int | None = None
    """Step budget when the request gives no ``max_steps``."""
    description: str = ""
    """One line for error messages and docs."""

    @property
    def requestable(self) -> bool:
        """Whether a request may ask for it with ``engine=`` (it has a run type and id prefix)."""
        return self.run_type is not None and self.id_prefix is not None

    def step_budget(self, max_steps: int | None) -> int:
        """``max_steps`` when given, else this engine's default (0 when it has none)."""
        return max_steps or self.default_max_steps or 0

    def load(self) -> Engine:
        """Import and return the engine function named by :attr:`entry_point`."""
        module_name, _, attribute = self.entry_point.partition(":")
        try:
            function: Engine = getattr(importlib.import_module(module_name), attribute)
        except (ImportError, AttributeError) as exc:
            raise LookupError(
                f"engine {self.name!r}: cannot load its entry point {self.entry_point!r}: {exc}"
            ) from exc
        return function


_specs: dict[str, EngineSpec] = {}
_lock = threading.RLock()
_discovered = False


def register_engine(spec: EngineSpec, *, replace: bool = False) -> EngineSpec:
    """Make ``spec`` known by its name; returns it.

    Registering the same spec again does nothing; a different spec under a taken name
    raises ``ValueError`` unless ``replace=True``.
    """
    if spec.requestable is False and (spec.run_type or spec.id_prefix):
        raise ValueError(f"engine {spec.name!r}: give both run_type and id_prefix, or neither")
    with _lock:
        known = _specs.get(spec.name)
        if known is not None and known != spec and not replace:
            raise ValueError(f"engine {spec.name!r} is already registered as {known}")
        _specs[spec.name] = spec
    return spec


def unregister_engine(name: str) -> None:
    """Forget the engine registered as ``name`` (a test's, a plug-in being unloaded)."""
    with _lock:
        _specs.pop(name, None)


def _discover() -> None:
    """Import the built-in engine modules and the entry points, once per process."""
    global _discovered
    with _lock:
        if _discovered:
            return
        _discovered = True  # set first: the imported modules look specs up while registering
        try:
            for name in BUILTIN_ENGINE_MODULES:
                importlib.import_module(name)
            from importlib.metadata import entry_points

            for entry in entry_points(group=ENTRY_POINT_GROUP):
                loaded: Any = entry.load()
                if callable(loaded):
                    loaded()
        except BaseException:
            _discovered = False  # the next lookup tries again (and raises again)
            raise


def engine_spec(name: str) -> EngineSpec:
    """The spec registered as ``name``; ``LookupError`` naming the known engines otherwise."""
    _discover()
    spec = _specs.get(name)
    if spec is None:
        raise LookupError(f"unknown engine {name!r}; use one of {', '.join(engine_names())}")
    return spec


def engine_names() -> list[str]:
    """The engines a request may name with ``engine=``, in registration order."""
    _discover()
    return [name for name, spec in _specs.items() if spec.requestable]


def engine_for(name: str) -> Engine:
    """The engine function registered as ``name``."""
    return engine_spec(name).load()


def replay_engine(workflow: Workflow, parameters: dict[str, str]) -> Engine:
    """The replay engine bound to one published workflow and its parameter values."""
    # Its entry point takes the workflow and the values as keywords beside the context.
    replay: Callable[..., Awaitable[Outcome]] = engine_for(REPLAY_ENGINE)
    return functools.partial(replay, workflow=workflow, parameters=parameters)
