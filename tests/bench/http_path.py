"""The HTTP path, measured: fixture tasks through litellm's OpenAI and Ollama providers.

Each fixture task (the lever job application, the products extraction, the login) runs on
both engines through a fake provider on 127.0.0.1 (``agent.fake_providers``), answered by
the messages-only policies of ``tests/providers/policies.py``. For each run it reports the
model calls, the input and output tokens the server reported in ``usage`` (checked against
the run's own counts), the cost litellm puts on them, and the run's wall time (browser,
page actions, prompts, HTTP round trips; the policy itself answers in microseconds). One
untimed warm-up run first imports litellm and launches the browser.

    .venv/bin/python tests/bench/http_path.py [repeats]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests.providers.policies

from agent import Agent, RunStatus
from agent.fake_providers import FakeOllama, FakeOpenAI, FakeProvider
from fixtures_sites.server import FixtureServer
from tests.providers.policies import TASKS, FixtureTask

PROVIDERS = (("openai/gpt-4o-mini", FakeOpenAI), ("ollama_chat/llama3.1", FakeOllama))
ENGINES = ("skyvern-1.0", "skyvern-2.0")


class Switch:
    """One policy slot, so one server and one Agent serve every task in turn."""

    def __init__(self) -> None:
        self.policy = TASKS[0].policy

    def __call__(self, prompt: object) -> object:
        return self.policy(prompt)  # type: ignore[arg-type]


def run_once(
    agent: Agent, provider: FakeProvider, site: FixtureServer, task: FixtureTask, engine: str
) -> dict:
    provider.reset()
    started = time.perf_counter()
    run = agent.run_task(task.goal, site.url(task.path), task.schema, engine=engine, max_steps=6)
    seconds = time.perf_counter() - started
    if run.status != RunStatus.completed:
        raise SystemExit(f"{task.name} on {engine}: {run.status} ({run.failure_reason})")
    tokens_in, tokens_out = provider.reported_tokens()
    assert (tokens_in, tokens_out) == (run.input_token_count, run.output_token_count)
    return {
        "calls": len(provider.model_calls()),
        "in": tokens_in,
        "out": tokens_out,
        "cost": run.total_cost,
        "seconds": seconds,
    }


def main(repeats: int) -> None:
    rows = []
    with FixtureServer() as site, tempfile.TemporaryDirectory() as data:
        for model, kind in PROVIDERS:
            switch = Switch()
            with kind(switch) as provider:
                wiring = provider.agent_kwargs(model.split("/", 1)[1])
                with Agent(**wiring, data_dir=data, record_video=False, progress=False) as agent:
                    run_once(agent, provider, site, TASKS[0], "skyvern-1.0")  # warm-up
                    for task in TASKS:
                        switch.policy = task.policy
                        for engine in ENGINES:
                            samples = [
                                run_once(agent, provider, site, task, engine)
                                for _ in range(repeats)
                            ]
                            rows.append((task.name, engine, model, samples))
    header = f"{'task':<20} {'engine':<12} {'provider':<21} {'calls':>5} {'in tok':>7} {'out tok':>7} {'cost $':>9} {'wall s':>7}"
    print(header)
    print("-" * len(header))
    for name, engine, model, samples in rows:
        first = samples[0]
        wall = statistics.median(s["seconds"] for s in samples)
        print(
            f"{name:<20} {engine:<12} {model:<21} {first['calls']:>5} {first['in']:>7} "
            f"{first['out']:>7} {first['cost']:>9.6f} {wall:>7.2f}"
        )
    print(f"\nwall time: median of {repeats} run(s) each; tokens as the server reported in usage")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
