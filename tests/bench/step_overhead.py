"""Framework overhead per step: everything but the model's own time.

Runs fixture tasks with an instant model (the offline policy, answering in microseconds
through litellm) and reports the median wall time of a step, how much of it the page
actions themselves took (typing, clicking, waiting for the navigation they start), and
the rest: observing, the screenshot, building the prompt, the model round trip through
litellm, storing the step.

    .venv/bin/python tests/bench/step_overhead.py [repeats]
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")

from agent import Agent
from agent.testing import offline_llm
from fixtures_sites.server import FixtureServer

TASKS = [
    (
        "seed job application (1.0)",
        "skyvern-1.0",
        "/lever/apply",
        "Apply for a job on behalf of this person: name: Chris P Bacon. email: chris@pbacon.com",
        {"application_success": {"type": "boolean"}},
    ),
    (
        "seed job application (2.0)",
        "skyvern-2.0",
        "/lever/apply",
        "Apply for a job on behalf of this person: name: Chris P Bacon. email: chris@pbacon.com",
        {"application_success": {"type": "boolean"}},
    ),
    (
        "login (1.0)",
        "skyvern-1.0",
        "/login/",
        "Log in. username: demo. password: correct-horse-battery",
        None,
    ),
]


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    import litellm  # noqa: F401  - imported up front so no step pays for it

    print(
        f"{'task':<30} {'runs':>4} {'steps':>6} {'calls/run':>9} {'run ms':>8} "
        f"{'step ms':>8} {'actions ms':>10} {'rest ms':>8} {'llm ms/call':>11}"
    )
    all_steps: list[float] = []
    all_rest: list[float] = []
    with FixtureServer(max_lifetime=900) as server:
        for label, engine, path, prompt, schema in TASKS:
            llm = offline_llm()
            with Agent(llm=llm, data_dir="/tmp/agent-bench", progress=False) as agent:
                agent.run_task(prompt, server.url(path), schema, engine=engine)  # warm-up
                llm.calls.clear()
                run_ms, step_ms, action_ms, rest_ms, calls = [], [], [], [], []
                for _ in range(repeats):
                    started = time.perf_counter()
                    run = agent.run_task(prompt, server.url(path), schema, engine=engine)
                    run_ms.append((time.perf_counter() - started) * 1000)
                    assert run.status.value == "completed", run.failure_reason
                    steps = agent.list_steps(run.run_id)
                    for s in steps:
                        acted = sum(a.get("duration_ms", 0) for a in s.actions)
                        step_ms.append(s.duration_ms or 0)
                        action_ms.append(acted)
                        rest_ms.append((s.duration_ms or 0) - acted)
                    calls.append(run.llm_calls)
                all_steps += step_ms
                all_rest += rest_ms
                llm_ms = _llm_ms(llm)
                print(
                    f"{label:<30} {repeats:>4} {len(step_ms):>6} "
                    f"{statistics.mean(calls):>9.1f} {statistics.median(run_ms):>8.0f} "
                    f"{statistics.median(step_ms):>8.0f} {statistics.median(action_ms):>10.0f} "
                    f"{statistics.median(rest_ms):>8.0f} {llm_ms:>11.1f}"
                )
    print(
        f"\nmedian per step, all tasks: {statistics.median(all_steps):.0f} ms in all, "
        f"{statistics.median(all_rest):.0f} ms outside the page actions"
    )


def _llm_ms(llm: object) -> float:
    """Round trip of one call through agent.llm.call and litellm with an instant double."""
    import asyncio

    from agent.llm.call import LLMRequest, complete_json

    request = LLMRequest("verify", [{"role": "user", "content": "x" * 4000}], "goal")

    async def timed() -> float:
        started = time.perf_counter()
        for _ in range(20):
            await complete_json(llm.model_name, request)  # type: ignore[attr-defined]
        return (time.perf_counter() - started) * 1000 / 20

    return asyncio.run(timed())


if __name__ == "__main__":
    main()
