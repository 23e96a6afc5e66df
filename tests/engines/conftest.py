"""Fixtures for the engine tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from agent import Agent


@pytest.fixture
def agent_for(tmp_path) -> Iterator[Callable[..., Agent]]:
    """Make Agents on ``tmp_path`` (no video unless asked), closed after the test."""
    agents: list[Agent] = []

    def make(llm: Any, **options: Any) -> Agent:
        options.setdefault("record_video", False)
        agent = Agent(llm=llm, data_dir=tmp_path, progress=False, **options)
        agents.append(agent)
        return agent

    yield make
    for agent in agents:
        agent.close()
