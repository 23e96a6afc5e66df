"""Fake providers and Agents pointed at them through litellm's own providers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from agent import Agent
from agent.fake_providers import FakeOllama, FakeOpenAI, FakeProvider

PROVIDERS = {"openai": FakeOpenAI, "ollama_chat": FakeOllama, "ollama": FakeOllama}


@pytest.fixture
def provider_agent(tmp_path) -> Iterator[Callable[..., tuple[Agent, FakeProvider]]]:
    """``make(kind, policy, **agent_options)``: a fake provider of ``kind`` and an Agent on it."""
    opened: list[Any] = []

    def make(
        kind: str, policy: Any, *, model: str | None = None, **options: Any
    ) -> tuple[Agent, FakeProvider]:
        server = PROVIDERS[kind](policy).start()
        opened.append(server)
        wiring = (
            server.agent_kwargs(model, provider=kind)
            if isinstance(server, FakeOllama)
            else server.agent_kwargs(model)
        )
        wiring["llm_options"] = {**wiring.get("llm_options", {}), **options.pop("llm_options", {})}
        options.setdefault("record_video", False)
        agent = Agent(**wiring, data_dir=tmp_path, progress=False, **options)
        opened.append(agent)
        return agent, server

    yield make
    for thing in reversed(opened):
        thing.close() if isinstance(thing, Agent) else thing.stop()
