"""One process of browser-use for ``vs_browser_use.py``: run the form task N times, print JSON.

Runs in the benchmark's own browser-use virtualenv (never this project's), so it imports
nothing from the project but the task's text (``form_task.py``, stdlib only). Each task is
a new browser-use Agent on one kept-alive browser session (a second task in the same
process does not launch a second browser), with its default settings except
``use_vision=False`` (the stand-ins read text only, as ours do).

    BENCH_CHROMIUM=/usr/bin/chromium python browser_use_side.py URL BASE_URL [TASKS]
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()
os.environ.setdefault("ANONYMIZED_TELEMETRY", "false")
os.environ.setdefault("BROWSER_USE_CLOUD_SYNC", "false")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_use import Agent, BrowserProfile, BrowserSession, ChatOpenAI  # noqa: E402
from form_task import GOAL  # noqa: E402

TASK_HEADER = "X-Bench-Task"


async def main() -> None:
    url, base_url = sys.argv[1], sys.argv[2]
    tasks = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    chromium = os.environ.get("BENCH_CHROMIUM", "/usr/bin/chromium")
    session = BrowserSession(
        browser_profile=BrowserProfile(executable_path=chromium, headless=True, keep_alive=True)
    )
    try:
        for number in range(1, tasks + 1):
            started = time.perf_counter()
            llm = ChatOpenAI(
                model="gpt-4o-mini",
                base_url=base_url,
                api_key="stand-in",
                default_headers={TASK_HEADER: str(number)},
            )
            task = f"Go to {url} and do this: {GOAL}"
            agent = Agent(task=task, llm=llm, browser_session=session, use_vision=False)
            history = await agent.run(max_steps=10)
            print(
                json.dumps(
                    {
                        "task": number,
                        "seconds": time.perf_counter() - started,
                        "since_start": time.perf_counter() - STARTED,
                        "success": bool(history.is_successful()),
                        "result": history.final_result(),
                    }
                ),
                flush=True,
            )
    finally:
        await session.kill()


if __name__ == "__main__":
    asyncio.run(main())
