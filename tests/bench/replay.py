"""First agent run vs its workflow replay: wall time and model calls, per fixture task.

Each task runs once with an instant double (so the times are the framework's own, not a
model's), is published as a workflow, and is replayed ``repeats`` times with new
parameters. A warm-up run first launches the browser and imports litellm, so neither is
counted. With a real model every call saved is also seconds of model latency saved: the
``calls`` columns are the ones to multiply.

    .venv/bin/python tests/bench/replay.py [repeats]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from agent import Agent
from agent.testing import FunctionLLM, offline_llm
from fixtures_sites.server import FixtureServer
from tests.engines.policies import product_policy

SEED = "Apply for a job on behalf of this person: name: Chris P Bacon. email: chris@pbacon.com"
SEED_SCHEMA = {"application_success": {"type": "boolean"}}
PRODUCTS = {
    "type": "object",
    "properties": {
        "products": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "price": {"type": "number"}},
            },
        }
    },
}
ADA = {"name": "Ada Lovelace", "email": "ada@example.com"}
# label, engine, path, prompt, schema, replay parameters, model policy (None: offline policy)
TASKS: list[tuple[str, str, str, str, Any, dict[str, str], Any]] = [
    ("job application (1.0)", "skyvern-1.0", "/lever/apply", SEED, None, ADA, None),
    ("job application + schema (1.0)", "skyvern-1.0", "/lever/apply", SEED, SEED_SCHEMA, ADA, None),
    ("job application + schema (2.0)", "skyvern-2.0", "/lever/apply", SEED, SEED_SCHEMA, ADA, None),
    (
        "login (1.0)",
        "skyvern-1.0",
        "/login/",
        "Log in. username: demo. password: correct-horse-battery",
        None,
        {"password": "correct-horse-battery"},
        None,
    ),
    (
        "product list extraction (1.0)",
        "skyvern-1.0",
        "/products/",
        "List the products on this page with their prices",
        PRODUCTS,
        {},
        product_policy,
    ),
]


MODEL_SECONDS = 2.0
"""A typical planning call of a hosted model (peers.md section 9: 60-80% of a 3-5 s step)."""


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    header = (
        f"{'task':<32} {'run ms':>7} {'calls':>5} {'replay ms':>9} {'calls':>5} "
        f"{'speed-up':>8} {'at 2 s/call':>11}"
    )
    print(header)
    print("-" * len(header))
    totals: list[tuple[float, float, int, int]] = []
    with FixtureServer(max_lifetime=900) as server:
        for label, engine, path, prompt, schema, params, policy in TASKS:
            llm = FunctionLLM(policy) if policy else offline_llm()
            with Agent(
                llm=llm, data_dir="/tmp/agent-bench-replay", progress=False, record_video=False
            ) as agent:
                agent.run_task(prompt, server.url(path), schema, engine=engine)  # warm-up
                run_ms, run_calls, replay_ms, replay_calls = [], [], [], []
                for _ in range(repeats):
                    started = time.perf_counter()
                    run = agent.run_task(
                        prompt, server.url(path), schema, engine=engine, publish_workflow=True
                    )
                    run_ms.append((time.perf_counter() - started) * 1000)
                    assert run.status.value == "completed", run.failure_reason
                    assert run.workflow_id, run.errors
                    run_calls.append(run.llm_calls)
                    started = time.perf_counter()
                    replay = agent.run_workflow(run.workflow_id, params)
                    replay_ms.append((time.perf_counter() - started) * 1000)
                    assert replay.status.value == "completed", replay.failure_reason
                    replay_calls.append(replay.llm_calls)
            row = (
                statistics.median(run_ms),
                statistics.median(replay_ms),
                max(run_calls),
                max(replay_calls),
            )
            totals.append(row)
            _print_row(label, *row)
    print("-" * len(header))
    _print_row("all tasks", *(sum(column) for column in zip(*totals, strict=True)))  # type: ignore[arg-type]


def _print_row(
    label: str, run_ms: float, replay_ms: float, run_calls: int, replay_calls: int
) -> None:
    slow = run_ms + run_calls * MODEL_SECONDS * 1000
    fast = replay_ms + replay_calls * MODEL_SECONDS * 1000
    print(
        f"{label:<32} {run_ms:>7.0f} {run_calls:>5} {replay_ms:>9.0f} {replay_calls:>5} "
        f"{run_ms / replay_ms:>7.1f}x {slow / fast:>10.1f}x"
    )


if __name__ == "__main__":
    main()
