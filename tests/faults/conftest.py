"""Fixtures for the fault suite: Agents with a short page timeout, closed after the test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agent import Agent

PAGE_TIMEOUT = 3.0
"""Seconds before the watchdog probes a slow page (short, so hangs end quickly here)."""


@pytest.fixture
def fault_agent(tmp_path: Path) -> Iterator[Callable[..., Agent]]:
    """Make Agents on ``tmp_path`` with a short page timeout and no video, closed afterwards."""
    agents: list[Agent] = []

    def make(llm: Any, **options: Any) -> Agent:
        options.setdefault("record_video", False)
        options.setdefault("page_timeout", PAGE_TIMEOUT)
        agent = Agent(llm=llm, data_dir=tmp_path, progress=False, **options)
        agents.append(agent)
        return agent

    yield make
    for agent in agents:
        agent.close()
