"""The runner records every ending, even when an engine misbehaves."""

from __future__ import annotations

from agent import Agent, RunStatus
from agent.records.runs import build_request
from agent.run.run_context import Outcome, RunContext
from agent.testing import offline_llm


def test_an_invalid_engine_outcome_still_ends_the_run_failed(tmp_path, server):
    async def broken_engine(ctx: RunContext) -> Outcome:
        return Outcome(RunStatus.failed)  # no failure_reason: not a legal ending

    async def crashing_engine(ctx: RunContext) -> Outcome:
        raise RuntimeError("boom")

    with Agent(llm=offline_llm(), data_dir=tmp_path, record_video=False) as agent:
        request = build_request(prompt="anything", url=server.url("/products/"))
        run = agent.run_request(request, engine=broken_engine)
        assert run.status == RunStatus.failed
        assert run.failure_reason.startswith("Internal error: the engine ended the run invalidly")
        run = agent.run_request(request, engine=crashing_engine)
        assert run.status == RunStatus.failed
        assert run.failure_reason == "Unexpected error: RuntimeError: boom"
