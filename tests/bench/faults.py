"""How each fault ends: status, failure reason and time to end, with the default timeouts.

Drives the fault fixture pages (``fixtures_sites/faults/``) through the public API with
messages-only stand-ins, the way ``tests/faults/test_faults.py`` does, but with the
Agent's default page timeout, and prints one line per fault.

    .venv/bin/python tests/bench/faults.py [page_timeout_seconds]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests.faults, fixtures_sites
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")

from agent import Agent
from agent.prompt_reading import Prompt
from agent.testing import PromptLLM
from fixtures_sites.server import FixtureServer
from tests.faults.browser_faults import browser_processes, crash_active_page, kill_browsers
from tests.faults.stand_ins import Answer, complete, element_id, v1_policy


def _click(label: str, then: Callable[[Prompt], Answer] | None = None) -> Any:
    seen: list[int] = []

    def plan(prompt: Prompt) -> Answer:
        seen.append(1)
        if len(seen) > 1 and then is not None:
            return then(prompt)
        return {"actions": [{"action_type": "CLICK", "id": element_id(prompt, label)}]}

    return plan


def main(page_timeout: float | None) -> None:
    holder: dict[str, Any] = {}
    before = browser_processes()

    def crash(prompt: Prompt) -> Answer:
        crash_active_page(holder["agent"])
        return {"actions": [{"action_type": "WAIT", "seconds": 2}]}

    def kill(prompt: Prompt) -> Answer:
        kill_browsers(browser_processes() - before)
        return {"actions": [{"action_type": "CLICK", "id": element_id(prompt, "Continue")}]}

    def answer_dialog(prompt: Prompt) -> Answer:
        if "a confirm dialog asks" in prompt.text:
            return {"actions": [{"action_type": "ANSWER_DIALOG", "accept": True}]}
        return complete()

    faults: list[tuple[str, str, Callable[[Prompt], Answer]]] = [
        ("script loop after load", "loop_after_load.html", _click("Continue")),
        ("script loop in a timer", "loop_in_timer.html", _click("Continue")),
        ("loop in a click handler", "loop_on_click.html", _click("Start", lambda p: complete())),
        ("same hanging click again", "loop_on_click.html", _click("Start")),
        ("confirm while it loads", "confirm_on_load.html", answer_dialog),
        ("popup storm", "popup_storm.html", lambda p: complete()),
        ("dialog storm", "dialog_storm.html", lambda p: complete()),
        ("renderer crash", "steady.html", crash),
        ("browser killed", "steady.html", kill),
    ]
    with FixtureServer() as server, tempfile.TemporaryDirectory() as data_dir:
        print(
            f"{'fault':26} {'status':10} {'steps':>5} {'step s':>6} {'end s':>6} "
            f"{'from step 1':>11}  {'close s':>7}  failure reason"
        )
        for name, page, plan in faults:
            agent = Agent(
                llm=PromptLLM(v1_policy(plan)),
                data_dir=data_dir,
                progress=False,
                record_video=False,
                page_timeout=page_timeout,
            )
            holder["agent"] = agent
            started = time.monotonic()
            run = agent.run_task("Do it", server.url(f"/faults/{page}"), engine="skyvern-1.0")
            ended = time.monotonic() - started
            steps = agent.list_steps(run.run_id)
            longest = max((s.duration_ms or 0 for s in steps), default=0) / 1000
            ended_at = agent.get_run(run.run_id).finished_at
            # From the first step (the start page open, the browser launched) to the end:
            after_start = (ended_at - steps[0].created_at).total_seconds() if steps else 0.0
            started = time.monotonic()
            agent.close()
            closed = time.monotonic() - started
            reason = (run.failure_reason or "")[:110]
            print(
                f"{name:26} {run.status.value:10} {len(steps):5} {longest:6.1f} {ended:6.1f} "
                f"{after_start:11.1f}  {closed:7.1f}  {reason}"
            )


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else None)
