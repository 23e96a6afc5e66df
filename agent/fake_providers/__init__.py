"""Fake model servers on 127.0.0.1 that speak real provider protocols over HTTP.

A run pointed at one goes through litellm's own provider code, its HTTP client and the
wire format, exactly as with a hosted model or a local Ollama; only the answers come
from a policy of yours, ``policy(prompt)`` as for ``agent.testing.stand_ins.PromptLLM``: the
:class:`~agent.llm.prompt_reading.Prompt` holds what a model sees (the purpose, told from
the text since HTTP does not carry it; the messages; the images) and nothing else.

- :class:`FakeOpenAI`: ``POST /v1/chat/completions`` (JSON mode, image parts, ``usage``),
  ``GET /v1/models``. Reach it with ``openai/<model>`` and ``llm_base_url=server.base_url``.
- :class:`FakeOllama`: ``/api/chat``, ``/api/generate``, ``/api/tags``, ``/api/show``
  (``prompt_eval_count``/``eval_count``). Reach it with ``ollama_chat/<model>`` or
  ``ollama/<model>``.

Each records its calls (:attr:`FakeProvider.calls`: body, headers, the usage it reported)
and can inject faults (:class:`Fault`: 429 with ``Retry-After``, 5xx, a dropped
connection, a hang, an HTML body, JSON with the wrong keys)::

    def policy(prompt):
        if prompt.purpose == "plan":
            return {"actions": [{"action_type": "COMPLETE", "reason": "nothing to do"}]}
        return {"user_goal_achieved": True, "thoughts": "done"}

    with FakeOpenAI(policy) as server:
        server.inject(Fault.rate_limit(retry_after=1))
        with Agent(**server.agent_kwargs(), data_dir=tmp_path) as agent:
            run = agent.run_task("Look at the page", url, engine="skyvern-1.0")
        assert server.calls[0].status == 429

May import: ``agent.scale`` and everything below it (in practice ``agent.llm``'s
prompt reading and ``agent.records``' settings).
"""

from __future__ import annotations

from agent.fake_providers.base import FakeProvider, ProviderCall
from agent.fake_providers.faults import Fault
from agent.fake_providers.ollama import FakeOllama
from agent.fake_providers.openai import FakeOpenAI

__all__ = ["FakeOllama", "FakeOpenAI", "FakeProvider", "Fault", "ProviderCall"]
