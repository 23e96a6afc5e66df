"""Engines are registered units: the core knows them by their spec, a third party adds one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agent import Agent, RunStatus
from agent.engine_registry import (
    REPLAY_ENGINE,
    EngineSpec,
    engine_for,
    engine_names,
    engine_spec,
    register_engine,
    unregister_engine,
)
from agent.records.errors import InvalidRequestError
from agent.records.runs import build_request
from agent.run.run_context import Outcome, RunContext
from agent.testing import offline_llm
from agent.ui.progress import step_budget

PLUGIN = "third-party-0.1"


async def run_plugin(ctx: RunContext) -> Outcome:
    """A third party's engine: it opens the start page and completes with its title."""
    await ctx.page.goto(str(ctx.request.url))
    return Outcome(RunStatus.completed, output={"title": await ctx.page.title()})


@pytest.fixture
def plugin() -> Iterator[EngineSpec]:
    spec = register_engine(
        EngineSpec(
            name=PLUGIN,
            run_type="task_plugin",
            id_prefix="tpl",
            default_max_steps=4,
            entry_point=f"{__name__}:run_plugin",
        )
    )
    yield spec
    unregister_engine(PLUGIN)


def test_the_built_in_engines_are_registered_by_the_engines_package():
    assert engine_names()[:2] == ["skyvern-1.0", "skyvern-2.0"]
    v1, v2 = engine_spec("skyvern-1.0"), engine_spec("skyvern-2.0")
    assert (v1.run_type, v1.id_prefix, v1.default_max_steps) == ("task_v1", "tsk", 10)
    assert (v2.run_type, v2.id_prefix, v2.default_max_steps) == ("task_v2", "tsk_v2", 25)
    assert engine_for("skyvern-1.0").__module__ == "engines.v1"
    replay = engine_spec(REPLAY_ENGINE)
    assert not replay.requestable and REPLAY_ENGINE not in engine_names()
    assert engine_for(REPLAY_ENGINE).__name__ == "run_replay"


def test_a_request_names_only_requestable_engines():
    with pytest.raises(InvalidRequestError, match="unknown engine 'workflow-replay'"):
        build_request(prompt="x", url="http://127.0.0.1/", engine=REPLAY_ENGINE)
    assert build_request(prompt="x", engine="skyvern-1.0").run_type == "task_v1"


def test_a_taken_name_is_not_silently_replaced(plugin: EngineSpec):
    assert register_engine(plugin) is plugin  # the same spec again: nothing happens
    other = EngineSpec(name=PLUGIN, entry_point="engines.v1:run_v1", run_type="task_v1")
    with pytest.raises(ValueError, match="give both run_type and id_prefix"):
        register_engine(other)
    with pytest.raises(ValueError, match="already registered"):
        register_engine(EngineSpec(name=PLUGIN, entry_point="engines.v1:run_v1"))


def test_an_entry_point_that_does_not_load_says_which_engine(plugin: EngineSpec):
    broken = EngineSpec(name="broken", entry_point="no_such_module:run")
    with pytest.raises(LookupError, match="engine 'broken': cannot load"):
        broken.load()


def test_a_third_party_engine_runs_like_a_built_in_one(plugin: EngineSpec, tmp_path, server):
    request = build_request(prompt="Read the title", url=server.url("/products/"), engine=PLUGIN)
    assert request.run_type == "task_plugin"
    with Agent(llm=offline_llm(), data_dir=tmp_path, record_video=False) as agent:
        run = agent.run_task("Read the title", server.url("/products/"), engine=PLUGIN)
    assert run.status == RunStatus.completed, run.failure_reason
    assert run.run_id.startswith("tpl_") and run.run_type == "task_plugin"
    assert run.output == {"title": "Products | Acme Hardware"}
    assert step_budget(run) == 4  # progress reads the engine's default budget from its spec
