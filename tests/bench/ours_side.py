"""One process of this library for ``vs_browser_use.py``: run the form task N times, print JSON.

The model is an instant stand-in that reads only the messages sent (a PromptLLM with
``form_task.ours_policy``). Each task's calls (purpose and messages) go to stdout as
JSON, so the driver counts tokens the same way for both libraries.

    python ours_side.py URL ENGINE [TASKS]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()
ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "bench")]

from form_task import GOAL, SCHEMA, ours_policy  # noqa: E402

from agent import Agent  # noqa: E402
from agent.testing import PromptLLM  # noqa: E402


def main() -> None:
    url, engine = sys.argv[1], sys.argv[2]
    tasks = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    llm = PromptLLM(ours_policy)
    with Agent(llm=llm, progress=False) as agent:
        for number in range(1, tasks + 1):
            started = time.perf_counter()
            before = len(llm.calls)
            run = agent.run_task(GOAL, url, SCHEMA, engine=engine)
            calls = [{"purpose": c.purpose, "messages": c.messages} for c in llm.calls[before:]]
            print(
                json.dumps(
                    {
                        "task": number,
                        "seconds": time.perf_counter() - started,
                        "since_start": time.perf_counter() - STARTED,
                        "success": run.status.value == "completed",
                        "result": run.output,
                        "failure_reason": run.failure_reason,
                        "calls": calls,
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
