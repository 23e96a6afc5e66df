"""One process of this library for ``vs_browser_use.py``: run the form task N times, print JSON.

The model is ``openai/stand-in`` at BASE_URL: the benchmark's instant OpenAI-compatible
stand-in on 127.0.0.1 (``openai_standin.py``), reached over HTTP through litellm's own
OpenAI provider, as browser-use reaches its stand-in. The stand-in answers from the
messages alone (``form_task.ours_answer``) and keeps them, so the driver counts calls and
tokens for both libraries the same way (one process at a time talks to it: the calls it
serves with no task header are this process's).

    python ours_side.py URL ENGINE BASE_URL [TASKS]

``BENCH_VIDEO=1`` keeps the run recording on (this library's default); the benchmark turns
it off, as browser-use records nothing by default.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()
ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "bench")]

from form_task import GOAL, SCHEMA  # noqa: E402

from agent import Agent  # noqa: E402


def main() -> None:
    url, engine, base_url = sys.argv[1], sys.argv[2], sys.argv[3]
    tasks = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    with Agent(
        llm="openai/stand-in",  # a name litellm has no vision for: text only, as browser-use's
        llm_base_url=base_url,
        llm_options={"api_key": "stand-in"},
        progress=False,
        record_video=os.environ.get("BENCH_VIDEO") == "1",
    ) as agent:
        for number in range(1, tasks + 1):
            started = time.perf_counter()
            run = agent.run_task(GOAL, url, SCHEMA, engine=engine)
            print(
                json.dumps(
                    {
                        "task": number,
                        "seconds": time.perf_counter() - started,
                        "since_start": time.perf_counter() - STARTED,
                        "success": run.status.value == "completed",
                        "result": run.output,
                        "failure_reason": run.failure_reason,
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
