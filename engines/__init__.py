"""The planning loops: ``skyvern-1.0`` (:mod:`engines.v1`), ``skyvern-2.0`` (:mod:`engines.v2`)
and the workflow replay (:mod:`engines.replay`), registered with the core.

Importing this package only registers their :class:`~agent.records.engines.EngineSpec`
(the core imports it by name, :data:`~agent.records.engines.BUILTIN_ENGINE_MODULES`); the
engine modules themselves load when a run needs them.
"""

from __future__ import annotations

from agent.records.engines import REPLAY_ENGINE, EngineSpec, register_engine

V1 = register_engine(
    EngineSpec(
        name="skyvern-1.0",
        run_type="task_v1",
        id_prefix="tsk",
        default_max_steps=10,  # the hosted default
        entry_point="engines.v1:run_v1",
        description="one planning prompt in a loop of steps",
    )
)
V2 = register_engine(
    EngineSpec(
        name="skyvern-2.0",
        run_type="task_v2",
        id_prefix="tsk_v2",
        default_max_steps=25,  # across all blocks
        entry_point="engines.v2:run_v2",
        description="a planner of mini-goals, each run as a 1.0 loop, and a validator",
    )
)
REPLAY = register_engine(
    EngineSpec(
        name=REPLAY_ENGINE,
        entry_point="engines.replay:run_replay",
        description="a published workflow's actions, replayed (workflow=, parameters=)",
    )
)
