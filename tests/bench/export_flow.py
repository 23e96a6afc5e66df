"""Model calls and wall time for one fixture flow: run_task vs its exported script vs the
healing script after the page's button label changed (first with an empty act cache,
then run again, when the cache holds the healed step).

The flow is the order page (fixtures_sites/onpage/): type a name, press "Place order",
see the order placed. The model is a messages-only stand-in: in-process for run_task, and
an OpenAI-protocol server on 127.0.0.1 (agent.fake_providers) for the healing script,
which runs in its own process like a user's script. Script times include starting Python
and Chromium (the "floor" row: a script that only starts and closes the browser) and, for
healing, importing the library and litellm. run_task runs in this process on a warm Agent.

    PYTHONPATH=$PWD .venv/bin/python tests/bench/export_flow.py [repeats]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from agent import Agent
from agent.browser.lifecycle.launch import find_chromium
from agent.fake_providers import FakeOpenAI
from agent.testing import PromptLLM
from fixtures_sites.server import FixtureServer
from tests.test_export import order_policy

ROOT = Path(__file__).resolve().parents[2]
EMPTY_SCRIPT = """import os
from playwright.sync_api import sync_playwright

with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path=os.environ["CHROMIUM_PATH"])
    browser.new_context().new_page().goto("about:blank")
    browser.close()
"""
"""What every script pays before its first action: Python, Playwright and Chromium starting."""


def run_script(path: Path, **env: str) -> float:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(path)],
        env={**os.environ, "CHROMIUM_PATH": find_chromium(), "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise SystemExit(f"{path.name} failed:\n{done.stderr}")
    return time.monotonic() - started


def main(repeats: int) -> None:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")
    with tempfile.TemporaryDirectory() as tmp, FixtureServer() as server:
        folder = Path(tmp)
        llm = PromptLLM(order_policy)
        run_times, calls = [], []
        with Agent(llm=llm, data_dir=folder / "data", record_video=False, progress=False) as agent:
            for _ in range(repeats):
                started = time.monotonic()
                run = agent.run_task(
                    "Order tea as Ada", server.url("/onpage/"), engine="skyvern-1.0"
                )
                run_times.append(time.monotonic() - started)
                calls.append(run.llm_calls)
                assert f"{run.status}" == "completed", run.failure_reason
            (folder / "flow.py").write_text(agent.export_script(run.run_id))
            (folder / "flow_heal.py").write_text(agent.export_script(run.run_id, heal=True))
        plain = [run_script(folder / "flow.py") for _ in range(repeats)]
        (folder / "empty.py").write_text(EMPTY_SCRIPT)
        floor = [run_script(folder / "empty.py") for _ in range(repeats)]
        changed = server.url("/onpage/?label=Confirm+order")
        heal_times, heal_calls = [], []
        with FakeOpenAI(order_policy) as model:
            wiring = model.agent_kwargs()
            env = {
                "AGENT_LLM": wiring["llm"],
                "AGENT_LLM_BASE_URL": wiring["llm_base_url"],
                "OPENAI_API_KEY": wiring["llm_options"]["api_key"],
                "AGENT_DATA_DIR": str(folder / "heal-data"),
                "START_URL": changed,
                "STEP_TIMEOUT_MS": "1500",
            }
            cached_times, cached_calls = [], []
            for repeat in range(repeats):
                env["AGENT_DATA_DIR"] = str(folder / f"heal-data-{repeat}")  # an empty act cache
                for times, counted in ((heal_times, heal_calls), (cached_times, cached_calls)):
                    before = len(model.model_calls())
                    times.append(run_script(folder / "flow_heal.py", **env))
                    counted.append(len(model.model_calls()) - before)
        rows = [
            ("floor: start+close, no action", [0] * repeats, floor),
            ("run_task (skyvern-1.0)", calls, run_times),
            ("exported script, plain", [0] * repeats, plain),
            ("healing script, label changed", heal_calls, heal_times),
            ("  the same, run again (cache)", cached_calls, cached_times),
        ]
        print(f"{'flow: order page':32} {'model calls':>12} {'median s':>9} {'min s':>7}")
        for name, counted, times in rows:
            print(
                f"{name:32} {statistics.median(counted):>12} "
                f"{statistics.median(times):>9.2f} {min(times):>7.2f}"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
